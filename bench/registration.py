#!/usr/bin/env python3
"""`make bench-registration`: seats stay exact when the app runs as several processes.

Two gunicorn app servers on different ports share one PostgreSQL database; 200 signed-in
members register at once for a members-only event with 50 seats, half through each
server. Each member first loads the event page with a real signed session cookie (as a
browser would) to get the CSRF token, then posts the registration form. Prints confirmed,
waiting, errors and registrations per second; must print 50, 150, 0 (exit status 1
otherwise).

Environment: BENCH_DATABASE_URL (a PostgreSQL database, WIPED first; default: the database
interacta_bench_reg on 127.0.0.1 as user postgres, created when missing),
BENCH_WORKERS (gunicorn workers per server, default 4).
"""

from __future__ import annotations

import http.client
import os
import re
import sys
import tempfile
import threading
import time
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.run import (  # noqa: E402
    USER_AGENT,
    bench_env,
    ensure_database,
    session_cookie,
    start_server,
)

MEMBERS = 200
SEATS = 50
DEFAULT_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/interacta_bench_reg"


def seed(app) -> tuple[str, list[int]]:
    """200 verified members and a published members-only event with 50 seats."""
    import sqlalchemy as sa

    from interacta.core.models import utcnow
    from interacta.events.models import Event
    from interacta.extensions import db
    from interacta.members.models import Member

    with app.app_context():
        now = utcnow()
        rows = [
            {
                "email": f"racer{i}@bench.example",
                "name": f"Racer {i}",
                "role": "member",
                "is_active": True,
                "email_verified_at": now,
                "timezone": "Europe/Vienna",
                "show_in_directory": False,
                "created_at": now,
                "updated_at": now,
            }
            for i in range(MEMBERS)
        ]
        db.session.execute(sa.insert(Member.__table__), rows)
        starts = (now + timedelta(days=14)).replace(minute=0, second=0, microsecond=0)
        event = Event(
            slug="race-for-seats",
            title="Race for seats",
            summary="Fifty seats, two hundred members.",
            kind="seminar",
            starts_at=starts,
            ends_at=starts + timedelta(hours=2),
            capacity=SEATS,
            audience="members",
            status="published",
            published_at=now,
        )
        db.session.add(event)
        db.session.commit()
        ids = list(db.session.scalars(sa.select(Member.id).order_by(Member.id)))
        return event.slug, ids


def _cookie_from(response: http.client.HTTPResponse, cookie: str) -> str:
    for header in response.headers.get_all("Set-Cookie") or []:
        name_value = header.split(";", 1)[0]
        if name_value.startswith(cookie.split("=", 1)[0] + "="):
            return name_value
    return cookie


def register(port: int, slug: str, cookie: str, outcome: dict, lock: threading.Lock) -> None:
    """One member: load the event page (CSRF token), post the form. Records the result."""
    result = "error"
    try:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        headers = {"User-Agent": USER_AGENT, "Cookie": cookie}
        conn.request("GET", f"/events/{slug}", headers=headers)
        page = conn.getresponse()
        html = page.read().decode()
        cookie = _cookie_from(page, cookie)
        token = re.search(r'name="csrf_token" value="([^"]+)"', html)
        if page.status == 200 and token:
            conn.close()
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
            body = f"csrf_token={token.group(1)}"
            conn.request(
                "POST",
                f"/events/{slug}/register",
                body=body,
                headers={
                    "User-Agent": USER_AGENT,
                    "Cookie": cookie,
                    "Content-Type": "application/x-www-form-urlencoded",
                    "Origin": f"http://127.0.0.1:{port}",
                    "Referer": f"http://127.0.0.1:{port}/events/{slug}",
                },
            )
            answer = conn.getresponse()
            answer.read()
            result = "ok" if answer.status == 302 else f"HTTP {answer.status}"
        else:
            result = f"page HTTP {page.status}"
        conn.close()
    except OSError as exc:
        result = f"{type(exc).__name__}: {exc}"
    with lock:
        outcome.setdefault(result, 0)
        outcome[result] += 1


def main() -> None:
    url = os.environ.get("BENCH_DATABASE_URL") or DEFAULT_URL
    print(f"== database {url.rsplit('@', 1)[-1]} (wiped) ==")
    ensure_database(url)
    work = Path(tempfile.mkdtemp(prefix="interacta-bench-reg-"))
    env = bench_env(url, work / "instance")
    env["RATELIMIT_ENABLED"] = "0"
    import subprocess

    subprocess.run(
        [sys.executable, "-m", "flask", "--app", "wsgi", "db", "upgrade"],
        cwd=ROOT, env=env, check=True, capture_output=True,
    )  # fmt: skip
    os.environ.update(env)
    from interacta import create_app

    app = create_app()
    slug, member_ids = seed(app)
    cookies = [session_cookie(app, mid) for mid in member_ids]

    servers = [start_server("wsgi:app", env) for _ in range(2)]
    ports = [int(base.rsplit(":", 1)[1]) for _proc, base in servers]
    print(f"== {MEMBERS} members register at once through ports {ports[0]} and {ports[1]} ==")
    outcome: dict[str, int] = {}
    lock = threading.Lock()
    threads = [
        threading.Thread(
            target=register, args=(ports[i % 2], slug, cookies[i], outcome, lock), daemon=True
        )
        for i in range(MEMBERS)
    ]
    started = time.perf_counter()
    try:
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=120)
        elapsed = time.perf_counter() - started
    finally:
        for proc, _base in servers:
            proc.terminate()
            proc.wait(timeout=30)

    import sqlalchemy as sa

    from interacta.events.models import Event, Registration
    from interacta.extensions import db

    with app.app_context():
        event_id = db.session.scalar(sa.select(Event.id).where(Event.slug == slug))
        counts = dict(
            db.session.execute(
                sa.select(Registration.status, sa.func.count())
                .where(Registration.event_id == event_id)
                .group_by(Registration.status)
            ).all()
        )
        db.engine.dispose()
    confirmed, waiting = counts.get("confirmed", 0), counts.get("waiting", 0)
    errors = MEMBERS - outcome.get("ok", 0)
    print(f"confirmed: {confirmed}")
    print(f"waiting: {waiting}")
    print(f"errors: {errors}")
    print(f"registrations/s: {outcome.get('ok', 0) / elapsed:.0f} ({elapsed:.1f} s in all)")
    if errors:
        print(f"  outcomes: {outcome}")
    if (confirmed, waiting, errors) != (SEATS, MEMBERS - SEATS, 0):
        raise SystemExit(1)


if __name__ == "__main__":
    main()
