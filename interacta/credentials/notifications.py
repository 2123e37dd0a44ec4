"""The certificate mail: the PDF attached and the verification link, in the holder's
language."""

from __future__ import annotations

import logging

from flask_babel import gettext as _

from interacta.core.i18n import force_locale
from interacta.core.mail import queue_mail
from interacta.core.urls import external_url
from interacta.credentials import pdf
from interacta.credentials.models import Certificate
from interacta.events.models import Registration

logger = logging.getLogger(__name__)


def certificate_issued(certificate: Certificate, registration: Registration) -> None:
    """Queue the holder's mail (nothing for an anonymised registration)."""
    if not registration.email:
        return
    member = registration.member
    language = member.language if member is not None else registration.language
    zone = certificate.event.timezone if certificate.event is not None else "UTC"
    with force_locale(language):
        body = pdf.certificate_pdf(
            certificate,
            external_url("credentials.verify", _language="en", public_id=certificate.public_id),
            zone,
        )
        queue_mail(
            registration.email,
            _("Your certificate: %(title)s", title=certificate.event_title),
            "credentials/mail/issued",
            attachments=[(f"{certificate.serial}.pdf", "application/pdf", body)],
            certificate=certificate,
            verify_url=external_url("credentials.verify", public_id=certificate.public_id),
            credential_url=external_url(
                "credentials.credential_jwt", _language="en", public_id=certificate.public_id
            ),
        )
