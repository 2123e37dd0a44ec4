"""What several blueprints share: models base, outbox mail, markdown, time zones, registries."""

from flask import Blueprint

bp = Blueprint("core", __name__, template_folder="templates")
