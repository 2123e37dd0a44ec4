"""Views of the members blueprint."""

from flask import render_template

from interacta.members import bp


@bp.get("/join")
def join():
    return render_template("members/join_placeholder.html")
