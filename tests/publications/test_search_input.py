"""Whatever a visitor types into the search or the filters, the list and its exports answer
(on SQLite and PostgreSQL alike), and ordinary searches find what they found before."""

from __future__ import annotations

import sys

import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

#: Characters PostgreSQL's unaccent turned into tsquery syntax (ʼ -> ', ⑴ -> (1), ː -> :).
TRICKY = ["ʼ", "⑴", "ː", "ʼcivil", "civil ː military", "⑴⑵", "a'b", "x\\y", "¼", "ǆ", "ﬁ"]
URLS = ["/publications/", "/publications/export.bib", "/publications/export.ris",
        "/publications/export.json"]  # fmt: skip


@pytest.mark.parametrize("q", TRICKY)
@pytest.mark.parametrize("url", URLS)
def test_characters_that_unaccent_turns_into_syntax_are_searched_for(
    client, db, make_publication, url, q
):
    make_publication(title="Civil and military actors")
    response = client.get(url, query_string={"q": q})
    assert response.status_code == 200, (url, q)


def test_a_word_with_a_modifier_apostrophe_is_found_as_written(client, db, make_publication):
    make_publication(title="Hawaiʼi relief operations")
    make_publication(title="Unrelated")
    html = client.get("/publications/", query_string={"q": "hawaiʼi"}).get_data(as_text=True)
    assert "Hawaiʼi relief operations" in html
    assert "Unrelated" not in html


@pytest.fixture
def a_publication(make_publication):
    make_publication(title="Civil and military actors", authors=["Ana Novak"])


@pytest.mark.usefixtures("db", "a_publication")
@settings(
    max_examples=100,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    # Any character, often one that unaccent or tsquery treat specially.
    q=st.lists(st.sampled_from("ʼː⑴'\\:&|!()*<>-") | st.characters(codec="utf-8"), max_size=30).map(
        "".join
    ),
    author=st.text(st.characters(codec="utf-8"), max_size=10),
    topic=st.text(st.characters(codec="utf-8"), max_size=10),
    url=st.sampled_from(URLS),
)
def test_any_unicode_in_search_and_filters_never_breaks_the_list(client, q, author, topic, url):
    response = client.get(url, query_string={"q": q, "author": author, "topic": topic})
    # A NUL character is refused for every request, on purpose (core/security.py).
    expected = 400 if "\x00" in q + author + topic else 200
    assert response.status_code == expected, (url, q, author, topic)


@pytest.mark.postgres_only
def test_every_letter_and_digit_of_unicode_makes_a_valid_query_on_postgresql(db):
    from sqlalchemy.dialects.postgresql import ARRAY

    from interacta.publications import search

    chars = [c for c in map(chr, range(sys.maxunicode + 1)) if search.terms(c)]
    words = [*chars, "".join(chars[:5000]), "ʼaʼ⑴ːb"]
    word = sa.func.unnest(sa.literal(words, ARRAY(sa.Text))).column_valued("word")
    tsquery = sa.func.to_tsquery(sa.literal_column("'simple'::regconfig"), search.pg_lexeme(word))
    assert db.session.scalar(sa.select(sa.func.count(tsquery))) == len(words)
