"""Rate limits hold across app processes when they share Redis (RATELIMIT_STORAGE_URI).

Two app processes (not two apps in one process: the limiter extension is one object per
process, so in-process apps would share it whatever the storage) on one database; wrong
sign-ins alternate between them. The account's limit (5 a minute) must answer 429 on the
6th attempt in all, not on the 11th as two separate in-memory counters would.

Skipped when Redis at TEST_REDIS_URL (default redis://127.0.0.1:6379/15) is unreachable,
unless REQUIRE_POSTGRES=1 (CI, which has Redis): then it fails.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from pathlib import Path

from tests.redis.conftest import REDIS_URL

ROOT = Path(__file__).resolve().parents[2]

ACCOUNT_LIMIT = 5  # members.views.login: "5/minute;30/day" per submitted email and client


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_until_up(base: str, proc: subprocess.Popen) -> None:
    for _ in range(150):  # 30 s at most
        if proc.poll() is not None:
            raise AssertionError(f"app process exited with {proc.returncode}")
        try:
            urllib.request.urlopen(base + "/members/login", timeout=5).read()  # noqa: S310
            return
        except OSError:
            time.sleep(0.2)
    raise AssertionError(f"{base} did not start")


def _wrong_sign_in(base: str, email: str) -> int:
    data = urllib.parse.urlencode({"email": email, "password": "not-the-password"}).encode()
    request = urllib.request.Request(base + "/members/login", data=data, method="POST")  # noqa: S310
    try:
        with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310 - loopback
            return response.status
    except urllib.error.HTTPError as exc:
        exc.read()
        return exc.code


def test_wrong_sign_ins_through_two_processes_hit_one_shared_limit(
    make_app, tmp_path, redis_client
):
    prefix = f"interacta-test-{uuid.uuid4().hex[:12]}"
    app = make_app()  # a migrated SQLite file both processes use
    database_uri = app.config["SQLALCHEMY_DATABASE_URI"]
    env = dict(os.environ, RATELIMIT_STORAGE_URI=REDIS_URL, RATELIMIT_KEY_PREFIX=prefix)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
    procs, bases = [], []
    try:
        for n in range(2):
            port = _free_port()
            instance = tmp_path / f"instance{n}"
            instance.mkdir()
            procs.append(
                subprocess.Popen(
                    [sys.executable, str(Path(__file__).with_name("_server.py")),
                     str(port), database_uri, str(instance)],
                    cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                )
            )  # fmt: skip
            bases.append(f"http://127.0.0.1:{port}")
        for base, proc in zip(bases, procs, strict=True):
            _wait_until_up(base, proc)

        email = f"{prefix}@example.org"
        statuses = [_wrong_sign_in(bases[i % 2], email) for i in range(2 * ACCOUNT_LIMIT + 2)]

        assert statuses[:ACCOUNT_LIMIT] == [400] * ACCOUNT_LIMIT
        assert statuses[ACCOUNT_LIMIT] == 429  # the 6th in all, through the second process
        assert set(statuses[ACCOUNT_LIMIT:]) == {429}
        assert list(redis_client.scan_iter(match=f"*{prefix}*"))  # the counters live in Redis
    finally:
        for proc in procs:
            proc.terminate()
            proc.wait(timeout=30)
        keys = list(redis_client.scan_iter(match=f"*{prefix}*"))
        if keys:
            redis_client.delete(*keys)
