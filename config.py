"""Configuration classes. Every value comes from the environment, with a safe default."""

import os
from datetime import timedelta


def _bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _int(name: str, default: int) -> int:
    value = os.environ.get(name)
    return int(value) if value else default


class Config:
    ENV_NAME = "base"
    #: None means "generate one and keep it in the instance folder" (development only).
    SECRET_KEY = os.environ.get("SECRET_KEY")
    #: None means the embedded default: a SQLite file in the instance folder.
    SQLALCHEMY_DATABASE_URI = os.environ.get("DATABASE_URL")
    SQLALCHEMY_ENGINE_OPTIONS = {"pool_pre_ping": True}
    SITE_NAME = "Interacta"
    OPERATOR_NAME = "Interacta Global d.o.o."
    CONTACT_EMAIL = os.environ.get("CONTACT_EMAIL", "office@interacta.example")
    #: Base URL used in mails and feeds when there is no request (CLI, worker).
    SERVER_BASE_URL = os.environ.get("SERVER_BASE_URL", "http://127.0.0.1:5000")
    PREFERRED_URL_SCHEME = os.environ.get("PREFERRED_URL_SCHEME", "http")
    #: How many reverse proxies in front of the app set X-Forwarded-For/-Proto (nginx in
    #: docs/deploy.md: 1). 0 (the default) ignores those headers, as a client can forge them.
    TRUSTED_PROXIES = _int("TRUSTED_PROXIES", 0)
    #: The Ed25519 key (PEM) that signs Open Badges credentials, for several hosts; unset:
    #: a key made in CREDENTIALS_KEY_DIR (default instance/credential-keys) on first use
    #: (interacta/credentials/keys.py). Retired public keys (PEM) keep old credentials valid.
    CREDENTIALS_SIGNING_KEY = os.environ.get("CREDENTIALS_SIGNING_KEY")
    CREDENTIALS_RETIRED_PUBLIC_KEYS = os.environ.get("CREDENTIALS_RETIRED_PUBLIC_KEYS")
    CREDENTIALS_KEY_DIR = os.environ.get("CREDENTIALS_KEY_DIR")

    # Sessions and cookies
    SESSION_COOKIE_NAME = "session"
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = _bool("SESSION_COOKIE_SECURE", False)
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"
    REMEMBER_COOKIE_SECURE = _bool("SESSION_COOKIE_SECURE", False)
    REMEMBER_COOKIE_DURATION = timedelta(days=30)
    PERMANENT_SESSION_LIFETIME = timedelta(days=365)
    #: A signed-in session unused this long, or signed in this long ago, is refused (the
    #: session cookie itself ends with the browser; "keep me signed in" starts a new one).
    SESSION_IDLE_HOURS = _int("SESSION_IDLE_HOURS", 12)
    SESSION_MAX_DAYS = _int("SESSION_MAX_DAYS", 30)
    #: The visitor's cookie choice: its own signed, strictly necessary cookie.
    CONSENT_COOKIE_NAME = "ia_consent"
    #: Each sign-in attempt on an account that failed often lately (from any client) waits
    #: this long; only the per-client limits answer 429 (interacta/members/throttle.py).
    SIGN_IN_SLOWDOWN_SECONDS = float(os.environ.get("SIGN_IN_SLOWDOWN_SECONDS", "2"))
    #: Changing the email address or password needs the password typed in this session
    #: within this many minutes (a session restored from the remember-me cookie never is).
    FRESH_LOGIN_MINUTES = _int("FRESH_LOGIN_MINUTES", 15)
    #: Send HSTS (only honoured over HTTPS).
    HSTS_ENABLED = _bool("HSTS_ENABLED", False)

    # Uploads: a little over the 20 MB publication PDF limit, so forms still get their fields.
    MAX_CONTENT_LENGTH = _int("MAX_CONTENT_LENGTH", 21 * 1024 * 1024)

    # Forms
    WTF_CSRF_ENABLED = True
    WTF_CSRF_TIME_LIMIT = None  # tied to the session instead of a clock

    # Rate limits (memory:// per process by default; redis://... to share across processes)
    RATELIMIT_STORAGE_URI = os.environ.get("RATELIMIT_STORAGE_URI", "memory://")
    RATELIMIT_ENABLED = _bool("RATELIMIT_ENABLED", True)
    RATELIMIT_HEADERS_ENABLED = True
    RATELIMIT_STRATEGY = "fixed-window"

    # Caches of built pages and counts (interacta.core.cache). Every key carries a
    # fingerprint of the data it was built from, so a per-process cache is never stale;
    # CACHE_REDIS_URL=redis://... shares the built bodies between processes.
    # Without it, each process keeps its own, bounded in bytes (CACHE_BYTES), least recently
    # used first (interacta/core/cache_store.py).
    CACHE_TYPE = os.environ.get(
        "CACHE_TYPE",
        "RedisCache"
        if os.environ.get("CACHE_REDIS_URL")
        else "interacta.core.cache_store.BoundedCache",
    )
    CACHE_REDIS_URL = os.environ.get("CACHE_REDIS_URL")
    CACHE_KEY_PREFIX = "interacta:"
    CACHE_DEFAULT_TIMEOUT = _int("CACHE_DEFAULT_TIMEOUT", 3600)
    #: Bytes per process for built pages, counts and kept values (their pickled size).
    CACHE_BYTES = _int("CACHE_BYTES", 32 * 1024 * 1024)
    CACHE_THRESHOLD = _int("CACHE_THRESHOLD", 500)  # entries, only if CACHE_TYPE=SimpleCache
    #: Bytes per process for small texts cached one per record (each event's VEVENT in
    #: the calendar feeds): bounded by size, not by entries, so 20,000 events fit
    #: (about 600 bytes each). Not used with CACHE_REDIS_URL, which holds them instead.
    CACHE_TEXT_BYTES = _int("CACHE_TEXT_BYTES", 32 * 1024 * 1024)
    #: Bytes per process for what a page works out from the data and other URLs reuse
    #: (a search's matches, for its next pages and filters; a record's related records, per
    #: set of topics; a calendar month's days and counts): a store of their own, so that a
    #: crawler's thousands of searches never push built pages out of CACHE_BYTES. Not
    #: used with CACHE_REDIS_URL, which holds them instead.
    CACHE_RECENT_BYTES = _int("CACHE_RECENT_BYTES", 4 * 1024 * 1024)
    #: How long a built page is kept at most (also the bound on staleness after two
    #: transactions commit out of order; see interacta/core/cache.py).
    CACHE_PAGE_SECONDS = _int("CACHE_PAGE_SECONDS", 60)

    # Mail: with MAIL_SERVER set, real SMTP; without it, the dev mailbox (the outbox table).
    MAIL_SERVER = os.environ.get("MAIL_SERVER")
    MAIL_PORT = _int("MAIL_PORT", 25)
    MAIL_USE_TLS = _bool("MAIL_USE_TLS", False)
    MAIL_USE_SSL = _bool("MAIL_USE_SSL", False)
    MAIL_USERNAME = os.environ.get("MAIL_USERNAME")
    MAIL_PASSWORD = os.environ.get("MAIL_PASSWORD")
    MAIL_DEFAULT_SENDER = os.environ.get(
        "MAIL_DEFAULT_SENDER", "Interacta <no-reply@interacta.example>"
    )
    MAIL_TIMEOUT = _int("MAIL_TIMEOUT", 10)
    #: "immediate": deliver right after the commit that queued the mail;
    #: "jobs": hand it to the job worker right after the commit (`flask jobs worker`);
    #: "worker": leave it to the job worker's minutely pass or `flask mail worker`.
    MAIL_DELIVERY = os.environ.get("MAIL_DELIVERY", "immediate")
    MAIL_MAX_ATTEMPTS = _int("MAIL_MAX_ATTEMPTS", 8)
    #: How long a worker owns a message it is sending before another may retry it.
    MAIL_LEASE_SECONDS = _int("MAIL_LEASE_SECONDS", 300)

    # Cookie policy
    COOKIE_POLICY_VERSION = _int("COOKIE_POLICY_VERSION", 1)
    COOKIE_POLICY_DATE = os.environ.get("COOKIE_POLICY_DATE", "2026-11-24")

    # Privacy
    GUEST_DATA_RETENTION_DAYS = _int("GUEST_DATA_RETENTION_DAYS", 180)
    #: The longest an event may last, in days (a longer one is a series).
    EVENT_MAX_DAYS = _int("EVENT_MAX_DAYS", 60)
    ANONYMOUS_CONSENT_RETENTION_DAYS = _int("ANONYMOUS_CONSENT_RETENTION_DAYS", 400)

    DEV_MAILBOX = False

    # Jobs (interacta/core/jobs.py): Huey keeps its queue in the instance folder (SQLite)
    # unless JOBS_REDIS_URL is set; `flask jobs worker` runs them (`make run` starts one).
    JOBS_REDIS_URL = os.environ.get("JOBS_REDIS_URL")
    #: Run background jobs in the caller's process instead of queueing them (tests).
    JOBS_IMMEDIATE = _bool("JOBS_IMMEDIATE", False)
    JOBS_WORKERS = _int("JOBS_WORKERS", 2)

    # Operations
    #: `/readyz` answers 503 when a message has waited in the outbox longer than this.
    OUTBOX_MAX_AGE_MINUTES = _int("OUTBOX_MAX_AGE_MINUTES", 30)
    #: Bearer token for `/metrics`; without one, only development answers, from 127.0.0.1.
    METRICS_TOKEN = os.environ.get("METRICS_TOKEN")
    #: "text" or "json" (one JSON object per log line).
    LOG_FORMAT = os.environ.get("LOG_FORMAT", "text")

    # Password hashing (argon2id); raising these rehashes each password at its next sign-in.
    PASSWORD_HASH_TIME_COST = _int("PASSWORD_HASH_TIME_COST", 3)
    PASSWORD_HASH_MEMORY_COST = _int("PASSWORD_HASH_MEMORY_COST", 65536)  # KiB
    PASSWORD_HASH_PARALLELISM = _int("PASSWORD_HASH_PARALLELISM", 4)


class DevelopmentConfig(Config):
    ENV_NAME = "development"
    DEV_MAILBOX = True
    #: `PORT=8000 make run` serves on 8000, so the links in its mails point there too.
    SERVER_BASE_URL = os.environ.get(
        "SERVER_BASE_URL", f"http://127.0.0.1:{os.environ.get('PORT') or 5000}"
    )


class TestConfig(Config):
    ENV_NAME = "test"
    TESTING = True
    SECRET_KEY = "test-secret-key-not-for-production"  # noqa: S105
    WTF_CSRF_ENABLED = False
    RATELIMIT_STORAGE_URI = "memory://"
    CACHE_TYPE = "interacta.core.cache_store.BoundedCache"
    MAIL_SERVER = None
    DEV_MAILBOX = True
    SERVER_NAME = None
    JOBS_IMMEDIATE = True
    JOBS_REDIS_URL = None
    METRICS_TOKEN = None
    SQLALCHEMY_ENGINE_OPTIONS = {}
    # Cheap hashes keep the suite fast; production uses the defaults above.
    PASSWORD_HASH_TIME_COST = 1
    PASSWORD_HASH_MEMORY_COST = 1024
    PASSWORD_HASH_PARALLELISM = 1
    SIGN_IN_SLOWDOWN_SECONDS = 0.0


class ProductionConfig(Config):
    ENV_NAME = "production"
    SESSION_COOKIE_SECURE = _bool("SESSION_COOKIE_SECURE", True)
    REMEMBER_COOKIE_SECURE = _bool("SESSION_COOKIE_SECURE", True)
    # `__Host-`: the browser accepts them only Secure, with Path=/ and no Domain, so no
    # subdomain or plain-HTTP page can set or overwrite them.
    # (Browsers refuse a `__Host-` cookie without Secure, hence the plain names over HTTP.)
    SESSION_COOKIE_NAME = "__Host-session" if SESSION_COOKIE_SECURE else "session"
    REMEMBER_COOKIE_NAME = "__Host-remember_token" if SESSION_COOKIE_SECURE else "remember_token"
    CONSENT_COOKIE_NAME = "__Host-ia_consent" if SESSION_COOKIE_SECURE else "ia_consent"
    SESSION_COOKIE_PATH = "/"
    SESSION_COOKIE_DOMAIN = None
    REMEMBER_COOKIE_PATH = "/"
    REMEMBER_COOKIE_DOMAIN = None
    HSTS_ENABLED = _bool("HSTS_ENABLED", True)
    PREFERRED_URL_SCHEME = os.environ.get("PREFERRED_URL_SCHEME", "https")
    MAIL_DELIVERY = os.environ.get("MAIL_DELIVERY", "worker")


CONFIGS = {
    "development": DevelopmentConfig,
    "test": TestConfig,
    "production": ProductionConfig,
}


def config_from_env() -> type[Config]:
    """The configuration class named by INTERACTA_ENV (default: development)."""
    name = os.environ.get("INTERACTA_ENV", "development").strip().lower()
    try:
        return CONFIGS[name]
    except KeyError:
        raise SystemExit(
            f"INTERACTA_ENV={name!r} is unknown; use one of: {', '.join(CONFIGS)}"
        ) from None
