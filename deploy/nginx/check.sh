#!/bin/sh
# Check the shipped proxy configuration with nginx's own checker (`nginx -t`), outside Docker:
# renders the template as the nginx image does (envsubst of the two variables), with a
# throw-away self-signed certificate and the upstream on the loopback.
#   deploy/nginx/check.sh            (needs nginx and openssl: apt-get install nginx openssl)
set -eu
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/certs"
openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj "/CN=nastavnik.example.org" \
    -keyout "$work/certs/privkey.pem" -out "$work/certs/fullchain.pem" >/dev/null 2>&1
BASE_DOMAIN=nastavnik.example.org NASTAVNIK_UPSTREAM=127.0.0.1:8000 \
    envsubst '${BASE_DOMAIN} ${NASTAVNIK_UPSTREAM}' \
    <"$here/nastavnik.conf.template" \
    | sed "s#/etc/nginx/certs/#$work/certs/#" >"$work/nastavnik.conf"
cat >"$work/nginx.conf" <<CONF
pid $work/nginx.pid;
error_log stderr;
events {}
http {
    access_log off;
    include $work/nastavnik.conf;
}
CONF
nginx -t -c "$work/nginx.conf"
