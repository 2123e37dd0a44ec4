"""Demo data: a month of aggregated page views, so the statistics page shows a chart."""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa

from interacta.consent.models import PageView, VisitorDay
from interacta.core.models import utcnow
from interacta.extensions import db

DEMO_PATHS = ("/", "/events/", "/publications/", "/about", "/cookies")


def seed_demo() -> None:
    """Thirty days of plausible page-view counts (skipped if any counts exist)."""
    if db.session.scalar(sa.select(sa.func.count()).select_from(PageView)):
        return
    today = utcnow().date()
    for back in range(30):
        day = today - timedelta(days=back)
        visitors = 20 + (back * 7) % 23
        db.session.add(VisitorDay(day=day, visitors=visitors))
        for i, path in enumerate(DEMO_PATHS):
            db.session.add(PageView(day=day, path=path, views=visitors * (5 - i) // 2 + back % 4))
    db.session.flush()
