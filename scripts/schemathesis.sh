#!/usr/bin/env bash
# Tests the API with a tool we did not write (issue 21): schemathesis (PyPI) reads
# /api/openapi.json from a server on the demonstration data and sends generated
# requests, first as the public, then with a chargé de mission's session (cookie and
# CSRF token). Bounded: a few examples per operation and a time limit per run. Fails
# on a server error (5xx other than the documented 503), a status the document does
# not list, or a body or content type that does not match it. Installs schemathesis
# into a virtualenv under ~/.cache/ess-atlas/ when missing. Expects the debug binary.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/server-lib.sh
bin="${CARGO_TARGET_DIR:-target}/debug/ess-atlas"
[ -x "$bin" ] || { echo "build the binary first (cargo build): $bin" >&2; exit 1; }
examples="${ESS_ATLAS_SCHEMATHESIS_EXAMPLES:-20}"
# A bound against a runaway, not a goal: a run takes ~160 s on a quiet 2-core machine,
# and more than 240 s on a busy one (which then failed for no fault of the API).
limit="${ESS_ATLAS_SCHEMATHESIS_SECONDS:-600}"

venv="${XDG_CACHE_HOME:-$HOME/.cache}/ess-atlas/schemathesis"
if [ ! -x "$venv/bin/schemathesis" ]; then
  echo "Installing schemathesis (PyPI) in $venv…" >&2
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet schemathesis
fi

tmp=$(mktemp -d)
server=""
cleanup() { [ -z "$server" ] || kill "$server" 2>/dev/null || true; rm -rf "$tmp"; }
trap cleanup EXIT
db="sqlite://$tmp/schemathesis.db?mode=rwc"
# The demo database ./test.sh wrote once, if given; else the server writes it.
[ -z "${ESS_ATLAS_DEMO_DB:-}" ] || cp "$ESS_ATLAS_DEMO_DB" "$tmp/schemathesis.db"
password=$(python3 -c 'import secrets; print(secrets.token_urlsafe(18))')
ESS_ATLAS_PASSWORD=$password "$bin" --database "$db" \
  user add --username schemathesis --role charge_de_mission --name "Chargé de mission (schemathesis)" >/dev/null
port=$(free_port)
base="http://127.0.0.1:$port"
"$bin" --database "$db" serve --listen "127.0.0.1:$port" --demo-dir "$tmp/demo" \
  --rate-limit-api 0 --rate-limit-documents 0 >"$tmp/server.log" 2>&1 &
server=$!
wait_for_server "$base" "$server" "$tmp/server.log"

# Requests wait up to 60 s: the debug binary builds the compendium's ODT at download
# time, which takes more than schemathesis's default 10 s on a loaded machine.
checks=not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance
run() {
  local label=$1; shift
  echo "schemathesis ($label): at most $examples examples per operation, ${limit} s" >&2
  # From the temporary directory: schemathesis keeps a cache in its working directory.
  local status=0
  (cd "$tmp" && timeout "$limit" "$venv/bin/schemathesis" run "$base/api/openapi.json" --url "$base" \
    --checks "$checks" --max-examples "$examples" --seed 62 --request-timeout 60 \
    --suppress-health-check all --no-color "$@") >"$tmp/$label.log" 2>&1 || status=$?
  if [ "$status" -ne 0 ]; then
    cat "$tmp/$label.log"
    [ "$status" -ne 124 ] ||
      echo "schemathesis ($label) did not finish within ${limit} s (ESS_ATLAS_SCHEMATHESIS_SECONDS)" >&2
    echo "--- server log" && tail -40 "$tmp/server.log"
    exit 1
  fi
  tail -n 12 "$tmp/$label.log"
}

# The public: every operation, without a session (the staff ones answer 401).
run public
# Staff: a chargé de mission's session; logout would end it for the rest of the run.
cookie=$(curl -s -c - -H "Origin: $base" -H 'Content-Type: application/json' \
  -d "{\"username\":\"schemathesis\",\"password\":\"$password\"}" "$base/api/login" |
  awk '$6 == "ess_atlas_session" {print $7}')
csrf=$(curl -s -H "Cookie: ess_atlas_session=$cookie" "$base/api/session" |
  python3 -c 'import json,sys; print(json.load(sys.stdin)["csrf"])')
run staff -H "Cookie: ess_atlas_session=$cookie" -H "X-CSRF-Token: $csrf" -H "Origin: $base" \
  --exclude-path /api/logout --exclude-path /api/login
