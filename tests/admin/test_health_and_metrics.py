"""Readiness, Prometheus metrics and the request log."""

from __future__ import annotations

import json
import logging
import os
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest
from prometheus_client.parser import text_string_to_metric_families

from interacta.core import jobs
from interacta.core.models import JobRun, OutboxMessage, utcnow
from interacta.core.requestlog import JsonFormatter

ROOT = Path(__file__).resolve().parents[2]
TOKEN = "metrics-token-for-tests-0123456789"


def _all_jobs_ran(db, app, late=()):
    for job in jobs.periodic_jobs(app):
        when = utcnow() - timedelta(hours=3) if job.name in late else utcnow()
        db.session.add(
            JobRun(
                job=job.name,
                period=jobs.period_key(job, when),
                status="ok",
                started_at=when,
                finished_at=when,
            )
        )
    db.session.commit()


def test_readyz_is_ready_when_the_database_outbox_and_jobs_are_fine(client, db, app):
    _all_jobs_ran(db, app)
    response = client.get("/readyz")
    assert response.status_code == 200
    assert response.json["checks"] == {"database": "ok", "outbox": "ok", "jobs": "ok"}


def test_readyz_says_not_ready_when_no_worker_ever_ran(client, db):
    response = client.get("/readyz")
    assert response.status_code == 503
    assert "no job worker has run yet" in " ".join(response.json["reasons"])


def test_readyz_turns_503_when_the_outbox_is_stuck(client, db, app):
    _all_jobs_ran(db, app)
    db.session.add(
        OutboxMessage(
            to_addr="x@example.org",
            subject="Stuck",
            text_body="-",
            created_at=utcnow() - timedelta(hours=2),
            next_attempt_at=utcnow() + timedelta(minutes=5),
        )
    )
    db.session.commit()
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json["checks"]["outbox"] == "stuck"
    assert any(
        "oldest queued message has waited 120 minutes" in r for r in response.json["reasons"]
    )


def test_readyz_turns_503_when_a_periodic_job_is_overdue(client, db, app):
    _all_jobs_ran(db, app, late=("event-reminders",))  # hourly, last run 3 hours ago
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json["checks"]["jobs"] == "overdue"
    assert [r for r in response.json["reasons"] if "event-reminders" in r]
    assert not [r for r in response.json["reasons"] if "guest-data-purge" in r]


def test_readyz_checks_redis_when_configured(client, db, app, monkeypatch):
    _all_jobs_ran(db, app)
    monkeypatch.setitem(app.config, "CACHE_REDIS_URL", "redis://127.0.0.1:1/0")
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json["checks"]["cache_redis"] == "unreachable"


def test_metrics_refuse_without_the_token(client, app, monkeypatch):
    monkeypatch.setitem(app.config, "METRICS_TOKEN", TOKEN)
    assert client.get("/metrics").status_code == 404
    wrong = {"Authorization": "Bearer not-the-token"}
    assert client.get("/metrics", headers=wrong).status_code == 404
    basic = {"Authorization": f"Basic {TOKEN}"}
    assert client.get("/metrics", headers=basic).status_code == 404


def test_metrics_parse_and_count_requests_by_route_pattern(client, db, app, monkeypatch):
    monkeypatch.setitem(app.config, "METRICS_TOKEN", TOKEN)
    db.session.add(
        OutboxMessage(
            to_addr="q@example.org",
            subject="Waiting",
            text_body="-",
            created_at=utcnow() - timedelta(minutes=3),
        )
    )
    db.session.commit()
    client.get("/events/registration/" + "z" * 40)
    response = client.get("/metrics", headers={"Authorization": f"Bearer {TOKEN}"})
    assert response.status_code == 200
    text = response.get_data(as_text=True)
    families = {f.name: f for f in text_string_to_metric_families(text)}
    for name in (
        "interacta_http_requests",
        "interacta_http_request_duration_seconds",
        "interacta_outbox_messages",
        "interacta_outbox_oldest_waiting_seconds",
        "interacta_registrations",
        "interacta_job_overdue",
        "interacta_signins",
        "interacta_job_runs",
    ):
        assert name in families, name
    routes = {s.labels.get("route") for s in families["interacta_http_requests"].samples}
    assert "/events/registration/<token>" in routes
    assert "z" * 40 not in text, "never a concrete path with its token"
    [age] = families["interacta_outbox_oldest_waiting_seconds"].samples
    assert 170 < age.value < 600
    queued = [
        s for s in families["interacta_outbox_messages"].samples if s.labels["status"] == "queued"
    ]
    assert queued[0].value == 1


@pytest.mark.parametrize(
    ("env", "remote", "status"),
    [
        ("development", "127.0.0.1", 200),
        ("development", "10.1.2.3", 404),
        ("production", "127.0.0.1", 404),
    ],
)
def test_metrics_without_a_token_only_in_development_from_localhost(
    client, db, app, monkeypatch, env, remote, status
):
    monkeypatch.setitem(app.config, "ENV_NAME", env)
    response = client.get("/metrics", environ_base={"REMOTE_ADDR": remote})
    assert response.status_code == status


def test_metrics_add_up_across_gunicorn_processes(tmp_path):
    """Multiprocess mode: two processes count requests; a third one's scrape sums them."""
    multiproc = tmp_path / "prom"
    multiproc.mkdir()
    script = """
import sys
from config import TestConfig
from interacta import create_app
import flask_migrate
app = create_app(TestConfig, instance_path=sys.argv[1],
                 SQLALCHEMY_DATABASE_URI="sqlite:///" + sys.argv[1] + "/app.db",
                 METRICS_TOKEN="t" * 32)
with app.app_context():
    flask_migrate.upgrade()
client = app.test_client()
if sys.argv[2] == "serve":
    for _ in range(3):
        client.get("/about")
else:
    auth = {"Authorization": "Bearer " + "t" * 32}
    print(client.get("/metrics", headers=auth).get_data(as_text=True))
"""
    env = {**os.environ, "PROMETHEUS_MULTIPROC_DIR": str(multiproc)}
    instance = tmp_path / "inst"
    instance.mkdir()
    for _ in range(2):
        subprocess.run(
            [sys.executable, "-c", script, str(instance), "serve"], cwd=ROOT, env=env, check=True
        )
    out = subprocess.run(
        [sys.executable, "-c", script, str(instance), "scrape"],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    families = {f.name: f for f in text_string_to_metric_families(out)}
    about = [
        s
        for s in families["interacta_http_requests"].samples
        if s.labels.get("route") == "/about" and s.name.endswith("_total")
    ]
    assert about and about[0].value == 6


def test_each_request_logs_one_line_with_route_status_time_and_request_id(client, caplog):
    with caplog.at_level(logging.INFO, logger="interacta.request"):
        response = client.get("/events/registration/" + "s3cret" * 8)
    request_id = response.headers["X-Request-ID"]
    lines = [r for r in caplog.records if r.name == "interacta.request"]
    assert len(lines) == 1
    record = lines[0]
    assert record.route == "/events/registration/<token>"
    assert record.status == 404 and record.duration_ms >= 0
    assert record.request_id == request_id
    assert "s3cret" not in record.getMessage()
    data = json.loads(JsonFormatter().format(record))
    assert data["request_id"] == request_id and data["route"] == record.route
    assert data["status"] == 404


def test_a_proxys_request_id_is_kept_and_a_bad_one_replaced(client):
    good = client.get("/about", headers={"X-Request-ID": "abc-123-def-456"})
    assert good.headers["X-Request-ID"] == "abc-123-def-456"
    bad = client.get("/about", headers={"X-Request-ID": "<script>alert(1)</script>"})
    assert bad.headers["X-Request-ID"] != "<script>alert(1)</script>"
    assert len(bad.headers["X-Request-ID"]) == 16


def test_sign_in_never_puts_an_address_or_password_in_any_log(client, make_member, caplog):
    from tests.fixtures.members import GOOD_PASSWORD

    make_member(email="quiet@example.org", password=GOOD_PASSWORD)
    with caplog.at_level(logging.DEBUG):
        client.post("/members/login", data={"email": "quiet@example.org", "password": "Wr0ng-pw-x"})
        client.post(
            "/members/login", data={"email": "quiet@example.org", "password": GOOD_PASSWORD}
        )
    everything = "\n".join(r.getMessage() for r in caplog.records)
    assert "quiet@example.org" not in everything
    assert "Wr0ng-pw-x" not in everything and GOOD_PASSWORD not in everything
