"""Home and the static pages."""

from flask import render_template

from interacta.core.cache import cached_page
from interacta.core.registry import home_models, home_sections
from interacta.pages import bp

#: The network's areas of focus, as seeded in the `topics` table.
FOCUS = (
    "Protection of civilians",
    "Reduction of civilian casualties",
    "Non-lethal capability",
    "Cultural property protection",
    "Religion",
    "Civil and homeland security",
    "Critical infrastructure protection",
    "Risk reduction",
    "Disaster management and humanitarian assistance",
    "Joint medical stability operations",
    "Good governance",
    "Rule of law",
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
