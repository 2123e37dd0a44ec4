"""Every mail has an HTML part: its own template, or one made from the text template with
the text escaped and the links clickable."""

from __future__ import annotations

import re

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


def test_links_and_a_signature_in_the_text_itself(app):
    from interacta.core.mail import html_from_text

    text = (
        "Dear all,\n-- \nOur own sign-off\n\nSee https://en.wikipedia.org/wiki/Sphere_(geometry)"
        " (and https://example.org/a).\n\n-- \nInteracta, managed by Interacta Global d.o.o.\n"
    )
    with app.test_request_context():
        html = html_from_text(text, "Subject")
    assert "Our own sign-off" in html  # only the last signature is the layout's
    assert '<a href="https://en.wikipedia.org/wiki/Sphere_(geometry)">' in html
    assert '<a href="https://example.org/a">' in html
    assert html.count("managed by") == 1
