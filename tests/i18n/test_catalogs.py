"""Every message a person can read is in every catalog, translated and not fuzzy."""

from __future__ import annotations

from tools import translations


def test_every_catalog_translates_every_message():
    problems = translations.problems()
    assert not problems, "catalogs are incomplete:\n" + "\n".join(problems[:50])


def test_a_missing_translation_is_reported(tmp_path, monkeypatch):
    # The check itself must be able to fail: a part whose catalog lacks a message.
    part = tmp_path / "demo"
    (part / "templates").mkdir(parents=True)
    (part / "templates" / "page.html").write_text("<p>{{ _('Only in English') }}</p>")
    monkeypatch.setattr(translations, "parts", lambda: [part])
    monkeypatch.setattr(translations, "ROOT", tmp_path)
    found = translations.problems()
    assert "demo/translations/fr/LC_MESSAGES/messages.po: missing 'Only in English'" in found


def test_no_template_text_outside_trans():
    loose = translations.untranslated_text()
    assert not loose, "template text outside _() / {% trans %}:\n" + "\n".join(loose[:50])


def test_loose_template_text_is_reported(tmp_path, monkeypatch):
    # The scan must be able to fail: a template with a bare sentence.
    part = tmp_path / "interacta"
    (part / "demo" / "templates").mkdir(parents=True)
    (part / "demo" / "templates" / "page.html").write_text(
        "<p>{% trans %}Wrapped{% endtrans %}</p><p>Left in English</p>"
    )
    monkeypatch.setattr(translations, "PACKAGE", part)
    monkeypatch.setattr(translations, "ROOT", tmp_path)
    found = translations.untranslated_text()
    assert found == ["interacta/demo/templates/page.html: Left in English"]
