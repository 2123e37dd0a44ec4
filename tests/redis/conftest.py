"""Redis for the scale-out tests: TEST_REDIS_URL (default redis://127.0.0.1:6379/15).

Skipped when Redis is unreachable, unless REQUIRE_POSTGRES=1 (CI, which has Redis): then
the tests fail instead."""

from __future__ import annotations

import os

import pytest

REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/15")


@pytest.fixture
def redis_client():
    import redis

    client = redis.Redis.from_url(REDIS_URL, socket_timeout=5)
    try:
        client.ping()
    except redis.RedisError as exc:
        client.close()
        if os.environ.get("REQUIRE_POSTGRES") == "1":
            pytest.fail(f"Redis at {REDIS_URL} is unreachable ({exc}) but REQUIRE_POSTGRES=1")
        pytest.skip(f"Redis at {REDIS_URL} is unreachable")
    yield client
    client.close()
