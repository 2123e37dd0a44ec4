"""Views of the consent blueprint."""

from flask import render_template

from interacta.consent import bp


@bp.get("/cookies")
def policy():
    return render_template("consent/policy_placeholder.html")


@bp.get("/cookies/preferences")
def preferences():
    return render_template("consent/policy_placeholder.html")
