"""PostgreSQL with committed data, for tests of concurrency between processes/connections.

`pg_app` is an app on a database of its own (created next to TEST_DATABASE_URL's and
dropped afterwards), so threads with separate connections see each other's commits.
"""

from __future__ import annotations

import os
import uuid

import flask_migrate
import pytest
import sqlalchemy as sa

from config import TestConfig
from interacta import create_app
from interacta.extensions import db as _db

pytestmark = pytest.mark.postgres_only


@pytest.fixture
def pg_app(tmp_path):
    base = os.environ["TEST_DATABASE_URL"].replace("postgresql://", "postgresql+psycopg://", 1)
    url = sa.make_url(base)
    name = f"interacta_live_{uuid.uuid4().hex[:8]}"
    admin = sa.create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
    app = create_app(
        TestConfig,
        instance_path=str(tmp_path),
        SQLALCHEMY_DATABASE_URI=url.set(database=name).render_as_string(hide_password=False),
        SQLALCHEMY_ENGINE_OPTIONS={"pool_size": 20, "max_overflow": 40},
    )
    with app.app_context():
        flask_migrate.upgrade()
        _db.session.remove()
    yield app
    with app.app_context():
        _db.engine.dispose()
    with admin.connect() as conn:
        conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    admin.dispose()
