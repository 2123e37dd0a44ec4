"""How members plug into the app: the user loader, sign-in signals, registries, CLI.

Called by the app factory; the package itself only makes `bp`.
"""

from __future__ import annotations

import logging

from flask import Flask, request
from flask_login import user_loaded_from_cookie, user_logged_in, user_needs_refresh

from interacta.core.registry import (
    DemoSeeder,
    HomeSection,
    PersonalDataProvider,
    register_demo,
    register_home_section,
    register_personal_data,
    register_stylesheet,
)
from interacta.core.securitylog import security_event
from interacta.extensions import login_manager
from interacta.members import cli, demo, services, sessions
from interacta.members.models import Member


def init_app(app: Flask) -> None:
    # The members' request hooks (session limits, freshness) are registered by the app
    # factory, in the stated order of every request hook (interacta.register_request_hooks).
    login_manager.user_loader(sessions.load_member)

    def on_restored(sender, user, **_extra):
        sessions.bind_restored_session()

    def on_login(sender, user, **_extra):
        sessions.stamp()

    def on_refresh_needed(sender, **_extra):
        security_event("reauth_required", logging.INFO, method=request.method)

    user_loaded_from_cookie.connect(on_restored, app, weak=False)
    user_logged_in.connect(on_login, app, weak=False)
    user_needs_refresh.connect(on_refresh_needed, app, weak=False)

    app.cli.add_command(cli.members_cli)
    register_personal_data(
        app,
        PersonalDataProvider(
            "profile", export=services.export_profile, erase=services.erase_profile
        ),
    )
    register_demo(app, DemoSeeder(10, "members", seed=demo.seed))
    register_stylesheet(app, "css/members.css")
    register_home_section(
        app,
        HomeSection(30, "members/_home_network.html", load=services.home_section, models=(Member,)),
    )
