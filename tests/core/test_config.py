"""Configuration read from the environment, as `make run` and the README use it."""

from __future__ import annotations

import subprocess
import sys

import pytest

LINK = (
    "from interacta import create_app\n"
    "from interacta.core.urls import external_url\n"
    "app = create_app()\n"
    "with app.app_context():\n"
    "    print(external_url('members.reset_request'))\n"
)


def _mailed_link(tmp_path, **env) -> str:
    """The link a mail would carry, from a fresh process with `env` (and nothing else)."""
    env = {"PATH": "/usr/bin:/bin", "INSTANCE_PATH": str(tmp_path), **env}
    result = subprocess.run(
        [sys.executable, "-c", LINK], env=env, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


@pytest.mark.parametrize(
    ("env", "link"),
    [
        ({}, "http://127.0.0.1:5000/members/reset"),
        ({"PORT": "8000"}, "http://127.0.0.1:8000/members/reset"),
        (
            {"PORT": "8000", "SERVER_BASE_URL": "https://interacta.example.org"},
            "https://interacta.example.org/members/reset",
        ),
    ],
)
def test_development_mails_link_to_the_port_make_run_serves(tmp_path, env, link):
    """`PORT=8000 make run` serves on 8000: the links in its mails must point there."""
    assert _mailed_link(tmp_path, INTERACTA_ENV="development", **env) == link
