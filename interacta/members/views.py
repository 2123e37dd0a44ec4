"""Views of the members blueprint: parse, call a service, commit once, render."""

from __future__ import annotations

import json
import logging

import sqlalchemy as sa
from flask import (
    Response,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_login import (
    confirm_login,
    current_user,
    fresh_login_required,
    login_user,
    logout_user,
)
from sqlalchemy.orm import joinedload

from interacta.core.auth import admin_required, login_required, safe_next
from interacta.core.cache import cached_page
from interacta.core.errors import DomainError, attach_to_form
from interacta.core.i18n import current_language, in_language
from interacta.core.models import Topic, utcnow
from interacta.core.pagination import list_args, page_arg, query_params
from interacta.core.registry import export_member_data, related_sections
from interacta.core.securitylog import security_event
from interacta.core.text import normalize_email
from interacta.core.topics import topic_rows
from interacta.extensions import db, limiter
from interacta.members import bp, forms, freshness, services, sessions, throttle, tokens
from interacta.members.countries import country_choices
from interacta.members.models import ROLE_LABELS, ROLES, SECTORS, AuditLog, Member

logger = logging.getLogger(__name__)

DIRECTORY_PER_PAGE = 20
ADMIN_PER_PAGE = 50


# -- helpers ---------------------------------------------------------------------------------


def _signed_in_member_key() -> str:
    """Rate-limit key: the signed-in account (re-authentication guesses its password)."""
    member_id = current_user.get_id() if current_user.is_authenticated else None
    return "member:" + (member_id.partition(":")[0] if member_id else request.remote_addr or "-")


def _show_error(form, exc: DomainError) -> None:
    """A rule's message beside its field, or above the form."""
    if not attach_to_form(form, exc):
        form.form_errors.append(exc.message)


def _password_checked_change(form, change) -> bool:
    """Run `change()`, a service that checks the password typed in `form`, and commit,
    whether it passed or not (a rehashed password is worth keeping). False, with the rule's
    message on the form, when it did not pass."""
    try:
        change()
    except DomainError as exc:
        db.session.commit()
        _show_error(form, exc)
        return False
    db.session.commit()
    return True


def _invalid_link(exc: tokens.TokenError, *, resend: bool = False):
    expired = isinstance(exc, tokens.TokenExpired)
    html = render_template(
        "members/link_invalid.html", message=str(exc), expired=expired, resend=resend
    )
    return html, 400


def _login_limit_message() -> str:
    """The 429 page of too many sign-in attempts (Flask-Limiter calls it then)."""
    return _("Too many sign-in attempts. Please wait a few minutes and try again.")


#: Attempts at a password, at sign-in and at re-authentication alike: per IP, and per account
#: from one client (others cannot lock the owner out: see throttle.py).
SIGN_IN_LIMIT_PER_IP = "20/minute"
SIGN_IN_LIMIT_PER_ACCOUNT = "5/minute;30/day"


def _limit_message() -> str:
    """The 429 page of too many requests of one kind (Flask-Limiter calls it then)."""
    return _("You have tried this too often. Please wait an hour and try again.")


def _post_limits(
    per_client: str,
    per_account: str,
    *,
    account_key=throttle.form_email_and_client_key,
    message=_limit_message,
):
    """Two limits on a form's POSTs: per client (IP), and per account from one client
    (`account_key`; others cannot lock the owner out: see throttle.py)."""

    def decorate(view):
        view = limiter.limit(
            per_account, methods=["POST"], key_func=account_key, error_message=message
        )(view)
        return limiter.limit(per_client, methods=["POST"], error_message=message)(view)

    return decorate


def _mail_a_link(purpose: str, send, template: str):
    """Ask for an address, mail it a link (``send(email)``), say "sent" whatever it is.

    Whoever else asks for this address, its owner can still ask: past the cap they get the
    same answer, and a link already in their mailbox works.
    """
    form = forms.EmailOnlyForm()
    if form.validate_on_submit():
        if throttle.may_mail_link(purpose, form.email.data):
            send(form.email.data)
            db.session.commit()
        return render_template(template, form=None, sent=True)
    return render_template(template, form=form, sent=False)


def _join_limit_message() -> str:
    return _("Too many sign-ups from your network. Please try again later.")


# -- joining ---------------------------------------------------------------------------------


@bp.route("/join", methods=["GET", "POST"])
@limiter.limit(
    "10/hour",
    methods=["POST"],
    error_message=_join_limit_message,
)
def join():
    if current_user.is_authenticated:
        return redirect(url_for("members.me"))
    form = forms.JoinForm(topics=topic_rows())
    if form.validate_on_submit():
        if form.website.data:
            logger.info("join: honeypot filled in, ignored")
            return redirect(url_for("members.join_sent"))
        services.join(
            name=form.name.data,
            email=form.email.data,
            password=form.password.data,
            affiliation=form.affiliation.data,
            sector=form.sector.data,
            country=form.country.data,
            interest_ids=form.interests.data,
            show_in_directory=form.show_in_directory.data,
            language=current_language(),
        )
        db.session.commit()
        return redirect(url_for("members.join_sent"))
    return render_template("members/join.html", form=form), 400 if form.errors else 200


@bp.get("/join/sent")
def join_sent():
    return render_template("members/join_sent.html")


@bp.get("/verify/<token>")
def verify(token: str):
    try:
        services.verify_email(token)
    except tokens.TokenError as exc:
        return _invalid_link(exc, resend=True)
    db.session.commit()
    flash(_("Thank you: your email address is confirmed. You can sign in now."), "success")
    return redirect(url_for("members.login"))


@bp.route("/resend", methods=["GET", "POST"])
@_post_limits("5/hour", "3/hour")
def resend():
    return _mail_a_link("verify", services.resend_verification, "members/resend.html")


# -- signing in and out ------------------------------------------------------------------------


@bp.route("/login", methods=["GET", "POST"])
@_post_limits(SIGN_IN_LIMIT_PER_IP, SIGN_IN_LIMIT_PER_ACCOUNT, message=_login_limit_message)
def login():
    next_url = safe_next(request.args.get("next"))
    if current_user.is_authenticated:
        return redirect(next_url or url_for("members.me"))
    form = forms.LoginForm()
    error = unverified = None
    if form.validate_on_submit():
        throttle.slow_down_if_targeted(form.email.data)
        try:
            member = services.authenticate(form.email.data, form.password.data)
        except services.NotVerified:
            db.session.commit()  # a rehashed password is worth keeping
            security_event("signin_failed", email=form.email.data, reason="not_verified")
            unverified = True
        except services.LoginFailed as exc:
            db.session.commit()
            throttle.failed_sign_in(form.email.data)
            security_event("signin_failed", email=form.email.data, reason="bad_credentials")
            error = str(exc)
        else:
            sessions.start_fresh()
            login_user(member, remember=form.remember.data)
            freshness.password_entered()
            db.session.commit()
            security_event(
                "signin_success", logging.INFO, email=form.email.data, signed_in_member=member.id
            )
            # The member lands in their own language, wherever they signed in.
            return redirect(in_language(next_url or url_for("members.me"), member.language))
    status = 400 if (error or unverified or form.errors) else 200
    return (
        render_template(
            "members/login.html", form=form, error=error, unverified=unverified, next=next_url
        ),
        status,
    )


@bp.post("/logout")
def logout():
    if current_user.is_authenticated:
        security_event("signout", logging.INFO)
        # Copies of this session or its remember cookie must not work after sign-out.
        current_user.rotate_session_token()
        db.session.commit()
    logout_user()
    sessions.start_fresh()
    flash(_("You have signed out."), "info")
    return redirect(url_for("pages.home"))


@bp.route("/reauthenticate", methods=["GET", "POST"])
@login_required
@_post_limits(
    SIGN_IN_LIMIT_PER_IP,
    SIGN_IN_LIMIT_PER_ACCOUNT,
    account_key=_signed_in_member_key,
    message=_login_limit_message,
)
def reauthenticate():
    """Ask a signed-in member for their password again (Flask-Login's refresh view)."""
    next_url = safe_next(request.args.get("next")) or url_for("members.me")
    if freshness.fresh_until() is not None:
        return redirect(next_url)  # e.g. a second tab, after the first one confirmed
    form = forms.ConfirmPasswordForm()
    if form.validate_on_submit():
        member = current_user._get_current_object()
        if services.check_password(member, form.password.data):
            confirm_login()
            freshness.password_entered()
            db.session.commit()  # a rehashed password is worth keeping
            security_event("reauth_success", logging.INFO)
            return redirect(next_url)
        security_event("reauth_failed", reason="bad_password")
        form.password.errors.append(_("This password is not correct. Please try again."))
    status = 400 if form.errors else 200
    return render_template("members/reauthenticate.html", form=form, next=next_url), status


@bp.route("/me/sign-out-others", methods=["GET", "POST"])
@fresh_login_required
def sign_out_others():
    """Sign out every other session and remember cookie; this one stays signed in."""
    if request.method == "GET":  # back from re-authentication: the form is on the account page
        return redirect(url_for("members.me", _anchor="others-title"))
    member = current_user._get_current_object()
    member.rotate_session_token()
    db.session.commit()
    security_event("signout_others", logging.INFO)
    sessions.sign_in_again(member, password_typed_at=freshness.entered_at())
    db.session.commit()  # the cookie choice merged at sign-in
    flash(_("You are now signed out everywhere else."), "success")
    return redirect(url_for("members.me"))


# -- password reset ----------------------------------------------------------------------------


@bp.route("/reset", methods=["GET", "POST"])
@_post_limits("10/hour", "3/hour")
def reset_request():
    return _mail_a_link("reset", services.request_password_reset, "members/reset_request.html")


@bp.route("/reset/<token>", methods=["GET", "POST"])
@limiter.limit("10/hour", methods=["POST"], error_message=_limit_message)
def reset_password(token: str):
    try:
        services.member_for_reset(token)
    except tokens.TokenError as exc:
        return _invalid_link(exc)
    form = forms.NewPasswordForm()
    if form.validate_on_submit():
        services.reset_password(token, form.password.data)
        db.session.commit()
        flash(_("Your password has been changed. You can sign in with it now."), "success")
        return redirect(url_for("members.login"))
    return render_template("members/reset_password.html", form=form), 400 if form.errors else 200


# -- profile -----------------------------------------------------------------------------------


def _render_me(profile=None, email_form=None, password_form=None, status=200):
    topics = topic_rows()
    if profile is None:
        profile = forms.ProfileForm(obj=current_user, topics=topics, prefix="profile")
        profile.interests.data = [t.id for t in current_user.interests]
    return (
        render_template(
            "members/me.html",
            profile=profile,
            email_form=email_form or forms.ChangeEmailForm(prefix="email"),
            password_form=password_form or forms.ChangePasswordForm(prefix="pw"),
            fresh_until=freshness.fresh_until(),
            fresh_minutes=current_app.config["FRESH_LOGIN_MINUTES"],
            related=related_sections("member", current_user),
        ),
        status,
    )


@bp.route("/me", methods=["GET", "POST"])
@login_required
def me():
    if request.method == "GET":
        return _render_me()
    profile = forms.ProfileForm(topics=topic_rows(), prefix="profile")
    if profile.validate_on_submit():
        try:
            services.update_profile(
                current_user,
                name=profile.name.data,
                affiliation=profile.affiliation.data,
                sector=profile.sector.data,
                country=profile.country.data,
                interest_ids=profile.interests.data,
                bio=profile.bio.data,
                orcid=profile.orcid.data,
                timezone=profile.timezone.data,
                show_in_directory=profile.show_in_directory.data,
                language=profile.language.data or None,
            )
        except DomainError as exc:
            _show_error(profile, exc)
        else:
            db.session.commit()
            flash(_("Your profile has been saved."), "success")
            return redirect(url_for("members.me"))
    return _render_me(profile=profile, status=400)


@bp.route("/me/email", methods=["GET", "POST"])
@fresh_login_required
@limiter.limit("10/hour", methods=["POST"], error_message=_limit_message)
def change_email():
    if request.method == "GET":  # back from re-authentication: the form is on the account page
        return redirect(url_for("members.me", _anchor="email-title"))
    form = forms.ChangeEmailForm(prefix="email")
    if form.validate_on_submit() and _password_checked_change(
        form,
        lambda: services.request_email_change(
            current_user, form.new_email.data, form.password.data
        ),
    ):
        flash(
            _(
                "We sent a link to %(address)s. Your address changes once you open it.",
                address=normalize_email(form.new_email.data),
            ),
            "info",
        )
        return redirect(url_for("members.me"))
    return _render_me(email_form=form, status=400)


@bp.get("/confirm-email/<token>")
def confirm_email(token: str):
    try:
        services.confirm_email_change(token)
    except tokens.TokenError as exc:
        return _invalid_link(exc)
    db.session.commit()
    flash(_("Your new email address is confirmed."), "success")
    return redirect(url_for("members.me" if current_user.is_authenticated else "members.login"))


@bp.route("/me/password", methods=["GET", "POST"])
@fresh_login_required
@limiter.limit("10/hour", methods=["POST"], error_message=_limit_message)
def change_password():
    if request.method == "GET":  # back from re-authentication: the form is on the account page
        return redirect(url_for("members.me", _anchor="password-title"))
    form = forms.ChangePasswordForm(prefix="pw")
    if form.validate_on_submit() and _password_checked_change(
        form, lambda: services.change_password(current_user, form.current.data, form.new.data)
    ):
        # Other sessions end with the old password; this one carries on.
        sessions.keep_signed_in(current_user)
        flash(_("Your password has been changed."), "success")
        return redirect(url_for("members.me"))
    return _render_me(password_form=form, status=400)


# -- data rights ---------------------------------------------------------------------------------


@bp.get("/me/export")
@fresh_login_required  # everything we hold on the member: not for a left-open browser
def export():
    data = {
        "exported_at": utcnow().isoformat(),
        "member_id": current_user.id,
        **export_member_data(current_user),
    }
    body = json.dumps(data, indent=2, ensure_ascii=False, default=str)
    filename = f"interacta-my-data-{utcnow():%Y-%m-%d}.json"
    return Response(
        body,
        mimetype="application/json",
        headers={
            "Content-Disposition": f'attachment; filename="{filename}"',
            "Cache-Control": "no-store",
        },
    )


@bp.route("/me/delete", methods=["GET", "POST"])
@login_required
@limiter.limit("10/hour", methods=["POST"], error_message=_limit_message)
def delete():
    form = forms.ConfirmPasswordForm()
    if form.validate_on_submit():
        try:
            services.erase_account(current_user._get_current_object(), form.password.data)
        except DomainError as exc:
            _show_error(form, exc)
        else:
            db.session.commit()
            logout_user()
            sessions.start_fresh()
            return redirect(url_for("members.deleted"))
    status = 400 if form.errors else 200
    return render_template("members/delete.html", form=form), status


@bp.get("/deleted")
def deleted():
    return render_template("members/deleted.html")


# -- directory ----------------------------------------------------------------------------------


@bp.get("/")
@login_required
@cached_page(Member, Topic, params=("sector", "country", "topic", "q", "page"))
@query_params("sector", "country", "topic", "q", "page")
def directory():
    sector = request.args.get("sector") or None
    country = request.args.get("country") or None
    topic = request.args.get("topic") or None
    q = (request.args.get("q") or "").strip()[:100] or None
    pagination = services.directory_page(
        sector=sector,
        country=country,
        topic=topic,
        q=q,
        page=page_arg(),
        per_page=DIRECTORY_PER_PAGE,
    )
    return render_template(
        "members/directory.html",
        pagination=pagination,
        members=pagination.items,
        topics=[(topic.slug, topic.name) for topic in topic_rows()],
        sectors=SECTORS,
        countries=country_choices(),
        filters={"sector": sector, "country": country, "topic": topic, "q": q},
        charts=services.network_charts(),
    )


# -- administration -----------------------------------------------------------------------------


@bp.get("/admin")
@admin_required
@query_params("q", "page")
def admin():
    q = (request.args.get("q") or "").strip()[:100]
    query = sa.select(Member).where(Member.erased_at.is_(None)).order_by(Member.name, Member.id)
    if q:
        like = f"%{q.lower()}%"
        query = query.where(
            sa.or_(sa.func.lower(Member.name).like(like), sa.func.lower(Member.email).like(like))
        )
    pagination = db.paginate(query, page=page_arg(), per_page=ADMIN_PER_PAGE, error_out=False)
    log = db.session.scalars(
        sa.select(AuditLog)
        .options(joinedload(AuditLog.actor), joinedload(AuditLog.target))
        .order_by(AuditLog.id.desc())
        .limit(50)
    ).all()
    return render_template(
        "members/admin.html",
        pagination=pagination,
        members=pagination.items,
        q=q,
        roles=ROLES,
        role_labels=ROLE_LABELS,
        log=log,
        form=forms.EmptyForm(),
    )


def _role_changed(member: Member) -> str:
    if member.role == "admin":
        return _("%(name)s is now admin.", name=member.name)
    if member.role == "organizer":
        return _("%(name)s is now organizer.", name=member.name)
    return _("%(name)s is now member.", name=member.name)


@bp.post("/admin/<int:member_id>/role")
@admin_required
def admin_role(member_id: int):
    member = db.get_or_404(Member, member_id)
    form = forms.RoleForm()
    if not form.validate_on_submit():
        abort(400)
    services.set_role(member, form.role.data, actor=current_user)
    db.session.commit()
    flash(_role_changed(member), "success")
    return redirect(url_for("members.admin", **list_args("members.admin")))


@bp.post("/admin/<int:member_id>/active")
@admin_required
def admin_active(member_id: int):
    member = db.get_or_404(Member, member_id)
    form = forms.EmptyForm()
    if not form.validate_on_submit():
        abort(400)
    active = request.form.get("active") == "1"
    services.set_active(member, active, actor=current_user)
    db.session.commit()
    if active:
        flash(_("%(name)s is active again.", name=member.name), "success")
    else:
        flash(_("%(name)s is deactivated.", name=member.name), "success")
    return redirect(url_for("members.admin", **list_args("members.admin")))
