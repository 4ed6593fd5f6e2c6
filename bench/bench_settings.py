"""Settings of the gunicorn server the API benchmark talks to: the development settings with
production-like request handling (no DEBUG query log, persistent database connections) and
URLconfs that add a bare view next to the real routes."""

from config.settings.dev import *  # noqa: F403
from config.settings.dev import DATABASES, env

DEBUG = False
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
ROOT_URLCONF = "bench_urls_tenant"
PUBLIC_SCHEMA_URLCONF = "bench_urls_public"
