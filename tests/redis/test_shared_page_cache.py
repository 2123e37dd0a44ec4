"""With CACHE_REDIS_URL, app processes share one page cache, and a change made through
one process shows at once through the other (the fingerprint is read from the database)."""

from __future__ import annotations

import sqlalchemy as sa

from interacta.extensions import db


def test_two_apps_share_built_pages_and_see_each_others_changes(shared_apps, redis_client):
    first, second, prefix = shared_apps
    from interacta.publications import services

    with first.app_context():
        pub = services.save_publication(
            None,
            services.PublicationInput(
                kind="report",
                title="Shared cache report",
                abstract="",
                year=2025,
                language="en",
                authors=[services.AuthorInput("Ana Novak")],
                topic_ids=[],
            ),
        )
        services.publish(pub)
        db.session.commit()

    assert b"Shared cache report" in first.test_client().get("/publications/").data
    assert redis_client.keys(prefix + "page:*"), "the page was stored in Redis"

    statements = []

    def count(_conn, _cursor, statement, *_args):
        if statement.lstrip().upper().startswith("SELECT"):
            statements.append(statement)

    with second.app_context():
        sa.event.listen(db.engine, "before_cursor_execute", count)
    page = second.test_client().get("/publications/")
    assert b"Shared cache report" in page.data
    assert len(statements) == 1, "served from the shared cache: only the fingerprint"

    with second.app_context():
        pub = db.session.scalars(sa.select(services.Publication)).one()
        pub.title = "Renamed through the second process"
        db.session.commit()
    assert b"Renamed through the second process" in first.test_client().get("/publications/").data
