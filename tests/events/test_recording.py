"""A recorded seminar's video loads from YouTube only when targeting cookies are allowed."""


def test_recording_shows_a_placeholder_until_targeting_is_allowed(client, make_event, give_consent):
    event = make_event(recording_url="https://www.youtube.com/watch?v=dQw4w9WgXcQ")
    html = client.get(f"/events/{event.slug}").get_data(as_text=True)
    assert "<iframe" not in html
    assert "Allow targeting cookies and show the video" in html
    response = client.get(f"/events/{event.slug}")
    assert "frame-src 'none'" in response.headers["Content-Security-Policy"]

    give_consent(client, targeting=True)
    response = client.get(f"/events/{event.slug}")
    html = response.get_data(as_text=True)
    assert '<iframe src="https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ' in html
    assert "youtube-nocookie.com" in response.headers["Content-Security-Policy"]
    # Built once more (the first view showed the consent flash), then served from the
    # page cache: the cached page still allows its own player.
    built = client.get(f"/events/{event.slug}")
    again = client.get(f"/events/{event.slug}")
    assert again.data == built.data
    assert "youtube-nocookie.com" in again.headers["Content-Security-Policy"]


def test_recording_on_another_host_is_a_plain_link(client, make_event):
    event = make_event(recording_url="https://media.example.org/seminar.mp4")
    html = client.get(f"/events/{event.slug}").get_data(as_text=True)
    assert 'href="https://media.example.org/seminar.mp4"' in html
    assert "<iframe" not in html
