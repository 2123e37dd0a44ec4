"""Routes for harvesters: the OAI-PMH endpoint `/oai` (its own blueprint, at the root) and
each publication's DataCite XML (`/publications/<slug>.datacite.xml`).

Loaded by `interacta.publications` beside `views`; the protocol lives in `oai`, the
metadata in `datacite`.
"""

from __future__ import annotations

from flask import Blueprint, Response, abort, current_app, request
from flask_limiter.errors import RateLimitExceeded

from interacta.core.urls import external_url
from interacta.extensions import csrf, limiter
from interacta.publications import bp as publications_bp
from interacta.publications import datacite, oai, services

bp = Blueprint("oai", __name__)
#: Registered by the app factory beside the publications blueprint (/oai has no prefix).
extra_blueprints = (bp,)

XML = "text/xml; charset=utf-8"
#: Per client address; a full harvest of 10,000 records is 100 requests. Set
#: OAI_RATE_LIMIT to change it.
DEFAULT_RATE_LIMIT = "300/minute;5000/hour"


def _rate_limit() -> str:
    return current_app.config.get("OAI_RATE_LIMIT", DEFAULT_RATE_LIMIT)


@bp.route("/oai", methods=["GET", "POST"])
@csrf.exempt  # harvesters POST form-encoded arguments (OAI-PMH 3.1.1.2); nothing changes
@limiter.limit(_rate_limit)
def endpoint():
    # GET arguments in the query string; POST arguments in the body only (the protocol).
    source = request.form if request.method == "POST" else request.args
    pairs = list(source.items(multi=True))
    body = oai.respond(pairs, external_url("oai.endpoint"))
    return Response(body, content_type=XML)


@bp.errorhandler(RateLimitExceeded)
def slow_down(exc):
    """OAI-PMH flow control: 503 with Retry-After, which harvesters honour."""
    response = Response("Too many requests: please retry later.\n", status=503)
    response.headers["Retry-After"] = "60"
    response.content_type = "text/plain; charset=utf-8"
    return response


@publications_bp.get("/<slug>.datacite.xml")
def datacite_xml(slug: str):
    pub = services.get_publication(slug)  # published only: drafts are 404, for everyone
    if pub is None:
        abort(404)
    response = Response(datacite.to_datacite_xml(pub), content_type="application/xml")
    response.headers["Content-Disposition"] = f'inline; filename="{pub.slug}.datacite.xml"'
    return response
