"""The WSGI entry point (`gunicorn wsgi:app`): a served process settles its garbage collector
once the app is built and does not carry the tools only the command line uses; the same
module under `flask` still has them."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
#: Imported by the command line, a PDF or a DataCite export, never by serving a page.
NOT_SERVED = ("alembic", "flask_migrate", "reportlab", "datacite", "idutils")


@pytest.fixture
def env(tmp_path):
    return dict(
        os.environ,
        INTERACTA_ENV="development",
        DATABASE_URL=f"sqlite:///{tmp_path / 'app.db'}",
        INSTANCE_PATH=str(tmp_path / "instance"),
        FLASK_APP="wsgi",
    )


def _flask(env, *args):
    return subprocess.run(
        [sys.executable, "-m", "flask", *args],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=120,
    )  # fmt: skip


def test_the_command_line_migrates_and_the_served_app_is_frozen_and_light(env):
    # The command line (the same wsgi module under `flask`) has the migration commands.
    done = _flask(env, "db", "upgrade")
    assert done.returncode == 0, done.stderr
    assert "(head)" in _flask(env, "db", "current").stdout

    # Served: the garbage collector settled, the command line's tools not loaded, even
    # after a page.
    code = (
        "import gc, json, sys, wsgi; "
        "status = wsgi.app.test_client().get('/').status_code; "
        "print(json.dumps([gc.get_freeze_count(), gc.get_threshold(), status, "
        f"[m for m in {NOT_SERVED!r} if m in sys.modules]]))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, check=True
    ).stdout
    frozen, threshold, status, loaded = json.loads(out.strip().splitlines()[-1])
    assert status == 200
    assert frozen > 10_000  # the app's objects, not a handful
    assert threshold == [10_000, 20, 20]
    assert loaded == []
