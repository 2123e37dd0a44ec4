"""Members in a real browser: join, confirm from the dev mailbox, sign in, edit the profile."""

from __future__ import annotations

import pytest

from tests.browser.conftest import axe_violations

pytestmark = pytest.mark.browser

PASSWORD = "correct horse battery staple"


def test_join_verify_sign_in_and_edit_profile(live_server, page):
    page.goto(live_server + "/members/join")
    violations = axe_violations(page)
    assert violations == [], [(v["id"], v["help"]) for v in violations]

    page.get_by_label("Name", exact=True).fill("Brigita Browser")
    page.get_by_label("Email address").fill("brigita@example.org")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_label("Organisation").fill("Civil Protection Slovenia")
    page.get_by_label("Sector").select_option("government")
    page.get_by_label("Country").select_option("SI")
    page.get_by_label("Disaster management and humanitarian assistance").check()
    page.get_by_label("I have read the privacy notice").check()
    page.get_by_role("button", name="Join").click()
    assert page.inner_text("h1") == "Check your mail"

    page.goto(live_server + "/dev/mailbox")
    page.get_by_role("link", name="Interacta: please confirm your email address").first.click()
    assert "brigita@example.org" in page.inner_text("dl")
    page.locator("pre.mail-text a[href*='/members/verify/']").click()
    assert page.inner_text("h1") == "Sign in"
    assert "your email address is confirmed" in page.inner_text(".flashes")

    page.get_by_label("Email address").fill("brigita@example.org")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    assert page.inner_text("h1") == "My account"

    page.get_by_label("About you").fill("I coordinate flood response exercises.")
    page.get_by_label("ORCID iD").fill("0000-0002-1825-0097")
    page.get_by_label("Time zone").select_option("Europe/Ljubljana")
    page.get_by_label("Show me in the member directory").check()
    page.get_by_role("button", name="Save profile").click()
    assert "Your profile has been saved." in page.inner_text(".flashes")
    assert page.get_by_label("Time zone").input_value() == "Europe/Ljubljana"

    page.goto(live_server + "/members/")
    assert "Brigita Browser" in page.inner_text("main")
    assert "brigita@example.org" not in page.content()

    # Signed out: the page the sign-out leads to offers joining again (waited for: the
    # check right after the click could read the page being left; it failed once so).
    page.get_by_role("button", name="Sign out").click()
    page.get_by_role("link", name="Members / Join").wait_for(state="visible", timeout=10_000)
    assert page.get_by_role("link", name="My account").count() == 0


@pytest.fixture
def admin_in_live_db(live_app):
    """A verified admin with PASSWORD in the live server's database."""
    import sqlalchemy as sa

    from interacta.core.models import utcnow
    from interacta.extensions import db
    from interacta.members import services
    from interacta.members.models import Member

    with live_app.app_context():
        email = "axe-admin@example.org"
        if db.session.scalar(sa.select(Member).where(Member.email == email)) is None:
            member = Member(
                email=email,
                name="Axe Admin",
                role="admin",
                email_verified_at=utcnow(),
                show_in_directory=True,
                sector="academia",
                country="SI",
            )
            services.set_password(member, PASSWORD)
            db.session.add(member)
            db.session.commit()
        db.session.remove()
    return email


@pytest.mark.parametrize(
    "path",
    [
        "/members/me",
        "/members/",
        "/members/admin",
        "/members/me/delete",
        "/members/me/record",
        "/members/me/subscriptions",
    ],
)
def test_member_pages_have_no_serious_accessibility_violations(
    live_server, page, admin_in_live_db, path
):
    page.goto(live_server + "/members/login")
    page.get_by_label("Email address").fill(admin_in_live_db)
    page.get_by_label("Password").fill(PASSWORD)
    with page.expect_navigation():  # signed in before the next page is asked for
        page.get_by_role("button", name="Sign in").click()
    page.goto(live_server + path)
    violations = axe_violations(page)
    assert violations == [], [(v["id"], v["help"]) for v in violations]


@pytest.mark.parametrize(
    "path",
    [
        "/members/login",
        "/members/reset",
        "/members/resend",
        "/credentials/issuer",
        "/subscriptions",
    ],
)
def test_visitor_member_pages_have_no_serious_accessibility_violations(live_server, page, path):
    page.goto(live_server + path)
    violations = axe_violations(page)
    assert violations == [], [(v["id"], v["help"]) for v in violations]


@pytest.fixture
def remembered_member(live_app):
    """A verified member with PASSWORD in the live server's database (made once)."""
    import sqlalchemy as sa

    from interacta.core.models import utcnow
    from interacta.extensions import db
    from interacta.members import services
    from interacta.members.models import Member

    email = "remembered@example.org"
    with live_app.app_context():
        if db.session.scalar(sa.select(Member).where(Member.email == email)) is None:
            member = Member(email=email, name="Rita Remembered", email_verified_at=utcnow())
            services.set_password(member, PASSWORD)
            db.session.add(member)
            db.session.commit()
        db.session.remove()
    return email


def test_a_remembered_browser_is_asked_for_the_password_before_a_password_change(
    live_server, context, page, remembered_member
):
    page.goto(live_server + "/members/login")
    page.get_by_label("Email address").fill(remembered_member)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_label("Keep me signed in on this device").check()
    page.get_by_role("button", name="Sign in").click()
    assert page.inner_text("h1") == "My account"
    # Let the page's own requests finish: one sent after the session cookie is gone would
    # restore a session of its own, and the last cookie set wins.
    page.wait_for_load_state("networkidle")
    context.clear_cookies(name="session")  # the browser was closed and opened again

    page.goto(live_server + "/members/me")
    assert page.inner_text("h1") == "My account"  # kept signed in
    assert "We will ask for your password first" in page.inner_text("#password-title + p")
    violations = axe_violations(page)
    assert violations == [], [(v["id"], v["help"]) for v in violations]

    new_password = "a brand new passphrase"
    page.get_by_label("Current password").last.fill(PASSWORD)
    page.get_by_label("New password").fill(new_password)
    page.get_by_role("button", name="Change password").click()
    assert page.inner_text("h1") == "Confirm your password"
    assert "please enter your password again" in page.inner_text(".flashes")
    violations = axe_violations(page)
    assert violations == [], [(v["id"], v["help"]) for v in violations]

    page.get_by_label("Your password").fill("not my password")
    page.get_by_role("button", name="Continue").click()
    assert "This password is not correct" in page.inner_text("main")
    page.get_by_label("Your password").fill(PASSWORD)
    page.get_by_role("button", name="Continue").click()
    assert page.url.endswith("/members/me#password-title")
    assert "without being asked for it first" in page.inner_text("#password-title + p")

    page.get_by_label("Current password").last.fill(PASSWORD)
    page.get_by_label("New password").fill(new_password)
    page.get_by_role("button", name="Change password").click()
    assert "Your password has been changed." in page.inner_text(".flashes")
    page.wait_for_load_state("networkidle")
