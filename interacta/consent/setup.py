"""How consent plugs into the app: template globals, the sign-in merge, registries, CLI.

Called by the app factory; the consent response steps (`gate.after_request`) are
registered by the factory too, in the stated order of every request hook.
"""

from __future__ import annotations

from types import SimpleNamespace

from flask import Flask
from flask_login import user_logged_in

from interacta.consent import gate
from interacta.consent.cli import consent_cli
from interacta.consent.embed import embed_video
from interacta.consent.registry import CATEGORY_INFO
from interacta.consent.seed import seed_demo
from interacta.consent.services import erase_member, export_member
from interacta.core.registry import (
    CacheKeyContributor,
    DemoSeeder,
    PersonalDataProvider,
    register_cache_key,
    register_demo,
    register_personal_data,
    register_stylesheet,
)


def init_app(app: Flask) -> None:
    def on_login(sender, user, **_extra):
        gate.merge_at_signin(user)

    user_logged_in.connect(on_login, app, weak=False)

    app.jinja_env.globals.update(
        consent=SimpleNamespace(allows=gate.allows, state=gate.state),
        consent_allows=gate.allows,
        consent_state=gate.state,
        embed_video=embed_video,
        consent_categories=CATEGORY_INFO,
    )
    app.cli.add_command(consent_cli)
    register_personal_data(
        app, PersonalDataProvider("cookie_consent", export=export_member, erase=erase_member)
    )
    register_demo(app, DemoSeeder(20, "cookie consent", seed=seed_demo))
    register_stylesheet(app, "css/consent.css")
    register_cache_key(app, CacheKeyContributor("consent", gate.cache_key_part))
