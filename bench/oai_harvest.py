#!/usr/bin/env python3
"""`make bench-oai`: harvest the whole bench dataset through /oai with a real harvester.

Builds the bench dataset (bench/dataset.py: 10,000 publications at BENCH_SCALE=1.0) in a
SQLite database in a temporary folder, serves the app on 127.0.0.1 (Werkzeug's threaded
server, in this process), then harvests every record with Sickle (PyPI), once in each
format, and prints the count, the time and the rate. Exits 1 when a record is missing.

Environment: BENCH_SCALE (1.0).
"""

from __future__ import annotations

import os
import secrets
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

SCALE = float(os.environ.get("BENCH_SCALE", "1.0"))


def main() -> int:
    import flask_migrate
    from sickle import Sickle
    from werkzeug.serving import make_server

    from bench.dataset import build
    from config import Config
    from interacta import create_app
    from interacta.extensions import db

    with tempfile.TemporaryDirectory(prefix="interacta-oai-bench-") as work:
        url = f"sqlite:///{Path(work) / 'bench.db'}"
        app = create_app(
            Config,
            instance_path=work,
            SECRET_KEY=secrets.token_hex(32),
            SQLALCHEMY_DATABASE_URI=url,
            OAI_RATE_LIMIT="100000/minute",
        )
        with app.app_context():
            flask_migrate.upgrade()
            db.session.remove()
        started = time.perf_counter()
        info = build(url, scale=SCALE)
        expected = info["counts"]["publications"]
        print(f"dataset: {expected:,} publications in {time.perf_counter() - started:.1f} s")

        server = make_server("127.0.0.1", 0, app, threaded=True)
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        base = f"http://127.0.0.1:{server.server_port}"
        app.config["SERVER_BASE_URL"] = base
        failed = False
        try:
            for prefix in ("oai_dc", "oai_datacite"):
                started = time.perf_counter()
                records = Sickle(f"{base}/oai").ListRecords(metadataPrefix=prefix)
                seen = {record.header.identifier for record in records}
                seconds = time.perf_counter() - started
                pages = -(-len(seen) // 100)
                print(
                    f"ListRecords {prefix:<13} {len(seen):>6,} records in {pages} pages, "
                    f"{seconds:6.1f} s ({len(seen) / seconds:,.0f} records/s, "
                    f"{1000 * seconds / pages:.0f} ms/page)"
                )
                if len(seen) != expected:
                    print(f"  LOST RECORDS: expected {expected:,}, harvested {len(seen):,}")
                    failed = True
        finally:
            server.shutdown()
            thread.join(timeout=10)
            server.server_close()
            with app.app_context():
                db.engine.dispose()
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
