"""Cookie consent: the cookie registry, banner, policy, Cookie Management, consent log and
the gating helpers (`consent.allows(category)`, also a template global)."""

from __future__ import annotations

from types import SimpleNamespace

from flask import Blueprint, Flask

bp = Blueprint("consent", __name__, template_folder="templates")

from interacta.consent.gate import allows, preference, remember_preference  # noqa: E402

__all__ = ["allows", "bp", "init_app", "preference", "remember_preference"]


def init_app(app: Flask) -> None:
    # Imported here: the package is imported by every consent module first.
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

    # The consent response steps (`gate.after_request`) are registered by the app factory,
    # in the stated order of every request hook (interacta.register_request_hooks).

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
