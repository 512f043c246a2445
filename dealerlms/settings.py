"""Settings, all read from the environment, with safe development defaults.

Set DEALERLMS_ENV=production for a deployment: it then demands SECRET_KEY and ALLOWED_HOSTS and
turns on every HTTPS hardening that `manage.py check --deploy` asks for.
"""

import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent


def env(name: str, default: str = "") -> str:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in env(name, default).split(",") if item.strip()]


PRODUCTION = env("DEALERLMS_ENV", "development") == "production"
DEBUG = env_bool("DEBUG", not PRODUCTION)

SECRET_KEY = env("SECRET_KEY")
if not SECRET_KEY:
    if PRODUCTION:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEALERLMS_ENV=production")
    SECRET_KEY = "dev-only-insecure-key-change-me-in-production-0123456789abcdefghij"  # noqa: S105

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "" if PRODUCTION else "localhost,127.0.0.1,[::1]")
if PRODUCTION and not ALLOWED_HOSTS:
    raise ImproperlyConfigured("ALLOWED_HOSTS must be set when DEALERLMS_ENV=production")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_filters",
    "django_htmx",
    "anymail",
    "axes",
    "csp",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "accounts",
    "dealers",
    "leads",
    "inbound",
    "distribution",
    "automation",
    "appraisals",
    "dashboards",
    "integrations",
    "followup",
    "calls",
    "conversations",
    "demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "inbound.webhook_guard.WebhookGuardMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # request.user.is_verified(): whether this session passed the second step (django-otp).
    "django_otp.middleware.OTPMiddleware",
    "accounts.middleware.UserLocaleMiddleware",
    "accounts.middleware.NoStoreMiddleware",
    "accounts.middleware.IdleTimeoutMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    # A dealer group that requires two-factor login: enrolment first, nothing else before it.
    "accounts.middleware.TwoFactorRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    # Last, as django-axes asks: it turns a locked-out login into our lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "dealerlms.urls"
WSGI_APPLICATION = "dealerlms.wsgi.application"

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
                "django.template.context_processors.i18n",
                "core.context_processors.home_dealership",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        env("DATABASE_URL", f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
        conn_max_age=int(env("DB_CONN_MAX_AGE", "60")),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # The embedded default serves one developer; a busy timeout keeps the worker and the web
    # process from failing on each other's short write locks.
    DATABASES["default"].setdefault("OPTIONS", {})["timeout"] = 20
    DATABASES["default"]["CONN_MAX_AGE"] = 0

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"
# django-axes first: it refuses a locked-out username+address before the password is checked.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English")), ("nl", _("Dutch")), ("fr", _("French"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
FORMAT_MODULE_PATH = ["dealerlms.formats"]  # English dates day-first, 24-hour
TIME_ZONE = "Europe/Amsterdam"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if PRODUCTION
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
MEDIA_URL = "media/"
MEDIA_ROOT = Path(env("MEDIA_ROOT", str(BASE_DIR / "media")))

# --- Redis and Celery ---
REDIS_URL = env("REDIS_URL", "redis://127.0.0.1:6379/0")
CELERY_BROKER_URL = env("CELERY_BROKER_URL", REDIS_URL)
CELERY_RESULT_BACKEND = None
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ALWAYS_EAGER = env_bool("CELERY_TASK_ALWAYS_EAGER", False)
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True
CELERY_WORKER_PREFETCH_MULTIPLIER = int(env("CELERY_WORKER_PREFETCH_MULTIPLIER", "4"))
# Jobs on the way from a lead to the salesperson's phone run at core.jobs.SPEED_TO_LEAD (0, taken
# first on Redis); the rest waits behind them under load.
CELERY_TASK_DEFAULT_PRIORITY = 6
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# A broker restart must never end the worker: it reconnects for as long as it takes (Celery's
# default gives up after 100 tries), and what Redis lost is found again by the sweeps below.
CELERY_BROKER_CONNECTION_RETRY = True
CELERY_BROKER_CONNECTION_MAX_RETRIES = None
CELERY_BROKER_CHANNEL_ERROR_RETRY = True
# A job in flight on a lost connection can no longer be acknowledged: the worker cancels it
# (its transaction rolls back) rather than finishing work whose outcome nobody hears; the job is
# redelivered, or its messages and leads are taken up by the sweeps. Every job is safe to run twice.
CELERY_WORKER_CANCEL_LONG_RUNNING_TASKS_ON_CONNECTION_LOSS = True
# visibility_timeout: a job taken by a worker that died is handed out again after this long. Our
# longest job (a parse job draining a backlog in batches of 50) runs seconds, never minutes; the
# sweeps take up lost work within a minute, so this only bounds the redelivery of a job whose
# worker was killed. Keepalives and a health check notice a restarted Redis within seconds.
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": int(env("CELERY_VISIBILITY_TIMEOUT", "600")),
    "socket_keepalive": True,
    "socket_connect_timeout": 5,
    "health_check_interval": 10,
    "retry_on_timeout": True,
}
# No result backend today (results are ignored); should one be configured, it retries too.
CELERY_RESULT_BACKEND_ALWAYS_RETRY = True
CELERY_RESULT_BACKEND_MAX_RETRIES = 10
# Celery's Django fixup closes the database connection before and after every task, whatever
# CONN_MAX_AGE says: each job then starts a PostgreSQL backend whose catalog caches are cold,
# which costs a routing job more than twice its database CPU (docs/benchmarks.md, "Figures from
# code comments"). Workers keep it; dealerlms.celery closes it when Django would
# (older than CONN_MAX_AGE, or unusable after an error), and the fixup every 1,000 tasks.
CELERY_DB_REUSE_MAX = 1000
CELERY_TIMEZONE = TIME_ZONE
CELERY_BEAT_SCHEDULE: dict = {}

CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": env("CACHE_URL", REDIS_URL),
    }
}

# --- E-mail (anymail; the console backend until a provider is configured) ---
EMAIL_BACKEND = env("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", "DealerLMS <noreply@dealerlms.localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
ANYMAIL = {
    key: env(f"ANYMAIL_{key}")
    for key in (
        "MAILGUN_API_KEY",
        "MAILGUN_WEBHOOK_SIGNING_KEY",
        "MAILGUN_SENDER_DOMAIN",
        "POSTMARK_SERVER_TOKEN",
        "SENDGRID_API_KEY",
        "AMAZON_SES_CLIENT_PARAMS",
        "WEBHOOK_SECRET",
        # Inbound webhook signing keys (docs/inbound.md): each provider's own, where it has one.
        "MAILERSEND_INBOUND_SECRET",
        "MAILTRAP_INBOUND_SECRET",
        "MANDRILL_WEBHOOK_KEY",
        "MANDRILL_WEBHOOK_URL",
        "POSTAL_WEBHOOK_KEY",
        "RESEND_INBOUND_SECRET",
    )
    if env(f"ANYMAIL_{key}")
}

# --- Twilio (SMS) ---
# Development: e-mail on the console backend and SMS without Twilio land in the dev outbox page
# (marked as such) instead of failing or looking delivered. Never in production.
DEV_OUTBOX = env_bool("DEV_OUTBOX", not PRODUCTION) and not PRODUCTION
TWILIO_ACCOUNT_SID = env("TWILIO_ACCOUNT_SID")
TWILIO_AUTH_TOKEN = env("TWILIO_AUTH_TOKEN")
TWILIO_FROM_NUMBER = env("TWILIO_FROM_NUMBER")
# Voice (calls/): another base URL for Twilio's REST API (a local fake in the benchmark); empty:
# Twilio itself.
TWILIO_API_BASE = env("TWILIO_API_BASE", "")

# --- Domain defaults ---
DEALERLMS_DEFAULT_REGION = env("DEALERLMS_DEFAULT_REGION", "NL")
# Inbound leads: the parser reads at most this much of a message (its text parts and small
# attachments; images, PDFs and attachments over 2 MB are never read), a larger message is stored
# but not parsed; the same customer asking about the same vehicle within the window adds an event
# to the open lead; the website API's rate limit.
DEALERLMS_MAX_INBOUND_BYTES = int(env("DEALERLMS_MAX_INBOUND_BYTES", str(10_000_000)))
# A raw message larger than this is kept as a file (default storage, MEDIA_ROOT/inbound/…), not
# in its database row.
DEALERLMS_INBOUND_INLINE_BYTES = int(env("DEALERLMS_INBOUND_INLINE_BYTES", str(1_000_000)))
DEALERLMS_DUPLICATE_WINDOW_HOURS = int(env("DEALERLMS_DUPLICATE_WINDOW_HOURS", "72"))
DEALERLMS_API_RATE_PER_MINUTE = int(env("DEALERLMS_API_RATE_PER_MINUTE", "60"))
# A parse job claims up to this many waiting messages (and bytes of them) at a time, and writes
# their leads together.
DEALERLMS_PARSE_BATCH_MESSAGES = int(env("DEALERLMS_PARSE_BATCH_MESSAGES", "50"))
DEALERLMS_PARSE_BATCH_BYTES = int(env("DEALERLMS_PARSE_BATCH_BYTES", str(5_000_000)))
# Webhooks carry whole e-mails: a body over this is refused before we can store it.
# (A 30 MB attachment is 41 MB in base64: still read, as a lead in its text part must be.)
DATA_UPLOAD_MAX_MEMORY_SIZE = int(env("DATA_UPLOAD_MAX_MEMORY_SIZE", str(60_000_000)))
# At the webhook door (inbound.webhook_guard): bigger requests are refused before being read,
# and one address may post this many a minute.
DEALERLMS_WEBHOOK_MAX_BYTES = int(env("DEALERLMS_WEBHOOK_MAX_BYTES", str(60_000_000)))
DEALERLMS_WEBHOOK_RATE_PER_MINUTE = int(env("DEALERLMS_WEBHOOK_RATE_PER_MINUTE", "600"))
# Lost jobs (a broker restart, a worker killed): every stored message without a parse outcome and
# every lead without a routing outcome is taken up again within a minute.
# (DEALERLMS_SWEEP_SECONDS: both the period and the age; shorter only in the fault benchmark.)
DEALERLMS_SWEEP_SECONDS = int(env("DEALERLMS_SWEEP_SECONDS", "30"))
CELERY_BEAT_SCHEDULE["inbound-requeue-waiting-messages"] = {
    "task": "inbound.tasks.requeue_waiting_messages",
    "schedule": float(DEALERLMS_SWEEP_SECONDS),
    "kwargs": {"older_than_seconds": DEALERLMS_SWEEP_SECONDS},
}
CELERY_BEAT_SCHEDULE["distribution-route-forgotten"] = {
    "task": "distribution.tasks.route_forgotten",
    "schedule": float(DEALERLMS_SWEEP_SECONDS),
    "kwargs": {"older_than_seconds": DEALERLMS_SWEEP_SECONDS},
    "options": {"expires": DEALERLMS_SWEEP_SECONDS},
}
# Automations: the dispatcher claims due messages every few seconds (no long ETA tasks in Redis).
CELERY_BEAT_SCHEDULE["automation-dispatch"] = {
    "task": "automation.tasks.dispatch",
    "schedule": 10.0,
    "options": {"expires": 10},
}
# GDPR retention: closed leads' personal data and raw messages past each dealership's period.
CELERY_BEAT_SCHEDULE["leads-erase-past-retention"] = {
    "task": "leads.tasks.erase_past_retention",
    "schedule": 3600.0,
    "options": {"expires": 3600},
}
CELERY_BEAT_SCHEDULE["leads-sweep-unreferenced-message-files"] = {
    "task": "leads.tasks.sweep_unreferenced_message_files",
    "schedule": 3600.0,
    "options": {"expires": 3600},
}
# Where the public links point (unsubscribe, Twilio status callbacks): this site's address.
DEALERLMS_PUBLIC_URL = env("DEALERLMS_PUBLIC_URL", "http://127.0.0.1:8000")
# A message claimed longer ago than this without an outcome is "unknown", never resent.
AUTOMATION_CLAIM_LEASE_SECONDS = int(env("AUTOMATION_CLAIM_LEASE_SECONDS", "300"))
APPRAISAL_PHOTO_MAX_BYTES = int(env("APPRAISAL_PHOTO_MAX_BYTES", str(8 * 1024 * 1024)))
APPRAISAL_OFFER_LINK_DAYS = int(env("APPRAISAL_OFFER_LINK_DAYS", "30"))

# --- The way in (docs/production.md, "Logging in") ---
# Login throttling (django-axes): this many failed passwords for one username from one address
# lock that pair out for the cool-off; an admin unlocks earlier from the person's settings page.
AXES_VERBOSE = False  # no banner on stderr: manage.py parse_lead prints one line per error
AXES_FAILURE_LIMIT = int(env("LOGIN_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = timedelta(minutes=int(env("LOGIN_LOCKOUT_MINUTES", "15")))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "accounts.login.lockout_response"
# Wrong two-factor codes count as failed logins too; no code (nor password) is kept in the log.
AXES_SENSITIVE_PARAMETERS = ["username", "ip_address", "code"]
# Two-factor login (django-otp, accounts/two_factor.py): the name authenticator apps show, and how
# long the second step waits for its code after the password was right.
OTP_TOTP_ISSUER = "DealerLMS"
TWO_FACTOR_STEP_SECONDS = int(env("TWO_FACTOR_STEP_MINUTES", "5")) * 60
# Idle timeout: a session that sees no request for this long ends (accounts.middleware.
# IdleTimeoutMiddleware renews its age at most once a minute, so only idleness counts).
SESSION_COOKIE_AGE = int(env("SESSION_IDLE_MINUTES", str(8 * 60))) * 60

# Content-Security-Policy (django-csp): the browser runs no script and applies no style that is not
# a file of this site. Scripts are static files (static/js/app.js, htmx from django-htmx) wired by
# data attributes; htmx's eval-based features (hx-on, "js:" values, trigger filters) are not used
# and are switched off with its indicator styles (the htmx-config <meta> in base.html). Styles too
# are files only: the few style attributes became classes, so nothing inline needs 'unsafe-inline'.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF],  # photos are served by this site; the 2FA QR code is inline SVG
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "frame-ancestors": [NONE],
        "form-action": [SELF],
    }
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "INFO"}},
}

if PRODUCTION:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SECURE_HSTS_SECONDS = int(env("SECURE_HSTS_SECONDS", "31536000"))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_CONTENT_TYPE_NOSNIFF = True
    SECURE_REFERRER_POLICY = "same-origin"
    X_FRAME_OPTIONS = "DENY"

# Distribution: passed first-contact deadlines and leads waiting for someone free, every minute;
# lost leads due for re-activation, hourly.
CELERY_BEAT_SCHEDULE["distribution-escalate-overdue"] = {
    "task": "distribution.tasks.escalate_overdue",
    "schedule": 60.0,
}
CELERY_BEAT_SCHEDULE["distribution-queue-reactivations"] = {
    "task": "distribution.tasks.queue_reactivations",
    "schedule": 3600.0,
}

# Leads out (integrations): forwarded leads are retried every minute until delivered or failed.
CELERY_BEAT_SCHEDULE["integrations-send-due-deliveries"] = {
    "task": "integrations.tasks.send_due_deliveries",
    "schedule": 60.0,
    "options": {"expires": 60},
}
# Forwarding targets on internal addresses (localhost, private ranges) are refused in production.
INTEGRATIONS_ALLOW_PRIVATE_TARGETS = env_bool("INTEGRATIONS_ALLOW_PRIVATE_TARGETS", not PRODUCTION)
# Follow-up: cadence tasks left open too long are missed and the next step follows; an open lead
# without a next action gets one.
CELERY_BEAT_SCHEDULE["followup-keep-next-actions"] = {
    "task": "followup.tasks.keep_next_actions",
    "schedule": 900.0,
}
# Calls (Twilio Voice): bridge calls not yet dialled (retries, waits for the opening), every minute.
CELERY_BEAT_SCHEDULE["calls-dial-due"] = {
    "task": "calls.tasks.dial_due",
    "schedule": 60.0,
}
