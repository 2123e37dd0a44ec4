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


@pytest.fixture
def shared_apps(make_app, redis_client):
    """Two app processes on one database and one Redis cache (keys under a prefix of
    their own, deleted afterwards): `(first, second, prefix)`."""
    import uuid

    prefix = f"interacta-test-{uuid.uuid4().hex}:"
    settings = {"CACHE_TYPE": "RedisCache", "CACHE_REDIS_URL": REDIS_URL}
    first = make_app(CACHE_KEY_PREFIX=prefix, **settings)
    second = make_app(
        migrate=False,
        CACHE_KEY_PREFIX=prefix,
        SQLALCHEMY_DATABASE_URI=first.config["SQLALCHEMY_DATABASE_URI"],
        **settings,
    )
    yield first, second, prefix
    for key in redis_client.scan_iter(prefix + "*"):
        redis_client.delete(key)
