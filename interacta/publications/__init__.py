"""Publications: articles and working papers — listing, search, citation export, feed."""

from flask import Blueprint, Flask

bp = Blueprint("publications", __name__, template_folder="templates")


@bp.app_template_filter("language_name")
def language_name(code: str | None) -> str:
    """ "English" for "en"; the code itself when pycountry does not know it."""
    import pycountry

    if not code:
        return ""
    base = code.split("-")[0].lower()
    language = pycountry.languages.get(alpha_2=base) if len(base) == 2 else None
    language = language or pycountry.languages.get(alpha_3=base)
    return language.name if language else code


def init_app(app: Flask) -> None:
    from interacta.core import content

    content.init_app(app)
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
    from interacta.publications import cli, personal_data, search, services
    from interacta.publications.models import Publication

    app.cli.add_command(cli.publications_cli)
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
    register_personal_data(
        app,
        PersonalDataProvider(
            "publications",
            export=personal_data.export_authorship,
            erase=personal_data.erase_authorship,
        ),
    )
