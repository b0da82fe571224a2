#!/usr/bin/env bash
# benches/load.sh: the server under a bounded mix of concurrent use (issue 18), on
# SQLite then PostgreSQL, each on the demo data generated on first start.
#
# For each backend: start the server, add a staff account, run examples/load_mix.rs
# (cached tiles, département indicators, with FRANCE=1 commune-level indicators in
# their compact form, profiles, organisations pages, one PDF fiche a second, a staff
# edit every half second; then 58 concurrent PDF fiches, cold and cached). It prints,
# per endpoint, requests, errors, req/s, p50/p99 and bytes; indicators req/s as a
# ratio of cached tiles'; the server's RSS before, after and at its peak. Then cached
# tiles alone and indicators alone (CONNS clients, DURATION/2 s each), as the issue's
# reproduction measured them (wrk, 8 connections, nothing else running).
# Goals (issue 18): 0 errors; indicators ≥ 0.6× tiles and p99 ≤ 2 ms; 58 cached
# fiches median ≤ 0.5 s, RSS growth ≤ 100 MB. A bench, not a test: nothing fails.
#
# Usage: benches/load.sh [BIN]    BIN defaults to target/release/ess-atlas (built if missing)
# Env:   DURATION=20 CONNS=8      mix seconds; clients on tiles and on indicators each
#        BACKENDS="sqlite postgres"  PostgreSQL: a throw-away cluster (as ./test.sh makes)
#        FRANCE=0                 1: also one client of commune-level indicators (compact),
#                                 from the server under test: the demo's 887 communes here;
#                                 France's 34 871 only on a national database
#                                 (benches/national.sh builds one; measure it there)
#        MIX=path                 an already built load_mix (else built in release)
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/server-lib.sh
bin=${1:-target/release/ess-atlas}
[[ -x "$bin" ]] || cargo build --release --bin ess-atlas
mix=${MIX:-}
if [ -z "$mix" ]; then
  cargo build --release --example load_mix
  mix=${CARGO_TARGET_DIR:-target}/release/examples/load_mix
fi
tmp=$(mktemp -d)
server=""
pg_dir=""
pg_bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)
pg_as() { if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
cleanup() {
  [ -z "$server" ] || kill "$server" 2>/dev/null || true
  [ -z "$pg_dir" ] || pg_as "$pg_bin/pg_ctl" -D "$pg_dir/data" -m immediate stop >/dev/null 2>&1 || true
  rm -rf "$tmp" "$pg_dir"
}
trap cleanup EXIT

start_postgres() {
  pg_dir=$(mktemp -d)
  [ "$(id -u)" -ne 0 ] || chown postgres "$pg_dir"
  pg_as "$pg_bin/initdb" -D "$pg_dir/data" -U postgres --auth=trust --encoding=UTF8 \
    --locale=C.UTF-8 >"$pg_dir/initdb.log"
  local port; port=$(free_port)
  pg_as "$pg_bin/pg_ctl" -D "$pg_dir/data" -l "$pg_dir/server.log" -w start -o \
    "-h 127.0.0.1 -p $port -k $pg_dir -c fsync=off -c synchronous_commit=off" >/dev/null
  echo "postgres://postgres@127.0.0.1:$port/postgres"
}

for backend in ${BACKENDS:-sqlite postgres}; do
  case $backend in
    sqlite) db="sqlite://$tmp/load.db?mode=rwc" ;;
    postgres) [ -n "$pg_bin" ] || { echo "no PostgreSQL installed: skipped"; continue; }
              db=$(start_postgres) ;;
  esac
  port=$(free_port)
  "$bin" --database "$db" serve --listen "127.0.0.1:$port" --demo-dir "$tmp/demo-$backend" \
    --rate-limit-api 0 --rate-limit-documents 0 \
    >"$tmp/server-$backend.log" 2>&1 &
  server=$!
  wait_for_server "http://127.0.0.1:$port" "$server" "$tmp/server-$backend.log" 360
  base="http://127.0.0.1:$port"
  edition=$(curl -sf "$base/api/editions" | python3 -c 'import json,sys; print(max(e["year"] for e in json.load(sys.stdin)["items"]))')
  ESS_ATLAS_PASSWORD=bench-load-password-18 "$bin" --database "$db" user add \
    --username bench --role admin >/dev/null
  echo "### $backend ($(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg))"
  SERVER_PID=$server STAFF_USER=bench STAFF_PASSWORD=bench-load-password-18 EDITION=$edition \
    "$mix" "$base"
  kill "$server"; wait "$server" 2>/dev/null || true; server=""
done
