"""Publications: articles and working papers — listing, search, citation export, feed."""

from flask import Blueprint, Flask

bp = Blueprint("publications", __name__, template_folder="templates")

from interacta.publications import oai_views, views  # noqa: E402,F401


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
    from interacta.core.registry import (
        DemoSeeder,
        HomeSection,
        PersonalDataProvider,
        register_demo,
        register_home_section,
        register_personal_data,
    )
    from interacta.publications import cli, services

    app.cli.add_command(cli.publications_cli)
    app.register_blueprint(oai_views.bp)  # /oai, for harvesters
    register_home_section(
        app,
        HomeSection(
            20,
            "publications/_home_section.html",
            load=lambda: {"publications": services.latest_publications(5)},
        ),
    )
    register_demo(app, DemoSeeder(40, "publications", seed=cli.seed_demo_publications))
    register_personal_data(
        app,
        PersonalDataProvider(
            "publications",
            export=services.export_authorship,
            erase=services.erase_authorship,
        ),
    )
