"""Members: accounts, profiles, directory, roles, GDPR export and erasure."""

from flask import Blueprint, Flask

bp = Blueprint("members", __name__, template_folder="templates")

from interacta.members import views  # noqa: E402,F401


def init_app(app: Flask) -> None:
    from interacta.core.registry import (
        DemoSeeder,
        HomeSection,
        PersonalDataProvider,
        register_demo,
        register_home_section,
        register_personal_data,
    )
    from interacta.extensions import db, login_manager
    from interacta.members import cli, demo, services
    from interacta.members.models import Member

    @login_manager.user_loader
    def load_member(member_id: str):
        try:
            member = db.session.get(Member, int(member_id))
        except ValueError:
            return None
        return member if member and member.is_active else None

    app.cli.add_command(cli.members_cli)
    register_personal_data(
        app,
        PersonalDataProvider(
            "profile", export=services.export_profile, erase=services.erase_profile
        ),
    )
    register_demo(app, DemoSeeder(10, "members", seed=demo.seed))
    register_home_section(
        app,
        HomeSection(30, "members/_home_network.html", load=services.home_section),
    )
