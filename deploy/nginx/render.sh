#!/usr/bin/env bash
# Print the nginx site file for ejournal: deploy/nginx/ejournal.conf.in with its placeholders filled.
#
#   deploy/nginx/render.sh SERVER_NAME=journal.example.lv [NAME=VALUE ...] > /etc/nginx/sites-available/ejournal
#
# NAME          meaning                                                    default
# SERVER_NAME   the public host name (also the redirect target)            required
# CERT, KEY     certificate chain and private key (PEM)                    /etc/letsencrypt/live/SERVER_NAME/{fullchain,privkey}.pem
# UPSTREAM      address:port of `ejournal serve` (its EJ_LISTEN)           127.0.0.1:8080
# HTTPS_LISTEN  space-separated listen addresses for HTTPS                 "443 [::]:443"
# HTTP_LISTEN   space-separated listen addresses for the redirect          "80 [::]:80"
# HTTPS_PORT    the port clients reach HTTPS on (for the redirect)         443
# API_RATE, API_BURST      every route, per client address                 50r/s, 200
# LOGIN_RATE, LOGIN_BURST  POST /api/v1/auth/login, per client address     1r/s, 20
# CONN_PER_ADDR            requests in flight per client address           64
#
# The test run (scripts/test.sh, tests/api/lib/stack.mjs) renders it for loopback with a throwaway
# certificate; only the API subset it runs through nginx raises the rates (one address sends every
# request there). Fails if a placeholder is left or a value contains a character nginx would parse.
set -euo pipefail

here=$(cd "$(dirname -- "${BASH_SOURCE[0]}")" && pwd)

declare -A v=(
    [UPSTREAM]=127.0.0.1:8080
    [HTTPS_LISTEN]="443 [::]:443"
    [HTTP_LISTEN]="80 [::]:80"
    [HTTPS_PORT]=443
    [API_RATE]=50r/s [API_BURST]=200
    [LOGIN_RATE]=1r/s [LOGIN_BURST]=20
    [CONN_PER_ADDR]=64
)
for arg in "$@"; do
    case $arg in
        -h | --help) sed -n '2,19p' "$0"; exit 0 ;;
        [A-Z]*=*) v[${arg%%=*}]=${arg#*=} ;;
        *) echo "render.sh: not NAME=VALUE: $arg" >&2; exit 2 ;;
    esac
done
[[ -n ${v[SERVER_NAME]:-} ]] || { echo "render.sh: SERVER_NAME=... is required" >&2; exit 2; }
: "${v[CERT]:=/etc/letsencrypt/live/${v[SERVER_NAME]}/fullchain.pem}"
: "${v[KEY]:=/etc/letsencrypt/live/${v[SERVER_NAME]}/privkey.pem}"
for k in "${!v[@]}"; do
    case $k in
        SERVER_NAME | CERT | KEY | UPSTREAM | HTTPS_LISTEN | HTTP_LISTEN | HTTPS_PORT | API_RATE | \
            API_BURST | LOGIN_RATE | LOGIN_BURST | CONN_PER_ADDR) ;;
        *) echo "render.sh: unknown name: $k" >&2; exit 2 ;;
    esac
    # No quotes, semicolons, braces, '$', '@' (a placeholder), '&' or a backslash (awk would read them), so
    # a value cannot add a directive.
    if [[ ${v[$k]} =~ [\;\{\}\"\'\$@\\#\&] ]]; then
        echo "render.sh: $k contains a character not allowed here: ${v[$k]}" >&2
        exit 2
    fi
done
suffix=""
[[ ${v[HTTPS_PORT]} == 443 ]] || suffix=":${v[HTTPS_PORT]}"
v[HTTPS_PORT_SUFFIX]=$suffix

out=$(mktemp)
trap 'rm -f -- "$out"' EXIT
args=()
for k in "${!v[@]}"; do args+=(-v "$k=${v[$k]}"); done
awk "${args[@]}" '
    BEGIN {
        n = split("SERVER_NAME CERT KEY UPSTREAM HTTPS_PORT_SUFFIX API_RATE API_BURST LOGIN_RATE LOGIN_BURST CONN_PER_ADDR", names, " ")
        val["SERVER_NAME"] = SERVER_NAME; val["CERT"] = CERT; val["KEY"] = KEY; val["UPSTREAM"] = UPSTREAM
        val["HTTPS_PORT_SUFFIX"] = HTTPS_PORT_SUFFIX; val["API_RATE"] = API_RATE; val["API_BURST"] = API_BURST
        val["LOGIN_RATE"] = LOGIN_RATE; val["LOGIN_BURST"] = LOGIN_BURST; val["CONN_PER_ADDR"] = CONN_PER_ADDR
        list["HTTPS_LISTEN"] = HTTPS_LISTEN; list["HTTP_LISTEN"] = HTTP_LISTEN
    }
    {
        line = $0
        # A list placeholder makes one line per address (one listen directive each).
        for (l in list) {
            if (index(line, "@" l "@")) {
                m = split(list[l], addrs, " ")
                for (i = 1; i <= m; i++) {
                    out = line
                    sub("@" l "@", addrs[i], out)
                    print out
                }
                next
            }
        }
        for (i = 1; i <= n; i++) gsub("@" names[i] "@", val[names[i]], line)
        print line
    }
' "$here/ejournal.conf.in" >"$out"
if grep -n '@[A-Z_]*@' "$out" >&2; then
    echo "render.sh: placeholders left (above)" >&2
    exit 1
fi
cat "$out"
