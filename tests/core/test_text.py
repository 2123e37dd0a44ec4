"""core.text: the slug rules shared by events and publications."""

from interacta.core.text import free_slug, slugify


def test_slugify_makes_ascii_words():
    assert slugify("Ça, c'est l'été!") == "ca-c-est-l-ete"
    assert slugify("", fallback="event") == "event"


def test_free_slug_takes_the_first_free_number():
    assert free_slug("talk", set()) == "talk"
    assert free_slug("talk", {"talk"}) == "talk-2"
    assert free_slug("talk", {"talk", "talk-2", "talk-3"}) == "talk-4"
    assert free_slug("talk", {"talk-2"}) == "talk"
