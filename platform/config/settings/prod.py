"""Production: behind a TLS-terminating proxy, with PostgreSQL, Redis and an SMTP relay.

Everything secret or site-specific comes from the environment (see ``.env.example``); the
variables without a default below are required and the process refuses to start without them.
``DJANGO_SETTINGS_MODULE=config.settings.prod nastavnik check --deploy`` must report no issues.
"""

from django.core.exceptions import ImproperlyConfigured

from config.settings.base import *  # noqa: F403
from config.settings.base import BASE_DOMAIN, CACHES, DATABASES, DEFAULT_FROM_EMAIL, env

DEBUG = False

# Required: no default, so a missing value is an ImproperlyConfigured error at start-up.
SECRET_KEY = env.str("SECRET_KEY")
# Known placeholders (.env.example's, the development default, the tests') are refused: every
# process (web, worker, `check --deploy`) stops at start-up rather than sign sessions, password
# reset links and tokens with a key anyone can read in the repository.
PLACEHOLDER_SECRET_MARKERS = (
    "replace-me",
    "change-me",
    "changeme",
    "insecure",
    "not-for-production",
)
if any(marker in SECRET_KEY.lower() for marker in PLACEHOLDER_SECRET_MARKERS):
    raise ImproperlyConfigured(
        "SECRET_KEY is a placeholder (from .env.example or the development settings). Set a "
        'random one: python -c "import secrets; print(secrets.token_urlsafe(50))"'
    )
env.str("DATABASE_URL")  # base reads it with a development default; production must name it
REDIS_URL = env.str("REDIS_URL")

SITE_SCHEME = env.str("SITE_SCHEME", default="https")

# --- HTTPS behind the proxy --------------------------------------------------------------------
# The proxy (nginx, a cloud load balancer) terminates TLS and must set X-Forwarded-Proto itself,
# overwriting whatever the client sent.
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
# Liveness probes of the orchestrator speak plain HTTP to the container.
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
# Every institution is a subdomain served by the same wildcard certificate, so HSTS covers them.
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=60 * 60 * 24 * 365)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=True)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# Login lockouts (django-axes) key on the address the proxy saw, not on the proxy's own; only
# the proxy we ship (deploy/nginx, at its fixed address on compose's internal network) is
# believed. Keep it equal to gunicorn's FORWARDED_ALLOW_IPS (deploy/entrypoints/web.sh).
TRUSTED_PROXIES = env.list("TRUSTED_PROXIES", default=["172.30.0.10"])

# Cookies stay host-only (no SESSION_COOKIE_DOMAIN): a session of one institution is never sent
# to another institution's host or to the regional layer.
SESSION_COOKIE_SECURE = True
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_SECURE = True
CSRF_TRUSTED_ORIGINS = env.list(
    "CSRF_TRUSTED_ORIGINS",
    default=[f"https://{BASE_DOMAIN}", f"https://*.{BASE_DOMAIN}"],
)

# --- Database ----------------------------------------------------------------------------------
# Persistent connections; behind PgBouncer in session mode (docs/scaling.md) this stays as is.
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
DATABASES["default"]["DISABLE_SERVER_SIDE_CURSORS"] = env.bool(
    "DISABLE_SERVER_SIDE_CURSORS", default=False
)

# --- Cache and broker: Redis, keys prefixed by tenant (base's KEY_FUNCTION) --------------------
CACHES = {
    "default": {
        **CACHES["default"],
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": REDIS_URL,
    }
}
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default=REDIS_URL)

# --- E-mail: an SMTP relay, e.g. smtp+tls://user:password@smtp.example.org:587 ----------------
_email = env.email_url("EMAIL_URL")
EMAIL_BACKEND = _email["EMAIL_BACKEND"]
EMAIL_HOST = _email.get("EMAIL_HOST", "")
EMAIL_PORT = _email.get("EMAIL_PORT", 25)
EMAIL_HOST_USER = _email.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = _email.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = _email.get("EMAIL_USE_TLS", False)
EMAIL_USE_SSL = _email.get("EMAIL_USE_SSL", False)
EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", default=20)
SERVER_EMAIL = env.str("SERVER_EMAIL", default=DEFAULT_FROM_EMAIL)
ADMINS = [("Admin", address) for address in env.list("ADMINS", default=[])]

# LOGGING is base's: one line per record on stderr with the tenant schema and host.
