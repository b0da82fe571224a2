#!/usr/bin/env bash
# Runs every test: the front end's lint and node unit tests (web/test), the Rust unit and
# API tests (on SQLite, then the API suite again on PostgreSQL), then the browser tests
# (Debian's Chromium driven by playwright-core against a freshly started server); beside
# those two, the demo's open data set through `frictionless validate`, and the API
# against its OpenAPI document with schemathesis.
# Installs what it needs (npm packages; Chromium, poppler-utils and PostgreSQL via
# apt-get) when missing.
#
# ESS_ATLAS_TEST_POSTGRES=postgres://user@host:port/postgres runs the PostgreSQL pass
# on that server (the role must be allowed to create databases: each test makes its
# own and drops it). Without it, a throw-away cluster is started on loopback in a
# temporary directory and removed at exit.
set -euo pipefail
cd "$(dirname "$0")"
# The first pass is on SQLite whatever the environment says.
pg_url=${ESS_ATLAS_TEST_POSTGRES:-}
unset ESS_ATLAS_TEST_POSTGRES

apt_install() {
  local sudo_cmd=""
  [ "$(id -u)" -eq 0 ] || sudo_cmd="sudo"
  $sudo_cmd apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq "$@" >/dev/null
}

pg_dir=""
pg_bin=""
pg_tls_ca=""
stop_postgres() {
  if [ -n "$pg_dir" ]; then
    pg_as "$pg_bin/pg_ctl" -D "$pg_dir/data" -m immediate stop >/dev/null 2>&1 || true
    rm -rf "$pg_dir"
  fi
}
side=""
work=$(mktemp -d)
cleanup() {
  if [ -n "$side" ]; then
    pkill -TERM -P "$side" 2>/dev/null || true
    kill "$side" 2>/dev/null || true
  fi
  stop_postgres
  rm -rf "$work"
}
trap cleanup EXIT

# initdb and postgres refuse to run as root: as root, run them as Debian's `postgres`.
pg_as() {
  if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

# Starts a throw-away PostgreSQL on a free loopback port (trust authentication,
# durability off: the data lives as long as this script) and sets `pg_url`.
start_postgres() {
  pg_bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)
  if [ -z "$pg_bin" ]; then
    echo "Installing PostgreSQL for the API tests on PostgreSQL (apt-get)…" >&2
    apt_install postgresql
    pg_bin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
  fi
  pg_dir=$(mktemp -d)
  [ "$(id -u)" -ne 0 ] || chown postgres "$pg_dir"
  pg_as "$pg_bin/initdb" -D "$pg_dir/data" -U postgres --auth=trust --encoding=UTF8 \
    --locale=C.UTF-8 >"$pg_dir/initdb.log"
  # TLS, for the test of `sslmode=verify-full`: a CA and a certificate for
  # `localhost` only, made here, so that connecting by 127.0.0.1 must fail.
  make_test_certificates "$pg_dir"
  local port
  port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
  pg_as "$pg_bin/pg_ctl" -D "$pg_dir/data" -l "$pg_dir/server.log" -w start -o \
    "-h 127.0.0.1 -p $port -k $pg_dir -c fsync=off -c synchronous_commit=off -c full_page_writes=off \
    -c ssl=on -c ssl_cert_file=$pg_dir/server.pem -c ssl_key_file=$pg_dir/server.key" \
    >/dev/null || { cat "$pg_dir/server.log" >&2; return 1; }
  pg_url="postgres://postgres@127.0.0.1:$port/postgres"
  pg_tls_ca="$pg_dir/ca.pem"
}

# A throw-away certificate authority and a server certificate it signed, valid for
# the DNS name `localhost` only, in directory $1 (the server's key readable by the
# server alone, as PostgreSQL demands).
make_test_certificates() {
  local dir=$1
  openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=ess-atlas test CA" \
    -keyout "$dir/ca.key" -out "$dir/ca.pem" 2>/dev/null
  openssl req -newkey rsa:2048 -nodes -subj "/CN=localhost" \
    -keyout "$dir/server.key" -out "$dir/server.csr" 2>/dev/null
  printf 'subjectAltName=DNS:localhost\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n' \
    >"$dir/server.ext"
  openssl x509 -req -in "$dir/server.csr" -CA "$dir/ca.pem" -CAkey "$dir/ca.key" \
    -CAcreateserial -days 2 -extfile "$dir/server.ext" -out "$dir/server.pem" 2>/dev/null
  chmod 600 "$dir/server.key"
  [ "$(id -u)" -ne 0 ] || chown postgres "$dir/server.key" "$dir/server.pem"
}

# Each step's duration, printed at the end: what a change waits for, step by step.
timings=()
last=$SECONDS
step_done() {
  timings+=("$(printf '%-28s %4d s' "$1" $((SECONDS - last)))")
  last=$SECONDS
}

scripts/web-deps.sh
# The front end first (seconds): its lint, then the node unit tests of its pure modules.
web/node_modules/.bin/eslint --config web/eslint.config.js web/js web/test tests/browser web/eslint.config.js
node --test web/test/
step_done "web packages, lint, node"
if [ ! -x /usr/bin/chromium ]; then
  echo "Installing Chromium for the browser tests (apt-get)…" >&2
  apt_install chromium
fi

# The summary tests read PDFs back with pdftotext (poppler-utils).
if ! command -v pdftotext >/dev/null; then
  echo "Installing poppler-utils for the PDF tests (apt-get)…" >&2
  apt_install poppler-utils
fi

# ESS_ATLAS_CARGO_FEATURES (CI sets maplibre-check): optional cargo features for every build.
features=()
[ -z "${ESS_ATLAS_CARGO_FEATURES:-}" ] || features=(--features "$ESS_ATLAS_CARGO_FEATURES")
cargo test --all-targets "${features[@]}"
cargo test --doc "${features[@]}"
step_done "build, unit and API (SQLite)"

# The demonstration database, written once (a debug server generating and importing
# the demo); the open data check, schemathesis and the browser tests start from copies.
scripts/demo-db.sh "$work/demo.db"
export ESS_ATLAS_DEMO_DB=$work/demo.db
step_done "demo database"

# Beside the PostgreSQL pass and the browser tests, in the background: the demo's open
# data set, validated by a tool we did not write (PyPI frictionless; a damaged copy
# must fail), then the API against its OpenAPI document, tested by a tool we did not
# write (PyPI schemathesis: public and staff routes, a few examples per operation).
# Each keeps about one core busy (a debug server, a Python client): run after the
# others, they left the second core idle for ~5 minutes. Their output is shown when
# they end; their own durations are printed with the others.
(
  started=$SECONDS
  scripts/opendata-check.sh
  opendata=$((SECONDS - started))
  scripts/schemathesis.sh
  printf '  %-28s %4d s\n  %-28s %4d s\n' "open data (frictionless)" "$opendata" \
    "schemathesis" $((SECONDS - started - opendata)) >"$work/side.times"
) >"$work/side.log" 2>&1 &
side=$!

# The API suite again on PostgreSQL: the same test binary (same features, so nothing
# is compiled again), each test on a fresh database.
[ -n "$pg_url" ] || start_postgres
echo "API tests on PostgreSQL at ${pg_url#*@}" >&2
# --include-ignored: the tests that need PostgreSQL (the twin-schema check) run here.
# The TLS test needs the server's CA: on a server given by ESS_ATLAS_TEST_POSTGRES, set
# ESS_ATLAS_TEST_POSTGRES_TLS_CA too, or it is skipped (said here).
skip=()
if [ -n "$pg_tls_ca" ]; then
  export ESS_ATLAS_TEST_POSTGRES_TLS_CA=$pg_tls_ca
elif [ -z "${ESS_ATLAS_TEST_POSTGRES_TLS_CA:-}" ]; then
  echo "ESS_ATLAS_TEST_POSTGRES_TLS_CA not set: the PostgreSQL TLS test is skipped" >&2
  skip=(--skip postgres_tls)
fi
ESS_ATLAS_TEST_POSTGRES=$pg_url cargo test --test api "${features[@]}" -- --include-ignored "${skip[@]}"
stop_postgres
pg_dir=""
step_done "API (PostgreSQL)"

scripts/browser-tests.sh
step_done "browser"

status=0
wait "$side" || status=$?
side=""
cat "$work/side.log"
if [ "$status" -ne 0 ]; then
  echo "the open data check or schemathesis failed (above)" >&2
  exit "$status"
fi
step_done "(waiting for the side lane)"
printf 'test.sh steps:\n' >&2
printf '  %s\n' "${timings[@]}" >&2
printf 'beside the PostgreSQL pass and the browser tests:\n' >&2
cat "$work/side.times" >&2
