"""Only the sanitised Markdown output is marked safe: no `|safe`, no stray `Markup(`.

Jinja autoescaping is what keeps stored text from becoming markup. Marking a string safe
switches that off, so every place that does it is listed here with the reason it is safe;
a new one fails this test until someone has looked at it.
"""

from __future__ import annotations

import re
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[2] / "interacta"

UNSAFE = re.compile(
    r"\|\s*safe\b"  # the |safe filter
    r"|\bMarkup\s*\("  # markupsafe.Markup(...)
    r"|autoescape\s+false"  # {% autoescape false %}
    r"|\|\s*forceescape\s*\|\s*safe"
    r"|\bMarkup\.unescape\b"
)

#: (path relative to interacta/, line fragment) -> why it is safe.
ALLOWED = {
    ("core/markdown.py", 'return Markup("")'): "the empty string",
    ("core/markdown.py", "return Markup(clean)"): "markdown-it output sanitised by nh3",
    ("consent/embed.py", "return Markup("): (
        "wraps render_template() of consent/_embed.html, an autoescaped .html template"
    ),
    ("core/cache.py", "return Markup(found.decode())"): (
        "a fragment's HTML as an autoescaped template rendered it before (cached_fragment)"
    ),
    ("core/i18n.py", "rv = Markup(rv)"): (
        "a string of our translation catalogs, as Jinja's own newstyle gettext marks it;"
        " the variables put in it are escaped by the % (template_gettext, template_ngettext)"
    ),
    ("events/attendance.py", "return Markup(svg)"): (
        "segno's SVG drawing of our own check-in URL; segno escapes the <title> text"
    ),
}


def _hits():
    for path in sorted(PACKAGE.rglob("*")):
        if path.suffix not in {".html", ".xml", ".svg", ".txt", ".py", ".js"}:
            continue
        rel = path.relative_to(PACKAGE).as_posix()
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if line.lstrip().startswith("#") or '"""' in line:
                continue
            if UNSAFE.search(line):
                yield rel, number, line.strip()


def test_nothing_but_sanitised_markdown_is_marked_safe():
    unexpected = [
        f"interacta/{rel}:{number}: {line}"
        for rel, number, line in _hits()
        if not any(rel == path and fragment in line for path, fragment in ALLOWED)
    ]
    assert not unexpected, "string marked safe outside the allow-list:\n" + "\n".join(unexpected)


def test_every_allowed_place_still_exists():
    """A stale allow-list entry would let a new use slip in under its name."""
    found = {(rel, line) for rel, _, line in _hits()}
    for path, fragment in ALLOWED:
        assert any(rel == path and fragment in line for rel, line in found), (path, fragment)


def test_embed_template_does_not_mark_anything_safe_itself():
    template = PACKAGE / "consent" / "templates" / "consent" / "_embed.html"
    assert not UNSAFE.search(template.read_text(encoding="utf-8"))


def test_the_scan_catches_a_safe_filter():
    assert UNSAFE.search("{{ event.title|safe }}")
    assert UNSAFE.search("{{ event.title | safe }}")
    assert UNSAFE.search("return Markup(value)")
    assert not UNSAFE.search("{{ event.description|markdown }}")
