"""The certificate as a PDF: A4 landscape, fonts embedded (the Vera TTFs that ship with
reportlab; its standard fonts are not embedded), text selectable, a QR code to the
verification page and its URL printed below."""

from __future__ import annotations

import io
from pathlib import Path
from typing import TYPE_CHECKING

from flask_babel import gettext as _

from interacta.core.models import utcnow
from interacta.core.timezones import format_local
from interacta.core.urls import external_url
from interacta.credentials.models import Certificate

if TYPE_CHECKING:
    from reportlab.pdfgen import canvas

# reportlab and segno are imported where a PDF is drawn: they take about 12 MB, which a web
# worker that shows certificate pages but draws no PDF need not carry.

ISSUER = "Interacta Global d.o.o."
NETWORK = "Interacta, the research and education network on civil-military interaction"
FONT, FONT_BOLD = "InteractaVera", "InteractaVeraBold"


def _register_fonts() -> None:
    import reportlab
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont

    if FONT in pdfmetrics.getRegisteredFontNames():
        return
    folder = Path(reportlab.__file__).parent / "fonts"
    pdfmetrics.registerFont(TTFont(FONT, str(folder / "Vera.ttf")))
    pdfmetrics.registerFont(TTFont(FONT_BOLD, str(folder / "VeraBd.ttf")))


def kind_label(certificate: Certificate) -> str:
    if certificate.kind == "completion":
        return _("Certificate of completion")
    return _("Certificate of attendance")


def _dates(certificate: Certificate, zone: str) -> str:
    first = format_local(certificate.event_starts_at, zone, "longdate")
    last = format_local(certificate.event_ends_at, zone, "longdate")
    return first if first == last else f"{first} – {last}"


def _draw_qr(pdf: canvas.Canvas, url: str, x: float, y: float, size: float) -> None:
    """The QR code of `url` as filled squares (vector; no font, so nothing unembedded)."""
    import segno

    matrix = segno.make(url, error="m").matrix
    quiet = 4  # modules of white border a scanner needs
    count = len(matrix) + 2 * quiet
    cell = size / count
    pdf.setFillColorRGB(0, 0, 0)
    for row, line in enumerate(matrix):
        for column, dark in enumerate(line):
            if dark:
                pdf.rect(
                    x + (column + quiet) * cell,
                    y + size - (row + quiet + 1) * cell,
                    cell,
                    cell,
                    stroke=0,
                    fill=1,
                )


def _fitted(text: str, font: str, size: float, room: float) -> float:
    """The largest font size up to `size` at which `text` fits in `room` points."""
    from reportlab.pdfbase import pdfmetrics

    while size > 8 and pdfmetrics.stringWidth(text, font, size) > room:
        size -= 1
    return size


def certificate_pdf(certificate: Certificate, verify_url: str, zone: str = "UTC") -> bytes:
    """The PDF of `certificate`, its QR code and printed link pointing to `verify_url`."""
    from reportlab.lib.pagesizes import A4, landscape
    from reportlab.lib.units import mm
    from reportlab.pdfgen import canvas

    _register_fonts()
    buffer = io.BytesIO()
    width, height = landscape(A4)
    pdf = canvas.Canvas(buffer, pagesize=(width, height), pageCompression=1, initialFontName=FONT)
    pdf.setTitle(f"{kind_label(certificate)} – {certificate.holder_name}")
    pdf.setAuthor(ISSUER)
    pdf.setSubject(certificate.event_title)
    pdf.setStrokeColorRGB(0.13, 0.29, 0.45)
    pdf.setLineWidth(3)
    pdf.rect(12 * mm, 12 * mm, width - 24 * mm, height - 24 * mm)

    centre = width / 2
    pdf.setFillColorRGB(0.13, 0.29, 0.45)
    pdf.setFont(FONT_BOLD, 30)
    pdf.drawCentredString(centre, height - 45 * mm, kind_label(certificate))
    pdf.setFillColorRGB(0, 0, 0)
    pdf.setFont(FONT, 14)
    pdf.drawCentredString(centre, height - 62 * mm, _("This certifies that"))
    room = width - 50 * mm
    pdf.setFont(FONT_BOLD, _fitted(certificate.holder_name, FONT_BOLD, 26, room))
    pdf.drawCentredString(centre, height - 78 * mm, certificate.holder_name)
    pdf.setFont(FONT, 14)
    line = _("has completed") if certificate.kind == "completion" else _("has attended")
    pdf.drawCentredString(centre, height - 92 * mm, line)
    pdf.setFont(FONT_BOLD, _fitted(certificate.event_title, FONT_BOLD, 18, room))
    pdf.drawCentredString(centre, height - 106 * mm, certificate.event_title)
    pdf.setFont(FONT, 12)
    details = [_dates(certificate, zone)]
    if certificate.hours:
        details.append(_("%(hours)s hours", hours=f"{certificate.hours:g}"))
    if certificate.sessions_total:
        details.append(
            _(
                "%(attended)d of %(total)d sessions attended",
                attended=certificate.sessions_attended,
                total=certificate.sessions_total,
            )
        )
    pdf.drawCentredString(centre, height - 118 * mm, " · ".join(details))

    pdf.setFont(FONT_BOLD, 12)
    pdf.drawString(25 * mm, 40 * mm, ISSUER)
    pdf.setFont(FONT, 10)
    pdf.drawString(25 * mm, 34 * mm, NETWORK)
    issued = format_local(certificate.issued_at, zone, "longdate")
    pdf.drawString(25 * mm, 28 * mm, _("Issued on %(date)s", date=issued))
    pdf.drawString(25 * mm, 22 * mm, _("Serial number: %(serial)s", serial=certificate.serial))

    size = 42 * mm
    _draw_qr(pdf, verify_url, width - 25 * mm - size, 26 * mm, size)
    pdf.setFont(FONT, 8)
    pdf.drawRightString(width - 25 * mm, 21 * mm, verify_url)
    pdf.drawRightString(width - 25 * mm, 17 * mm, _("Verify this certificate at this address."))
    if certificate.is_revoked:
        pdf.setFillColorRGB(0.75, 0, 0)
        pdf.setFont(FONT_BOLD, 20)
        pdf.drawCentredString(centre, height - 30 * mm, _("Revoked"))
    pdf.showPage()
    pdf.save()
    return buffer.getvalue()


def transcript_pdf(holder_name: str, lines: list, now=None) -> bytes:
    """A member's record as a PDF transcript: A4 portrait, fonts embedded, text selectable;
    each attended event with its dates, sessions and hours, and its certificate (kind,
    serial, verification address)."""
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.units import mm
    from reportlab.pdfgen import canvas

    _register_fonts()
    now = now or utcnow()
    buffer = io.BytesIO()
    width, height = A4
    pdf = canvas.Canvas(buffer, pagesize=A4, pageCompression=1, initialFontName=FONT)
    title = _("Record of attended events")
    pdf.setTitle(f"{title} – {holder_name}")
    pdf.setAuthor(ISSUER)
    left, room = 20 * mm, width - 40 * mm

    def header() -> float:
        pdf.setFillColorRGB(0.13, 0.29, 0.45)
        pdf.setFont(FONT_BOLD, 20)
        pdf.drawString(left, height - 25 * mm, title)
        pdf.setFillColorRGB(0, 0, 0)
        pdf.setFont(FONT_BOLD, _fitted(holder_name, FONT_BOLD, 14, room))
        pdf.drawString(left, height - 34 * mm, holder_name)
        pdf.setFont(FONT, 9)
        pdf.drawString(
            left,
            height - 40 * mm,
            _(
                "%(issuer)s · as of %(date)s",
                issuer=ISSUER,
                date=format_local(now, "UTC", "longdate"),
            ),
        )
        return height - 52 * mm

    y = header()
    if not lines:
        pdf.setFont(FONT, 11)
        pdf.drawString(left, y, _("No attended event yet."))
    for line in lines:
        rows = 3 + (1 if line.certificate is not None else 0)
        if y - rows * 6 * mm < 20 * mm:
            pdf.showPage()
            y = header()
        pdf.setFont(FONT_BOLD, _fitted(line.title, FONT_BOLD, 12, room))
        pdf.drawString(left, y, line.title)
        y -= 6 * mm
        pdf.setFont(FONT, 10)
        first = format_local(line.starts_at, line.zone, "longdate")
        last = format_local(line.ends_at, line.zone, "longdate")
        pdf.drawString(left, y, first if first == last else f"{first} – {last}")
        y -= 5 * mm
        facts = []
        if line.sessions_total:
            facts.append(
                _(
                    "%(attended)d of %(total)d sessions attended",
                    attended=line.sessions_attended,
                    total=line.sessions_total,
                )
            )
        if line.hours:
            facts.append(_("%(hours)s hours", hours=f"{line.hours:g}"))
        if facts:
            pdf.drawString(left, y, " · ".join(facts))
            y -= 5 * mm
        certificate = line.certificate
        if certificate is not None:
            url = external_url(
                "credentials.verify", _language="en", public_id=certificate.public_id
            )
            text = _(
                "%(kind)s, serial number %(serial)s: %(url)s",
                kind=kind_label(certificate),
                serial=certificate.serial,
                url=url,
            )
            if certificate.is_revoked:
                text = f"{text} ({_('Revoked')})"
            pdf.setFont(FONT, _fitted(text, FONT, 9, room))
            pdf.drawString(left, y, text)
            y -= 5 * mm
        y -= 4 * mm
    pdf.showPage()
    pdf.save()
    return buffer.getvalue()
