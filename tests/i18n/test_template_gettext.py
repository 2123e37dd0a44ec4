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
