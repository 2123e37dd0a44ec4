"""Embedded third-party videos (targeting): the player only with consent, else a placeholder
that says what would load and who sets cookies, with a button to allow it."""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import parse_qs, urlsplit

from flask import g, render_template, request
from markupsafe import Markup

from interacta.consent import gate, registry
from interacta.core.security import allow_frame_src

YOUTUBE_ID = re.compile(r"^[A-Za-z0-9_-]{11}$")
VIMEO_ID = re.compile(r"^[0-9]{1,12}$")


@dataclass(frozen=True)
class Video:
    provider: str
    company: str
    host: str
    src: str
    watch_url: str


def parse_video(url: str) -> Video | None:
    """A YouTube or Vimeo video URL as an embeddable player (privacy-enhanced YouTube)."""
    try:
        parts = urlsplit((url or "").strip())
    except ValueError:
        return None
    if parts.scheme not in ("http", "https"):
        return None
    host = (parts.hostname or "").lower().removeprefix("www.").removeprefix("m.")
    path = parts.path.strip("/").split("/")
    video_id = None
    if host in ("youtube.com", "youtube-nocookie.com"):
        if path[0] == "watch":
            video_id = (parse_qs(parts.query).get("v") or [None])[0]
        elif path[0] in ("embed", "shorts", "live") and len(path) > 1:
            video_id = path[1]
    elif host == "youtu.be":
        video_id = path[0]
    if video_id and YOUTUBE_ID.match(video_id):
        return Video(
            "YouTube",
            "Google",
            "https://www.youtube-nocookie.com",
            f"https://www.youtube-nocookie.com/embed/{video_id}",
            f"https://www.youtube.com/watch?v={video_id}",
        )
    if host == "vimeo.com" and path and VIMEO_ID.match(path[0]):
        video_id = path[0]
    elif host == "player.vimeo.com" and len(path) > 1 and path[0] == "video":
        video_id = path[1] if VIMEO_ID.match(path[1]) else None
    else:
        video_id = None
    if video_id:
        return Video(
            "Vimeo",
            "Vimeo",
            "https://player.vimeo.com",
            f"https://player.vimeo.com/video/{video_id}?dnt=1",
            f"https://vimeo.com/{video_id}",
        )
    return None


def embed_video(url: str, title: str) -> Markup:
    """The video player if targeting cookies are allowed, else a consent placeholder."""
    video = parse_video(url)
    allowed = video is not None and gate.allows(registry.TARGETING)
    if allowed:
        allow_frame_src(video.host)
    counter = g.get("consent_embed_count", 0) + 1
    g.consent_embed_count = counter
    next_url = request.script_root + request.full_path.rstrip("?") if request else "/"
    # An autoescaped .html template rendered just here: nothing in it is marked safe.
    return Markup(  # noqa: S704  # nosec B704
        render_template(
            "consent/_embed.html",
            video=video,
            url=url,
            title=title,
            allowed=allowed,
            embed_id=f"video-{counter}",
            next_url=next_url,
        )
    )
