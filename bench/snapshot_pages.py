#!/usr/bin/env python3
"""Every bench page's response, written to files, to prove a change shows the same pages.

Builds each page once (a fresh process: nothing cached) on a bench database kept between
runs, anonymous and signed in, and writes status, headers and body per page to OUTDIR with
what differs on every request masked (CSP nonces, CSRF tokens, Date, ETag, X-Request-ID,
Set-Cookie; an .ics DTSTAMP is left for `diff -I`). Run it before and after a change on
the same database and compare:

    bench/snapshot_pages.py sqlite:////tmp/bench1.db /tmp/before   # on the old code
    bench/snapshot_pages.py sqlite:////tmp/bench1.db /tmp/after    # on the new code
    diff -r -I '^DTSTAMP:' /tmp/before /tmp/after
"""

from __future__ import annotations

import argparse
import re
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.run import USER_AGENT, bench_env, make_app, session_cookie  # noqa: E402

SECRET = "snapshot-pages-" + "0" * 32

#: The bench's pages (bench/run.py pages_for) and a few of their variants.
PATHS = (
    "/",
    "/events/",
    "/events/?kind=conference",
    "/events/?page=2",
    "/events/calendar",
    "/events/calendar?month=2027-03",
    "/events/calendar?month=2026-03",
    "/events/calendar?day=2026-03-10",
    "/events/calendar?month=2025-01",
    "/events/?q=cooperation",
    "/events/?q=cooperation&page=3",
    "/events/?q=adler",
    "/events/?q=security+adler",
    "/events/?q=migration+climate",
    "/events/?q=gov&kind=seminar",
    "/events/past?q=security",
    "/events/past?q=security&page=40",
    "/events/bench-event-1046",
    "/events/bench-event-10",
    "/events/feed.ics",
    "/events/bench-event-1046.ics",
    "/publications/",
    "/publications/?page=3",
    "/publications/?year=2020",
    "/publications/bench-publication-5000",
    "/publications/bench-publication-10",
    "/publications/feed.atom",
    "/members/",
    "/members/?page=2",
    "/members/?page=40",
    "/members/?sector=academia",
    "/members/?q=ana",
    "/healthz",
    "/fr/",
    "/fr/events/",
    "/fr/events/bench-event-1046",
    "/fr/publications/",
    "/fr/publications/bench-publication-5000",
    "/de/events/calendar",
    "/sl/publications/",
)

MASKS = (
    (re.compile(rb'nonce="[^"]*"'), b'nonce="X"'),
    (re.compile(rb"'nonce-[^']*'"), b"'nonce-X'"),
    (re.compile(rb'(name="csrf_token"[^>]*value=")[^"]*'), rb"\1X"),
    (re.compile(rb'(name="csrf-token" content=")[^"]*'), rb"\1X"),
    (re.compile(rb'(value=")[A-Za-z0-9._-]{40,}(")'), rb"\1X\2"),
)
SKIPPED_HEADERS = ("Date", "ETag", "Set-Cookie", "X-Request-ID")  # ETag: of the body


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("url", help="sqlite:////path or postgresql+psycopg://... (read only)")
    parser.add_argument("outdir", type=Path)
    args = parser.parse_args()
    args.outdir.mkdir(parents=True, exist_ok=True)

    env = bench_env(args.url, Path(tempfile.mkdtemp(prefix="interacta-snapshot-")))
    env["SECRET_KEY"] = env["BENCH_SECRET_KEY"] = SECRET
    app = make_app(env)

    import sqlalchemy as sa

    from interacta.extensions import db
    from interacta.members.models import Member

    with app.app_context():
        member_id = db.session.scalar(sa.select(sa.func.min(Member.id)))
    anonymous = {"User-Agent": USER_AGENT}
    member = dict(anonymous, Cookie=session_cookie(app, member_id))
    client = app.test_client(use_cookies=False)
    for who, headers in (("anon", anonymous), ("member", member)):
        for path in PATHS:
            response = client.get(path, headers=headers)
            body = response.data
            for pattern, replacement in MASKS:
                body = pattern.sub(replacement, body)
            kept = sorted((k, v) for k, v in response.headers.items() if k not in SKIPPED_HEADERS)
            head = re.sub(r"'nonce-[^']*'", "'nonce-X'", "\n".join(f"{k}: {v}" for k, v in kept))
            name = who + "_" + (re.sub(r"[^A-Za-z0-9]+", "_", path).strip("_") or "home")
            text = f"{response.status_code}\n{head}\n\n".encode() + body
            (args.outdir / f"{name}.txt").write_bytes(text)
            print(f"{who:6} {path}: {response.status_code}, {len(response.data):,} bytes")


if __name__ == "__main__":
    main()
