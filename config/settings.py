"""Settings for the action-day coordination app.

Everything that differs between a laptop and production comes from the environment
(see `.env.example`). A `.env` file next to `manage.py` (or the file named by
`ENV_FILE`) is read when present; real environment variables win over it.

Without `DATABASE_URL` the app uses an embedded SQLite file, tuned so that several
writers queue instead of failing. With a `postgres://` URL it uses PostgreSQL with
persistent, health-checked connections.
"""

import json
import os
from pathlib import Path

import dj_database_url
from django.conf.locale import LANG_INFO
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _
from dotenv import load_dotenv

BASE_DIR = Path(__file__).resolve().parent.parent

# ENV_FILE points elsewhere, or to /dev/null to read none.
load_dotenv(os.environ.get("ENV_FILE", BASE_DIR / ".env"), override=False)


def env_str(name: str, default: str = "") -> str:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None or value.strip() == "":
        return default
    normalised = value.strip().lower()
    if normalised in {"1", "true", "yes", "on"}:
        return True
    if normalised in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name} must be true or false, not {value!r}")


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name)
    if value is None or value.strip() == "":
        return default
    try:
        return int(value)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a whole number, not {value!r}") from None


def env_list(name: str, default: list[str] | None = None) -> list[str]:
    value = os.environ.get(name)
    if value is None or value.strip() == "":
        return list(default or [])
    return [item.strip() for item in value.split(",") if item.strip()]


# --- Core -----------------------------------------------------------------------------

DEBUG = env_bool("DEBUG", default=False)

SECRET_KEY = env_str("SECRET_KEY")
if not SECRET_KEY and DEBUG:
    SECRET_KEY = "django-insecure-development-only-key-never-use-in-production"  # noqa: S105
# With DEBUG off and no key, SECRET_KEY stays empty: commands that sign nothing (check,
# migrate, makemigrations) still run, Django refuses every use of the empty key, `check
# --deploy` fails on it (security.W009), and the web server refuses to start
# (config/wsgi.py and asgi.py call `config.startup.require_secret_key`).

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost"] if DEBUG else [])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")
CSRF_FAILURE_VIEW = "common.handlers.csrf_failure"

# The public base URL, used where a link must be absolute outside a request
# (calendar feeds, e-mails). No trailing slash. `make run PORT=8001` sets DEFAULT_SITE_URL
# to the port it serves on; SITE_URL, from the environment or .env, wins.
SITE_URL = env_str("SITE_URL", env_str("DEFAULT_SITE_URL", "http://127.0.0.1:8000")).rstrip("/")
# The domain in the UID of every calendar event (`site-12@<domain>`). Calendars recognise
# events by UID: set it once and never change it. Empty means the host name of SITE_URL.
CALENDAR_UID_DOMAIN = env_str("CALENDAR_UID_DOMAIN")

INSTALLED_APPS = [
    # Our apps come first so that their templates override those of allauth and the admin.
    "accounts",
    "locations",
    "events",
    "tallies",
    "volunteers",
    "demo",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "rest_framework.authtoken",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "rules.apps.AutodiscoverRulesConfig",
    "allauth",
    "allauth.account",
    "csp",
    "django_tasks",
    "django_tasks_db",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    # Last, so that it sees the exceptions of the views: a database that cannot be
    # reached is a 503 with Retry-After, not a 500 (see common/db_unavailable.py).
    "common.db_unavailable.DatabaseUnavailableMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"
ASGI_APPLICATION = "config.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
            # `{% load bidi %}`: names and times kept whole inside right-to-left text.
            "libraries": {"bidi": "common.bidi"},
        },
    },
]

# --- Database -------------------------------------------------------------------------

SQLITE_PATH = Path(env_str("SQLITE_PATH", str(BASE_DIR / "db.sqlite3")))

# WAL lets readers go on while one writer writes; IMMEDIATE takes the write lock at the
# start of a transaction, so two writers queue for up to `timeout` seconds instead of one
# failing half-way with "database is locked" when it upgrades a read lock.
SQLITE_OPTIONS = {
    "transaction_mode": "IMMEDIATE",
    "timeout": 20,
    "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;",
}

DATABASE_URL = env_str("DATABASE_URL")
if DATABASE_URL:
    _db = dj_database_url.parse(DATABASE_URL, conn_max_age=600, conn_health_checks=True)
    if _db["ENGINE"] == "django.db.backends.sqlite3":
        _db["CONN_MAX_AGE"] = 0
        _db["OPTIONS"] = {**SQLITE_OPTIONS, **_db.get("OPTIONS", {})}
    elif _db["ENGINE"] == "django.db.backends.postgresql":
        _db.setdefault("OPTIONS", {})
        _db["OPTIONS"].setdefault("connect_timeout", env_int("DATABASE_CONNECT_TIMEOUT", 5))
        # A row lock not granted within this time fails the statement instead of waiting
        # for ever behind a stuck transaction (see events/locking.py): the person is told
        # to try again (503).
        _db["OPTIONS"].setdefault(
            "options", f"-c lock_timeout={env_int('DATABASE_LOCK_TIMEOUT', 15)}s"
        )
    else:
        raise ImproperlyConfigured("DATABASE_URL must be a postgres:// or sqlite:// URL")
else:
    _db = {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": SQLITE_PATH,
        "OPTIONS": SQLITE_OPTIONS,
    }
DATABASES = {"default": _db}

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache ----------------------------------------------------------------------------

REDIS_URL = env_str("REDIS_URL")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": env_str("CACHE_KEY_PREFIX", "actiedag"),
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# Public answers built once per change (`common.published`): the map API, the public feeds
# and the dashboard's figures. Every process must share this cache, or one would serve what
# another has changed: Redis when REDIS_URL is set, else files under PUBLISHED_CACHE_DIR
# (shared by the processes of one machine).
PUBLISHED_CACHE_SECONDS = env_int("PUBLISHED_CACHE_SECONDS", 600)
if REDIS_URL:
    CACHES["published"] = {
        **CACHES["default"],
        "KEY_PREFIX": env_str("CACHE_KEY_PREFIX", "actiedag") + "-published",
    }
else:
    CACHES["published"] = {
        "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
        "LOCATION": env_str("PUBLISHED_CACHE_DIR", str(BASE_DIR / "var" / "cache" / "published")),
        "OPTIONS": {"MAX_ENTRIES": 2000},
    }
# How long a CDN or other shared cache may keep a public answer (the map API, the public
# feeds) without asking again. The app's own answers are never stale; a CDN in front of it
# may show a change this many seconds late. Browsers always ask again (with the ETag).
PUBLIC_SHARED_CACHE_SECONDS = env_int("PUBLIC_SHARED_CACHE_SECONDS", 15)

# --- Accounts -------------------------------------------------------------------------

AUTH_USER_MODEL = "accounts.User"

AUTHENTICATION_BACKENDS = [
    # Object permissions: each app states who may do what in its rules.py (README).
    "rules.permissions.ObjectPermissionBackend",
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "/my/shifts/"

# allauth's own adapter, with one budget of failed log-ins per account shared with the API's
# token log-in (accounts/login_limits.py).
ACCOUNT_ADAPTER = "accounts.adapter.AccountAdapter"
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = True
ACCOUNT_SIGNUP_FORM_CLASS = "accounts.forms.SignupExtraForm"
# No prefix: every mail comes from "Actiedagen" (DEFAULT_FROM_EMAIL) already, and our own
# mails have none; a Latin "[Actiedagen]" before an Arabic or Farsi subject garbles it.
ACCOUNT_EMAIL_SUBJECT_PREFIX = ""
# Behind a reverse proxy every request comes from the proxy's address: rate limits per
# client address must read it from X-Forwarded-For instead. TRUSTED_PROXY_COUNT is the
# number of proxies in front of the app that each append to X-Forwarded-For (usually 1);
# the address that many places from the right is the client's. Leave it 0 when clients
# reach the app directly (a client could otherwise forge the header to dodge the limits).
TRUSTED_PROXY_COUNT = env_int("TRUSTED_PROXY_COUNT", 0)
ALLAUTH_TRUSTED_PROXY_COUNT = TRUSTED_PROXY_COUNT

# Counted in the cache: with several app servers, set REDIS_URL so they share the counts.
# A failed log-in past the limit gets a form error (the API's token log-in a 429); other
# actions past theirs get the 429 page.
# Failed log-ins, on the log-in page and `POST /api/v1/auth/token/` alike, spend one budget
# (accounts/login_limits.py): `login_failed` counts per client address (10 a minute, over
# all accounts) and per account *and* client address (the key: 5 per 5 minutes), so
# one guesser is slowed down while the owner, from another address, still gets in;
# `login_failed_account` counts per account over all addresses, generous enough that a
# single address (at most 60 an hour) never reaches it, and it caps guessing spread over
# many addresses.
ACCOUNT_RATE_LIMITS = {
    "login": "30/m/ip",
    "login_failed": "10/m/ip,5/5m/key",
    "login_failed_account": "100/h/key",
    "signup": "20/m/ip",
    "reset_password": "20/m/ip,5/m/key",
    "reset_password_from_key": "20/m/ip",
    "confirm_email": "1/3m/key",
    "change_password": "5/m/user",
    "manage_email": "10/m/user",
    "reauthenticate": "10/m/user",
}

# --- E-mail ---------------------------------------------------------------------------

EMAIL_BACKEND = env_str(
    "EMAIL_BACKEND",
    "django.core.mail.backends.console.EmailBackend"
    if DEBUG
    else "django.core.mail.backends.smtp.EmailBackend",
)
EMAIL_HOST = env_str("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
EMAIL_USE_SSL = env_bool("EMAIL_USE_SSL", False)
EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", 10)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "Actiedagen <noreply@example.org>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# --- Background tasks (common/tasks.py; the worker: python manage.py run_worker) -----------

# Django's task framework (the `django-tasks` backport on Django 5.2). The embedded default
# keeps the queue in the app's own database; `make run` starts a worker beside the web
# server, production runs `manage.py run_worker` as its own process (README, Background
# work). Another backend is one setting: TASKS_BACKEND (e.g. an RQ backend on Redis).
TASKS = {
    "default": {
        "BACKEND": env_str("TASKS_BACKEND", "django_tasks_db.DatabaseBackend"),
        "QUEUES": ["default"],
    }
}
# How often (minutes) the worker looks for periodic work that is due: reminders, the
# coordinators' understaffing digests and alerts. Each is recorded when sent, so running
# it often, or on two workers, never sends anything twice.
PERIODIC_MINUTES = env_int("PERIODIC_MINUTES", 5)
# A failing task (the mail server does not answer) is tried this many times in all, the
# waits between attempts doubling from TASK_RETRY_SECONDS.
TASK_ATTEMPTS = env_int("TASK_ATTEMPTS", 5)
TASK_RETRY_SECONDS = env_int("TASK_RETRY_SECONDS", 60)

# --- Understaffing alerts to coordinators (events/alerts.py; sent by the worker) ---------

# The daily digest of a branch's unfilled places runs from this many days before an
# edition until the day before it, sent at or after this hour (Europe/Amsterdam).
STAFFING_DIGEST_DAYS = env_int("STAFFING_DIGEST_DAYS", 21)
STAFFING_DIGEST_HOUR = env_int("STAFFING_DIGEST_HOUR", 8)

# --- Reminders (sent by the worker; or python manage.py send_reminders from cron) --------

# Days before a shift for the first reminder (0: none); the hour of the morning reminder
# on the shift's day (empty: none).
REMINDER_DAYS_BEFORE = env_int("REMINDER_DAYS_BEFORE", 2)
REMINDER_MORNING_HOUR = (
    env_int("REMINDER_MORNING_HOUR", 7) if env_str("REMINDER_MORNING_HOUR", "7").strip() else None
)

# --- Check-in on the day (events/services/attendance.py) ---------------------------------

# A volunteer checks in from this many minutes before their shift starts, until this many
# minutes after it ended (a coordinator catching up on who came).
CHECK_IN_OPENS_MINUTES = env_int("CHECK_IN_OPENS_MINUTES", 60)
CHECK_IN_CLOSES_MINUTES = env_int("CHECK_IN_CLOSES_MINUTES", 60)

# --- The control room on the day (tallies/views/today.py) --------------------------------

# A site that should be open and has sent no tap and set no state for this long is an alert;
# so is a shift on for this long with fewer checked in than places; the page refreshes at
# this interval.
CONTROL_ROOM_QUIET_MINUTES = env_int("CONTROL_ROOM_QUIET_MINUTES", 30)
CONTROL_ROOM_CHECK_IN_GRACE_MINUTES = env_int("CONTROL_ROOM_CHECK_IN_GRACE_MINUTES", 10)
CONTROL_ROOM_REFRESH_SECONDS = env_int("CONTROL_ROOM_REFRESH_SECONDS", 20)

# --- Retention (python manage.py anonymise_inactive_volunteers, from cron) ----------------

# Months after a volunteer's last shift (and last log-in) before their personal data is
# anonymised (volunteers/retention.py).
VOLUNTEER_RETENTION_MONTHS = env_int("VOLUNTEER_RETENTION_MONTHS", 24)
# Days after the last shift of a helper without a log-in (added by a coordinator or joined
# through a site's invitation) before their name, phone, e-mail address and personal link
# are erased; they agree to this when they sign up.
HELPER_RETENTION_DAYS = env_int("HELPER_RETENTION_DAYS", 30)

# --- Helpers without an e-mail address (volunteers/join_limits.py) ------------------------

# Counted in the cache like allauth's limits (set REDIS_URL with several app servers).
# `join`: sign-ups through a site's invitation, per client address (an azc's wifi is one
# address for many people: generous) and per invitation (the key); `helper`: actions on a
# personal link (release, claim, new link, language), per client address; `token_miss`:
# links with a token that does not exist (someone guessing), per client address.
HELPER_RATE_LIMITS = {
    "join": env_str("HELPER_RATE_JOIN", "10/m/ip,60/h/ip,300/h/key"),
    "helper": env_str("HELPER_RATE_ACTIONS", "30/m/ip"),
    "token_miss": env_str("HELPER_RATE_TOKEN_MISS", "20/m/ip,100/h/ip"),
}

# --- Counting (tallies/services.py) -------------------------------------------------------

# What one person, and one phone, may count at one site in one category (visitors,
# children, ...), as the sum of their taps. Per minute of the taps' own time: a door lets
# a few hundred people through in a minute at most, and a group of 50 is one tap of +50:
# 500 is ten such groups in one minute. In all, at one site: 19,000 visitors came to 40
# azc's in 2018, under 500 a site; 5,000 is ten times that. Taps over either limit are
# refused (`rate_limited`, `total_limited`); a coordinator adds a correction when the
# count was real.
TALLY_LIMIT_PER_MINUTE = env_int("TALLY_LIMIT_PER_MINUTE", 500)
TALLY_LIMIT_PER_SITE = env_int("TALLY_LIMIT_PER_SITE", 5_000)
# Days after the end of a site's day that counting there closes: taps arriving later are
# refused (`counting_closed`), and only organisers still add corrections.
TALLY_CLOSES_AFTER_DAYS = env_int("TALLY_CLOSES_AFTER_DAYS", 7)
if min(TALLY_LIMIT_PER_MINUTE, TALLY_LIMIT_PER_SITE) < 1 or TALLY_CLOSES_AFTER_DAYS < 0:
    raise ImproperlyConfigured(
        "TALLY_LIMIT_PER_MINUTE and TALLY_LIMIT_PER_SITE must be 1 or more, "
        "TALLY_CLOSES_AFTER_DAYS 0 or more"
    )

# Public results of an edition (`/results/<slug>/` and its embed, tallies/public_results.py):
# on the edition's day the page and the embed ask for new figures every
# RESULTS_REFRESH_SECONDS (not while their tab is hidden), and the figures they are sent
# may be up to RESULTS_LIVE_CACHE_SECONDS old (built once for all readers in that time,
# however many taps arrive meanwhile).
RESULTS_REFRESH_SECONDS = env_int("RESULTS_REFRESH_SECONDS", 30)
RESULTS_LIVE_CACHE_SECONDS = env_int("RESULTS_LIVE_CACHE_SECONDS", 10)
if RESULTS_REFRESH_SECONDS < 5 or RESULTS_LIVE_CACHE_SECONDS < 1:
    raise ImproperlyConfigured(
        "RESULTS_REFRESH_SECONDS must be 5 or more, RESULTS_LIVE_CACHE_SECONDS 1 or more"
    )

# --- Internationalisation -------------------------------------------------------------

# Adding a language: its catalogues (`make messages LANG=xx`, README "Translating") and
# one line here. Django must know the language's name and direction: Tigrinya it does not,
# so it is described in LANG_INFO below (a language Django knows needs no entry).
LANGUAGE_CODE = "nl"
LANGUAGES = [
    ("nl", _("Dutch")),
    ("en", _("English")),
    ("ar", _("Arabic")),
    ("fa", _("Persian (Farsi)")),
    ("ti", _("Tigrinya")),
]
EXTRA_LANG_INFO = {
    "ti": {"bidi": False, "code": "ti", "name": "Tigrinya", "name_local": "ትግርኛ"},
}
LANG_INFO.update({code: info for code, info in EXTRA_LANG_INFO.items() if code not in LANG_INFO})
# Date formats for languages Django has none for (Tigrinya); the others use Django's.
FORMAT_MODULE_PATH = ["config.formats"]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Europe/Amsterdam"
USE_I18N = True
USE_TZ = True

# --- Static files ---------------------------------------------------------------------

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = Path(env_str("STATIC_ROOT", str(BASE_DIR / "staticfiles")))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if not DEBUG
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}

# --- REST framework -------------------------------------------------------------------

# API tokens (`POST /api/v1/auth/token/`) stop working this many days after they were
# made; asking again then gives a new one. A password change or reset revokes them.
API_TOKEN_DAYS = env_int("API_TOKEN_DAYS", 30)
if API_TOKEN_DAYS < 1:
    raise ImproperlyConfigured("API_TOKEN_DAYS must be 1 or more")

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.SessionAuthentication",
        "accounts.authentication.ExpiringTokenAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"]
    + (["rest_framework.renderers.BrowsableAPIRenderer"] if DEBUG else []),
    "EXCEPTION_HANDLER": "common.api.exception_handler",
    # DRF's parsers, with JSON nested too deeply refused as a 400 (not a RecursionError).
    "DEFAULT_PARSER_CLASSES": [
        "common.parsers.JSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    # Views opt in with `throttle_scope` (ScopedRateThrottle); counted in the cache.
    "DEFAULT_THROTTLE_CLASSES": ["rest_framework.throttling.ScopedRateThrottle"],
    "DEFAULT_THROTTLE_RATES": {"auth_token": env_str("API_TOKEN_RATE", "10/minute")},
    # The same proxies as for allauth's limits. Never None: DRF would then count by the
    # whole X-Forwarded-For header, which a client can change on every request.
    "NUM_PROXIES": TRUSTED_PROXY_COUNT,
}

SPECTACULAR_SETTINGS = {
    "TITLE": "Actiedagen API",
    "DESCRIPTION": (
        "Public data of Open azc dag and Bakkie Doen (editions, sites as GeoJSON, shifts), "
        "and the actions of volunteers, coordinators and organisers."
    ),
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SCHEMA_PATH_PREFIX": r"/api/v1",
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    # Kinds of action day and what is counted are data (organisers change them): these
    # hooks write the ones there are now into the schema, before the usual enum hook.
    "POSTPROCESSING_HOOKS": [
        "events.api.schema.kinds_in_schema",
        "tallies.api.categories_in_schema",
        "drf_spectacular.hooks.postprocess_schema_enums",
    ],
    "ENUM_NAME_OVERRIDES": {
        "SignupStatusEnum": "events.models.Signup.Status",
        "SiteStatusEnum": "events.models.Site.Status",
    },
}

# --- Geocoding --------------------------------------------------------------------------

# The chain of providers, in order (see locations/geocoding/providers.py): `pdok` (the
# Dutch government's BAG geocoder), `nominatim` (OpenStreetMap, 1 request/s across all
# processes), `offline` (town centres from the built-in gazetteer, no network), or any
# other geocoder geopy knows. Development, the demo, tests and CI use `offline` only.
GEOCODING_PROVIDERS = env_list("GEOCODING_PROVIDERS", ["offline"])
# Nominatim's usage policy asks for a user agent that identifies the app and a contact.
GEOCODING_USER_AGENT = env_str(
    "GEOCODING_USER_AGENT", f"actiedagen/1.0 (+{SITE_URL}; {env_str('DEFAULT_FROM_EMAIL', '')})"
)
if "nominatim" in GEOCODING_PROVIDERS and not DEBUG and not env_str("GEOCODING_USER_AGENT"):
    raise ImproperlyConfigured(
        "GEOCODING_USER_AGENT must name this app and a contact when Nominatim is used, "
        "e.g. 'actiedagen.example.org (ops@example.org)'."
    )
GEOCODING_TIMEOUT = env_int("GEOCODING_TIMEOUT", 5)  # seconds per request
# The longest a request waits for its turn under a provider's rate limit before the chain
# moves on to the next provider.
GEOCODING_RATE_LIMIT_WAIT = env_int("GEOCODING_RATE_LIMIT_WAIT", 10)
GEOCODING_CACHE_DAYS = env_int("GEOCODING_CACHE_DAYS", 365)
# "Not found", and answers given only because a better provider failed, are kept this long.
GEOCODING_RETRY_MINUTES = env_int("GEOCODING_RETRY_MINUTES", 60)
# Per-provider options as JSON, e.g. {"nominatim": {"domain": "nominatim.example.org"}}.
try:
    GEOCODING_OPTIONS = json.loads(env_str("GEOCODING_OPTIONS") or "{}")
except ValueError:
    raise ImproperlyConfigured("GEOCODING_OPTIONS must be a JSON object") from None
if not isinstance(GEOCODING_OPTIONS, dict):
    raise ImproperlyConfigured("GEOCODING_OPTIONS must be a JSON object")

# --- Map ------------------------------------------------------------------------------

# The background tiles of the map pages (any XYZ tile server; `{s}`, `{z}`, `{x}`, `{y}` as
# in Leaflet). OpenStreetMap's own server is fine for light use under its tile usage
# policy; point these at another provider or your own for heavy traffic. The attribution
# is HTML, shown in the map's corner. The markers and the list work without tiles.
MAP_TILE_URL = env_str("MAP_TILE_URL", "https://tile.openstreetmap.org/{z}/{x}/{y}.png")
MAP_TILE_ATTRIBUTION = env_str(
    "MAP_TILE_ATTRIBUTION",
    '&copy; <a href="https://www.openstreetmap.org/copyright">OpenStreetMap</a>',
)
MAP_TILE_MAX_ZOOM = env_int("MAP_TILE_MAX_ZOOM", 19)

# --- Security -------------------------------------------------------------------------

SECURE_PROXY_SSL_HEADER = (
    ("HTTP_X_FORWARDED_PROTO", "https") if env_bool("BEHIND_TLS_PROXY", False) else None
)
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", not DEBUG)
SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", not DEBUG)
CSRF_COOKIE_SECURE = env_bool("CSRF_COOKIE_SECURE", not DEBUG)
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 0 if DEBUG else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", not DEBUG)
# Preloading (browsers that never try plain HTTP for the domain) is an organisational
# choice: it covers every subdomain of the registered domain and takes months to undo.
# Opt in with SECURE_HSTS_PRELOAD=true once the whole domain serves HTTPS only; until then
# `check --deploy` is told that leaving it off is deliberate (security.W021).
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", False)
SILENCED_SYSTEM_CHECKS = [] if SECURE_HSTS_PRELOAD else ["security.W021"]
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

# Seconds a client is asked to wait (Retry-After) when the database cannot be reached.
DATABASE_RETRY_AFTER = env_int("DATABASE_RETRY_AFTER", 15)


def _tile_source(url: str) -> str:
    """The CSP source of a tile URL template: its scheme and host, `{s}` as a wildcard."""
    from urllib.parse import urlsplit

    parts = urlsplit(url.replace("{s}", "tiles-subdomain"))
    if not parts.scheme or not parts.netloc:
        return SELF
    host = parts.netloc.replace("tiles-subdomain.", "*.")
    return f"{parts.scheme}://{host}"


# Content-Security-Policy (django-csp; Django 5.2 has none of its own). Only our own
# scripts run: no inline script, no eval. Pages pass data to scripts in `json_script`
# blocks. Styles come from our files; the two inline <style> blocks of libraries we use
# (the admin's change list without actions, the API docs page of drf-spectacular) are
# allowed by their hash (tests/test_deploy.py fails when a library changes them). Map
# tiles come from MAP_TILE_URL. Nobody may frame a page, except `/map/embed/`, which
# replaces `frame-ancestors` for partner sites. `CSP_REPORT_ONLY=true` sends the policy as
# report-only (to try a change); `CSP_REPORT_URI` collects violation reports.
from csp.constants import NONE, SELF  # noqa: E402

CSP_STYLE_HASHES = [
    # django/contrib/admin/templates/admin/change_list.html (Django 5.2)
    "'sha256-blvLUW3UscWqsXGByNOqdBboM+ShWAuugp2mC/wbafU='",
    # drf_spectacular/templates/drf_spectacular/swagger_ui.html (drf-spectacular 0.30)
    "'sha256-MMpT0iDxyjALd9PdfepImGX3DBfJPXZ4IlDWdPAgtn0='",
]
_csp_directives = {
    "default-src": [SELF],
    "script-src": [SELF],
    "style-src": [SELF, *CSP_STYLE_HASHES],
    "img-src": [SELF, "data:", _tile_source(MAP_TILE_URL)],
    "font-src": [SELF],
    "connect-src": [SELF],
    # The counter's service worker (/sw.js) and the web app manifest: our own only.
    "worker-src": [SELF],
    "manifest-src": [SELF],
    "frame-src": [NONE],
    "object-src": [NONE],
    "base-uri": [SELF],
    "form-action": [SELF],
    "frame-ancestors": [NONE],
}
_csp_report_uri = env_str("CSP_REPORT_URI")
if _csp_report_uri:
    _csp_directives["report-uri"] = [_csp_report_uri]
if env_bool("CSP_REPORT_ONLY", False):
    CONTENT_SECURITY_POLICY_REPORT_ONLY = {"DIRECTIVES": _csp_directives}
    CONTENT_SECURITY_POLICY = None
else:
    CONTENT_SECURITY_POLICY = {"DIRECTIVES": _csp_directives}

# --- Logging --------------------------------------------------------------------------

# Secret calendar tokens travel in URL paths: `redact_secret_paths` keeps them out of every
# log line and error mail (common/logging.py). Django's loggers that print request paths
# (`django.request` for every 4xx/5xx, CSRF refusals, the development server's request log)
# get the filter where they log, so whichever handler receives the record sees no token.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {
        "redact_secret_paths": {"()": "common.logging.RedactSecretPaths"},
        "one_line_client_errors": {"()": "common.logging.OneLineClientErrors"},
    },
    "formatters": {
        "django.server": {
            "()": "django.utils.log.ServerFormatter",
            "format": "[{server_time}] {message}",
            "style": "{",
        }
    },
    "handlers": {
        "console": {"class": "logging.StreamHandler", "filters": ["redact_secret_paths"]},
        "django.server": {
            "class": "logging.StreamHandler",
            "formatter": "django.server",
            "filters": ["redact_secret_paths"],
        },
    },
    "loggers": {
        # A refused (403) or missing (404) page is one line, not a traceback.
        "django.request": {"filters": ["redact_secret_paths", "one_line_client_errors"]},
        "django.security.csrf": {"filters": ["redact_secret_paths"]},
        "django.server": {
            "handlers": ["django.server"],
            "level": "INFO",
            "propagate": False,
            "filters": ["redact_secret_paths"],
        },
    },
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
}
