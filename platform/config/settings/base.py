"""Settings shared by every environment; everything that varies comes from the environment."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from urllib.parse import quote

import django_stubs_ext
import environ
from celery.schedules import crontab
from django.utils.translation import gettext_lazy as _

django_stubs_ext.monkeypatch()  # generic admin/serializer classes at runtime

REPO_ROOT = Path(__file__).resolve().parents[3]

env = environ.Env()
environ.Env.read_env(REPO_ROOT / ".env", overwrite=False)

SECRET_KEY = env.str("SECRET_KEY", default="dev-insecure-secret-key-change-me")
DEBUG = env.bool("DEBUG", default=False)

# Tenants are reached at <slug>.<BASE_DOMAIN>; the regional layer at BASE_DOMAIN itself.
BASE_DOMAIN = env.str("BASE_DOMAIN", default="localhost")
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=[BASE_DOMAIN, f".{BASE_DOMAIN}"])
SITE_SCHEME = env.str("SITE_SCHEME", default="http")
SITE_PORT = env.str("SITE_PORT", default="")

# --- Apps -----------------------------------------------------------------------------------
# Every app is in exactly one of the two lists, except the few Django apps that each schema
# needs its own copy of (auth, contenttypes, sessions, admin, accounts): tests assert this.
SHARED_APPS = [
    "tenants",  # before django_tenants: its migrate/migrate_schemas commands take precedence
    "django_tenants",
    "regional.privacy",
    "regional.employers",
    "regional.questionnaires",
    "regional.survey_results",
    "regional.kpis",
    "regional.practices",
    "regional.announcements",
    "regional.web",
    "seeding",  # no models: the demo and generated schools, above every domain app
    "django.contrib.contenttypes",
    "django.contrib.auth",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.admin",
    "django.contrib.staticfiles",
    "rest_framework",
    "rest_framework.authtoken",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_celery_beat",
    "config.outbox",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "accounts",
]
TENANT_APPS = [
    "django.contrib.contenttypes",
    "django.contrib.auth",
    "django.contrib.sessions",
    "django.contrib.admin",
    "rest_framework.authtoken",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "accounts",
    "schools.audit",
    "schools.programmes",
    "schools.participants",
    "schools.imports",
    "schools.matching",
    "schools.pairs",
    "schools.monitoring",
    "schools.documents",
    "schools.publication",
    "schools.web",
]
# Apps that must exist in both the public schema and every tenant schema.
DUAL_APPS = [
    "django.contrib.contenttypes",
    "django.contrib.auth",
    "django.contrib.sessions",
    "django.contrib.admin",
    "rest_framework.authtoken",
    "axes",  # login attempts and lockouts are kept in the schema of the host signed in to
    # second factor devices belong to the users of the schema (accounts/twofactor)
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "accounts",
]
INSTALLED_APPS = list(SHARED_APPS) + [a for a in TENANT_APPS if a not in SHARED_APPS]

TENANT_MODEL = "tenants.Institution"
TENANT_DOMAIN_MODEL = "tenants.Domain"
PUBLIC_SCHEMA_NAME = "public"
# New tenant schemas are cloned from this migrated template instead of migrated from zero.
TENANT_BASE_SCHEMA = "tenant_template"
TENANT_CREATION_FAKES_MIGRATIONS = True
TENANT_MULTIPROCESSING_MAX_PROCESSES = env.int("TENANT_MIGRATION_PROCESSES", default=2)
TENANT_SUBPROCESS_PARALLEL = env.int("TENANT_MIGRATION_PROCESSES", default=2)
TENANT_LIMIT_SET_CALLS = True
# Citus schema-based sharding (docs/scaling.md, section 4): provisioning distributes each new
# institution's schema to a worker node in its own transaction; migrations may create triggers.
NASTAVNIK_CITUS = env.bool("NASTAVNIK_CITUS", default=False)
# migrate_schemas runs institutions in parallel processes (django-tenants' multiprocessing).
TENANT_MIGRATION_EXECUTOR = env.str("TENANT_MIGRATION_EXECUTOR", default="multiprocessing")
DEFAULT_NOT_FOUND_TENANT_VIEW = "config.views.unknown_host"

DATABASE_ROUTERS = ["django_tenants.routers.TenantSyncRouter"]

MIDDLEWARE = [
    # first: /healthz before the tenant lookup; PostgreSQL or Redis away is a 503 (config.outage)
    "config.outage.OutageMiddleware",
    "tenants.middleware.InstitutionTenantMiddleware",
    "tenants.middleware.InstitutionStatusMiddleware",
    "tenants.middleware.InstitutionTimeZoneMiddleware",  # times in the institution's own zone
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "config.middleware.CleanQueryStringMiddleware",
    "config.middleware.UploadLimitMiddleware",  # a 413 page before the CSRF check reads more
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # request.user.is_verified(): the second factor (django-otp's, its device read cheaper)
    "accounts.twofactor.middleware.OTPMiddleware",
    "accounts.twofactor.middleware.SecondFactorMiddleware",  # asks for it where it is needed
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "config.middleware.CSPMiddleware",  # django-csp's, a plain response's policy built once
    "axes.middleware.AxesMiddleware",  # last: turns a lockout into the lockout page
]

ROOT_URLCONF = "config.urls_tenant"
PUBLIC_SCHEMA_URLCONF = "config.urls_public"
WSGI_APPLICATION = "config.wsgi.application"
ASGI_APPLICATION = "config.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [REPO_ROOT / "platform" / "config" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "config.pages.navigation",
            ],
            "libraries": {"layout": "config.layout_tags"},  # the layout's static files
        },
    }
]

# Django's widget templates, with inputs and plain selects written in Python (the same bytes)
FORM_RENDERER = "config.form_renderer.FastTemplates"

# --- Database -------------------------------------------------------------------------------
DATABASES = {
    "default": env.db_url("DATABASE_URL", default="postgres://postgres@127.0.0.1:5432/nastavnik"),
}
DATABASES["default"]["ENGINE"] = "django_tenants.postgresql_backend"
DATABASES["default"].setdefault("CONN_MAX_AGE", env.int("CONN_MAX_AGE", default=0))
# A persistent connection is checked (`SELECT 1`) before the first query of a request or task.
# The web server turns it off (config/wsgi.py): its tenant lookup reconnects when it finds the
# connection broken (tenants.middleware.institution_by_host; docs/operations.md).
DATABASES["default"]["CONN_HEALTH_CHECKS"] = env.bool("CONN_HEALTH_CHECKS", default=True)
# No JIT compilation: it pays off for long analytical queries, not for a page's. The
# consent-state expression (correlated subqueries) is estimated costly enough to be compiled,
# which cost 0.1–2 s on a 1,500-pupil school for a query that runs in 15 ms (bench/README.md).
_db_options = DATABASES["default"].setdefault("OPTIONS", {})
_db_options["options"] = f"{_db_options.get('options', '')} -c jit=off".strip()
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Auth -----------------------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
# Reads the scope of a tenant user (its classes, its participant, its children) for its Actor:
# accounts.actor stays below the apps it would otherwise import.
ACTOR_SCOPE_RESOLVER = "schools.participants.access.actor_scope"
AUTHENTICATION_BACKENDS = [
    "accounts.backends.LoginLockoutBackend",  # first: django-axes refuses a locked-out login
    "accounts.backends.InstitutionAwareBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "/accounts/login/"
LOGIN_REDIRECT_URL = "/"
LOGOUT_REDIRECT_URL = "/accounts/login/"
PASSWORD_RESET_TIMEOUT = 24 * 3600
# Password reset requests per hour: from one address (a school shares one), to one e-mail.
PASSWORD_RESET_PER_ADDRESS = env.int("PASSWORD_RESET_PER_ADDRESS", default=20)
PASSWORD_RESET_PER_EMAIL = env.int("PASSWORD_RESET_PER_EMAIL", default=3)
# Brute-force protection (django-axes): a login is locked for a username *and* an address
# together, since a whole school signs in from one address.
AXES_ENABLED = env.bool("AXES_ENABLED", default=True)
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("AXES_COOLOFF_MINUTES", default=15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_HTTP_RESPONSE_CODE = 429
AXES_VERBOSE = False
AXES_CLIENT_IP_CALLABLE = "accounts.security.client_ip"
# The reverse proxies (addresses or networks) whose X-Forwarded-For is believed: the lockout
# keys on the address they saw. Any other peer is keyed on its own address (none by default).
TRUSTED_PROXIES = env.list("TRUSTED_PROXIES", default=[])
INVITATION_TTL = timedelta(days=env.int("INVITATION_TTL_DAYS", default=7))
# API tokens stop working this long after they were issued (a new sign-in issues a new one).
API_TOKEN_TTL = timedelta(days=env.int("API_TOKEN_TTL_DAYS", default=30))
# Sessions: a school day on a shared computer (and the cookie ends with the browser), unless
# "remember me" is ticked at sign-in on a personal device.
SESSION_COOKIE_AGE = env.int("SESSION_HOURS", default=8) * 3600
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_REMEMBER_AGE = env.int("SESSION_REMEMBER_DAYS", default=14) * 24 * 3600

# --- Single sign-on: the region's OpenID Connect provider (accounts/sso, docs/sso.md) ----------
# One provider for the whole region, registered with ONE redirect URI on the regional host
# (<scheme>://BASE_DOMAIN/oidc/callback/); an institution's sign-in is relayed back to its own
# host by the state. Off while OIDC_OP_ISSUER is empty: then only passwords (they always stay).
OIDC_OP_ISSUER = env.str("OIDC_OP_ISSUER", default="")
OIDC_OP_AUTHORIZATION_ENDPOINT = env.str("OIDC_OP_AUTHORIZATION_ENDPOINT", default="")
OIDC_OP_TOKEN_ENDPOINT = env.str("OIDC_OP_TOKEN_ENDPOINT", default="")
OIDC_OP_USER_ENDPOINT = env.str("OIDC_OP_USER_ENDPOINT", default="")
OIDC_OP_JWKS_ENDPOINT = env.str("OIDC_OP_JWKS_ENDPOINT", default="")
OIDC_OP_LOGOUT_ENDPOINT = env.str("OIDC_OP_LOGOUT_ENDPOINT", default="")
OIDC_RP_CLIENT_ID = env.str("OIDC_RP_CLIENT_ID", default="")
OIDC_RP_CLIENT_SECRET = env.str("OIDC_RP_CLIENT_SECRET", default="")
OIDC_RP_SIGN_ALGO = env.str("OIDC_RP_SIGN_ALGO", default="RS256")
OIDC_RP_SCOPES = env.str("OIDC_RP_SCOPES", default="openid email profile")
OIDC_TOKEN_USE_BASIC_AUTH = env.bool("OIDC_TOKEN_USE_BASIC_AUTH", default=True)
OIDC_TIMEOUT = env.float("OIDC_TIMEOUT", default=10.0)
OIDC_USE_PKCE = True
OIDC_AUTHENTICATION_CALLBACK_URL = "sso-callback"  # always exchanged as the regional one
OIDC_USE_NONCE = True
OIDC_CREATE_USER = False  # accounts.sso decides: never a learner, regional staff by group only
# The button on the sign-in page: "Войти через <this>" (Russian accusative, e.g. "Госуслуги").
OIDC_PROVIDER_NAME = env.str("OIDC_PROVIDER_NAME", default="единую учётную запись региона")
# Regional centre staff accounts made at first sign-in on the regional host from this group
# (the provider's OIDC_GROUPS_CLAIM); empty: nobody is ever created from a token.
OIDC_REGIONAL_STAFF_GROUP = env.str("OIDC_REGIONAL_STAFF_GROUP", default="")
OIDC_GROUPS_CLAIM = env.str("OIDC_GROUPS_CLAIM", default="groups")

# --- Second factor: TOTP (django-otp) with recovery codes (accounts/twofactor) ---------------
# Required for these roles (they handle minors' personal data under 152-FZ); anyone else may
# turn it on for themselves, and then it is asked for too. The test settings require it of
# nobody; the tests of the second factor require it themselves.
OTP_REQUIRED_ROLES = env.list("OTP_REQUIRED_ROLES", default=["regional_admin", "coordinator"])
OTP_TOTP_ISSUER = env.str("OTP_TOTP_ISSUER", default="Наставник")
OTP_RECOVERY_CODES = 10
OTP_ADMIN_HIDE_SENSITIVE_DATA = True  # the admin never shows a secret key or its QR code

# --- Content-Security-Policy (django-csp) on every response ---------------------------------
# Scripts only from our own static files (no inline script, no eval: the pages' scripts are
# files under static/web/); no plugins, no framing, forms post to us only. Styles allow inline
# attributes (Bootstrap's and htmx's style attributes, the plain error pages).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'", "'unsafe-inline'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'", "data:"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}


def _origin(url: str) -> str:
    from urllib.parse import urlsplit

    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


# Signing out posts to us and is redirected to the provider's end-session endpoint: a form's
# redirect is under form-action too.
if OIDC_OP_LOGOUT_ENDPOINT:
    CONTENT_SECURITY_POLICY["DIRECTIVES"]["form-action"].append(_origin(OIDC_OP_LOGOUT_ENDPOINT))

# --- Cache, sessions, files: all keyed by tenant ---------------------------------------------
REDIS_URL = env.str("REDIS_URL", default="")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_FUNCTION": "django_tenants.cache.make_key",
            "REVERSE_KEY_FUNCTION": "django_tenants.cache.reverse_key",
        }
    }
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.db.DatabaseCache",
            "LOCATION": "nastavnik_cache",
            "KEY_FUNCTION": "django_tenants.cache.make_key",
            "REVERSE_KEY_FUNCTION": "django_tenants.cache.reverse_key",
        }
    }
# django_session lives in each schema; the db store with its per-request read written once
SESSION_ENGINE = "accounts.sessions"
SESSION_COOKIE_NAME = "nastavnik_session"  # host-only cookie: never shared across subdomains
CSRF_COOKIE_NAME = "nastavnik_csrf"

# No upload body is read beyond this (the largest form upload, a 20 MB programme document;
# the proxy's client_max_body_size is the same): config.uploads.
UPLOAD_MAX_BYTES = env.int("UPLOAD_MAX_MB", default=21) * 1024 * 1024
FILE_UPLOAD_HANDLERS = [
    "config.uploads.BodyLimitUploadHandler",
    "django.core.files.uploadhandler.MemoryFileUploadHandler",
    "django.core.files.uploadhandler.TemporaryFileUploadHandler",
]
MEDIA_ROOT = env.str("MEDIA_ROOT", default=str(REPO_ROOT / "var" / "media"))
MEDIA_URL = "/media/"
MULTITENANT_RELATIVE_MEDIA_ROOT = "%s"
STATIC_ROOT = env.str("STATIC_ROOT", default=str(REPO_ROOT / "var" / "static"))
STATIC_URL = "/static/"
# Vendored front-end files (Bootstrap, htmx, Chart.js): served by us, never from a CDN.
STATICFILES_DIRS = [REPO_ROOT / "platform" / "config" / "static"]
STORAGES = {
    "default": {"BACKEND": "config.storage.TenantFileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}

# --- i18n: Russian first ------------------------------------------------------------------------
LANGUAGE_CODE = "ru"
LANGUAGES = [("ru", _("Russian")), ("en", _("English"))]
LOCALE_PATHS = [REPO_ROOT / "platform" / "config" / "locale"]
TIME_ZONE = env.str("TIME_ZONE", default="Europe/Moscow")
USE_I18N = True
USE_TZ = True

# --- E-mail -------------------------------------------------------------------------------------
EMAIL_BACKEND = env.str("EMAIL_BACKEND", default="django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="Наставник <noreply@nastavnik.local>")
REGIONAL_CENTRE_NAME = env.str("REGIONAL_CENTRE_NAME", default="Региональный центр наставничества")

# --- DRF ----------------------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.SessionAuthentication",
        "accounts.authentication.ExpiringTokenAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    # Text is cleaned at the edge (config.text): every string of every request body.
    "DEFAULT_PARSER_CLASSES": [
        "config.api.parsers.CleanJSONParser",
        "config.api.parsers.CleanFormParser",
        "config.api.parsers.CleanMultiPartParser",
    ],
    "DEFAULT_PAGINATION_CLASS": "config.api.pagination.StandardPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_FILTER_BACKENDS": [
        "config.api.filters.FilterBackend",
        "rest_framework.filters.OrderingFilter",
        "rest_framework.filters.SearchFilter",
    ],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "config.api.exceptions.exception_handler",
    "DEFAULT_METADATA_CLASS": "config.api.metadata.SafeMetadata",
    "DEFAULT_THROTTLE_RATES": {"anon": "30/min", "onboarding": "5/hour"},
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Nastavnik API",
    "DESCRIPTION": "API of the Nastavnik regional mentoring platform.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "COMPONENT_SPLIT_REQUEST": True,
    # every operation documents the error answers it can give (config.api.schema)
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "config.api.schema.document_error_responses",
    ],
    "ENUM_NAME_OVERRIDES": {
        "RoleEnum": "accounts.models.Role",
        "InvitableRoleEnum": "accounts.roles.INVITABLE_CHOICES",
        "MentoringFormEnum": "schools.programmes.models.MentoringForm",
        "EmployerMentorStatusEnum": "regional.employers.models.MentorStatus",
        "MentorRequestStatusEnum": "regional.employers.models.RequestStatus",
        "PlacementStatusEnum": "regional.employers.models.PlacementStatus",
        "ProgrammeStatusEnum": "schools.programmes.models.ProgrammeStatus",
        "ActivityStatusEnum": "schools.programmes.models.ActivityStatus",
        "ImportKindEnum": "schools.imports.models.ImportKind",
        "ImportStatusEnum": "schools.imports.models.ImportStatus",
        "PairStatusEnum": "schools.pairs.models.PairStatus",
        "GoalStatusEnum": "schools.pairs.models.GoalStatus",
        "MeetingKindEnum": "schools.pairs.models.MeetingKind",
        "MeetingStatusEnum": "schools.pairs.models.MeetingStatus",
        "PracticeCaseStatusEnum": "schools.pairs.models.PracticeCaseStatus",
        "PreferenceKindEnum": "schools.matching.models.PreferenceKind",
        "MatchAlgorithmEnum": "schools.matching.models.Algorithm",
        "MatchRunStatusEnum": "schools.matching.models.RunStatus",
        "MatchProposalStatusEnum": "schools.matching.models.ProposalStatus",
        "UnmatchedReasonEnum": "schools.matching.models.UnmatchedReason",
        "IndicatorKindEnum": "regional.kpis.models.IndicatorKind",
        "IndicatorGroupEnum": "regional.kpis.models.IndicatorGroup",
        "KpiRunStatusEnum": "regional.kpis.models.RunStatus",
        "KpiItemStatusEnum": "regional.kpis.models.ItemStatus",
        "SurveyCampaignStatusEnum": "schools.monitoring.models.CampaignStatus",
        "SurveyResponseStatusEnum": "schools.monitoring.models.ResponseStatus",
        "SurveyResponseChannelEnum": "schools.monitoring.models.ResponseChannel",
        "SurveyTargetKindEnum": "schools.monitoring.models.TargetKind",
        "QuestionnaireOriginEnum": "schools.monitoring.models.QuestionnaireOrigin",
        "QuestionnairePurposeEnum": "regional.questionnaires.models.Purpose",
        "QuestionKindEnum": "regional.questionnaires.models.QuestionKind",
        "ConsentPurposeEnum": "schools.participants.models.ConsentPurpose",
        "InstitutionKindEnum": "tenants.models.InstitutionKind",
    },
    # Served from our own static files: schools' networks filter CDNs.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
}


# --- Celery -------------------------------------------------------------------------------------
def _sqla_broker_url() -> str:
    """Without Redis, Celery uses kombu's SQLAlchemy transport on the platform's own database."""
    db = DATABASES["default"]
    user = db.get("USER") or ""
    password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
    auth = f"{user}{password}@" if user else ""
    # django-environ puts a socket directory given as ``?host=/dir`` into OPTIONS, not HOST.
    host = db.get("HOST") or db.get("OPTIONS", {}).get("host") or ""
    query = ""
    if host.startswith("/"):  # a Unix socket directory (the embedded demo server)
        query, host = f"?host={quote(host, safe='/')}", ""
    port = f":{db['PORT']}" if db.get("PORT") and host else ""
    return f"sqla+postgresql+psycopg://{auth}{host}{port}/{db['NAME']}{query}"


CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default=REDIS_URL or _sqla_broker_url())
CELERY_RESULT_BACKEND = None
CELERY_TIMEZONE = TIME_ZONE  # beat's crontab hours are Moscow time, like the users'
# A task is acknowledged after it ran; a worker lost mid-task gives its message back (the outbox
# claim in config.tasks makes a second delivery harmless: ADR 0008).
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
# Time limits on every task: the soft one raises inside the task (which records the failure),
# the hard one kills it. Long jobs get theirs in CELERY_TASK_ANNOTATIONS; a test checks that
# every task has both limits and that the broker's visibility timeout exceeds the longest.
CELERY_TASK_SOFT_TIME_LIMIT = env.int("CELERY_TASK_SOFT_TIME_LIMIT", default=300)
CELERY_TASK_TIME_LIMIT = env.int("CELERY_TASK_TIME_LIMIT", default=360)
LONG_TASK_SOFT_TIME_LIMIT = env.int("LONG_TASK_SOFT_TIME_LIMIT", default=1200)
LONG_TASK_TIME_LIMIT = env.int("LONG_TASK_TIME_LIMIT", default=1260)
LONG_TASKS = (
    "imports.import_batch_validate",
    "imports.import_batch_commit",
    "documents.document_job_run",
    "matching.run_execute",
    "kpis.aggregate_institution",
    "tenants.provision_institution",
    "monitoring.invitations_send",
    "monitoring.campaign_launch_run",
    "monitoring.campaign_reminders_send",
    "monitoring.daily",
)
CELERY_TASK_ANNOTATIONS = {
    name: {"soft_time_limit": LONG_TASK_SOFT_TIME_LIMIT, "time_limit": LONG_TASK_TIME_LIMIT}
    for name in LONG_TASKS
}
# Redis gives an unacknowledged message (its worker died) back after this many seconds: longer
# than the longest task, or a task still running would be delivered a second time. A lost job
# comes back much sooner through the outbox lease (OUTBOX_LEASE_SECONDS).
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": env.int("BROKER_VISIBILITY_TIMEOUT", default=LONG_TASK_TIME_LIMIT + 300),
}
# The outbox (config.outbox, ADR 0008): a running task renews its lease every third of
# OUTBOX_LEASE_SECONDS; the relay (every OUTBOX_RELAY_INTERVAL seconds) republishes a row whose
# lease lapsed (the worker died), or that nobody picked up within OUTBOX_REPUBLISH_AFTER (the
# broker lost it; doubling each time), and gives up after OUTBOX_MAX_RUNS lost runs.
OUTBOX_LEASE_SECONDS = env.float("OUTBOX_LEASE_SECONDS", default=60)
OUTBOX_RELAY_INTERVAL = env.float("OUTBOX_RELAY_INTERVAL", default=15)
OUTBOX_REPUBLISH_AFTER = env.float("OUTBOX_REPUBLISH_AFTER", default=600)
OUTBOX_MAX_RUNS = env.int("OUTBOX_MAX_RUNS", default=5)
OUTBOX_KEEP_DAYS = env.int("OUTBOX_KEEP_DAYS", default=7)
# A job (import, document set, matching run…) still queued or running whose task is no longer
# pending, and older than this, is failed with a reason or sent again by beat's jobs sweep.
JOB_STUCK_AFTER = env.int("JOB_STUCK_AFTER", default=300)
# Publishing gives up quickly when the broker is down (the outbox relay sends it later): a
# request never hangs on Redis.
CELERY_TASK_PUBLISH_RETRY_POLICY = {
    "max_retries": env.int("OUTBOX_PUBLISH_RETRIES", default=1),
    "interval_start": 0,
    "interval_step": 0.2,
    "interval_max": 0.2,
}
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_DEFAULT_QUEUE = env.str("CELERY_QUEUE", default="nastavnik")
CELERY_TASK_ALWAYS_EAGER = False
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
# The worker logs through LOGGING (its formatter withholds exception messages: config.logs).
CELERY_WORKER_HIJACK_ROOT_LOGGER = False
HEALTH_WORKER_PING_TIMEOUT = env.float("HEALTH_WORKER_PING_TIMEOUT", default=1.0)
CELERY_INCLUDE = ["config.health"]  # the worker's ``config.ping`` (a live answer for /healthz)
# Persistent and tenant-aware (django-celery-beat's tables, config.beat): a run missed while
# beat was down is sent once when it starts again.
CELERY_BEAT_SCHEDULER = "config.beat:PlatformScheduler"
CELERY_BEAT_SCHEDULE: dict[str, dict[str, object]] = {
    # Once, in public: fans out one task per institution to publish its anonymous survey results.
    "survey-results-publish": {
        "task": "survey_results.publish_all",
        "schedule": crontab(hour=2, minute=30),
        "options": {"expires": 6 * 3600},
        "tenant_schemas": ["public"],
    },
    # In every institution (no tenant_schemas): close due survey campaigns, send reminders.
    "monitoring-daily": {
        "task": "monitoring.daily",
        "schedule": crontab(hour=10, minute=0),
        "options": {"expires": 6 * 3600},
    },
    # The outbox relay: publishes what the broker lost or never got (config.outbox).
    "outbox-relay": {
        "task": "config.outbox_relay",
        "schedule": timedelta(seconds=OUTBOX_RELAY_INTERVAL),
        "options": {"expires": max(OUTBOX_RELAY_INTERVAL * 2, 10)},
        "tenant_schemas": ["public"],
    },
    # In every institution: jobs left behind by their task are failed with a reason or resent.
    "jobs-sweep": {
        "task": "config.jobs_sweep",
        "schedule": timedelta(minutes=5),
        "options": {"expires": 240},
    },
    "heartbeat": {
        "task": "config.heartbeat",
        # every minute; the demo asks for one every few seconds, to know at once that beat runs
        "schedule": timedelta(seconds=env.int("BEAT_HEARTBEAT_SECONDS", default=60)),
        "options": {"expires": 50},
        "tenant_schemas": ["public"],
    },
    "retry-stuck-provisioning": {
        "task": "tenants.retry_stuck_provisioning",
        "schedule": crontab(minute="*/10"),
        "tenant_schemas": ["public"],
    },
    # In every institution (no tenant_schemas): erase people whose consent was withdrawn.
    "participants-erase-due": {
        "task": "participants.erase_due",
        "schedule": crontab(hour=3, minute=15),
        "options": {"expires": 12 * 3600},
    },
    # In every institution (no tenant_schemas): e-mail reminders of tomorrow's meetings.
    "meeting-reminders": {
        "task": "pairs.meeting_reminders_send",
        "schedule": crontab(hour=9, minute=0),
        "options": {"expires": 6 * 3600},
    },
    # In every institution: the mentor is asked once to mark a past planned meeting held.
    "meeting-mark-reminders": {
        "task": "pairs.meeting_mark_reminders_send",
        "schedule": crontab(hour=17, minute=0),
        "options": {"expires": 6 * 3600},
    },
    # Regional KPIs: a monthly snapshot of every institution (one task per institution).
    "kpis-aggregate-region": {
        "task": "kpis.aggregate_region",
        "schedule": crontab(day_of_month=1, hour=4, minute=0),
        "options": {"expires": 12 * 3600},
        "tenant_schemas": ["public"],
    },
    # Best practices: collect the success stories institutions published (one task each).
    "practices-collect-region": {
        "task": "practices.collect_region",
        "schedule": crontab(hour=2, minute=40),
        "options": {"expires": 12 * 3600},
        "tenant_schemas": ["public"],
    },
    # In every institution (no tenant_schemas): reminders of overdue and soon-due activities.
    "roadmap-reminders": {
        "task": "programmes.roadmap_reminders_send",
        "schedule": crontab(hour=7, minute=30),
        "options": {"expires": 6 * 3600},
    },
}

# Exception messages in logs (they may quote personal data): off; 1 for a debugging session.
LOG_EXCEPTION_MESSAGES = env.bool("LOG_EXCEPTION_MESSAGES", default=False)
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"tenant_context": {"()": "django_tenants.log.TenantContextFilter"}},
    "formatters": {
        "tenant": {
            # tracebacks keep types and frames, not the messages (config.logs)
            "()": "config.logs.WithoutValuesFormatter",
            "format": "[%(levelname)s] [%(schema_name)s:%(domain_url)s] %(name)s: %(message)s",
        }
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "filters": ["tenant_context"],
            "formatter": "tenant",
        }
    },
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        "axes": {"level": "WARNING"},  # every login would be logged at INFO
    },
}
