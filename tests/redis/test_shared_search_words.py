"""With CACHE_REDIS_URL, what a search learnt about its words (which indexed word each one
begins) is shared between app processes, read for all the words in one round trip."""

from __future__ import annotations

import sqlalchemy as sa

from interacta.extensions import db
from interacta.publications import search
from interacta.publications.models import Publication


def _commands(redis_client, name: str) -> int:
    return redis_client.info("commandstats").get(f"cmdstat_{name}", {}).get("calls", 0)


def test_a_second_process_reuses_the_words_a_first_one_looked_up(shared_apps, redis_client):
    first, second, prefix = shared_apps
    with first.app_context():
        for n, title in enumerate(("Governance of ports", "Maritime law", "Camps")):
            db.session.add(
                Publication(slug=f"shared-words-{n}", kind="report", title=title,
                            year=2024, status="published")
            )  # fmt: skip
        db.session.commit()
    page = first.test_client().get("/publications/?q=gov+maritime+cam")
    assert b"Governance of ports" not in page.data  # no record holds all three
    assert len(redis_client.keys(prefix + "sole-term:*")) == 3

    lookups = []

    def vocabulary(_conn, _cursor, statement, *_args):
        if search.FTS_VOCAB in statement or search.PG_LEXEMES in statement:
            lookups.append(statement)

    with second.app_context():
        sa.event.listen(db.engine, "before_cursor_execute", vocabulary)
    gets, mgets = _commands(redis_client, "get"), _commands(redis_client, "mget")
    # An author filter is matched in the database, with the words (their matches alone
    # are kept too, and would answer a filter on kind without looking the words up).
    page = second.test_client().get("/publications/?q=maritime+gov+cam&author=Ana+Lopes")
    assert page.status_code == 200
    assert lookups == []  # the words' answers came from Redis
    assert _commands(redis_client, "mget") == mgets + 1  # the three in one round trip
    # The page's own entries (its body, the data's fingerprint token, the words' matches
    # and the filtered search's) come by GET; no GET per word.
    assert _commands(redis_client, "get") - gets <= 4
