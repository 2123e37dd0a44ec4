"""Interacta: the platform of an open research and education network on civil-military
interaction. `create_app()` reads like a table of contents."""

from __future__ import annotations

import importlib
import logging
import os
import secrets
from pathlib import Path

import click
import sqlalchemy as sa
from flask import Flask, has_request_context, request
from flask_babel import lazy_gettext as _l
from flask_sqlalchemy.session import Session as FsaSession
from werkzeug.middleware.proxy_fix import ProxyFix

from config import Config, config_from_env
from interacta.core import cli as core_cli
from interacta.core import errors as core_errors
from interacta.core import i18n, requestlog, templating
from interacta.core.db import (
    configure_postgres,
    configure_sqlite,
    include_name,
    postgres_engine_options,
)
from interacta.core.i18n import strip_language_prefix
from interacta.core.jobs import init_app as init_jobs
from interacta.core.mail import deliver_committed, install_session_hooks
from interacta.core.security import NoStoreSessionInterface, reject_nul_bytes
from interacta.core.security import set_security_headers as security_headers
from interacta.core.securitylog import record_request_events
from interacta.core.urls import quick_url
from interacta.extensions import cache, csrf, db, limiter, login_manager, mail

logger = logging.getLogger(__name__)

BASE_DIR = Path(__file__).resolve().parent.parent

#: The blueprints: (package, URL prefix, the modules that hold its routes). Only the
#: factory imports the route modules (by name, here: this file runs first whenever any
#: `interacta.*` module is imported), so importing a model, a service or a CLI never loads
#: a view. A new blueprint adds one line; it plugs into core through its `init_app`.
BLUEPRINTS: tuple[tuple[str, str | None, tuple[str, ...]], ...] = (
    ("core", None, ("views",)),
    ("pages", None, ("views",)),
    ("members", "/members", ("views",)),
    ("events", "/events", ("views", "registration_views")),
    ("publications", "/publications", ("views", "oai_views")),
    ("credentials", "/credentials", ("views",)),
    ("consent", None, ("views",)),
    ("calls", None, ("views", "review_views", "decision_views")),
    ("admin", None, ("views",)),
    ("network", None, ("views",)),
)


class InteractaFlask(Flask):
    """Flask, with static files linked without the page's language prefix (one URL per
    file, so a browser caches it once for every language)."""

    #: How many static files' links `url_for` keeps per app (URL prefixes x files).
    STATIC_URLS_KEPT = 4096

    def url_for(self, endpoint: str, /, **values) -> str:
        # A static file's relative link in a request: the same for the same script root
        # and file (every page links its style sheets and scripts), so built once.
        if endpoint == "static" and len(values) == 1 and has_request_context():
            filename = values.get("filename")
            if type(filename) is str:
                kept = self.extensions.setdefault("interacta.static_urls", {})
                key = (request.script_root, filename)
                url = kept.get(key)
                if url is None:
                    url = self._build_url(endpoint, values)
                    if len(kept) < self.STATIC_URLS_KEPT:
                        kept[key] = url
                return url
        return self._build_url(endpoint, values)

    def _build_url(self, endpoint: str, values: dict) -> str:
        # A plain relative link in a request: from the rule's shape (core.urls.quick_url).
        if (
            has_request_context()
            and endpoint[:1] != "."
            and not any(key in values for key in ("_anchor", "_method", "_scheme", "_external"))
        ):
            url = quick_url(self, request.script_root, endpoint, values, super().url_for)
            if url is not None:
                return url
        url = super().url_for(endpoint, **values)
        if (endpoint == "static" or endpoint.endswith(".static")) and has_request_context():
            url = strip_language_prefix(url, request)
        return url


def create_app(
    config_class: type[Config] | None = None, instance_path: str | None = None, **overrides
) -> Flask:
    """Build the app; `overrides` replace configuration values (tests, benchmarks)."""
    instance_path = instance_path or os.environ.get("INSTANCE_PATH") or str(BASE_DIR / "instance")
    app = InteractaFlask(__name__, instance_path=instance_path)
    app.config.from_object(config_class or config_from_env())
    app.config.update(overrides)
    if proxies := app.config["TRUSTED_PROXIES"]:  # client address and scheme (docs/deploy.md)
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies, x_proto=proxies)
    configure_instance(app)
    configure_logging(app)
    # Request hooks before the extensions: Flask runs before_request hooks in the order
    # registered and after_request hooks in reverse, so ours run before every extension's
    # checks and after every extension's response work (the cookie guard must see the
    # remember-me cookie Flask-Login sets). Their order among themselves is stated there.
    register_request_hooks(app)
    register_extensions(app)
    register_blueprints(app)
    register_errorhandlers(app)
    register_template_helpers(app)
    register_commands(app)
    return app


def configure_instance(app: Flask) -> None:
    """Instance folder, secret key and the embedded SQLite default."""
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    env = app.config["ENV_NAME"]
    if not app.config.get("SECRET_KEY"):
        if env == "production":
            raise SystemExit(
                "SECRET_KEY is not set. Production refuses to start without one: "
                "export SECRET_KEY=\"$(python3 -c 'import secrets; print(secrets.token_hex(32))')\""
            )
        # Development: a random key kept in the instance folder, so sessions survive restarts.
        key_file = Path(app.instance_path) / "secret_key"
        if not key_file.exists():
            key_file.write_text(secrets.token_hex(32))
            key_file.chmod(0o600)
        app.config["SECRET_KEY"] = key_file.read_text().strip()
    elif env == "production" and len(app.config["SECRET_KEY"]) < 32:
        raise SystemExit("SECRET_KEY is too short for production: use at least 32 characters.")
    if not app.config.get("SQLALCHEMY_DATABASE_URI"):
        db_file = Path(app.instance_path) / "interacta.db"
        app.config["SQLALCHEMY_DATABASE_URI"] = f"sqlite:///{db_file}"
    if app.config["SQLALCHEMY_DATABASE_URI"].startswith("postgres://"):
        raise SystemExit("DATABASE_URL must start with postgresql+psycopg://")
    if app.config["SQLALCHEMY_DATABASE_URI"].startswith("postgresql://"):
        app.config["SQLALCHEMY_DATABASE_URI"] = app.config["SQLALCHEMY_DATABASE_URI"].replace(
            "postgresql://", "postgresql+psycopg://", 1
        )


def configure_logging(app: Flask) -> None:
    logging.getLogger("alembic.runtime.plugins").setLevel(logging.WARNING)
    logging.getLogger("huey").setLevel(logging.WARNING)  # our own line per run says enough
    if not app.debug and not app.testing and not logging.getLogger().handlers:
        requestlog.configure(
            os.environ.get("LOG_LEVEL", "INFO"), app.config.get("LOG_FORMAT", "text")
        )


def register_migrations(app: Flask) -> None:
    """`flask db ...` (Flask-Migrate, Alembic)."""
    from flask_migrate import Migrate

    Migrate(
        app,
        db,
        directory=str(BASE_DIR / "migrations"),
        render_as_batch=True,
        include_name=include_name,  # asks the blueprints' schema filters (core.db)
    )


def register_extensions(app: Flask) -> None:
    if app.config["SQLALCHEMY_DATABASE_URI"].startswith("postgresql"):
        app.config["SQLALCHEMY_ENGINE_OPTIONS"] = postgres_engine_options(
            app.config.get("SQLALCHEMY_ENGINE_OPTIONS", {})
        )
    db.init_app(app)
    with app.app_context():
        configure_postgres(db.engine)
    # Alembic (with Mako) takes about 15 MB in each process that imports it; a served worker
    # never migrates, so the migration tools are set up on the command line (`flask ...`,
    # which also serves `flask run`) and in the tests only.
    if app.testing or click.get_current_context(silent=True) is not None:
        register_migrations(app)
    csrf.init_app(app)
    mail.init_app(app)
    limiter.init_app(app)
    cache.init_app(app)
    i18n.init_app(app)
    login_manager.init_app(app)
    login_manager.login_view = "members.login"
    login_manager.login_message = _l("Please sign in to see this page.")
    login_manager.login_message_category = "info"
    login_manager.session_protection = "strong"
    # Email and password changes need a fresh sign-in (see members/freshness.py).
    login_manager.refresh_view = "members.reauthenticate"
    login_manager.needs_refresh_message = _l(
        "To protect your account, please enter your password again before this change."
    )
    login_manager.needs_refresh_message_category = "info"
    # The messages are lazy: flashed as text in the language of the page that asked.
    login_manager.localize_callback = str
    configure_sqlite()
    init_jobs(app)
    if not getattr(FsaSession, "_interacta_hooks", False):
        install_session_hooks(FsaSession)
        FsaSession._interacta_hooks = True


def register_blueprints(app: Flask) -> None:
    packages = [importlib.import_module(f"interacta.{name}") for name, _, _ in BLUEPRINTS]
    # Every blueprint's models, so the metadata (and Alembic's autogenerate) sees all tables.
    for package in packages:
        try:
            importlib.import_module(f"{package.__name__}.models")
        except ModuleNotFoundError as exc:
            if exc.name != f"{package.__name__}.models":
                raise
    for package, (_, prefix, routes) in zip(packages, BLUEPRINTS, strict=True):
        for module in routes:
            loaded = importlib.import_module(f"{package.__name__}.{module}")
            # A route module may serve URLs outside its package's prefix (/oai).
            for extra in getattr(loaded, "extra_blueprints", ()):
                app.register_blueprint(extra)
        app.register_blueprint(package.bp, url_prefix=prefix)
    # Then each blueprint's wiring (registries, CLI, signals): `<package>.setup.init_app`.
    for package in packages:
        if hasattr(package, "init_app"):  # the old place: it would be silently skipped
            raise RuntimeError(f"{package.__name__}: init_app belongs in its setup.py")
        try:
            setup = importlib.import_module(f"{package.__name__}.setup")
        except ModuleNotFoundError as exc:
            if exc.name != f"{package.__name__}.setup":
                raise
            continue
        setup.init_app(app)


def register_errorhandlers(app: Flask) -> None:
    core_errors.register_errorhandlers(app)


def register_request_hooks(app: Flask) -> None:
    """Every request hook of ours, in the order it runs.

    The request log comes first and last (it times the whole request and sets
    `X-Request-ID`). Before the view: refuse a NUL byte before anything reads the input;
    end a session past its idle or age limit before anything reads the signed-in member;
    then turn a stale fresh sign-in stale. After the view: consent's steps (the browser's
    copy of a member's choice, the consent cookie, page-view counting, then the guard that
    drops any cookie not declared or not allowed), then mail delivery, the count of the
    request's security events, and the security headers. Flask then writes the session
    cookie through the session interface, which adds `no-store`.
    """
    # Imported here, not at the top: this package runs first on every `import interacta.*`,
    # and blueprint modules imported from it would load before their own package.
    from interacta.consent import gate as consent_gate
    from interacta.members import freshness
    from interacta.members import sessions as member_sessions

    app.session_interface = NoStoreSessionInterface()
    # First in: its before-hook runs first and its after-hook last (Flask runs
    # after_request hooks in reverse), so the logged time covers the whole request.
    requestlog.install(app)
    for hook in (
        reject_nul_bytes,
        member_sessions.enforce_limits,
        freshness.expire_stale_freshness,
    ):
        app.before_request(hook)

    def deliver_mail(response):
        try:
            deliver_committed()
        except sa.exc.SQLAlchemyError:  # mail stays queued; the worker retries it
            logger.exception("delivering committed mail failed")
        record_request_events(db.engine)
        return response

    after_steps = (
        consent_gate.after_request,
        deliver_mail,
        lambda response: security_headers(response, app),
    )

    @app.after_request
    def after_request(response):
        for step in after_steps:
            response = step(response)
        return response


def register_template_helpers(app: Flask) -> None:
    templating.register(app)


def register_commands(app: Flask) -> None:
    core_cli.register_commands(app)
