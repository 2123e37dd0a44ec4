"""The consent blueprint."""

from flask import Blueprint

bp = Blueprint("consent", __name__, template_folder="templates")

from interacta.consent import views  # noqa: E402,F401
