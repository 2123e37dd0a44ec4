"""Password rules and hashing: argon2id, 12 to 128 characters, none of the most common."""

from __future__ import annotations

import hashlib
from functools import lru_cache
from pathlib import Path

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import current_app
from flask_babel import gettext as _

MIN_LENGTH = 12
MAX_LENGTH = 128
_LIST = Path(__file__).parent / "data" / "common_passwords.txt"


@lru_cache(maxsize=1)
def common_passwords() -> frozenset[str]:
    """The 10,000 most common passwords, lower case (see the header of the list file)."""
    lines = _LIST.read_text(encoding="utf-8").splitlines()
    return frozenset(line for line in lines if line and not line.startswith("#"))


def password_problem(password: str) -> str | None:
    """Why `password` is not acceptable, or None when it is."""
    if len(password) < MIN_LENGTH:
        return _("Use at least %(count)d characters.", count=MIN_LENGTH)
    if len(password) > MAX_LENGTH:
        return _("Use at most %(count)d characters.", count=MAX_LENGTH)
    if password.lower() in common_passwords() or password.strip().lower() in common_passwords():
        return _("This password is one of the most common ones. Please choose another.")
    return None


def hasher() -> PasswordHasher:
    """argon2id with the parameters configured for this app (lighter in tests)."""
    config = current_app.config
    return PasswordHasher(
        time_cost=config.get("PASSWORD_HASH_TIME_COST", 3),
        memory_cost=config.get("PASSWORD_HASH_MEMORY_COST", 65536),
        parallelism=config.get("PASSWORD_HASH_PARALLELISM", 4),
    )


def hash_password(password: str) -> str:
    return hasher().hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    if not password_hash:
        # Spend the same time as a real check, so a missing account is not noticeable.
        burn_time(password)
        return False
    try:
        return hasher().verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    try:
        return hasher().check_needs_rehash(password_hash)
    except InvalidHashError:
        return True


def burn_time(password: str) -> None:
    """Hash once and throw it away (constant work on paths that do not hash)."""
    hasher().hash(password or "x")


def fingerprint(password_hash: str | None) -> str:
    """A short digest of the stored hash: tokens carrying it die when the password changes."""
    return hashlib.sha256((password_hash or "").encode()).hexdigest()[:16]
