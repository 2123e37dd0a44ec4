"""The topics the list pages' filters show are kept under the topics' fingerprint: a list
built on a cache miss reads no topic, and a renamed topic shows at once."""

from __future__ import annotations

import sqlalchemy as sa

from interacta.core.models import Topic


def test_a_list_built_again_reads_no_topic_and_a_rename_shows_at_once(
    client, db, auth, make_member, count_queries
):
    auth.login_as(make_member())
    for path in ("/events/", "/members/"):
        client.get(path)
        with count_queries() as counter:
            html = client.get(f"{path}?v=1").get_data(as_text=True)
        assert "Rule of law" in html
        assert not [s for s in counter.statements if s.lstrip().startswith("SELECT topics.")]
    topic = db.session.scalar(sa.select(Topic).where(Topic.name == "Rule of law"))
    topic.name = "Rule of law and justice"
    db.session.flush()
    for path in ("/events/", "/members/"):
        assert "Rule of law and justice" in client.get(path).get_data(as_text=True)
