"""A publication's PDF: checked by content, stored under a random name in the instance
folder, replaced or removed; the old file is deleted only after the commit."""

from __future__ import annotations

import logging
import re
import secrets
from pathlib import Path

from flask import current_app
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from interacta.core.errors import DomainError
from interacta.core.text import slugify
from interacta.extensions import db
from interacta.publications.models import Publication

logger = logging.getLogger(__name__)

#: Largest PDF accepted (the request limit, MAX_CONTENT_LENGTH, is a little higher so the
#: form's other fields still arrive and we can answer with our own message).
PDF_MAX_BYTES = 20 * 1024 * 1024
PDF_TOO_LARGE = _l(
    "The PDF is larger than 20 MB, the most this site accepts. "
    "Please upload a smaller (compressed) file, or leave the PDF out and give a link instead."
)
_STORED_NAME = re.compile(r"[0-9a-f]{32}\.pdf")


class NotAPdf(DomainError):
    field = "pdf"


class PdfTooLarge(DomainError):
    field = "pdf"
    status_code = 413


def pdf_dir() -> Path:
    path = Path(current_app.instance_path) / "publications"
    path.mkdir(parents=True, exist_ok=True)
    return path


def pdf_path(pub: Publication) -> Path | None:
    return pdf_dir() / pub.pdf_file if pub.pdf_file else None


def check_pdf(data: bytes) -> None:
    """Raise unless `data` is a PDF of at most PDF_MAX_BYTES (judged by content, not name)."""
    if len(data) > PDF_MAX_BYTES:
        raise PdfTooLarge(str(PDF_TOO_LARGE))
    if not data.startswith(b"%PDF-") or b"%%EOF" not in data[-1024:]:
        raise NotAPdf(_("This file is not a PDF. Please upload a PDF document."))


def read_pdf(stream) -> bytes:
    """The uploaded file's bytes, checked (raises NotAPdf or PdfTooLarge)."""
    data = stream.read(PDF_MAX_BYTES + 1)
    check_pdf(data)
    return data


def attach_pdf(pub: Publication, data: bytes) -> str | None:
    """Store checked PDF bytes under a random name; returns the replaced file's name.

    The caller deletes the old file after the commit (`delete_pdf_file`).
    """
    check_pdf(data)
    name = f"{secrets.token_hex(16)}.pdf"
    (pdf_dir() / name).write_bytes(data)
    old, pub.pdf_file, pub.pdf_size = pub.pdf_file, name, len(data)
    db.session.flush()
    return old


def detach_pdf(pub: Publication) -> str | None:
    """Forget the publication's PDF; returns the file's name for deletion after the commit."""
    old, pub.pdf_file, pub.pdf_size = pub.pdf_file, None, None
    db.session.flush()
    return old


def delete_pdf_file(name: str | None) -> None:
    """Delete a stored PDF (only names we generate: never a path from elsewhere)."""
    if name and _STORED_NAME.fullmatch(name):
        (pdf_dir() / name).unlink(missing_ok=True)


def pdf_download_name(pub: Publication) -> str:
    return f"{slugify(pub.title, max_length=60, fallback='publication')}.pdf"
