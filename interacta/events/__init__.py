"""The events blueprint."""

from flask import Blueprint

bp = Blueprint("events", __name__, template_folder="templates")

from interacta.events import views  # noqa: E402,F401
