#!/usr/bin/env python3
"""`make bench`: how fast is each page, against the framework's floor, and do SQL query
counts stay flat as the data grows?

1. Builds a large dataset in a database of its own: SQLite in a temporary folder; or the
   PostgreSQL database named by BENCH_DATABASE_URL (WIPED first); or, when DATABASE_URL
   names a PostgreSQL database, `<that name>_bench` on the same server (created, wiped;
   the app's own database is never touched).
2. Serves the app with gunicorn (production settings) and, beside it, the bare Flask floor
   app (bench/floor.py) with the same gunicorn settings.
3. Loads each page with wrk for a fixed time at a fixed concurrency.
4. Prints requests/s, p50/p99 latency, response size, SQL queries per request and the
   ratio to the floor; repeats the query counts on a dataset ten times smaller; writes
   the table to bench/RESULTS.md (bench/RESULTS-postgresql.md on PostgreSQL).

Each page is loaded for BENCH_WARMUP seconds (default 2, not recorded) before it is
measured, again and again (at most WARMUP_ROUNDS times) while each round serves clearly
more than the one before: a page whose first build is long (the publications' facet
summary at ten times the data, read once per worker) is measured once every worker has
built it, not while they still do; the build cost is reported separately.

Two tables (BENCH_MODE=hit|miss|both, default both): "cache hit", every request the same
URL, served from the page cache; and "cache miss", every request a distinct URL (the wrk
script bench/miss.lua cycles through about 1,000 search words, filters, pages and other
records, and adds `?v=n`, which no page declares, so nothing is served from the cache).
After the load, each gunicorn worker's resident memory is printed and recorded.

The floor is measured once for BENCH_SECONDS before the tables, then for
BENCH_FLOOR_SECONDS (default 3) before the first page of each table and after every page:
each page's share of the floor is its throughput over the mean of the floor samples taken
just before and just after it, so a machine whose speed drifts within the hour (as shared
VMs do) does not make the pages measured in a slow stretch look slow.

Environment: BENCH_SECONDS (default 10), BENCH_CONNECTIONS (8), BENCH_WORKERS (4),
BENCH_SCALE (1.0 = 5,000 members, 2,000 events, 40,000 registrations, 10,000
publications; `make bench-large` runs BENCH_SCALE=10), BENCH_MODE (hit, miss or both),
BENCH_DATABASE_URL or DATABASE_URL (PostgreSQL instead of SQLite, see 1.).
"""

from __future__ import annotations

import os
import platform
import random
import re
import secrets
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

SECONDS = int(os.environ.get("BENCH_SECONDS", "10"))
CONNECTIONS = int(os.environ.get("BENCH_CONNECTIONS", "8"))
WORKERS = int(os.environ.get("BENCH_WORKERS", "4"))
SCALE = float(os.environ.get("BENCH_SCALE", "1.0"))
WARMUP = int(os.environ.get("BENCH_WARMUP", "2"))
#: At most this many warm-up rounds a page; another round while one serves more than
#: WARMUP_GAIN times the one before (the workers were still building the page).
WARMUP_ROUNDS = 5
WARMUP_GAIN = 1.15
#: Seconds of each floor sample taken between two pages (the VM's speed drifts within the
#: hour, so every page is compared with the floor measured just before and just after it).
FLOOR_SECONDS = int(os.environ.get("BENCH_FLOOR_SECONDS", "3"))
MODE = os.environ.get("BENCH_MODE", "both")
if MODE not in ("hit", "miss", "both"):
    raise SystemExit(f"BENCH_MODE must be hit, miss or both, not {MODE!r}")
USER_AGENT = "interacta-bench"
MISS_SCRIPT = Path(__file__).resolve().parent / "miss.lua"
#: The command that reproduces a run at each scale (with BENCH_DATABASE_URL for PostgreSQL).
COMMANDS = {1.0: "make bench", 10.0: "make bench-large"}
#: Pages also measured one request at a time on a miss (targets on a single request's time).
ALONE = ("event .ics", "events feed", "search", "search (3 words)")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def ensure_wrk() -> str:
    wrk = shutil.which("wrk")
    if wrk:
        return wrk
    print("wrk is missing; installing it from Debian's packages (apt-get install wrk)")
    subprocess.run(["apt-get", "install", "-y", "-qq", "wrk"], check=True)
    return shutil.which("wrk") or sys.exit("could not install wrk")


def bench_database_url(work: Path) -> str:
    """BENCH_DATABASE_URL (wiped); else, when DATABASE_URL names a PostgreSQL database, a
    database of the bench's own beside it (`<name>_bench`, created and wiped; never the
    app's own); else SQLite in the temporary folder."""
    import sqlalchemy as sa

    if os.environ.get("BENCH_DATABASE_URL"):
        return os.environ["BENCH_DATABASE_URL"]
    app_url = os.environ.get("DATABASE_URL", "")
    if app_url.startswith("postgresql"):
        url = sa.make_url(app_url)
        return url.set(database=f"{url.database}_bench").render_as_string(hide_password=False)
    return f"sqlite:///{work / 'bench.db'}"


def bench_env(database_url: str, instance: Path) -> dict:
    env = dict(os.environ)
    env.update(
        INTERACTA_ENV="production",
        SECRET_KEY=env.get("BENCH_SECRET_KEY") or secrets.token_hex(32),
        DATABASE_URL=database_url,
        INSTANCE_PATH=str(instance),
        MAIL_DELIVERY="worker",
        SESSION_COOKIE_SECURE="0",
        HSTS_ENABLED="0",
        RATELIMIT_ENABLED="0",
        LOG_LEVEL="WARNING",
    )
    env["BENCH_SECRET_KEY"] = env["SECRET_KEY"]
    return env


def ensure_database(url: str) -> None:
    """Create the PostgreSQL database of `url` when missing, then empty it."""
    import sqlalchemy as sa

    target = sa.make_url(url)
    if not target.drivername.startswith("postgresql"):
        raise SystemExit(f"not a PostgreSQL database: {target.database}")
    admin = sa.create_engine(target.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        exists = conn.scalar(
            sa.text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": target.database}
        )
        if not exists:
            conn.exec_driver_sql(f'CREATE DATABASE "{target.database}"')
    admin.dispose()
    engine = sa.create_engine(url)
    with engine.begin() as conn:
        conn.exec_driver_sql("DROP SCHEMA IF EXISTS public CASCADE")
        conn.exec_driver_sql("CREATE SCHEMA public")
    engine.dispose()


def migrate(env: dict) -> None:
    """`flask db upgrade` on the database of `env` (DATABASE_URL)."""
    subprocess.run(
        [sys.executable, "-m", "flask", "--app", "wsgi", "db", "upgrade"],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
    )


class StatementTimer:
    """While entered: each SQL statement any engine runs, with its time, as
    `(seconds, statement, parameters)` in `items` (for the in-process profiling scripts)."""

    def __init__(self) -> None:
        self.items: list[tuple[float, str, object]] = []
        self._started = 0.0

    def _before(self, conn, cursor, statement, parameters, context, executemany):
        self._started = time.perf_counter()

    def _after(self, conn, cursor, statement, parameters, context, executemany):
        self.items.append((time.perf_counter() - self._started, statement, parameters))

    def __enter__(self) -> StatementTimer:
        import sqlalchemy as sa

        sa.event.listen(sa.engine.Engine, "before_cursor_execute", self._before)
        sa.event.listen(sa.engine.Engine, "after_cursor_execute", self._after)
        return self

    def __exit__(self, *_exc) -> None:
        import sqlalchemy as sa

        sa.event.remove(sa.engine.Engine, "before_cursor_execute", self._before)
        sa.event.remove(sa.engine.Engine, "after_cursor_execute", self._after)


def prepare_database(database_url: str, env: dict, scale: float) -> dict:
    """Migrate and fill a database; returns what the pages need (slugs, a member id)."""
    if database_url.startswith("postgresql"):
        ensure_database(database_url)
    migrate(env)
    os.environ.update(env)
    from bench import dataset

    started = time.perf_counter()
    info = dataset.build(database_url, scale=scale)
    print(f"  dataset at scale {scale}: {info['counts']} in {time.perf_counter() - started:.0f} s")
    return info


def make_app(env: dict):
    os.environ.update(env)
    from interacta import create_app

    return create_app()


def session_cookie(app, member_id: int) -> str:
    """A signed session cookie for `member_id`, as a browser has it after signing in (with
    its CSRF token), valid for requests from 127.0.0.1 with our UA."""
    from flask_login.utils import _create_identifier

    from interacta.extensions import db
    from interacta.members.models import Member

    with app.test_request_context(
        environ_base={"REMOTE_ADDR": "127.0.0.1"}, headers={"User-Agent": USER_AGENT}
    ):
        identifier = _create_identifier()
        user_id = db.session.get(Member, member_id).get_id()
    data = {
        "_user_id": user_id,
        "_fresh": True,
        "_id": identifier,
        "csrf_token": secrets.token_hex(20),
    }
    value = app.session_interface.get_signing_serializer(app).dumps(data)
    return f"{app.config['SESSION_COOKIE_NAME']}={value}"


def count_queries(app, pages: list[tuple[str, str, bool]], cookie: str) -> dict[str, dict]:
    """Per page, measured in-process on the same database: SQL statements when the page
    is served from the cache ("hit") and when it is built ("build", cache emptied first),
    and the median time to build it (ms, three runs)."""
    import sqlalchemy as sa

    from interacta.extensions import cache

    found: dict[str, dict] = {}
    statements = []

    def before(*_args):
        statements.append(1)

    sa.event.listen(sa.engine.Engine, "before_cursor_execute", before)
    try:
        client = app.test_client(use_cookies=False)  # keep our Cookie header
        for label, path, signed_in in pages:
            headers = {"User-Agent": USER_AGENT}
            if signed_in:
                headers["Cookie"] = cookie
            client.get(path, headers=headers)  # first-request work (imports, templates)
            times = []
            for _ in range(3):
                with app.app_context():
                    cache.clear()
                statements.clear()
                started = time.perf_counter()
                response = client.get(path, headers=headers)
                times.append((time.perf_counter() - started) * 1000)
                if response.status_code != 200:
                    raise SystemExit(f"{path} answered {response.status_code}")
            build = len(statements)
            statements.clear()
            client.get(path, headers=headers)
            found[label] = {"hit": len(statements), "build": build, "build_ms": min(times)}
    finally:
        sa.event.remove(sa.engine.Engine, "before_cursor_execute", before)
    return found


def start_server(spec: str, env: dict) -> tuple[subprocess.Popen, str]:
    port = free_port()
    cmd = [
        sys.executable, "-m", "gunicorn", "-w", str(WORKERS), "-b", f"127.0.0.1:{port}",
        "--log-level", "warning", spec,
    ]  # fmt: skip
    proc = subprocess.Popen(cmd, cwd=ROOT, env=env)
    base = f"http://127.0.0.1:{port}"
    deadline = time.time() + 60
    while time.time() < deadline:
        try:
            urllib.request.urlopen(base + "/", timeout=5).read()  # noqa: S310 - loopback
            return proc, base
        except OSError:
            time.sleep(0.3)
    proc.terminate()
    raise SystemExit(f"{spec} did not start")


def _ms(value: str, unit: str) -> float:
    return float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]


def load(
    wrk: str,
    url: str,
    cookie: str | None,
    seconds: int = SECONDS,
    paths: Path | None = None,
    connections: int = CONNECTIONS,
) -> dict:
    """wrk on `url`; with `paths`, on every path of that file in turn (bench/miss.lua)."""
    threads = min(2, connections)
    cmd = [
        wrk,
        f"-t{threads}",
        f"-c{connections}",
        f"-d{seconds}s",
        "--timeout",
        "30s",
        "--latency",
    ]
    cmd += ["-H", f"User-Agent: {USER_AGENT}"]
    if cookie:
        cmd += ["-H", f"Cookie: {cookie}"]
    env = None
    if paths is not None:
        cmd += ["-s", str(MISS_SCRIPT)]
        env = dict(os.environ, BENCH_PATHS=str(paths))
    out = subprocess.run(
        cmd + [url], capture_output=True, text=True, timeout=seconds + 60, env=env
    ).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    p50 = re.search(r"50%\s+([\d.]+)(us|ms|s)", out)
    p99 = re.search(r"99%\s+([\d.]+)(us|ms|s)", out)
    errors = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", out)
    return {
        "rps": rps,
        "p50": _ms(*p50.groups()),
        "p99": _ms(*p99.groups()),
        "errors": int(errors.group(1)) if errors else 0,
    }


def warm_up(wrk: str, url: str, cookie: str | None, paths: Path | None = None) -> int:
    """Load `url` (unrecorded) for WARMUP seconds, again while a round serves more than
    WARMUP_GAIN times the round before, at most WARMUP_ROUNDS rounds; returns the rounds."""
    previous = None
    for rounds in range(1, WARMUP_ROUNDS + 1):
        rps = load(wrk, url, cookie, seconds=WARMUP, paths=paths)["rps"]
        if previous is not None and rps <= previous * WARMUP_GAIN:
            return rounds
        previous = rps
    return WARMUP_ROUNDS


def drain(base: str) -> None:
    """Wait until requests wrk left queued at the sync workers are served, so that a slow
    page does not slow down the next page's measurement."""
    for _ in range(3):
        try:
            size_of(base + "/healthz", None)
            time.sleep(2)  # the other workers finish their last request
            return
        except (OSError, SystemExit):
            time.sleep(1)


def size_of(url: str, cookie: str | None) -> int:
    request = urllib.request.Request(url, headers={"User-Agent": USER_AGENT})  # noqa: S310
    if cookie:
        request.add_header("Cookie", cookie)
    with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310 - loopback
        if response.status != 200 or response.geturl() != url:
            raise SystemExit(f"{url} answered {response.status} at {response.geturl()}")
        return len(response.read())


#: Words a visitor might search for in the bench data (bench/dataset.py's vocabulary and
#: names), whole and as prefixes; combined into one-, two- and three-word searches.
def _search_words() -> list[str]:
    from bench import dataset

    words = [w.lower() for w in (*dataset.WORDS, *dataset.GIVEN, *dataset.FAMILY)]
    words += [w[:n] for w in dataset.WORDS for n in (3, 5) if len(w) > n]
    return list(dict.fromkeys(words))


def _searches(size: int, count: int = 1000) -> list[str]:
    """`count` searches of `size` words each (deterministic; one-word searches are as many
    as there are words)."""
    rng = random.Random(22 + size)  # noqa: S311 - bench data
    words = _search_words()
    if size == 1:
        return words
    found: dict[str, None] = {}
    while len(found) < count:
        found.setdefault(" ".join(rng.sample(words, size)), None)
    return list(found)


def miss_paths(label: str, path: str, info: dict) -> list[str]:
    """About 1,000 distinct paths for the page `label` (its cache-miss load): other search
    words, filters, pages, months and records of the same kind."""
    from urllib.parse import quote_plus

    from interacta.publications.models import KINDS

    rng = random.Random(label)  # noqa: S311 - bench data
    prefix = "/fr" if label.endswith("(fr)") else ""
    n_events, n_pubs = info["counts"]["events"], info["counts"]["publications"]
    if label.startswith("search"):
        # One word: each word alone, with a kind, a year or a page; three words: 1,000.
        searches = _searches(3) if "3 words" in label else _searches(1) * 5
        paths = []
        for n, q in enumerate(searches):
            extra = ""
            if n % 5 == 1:
                extra = f"&kind={rng.choice(list(KINDS))}"
            elif n % 5 == 2:
                extra = f"&year={rng.randint(2000, 2026)}"
            elif n % 5 == 3:
                extra = f"&page={rng.randint(2, 5)}"
            paths.append(f"/publications/?q={quote_plus(q)}{extra}")
        return paths
    if label.startswith("publications") and "feed" not in label:
        kinds = [f"?kind={k}" for k in KINDS]
        years = [f"?year={y}" for y in range(2000, 2027)]
        pages = [f"?page={n}" for n in range(1, 200)]
        return [prefix + "/publications/" + q for q in (*kinds, *years, *pages)]
    if label.startswith("events") and "feed" not in label:
        kinds = ("seminar", "workshop", "symposium", "conference", "course")
        pages = [f"?page={n}" for n in range(1, 60)]
        words = [f"?q={quote_plus(w)}" for w in _search_words()[:60]]
        return [prefix + "/events/" + q for q in (*[f"?kind={k}" for k in kinds], *pages, *words)]
    if label == "calendar":
        return [
            f"/events/calendar?month={y}-{m:02d}" for y in (2025, 2026, 2027) for m in range(1, 13)
        ]
    if label.startswith("event page") or label == "event .ics":
        # Open-to-all events (every fourth is for members only).
        slugs = [f"bench-event-{i}" for i in range(min(n_events, 4000)) if i % 4]
        suffix = ".ics" if label == "event .ics" else ""
        return [
            f"{prefix}/events/{slug}{suffix}" for slug in rng.sample(slugs, min(1000, len(slugs)))
        ]
    if label == "publication page":
        ids = rng.sample(range(n_pubs), min(1000, n_pubs))
        return [f"/publications/bench-publication-{i}" for i in ids]
    if label == "member directory":
        return [f"/members/?page={n}" for n in range(1, 50)]
    return [path]  # the same page, made distinct by ?v=n alone


def worker_rss(master: subprocess.Popen) -> list[int]:
    """Resident memory (bytes) of each worker of a gunicorn master (Linux /proc)."""
    sizes = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            status = (entry / "status").read_text()
        except OSError:
            continue
        fields = dict(line.split(":", 1) for line in status.splitlines() if ":" in line)
        if fields.get("PPid", "").strip() == str(master.pid):
            sizes.append(int(fields["VmRSS"].split()[0]) * 1024)
    return sorted(sizes)


def pages_for(info: dict) -> list[tuple[str, str, bool]]:
    return [
        ("home", "/", False),
        ("events", "/events/", False),
        ("calendar", "/events/calendar", False),
        ("event page", f"/events/{info['event_slug']}", False),
        ("events feed", "/events/feed.ics", False),
        ("event .ics", f"/events/{info['event_slug']}.ics", False),
        ("publications", "/publications/", False),
        ("search", "/publications/?q=governance", False),
        ("search (3 words)", "/publications/?q=peace+security+cooperation", False),
        ("publication page", f"/publications/{info['publication_slug']}", False),
        ("publications feed", "/publications/feed.atom", False),
        ("member directory", "/members/", True),
        # The same pages in French (issue 16: at or above the English figures).
        ("home (fr)", "/fr/", False),
        ("events (fr)", "/fr/events/", False),
        ("event page (fr)", f"/fr/events/{info['event_slug']}", False),
        ("publications (fr)", "/fr/publications/", False),
    ]


def main() -> None:
    wrk = ensure_wrk()
    work = Path(tempfile.mkdtemp(prefix="interacta-bench-"))
    url = bench_database_url(work)
    backend = "PostgreSQL" if url.startswith("postgresql") else "SQLite"
    print(f"== building the dataset ({backend}) ==")
    env = bench_env(url, work / "instance")
    info = prepare_database(url, env, SCALE)
    app = make_app(env)
    cookie = session_cookie(app, info["member_id"])
    pages = pages_for(info)
    queries = count_queries(app, pages, cookie)

    small_url = f"sqlite:///{work / 'small.db'}"
    if backend == "PostgreSQL":
        small_url = url  # rebuilt in place after the load test
    results, missed, alone, rss = {}, {}, {}, []
    # Made before any load, so a mistake in them stops the bench at once.
    miss_lists = {label: miss_paths(label, path, info) for label, path, _signed in pages}
    print(f"== load: wrk, {CONNECTIONS} connections, {SECONDS} s a page, gunicorn -w {WORKERS} ==")
    app_proc, base = start_server("wsgi:app", env)
    floor_proc = None
    try:
        # Every page must answer 200; the floor serves a page of their median size.
        sizes = {
            label: size_of(base + path, cookie if signed_in else None)
            for label, path, signed_in in pages
        }
        floor_env = dict(env, FLOOR_PAGE_BYTES=str(int(statistics.median(sizes.values()))))
        floor_proc, floor_base = start_server("bench.floor:app", floor_env)
        load(wrk, floor_base + "/", None, seconds=WARMUP)  # warm-up, as for every page
        floor = load(wrk, floor_base + "/", None)
        floor["size"] = size_of(floor_base + "/", None)
        floor["samples"] = []
        print(f"  floor: {floor['rps']:.0f} req/s")

        def sample_floor() -> float:
            rps = load(wrk, floor_base + "/", None, seconds=FLOOR_SECONDS)["rps"]
            floor["samples"].append(rps)
            return rps

        def beside(result: dict, before: float) -> None:
            """The floor measured just before and just after this page."""
            result["floor"] = (before + sample_floor()) / 2

        if MODE in ("hit", "both"):
            print("== cache hit: every request the same URL ==")
            before = sample_floor()
            for label, path, signed_in in pages:
                # Warm-up, not recorded: every worker builds the page once (the build time
                # is reported separately), then the steady state is measured.
                rounds = warm_up(wrk, base + path, cookie if signed_in else None)
                drain(base)
                result = load(wrk, base + path, cookie if signed_in else None)
                result["size"] = sizes[label]
                drain(base)
                beside(result, before)
                before = floor["samples"][-1]
                results[label] = result
                print(
                    f"  {label}: {result['rps']:.0f} req/s (floor {result['floor']:.0f}; "
                    f"warmed up in {rounds} rounds)"
                )
        if MODE in ("miss", "both"):
            print("== cache miss: every request a distinct URL (bench/miss.lua) ==")
            before = sample_floor()
            for n, (label, _path, signed_in) in enumerate(pages):
                paths = work / f"paths-{n}.txt"
                listed = miss_lists[label]
                paths.write_text("\n".join(listed) + "\n")
                who = cookie if signed_in else None
                sample = listed[0] + ("&" if "?" in listed[0] else "?") + "v=size"
                rounds = warm_up(wrk, base + "/", who, paths=paths)
                drain(base)
                result = load(wrk, base + "/", who, paths=paths)
                result["size"] = size_of(base + sample, who)
                drain(base)
                beside(result, before)
                before = floor["samples"][-1]
                missed[label] = result
                print(
                    f"  {label}: {result['rps']:.0f} req/s (floor {result['floor']:.0f}; "
                    f"warmed up in {rounds} rounds)"
                )
            print("== cache miss, one connection: how long one request takes ==")
            for n, (label, _path, signed_in) in enumerate(pages):
                if label not in ALONE:
                    continue
                who = cookie if signed_in else None
                result = load(wrk, base + "/", who, paths=work / f"paths-{n}.txt", connections=1)
                drain(base)
                alone[label] = result
                print(f"  {label}: p50 {result['p50']:.1f} ms")
        rss = worker_rss(app_proc)
        print("  gunicorn workers' resident memory after the load: "
              + ", ".join(f"{size / 2**20:.0f} MB" for size in rss))  # fmt: skip
    finally:
        for proc in (app_proc, floor_proc):
            if proc is None:
                continue
            proc.terminate()
            proc.wait(timeout=30)

    print("== query counts on a dataset ten times smaller ==")
    small_env = bench_env(small_url, work / "instance-small")
    small_env["SECRET_KEY"] = env["SECRET_KEY"]
    small_info = prepare_database(small_url, small_env, SCALE / 10)
    small_app = make_app(small_env)
    small_queries = count_queries(
        small_app, pages_for(small_info), session_cookie(small_app, small_info["member_id"])
    )
    report = render(
        backend, floor, results, missed, alone, queries, small_queries, pages, info, small_info,
        rss,
    )  # fmt: skip
    print(report)
    name = "RESULTS-postgresql.md" if backend == "PostgreSQL" else "RESULTS.md"
    write_section(ROOT / "bench" / name, report)
    shutil.rmtree(work, ignore_errors=True)


def write_section(path: Path, report: str) -> None:
    """Put this scale's report into `path`, replacing that scale's earlier one and keeping
    the other scale's and the notes written by hand (outside the markers)."""
    start, end = f"<!-- bench scale {SCALE:g} -->", f"<!-- /bench scale {SCALE:g} -->"
    block = f"{start}\n{report.rstrip()}\n{end}"
    text = path.read_text() if path.exists() else ""
    if start in text and end in text:
        before, rest = text.split(start, 1)
        text = before + block + rest.split(end, 1)[1]
    else:
        head = "# Benchmark results\n\n"
        text = (text.rstrip() + "\n\n" + block + "\n") if text.strip() else head + block + "\n"
    path.write_text(text)


def _table(floor, results, queries, small_queries, pages) -> list[str]:
    lines = [
        "| page | req/s | p50 ms | p99 ms | p99/p50 | bytes | floor beside | of floor | errors "
        "| queries hit/build | same, 1/10 data | build ms |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]  # fmt: skip
    for label, _path, _signed in pages:
        r = results[label]
        q, small = queries[label], small_queries[label]
        beside = r.get("floor") or floor["rps"]
        ratio = r["rps"] / beside if beside else 0
        lines.append(
            f"| {label} | {r['rps']:.0f} | {r['p50']:.1f} | {r['p99']:.1f} | "
            f"{r['p99'] / r['p50'] if r['p50'] else 0:.1f} | {r['size']:,} | {beside:.0f} | "
            f"{ratio:.0%} | "
            f"{r['errors']} | {q['hit']}/{q['build']} | {small['hit']}/{small['build']} | "
            f"{q['build_ms']:.0f} |"
        )
    return lines


def render(
    backend, floor, results, missed, alone, queries, small_queries, pages, info, small_info, rss
) -> str:
    machine = f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}"
    lines = [
        f"## BENCH_SCALE={SCALE:g} ({COMMANDS.get(SCALE, 'make bench with BENCH_SCALE set')})",
        "",
        f"Run {datetime.now(UTC):%Y-%m-%d %H:%M} UTC on {platform.node() or 'unknown'} "
        f"({machine}); database: {backend}; gunicorn -w {WORKERS} (sync workers); wrk with "
        f"{CONNECTIONS} connections for {SECONDS} s a page after a warm-up of {WARMUP} s rounds "
        f"(repeated, at most {WARMUP_ROUNDS} times, while a round serves over "
        f"{WARMUP_GAIN:.2f} times the one before); "
        f"BENCH_SCALE={SCALE:g}, BENCH_MODE={MODE}.",
        "",
        f"Dataset: {info['counts']}. Smaller dataset for the query counts: {small_info['counts']}.",
        "",
        f"Floor (bare Flask, template of {floor['size']:,} bytes, no database): "
        f"{floor['rps']:.0f} req/s, p50 {floor['p50']:.1f} ms, p99 {floor['p99']:.1f} ms "
        f"over {SECONDS} s before the tables.",
        "",
    ]
    if floor.get("samples"):
        samples = floor["samples"]
        lines += [
            f"The floor again for {FLOOR_SECONDS} s before each table and after every page "
            f"({len(samples)} samples): {min(samples):.0f} to {max(samples):.0f} req/s, "
            f'median {statistics.median(samples):.0f}. "floor beside" is the mean of the '
            'samples just before and just after a page, and "of floor" is measured '
            "against it.",
            "",
        ]
    if results:
        lines += ["### Cache hit: every request the same URL", ""]
        lines += _table(floor, results, queries, small_queries, pages)
        lines.append("")
    if missed:
        lines += [
            "### Cache miss: every request a distinct URL",
            "",
            "bench/miss.lua cycles through about 1,000 paths per page (search words, "
            "filters, pages, months, other events and publications) and adds `?v=n`, so "
            "every response is built from the database; bytes are those of the first path.",
            "",
        ]
        lines += _table(floor, missed, queries, small_queries, pages)
        lines.append("")
    if alone:
        lines += [
            "### Cache miss, one connection at a time",
            "",
            "The same distinct URLs, one request at a time (wrk -c1): how long one visitor "
            "waits for a page built from the database, without queueing behind others.",
            "",
            "| page | req/s | p50 ms | p99 ms |",
            "| --- | ---: | ---: | ---: |",
        ]
        lines += [
            f"| {label} | {r['rps']:.0f} | {r['p50']:.1f} | {r['p99']:.1f} |"
            for label, r in alone.items()
        ]
        lines.append("")
    if rss:
        lines += [
            "Resident memory of each gunicorn worker after the load: "
            + ", ".join(f"{size / 2**20:.0f} MB" for size in rss)
            + " (target: under 200 MB each).",
            "",
        ]
    grows = [
        p
        for p, _x, _y in pages
        if (queries[p]["hit"], queries[p]["build"])
        != (small_queries[p]["hit"], small_queries[p]["build"])
    ]
    lines += [
        "Targets: every page at least 40% of the floor's throughput from the cache and 25% "
        "on a cache miss; no query count that grows with the data; p99 at most five times p50.",
        "",
        f"Query counts that differ between the two datasets: {', '.join(grows) or 'none'}.",
        "",
        "Pages are served from a cache keyed by a fingerprint of the data they show "
        "(interacta/core/cache.py), so the cache-hit table measures the cached page: one "
        'fingerprint query plus the cache read. "build" is the page built from the '
        "database (the first request after a change), measured in-process, one at a time.",
        "",
    ]
    return "\n".join(lines)


if __name__ == "__main__":
    main()
