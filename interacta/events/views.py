"""Views of the events blueprint."""

from flask import render_template

from interacta.events import bp


@bp.get("/")
def index():
    return render_template("events/index_placeholder.html")
