import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.dev")
# The web server checks a persistent connection only when it fails: every request's first
# statement, the tenant lookup, sends itself again on a new connection when the old one is
# broken (tenants.middleware.institution_by_host). Django's check would cost a `SELECT 1`
# before each request's first query. Workers, beat and commands keep Django's check
# (settings: CONN_HEALTH_CHECKS); the environment may set it here too (docs/operations.md).
os.environ.setdefault("CONN_HEALTH_CHECKS", "0")
application = get_wsgi_application()
