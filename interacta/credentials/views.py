"""Organizer's certificates page: settings, the issue button, issue one by hand, revoke;
the public verification page with its PDF and signed credential (.jwt, .json); the issuer
profile and the JWK Set; a member's record and its PDF transcript.

Load, check access, call a service, commit once, redirect.
"""

from __future__ import annotations

import json

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user
from wtforms.fields.choices import SelectChoice

from interacta.core.auth import login_required, organizer_required
from interacta.core.errors import DomainError, attach_to_form
from interacta.credentials import bp, keys, openbadges, pdf, services
from interacta.credentials.forms import ManualIssueForm, RevokeForm, SettingsForm
from interacta.credentials.models import Certificate
from interacta.events import services as event_services
from interacta.events.models import Event
from interacta.extensions import db

#: /.well-known/jwks.json, at the root.
keys_bp = Blueprint("credentials_keys", __name__)
#: /members/me/record: the record lives with the member's other pages.
record_bp = Blueprint("credentials_record", __name__, url_prefix="/members")
#: Registered by the app factory beside the credentials blueprint.
extra_blueprints = (keys_bp, record_bp)


def _managed_event(event_id: int) -> Event:
    event = db.get_or_404(Event, event_id)
    if not event_services.can_manage(current_user, event):
        abort(403, _("You can only manage the events you organize."))
    return event


def _page(event: Event, settings_form=None, manual_form=None, status: int = 200):
    settings = services.settings_for(event)
    standings = services.standings(event, settings)
    certificates = services.certificates_of_event(event)
    if settings_form is None:
        settings_form = SettingsForm(obj=settings)
    if manual_form is None:
        manual_form = ManualIssueForm()
    with_certificate = {c.registration_id for c in certificates}
    manual_form.participant.choices = [
        SelectChoice(s.registration.id, s.registration.name or "")
        for s in standings
        if s.registration.id not in with_certificate
    ]
    return render_template(
        "credentials/manage.html",
        event=event,
        settings=settings,
        settings_form=settings_form,
        manual_form=manual_form,
        revoke_form=RevokeForm(),
        standings=standings,
        certificates=certificates,
        has_ended=event.is_past,
    ), status


@bp.get("/manage/<int:event_id>")
@organizer_required
def manage(event_id: int):
    return _page(_managed_event(event_id))


@bp.post("/manage/<int:event_id>/settings")
@organizer_required
def manage_settings(event_id: int):
    event = _managed_event(event_id)
    form = SettingsForm()
    if not form.validate_on_submit():
        return _page(event, settings_form=form, status=400)
    try:
        services.save_settings(event, form.is_enabled.data, form.rule.data, form.min_percent.data)
    except DomainError as exc:
        db.session.rollback()
        attach_to_form(form, exc)
        return _page(event, settings_form=form, status=exc.status_code)
    db.session.commit()
    flash(_("Certificate settings saved."), "success")
    return redirect(url_for("credentials.manage", event_id=event.id))


@bp.post("/manage/<int:event_id>/issue")
@organizer_required
def manage_issue(event_id: int):
    event = _managed_event(event_id)
    try:
        issued = services.issue_for_event(event)
    except DomainError as exc:
        db.session.rollback()
        flash(exc.message, "error")
        return redirect(url_for("credentials.manage", event_id=event.id))
    db.session.commit()
    flash(
        ngettext("%(num)d certificate issued.", "%(num)d certificates issued.", len(issued)),
        "success",
    )
    return redirect(url_for("credentials.manage", event_id=event.id))


@bp.post("/manage/<int:event_id>/issue-one")
@organizer_required
def manage_issue_one(event_id: int):
    event = _managed_event(event_id)
    form = ManualIssueForm()
    form.participant.choices = []
    if not form.validate_on_submit():
        return _page(event, manual_form=form, status=400)
    try:
        services.issue_by_hand(
            event, form.participant.data, form.issue_reason.data, current_user.id
        )
    except DomainError as exc:
        db.session.rollback()
        attach_to_form(form, exc)
        return _page(event, manual_form=form, status=exc.status_code)
    db.session.commit()
    flash(_("Certificate issued."), "success")
    return redirect(url_for("credentials.manage", event_id=event.id))


@bp.post("/<int:certificate_id>/revoke")
@organizer_required
def manage_revoke(certificate_id: int):
    certificate = db.get_or_404(Certificate, certificate_id)
    if certificate.event_id is None:
        abort(404)
    event = _managed_event(certificate.event_id)
    form = RevokeForm()
    if not form.validate_on_submit():
        flash(_("Give a reason."), "error")
        return redirect(url_for("credentials.manage", event_id=event.id))
    services.revoke(event, certificate.id, form.reason.data, current_user.id)
    db.session.commit()
    flash(_("Certificate revoked."), "success")
    return redirect(url_for("credentials.manage", event_id=event.id))


# --- public verification -----------------------------------------------------------------


def _public(public_id: str) -> Certificate:
    certificate = services.by_public_id(public_id)
    if certificate is None:
        abort(404)
    return certificate


@bp.get("/<public_id>")
def verify(public_id: str):
    certificate = _public(public_id)
    return render_template(
        "credentials/verify.html",
        certificate=certificate,
        zone=services.zone_of(certificate),
        kind=pdf.kind_label(certificate),
        issuer=pdf.ISSUER,
        network=pdf.NETWORK,
        jwks_url=keys.jwks_url(),
    )


@bp.get("/<public_id>.pdf")
def certificate_pdf(public_id: str):
    certificate = _public(public_id)
    body = pdf.certificate_pdf(
        certificate, services.verify_url(certificate), services.zone_of(certificate)
    )
    response = Response(body, mimetype="application/pdf")
    response.headers["Content-Disposition"] = f'inline; filename="{certificate.serial}.pdf"'
    response.headers["X-Robots-Tag"] = "noindex"  # like its verification page
    return response


# --- the signed credential, the issuer and its keys (public data, readable cross-origin) --


def _public_data(response: Response, max_age: int) -> Response:
    """Headers of what any verifier may fetch, from any site: CORS for everyone, and
    cacheable by anyone for `max_age` seconds."""
    response.headers["Access-Control-Allow-Origin"] = "*"
    response.headers["Cross-Origin-Resource-Policy"] = "cross-origin"
    response.cache_control.public = True
    response.cache_control.max_age = max_age
    return response


def _json(document: dict) -> str:
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


@bp.get("/<public_id>.jwt")
def credential_jwt(public_id: str):
    """The signed credential. Served as application/jwt (RFC 7519): it is an OB 3.0
    VC-JWT whose header says typ "JWT"; application/vc+jwt names the VC-JOSE-COSE profile
    (typ "vc+jwt"), which it is not. It never changes once signed, a revoked one included:
    revocation is told by the verification page and the .json."""
    certificate = _public(public_id)
    token = services.signed_credential(certificate)
    db.session.commit()
    response = Response(token, mimetype="application/jwt")
    response.headers["Content-Disposition"] = f'inline; filename="{certificate.serial}.jwt"'
    response.headers["X-Robots-Tag"] = "noindex"  # it names the holder, as the page does
    return _public_data(response, 86400)


@bp.get("/<public_id>.json")
def credential_json(public_id: str):
    """The credential as signed, readable; a revoked one says so (services.credential_document)."""
    certificate = _public(public_id)
    document = services.credential_document(certificate)
    db.session.commit()
    response = Response(_json(document), mimetype="application/json")
    response.headers["X-Robots-Tag"] = "noindex"
    return _public_data(response, 300)


@bp.get("/issuer")
def issuer():
    """Our OB 3.0 Profile: JSON for programs, a page for browsers (by the Accept header)."""
    profile = openbadges.issuer_profile()
    wanted = request.accept_mimetypes.best_match(
        ["application/json", "application/ld+json", "text/html"], default="application/json"
    )
    if wanted == "text/html":
        response = Response(
            render_template("credentials/issuer.html", profile=profile, jwks_url=keys.jwks_url()),
            mimetype="text/html",
        )
    else:
        response = Response(_json(profile), mimetype=wanted)
    response.vary.add("Accept")
    response.cache_control.public = True
    response.cache_control.max_age = 3600
    return response


@keys_bp.get("/.well-known/jwks.json")
def jwks():
    """The public keys that verify our credentials, the retired ones included."""
    response = Response(_json(keys.jwks()), mimetype="application/jwk-set+json")
    return _public_data(response, 900)


# --- a member's record ---------------------------------------------------------------------


@record_bp.get("/me/record")
@login_required
def my_record():
    return render_template("credentials/record.html", lines=services.record_of(current_user.id))


@record_bp.get("/me/record.pdf")
@login_required
def my_record_pdf():
    body = pdf.transcript_pdf(current_user.name, services.record_of(current_user.id))
    response = Response(body, mimetype="application/pdf")
    response.headers["Content-Disposition"] = 'inline; filename="record.pdf"'
    response.headers["Cache-Control"] = "no-store"
    return response
