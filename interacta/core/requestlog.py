"""One log line per request (route pattern, status, time, request id) and an
`X-Request-ID` header; `LOG_FORMAT=json` turns every log line into a JSON object.

The line carries the route *pattern* (`/events/registration/<token>`), never the concrete
path, so no token or address from a URL reaches the log. Observers registered with
`on_request` (the metrics) see the same values.
"""

from __future__ import annotations

import json
import logging
import re
import secrets
import time
from collections.abc import Callable

from flask import Flask, g, request

logger = logging.getLogger("interacta.request")

_HEADER = "X-Request-ID"
_GOOD_ID = re.compile(r"^[A-Za-z0-9._-]{8,64}$")
_observers: list[Callable[[str, str, int, float], None]] = []


def on_request(observer: Callable[[str, str, int, float], None]) -> None:
    """Call observer(method, route pattern, status, seconds) after each request."""
    if observer not in _observers:
        _observers.append(observer)


def route_pattern() -> str:
    """The matched rule (`/events/<slug>`), or a fixed word when nothing matched."""
    rule = request.url_rule
    if rule is not None:
        return rule.rule
    return "<static>" if request.path.startswith("/static/") else "<unmatched>"


def request_id() -> str:
    return g.get("request_id", "-")


def _start() -> None:
    g.request_started = time.perf_counter()
    # A proxy's id is kept when it looks like one, so logs on both sides line up.
    incoming = request.headers.get(_HEADER, "")
    g.request_id = incoming if _GOOD_ID.match(incoming) else secrets.token_hex(8)


def _finish(response):
    started = g.pop("request_started", None)
    seconds = time.perf_counter() - started if started is not None else 0.0
    rid = request_id()
    response.headers[_HEADER] = rid
    pattern = route_pattern()
    logger.info(
        "%s %s %s %.1fms",
        request.method,
        pattern,
        response.status_code,
        seconds * 1000,
        extra={
            "request_id": rid,
            "method": request.method,
            "route": pattern,
            "status": response.status_code,
            "duration_ms": round(seconds * 1000, 1),
        },
    )
    for observer in _observers:
        try:
            observer(request.method, pattern, response.status_code, seconds)
        except Exception:  # noqa: BLE001 - metrics never break a response
            logger.exception("request observer failed")
    return response


def install(app: Flask) -> None:
    app.before_request(_start)
    app.after_request(_finish)


class JsonFormatter(logging.Formatter):
    """Log records as one JSON object per line (LOG_FORMAT=json)."""

    FIELDS = ("request_id", "method", "route", "status", "duration_ms")

    def format(self, record: logging.LogRecord) -> str:
        data = {
            "time": self.formatTime(record, "%Y-%m-%dT%H:%M:%S%z"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        for field in self.FIELDS:
            if hasattr(record, field):
                data[field] = getattr(record, field)
        if record.exc_info:
            data["exception"] = self.formatException(record.exc_info)
        return json.dumps(data, ensure_ascii=False)


def configure(level: str, fmt: str) -> None:
    """Root logging for a process (web, worker, CLI) in text or JSON lines."""
    handler = logging.StreamHandler()
    if fmt == "json":
        handler.setFormatter(JsonFormatter())
    else:
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger()
    root.addHandler(handler)
    root.setLevel(level)
