"""The publications blueprint."""

from flask import Blueprint

bp = Blueprint("publications", __name__, template_folder="templates")

from interacta.publications import views  # noqa: E402,F401
