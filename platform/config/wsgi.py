import gc
import os

from django.core.signals import request_finished
from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.dev")
# The web server checks a persistent connection only when it fails: every request's first
# statement, the tenant lookup, sends itself again on a new connection when the old one is
# broken (tenants.middleware.institution_by_host). Django's check would cost a `SELECT 1`
# before each request's first query. Workers, beat and commands keep Django's check
# (settings: CONN_HEALTH_CHECKS); the environment may set it here too (docs/operations.md).
os.environ.setdefault("CONN_HEALTH_CHECKS", "0")
application = get_wsgi_application()

# The garbage collector's full pass walks every object a worker holds (about 250,000 once it
# has served a few pages: modules, URL patterns, compiled templates, the caches of forms) and
# stops the worker for about 150 ms while it does: a page that meets one is late. What is
# loaded here, and what the first requests build to keep, is never garbage: it is moved out
# of the collector's sight (``gc.freeze``), now and once more after FREEZE_AFTER requests.
FREEZE_AFTER = 200
gc.collect()
gc.freeze()
_served = 0


def _freeze_when_warm(**kwargs: object) -> None:
    global _served
    _served += 1
    if _served >= FREEZE_AFTER and request_finished.disconnect(_freeze_when_warm):
        gc.collect()  # once: the thread that disconnected it
        gc.freeze()


request_finished.connect(_freeze_when_warm, weak=False)
