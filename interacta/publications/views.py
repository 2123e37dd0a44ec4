"""Views of the publications blueprint."""

from flask import render_template

from interacta.publications import bp


@bp.get("/")
def index():
    return render_template("publications/index_placeholder.html")
