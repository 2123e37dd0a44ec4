"""With JOBS_REDIS_URL the job queue lives in Redis: a job queued by one app process is
run by a worker of another."""

from __future__ import annotations

import uuid

from interacta.core import jobs
from tests.redis.conftest import REDIS_URL


def test_a_background_job_queued_by_one_process_runs_in_another(make_app, redis_client):
    name = f"interacta-test-{uuid.uuid4().hex[:8]}"
    web = make_app(JOBS_REDIS_URL=REDIS_URL, JOBS_IMMEDIATE=False, JOBS_QUEUE_NAME=name)
    worker = make_app(JOBS_REDIS_URL=REDIS_URL, JOBS_IMMEDIATE=False, JOBS_QUEUE_NAME=name)
    seen = []
    for app in (web, worker):
        jobs.register_background(app, jobs.BackgroundJob("note", lambda **kw: seen.append(kw)))
    try:
        with web.app_context():
            jobs.enqueue("note", what="import 42")
        assert seen == [], "queued, not run by the web process"
        queue = jobs.huey_for(worker)
        assert queue.pending_count() == 1
        queue.execute(queue.dequeue())
        assert seen == [{"what": "import 42"}]
    finally:
        jobs.huey_for(web).storage.flush_all()
