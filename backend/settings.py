"""Settings, read from environment variables only (see the README's configuration table)."""

from datetime import timedelta
from pathlib import Path
from typing import Any

from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from backend.dburl import database_settings
from backend.env import env_bool, env_int, env_list, env_str

BASE_DIR = Path(__file__).resolve().parent.parent

DEBUG = env_bool("DEBUG", default=False)

SECRET_KEY = env_str("SECRET_KEY")
if not SECRET_KEY:
    if not DEBUG and not env_bool("ALLOW_INSECURE_SECRET_KEY", default=False):
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off.")
    SECRET_KEY = "insecure-development-key-never-use-in-production"  # noqa: S105

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["localhost", "127.0.0.1", "[::1]"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])
# Web frontends served from another origin (https://participer.example.org): the API answers
# their browsers' cross-origin requests, with credentials (session cookie + X-CSRFToken).
# Empty: no CORS header at all. Such an origin usually belongs in CSRF_TRUSTED_ORIGINS too.
CORS_ALLOWED_ORIGINS = env_list("CORS_ALLOWED_ORIGINS", [])
CORS_URLS_REGEX = r"^/api/.*$"
CORS_ALLOW_CREDENTIALS = True
CORS_ALLOW_HEADERS = (
    "accept",
    "accept-language",
    "authorization",
    "content-type",
    "idempotency-key",
    "if-none-match",
    "x-csrftoken",
)
CORS_EXPOSE_HEADERS = (
    "content-disposition",
    "digest",
    "etag",
    "idempotent-replayed",
    "retry-after",
    "x-content-sha256",
)
CORS_PREFLIGHT_MAX_AGE = 3600

# Project apps first: their translations take precedence over the frameworks' ones.
INSTALLED_APPS = [
    "backend.core",
    "backend.territories",
    "backend.accounts",
    "backend.structures",
    "backend.profiles",
    "backend.consultations",
    "backend.invitations",
    "backend.idempotency",
    "backend.proposals",
    "backend.comments",
    "backend.moderation",
    "backend.votes",
    "backend.workshops",
    "backend.plans",
    "backend.synthesis",
    "backend.suggestions",
    "backend.programmes",
    "backend.privacy",
    "backend.notifications",
    "backend.demo",
    # Before django_tasks_db: its `db_worker` command (which schedules the periodic jobs)
    # overrides the library's.
    "backend.jobs",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.postgres",
    "corsheaders",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "channels",
    "django_tasks",
    "django_tasks_db",
    "axes",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Before CommonMiddleware, so preflight requests and redirects carry the CORS headers.
    "corsheaders.middleware.CorsMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "backend.core.middleware.RequestGuardMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "backend.core.middleware.ContentSecurityPolicyMiddleware",
    # Last, so its lockout response is rendered inside the language and security middlewares.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "backend.urls"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

ASGI_APPLICATION = "backend.asgi.application"

# Database: DATABASE_URL, or the embedded PostgreSQL (pgserver) kept in var/pgdata.
DATABASE_URL = env_str("DATABASE_URL")
if not DATABASE_URL:
    if not env_bool("EMBEDDED_POSTGRES", default=True):
        raise ImproperlyConfigured("DATABASE_URL must be set when EMBEDDED_POSTGRES is off.")
    from backend.localdb import DEFAULT_DATA_DIR, embedded_database_url

    EMBEDDED_POSTGRES_DIR = Path(env_str("EMBEDDED_POSTGRES_DIR") or DEFAULT_DATA_DIR).resolve()
    DATABASE_URL = embedded_database_url(EMBEDDED_POSTGRES_DIR)
DATABASES = {
    "default": database_settings(
        DATABASE_URL, conn_max_age=env_int("DATABASE_CONN_MAX_AGE", 0), conn_health_checks=True
    )
}
# A pool of connections per worker process (psycopg_pool): each request, websocket handler or
# job takes one and gives it back, instead of connecting to PostgreSQL every time. Set
# DATABASE_POOL_MAX_SIZE=0 to turn it off (then DATABASE_CONN_MAX_AGE applies).
DATABASE_POOL_MAX_SIZE = env_int("DATABASE_POOL_MAX_SIZE", 10)
if DATABASE_POOL_MAX_SIZE > 0 and not DATABASES["default"]["CONN_MAX_AGE"]:
    DATABASES["default"].setdefault("OPTIONS", {})["pool"] = {
        "min_size": 1,
        "max_size": DATABASE_POOL_MAX_SIZE,
        "timeout": env_int("DATABASE_POOL_TIMEOUT", 10),
    }
# Threads of one ASGI worker that serve HTTP requests (their middlewares, view and database
# work); a request beyond them waits for one. As many as the worker's database connections.
REQUEST_THREADS = env_int("REQUEST_THREADS", DATABASE_POOL_MAX_SIZE or 10)
if not DATABASES["default"]["ENGINE"].endswith("postgresql"):
    raise ImproperlyConfigured("Only PostgreSQL is supported (DATABASE_URL=postgres://...).")
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Channel layer: Redis when REDIS_URL is set (several workers), in-memory otherwise.
REDIS_URL = env_str("REDIS_URL")
# Seconds a Redis read may wait. Each websocket consumer waits for its next message with a
# blocking pop that Redis answers after 5 s (channels_redis' brpop_timeout); redis-py 8 reads
# with a 5 s socket timeout by default, which fired first and dropped idle websockets every
# 5-10 s (channels_redis issue 422). Longer than the blocking pop, still finite so that a Redis
# that vanished without closing its sockets is noticed. 0: no timeout (redis-py 7's default).
REDIS_SOCKET_TIMEOUT = env_int("REDIS_SOCKET_TIMEOUT", 30)
if REDIS_URL:
    if 0 < REDIS_SOCKET_TIMEOUT <= 5:
        raise ImproperlyConfigured(
            "REDIS_SOCKET_TIMEOUT must be 0 (none) or more than 5 s, the channel layer's "
            "blocking pop."
        )
    CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels_redis.core.RedisChannelLayer",
            "CONFIG": {
                "hosts": [
                    {
                        "address": REDIS_URL,
                        "socket_timeout": REDIS_SOCKET_TIMEOUT or None,
                        "socket_connect_timeout": 5,
                        "socket_keepalive": True,
                    }
                ],
                "prefix": env_str("REDIS_PREFIX", "npt"),
            },
        }
    }
    CACHES = {
        "default": {
            "BACKEND": "backend.core.cache.TolerantRedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": env_str("REDIS_PREFIX", "npt"),
            # Only throttle counters live here: never wait long for them.
            "OPTIONS": {"socket_timeout": 2, "socket_connect_timeout": 2},
        }
    }
else:
    CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# Live workshops: heartbeat (a client silent for two intervals is closed), time allowed for
# the first `join` message, the replay window (more missed events: a snapshot) and the
# interval between two pushes of one activity's live results.
WORKSHOP_HEARTBEAT_SECONDS = env_int("WORKSHOP_HEARTBEAT_SECONDS", 20)
WORKSHOP_JOIN_TIMEOUT_SECONDS = env_int("WORKSHOP_JOIN_TIMEOUT_SECONDS", 10)
WORKSHOP_REPLAY_WINDOW = env_int("WORKSHOP_REPLAY_WINDOW", 200)
WORKSHOP_RESULTS_INTERVAL_MS = env_int("WORKSHOP_RESULTS_INTERVAL_MS", 100)
# Abuse limits of one workshop connection (frontend-contract/live/README.md, "Limits"): the
# largest client message (bytes; larger: closed 4413), and a token bucket of messages (a burst,
# refilled at a rate per second; emptied: closed 4429).
WORKSHOP_MAX_MESSAGE_BYTES = env_int("WORKSHOP_MAX_MESSAGE_BYTES", 65536)
WORKSHOP_MESSAGE_BURST = env_int("WORKSHOP_MESSAGE_BURST", 40)
WORKSHOP_MESSAGE_RATE = env_int("WORKSHOP_MESSAGE_RATE", 10)
# Answers (ballots, poll answers, ideas) per participant connection, and joins and answers
# per client address and server process (error `throttled`; a join: closed 4429).
WORKSHOP_ANSWER_BURST = env_int("WORKSHOP_ANSWER_BURST", 10)
WORKSHOP_ANSWER_RATE = env_int("WORKSHOP_ANSWER_RATE", 2)
WORKSHOP_JOIN_BURST = env_int("WORKSHOP_JOIN_BURST", 200)
WORKSHOP_JOIN_RATE = env_int("WORKSHOP_JOIN_RATE", 20)
WORKSHOP_ADDRESS_ANSWER_BURST = env_int("WORKSHOP_ADDRESS_ANSWER_BURST", 1000)
WORKSHOP_ADDRESS_ANSWER_RATE = env_int("WORKSHOP_ADDRESS_ANSWER_RATE", 200)
# Background jobs (suggested clusters): a queue in PostgreSQL, run by `manage.py db_worker`.
# TASKS_BACKEND=django_tasks.backends.immediate.ImmediateBackend runs them in the request.
TASKS = {
    "default": {"BACKEND": env_str("TASKS_BACKEND", "django_tasks_db.DatabaseBackend")},
}
# A running suggestion run holds a lease its worker renews every third of it; a run whose
# lease expired (worker killed) is queued again, and failed after this many attempts.
SUGGESTION_RUN_LEASE_SECONDS = env_int("SUGGESTION_RUN_LEASE_SECONDS", 60)
SUGGESTION_RUN_MAX_ATTEMPTS = env_int("SUGGESTION_RUN_MAX_ATTEMPTS", 2)
# Periodic jobs run by the workers (backend/jobs): expired leases are looked for every half
# lease; housekeeping (pruning) runs every HOUSEKEEPING_INTERVAL_MINUTES.
HOUSEKEEPING_INTERVAL_MINUTES = env_int("HOUSEKEEPING_INTERVAL_MINUTES", 60)
# What housekeeping keeps: finished task rows, and the similarity change log (entries newer
# than the consultation's snapshot are always kept), for this many days.
TASK_RESULT_RETENTION_DAYS = env_int("TASK_RESULT_RETENTION_DAYS", 14)
SIMILARITY_CHANGE_LOG_RETENTION_DAYS = env_int("SIMILARITY_CHANGE_LOG_RETENTION_DAYS", 7)
# Per process: consultations whose similarity index stays in memory (about 100 MB each at
# 10,000 contributions, with their embeddings).
SIMILAR_INDEX_CACHE_SIZE = env_int("SIMILAR_INDEX_CACHE_SIZE", 4)
# Per consultation and process, the change log is read at most this often (milliseconds): a
# draft may miss a contribution published by another process less than that ago.
SIMILAR_INDEX_RECHECK_MS = env_int("SIMILAR_INDEX_RECHECK_MS", 1000)
# BLAS threads per process for the similarity maths (numpy/scipy): a lookup multiplies one
# draft by 10,000 rows, where a second thread only waits for a busy core (measured: 4 ms with
# one thread, 23 ms with two on a loaded 2-core machine). 0 leaves the library's default.
SIMILARITY_BLAS_THREADS = env_int("SIMILARITY_BLAS_THREADS", 1)

# Invitations by e-mail to consultation roles and structure memberships: how long a code is
# valid, and the frontend page that accepts it ("https://participer.example.org/invitation/
# {token}"; empty: the e-mail gives the bare code, for POST /api/v1/invitations/accept/).
INVITATION_TTL_DAYS = env_int("INVITATION_TTL_DAYS", 14)
INVITATION_URL = env_str("INVITATION_URL")
# Outgoing e-mail (invitations): SMTP when EMAIL_HOST is set, the console otherwise.
EMAIL_HOST = env_str("EMAIL_HOST")
EMAIL_BACKEND = (
    "django.core.mail.backends.smtp.EmailBackend"
    if EMAIL_HOST
    else "django.core.mail.backends.console.EmailBackend"
)
EMAIL_PORT = env_int("EMAIL_PORT", 587)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", default=True)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "ne-pas-repondre@localhost")

# The site's public address, for links in e-mails (the digest's one-click unsubscribe link,
# RFC 8058: it must be https in production for mail providers to offer the button).
SITE_URL = env_str("SITE_URL", "http://127.0.0.1:8000")

AUTH_USER_MODEL = "accounts.User"
# django-axes first: it refuses a locked-out account before any password is checked.
AUTHENTICATION_BACKENDS = [
    "backend.accounts.backends.LockoutBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    # Not a rule: Django calls it whenever a password is changed (API, admin, changepassword).
    {"NAME": "backend.accounts.passwords.AccessTokensRevokedOnPasswordChange"},
]

# Per-account lockout (django-axes): after LOGIN_FAILURE_LIMIT wrong passwords for one e-mail
# address, from any address, that account cannot sign in (API, tokens, admin) for
# LOGIN_LOCKOUT_MINUTES after the last failure. Failures are kept in the database (shared by
# every worker) and expire with the lockout; a successful sign-in resets them. The client
# address is REMOTE_ADDR only (see the README on proxies), never a header.
AXES_FAILURE_LIMIT = env_int("LOGIN_FAILURE_LIMIT", 10)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("LOGIN_LOCKOUT_MINUTES", 15))
AXES_LOCKOUT_PARAMETERS = ["username"]
AXES_RESET_ON_SUCCESS = True
AXES_USE_ATTEMPT_EXPIRATION = True
AXES_DISABLE_ACCESS_LOG = True
AXES_HANDLER = "axes.handlers.database.AxesDatabaseHandler"
AXES_USERNAME_CALLABLE = "backend.accounts.lockout.attempted_email"
AXES_CLIENT_IP_CALLABLE = "backend.core.clients.client_address"
AXES_LOCKOUT_CALLABLE = "backend.accounts.lockout.lockout_response"
AXES_SENSITIVE_PARAMETERS = ["username", "email", "password", "old_password", "new_password"]
AXES_VERBOSE = False
# axes.W006 asks to lock client addresses too; addresses are rate-limited by the throttles
# instead (AUTH_THROTTLE_RATE), because the phones of a workshop room share one address and a
# lockout would shut the whole room out.
SILENCED_SYSTEM_CHECKS = ["axes.W006"]

# Bodies larger than this are refused with 413 request_too_large (the biggest legitimate body,
# a paper-ballot import of 2,000 lines, is far smaller).
DATA_UPLOAD_MAX_MEMORY_SIZE = env_int("MAX_REQUEST_BODY_BYTES", 1_048_576)


LANGUAGE_CODE = "fr"
LANGUAGES = [("fr", _("French")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Europe/Paris"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "var" / "static"
# Published files (open-data archive, plan CSV, JSON and HTML), built once per state of
# their sources: a local folder by default; any S3-compatible store with ARTIFACTS_S3_BUCKET
# (needs the optional django-storages[s3] package; credentials from AWS_ACCESS_KEY_ID and
# AWS_SECRET_ACCESS_KEY as boto3 reads them).
ARTIFACTS_S3_BUCKET = env_str("ARTIFACTS_S3_BUCKET")
ARTIFACTS_STORAGE: dict[str, Any] = (
    {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": ARTIFACTS_S3_BUCKET,
            "endpoint_url": env_str("ARTIFACTS_S3_ENDPOINT_URL") or None,
            "region_name": env_str("ARTIFACTS_S3_REGION") or None,
            "location": env_str("ARTIFACTS_S3_PREFIX", "artifacts"),
            "default_acl": None,
            "file_overwrite": True,
        },
    }
    if ARTIFACTS_S3_BUCKET
    else {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": env_str("ARTIFACTS_DIR", str(BASE_DIR / "var" / "artifacts"))},
    }
)
# A missing open-data archive of at most this many rows (contributions + comments) is built
# inside the request; a larger one by a background job (202 with the build to follow).
ARTIFACTS_INLINE_MAX_ROWS = env_int("ARTIFACTS_INLINE_MAX_ROWS", 5000)
# A plan publication over at most this many contributions is prepared in its request (201);
# a larger one by a background job (202 and an ArtifactBuild to follow).
PLAN_PUBLISH_INLINE_MAX_CONTRIBUTIONS = env_int("PLAN_PUBLISH_INLINE_MAX_CONTRIBUTIONS", 2000)
# A build or publication job still "running" after this long lost its worker: housekeeping
# marks it failed (a publication is one transaction: nothing was published).
ARTIFACT_BUILD_STALE_MINUTES = env_int("ARTIFACT_BUILD_STALE_MINUTES", 60)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "artifacts": ARTIFACTS_STORAGE,
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
WHITENOISE_USE_FINDERS = DEBUG

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "backend.accounts.authentication.CsrfCodedSessionAuthentication",
        "backend.accounts.authentication.BearerTokenAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PAGINATION_CLASS": "backend.core.pagination.PageNumberPagination",
    "DEFAULT_FILTER_BACKENDS": [
        "django_filters.rest_framework.DjangoFilterBackend",
        "backend.core.filters.StrictOrderingFilter",
    ],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"]
    + (["rest_framework.renderers.BrowsableAPIRenderer"] if DEBUG else []),
    "DEFAULT_PARSER_CLASSES": ["backend.core.parsers.JSONParser"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "backend.core.exceptions.handle_exception",
    "DEFAULT_METADATA_CLASS": "backend.core.metadata.ViewMetadata",
    "DEFAULT_THROTTLE_RATES": {
        "auth": env_str("AUTH_THROTTLE_RATE", "30/min"),
        "similar": env_str("SIMILAR_THROTTLE_RATE", "60/min"),
        "password_check": env_str("PASSWORD_CHECK_THROTTLE_RATE", "10/hour"),
    },
    # Client addresses come from REMOTE_ADDR, which uvicorn's --proxy-headers sets from the
    # trusted proxy's X-Forwarded-For; never from a header a client could forge.
    "NUM_PROXIES": 0,
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}

SPECTACULAR_SETTINGS = {
    # ASCII: generators derive package names from the title (openapi-python-client).
    "TITLE": "Numerique pour tous API",
    # OpenAPI 3.1: schemas are plain JSON Schema (2020-12), so `null` is a type strict
    # validators and the generators understand (see frontend-contract/openapi.md).
    "OAS_VERSION": "3.1.0",
    "DESCRIPTION": (
        "Le numérique pour tous: API of the territorial co-construction platform of the "
        "regional action plan for digital inclusion. Errors share one shape: "
        "`{status, code, message, fields?, details?}`; "
        "see `frontend-contract/errors.md` for the stable codes. Messages are in French by "
        "default and in English with `Accept-Language: en`."
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "ENUM_NAME_OVERRIDES": {
        "TerritoryKindEnum": "backend.territories.models.TerritoryKind",
        "MemberRoleEnum": "backend.structures.models.MemberRole",
        "PhaseKindEnum": "backend.consultations.models.PhaseKind",
        "ConsultationRoleKindEnum": "backend.consultations.models.RoleKind",
        "ContributionKindEnum": "backend.proposals.models.ContributionKind",
        "ThemeEnum": "backend.consultations.models.Theme",
        "ConsultationStatusEnum": "backend.consultations.models.ConsultationStatus",
        "GateCodeEnum": "backend.consultations.domain.GateCode",
        "BallotOriginEnum": "backend.votes.models.BallotOrigin",
        "OriginEnum": "backend.proposals.models.Origin",
        "ConsentNoteEnum": "backend.proposals.models.ConsentNote",
        "WorkshopActivityKindEnum": "backend.workshops.models.ActivityKind",
        "WorkshopParticipationEnum": "backend.workshops.models.Participation",
        "WorkshopStatusEnum": "backend.workshops.models.WorkshopStatus",
        "WorkshopActivityStatusEnum": "backend.workshops.models.ActivityStatus",
        "WorkshopIdeaStatusEnum": "backend.workshops.models.IdeaStatus",
        "SuggestionRunStatusEnum": "backend.suggestions.models.RunStatus",
        "CandidateActionDecisionEnum": "backend.synthesis.models.Decision",
        "IdeaModerationDecisionEnum": ["approve", "reject"],
        "CommentOutputStatusEnum": "backend.comments.models.CommentStatus",
        "ActionKindEnum": ["candidate_action", "regional_action"],
        "TargetKindEnum": "backend.moderation.models.TargetKind",
    },
    "SCHEMA_PATH_PREFIX": r"/api/v1",
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "backend.core.openapi.add_error_responses",
        "backend.core.openapi.strict_request_bodies",
        "backend.core.openapi.plan_snapshot_schema",
        "backend.core.openapi.positive_path_ids",
        "backend.core.openapi.plan_html_pages",
        "backend.core.openapi.json_schema_nulls",
    ],
}

# Security: safe by default when DEBUG is off; TLS is usually terminated by the proxy.
SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", default=not DEBUG)
CSRF_COOKIE_SECURE = env_bool("CSRF_COOKIE_SECURE", default=not DEBUG)
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", default=not DEBUG)
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 0 if DEBUG else 31_536_000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=True)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", default=True)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
if env_bool("TRUST_X_FORWARDED_PROTO", default=False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
}
