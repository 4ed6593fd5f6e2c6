#!/bin/sh
# Celery beat, the periodic-task scheduler. The scheduler class (tenant-aware, fanning tenant
# tasks out to every institution) is CELERY_BEAT_SCHEDULER in settings. Run exactly ONE beat
# per deployment: two would send every periodic task twice.
#
#   LOG_LEVEL            default INFO.
set -eu

exec celery -A config beat \
    --loglevel "${LOG_LEVEL:-INFO}" \
    --schedule /tmp/celerybeat-schedule
