"""Security events reach the log with member id and IP, and never a secret."""

import logging

from flask import abort

from interacta.core.securitylog import security_event


def test_access_denied_and_csrf_failures_are_logged_with_ip(make_app, caplog):
    app = make_app(WTF_CSRF_ENABLED=True)

    @app.get("/forbidden")
    def forbidden():
        abort(403)

    @app.post("/form")
    def form():
        return "saved"

    client = app.test_client()
    with caplog.at_level(logging.INFO, logger="interacta.security"):
        client.get("/forbidden", environ_base={"REMOTE_ADDR": "203.0.113.9"})
        client.post("/form", data={"password": "hunter2hunter2"})
    lines = [r.getMessage() for r in caplog.records if r.name == "interacta.security"]
    assert any("event=access_denied" in line and "ip=203.0.113.9" in line for line in lines)
    assert any("event=csrf_failure" in line for line in lines)
    assert not any("hunter2" in line for line in lines)


def test_secret_details_are_never_logged(app, caplog):
    with (
        app.test_request_context("/x", environ_base={"REMOTE_ADDR": "198.51.100.7"}),
        caplog.at_level(logging.INFO, logger="interacta.security"),
    ):
        security_event("signin_failed", email="a@example.org", password="p4ss", reset_token="t0k")
    line = caplog.records[-1].getMessage()
    assert "event=signin_failed" in line and "ip=198.51.100.7" in line and "member=-" in line
    assert "a@example.org" not in line and "email_ref=" in line
    assert "p4ss" not in line and "t0k" not in line
