"""Calls for papers: an event's call (scope, types, tracks, deadline, review criteria)."""

from flask import Blueprint

bp = Blueprint("calls", __name__, template_folder="templates")
