"""The mails of the members blueprint (queued in the outbox, sent after commit)."""

from __future__ import annotations

from interacta.core.mail import queue_mail
from interacta.core.urls import external_url
from interacta.members import tokens
from interacta.members.models import Member
from interacta.members.passwords import fingerprint


def verification(member: Member) -> None:
    token = tokens.make_token(tokens.VERIFY, {"m": member.id, "e": member.email})
    queue_mail(
        member.email,
        "Interacta: please confirm your email address",
        "members/mail/verify",
        member=member,
        link=external_url("members.verify", token=token),
    )


def already_registered(member: Member) -> None:
    queue_mail(
        member.email,
        "Interacta: you already have an account",
        "members/mail/already_registered",
        member=member,
        login_link=external_url("members.login"),
        reset_link=external_url("members.reset_request"),
    )


def password_reset(member: Member) -> None:
    token = tokens.make_token(
        tokens.RESET, {"m": member.id, "h": fingerprint(member.password_hash)}
    )
    queue_mail(
        member.email,
        "Interacta: reset your password",
        "members/mail/reset",
        member=member,
        link=external_url("members.reset_password", token=token),
    )


def password_changed(member: Member) -> None:
    queue_mail(
        member.email,
        "Interacta: your password was changed",
        "members/mail/password_changed",
        member=member,
        reset_link=external_url("members.reset_request"),
    )


def email_change_request(member: Member, new_email: str) -> None:
    token = tokens.email_change_token(member, new_email)
    queue_mail(
        new_email,
        "Interacta: confirm your new email address",
        "members/mail/email_change",
        member=member,
        new_email=new_email,
        link=external_url("members.confirm_email", token=token),
    )


def email_changed(member: Member, old_email: str) -> None:
    queue_mail(
        old_email,
        "Interacta: your email address was changed",
        "members/mail/email_changed",
        member=member,
        old_email=old_email,
        contact=None,
    )


def account_erased(name: str, email: str) -> None:
    queue_mail(
        email,
        "Interacta: your account has been deleted",
        "members/mail/erased",
        name=name,
        join_link=external_url("members.join"),
    )
