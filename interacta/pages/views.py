"""Home and the static pages."""

from flask import render_template
from flask_babel import lazy_gettext as _l

from interacta.core.cache import cached_page
from interacta.core.registry import home_models, home_sections
from interacta.pages import bp

#: The network's areas of focus, as seeded in the `topics` table.
FOCUS = (
    _l("Protection of civilians"),
    _l("Reduction of civilian casualties"),
    _l("Non-lethal capability"),
    _l("Cultural property protection"),
    _l("Religion"),
    _l("Civil and homeland security"),
    _l("Critical infrastructure protection"),
    _l("Risk reduction"),
    _l("Disaster management and humanitarian assistance"),
    _l("Joint medical stability operations"),
    _l("Good governance"),
    _l("Rule of law"),
)


@bp.get("/")
@cached_page(home_models, clock="minute")
def home():
    sections = [(section.template, section.load()) for section in home_sections()]
    return render_template("pages/home.html", sections=sections, focus=FOCUS)


@bp.get("/about")
def about():
    return render_template("pages/about.html")


@bp.get("/imprint")
def imprint():
    return render_template("pages/imprint.html")


@bp.get("/privacy")
def privacy():
    return render_template("pages/privacy.html")
