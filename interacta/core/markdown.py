"""Markdown to safe HTML: markdown-it-py renders, nh3 sanitises. The only `Markup` we make."""

from __future__ import annotations

from functools import lru_cache

import nh3
from markdown_it import MarkdownIt
from markupsafe import Markup

_md = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False}).enable(
    "table"
)

ALLOWED_TAGS = {
    "a", "abbr", "b", "blockquote", "br", "code", "em", "h2", "h3", "h4", "hr", "i", "li",
    "ol", "p", "pre", "strong", "table", "tbody", "td", "th", "thead", "tr", "ul",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "abbr": {"title"}, "th": {"align"}, "td": {"align"}}


def render_markdown(text: str | None) -> Markup:
    """Markdown rendered to HTML and sanitised; safe to put in a template as is."""
    if not text:
        return Markup("")
    return _render(text)


#: A pure function of the text: the same abstract or description is rendered once per
#: process (the Atom feed renders fifty abstracts, an event page its description) while
#: it stays in the last MEMO_SIZE texts.
MEMO_SIZE = 1024


@lru_cache(maxsize=MEMO_SIZE)
def _render(text: str) -> Markup:
    html = _md.render(text)
    clean = nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer nofollow",
    )
    # Safe to mark: sanitised by nh3 just above (bandit B704 reviewed).
    return Markup(clean)  # noqa: S704  # nosec B704
