"""consent: page views of a URL that carries a token are kept under the route's pattern

Guest registration, password-reset, verification and email-change links were counted
with their token and listed on /cookies/admin/stats. The rows already stored are merged
into one per day under the pattern the app now counts them by
(interacta/consent/gate.py: `_counted_path`).

Revision ID: 0012_page_view_patterns
Revises: 0011_languages
Create Date: 2026-11-26 11:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0012_page_view_patterns'
down_revision = '0011_languages'
branch_labels = None
depends_on = None

#: (what the stored paths start with, the route pattern they are counted under now)
TOKEN_ROUTES = [
    ("/events/registration/", "/events/registration/<token>"),
    ("/events/my/", "/events/my/<token>.ics"),
    ("/members/reset/", "/members/reset/<token>"),
    ("/members/verify/", "/members/verify/<token>"),
    ("/members/confirm-email/", "/members/confirm-email/<token>"),
]

page_views = sa.table(
    "page_views",
    sa.column("id", sa.Integer),
    sa.column("day", sa.Date),
    sa.column("path", sa.String),
    sa.column("views", sa.Integer),
)


def upgrade():
    conn = op.get_bind()
    for prefix, pattern in TOKEN_ROUTES:
        matching = sa.or_(
            page_views.c.path == pattern,
            sa.func.substr(page_views.c.path, 1, len(prefix)) == prefix,
        )
        totals = conn.execute(
            sa.select(page_views.c.day, sa.func.sum(page_views.c.views))
            .where(matching)
            .group_by(page_views.c.day)
        ).all()
        if not totals:
            continue
        conn.execute(sa.delete(page_views).where(matching))
        conn.execute(
            sa.insert(page_views),
            [{"day": day, "path": pattern, "views": int(views)} for day, views in totals],
        )


def downgrade():
    pass  # the tokens are gone for good, as they should be
