#!/usr/bin/env python3
"""Pages built on a cache miss, measured in-process on a bench dataset kept between runs.

`make bench-large` rebuilds its data every time; this keeps one database (SQLite file or
PostgreSQL database) and measures page builds against it, one request at a time:

    bench/profile_pages.py --build --scale 10 sqlite:////tmp/bench10.db   # once (WIPES it)
    bench/profile_pages.py sqlite:////tmp/bench10.db /events/calendar /publications/x
    bench/profile_pages.py --profile out.prof URL PATH        # cProfile of the builds
    bench/profile_pages.py --sql URL PATH                     # the statements and their time

Per path: the median and lowest wall time of ROUNDS builds (each a distinct URL, `?v=n`,
as `make bench`'s cache-miss table; `--cold` empties every cache instead), the median CPU
time of this process (with SQLite, the database's work too; not PostgreSQL's), the SQL
statements per build and their summed time (to the first row).
`--profile FILE` writes a cProfile of the builds (`python -m pstats FILE`).
"""

from __future__ import annotations

import argparse
import cProfile
import gc
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.run import (  # noqa: E402
    USER_AGENT,
    StatementTimer,
    bench_env,
    make_app,
    prepare_database,
    session_cookie,
)

SECRET = "profile-pages-" + "0" * 32


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("url", help="sqlite:////path or postgresql+psycopg://... (kept)")
    parser.add_argument("paths", nargs="*")
    parser.add_argument("--build", action="store_true", help="wipe and fill the database")
    parser.add_argument("--scale", type=float, default=10.0)
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--profile", metavar="FILE")
    parser.add_argument("--sql", action="store_true", help="print each statement and its time")
    parser.add_argument("--member", action="store_true", help="signed in as a member")
    parser.add_argument(
        "--cold", action="store_true", help="empty every cache before each build (not ?v=n)"
    )
    args = parser.parse_args()

    instance = Path(tempfile.mkdtemp(prefix="interacta-profile-"))
    env = bench_env(args.url, instance)
    env["SECRET_KEY"] = env["BENCH_SECRET_KEY"] = SECRET
    if args.build:
        if args.url.startswith("sqlite:///"):
            Path(args.url.removeprefix("sqlite:///")).unlink(missing_ok=True)
        prepare_database(args.url, env, args.scale)
    app = make_app(env)

    import sqlalchemy as sa

    from interacta.extensions import cache, db
    from interacta.members.models import Member

    headers = {"User-Agent": USER_AGENT}
    if args.member:
        with app.app_context():
            member_id = db.session.scalar(sa.select(sa.func.min(Member.id)))
        headers["Cookie"] = session_cookie(app, member_id)
    client = app.test_client(use_cookies=False)
    # As wsgi.py does in the served app: the objects made at start-up are frozen out of the
    # collector and full collections are rarer, so builds are measured without pauses
    # that a gunicorn worker does not have.
    gc.collect()
    gc.freeze()
    gc.set_threshold(10_000, 20, 20)
    profiler = cProfile.Profile() if args.profile else None
    for path in args.paths:
        response = client.get(path, headers=headers)  # imports, templates, first requests
        if response.status_code != 200:
            raise SystemExit(f"{path} answered {response.status_code}")
        times, cpu, counts, sql = [], [], [], []
        for n in range(args.rounds):
            url = path
            if args.cold:
                with app.app_context():
                    cache.clear()
            else:
                # As `make bench`'s miss: a distinct URL (?v=n), so the page is built while
                # what is kept under the data's fingerprints (counts, fragments) stays.
                url += ("&" if "?" in path else "?") + f"v=profile-{time.time_ns()}-{n}"
            with StatementTimer() as log:
                if profiler:
                    profiler.enable()
                started, cpu_started = time.perf_counter(), time.process_time()
                response = client.get(url, headers=headers)
                times.append((time.perf_counter() - started) * 1000)
                cpu.append((time.process_time() - cpu_started) * 1000)
                if profiler:
                    profiler.disable()
            counts.append(len(log.items))
            sql.append(sum(t for t, _s, _p in log.items) * 1000)
        print(
            f"{path}: median {statistics.median(times):.1f} ms, min {min(times):.1f} ms, "
            f"CPU median {statistics.median(cpu):.1f} ms, "
            f"{counts[-1]} statements ({statistics.median(sql):.1f} ms in SQL), "
            f"{len(response.data):,} bytes"
        )
        if args.sql:
            for seconds, text, _params in log.items:
                print(f"  {seconds * 1000:7.2f} ms  {' '.join(text.split())[:300]}")
    if profiler:
        profiler.dump_stats(args.profile)


if __name__ == "__main__":
    main()
