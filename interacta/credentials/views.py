"""Organizer's certificates page: settings, the issue button, issue one by hand, revoke.

Load, check access, call a service, commit once, redirect.
"""

from __future__ import annotations

from flask import Response, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user
from wtforms.fields.choices import SelectChoice

from interacta.core.auth import organizer_required
from interacta.core.errors import DomainError, attach_to_form
from interacta.credentials import bp, pdf, services
from interacta.credentials.forms import ManualIssueForm, RevokeForm, SettingsForm
from interacta.credentials.models import Certificate
from interacta.events import services as event_services
from interacta.events.models import Event
from interacta.extensions import db


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
    )


@bp.get("/<public_id>.pdf")
def certificate_pdf(public_id: str):
    certificate = _public(public_id)
    body = pdf.certificate_pdf(
        certificate, services.verify_url(certificate), services.zone_of(certificate)
    )
    response = Response(body, mimetype="application/pdf")
    response.headers["Content-Disposition"] = f'inline; filename="{certificate.serial}.pdf"'
    return response
