"""How publications plug into the app: template filters, registries, CLI.

Called by the app factory; the package itself only makes `bp`.
"""

from __future__ import annotations

from datetime import date

import pycountry
from babel import Locale
from babel.dates import format_skeleton
from flask import Flask
from flask_babel import get_locale

from interacta.core import content
from interacta.core.i18n import current_language
from interacta.core.jobs import BackgroundJob, register_background
from interacta.core.registry import (
    DemoSeeder,
    HomeSection,
    PersonalDataProvider,
    RelatedItems,
    register_demo,
    register_home_section,
    register_personal_data,
    register_related_items,
    register_schema_filter,
    register_stylesheet,
)
from interacta.core.timezones import format_day
from interacta.publications import IMPORT_JOB, bibimport, cli, personal_data, search, services
from interacta.publications.models import Publication


def language_name(code: str | None) -> str:
    """The language's name in the page's language ("English" for "en" on an English page,
    "anglais" on a French one); pycountry's English name, or the code itself, when Babel
    does not know the code."""
    if not code:
        return ""
    base = code.split("-")[0].lower()
    locale = get_locale() or Locale.parse("en_GB")
    name = locale.languages.get(base)
    if name:
        return name[:1].upper() + name[1:]
    language = pycountry.languages.get(alpha_2=base) if len(base) == 2 else None
    language = language or pycountry.languages.get(alpha_3=base)
    return language.name if language else code


#: English month names for the English page (the way it has always read).
_MONTHS = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
]


def publication_date(pub) -> str:
    """ "March 5, 2024", "March 2024" or "2024" in English; Babel's form elsewhere
    ("5. März 2024", "mars 2024")."""
    if not pub.month:
        return str(pub.year)
    if current_language() == "en":
        day = f"{pub.day}, " if pub.day else ""
        return f"{_MONTHS[pub.month - 1]} {day}{pub.year}"
    try:
        moment = date(pub.year, pub.month, pub.day or 1)
    except ValueError:
        return str(pub.year)
    if pub.day:
        return format_skeleton("yMMMMd", moment, locale=get_locale())
    return format_day(moment, "month")


def init_app(app: Flask) -> None:
    app.add_template_filter(language_name, "language_name")
    app.add_template_filter(publication_date, "publication_date")
    content.init_app(app)

    app.cli.add_command(cli.publications_cli)
    register_background(
        app,
        BackgroundJob(
            IMPORT_JOB,
            bibimport.run_import,
            "Import a BibTeX or RIS file an organizer uploaded.",
        ),
    )
    register_stylesheet(app, "css/publications.css")
    register_schema_filter(app, search.include_name)
    register_home_section(
        app,
        HomeSection(
            20,
            "publications/_home_section.html",
            load=lambda: {"publications": services.latest_publications(5)},
            models=(Publication,),
        ),
    )
    register_related_items(
        app,
        RelatedItems(
            "event",
            20,
            "publications/_presented_here.html",
            load=lambda event: {"publications": services.presented_at_event(event.id)},
            models=(Publication,),
            present=services.may_have_presented,
            absent=services.none_presented,
        ),
    )
    register_related_items(
        app,
        RelatedItems(
            "member",
            20,
            "publications/_my_publications.html",
            load=lambda member: {"publications": services.publications_by_member(member.id)},
            models=(Publication,),
        ),
    )
    register_demo(app, DemoSeeder(40, "publications", seed=cli.seed_demo_publications))
    register_demo(app, DemoSeeder(41, "publication import", seed=cli.seed_demo_import))
    register_personal_data(
        app,
        PersonalDataProvider(
            "publications",
            export=personal_data.export_authorship,
            erase=personal_data.erase_authorship,
        ),
    )
