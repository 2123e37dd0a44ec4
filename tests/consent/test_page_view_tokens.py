"""The page-view statistics never hold a secret link: a page whose URL carries a token (a
guest's registration, a password reset) is counted under its route's pattern, and the
rows stored before that are rewritten the same way by migration 0011."""

from __future__ import annotations

from datetime import date

import flask_migrate
import sqlalchemy as sa
from alembic.script import ScriptDirectory

from interacta.consent.models import PageView
from interacta.extensions import db as _db
from interacta.members import tokens
from interacta.members.passwords import fingerprint
from tests.fixtures.members import GOOD_PASSWORD


def _counted(db) -> dict[str, int]:
    db.session.expire_all()
    return dict(db.session.execute(sa.select(PageView.path, PageView.views)).all())


def test_pages_with_a_token_are_counted_by_their_pattern_only(
    client, auth, db, make_member, make_event, make_registration
):
    event = make_event()
    guest = make_registration(event=event, status="pending", name="Gina Guest")
    member = make_member(password=GOOD_PASSWORD)
    reset = tokens.make_token(
        tokens.RESET, {"m": member.id, "h": fingerprint(member.password_hash)}
    )
    admin = make_member(role="admin")
    db.session.commit()
    client.post("/cookies/consent", data={"action": "accept_all"})
    assert client.get(f"/events/registration/{guest.token}").status_code == 200
    assert client.get(f"/events/registration/{guest.token}").status_code == 200
    assert client.get(f"/members/reset/{reset}").status_code == 200
    assert client.get(f"/events/{event.slug}").status_code == 200

    counted = _counted(db)
    assert counted["/events/registration/<token>"] == 2
    assert counted["/members/reset/<token>"] == 1
    assert counted[f"/events/{event.slug}"] == 1  # a page without a secret keeps its path
    assert not [path for path in counted if guest.token in path or reset in path]

    auth.login_as(admin)
    html = client.get("/cookies/admin/stats").get_data(as_text=True)
    assert guest.token not in html and reset not in html
    assert "/events/registration/&lt;token&gt;" in html


def test_migration_rewrites_the_token_paths_already_stored(make_app):
    app = make_app(migrate=False)
    with app.app_context():
        script = ScriptDirectory.from_config(app.extensions["migrate"].migrate.get_config())
        ours = next(r for r in script.walk_revisions() if r.revision.endswith("page_view_patterns"))
        flask_migrate.upgrade(revision=ours.down_revision)
        day, other_day = date(2026, 11, 20), date(2026, 11, 21)
        rows = [
            (day, "/events/registration/AbCdEf123", 3),
            (day, "/events/registration/ZyXw987", 2),
            (other_day, "/events/registration/AbCdEf123", 1),
            (day, "/members/reset/eyJtIjoxfQ.aGVsbG8", 4),
            (day, "/members/verify/eyJtIjoyfQ.d29ybGQ", 1),
            (day, "/members/confirm-email/eyJtIjozfQ.Zm9v", 1),
            (day, "/members/reset", 5),  # the form to ask for a link: no token
            (day, "/events/water-and-power", 7),
        ]
        with _db.engine.begin() as conn:
            conn.execute(
                PageView.__table__.insert(),
                [{"day": d, "path": p, "views": v} for d, p, v in rows],
            )
        flask_migrate.upgrade()
        with _db.engine.connect() as conn:
            stored = {
                (d, p): v
                for d, p, v in conn.execute(sa.select(PageView.day, PageView.path, PageView.views))
            }
        _db.session.remove()
    assert stored == {
        (day, "/events/registration/<token>"): 5,
        (other_day, "/events/registration/<token>"): 1,
        (day, "/members/reset/<token>"): 4,
        (day, "/members/verify/<token>"): 1,
        (day, "/members/confirm-email/<token>"): 1,
        (day, "/members/reset"): 5,
        (day, "/events/water-and-power"): 7,
    }
