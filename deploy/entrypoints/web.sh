#!/bin/sh
# The web process: optional migrations, then gunicorn serving config.wsgi on port 8000.
#
#   RUN_MIGRATIONS=1     run `nastavnik migrate` (public, template, every institution) first.
#                        Set it on ONE container only (or run migrations as a separate job):
#                        concurrent migrate runs of several replicas race each other.
#   WEB_CONCURRENCY      gunicorn worker processes (default 3; about 2 x CPU cores + 1).
#   GUNICORN_THREADS     threads per worker (default 1).
#   GUNICORN_TIMEOUT     seconds before a stuck worker is killed and restarted (default 60).
#   FORWARDED_ALLOW_IPS  the proxy whose X-Forwarded-Proto gunicorn believes (compose: the
#                        nginx proxy's fixed address; default 127.0.0.1, i.e. no other
#                        peer). Never "*": any client could then claim HTTPS.
set -eu

if [ "${RUN_MIGRATIONS:-0}" = "1" ]; then
    echo "web.sh: applying migrations" >&2
    nastavnik migrate --noinput
fi

exec gunicorn config.wsgi:application \
    --bind 0.0.0.0:8000 \
    --workers "${WEB_CONCURRENCY:-3}" \
    --threads "${GUNICORN_THREADS:-1}" \
    --timeout "${GUNICORN_TIMEOUT:-60}" \
    --graceful-timeout 30 \
    --max-requests 2000 \
    --max-requests-jitter 200 \
    --forwarded-allow-ips "${FORWARDED_ALLOW_IPS:-127.0.0.1}" \
    --worker-tmp-dir /dev/shm \
    --access-logfile - \
    --error-logfile -
