"""Views of the consent blueprint: the policy, Cookie Management, the consent endpoint and
the admin pages (consent log CSV, visit statistics)."""

from __future__ import annotations

import logging
from datetime import date
from urllib.parse import urlsplit

from babel.dates import format_skeleton
from flask import (
    Response,
    abort,
    current_app,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    stream_with_context,
    url_for,
)
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user
from flask_wtf.csrf import ValidationError, validate_csrf

from interacta.consent import bp, gate, registry
from interacta.consent import services as svc
from interacta.core.auth import admin_required, safe_next
from interacta.core.models import utcnow
from interacta.core.timezones import all_timezones, format_day, is_valid_timezone
from interacta.extensions import csrf, db, limiter

logger = logging.getLogger(__name__)


def saved_message() -> str:
    return _("Your cookie choice was saved.")


def check_csrf() -> None:
    """CSRF for the consent forms without putting a token in a fresh visitor's session.

    A form that carries a token (the session already had one) is checked as usual; one
    without must come from this site (Origin, or Referer), which browsers always send on a
    cross-site POST. So the banner sets no cookie before the visitor chooses.
    """
    if not current_app.config.get("WTF_CSRF_ENABLED", True):
        return
    token = request.form.get("csrf_token") or request.headers.get("X-CSRFToken")
    if token:
        try:
            validate_csrf(token)
        except ValidationError:
            abort(400, _("This form has expired. Please reload the page and try again."))
        return
    source = request.headers.get("Origin") or request.headers.get("Referer")
    if not source or urlsplit(source).netloc != request.host:
        abort(
            400, _("This form must be sent from this site. Please reload the page and try again.")
        )


def wants_json() -> bool:
    return request.accept_mimetypes.best == "application/json"


def policy_day(value: str) -> str:
    """The policy's date (ISO in the configuration) written for the page's language."""
    try:
        return format_day(date.fromisoformat(value))
    except (TypeError, ValueError):
        return value


@bp.get("/cookies")
def policy():
    config = current_app.config
    return render_template(
        "consent/policy.html",
        categories=[registry.CATEGORY_INFO[c] for c in registry.CATEGORIES],
        cookies_in=registry.cookies_in,
        version=config["COOKIE_POLICY_VERSION"],
        policy_date=config["COOKIE_POLICY_DATE"],
        policy_day=policy_day(config["COOKIE_POLICY_DATE"]),
        policy_hash=gate.policy_hash(),
        acceptance_months=12,
        refusal_months=6,
    )


@bp.get("/cookies/preferences")
def preferences():
    current = gate.state()
    shown = current.choice or current.previous
    timezone = None
    if current_user.is_authenticated:
        timezone = getattr(current_user, "timezone", None)
    else:
        timezone = gate.preference("tz")
    return render_template(
        "consent/preferences.html",
        state=current,
        shown=shown,
        categories=[registry.CATEGORY_INFO[c] for c in registry.CATEGORIES],
        cookies_in=registry.cookies_in,
        timezones=all_timezones(),
        timezone=timezone,
    )


@bp.post("/cookies/consent")
@csrf.exempt
@limiter.limit("120/minute")
def choose():
    """Record a choice: Accept all / Reject all (banner), Save (Cookie Management), or allow
    one category (e.g. the button on a video placeholder)."""
    check_csrf()
    switched_on = {c: request.form.get(c) in ("on", "1", "true", "yes") for c in registry.OPTIONAL}
    choice = gate.choose(
        request.form.get("action", ""), switched_on, category=request.form.get("category")
    )
    db.session.commit()
    target = safe_next(request.form.get("next"), default=url_for("consent.preferences"))
    if wants_json():
        return jsonify(
            ok=True, message=saved_message(), action=choice.action, choice=choice.values()
        )
    flash(saved_message(), "success")
    return redirect(target, code=303)


@bp.post("/cookies/preferences/timezone")
@csrf.exempt
def remember_timezone():
    """Keep the time zone: on the account for a member, in the functionality cookie for a
    visitor who allows it."""
    check_csrf()
    zone = request.form.get("timezone", "")
    if not is_valid_timezone(zone):
        abort(400, _("Please choose a time zone from the list."))
    response = redirect(url_for("consent.preferences", _anchor="timezone"), code=303)
    if current_user.is_authenticated:
        current_user.timezone = zone
        db.session.commit()
        flash(_("Your time zone is now %(zone)s.", zone=zone), "success")
    elif gate.remember_preference(response, "tz", zone):
        flash(
            _("Your time zone %(zone)s will be remembered in this browser.", zone=zone), "success"
        )
    else:
        flash(_("Allow functionality cookies to have your time zone remembered."), "warning")
    return response


@bp.get("/cookies/admin/log.csv")
@admin_required
def log_csv():
    filename = f"consent-log-{utcnow().date().isoformat()}.csv"
    return Response(
        stream_with_context(svc.log_csv_rows()),
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


CHART_WIDTH = 720
CHART_HEIGHT = 240
CHART_PAD = 32


def day_label(day: date) -> str:
    """A chart's day label ("26 Nov", "26. Nov.") in the page's language."""
    return format_skeleton("dMMM", day, locale=get_locale())


def chart(stats: list[svc.DayStats]) -> dict:
    """Bar geometry for the server-rendered SVG chart (views as bars, visitors as dots)."""
    top = max([s.views for s in stats] + [s.visitors for s in stats] + [1])
    inner_w = CHART_WIDTH - 2 * CHART_PAD
    inner_h = CHART_HEIGHT - 2 * CHART_PAD
    step = inner_w / len(stats)
    bars = []
    for i, s in enumerate(stats):
        h = inner_h * s.views / top
        v = inner_h * s.visitors / top
        x = CHART_PAD + i * step
        bars.append(
            {
                "x": round(x + step * 0.1, 1),
                "w": round(step * 0.8, 1),
                "y": round(CHART_PAD + inner_h - h, 1),
                "h": round(h, 1),
                "cx": round(x + step / 2, 1),
                "cy": round(CHART_PAD + inner_h - v, 1),
                "stat": s,
                "label": day_label(s.day) if i % 5 == 0 or i == len(stats) - 1 else "",
            }
        )
    return {
        "width": CHART_WIDTH,
        "height": CHART_HEIGHT,
        "pad": CHART_PAD,
        "base": CHART_PAD + inner_h,
        "top": top,
        "bars": bars,
    }


@bp.get("/cookies/admin/stats")
@admin_required
def stats():
    today: date = utcnow().date()
    days = svc.daily_stats(today, 30)
    return render_template(
        "consent/stats.html",
        days=days,
        chart=chart(days),
        paths=svc.top_paths(today, 30),
        total_views=sum(d.views for d in days),
        total_visitors=sum(d.visitors for d in days),
    )
