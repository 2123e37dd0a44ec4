"""Partner organisations (the partners page, an organisation's page, its logo) and topic
subscriptions (a member's settings, a guest's double opt-in, one-click unsubscribe)."""

from __future__ import annotations

import hashlib

from flask import Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from wtforms.fields.choices import SelectChoice

from interacta.core.auth import admin_required, login_required, organizer_required
from interacta.core.cache import cached_page
from interacta.core.content import translated
from interacta.core.errors import DomainError, attach_to_form
from interacta.core.i18n import current_language
from interacta.core.text import normalize_email
from interacta.events import services as event_services
from interacta.events.models import Event
from interacta.extensions import csrf, db, limiter
from interacta.members import throttle
from interacta.members.models import Member
from interacta.network import bp, digests, notifications, services
from interacta.network.forms import (
    CoOrganisersForm,
    GuestSubscriptionForm,
    MergeForm,
    OrganisationForm,
    SubscriptionForm,
)
from interacta.network.models import KINDS, Organisation
from interacta.publications.models import Publication

#: A served logo may draw and nothing else, even opened on its own (an SVG is a document).
LOGO_CSP = "default-src 'none'; style-src 'unsafe-inline'; sandbox"


@bp.get("/partners")
@cached_page(Organisation, clock="day")
def partners():
    return render_template("network/partners.html", groups=services.partners_by_kind(), kinds=KINDS)


@bp.get("/organisations/<slug>")
@cached_page(Organisation, Event, Publication, Member, clock="minute")
def organisation(slug: str):
    page = services.organisation_page(slug)
    if page is None:
        abort(404)
    return render_template("network/organisation.html", page=page, kinds=KINDS)


@bp.get("/organisations/<slug>/logo")
def logo(slug: str):
    org = services.organisation_by_slug(slug)
    if org is None or not org.logo:
        abort(404)
    etag = hashlib.sha256(org.logo).hexdigest()[:32]
    if request.if_none_match.contains(etag):
        response = Response(status=304)
    else:
        response = Response(org.logo, mimetype=org.logo_type or "application/octet-stream")
    response.set_etag(etag)
    response.headers["Content-Security-Policy"] = LOGO_CSP
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Content-Disposition"] = "inline"
    response.cache_control.public = True
    response.cache_control.max_age = 3600
    return response


# --- admins: the records -------------------------------------------------------------------


def _merge_form(org: Organisation, everyone: list[Organisation]) -> MergeForm:
    form = MergeForm()
    form.into.choices = [SelectChoice(o.id, o.name) for o in everyone if o.id != org.id]
    return form


def _admin_page(form: OrganisationForm, status: int = 200):
    page = render_template(
        "network/admin.html", form=form, organisations=services.admin_listing(), kinds=KINDS
    )
    return page, status


def _edit_page(form: OrganisationForm, org: Organisation, status: int = 200):
    merge = _merge_form(org, services.admin_listing())
    return render_template("network/admin_edit.html", form=form, org=org, merge=merge), status


@bp.route("/admin/organisations", methods=["GET", "POST"])
@admin_required
def admin_organisations():
    form = OrganisationForm()
    if form.validate_on_submit():
        try:
            org = services.create_organisation(**form.values())
        except DomainError as exc:
            attach_to_form(form, exc)
            return _admin_page(form, exc.status_code)
        db.session.commit()
        flash(_("The organisation was added."), "success")
        return redirect(url_for("network.admin_organisation", org_id=org.id))
    return _admin_page(form, 400 if form.errors else 200)


@bp.route("/admin/organisations/<int:org_id>", methods=["GET", "POST"])
@admin_required
def admin_organisation(org_id: int):
    org = db.get_or_404(Organisation, org_id)
    names = {row.language: row.name for row in org.translations}
    form = OrganisationForm(
        obj=org, **{f"name_{lang}": names.get(lang, "") for lang in ("fr", "de", "sl")}
    )
    if form.validate_on_submit():
        try:
            services.update_organisation(org, **form.values())
        except DomainError as exc:
            attach_to_form(form, exc)
            return _edit_page(form, org, exc.status_code)
        db.session.commit()
        flash(_("The organisation was saved."), "success")
        return redirect(url_for("network.admin_organisation", org_id=org.id))
    return _edit_page(form, org, 400 if form.errors else 200)


@bp.post("/admin/organisations/<int:org_id>/merge")
@admin_required
def admin_merge(org_id: int):
    gone = db.get_or_404(Organisation, org_id)
    form = _merge_form(gone, services.admin_listing())
    if not form.validate_on_submit():
        abort(400)
    keep = db.get_or_404(Organisation, form.into.data)
    try:
        services.merge(keep, gone)
    except DomainError as exc:
        abort(exc.status_code, exc.message)
    db.session.commit()
    flash(_("The organisations were merged."), "success")
    return redirect(url_for("network.admin_organisation", org_id=keep.id))


# --- organizers: an event's co-organisers ---------------------------------------------------


@bp.route("/events/manage/<int:event_id>/organisations", methods=["GET", "POST"])
@organizer_required
def event_organisations(event_id: int):
    event = db.get_or_404(Event, event_id)
    if not event_services.can_manage(current_user, event):
        abort(403)
    form = CoOrganisersForm()
    confirmed = services.confirmed_organisations()
    form.organisations.choices = [SelectChoice(o.id, translated(o, "name").text) for o in confirmed]
    if request.method == "GET":
        form.organisations.data = [o.id for o in services.co_organisers(event.id)]
    if form.validate_on_submit():
        services.set_co_organisers(event, form.organisations.data or [])
        db.session.commit()
        flash(_("The co-organisers were saved."), "success")
        return redirect(url_for("network.event_organisations", event_id=event.id))
    status = 400 if form.errors else 200
    return render_template("network/event_organisations.html", form=form, event=event), status


# -- topic subscriptions and digests --------------------------------------------------------


def _subscribe_limit_message() -> str:
    return _("Too many subscriptions from your network. Please try again later.")


def _guest_subscribe_key() -> str:
    return f"guest-subscribe:{request.remote_addr}"


@bp.route("/members/me/subscriptions", methods=["GET", "POST"])
@login_required
def my_subscriptions():
    member = current_user._get_current_object()
    subscription = digests.member_subscription(member.id)
    topics = digests.topic_choices()
    if request.method == "GET":
        current = digests.choices_of(subscription)
        form = SubscriptionForm(
            formdata=None,
            frequency=current.frequency,
            topics=current.topic_ids,
            event_kinds=current.event_kinds,
            publication_kinds=current.publication_kinds,
        ).with_topics(topics)
        return render_template("network/subscriptions.html", form=form, subscription=subscription)
    form = SubscriptionForm().with_topics(topics)
    if form.validate_on_submit():
        try:
            digests.save_member_subscription(member, form.choices())
        except DomainError as exc:  # raised before anything changed
            attach_to_form(form, exc)
            return render_template(
                "network/subscriptions.html", form=form, subscription=subscription
            ), exc.status_code
        db.session.commit()
        flash(_("Your digest settings are saved."), "success")
        return redirect(url_for("network.my_subscriptions"))
    return render_template("network/subscriptions.html", form=form, subscription=subscription), 400


@bp.route("/subscriptions", methods=["GET", "POST"])
@limiter.limit(
    "10/hour",
    methods=["POST"],
    key_func=_guest_subscribe_key,
    error_message=_subscribe_limit_message,
)
def subscribe():
    """Guests subscribe here (double opt-in); members manage theirs on their account."""
    if current_user.is_authenticated:
        return redirect(url_for("network.my_subscriptions"))
    form = GuestSubscriptionForm().with_topics(digests.topic_choices())
    if request.method == "GET":
        form.event_kinds.data = list(form.event_kinds.data or []) or [
            c.value for c in form.event_kinds.choices
        ]
        form.publication_kinds.data = list(form.publication_kinds.data or []) or [
            c.value for c in form.publication_kinds.choices
        ]
        return render_template("network/subscribe.html", form=form, sent=False)
    if form.validate_on_submit():
        try:
            token = digests.request_guest_subscription(
                form.email.data, form.choices(), current_language(), form.timezone.data
            )
        except DomainError as exc:
            attach_to_form(form, exc)
            return render_template("network/subscribe.html", form=form, sent=False), 400
        # The same answer for any address; past the per-address cap no more mail goes out
        # (a link already sent works).
        email = normalize_email(form.email.data)
        if throttle.may_mail_link("subscribe", email):
            notifications.confirm_guest(email, current_language(), token)
            db.session.commit()
        return render_template("network/subscribe.html", form=None, sent=True)
    return render_template("network/subscribe.html", form=form, sent=False), 400


@bp.route("/subscriptions/confirm/<token>", methods=["GET", "POST"])
def confirm_subscription(token: str):
    """A guest's confirmation link: the page asks for a click (a mail scanner following
    the link confirms nothing), the POST saves the subscription."""
    try:
        data = digests.read_confirm_token(token)
    except DomainError as exc:
        return render_template("network/confirm.html", error=exc.message, done=False), 404
    if request.method == "POST":
        try:
            digests.confirm_guest_subscription(token)
        except DomainError as exc:  # raised before anything changed
            return render_template(
                "network/confirm.html", error=exc.message, done=False
            ), exc.status_code
        db.session.commit()
        return render_template("network/confirm.html", error=None, done=True, frequency=data["f"])
    return render_template("network/confirm.html", error=None, done=False, frequency=data.get("f"))


@bp.route("/subscriptions/unsubscribe/<token>", methods=["GET", "POST"])
@csrf.exempt  # RFC 8058: the mail client POSTs "List-Unsubscribe=One-Click", no session
def unsubscribe(token: str):
    """GET asks (a link prefetched by a mail scanner changes nothing); POST, from the page's
    button or from the mail client's one-click, unsubscribes. The token is the only key."""
    try:
        subscription = digests.subscription_for_token(token)
    except DomainError as exc:
        return render_template("network/unsubscribe.html", error=exc.message, state=None), 404
    if request.method == "GET":
        state = "ask" if subscription is not None and subscription.is_on else "gone"
        return render_template("network/unsubscribe.html", error=None, state=state)
    if subscription is not None:
        digests.unsubscribe(subscription)
        db.session.commit()
    return render_template("network/unsubscribe.html", error=None, state="done")
