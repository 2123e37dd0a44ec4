"""Every mail has an HTML part: its own template, or one made from the text template with
the text escaped and only the links we generated clickable."""

from __future__ import annotations

import re

from interacta.core.urls import GeneratedUrl
from tests.events.test_registration_views import guest_data


def test_a_text_only_mail_gets_an_escaped_html_part_with_links(client, make_event, outbox):
    event = make_event(title='Water <script>alert("x")</script> & power')
    assert client.post(f"/events/{event.slug}/register", data=guest_data()).status_code == 200
    [mail] = outbox(to="gina@example.org")
    html = mail.html_body
    assert html is not None
    assert "<script>" not in html
    assert "Water &lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt; &amp; power" in html
    token = re.search(r"/events/registration/(\S+)", mail.text_body).group(1)
    assert re.search(rf'<a href="http://[^"]+/events/registration/{token}">', html)
    # The layout's footer replaces the text signature: the site name is said once.
    assert html.count("managed by") == 1
    assert "-- " not in html


def test_a_mail_with_its_own_html_template_keeps_it(client, outbox):
    client.post(
        "/members/join",
        data={
            "name": "Ana Novak",
            "email": "ana@example.org",
            "password": "a long enough password 2026",
            "affiliation": "Red Cross Slovenia",
            "sector": "civil_society",
            "country": "SI",
            "accept_privacy": "y",
        },
    )
    mails = outbox(to="ana@example.org")
    assert mails, "the verification mail was queued"
    assert "Confirm my email address" in mails[0].html_body  # from members/mail/verify.html


def test_urls_and_a_signature_in_the_text_itself(app):
    from interacta.core.mail import LinkMarks, html_from_text

    links = LinkMarks()
    ours = links.context({"url": GeneratedUrl("https://interacta.example/events/x")})["url"]
    text = (
        "Dear all,\n-- \nOur own sign-off\n\nSee https://en.wikipedia.org/wiki/Sphere_(geometry)"
        f" (and https://example.org/a).\nOurs: {ours}\n\n-- \n"
        "Interacta, managed by Interacta Global d.o.o.\n"
    )
    with app.test_request_context():
        html = html_from_text(text, "Subject", links)
    assert "Our own sign-off" in html  # only the last signature is the layout's
    # Typed URLs stay text; the one we generated is a link.
    assert (
        "See https://en.wikipedia.org/wiki/Sphere_(geometry) (and https://example.org/a)." in html
    )
    assert 'Ours: <a href="https://interacta.example/events/x">' in html
    assert html.count("<a ") == 2  # ours, and the layout's own link to the site
    assert html.count("managed by") == 1


LURE = "Account locked - unlock at https://evil.example/u"


def test_a_url_someone_typed_is_never_a_link_in_the_mail(client, make_event, outbox):
    """A guest's name (or any typed text) reaches the mail as text; only our links link."""
    event = make_event(title="Water and power https://evil.example/t")
    data = guest_data(name=LURE, email="victim@example.org")
    assert client.post(f"/events/{event.slug}/register", data=data).status_code == 200
    [mail] = outbox(to="victim@example.org")
    html = mail.html_body
    assert LURE in mail.text_body  # the text part says what was typed, as it was typed
    assert "Hello Account locked - unlock at https://evil.example/u," in html
    assert "https://evil.example/t" in html
    assert "evil.example" not in "".join(re.findall(r"<a\b[^>]*>", html))
    links = re.findall(r'<a href="([^"]+)">', html)
    token = re.search(r"/events/registration/(\S+)", mail.text_body).group(1)
    base = client.application.config["SERVER_BASE_URL"]
    assert f"{base}/events/registration/{token}" in links  # ours are links
    assert f"{base}/events/{event.slug}" in links
    assert all(link.startswith(base) for link in links)
