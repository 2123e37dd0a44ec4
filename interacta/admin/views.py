"""Routes of the operator console, readiness and metrics (only the app factory imports
this module)."""

from __future__ import annotations

import logging

from flask import abort, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user

from interacta.admin import bp, metrics, services
from interacta.core.auth import admin_required
from interacta.core.mail import deliver_committed
from interacta.core.pagination import page_arg
from interacta.extensions import db, limiter

logger = logging.getLogger(__name__)

OUTBOX_PER_PAGE = 50


@bp.context_processor
def console_helpers() -> dict:
    """The console's templates write stored statuses in the operator's language."""
    return {"status_label": services.status_label}


@bp.get("/admin")
@admin_required
def console():
    board = services.dashboard()
    return render_template("admin/console.html", board=board)


@bp.post("/admin/mail/retry-failed")
@admin_required
def retry_failed():
    count = services.retry_failed(current_user)
    db.session.commit()
    deliver_committed()
    flash(
        ngettext(
            "%(num)s failed message queued again.", "%(num)s failed messages queued again.", count
        ),
        "success",
    )
    return redirect(url_for("admin.console") + "#mail-title")


@bp.get("/admin/mail")
@admin_required
def outbox():
    q = request.args.get("q", "")[:200]
    status = request.args.get("status", "")
    status = status if status in services.STATUSES else ""
    pagination = db.paginate(
        services.search_outbox(q, status),
        page=page_arg(),
        per_page=OUTBOX_PER_PAGE,
        error_out=False,
    )
    return render_template(
        "admin/outbox.html",
        pagination=pagination,
        messages=pagination.items,
        q=q,
        status=status,
        statuses=services.STATUSES,
    )


@bp.get("/admin/mail/<int:message_id>")
@admin_required
def outbox_message(message_id: int):
    message, events = services.message_history(message_id)
    return render_template("admin/outbox_message.html", message=message, events=events)


@bp.post("/admin/mail/<int:message_id>/resend")
@admin_required
def resend(message_id: int):
    services.resend(message_id, current_user)
    db.session.commit()
    deliver_committed()
    flash(_("The message is queued again."), "success")
    return redirect(url_for("admin.outbox_message", message_id=message_id))


@bp.get("/readyz")
@limiter.exempt
def readyz():
    ready, details = services.readiness()
    if not ready:
        logger.warning("not ready: %s", "; ".join(details["reasons"]))
    return jsonify(details), 200 if ready else 503


@bp.get("/metrics")
@limiter.exempt
def prometheus_metrics():
    if not metrics.allowed():
        abort(404)
    body, content_type = metrics.render()
    return body, 200, {"Content-Type": content_type, "Cache-Control": "no-store"}
