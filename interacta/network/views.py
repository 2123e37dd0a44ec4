"""Partner organisations: the partners page, an organisation's page, its logo."""

from __future__ import annotations

import hashlib

from flask import Response, abort, render_template, request

from interacta.core.cache import cached_page
from interacta.events.models import Event
from interacta.members.models import Member
from interacta.network import bp, services
from interacta.network.models import KINDS, Organisation
from interacta.publications.models import Publication

#: A served logo may draw and nothing else, even opened on its own (an SVG is a document).
LOGO_CSP = "default-src 'none'; style-src 'unsafe-inline'; sandbox"


@bp.get("/partners")
@cached_page(Organisation, clock="day")
def partners():
    return render_template("network/partners.html", groups=services.partners_by_kind(), kinds=KINDS)


@bp.get("/organisations/<slug>")
@cached_page(Organisation, Event, Publication, Member, clock="minute")
def organisation(slug: str):
    page = services.organisation_page(slug)
    if page is None:
        abort(404)
    return render_template("network/organisation.html", page=page, kinds=KINDS)


@bp.get("/organisations/<slug>/logo")
def logo(slug: str):
    org = services.organisation_by_slug(slug)
    if org is None or not org.logo:
        abort(404)
    etag = hashlib.sha256(org.logo).hexdigest()[:32]
    if request.if_none_match.contains(etag):
        response = Response(status=304)
    else:
        response = Response(org.logo, mimetype=org.logo_type or "application/octet-stream")
    response.set_etag(etag)
    response.headers["Content-Security-Policy"] = LOGO_CSP
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Content-Disposition"] = "inline"
    response.cache_control.public = True
    response.cache_control.max_age = 3600
    return response
