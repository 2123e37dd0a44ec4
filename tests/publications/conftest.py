"""Fixtures of the publications tests."""

from __future__ import annotations

import pytest

#: The smallest file the upload check accepts as a PDF.
PDF_BYTES = (
    b"%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n"
    b"2 0 obj << /Type /Pages /Kids [] /Count 0 >> endobj\n"
    b"trailer << /Root 1 0 R >>\n%%EOF\n"
)


@pytest.fixture
def organizer(make_member, auth):
    return auth.login_as(make_member(role="organizer"))


@pytest.fixture
def pdf_bytes():
    return PDF_BYTES
