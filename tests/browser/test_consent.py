"""Cookie consent in a real browser: nothing before the choice, the banner with and without
JavaScript, withdrawal, a member's choice on another device, accessibility, keyboard."""

from __future__ import annotations

import itertools

import pytest

from interacta.core.models import utcnow
from interacta.extensions import db as _db
from interacta.members.models import Member
from interacta.members.services import set_password
from tests.browser.conftest import axe_violations
from tests.fixtures.members import GOOD_PASSWORD

pytestmark = pytest.mark.browser

_seq = itertools.count(1)


def cookie_names(context) -> set[str]:
    return {c["name"] for c in context.cookies()}


def banner(page):
    return page.get_by_role("region", name="Do you agree to our use of cookies?")


def test_fresh_visitor_gets_no_cookie_and_sees_the_banner(live_server, context, page):
    page.goto(live_server + "/")
    assert banner(page).is_visible()
    assert context.cookies() == []
    page.goto(live_server + "/about")
    assert banner(page).is_visible()
    assert context.cookies() == []


def test_reject_all_closes_the_banner_without_reload_and_sets_nothing_new(
    live_server, context, page
):
    page.goto(live_server + "/about")
    page.evaluate("window.notReloaded = true")
    page.get_by_role("button", name="Reject all").click()
    banner(page).wait_for(state="hidden")
    assert page.evaluate("window.notReloaded") is True
    assert page.get_by_role("status").filter(has_text="saved").count() == 1
    assert cookie_names(context) == {"ia_consent"}  # the choice, in its own cookie
    page.goto(live_server + "/")
    assert banner(page).count() == 0
    assert cookie_names(context) == {"ia_consent"}


def test_accept_all_lets_the_visitor_cookie_appear_and_withdrawing_removes_it(
    live_server, context, page
):
    page.goto(live_server + "/")
    page.get_by_role("button", name="Accept all").click()
    banner(page).wait_for(state="hidden")
    page.goto(live_server + "/about")
    assert "ia_visitor" in cookie_names(context)
    page.get_by_role("link", name="Cookie Management").first.click()
    performance = page.get_by_role("switch", name="Allow performance cookies")
    assert performance.is_checked()
    performance.uncheck()
    page.get_by_role("button", name="Save my choices").click()
    page.get_by_text("Your cookie choice was saved.").wait_for()
    assert not page.get_by_role("switch", name="Allow performance cookies").is_checked()
    assert "ia_visitor" not in cookie_names(context)
    assert "ia_consent" in cookie_names(context)


def test_banner_works_without_javascript(live_server, browser):
    context = browser.new_context(java_script_enabled=False)
    try:
        page = context.new_page()
        page.goto(live_server + "/privacy")
        with page.expect_navigation():
            page.get_by_role("button", name="Accept all").click()
        assert page.url == live_server + "/privacy"
        assert page.get_by_text("Your cookie choice was saved.").is_visible()
        assert banner(page).count() == 0
        page.goto(live_server + "/about")
        assert {"ia_consent", "ia_visitor"} <= cookie_names(context)
    finally:
        context.close()


def sign_in(live_app, live_server, context, page, member_id: int) -> None:
    """Sign in through the real sign-in form."""
    with live_app.app_context():
        email = _db.session.get(Member, member_id).email
    page.goto(live_server + "/members/login")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(GOOD_PASSWORD)
    with page.expect_navigation():
        page.get_by_role("button", name="Sign in").click()


def test_members_choice_on_one_device_is_in_force_on_another(live_app, live_server, browser):
    with live_app.app_context():
        member = Member(
            email=f"device{next(_seq)}@example.org", name="Two Devices", email_verified_at=utcnow()
        )
        set_password(member, GOOD_PASSWORD)
        _db.session.add(member)
        _db.session.commit()
        member_id = member.id
    laptop, phone = browser.new_context(), browser.new_context()
    try:
        page = laptop.new_page()
        page.goto(live_server + "/")
        sign_in(live_app, live_server, laptop, page, member_id)
        page.goto(live_server + "/")
        page.get_by_role("button", name="Accept all").click()
        banner(page).wait_for(state="hidden")

        other = phone.new_page()
        other.goto(live_server + "/about")
        assert banner(other).is_visible()  # not signed in yet: the phone has no choice
        sign_in(live_app, live_server, phone, other, member_id)
        other.goto(live_server + "/about")
        assert banner(other).count() == 0
        assert "ia_visitor" in cookie_names(phone)
    finally:
        laptop.close()
        phone.close()


@pytest.mark.parametrize("path", ["/", "/cookies/preferences", "/cookies"])
def test_banner_and_cookie_pages_have_no_serious_accessibility_violations(live_server, page, path):
    page.goto(live_server + path)
    assert banner(page).is_visible()
    violations = axe_violations(page)
    assert violations == [], [(v["id"], v["help"]) for v in violations]


def test_banner_is_reachable_and_usable_by_keyboard(live_server, page):
    page.goto(live_server + "/about")
    names = []
    for _ in range(5):
        page.keyboard.press("Tab")
        names.append(page.evaluate("document.activeElement.textContent.trim()"))
    assert names == [
        "Skip to main content",
        "Find out more about cookies",
        "Accept all",
        "Reject all",
        "Choose",
    ]
    page.keyboard.press("Shift+Tab")
    page.keyboard.press("Enter")
    banner(page).wait_for(state="hidden")
    assert page.evaluate("document.activeElement.id") == "main"


def test_preferences_switches_work_by_keyboard(live_server, page):
    page.goto(live_server + "/cookies/preferences")
    switch = page.get_by_role("switch", name="Allow functionality cookies")
    switch.focus()
    page.keyboard.press("Space")
    assert switch.is_checked()
    page.get_by_role("button", name="Save my choices").focus()
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.get_by_role("switch", name="Allow functionality cookies").is_checked()
    assert banner(page).count() == 0


def test_policy_version_bump_brings_the_banner_back_with_the_choice_preselected(
    live_app, live_server, context, page
):
    page.goto(live_server + "/")
    page.get_by_role("button", name="Accept all").click()
    banner(page).wait_for(state="hidden")
    old = live_app.config["COOKIE_POLICY_VERSION"]
    live_app.config["COOKIE_POLICY_VERSION"] = old + 1
    try:
        page.goto(live_server + "/about")
        assert banner(page).is_visible()
        page.goto(live_server + "/cookies/preferences")
        assert page.get_by_role("switch", name="Allow performance cookies").is_checked()
    finally:
        live_app.config["COOKIE_POLICY_VERSION"] = old


def test_twelve_month_old_acceptance_brings_the_banner_back(live_app, live_server, browser):
    from datetime import timedelta

    import sqlalchemy as sa

    from interacta.consent.models import ConsentChoice

    with live_app.app_context():
        member = Member(
            email=f"expiry{next(_seq)}@example.org", name="Old Choice", email_verified_at=utcnow()
        )
        set_password(member, GOOD_PASSWORD)
        _db.session.add(member)
        _db.session.commit()
        member_id = member.id
    context = browser.new_context()
    try:
        page = context.new_page()
        sign_in(live_app, live_server, context, page, member_id)
        page.get_by_role("button", name="Accept all").click()
        banner(page).wait_for(state="hidden")
        page.goto(live_server + "/about")
        assert banner(page).count() == 0
        with live_app.app_context():
            _db.session.execute(
                sa.update(ConsentChoice)
                .where(ConsentChoice.member_id == member_id)
                .values(chosen_at=utcnow() - timedelta(days=366))
            )
            _db.session.commit()
        page.goto(live_server + "/about")
        assert banner(page).is_visible()
    finally:
        context.close()


def test_global_privacy_control_is_honoured_in_the_browser(live_server, browser):
    context = browser.new_context(extra_http_headers={"Sec-GPC": "1"})
    try:
        page = context.new_page()
        page.goto(live_server + "/")
        assert banner(page).count() == 0
        assert "ia_visitor" not in cookie_names(context)
        page.goto(live_server + "/cookies/preferences")
        assert "Global Privacy Control signal, and we honoured it" in page.inner_text("main")
        assert not page.get_by_role("switch", name="Allow performance cookies").is_checked()
    finally:
        context.close()


def test_sign_in_after_a_cookie_choice_ends_with_the_browser(live_app, live_server, browser):
    import time

    with live_app.app_context():
        member = Member(
            email=f"closing{next(_seq)}@example.org", name="Closes", email_verified_at=utcnow()
        )
        set_password(member, GOOD_PASSWORD)
        _db.session.add(member)
        _db.session.commit()
        member_id = member.id
    context = browser.new_context()
    try:
        page = context.new_page()
        page.goto(live_server + "/")
        page.get_by_role("button", name="Accept all").click()
        banner(page).wait_for(state="hidden")
        sign_in(live_app, live_server, context, page, member_id)
        cookies = {c["name"]: c for c in context.cookies()}
        assert cookies["session"]["expires"] == -1  # ends when the browser closes
        assert cookies["ia_consent"]["expires"] > time.time() + 300 * 86400
        assert "remember_token" not in cookies
    finally:
        context.close()
