"""Health check and the development mailbox."""

from __future__ import annotations

import logging

import sqlalchemy as sa
from flask import abort, current_app, jsonify, render_template

from interacta.core import bp
from interacta.core.models import OutboxMessage
from interacta.extensions import db, limiter

logger = logging.getLogger(__name__)


@bp.get("/healthz")
@limiter.exempt
def healthz():
    try:
        db.session.execute(sa.text("SELECT 1"))
    except sa.exc.SQLAlchemyError as exc:
        db.session.rollback()
        logger.error("health check: database unreachable: %s", exc)
        return jsonify(status="error", database="unreachable"), 503
    return jsonify(status="ok", database="ok")


def _mailbox_enabled() -> None:
    if not (current_app.debug or current_app.config.get("DEV_MAILBOX") and current_app.testing):
        abort(404)


@bp.get("/dev/mailbox")
def mailbox():
    _mailbox_enabled()
    messages = db.session.scalars(
        sa.select(OutboxMessage).order_by(OutboxMessage.id.desc()).limit(100)
    ).all()
    return render_template("core/mailbox.html", messages=messages)


@bp.get("/dev/mailbox/<int:message_id>")
def mailbox_message(message_id: int):
    _mailbox_enabled()
    message = db.get_or_404(OutboxMessage, message_id)
    return render_template("core/mailbox_message.html", message=message)
