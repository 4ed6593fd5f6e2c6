#!/bin/sh
# A Celery worker. Late acknowledgement, prefetch 1 and reject-on-worker-lost are in settings
# (CELERY_TASK_ACKS_LATE and friends), so a task whose worker dies is delivered again; tasks
# are idempotent. The queue is CELERY_QUEUE (settings: CELERY_TASK_DEFAULT_QUEUE).
#
#   CELERY_CONCURRENCY   worker processes (default 2).
#   LOG_LEVEL            default INFO.
set -eu

exec celery -A config worker \
    --loglevel "${LOG_LEVEL:-INFO}" \
    --concurrency "${CELERY_CONCURRENCY:-2}" \
    --max-tasks-per-child 500 \
    --hostname "worker@%h"
