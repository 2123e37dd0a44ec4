"""Password rules and storage."""

from __future__ import annotations

import pytest

from interacta.members import services
from interacta.members.passwords import common_passwords, password_problem


def test_the_shipped_list_holds_the_10000_most_common_passwords():
    common = common_passwords()
    assert len(common) == 10_000
    assert {"123456", "password", "qwerty", "letmein"} <= common


@pytest.mark.parametrize(
    "password, problem",
    [
        ("x" * 11, "at least 12"),
        ("x" * 129, "at most 128"),
        ("qwerty123456", "most common"),
        ("QWERTY123456", "most common"),
        ("1qaz2wsx3edc", "most common"),
    ],
)
def test_weak_passwords_are_refused(password, problem):
    assert problem in password_problem(password)


@pytest.mark.parametrize("password", ["x" * 12, "correct horse battery staple", "é" * 128])
def test_long_uncommon_passwords_need_no_composition_rules(password):
    assert password_problem(password) is None


def test_passwords_are_stored_with_argon2id(db, make_member):
    member = make_member(password="correct horse battery staple")
    assert member.password_hash.startswith("$argon2id$")
    assert "correct horse" not in member.password_hash
    assert services.check_password(member, "correct horse battery staple")
    assert not services.check_password(member, "correct horse battery stapler")
