#!/usr/bin/env python3
"""The publication search on a cache miss, measured in-process, one request at a time.

The same searches as the bench's cache-miss table (bench/run.py `miss_paths`: one word,
alone or with a kind, a year or a page; or three words), each made distinct by `?v=n` so
the page cache never serves it, on a database of its own (BENCH_DATABASE_URL, or
`sqlite:///path`; built at BENCH_SCALE the first time, WIPED first; `--reuse` keeps a
database already built and only migrates it). Prints, per kind of search: the median and
90th percentile wall time of a request, the SQL statements per request and the time spent
in each statement (median per request, by statement shape), and the median CPU time of
this process per request (with SQLite, the database's work too; less disturbed than wall
time by other work on the machine). `--profile FILE` writes a
cProfile of the measured requests (`python -m pstats FILE`); `--explain` prints the query
plans of one request's statements.
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
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.run import (  # noqa: E402
    StatementTimer,
    bench_env,
    make_app,
    migrate,
    miss_paths,
    prepare_database,
)

LABELS = {1: "search", 3: "search (3 words)"}


def shape(statement: str) -> str:
    text = " ".join(statement.split())
    if "publications_fts MATCH" in text or "walk" in text:
        return "hits"
    if "top_authors" in text:
        return "facets"
    if "publications_fts_vocab" in text or "publication_lexemes" in text:
        return "vocabulary"
    if text.startswith("SELECT max("):
        return "fingerprint"
    return re.sub(r"\s+", " ", text)[:70]


class Phases:
    """CPU time of this process spent in the search's own steps, per request (wrapping
    module functions; with SQLite, the database's work is in it)."""

    def __init__(self) -> None:
        self.spent: dict[str, float] = defaultdict(float)

    def wrap(self, module, name: str, label: str) -> None:
        original = getattr(module, name)

        def timed(*args, **kwargs):
            started = time.process_time()
            try:
                return original(*args, **kwargs)
            finally:
                self.spent[label] += (time.process_time() - started) * 1000

        setattr(module, name, timed)


def built(url: str) -> bool:
    import sqlalchemy as sa

    engine = sa.create_engine(url)
    try:
        with engine.connect() as conn:
            return bool(conn.scalar(sa.text("SELECT count(*) FROM publications")))
    except sa.exc.DBAPIError:
        return False
    finally:
        engine.dispose()


def explain(app, log: StatementTimer) -> None:
    """The plans of the search's own statements of the last request."""
    from interacta.extensions import db

    with app.app_context():
        postgresql = db.engine.dialect.name == "postgresql"
        for _seconds, statement, parameters in log.items:
            name = shape(statement)
            if name not in ("hits", "facets") and not name.startswith("SELECT publications."):
                continue
            prefix = "EXPLAIN (ANALYZE, BUFFERS) " if postgresql else "EXPLAIN QUERY PLAN "
            with db.engine.connect() as conn:
                rows = conn.exec_driver_sql(prefix + statement, parameters).all()
            print(f"--- {name}")
            print(" ".join(statement.split())[:400])
            for row in rows:
                print("   ", row[-1] if not postgresql else row[0])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--reuse", action="store_true", help="keep a database already built")
    parser.add_argument("--words", type=int, choices=(1, 3), action="append")
    parser.add_argument("-n", type=int, default=200, help="measured requests per kind")
    parser.add_argument("--warm", type=int, default=100, help="unmeasured requests first")
    parser.add_argument("--profile", help="write a cProfile of the measured requests")
    parser.add_argument("--explain", action="store_true", help="print one request's plans")
    parser.add_argument("--statements", action="store_true", help="time per statement")
    args = parser.parse_args()

    scale = float(os.environ.get("BENCH_SCALE", "1"))
    url = os.environ.get("BENCH_DATABASE_URL") or sys.exit("set BENCH_DATABASE_URL")
    work = Path(tempfile.mkdtemp(prefix="interacta-profile-search-"))
    env = bench_env(url, work / "instance")
    if args.reuse and built(url):
        migrate(env)
        counts = {"events": int(2000 * scale), "publications": int(10000 * scale)}
        info = {"counts": counts}
    else:
        info = prepare_database(url, env, scale)
    app = make_app(env)
    from interacta.publications import search, views

    phases = Phases()
    phases.wrap(search, "_hits", "hits")
    phases.wrap(search, "sole_terms", "vocabulary")
    phases.wrap(search, "_tuples", "hits' rows")
    phases.wrap(search, "_load", "load 20 records")
    phases.wrap(search, "_counts_among", "facet counts")
    phases.wrap(views, "render_template", "render")
    client = app.test_client()
    log = StatementTimer()
    profiler = cProfile.Profile() if args.profile else None
    for words in args.words or (1, 3):
        label = LABELS[words]
        paths = miss_paths(label, "", info)
        for n, path in enumerate(paths[: args.warm]):
            assert client.get(f"{path}&v=w{n}").status_code == 200
        times, cpu, statements = [], [], []
        per_shape = defaultdict(list)
        with log:
            for n, path in enumerate(paths[args.warm : args.warm + args.n]):
                log.items.clear()
                phases.spent.clear()
                if profiler:
                    profiler.enable()
                started, started_cpu = time.perf_counter(), time.process_time()
                response = client.get(f"{path}&v={n}")
                times.append((time.perf_counter() - started) * 1000)
                cpu.append((time.process_time() - started_cpu) * 1000)
                if profiler:
                    profiler.disable()
                assert response.status_code == 200, path
                statements.append(len(log.items))
                by = defaultdict(float)
                for seconds, statement, _p in log.items:
                    by[shape(statement)] += seconds * 1000
                for name, ms in phases.spent.items():
                    by[f"[{name}, CPU]"] = ms
                for name in set(by) | set(per_shape):
                    per_shape[name].append(by.get(name, 0.0))
        times.sort()
        print(
            f"{label}: {len(times)} requests, p50 {statistics.median(times):.1f} ms, "
            f"p90 {times[int(len(times) * 0.9)]:.1f} ms; CPU of this process p50 "
            f"{statistics.median(cpu):.1f} ms; statements "
            f"{min(statements)}-{max(statements)}"
        )
        if args.statements:
            for name, values in sorted(per_shape.items(), key=lambda kv: -statistics.median(kv[1])):
                print(f"    {statistics.median(values):6.2f} ms  {name}")
        if args.explain:
            explain(app, log)
    if profiler:
        profiler.dump_stats(args.profile)


if __name__ == "__main__":
    main()
