"""Prometheus metrics (`/metrics`).

Per-process counters (requests, latency, job runs, sign-ins) use prometheus_client; under
gunicorn set PROMETHEUS_MULTIPROC_DIR (an empty directory, before the processes start) and
each process writes its values there, so a scrape sees the sum over all workers. Figures
that live in the database (outbox depth and age, registrations, job results, periodic jobs'
last success) are read at scrape time, so every process answers the same.
"""

from __future__ import annotations

import hmac
import os
from datetime import UTC, datetime

import sqlalchemy as sa
from flask import Flask, current_app, request
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
    multiprocess,
)
from prometheus_client.core import GaugeMetricFamily

from interacta.core import jobs, requestlog, securitylog
from interacta.core.models import JobRun, OutboxMessage, utcnow
from interacta.events.models import Registration
from interacta.extensions import db

#: The registry of this process's own metrics (used as is without multiprocess mode).
REGISTRY = CollectorRegistry(auto_describe=True)

REQUESTS = Counter(
    "interacta_http_requests",
    "HTTP requests by route pattern, method and status.",
    ["method", "route", "status"],
    registry=REGISTRY,
)
LATENCY = Histogram(
    "interacta_http_request_duration_seconds",
    "Time to answer a request, by route pattern.",
    ["route"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
    registry=REGISTRY,
)
JOB_RUNS = Counter(
    "interacta_job_runs",
    "Periodic job runs by this process's worker, by job and result.",
    ["job", "result"],
    registry=REGISTRY,
)
SIGNINS = Counter(
    "interacta_signins",
    "Sign-in attempts by result.",
    ["result"],
    registry=REGISTRY,
)
SECURITY_EVENTS = Counter(
    "interacta_security_events",
    "Security events (rate-limit hits, access denied, CSRF failures...) by kind.",
    ["event"],
    registry=REGISTRY,
)


def _observe_request(method: str, route: str, status: int, seconds: float) -> None:
    if route == "/metrics":
        return  # the scraper's own requests would drown the rest
    REQUESTS.labels(method, route, str(status)).inc()
    LATENCY.labels(route).observe(seconds)


def _observe_job(name: str, status: str, seconds: float) -> None:
    JOB_RUNS.labels(name, status).inc()


def _observe_security(event: str, details: dict) -> None:
    SECURITY_EVENTS.labels(event).inc()
    if event == "signin_success":
        SIGNINS.labels("success").inc()
    elif event == "signin_failed":
        SIGNINS.labels("failure").inc()


class DatabaseCollector:
    """Figures read from the database at scrape time (the same from every process)."""

    def collect(self):
        now = utcnow()
        depth = GaugeMetricFamily(
            "interacta_outbox_messages", "Messages in the outbox by status.", labels=["status"]
        )
        for status, n in db.session.execute(
            sa.select(OutboxMessage.status, sa.func.count()).group_by(OutboxMessage.status)
        ):
            depth.add_metric([status], n)
        yield depth
        oldest = db.session.scalar(
            sa.select(sa.func.min(OutboxMessage.created_at)).where(
                OutboxMessage.status.in_(("render", "queued", "sending"))
            )
        )
        yield GaugeMetricFamily(
            "interacta_outbox_oldest_waiting_seconds",
            "Age of the oldest message not yet delivered (0 when none waits).",
            value=(now - oldest).total_seconds() if oldest else 0.0,
        )
        registrations = GaugeMetricFamily(
            "interacta_registrations",
            "Event registrations by status (all time).",
            labels=["status"],
        )
        for status, n in db.session.execute(
            sa.select(Registration.status, sa.func.count()).group_by(Registration.status)
        ):
            registrations.add_metric([status], n)
        yield registrations
        runs = GaugeMetricFamily(
            "interacta_job_runs_recorded",
            "Periodic job runs recorded in job_runs (kept 30 days), by job and result.",
            labels=["job", "result"],
        )
        for job, status, n in db.session.execute(
            sa.select(JobRun.job, JobRun.status, sa.func.count()).group_by(
                JobRun.job, JobRun.status
            )
        ):
            runs.add_metric([job, status], n)
        yield runs
        last = GaugeMetricFamily(
            "interacta_job_last_success_timestamp_seconds",
            "When each periodic job last finished well (Unix time; 0: never).",
            labels=["job"],
        )
        overdue = GaugeMetricFamily(
            "interacta_job_overdue",
            "1 when a periodic job has not run well in time.",
            labels=["job"],
        )
        successes = jobs.last_successes()
        late = jobs.overdue_jobs(now)
        for job in jobs.periodic_jobs():
            when = successes.get(job.name)
            last.add_metric([job.name], when.timestamp() if when else 0.0)
            overdue.add_metric([job.name], 1.0 if job.name in late else 0.0)
        yield last
        yield overdue
        yield GaugeMetricFamily(
            "interacta_scrape_timestamp_seconds",
            "When these figures were read.",
            value=datetime.now(UTC).timestamp(),
        )


def render() -> tuple[bytes, str]:
    """The metrics in Prometheus' text format."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
    else:
        registry = CollectorRegistry()
        registry.register(_Own())
    registry.register(DatabaseCollector())
    return generate_latest(registry), CONTENT_TYPE_LATEST


class _Own:
    def collect(self):
        yield from REGISTRY.collect()


def allowed() -> bool:
    """The bearer token from METRICS_TOKEN; without a token set, in development only, a
    request from 127.0.0.1 (behind a proxy everyone looks local, so never in production)."""
    token = current_app.config.get("METRICS_TOKEN")
    header = request.headers.get("Authorization", "")
    if token:
        scheme, _, given = header.partition(" ")
        return scheme.lower() == "bearer" and hmac.compare_digest(given.strip(), token)
    development = current_app.config["ENV_NAME"] == "development"
    return development and request.remote_addr in ("127.0.0.1", "::1")


def install(app: Flask) -> None:
    requestlog.on_request(_observe_request)
    jobs.on_run(_observe_job)
    securitylog.on_event(_observe_security)
