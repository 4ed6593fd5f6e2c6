"""Settings for the test suite: real PostgreSQL and Redis, the test outbox for e-mail."""

import os
import uuid

from config.settings.base import *  # noqa: F403
from config.settings.base import CACHES, DATABASES, REDIS_URL, REST_FRAMEWORK, env

DEBUG = False
SECRET_KEY = "test-secret-key-not-for-production"
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
if env.str("TEST_EMAIL_DIR", default=""):  # the fault tests' workers: letters as files to count
    EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    EMAIL_FILE_PATH = env.str("TEST_EMAIL_DIR")
if env.int("TEST_EMAIL_SMTP_PORT", default=0):  # a fault test's mail server that never answers
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    EMAIL_HOST, EMAIL_PORT = "127.0.0.1", env.int("TEST_EMAIL_SMTP_PORT")
BASE_DOMAIN = "nastavnik.test"
# The product is Russian first (base: LANGUAGE_CODE = "ru"); tests that do not choose a language
# see the English msgids, so that their assertions name the source strings. The page and
# browser tests choose Russian or English explicitly.
LANGUAGE_CODE = "en"
ALLOWED_HOSTS = [BASE_DOMAIN, f".{BASE_DOMAIN}", "testserver"]

_redis = REDIS_URL or env.str("TEST_REDIS_URL", default="redis://127.0.0.1:6379/15")
CELERY_BROKER_URL = _redis
# A queue of our own per test run, so that leftovers of an earlier run are never consumed.
# (The fault tests' workers and beats are told the queue of the run that started them.)
CELERY_TASK_DEFAULT_QUEUE = env.str(
    "TEST_CELERY_QUEUE", default=f"nastavnik-test-{os.getpid()}-{uuid.uuid4().hex[:8]}"
)
CACHES = {
    "default": {
        **CACHES["default"],
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": _redis,
        "KEY_PREFIX": CELERY_TASK_DEFAULT_QUEUE,
    }
}
TENANT_MULTIPROCESSING_MAX_PROCESSES = 1
TENANT_MIGRATION_EXECUTOR = "standard"
# Parallel runs on one machine (e.g. two checkouts) can name their own test database.
DATABASES["default"]["TEST"] = {"NAME": env.str("TEST_DATABASE_NAME", default="test_nastavnik")}
REST_FRAMEWORK = {
    **REST_FRAMEWORK,
    "DEFAULT_THROTTLE_RATES": {"anon": "1000/min", "onboarding": "1000/min"},
}

STATIC_ROOT = env.str("STATIC_ROOT", default="/tmp/nastavnik-test-static")  # noqa: S108
os.makedirs(STATIC_ROOT, exist_ok=True)
HEALTH_WORKER_PING_TIMEOUT = 0.3
# The second factor is required of nobody by default here (tests sign people in directly); its
# own tests (tests/accounts/test_second_factor.py, the SSO journey) require it as production.
OTP_REQUIRED_ROLES = []
