"""Logos as we serve them: an SVG reduced to a strict allow-list of drawing elements and
attributes (no script, no event handler, no reference outside the file, no style sheet),
or a PNG/JPEG decoded and re-encoded as PNG by Pillow (which drops anything that is not
pixels). Whatever was uploaded, only what these functions return is stored."""

from __future__ import annotations

import io
import re
from xml.sax.saxutils import escape, quoteattr  # nosec B406 - escaping only, no parsing

from defusedxml import ElementTree as SafeET
from defusedxml.common import DefusedXmlException
from flask_babel import gettext as _

from interacta.core.errors import DomainError

MAX_BYTES = 512 * 1024
MAX_PIXELS = 2000 * 2000
SVG_NS = "http://www.w3.org/2000/svg"
XLINK_NS = "http://www.w3.org/1999/xlink"

#: Drawing elements; anything else (script, foreignObject, use, image, style, a, animate,
#: set, iframe...) makes the upload refused rather than silently changed.
ELEMENTS = frozenset(
    {
        "svg", "g", "path", "rect", "circle", "ellipse", "line", "polyline", "polygon",
        "text", "tspan", "title", "desc", "defs", "lineargradient", "radialgradient", "stop",
        "clippath",
    }
)  # fmt: skip
ATTRIBUTES = frozenset(
    {
        "id", "x", "y", "x1", "y1", "x2", "y2", "cx", "cy", "r", "rx", "ry", "width",
        "height", "d", "points", "viewbox", "preserveaspectratio", "fill", "fill-opacity",
        "fill-rule", "clip-rule", "stroke", "stroke-width", "stroke-opacity",
        "stroke-linecap", "stroke-linejoin", "stroke-dasharray", "opacity", "transform",
        "font-family", "font-size", "font-weight", "font-style", "text-anchor",
        "dominant-baseline", "letter-spacing", "offset", "stop-color", "stop-opacity",
        "gradientunits", "gradienttransform", "fx", "fy", "clip-path", "role", "aria-label",
        "version", "dx", "dy",
    }
)  # fmt: skip
#: Paint and clip values may point only inside the file: url(#id).
_URL = re.compile(r"url\s*\(", re.IGNORECASE)
_LOCAL_URL = re.compile(r"^url\(#[A-Za-z0-9_.-]+\)$")
_DANGEROUS = re.compile(r"javascript:|data:|expression\s*\(|@import", re.IGNORECASE)


class LogoRejected(DomainError):
    status_code = 400
    field = "logo"


def _local(tag: str) -> tuple[str, str]:
    if tag.startswith("{"):
        ns, _, name = tag[1:].partition("}")
        return ns, name
    return "", tag


def sanitise_svg(data: bytes) -> bytes:
    """The SVG rebuilt from the allowed elements and attributes; LogoRejected when it
    holds anything else that could run or fetch (scripts, handlers, outside links)."""
    try:
        root = SafeET.fromstring(data, forbid_dtd=True)
    except (SafeET.ParseError, DefusedXmlException, ValueError) as exc:
        raise LogoRejected(_("This SVG file cannot be read.")) from exc
    if _local(root.tag) != (SVG_NS, "svg"):
        raise LogoRejected(_("This file is not an SVG image."))
    for element in root.iter():
        ns, name = _local(element.tag) if isinstance(element.tag, str) else ("", "")
        if ns != SVG_NS or name.lower() not in ELEMENTS:
            raise LogoRejected(
                _("The SVG holds something other than a drawing (%(what)s).", what=name or "?")
            )
        for key in list(element.attrib):
            attr_ns, attr = _local(key)
            value = element.attrib[key]
            lowered = attr.lower()
            if lowered.startswith("on") or attr_ns == XLINK_NS or lowered in ("href", "style"):
                raise LogoRejected(
                    _("The SVG holds a script, a style or a link (%(what)s).", what=attr)
                )
            if attr_ns or lowered not in ATTRIBUTES:
                del element.attrib[key]  # unknown but harmless presentation: dropped
                continue
            if _DANGEROUS.search(value) or (
                _URL.search(value) and not _LOCAL_URL.match(value.strip())
            ):
                raise LogoRejected(_("The SVG refers to something outside the file."))
    return _serialise(root, top=True).encode("utf-8")


def _serialise(element, top: bool = False) -> str:
    """The checked tree written out again: our own writer, so nothing but the allowed
    elements, attributes and escaped text reaches the file."""
    name = _local(element.tag)[1]
    attrs = "".join(f" {key}={quoteattr(value)}" for key, value in element.attrib.items())
    if top:
        attrs = f' xmlns="{SVG_NS}"' + attrs
    inner = escape(element.text or "") + "".join(
        _serialise(child) + escape(child.tail or "") for child in element
    )
    return f"<{name}{attrs}>{inner}</{name}>"


def reencode_bitmap(data: bytes) -> bytes:
    """A PNG or JPEG decoded and written again as PNG (metadata and extra chunks dropped)."""
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(io.BytesIO(data)) as image:
            if image.format not in ("PNG", "JPEG"):
                raise LogoRejected(_("A logo must be an SVG, PNG or JPEG image."))
            if image.width * image.height > MAX_PIXELS:
                raise LogoRejected(_("This image is too large."))
            image.load()
            converted = image.convert("RGBA")
    except (UnidentifiedImageError, OSError, Image.DecompressionBombError) as exc:
        raise LogoRejected(_("A logo must be an SVG, PNG or JPEG image.")) from exc
    buffer = io.BytesIO()
    converted.save(buffer, format="PNG", optimize=True)
    return buffer.getvalue()


def clean_logo(data: bytes) -> tuple[bytes, str]:
    """(bytes to store, content type) for an uploaded logo; LogoRejected otherwise."""
    if not data:
        raise LogoRejected(_("The file is empty."))
    if len(data) > MAX_BYTES:
        raise LogoRejected(_("A logo may be at most 512 KB."))
    head = data.lstrip()[:200].lower()
    if head.startswith(b"<?xml") or head.startswith(b"<svg") or b"<svg" in head:
        return sanitise_svg(data), "image/svg+xml"
    return reencode_bitmap(data), "image/png"
