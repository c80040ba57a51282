"""Settings, read from the environment.

With no variable set, this is a development setup (DEBUG on, SQLite in WAL mode, a
throw-away secret key). Production sets DJANGO_SECRET_KEY, DJANGO_DEBUG=0,
DJANGO_ALLOWED_HOSTS and usually DATABASE_URL; `manage.py check --deploy` is then clean.
"""

import json
import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent


def envbool(name: str, default: str) -> bool:
    return os.environ.get(name, default).strip().lower() in ("1", "true", "yes", "on")


def envint(name: str, default: int) -> int:
    return int(os.environ.get(name, default))


def envfloat(name: str, default: float) -> float:
    return float(os.environ.get(name, default))


def envlist(name: str, default: str) -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = envbool("DJANGO_DEBUG", "1")

SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("DJANGO_SECRET_KEY doit être défini quand DJANGO_DEBUG=0.")
    # Development only: nothing secret is created on disk, and this key signs nothing of value.
    SECRET_KEY = "django-insecure-development-only-never-in-production"

ALLOWED_HOSTS = envlist("DJANGO_ALLOWED_HOSTS", "127.0.0.1,localhost,[::1]")
CSRF_TRUSTED_ORIGINS = envlist("DJANGO_CSRF_TRUSTED_ORIGINS", "")
# A refused post (a staff form's missing token, or a visitor's form sent from another site:
# kb.cross_site) gets a French page.
CSRF_FAILURE_VIEW = "kb.cross_site.refused"

# Widget templates are looked up like every other template, so templates/ can hold ours.
FORM_RENDERER = "django.forms.renderers.TemplatesSetting"

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.forms",  # its widget templates, for the project's own (templates/admin/kb/)
    "django_htmx",
    "template_partials",
    "crispy_forms",
    "crispy_bootstrap5",
    "axes",
    "health_check",
    "django_tasks",
    "django_tasks_db",
    "kb",
    "teams",
    "triage",
]

# The task queue: jobs are stored in the database and run by `manage.py db_worker` (started
# by `make run`; a service of its own in production, README « Production »). No broker.
TASKS = {
    "default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]},
}

MIDDLEWARE = [
    "kb.middleware.request_log",
    "django.middleware.security.SecurityMiddleware",
    "kb.middleware.ContentSecurityPolicyMiddleware",  # django-csp, the policy built once
    "django_permissions_policy.PermissionsPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "teams.front_door.FrontDoorMiddleware",
    "teams.posters.count_scans",
    # A public page already in memory leaves here, without the rest of the stack.
    "kb.page_cache.PageCacheMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "kb.middleware.reject_nul_bytes",
    "kb.middleware.DatabaseUnavailableMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "kb.pages_viewed.PagesViewedMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "helpdesk.urls"
WSGI_APPLICATION = "helpdesk.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "kb.context_processors.content_preview",
                "teams.front_door.context",
            ],
        },
    },
]

# SQLite by default, in WAL mode so that readers never wait for a writer; DATABASE_URL
# (e.g. postgres://127.0.0.1:5432/test) switches to PostgreSQL for multi-server deployments.
# A connection per request (CONN_MAX_AGE 0) by default: a server that hangs (stopped, not
# down) never answers on a connection kept from before, and no timeout of the client bounds
# that wait; a new connection is bounded by the connect timeout. It costs about a
# millisecond on a local network, and only to forms and staff pages (public pages are served
# from memory).
DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=envint("DJANGO_CONN_MAX_AGE", 0),
        conn_health_checks=True,
    )
}
# A database that does not answer must cost a few seconds, not a worker killed after 30:
# then the visitor gets the French 503 page (kb.middleware.DatabaseUnavailableMiddleware).
DATABASE_TIMEOUT = envint("DATABASE_TIMEOUT", 5)
# PostgreSQL ends a statement (a lock held elsewhere, a slow query) after this many seconds;
# 0 for none (a `migrate` of a large base may need it).
DATABASE_STATEMENT_TIMEOUT = envint("DATABASE_STATEMENT_TIMEOUT", DATABASE_TIMEOUT)
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
        "timeout": DATABASE_TIMEOUT,  # SQLite's busy_timeout: the wait for a writer's lock
    }
else:
    DATABASES["default"]["OPTIONS"] = {
        "connect_timeout": DATABASE_TIMEOUT,
        "options": f"-c statement_timeout={DATABASE_STATEMENT_TIMEOUT * 1000}"
                   f" -c lock_timeout={DATABASE_STATEMENT_TIMEOUT * 1000}",
    }

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Staff login: after 5 failures for one account *from one address*, that pair waits an hour
# (django-axes); a successful login resets the count. Locking the pair, never an account
# alone nor an address alone, is deliberate: behind a proxy every attempt would otherwise
# come from the proxy's address, and five wrong passwords for any name would lock out the
# whole team. The address is the one the rate limit uses (triage.middleware.client_ip, from
# TRIAGE_CLIENT_IP_HEADER). Unlock by hand: `manage.py axes_reset_username NAME`.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = envint("AXES_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = timedelta(hours=1)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "admin/locked_out.html"
AXES_CLIENT_IP_CALLABLE = "triage.middleware.client_ip"
AXES_SENSITIVE_PARAMETERS = ["password"]

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# French only: no LocaleMiddleware (it would negotiate among one language on every request);
# LANGUAGE_CODE is the language of every page, the admin included.
LANGUAGE_CODE = "fr"
LANGUAGES = [("fr", "Français")]
TIME_ZONE = "Europe/Paris"
USE_I18N = True
USE_TZ = True

# Absolute: a relative one would be put behind a team's front door (/hdf/static/…).
STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
# Editors' uploads (tutorial screenshots, kb.images): files under DJANGO_MEDIA_ROOT by
# default. Several servers share them through an object store instead, e.g.
# DJANGO_MEDIA_STORAGE='{"BACKEND": "storages.backends.s3.S3Storage", "OPTIONS": {…}}' after
# `pip install ".[objectstore]"` (README, « Production »). Either way the site serves them
# itself, at /media/.
MEDIA_ROOT = Path(os.environ.get("DJANGO_MEDIA_ROOT", BASE_DIR / "media"))
MEDIA_URL = "/media/"
try:
    MEDIA_STORAGE = json.loads(os.environ.get("DJANGO_MEDIA_STORAGE") or "null") or {
        "BACKEND": "django.core.files.storage.FileSystemStorage"}
except json.JSONDecodeError as error:
    raise ImproperlyConfigured(f"DJANGO_MEDIA_STORAGE n'est pas du JSON valide : {error}") from None
STORAGES = {
    "default": MEDIA_STORAGE,
    "staticfiles": {
        # Compressed, content-hashed files in production; plain files while developing and
        # testing so that no collectstatic step is needed.
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage",
    },
}

# While developing (and in tests), whitenoise serves straight from the source folders.
WHITENOISE_USE_FINDERS = DEBUG
WHITENOISE_AUTOREFRESH = DEBUG

# How often a process asks the database whether a newer content version was published
# (one tiny query at most this often; public pages themselves never query).
KB_CONTENT_CHECK_SECONDS = envfloat("KB_CONTENT_CHECK_SECONDS", 1.0)
# That check runs beside the request, which is served from memory at once: a hung database
# never holds a visitor (kb.snapshot.PublishedContent).
KB_CONTENT_CHECK_IN_BACKGROUND = envbool("KB_CONTENT_CHECK_IN_BACKGROUND", "1")

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

LOGIN_URL = "admin:login"
LOGIN_REDIRECT_URL = "/agents/"
LOGOUT_REDIRECT_URL = "/agents/"

# Shared by every worker and every server (rate limits must be counted in one place): Redis
# when REDIS_URL is set, otherwise a table of the database (`manage.py createcachetable`,
# run by `make content` and `make production`).
REDIS_URL = os.environ.get("REDIS_URL", "")
CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}
    if REDIS_URL
    else {"BACKEND": "django.core.cache.backends.db.DatabaseCache",
          "LOCATION": "helpdesk_cache"}
}

# E-mail: printed on the console unless an SMTP server is configured.
EMAIL_HOST = os.environ.get("EMAIL_HOST", "")
EMAIL_BACKEND = (
    "django.core.mail.backends.smtp.EmailBackend"
    if EMAIL_HOST
    else "django.core.mail.backends.console.EmailBackend"
)
EMAIL_PORT = envint("EMAIL_PORT", 587)
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = envbool("EMAIL_USE_TLS", "1")
# Each wait on the mail server lasts this long at most; a mail that failed is retried by
# `manage.py send_pending_mail`.
EMAIL_TIMEOUT = envint("EMAIL_TIMEOUT", 10)
# Mails leave from the task queue's worker, never from the request (triage.tasks).
TRIAGE_MAIL_IN_BACKGROUND = envbool("TRIAGE_MAIL_IN_BACKGROUND", "1")
DEFAULT_FROM_EMAIL = os.environ.get(
    "DEFAULT_FROM_EMAIL", "Assistance e-CPS <ne-pas-repondre@localhost>"
)

# Editors' dashboard: content verified longer ago than this is listed for a new check.
KB_FRESHNESS_MONTHS = envint("KB_FRESHNESS_MONTHS", 6)
# `manage.py check_links`: seconds allowed to each external address.
KB_LINK_CHECK_TIMEOUT = envint("KB_LINK_CHECK_TIMEOUT", 10)

# Tickets: personal data kept this long after a ticket is closed, then anonymised.
TRIAGE_RETENTION_MONTHS = envint("TRIAGE_RETENTION_MONTHS", 12)
# Help requests accepted per IP address and period (seconds), against robots.
TRIAGE_RATE_LIMIT = (envint("TRIAGE_RATE_LIMIT_COUNT", 5), envint("TRIAGE_RATE_LIMIT_PERIOD", 600))
# Behind a reverse proxy, the client's address is in this header (e.g. HTTP_X_REAL_IP).
TRIAGE_CLIENT_IP_HEADER = os.environ.get("TRIAGE_CLIENT_IP_HEADER", "REMOTE_ADDR")
# The team's mailbox: replies to professionals leave from it, with Reply-To set to it.
TRIAGE_TEAM_EMAIL = os.environ.get("TRIAGE_TEAM_EMAIL", "Assistance e-CPS <assistance@localhost>")
# The site's public address, for the links written in e-mails (private follow-up link, the
# agents' ticket page).
TRIAGE_SITE_URL = os.environ.get("TRIAGE_SITE_URL", "http://127.0.0.1:8000").rstrip("/")
# Before teams, the one team answered within this many working days: the national team,
# created by a migration, starts with it (each team then sets its own in the admin).
TRIAGE_RESPONSE_TARGET_DAYS = envint("TRIAGE_RESPONSE_TARGET_DAYS", 2)
# Tickets of the same professional this many days apart are offered for merging.
TRIAGE_MERGE_WINDOW_DAYS = envint("TRIAGE_MERGE_WINDOW_DAYS", 7)
# Replies by e-mail (README, « Réponses par e-mail »): the mailbox `manage.py poll_mailbox`
# reads every minute. `tls` is "ssl" (IMAPS, port 993), "starttls" or "none" (loopback only);
# `cafile` trusts a private certificate authority. Processed messages go to `done`; those
# that match no ticket to `unmatched`, where the team reads them.
TRIAGE_IMAP = {
    "host": os.environ.get("TRIAGE_IMAP_HOST", ""),
    "port": envint("TRIAGE_IMAP_PORT", 993),
    "user": os.environ.get("TRIAGE_IMAP_USER", ""),
    "password": os.environ.get("TRIAGE_IMAP_PASSWORD", ""),
    "tls": os.environ.get("TRIAGE_IMAP_TLS", "ssl"),
    "cafile": os.environ.get("TRIAGE_IMAP_CAFILE", ""),
    "folder": os.environ.get("TRIAGE_IMAP_FOLDER", "INBOX"),
    "done": os.environ.get("TRIAGE_IMAP_DONE", "Traités"),
    "unmatched": os.environ.get("TRIAGE_IMAP_UNMATCHED", "Non rattachés"),
}
# Images and PDFs professionals send with their replies by e-mail: kept here, outside
# MEDIA_ROOT, shown only to the ticket's agents, erased with the ticket's personal data.
TRIAGE_ATTACHMENTS_ROOT = Path(os.environ.get("TRIAGE_ATTACHMENTS_ROOT",
                                              BASE_DIR / "var" / "pieces-jointes"))
# `manage.py receive_mail` (a mail server's pipe): a message that matches no ticket is left
# in this Maildir folder, which the team's mail server can serve as a folder of its box.
TRIAGE_UNMATCHED_MAILDIR = os.environ.get("TRIAGE_UNMATCHED_MAILDIR",
                                          str(BASE_DIR / "var" / "non-rattaches"))

# Content-Security-Policy: everything from this site only, no inline script or style (htmx's
# indicator style is switched off in base.html), no framing. Bootstrap's CSS draws its form
# icons as data: images.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
        "base-uri": [NONE],
        "object-src": [NONE],
    },
}
# No camera, microphone, location… for anyone, this site included.
PERMISSIONS_POLICY = {feature: [] for feature in [
    "accelerometer", "camera", "display-capture", "geolocation", "gyroscope", "magnetometer",
    "microphone", "midi", "payment", "usb",
]}

# Security: strict by default outside development.
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
# Only staff have sessions (visitors have none). A session ends after this many hours without
# a page opened (a working day), not after Django's two weeks: an agent's browser left open
# on a shared computer overnight no longer shows tickets the next morning.
SESSION_COOKIE_AGE = envint("DJANGO_SESSION_HOURS", 10) * 3600
SESSION_SAVE_EVERY_REQUEST = True  # each page opened starts the count again
if not DEBUG:
    SECURE_SSL_REDIRECT = envbool("DJANGO_SECURE_SSL_REDIRECT", "1")
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_HSTS_SECONDS = envint("DJANGO_HSTS_SECONDS", 31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True

# JSON lines on the standard error, with nothing personal (kb.middleware.request_log).
# Tracebacks are reduced to the error's kind: they can quote what a visitor typed.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"json": {"()": "kb.middleware.JsonFormatter"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "json"}},
    "root": {"handlers": ["console"], "level": os.environ.get("DJANGO_LOG_LEVEL", "WARNING")},
    "loggers": {
        "helpdesk.requests": {"level": os.environ.get("REQUEST_LOG_LEVEL", "INFO"),
                              "handlers": ["console"], "propagate": False},
    },
}
