"""`make bench-registration`: seats stay exact when the app runs as several processes.

Two gunicorn app servers on different ports share one PostgreSQL database; 200 signed-in
members register at once for a members-only event with 50 seats, half through each
server. Two phases, timed apart: first each member loads the event page with a real signed
session cookie (as a browser would) to get the CSRF token; once all 200 have it, all 200
post the registration form at once. registrations/s is 200 over the time from the release
of the POSTs to the last answer (the POST phase alone; the page loads get a line of their
own). The client's own CPU time in each phase is printed too: it shares the cores with the
servers and the database. Prints confirmed, waiting, errors; must print 50, 150, 0 (exit
status 1 otherwise).

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
    migrate,
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


def seeded_app(env: dict):
    """Migrate the database of `env`, make the app and seed it: (app, the event's slug,
    the members' ids, their signed session cookies)."""
    migrate(env)
    os.environ.update(env)
    from interacta import create_app

    app = create_app()
    slug, member_ids = seed(app)
    return app, slug, member_ids, [session_cookie(app, mid) for mid in member_ids]


def _cookie_from(response: http.client.HTTPResponse, cookie: str) -> str:
    for header in response.headers.get_all("Set-Cookie") or []:
        name_value = header.split(";", 1)[0]
        if name_value.startswith(cookie.split("=", 1)[0] + "="):
            return name_value
    return cookie


class Member:
    """One member's two requests: the event page (CSRF token), then the registration."""

    def __init__(self, port: int, slug: str, cookie: str):
        self.port, self.slug, self.cookie = port, slug, cookie
        self.token: str | None = None
        self.result = "error"

    def load_page(self) -> None:
        try:
            conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
            headers = {"User-Agent": USER_AGENT, "Cookie": self.cookie}
            conn.request("GET", f"/events/{self.slug}", headers=headers)
            page = conn.getresponse()
            html = page.read().decode()
            conn.close()
        except OSError as exc:
            self.result = f"page {type(exc).__name__}: {exc}"
            return
        self.cookie = _cookie_from(page, self.cookie)
        token = re.search(r'name="csrf_token" value="([^"]+)"', html)
        if page.status == 200 and token:
            self.token = token.group(1)
        else:
            self.result = f"page HTTP {page.status}"

    def register(self) -> None:
        if self.token is None:
            return
        try:
            conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
            conn.request(
                "POST",
                f"/events/{self.slug}/register",
                body=f"csrf_token={self.token}",
                headers={
                    "User-Agent": USER_AGENT,
                    "Cookie": self.cookie,
                    "Content-Type": "application/x-www-form-urlencoded",
                    "Origin": f"http://127.0.0.1:{self.port}",
                    "Referer": f"http://127.0.0.1:{self.port}/events/{self.slug}",
                },
            )
            answer = conn.getresponse()
            answer.read()
            conn.close()
            self.result = "ok" if answer.status == 302 else f"HTTP {answer.status}"
        except OSError as exc:
            self.result = f"{type(exc).__name__}: {exc}"


def run_phase(members: list[Member], step: str) -> tuple[float, float]:
    """Each member's `step` in a thread of its own, all released at once; returns (wall
    seconds from the release to the last answer, this client's CPU seconds meanwhile)."""
    go = threading.Barrier(len(members) + 1)

    def run(member: Member) -> None:
        go.wait()
        getattr(member, step)()

    threads = [threading.Thread(target=run, args=(m,), daemon=True) for m in members]
    for thread in threads:
        thread.start()
    go.wait()  # every thread started and waiting: the phase starts now
    started, started_cpu = time.perf_counter(), time.process_time()
    for thread in threads:
        thread.join(timeout=120)
    return time.perf_counter() - started, time.process_time() - started_cpu


def main() -> None:
    url = os.environ.get("BENCH_DATABASE_URL") or DEFAULT_URL
    print(f"== database {url.rsplit('@', 1)[-1]} (wiped) ==")
    ensure_database(url)
    work = Path(tempfile.mkdtemp(prefix="interacta-bench-reg-"))
    env = bench_env(url, work / "instance")
    env["RATELIMIT_ENABLED"] = "0"
    app, slug, member_ids, cookies = seeded_app(env)

    servers = [start_server("wsgi:app", env) for _ in range(2)]
    ports = [int(base.rsplit(":", 1)[1]) for _proc, base in servers]
    print(f"== {MEMBERS} members register at once through ports {ports[0]} and {ports[1]} ==")
    members = [Member(ports[i % 2], slug, cookies[i]) for i in range(MEMBERS)]
    try:
        page_wall, page_cpu = run_phase(members, "load_page")
        post_wall, post_cpu = run_phase(members, "register")
    finally:
        for proc, _base in servers:
            proc.terminate()
            proc.wait(timeout=30)
    outcome: dict[str, int] = {}
    for member in members:
        outcome[member.result] = outcome.get(member.result, 0) + 1

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
    print(
        f"registrations/s: {outcome.get('ok', 0) / post_wall:.0f} "
        f"(the {MEMBERS} POSTs in {post_wall:.2f} s; client CPU {post_cpu:.2f} s)"
    )
    print(
        f"event pages/s before it: {MEMBERS / page_wall:.0f} "
        f"({MEMBERS} in {page_wall:.2f} s; client CPU {page_cpu:.2f} s)"
    )
    if errors:
        print(f"  outcomes: {outcome}")
    if (confirmed, waiting, errors) != (SEATS, MEMBERS - SEATS, 0):
        raise SystemExit(1)


if __name__ == "__main__":
    main()
