"""Members: accounts, profiles, directory, roles, GDPR export and erasure."""

import logging

from flask import Blueprint, Flask

bp = Blueprint("members", __name__, template_folder="templates")


def init_app(app: Flask) -> None:
    from flask import request, session
    from flask_login import user_loaded_from_cookie, user_needs_refresh

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
    from interacta.extensions import db, login_manager
    from interacta.members import cli, demo, freshness, services
    from interacta.members.models import Member
    from interacta.members.passwords import fingerprint

    @login_manager.user_loader
    def load_member(user_id: str):
        # "<id>:<password fingerprint>:<session token>" (see Member.get_id); a bare id is
        # accepted too, as only the server can write the signed session.
        member_id, _, rest = user_id.partition(":")
        print_, has_token, token = rest.partition(":")
        try:
            member = db.session.get(Member, int(member_id))
        except ValueError:
            return None
        if member is None or not member.is_active:
            return None
        if print_ and print_ != fingerprint(member.password_hash):
            return None  # the password changed since this session signed in
        if has_token and token != (member.session_token or ""):
            return None  # signed out since (here or "everywhere else")
        return member

    @user_loaded_from_cookie.connect_via(app)
    def bind_restored_session(sender, user, **_extra):
        # Flask-Login restores a session from the remember-me cookie without the browser
        # identifier that "strong" session protection compares, so the next request threw
        # the session and the cookie away (flask-login issue #685): store it, as
        # login_user() does, so "keep me signed in" lasts beyond one page view.
        session["_id"] = login_manager._session_identifier_generator()

    app.before_request(freshness.expire_stale_freshness)

    @user_needs_refresh.connect_via(app)
    def log_refresh(sender, **_extra):
        security_event("reauth_required", logging.INFO, method=request.method)

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
