#!/usr/bin/env bash
# Writes the demonstration database once, to the SQLite file $1: a server started on an
# empty database generates the demo and imports it through the real importers, as the
# README's first command does; once it answers, it is stopped and the database copied
# with the `backup` command (one consistent file).
#
# ./test.sh runs it once and passes the file as ESS_ATLAS_DEMO_DB to the open data
# check, schemathesis and the browser tests, which start from copies of it: in a debug
# build, generating and importing the demo costs ~30 s of one core each time (27–33 s
# measured in CI runs). Run
# alone, each of those scripts still generates its own.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/server-lib.sh
out=${1:?usage: scripts/demo-db.sh OUT.db}
bin="${CARGO_TARGET_DIR:-target}/debug/ess-atlas"
[ -x "$bin" ] || { echo "build the binary first (cargo build): $bin" >&2; exit 1; }

tmp=$(mktemp -d)
server=""
cleanup() { [ -z "$server" ] || kill "$server" 2>/dev/null || true; rm -rf "$tmp"; }
trap cleanup EXIT
db="sqlite://$tmp/demo.db?mode=rwc"
port=$(free_port)
"$bin" --database "$db" serve --listen "127.0.0.1:$port" --demo-dir "$tmp/demo" >"$tmp/server.log" 2>&1 &
server=$!
wait_for_server "http://127.0.0.1:$port" "$server" "$tmp/server.log"
kill "$server"
wait "$server" 2>/dev/null || true
server=""
"$bin" --database "$db" backup --out "$out" --overwrite >/dev/null
