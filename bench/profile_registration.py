#!/usr/bin/env python3
"""One member's registration, measured in-process: SQL statements and CPU per request.

The same event and members as `make bench-registration` (200 members, 50 seats), on a
database of its own (BENCH_DATABASE_URL, WIPED first; a PostgreSQL URL, or
`sqlite:///path`). Each member loads the event page (CSRF token) unmeasured, then posts the
registration; only the POST is measured. Prints, over the 200 POSTs: the median wall and
CPU time of this process (the app's Python; the database's own CPU is not in it), the SQL
statements per registration and how many of them ran while the event was locked (from the
`FOR UPDATE` / `BEGIN IMMEDIATE` to the commit), for a confirmed and for a waiting one, and
how long the lock was held: wall time, and this process's CPU time meanwhile (less moved by
other load on the machine than the wall time).
`--profile FILE` also writes a cProfile of the POSTs (`python -m pstats FILE`).
"""

from __future__ import annotations

import argparse
import cProfile
import os
import re
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.registration import MEMBERS, seeded_app  # noqa: E402
from bench.run import USER_AGENT, bench_env, ensure_database  # noqa: E402

DEFAULT_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/interacta_reg_prof"


class StatementLog:
    """Counts the statements of one request, and those run while the event is locked."""

    def __init__(self) -> None:
        self.total = 0
        self.locked = 0
        self.in_lock = False
        self.locked_at = 0.0
        self.locked_cpu_at = 0.0
        self.held = 0.0  # seconds the seat lock was held
        self.held_cpu = 0.0  # CPU seconds of this process while it held the lock
        self.statements: list[tuple[bool, str]] = []

    def before(self, conn, cursor, statement, parameters, context, executemany):
        text = " ".join(statement.split())
        if "FOR UPDATE" in text and text.startswith("SELECT events.") and not self.in_lock:
            self.lock()
        self.total += 1
        self.locked += self.in_lock
        self.statements.append((self.in_lock, text[:150]))

    def begin(self, conn):
        # SQLite's seat lock is the BEGIN IMMEDIATE (the FOR UPDATE is dropped there).
        if conn.get_execution_options().get("sqlite_begin") == "IMMEDIATE":
            self.lock()

    def lock(self):
        self.in_lock, self.locked_at = True, time.perf_counter()
        self.locked_cpu_at = time.process_time()

    def commit(self, conn):
        self.release()

    def rollback(self, conn):
        self.release()

    def release(self):
        if self.in_lock:
            self.held += time.perf_counter() - self.locked_at
            self.held_cpu += time.process_time() - self.locked_cpu_at
        self.in_lock = False


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--profile", help="write a cProfile of the POSTs to this file")
    parser.add_argument("--show", action="store_true", help="print one request's statements")
    args = parser.parse_args()

    import sqlalchemy as sa

    url = os.environ.get("BENCH_DATABASE_URL") or DEFAULT_URL
    work = Path(tempfile.mkdtemp(prefix="interacta-profile-reg-"))
    if url.startswith("postgresql"):
        ensure_database(url)
    env = bench_env(url, work / "instance")
    app, slug, member_ids, cookies = seeded_app(env)

    log = StatementLog()
    listeners = [
        ("before_cursor_execute", log.before),
        ("begin", log.begin),
        ("commit", log.commit),
        ("rollback", log.rollback),
    ]
    profiler = cProfile.Profile() if args.profile else None
    counts = {"confirmed": [], "waiting": []}
    held = {"confirmed": [], "waiting": []}
    held_cpu = {"confirmed": [], "waiting": []}
    wall = {"confirmed": [], "waiting": [], "page": []}
    cpu = {"confirmed": [], "waiting": [], "page": []}
    shown = set()
    client = app.test_client()
    headers = {"User-Agent": USER_AGENT}
    origin = f"{app.config['PREFERRED_URL_SCHEME']}://localhost"  # the test client's
    for n, cookie in enumerate(cookies):
        name, value = cookie.split("=", 1)
        client.set_cookie(name, value)
        started, started_cpu = time.perf_counter(), time.process_time()
        page = client.get(f"/events/{slug}", headers=headers)
        wall["page"].append((time.perf_counter() - started) * 1000)
        cpu["page"].append((time.process_time() - started_cpu) * 1000)
        token = re.search(r'name="csrf_token" value="([^"]+)"', page.get_data(as_text=True))
        log.__init__()
        for event, fn in listeners:
            sa.event.listen(sa.engine.Engine, event, fn)
        started, started_cpu = time.perf_counter(), time.process_time()
        if profiler:
            profiler.enable()
        answer = client.post(
            f"/events/{slug}/register",
            data={"csrf_token": token.group(1)},
            headers={**headers, "Referer": f"{origin}/events/{slug}"},
        )
        if profiler:
            profiler.disable()
        elapsed, elapsed_cpu = time.perf_counter() - started, time.process_time() - started_cpu
        for event, fn in listeners:
            sa.event.remove(sa.engine.Engine, event, fn)
        if answer.status_code != 302:
            raise SystemExit(f"member {n}: HTTP {answer.status_code}")
        status = "confirmed" if n < 50 else "waiting"
        wall[status].append(elapsed * 1000)
        cpu[status].append(elapsed_cpu * 1000)
        counts[status].append((log.total, log.locked))
        held[status].append(log.held * 1000)
        held_cpu[status].append(log.held_cpu * 1000)
        if args.show and status not in shown and n not in (0, 50):
            shown.add(status)
            print(f"-- a {status} registration's statements (* = inside the seat lock)")
            for locked, text in log.statements:
                print(f"{'*' if locked else ' '} {text}")
        client.delete_cookie(name)

    print(f"== {MEMBERS} registrations, in-process, on {app.config['SQLALCHEMY_DATABASE_URI']}")
    print("median ms per request: wall, CPU of this process (the app; not the database's)")
    for what in ("confirmed", "waiting", "page"):
        label = f"POST, {what}" if what != "page" else "GET the event page (not a registration)"
        print(
            f"  {label}: {statistics.median(wall[what]):.1f} wall, "
            f"{statistics.median(cpu[what]):.1f} CPU"
        )
    every = cpu["confirmed"] + cpu["waiting"]
    print(f"  POST, all {len(every)}: {statistics.mean(every):.1f} CPU on average")
    for status, rows in counts.items():
        total, locked = rows[len(rows) // 2]
        print(
            f"{status}: {total} statements, {locked} inside the seat lock, "
            f"held {statistics.median(held[status]):.1f} ms (median wall), "
            f"{statistics.median(held_cpu[status]):.1f} ms of this process's CPU meanwhile"
        )
    if profiler:
        profiler.dump_stats(args.profile)
        print(f"profile written to {args.profile}")
    with app.app_context():
        from interacta.extensions import db

        db.engine.dispose()


if __name__ == "__main__":
    main()
