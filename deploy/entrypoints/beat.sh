#!/bin/sh
# Celery beat, the periodic-task scheduler. The scheduler class is CELERY_BEAT_SCHEDULER in
# settings (config.beat): tenant-aware, fanning tenant tasks out to every institution, and
# persistent in the database (django-celery-beat), so a run missed while beat was down is sent
# once when it starts again. Run ONE beat per deployment: a second would send each periodic
# task twice (the tasks' per-item records still send each letter once).
#
#   LOG_LEVEL            default INFO.
set -eu

exec celery -A config beat --loglevel "${LOG_LEVEL:-INFO}"
