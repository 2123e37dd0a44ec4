"""Home and the static pages: about, imprint, privacy."""

from flask import Blueprint

bp = Blueprint("pages", __name__, template_folder="templates")
