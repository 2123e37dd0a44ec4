"""Templates' `_()` follows the page's language, and a mail's language inside a page."""

from __future__ import annotations

from flask import render_template_string

from interacta.core.i18n import force_locale


def test_template_strings_follow_the_page_and_a_forced_language(app):
    with app.test_request_context("/", environ_overrides={"interacta.language": "fr"}):
        assert render_template_string("{{ _('Home') }}") == "Accueil"
        with force_locale("de"):  # a mail to a German reader, made while serving French
            assert render_template_string("{{ _('Home') }}") == "Startseite"
            plural = "{{ ngettext('Please correct the error below.', "
            plural += "'Please correct the errors below.', 2) }}"
            assert render_template_string(plural) == "Bitte korrigieren Sie die folgenden Fehler."
        assert render_template_string("{{ _('Home') }}") == "Accueil"
    with app.test_request_context("/"):
        assert render_template_string("{{ _('Home') }}") == "Home"


def test_strings_escape_their_variables_and_numbers_follow_a_forced_language(app):
    page = "{{ _('%(name)s and 100%%', name='<b>') }}|{{ 1234567|numberformat }}"
    page += "|{{ current_language() }}"
    with app.test_request_context("/", environ_overrides={"interacta.language": "de"}):
        assert render_template_string(page) == "&lt;b&gt; and 100%|1.234.567|de"
        with force_locale("en"):  # a mail in English, made while serving German
            assert render_template_string(page) == "&lt;b&gt; and 100%|1,234,567|en"
        assert render_template_string(page) == "&lt;b&gt; and 100%|1.234.567|de"
