"""The mails of the members blueprint (queued in the outbox, sent after commit).

Each goes out in the member's language (`Member.language`): subject, body, dates and the
links in it, which lead to pages in that language."""

from __future__ import annotations

from flask_babel import gettext as _

from interacta.core.i18n import force_locale
from interacta.core.mail import queue_mail
from interacta.core.urls import external_url
from interacta.members import tokens
from interacta.members.models import Member
from interacta.members.passwords import fingerprint


def verification(member: Member) -> None:
    token = tokens.make_token(tokens.VERIFY, {"m": member.id, "e": member.email})
    with force_locale(member.language):
        queue_mail(
            member.email,
            _("Interacta: please confirm your email address"),
            "members/mail/verify",
            member=member,
            link=external_url("members.verify", token=token),
        )


def already_registered(member: Member) -> None:
    with force_locale(member.language):
        queue_mail(
            member.email,
            _("Interacta: you already have an account"),
            "members/mail/already_registered",
            member=member,
            login_link=external_url("members.login"),
            reset_link=external_url("members.reset_request"),
        )


def password_reset(member: Member) -> None:
    token = tokens.make_token(
        tokens.RESET, {"m": member.id, "h": fingerprint(member.password_hash)}
    )
    with force_locale(member.language):
        queue_mail(
            member.email,
            _("Interacta: reset your password"),
            "members/mail/reset",
            member=member,
            link=external_url("members.reset_password", token=token),
        )


def password_changed(member: Member) -> None:
    with force_locale(member.language):
        queue_mail(
            member.email,
            _("Interacta: your password was changed"),
            "members/mail/password_changed",
            member=member,
            reset_link=external_url("members.reset_request"),
        )


def email_change_request(member: Member, new_email: str) -> None:
    token = tokens.email_change_token(member, new_email)
    with force_locale(member.language):
        queue_mail(
            new_email,
            _("Interacta: confirm your new email address"),
            "members/mail/email_change",
            member=member,
            new_email=new_email,
            link=external_url("members.confirm_email", token=token),
        )


def email_changed(member: Member, old_email: str) -> None:
    with force_locale(member.language):
        queue_mail(
            old_email,
            _("Interacta: your email address was changed"),
            "members/mail/email_changed",
            member=member,
            old_email=old_email,
            contact=None,
        )


def account_erased(name: str, email: str, language: str | None = None) -> None:
    with force_locale(language):
        queue_mail(
            email,
            _("Interacta: your account has been deleted"),
            "members/mail/erased",
            name=name,
            join_link=external_url("members.join"),
        )
