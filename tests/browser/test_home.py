"""The home page in a real browser: keyboard navigation and accessibility."""

import pytest

from tests.browser.conftest import axe_violations

pytestmark = pytest.mark.browser


def test_home_page_navigation_works_by_keyboard(live_server, page):
    page.goto(live_server + "/")
    assert "Unity of aim" in page.inner_text("h1")
    # The first Tab reaches the skip link, which moves focus to the main content.
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == "Skip to main content"
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"
    # Tab through the main navigation until "Publications", then follow it with Enter.
    page.goto(live_server + "/")
    # (past the cookie banner's buttons and the language switcher)
    for _ in range(20):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.textContent.trim()") == "Publications":
            break
    else:
        pytest.fail("the Publications link is not reachable by keyboard")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.url == live_server + "/publications/"
    assert page.inner_text("h1") == "Publications"


@pytest.mark.parametrize("path", ["/", "/about", "/privacy", "/no-such-page"])
def test_pages_have_no_serious_accessibility_violations(live_server, page, path):
    page.goto(live_server + path)
    violations = axe_violations(page)
    assert violations == [], [(v["id"], v["help"]) for v in violations]


def test_home_page_works_at_320px_wide(live_server, browser):
    context = browser.new_context(viewport={"width": 320, "height": 640})
    page = context.new_page()
    page.goto(live_server + "/")
    # Nothing overflows sideways.
    assert page.evaluate("document.documentElement.scrollWidth") <= 320
    context.close()
