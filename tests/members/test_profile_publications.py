"""Authors who are members see their published records on their profile."""

from interacta.publications.services import AuthorInput


def test_profile_lists_the_members_published_publications_only(
    client, auth, make_member, make_publication
):
    author = make_member(name="Ana Author")
    make_publication(
        title="Shared spaces in crisis response",
        authors=[AuthorInput("Ana Author", "Uni", author.email)],
    )
    make_publication(
        title="A draft not yet public",
        status="draft",
        authors=[AuthorInput("Ana Author", "Uni", author.email)],
    )
    make_publication(title="Someone else's paper", authors=["Ben Other"])
    auth.login_as(author)
    html = client.get("/members/me").get_data(as_text=True)
    assert "Shared spaces in crisis response" in html
    assert "A draft not yet public" not in html
    assert "Someone else&#39;s paper" not in html and "Someone else's paper" not in html


def test_profile_without_publications_says_so(client, auth, make_member):
    auth.login_as(make_member())
    html = client.get("/members/me").get_data(as_text=True)
    assert "No published record lists you as an author yet" in html
