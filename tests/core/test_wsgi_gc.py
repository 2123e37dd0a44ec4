"""The WSGI entry point settles the process's garbage collector once the app is built."""

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_the_served_app_is_frozen_for_the_collector(tmp_path):
    env = dict(
        os.environ,
        INTERACTA_ENV="development",
        DATABASE_URL=f"sqlite:///{tmp_path / 'app.db'}",
        INSTANCE_PATH=str(tmp_path / "instance"),
    )
    code = (
        "import gc, json, wsgi; "
        "print(json.dumps([gc.get_freeze_count(), gc.get_threshold(), wsgi.app.name]))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, check=True
    ).stdout
    frozen, threshold, name = json.loads(out.strip().splitlines()[-1])
    assert name == "interacta"
    assert frozen > 10_000  # the app's objects, not a handful
    assert threshold == [10_000, 20, 20]
