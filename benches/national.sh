#!/usr/bin/env bash
# benches/national.sh: ess-atlas at the scale of France, on SQLite and on PostgreSQL.
#
#   1. the geography of all France (scripts/france-geodata.py: 34,871 communes, 1,259
#      EPCI, territories = départements);
#   2. a demonstration registry over it, `demo --scale $SCALE` (default 100: ~1.5 M
#      ESS establishments), 2023 edition only;
#   3. padded to $ESTABLISHMENTS establishments (default 25 M) with non-ESS filler
#      spread like the demo's establishments (examples/national_stock.rs);
#   4. imported into each backend (`/usr/bin/time -v`: wall time, peak memory);
#   5. each backend served (`serve --no-demo`): start-up time until `/api/meta` answers,
#      and again on a second start (warm database);
#   6. under bounded load on loopback (the shared http_bench.py: a cold pass, then wrk
#      with $CONNS connections for $DURATION s): `/api/indicators?level=commune` for
#      every indicator × family, communes tiles z7–12 and organisations tiles z5–12
#      over the communes of France.
#
# Usage:  benches/national.sh [BIN]     BIN defaults to target/release/ess-atlas
# Env:    BENCH_DIR=/tmp/ess-atlas-national   everything generated (~25 GB at 25 M)
#         SCALE=100 ESTABLISHMENTS=25000000 UNITS=20000000
#         DURATION=10 CONNS=8                 wrk seconds and connections
#         BACKENDS="sqlite postgres"
#         SKIP_IMPORT=1                       serve what the databases already hold
#         BENCH_SRC=/work/shared/bench        the shared http_bench.py (read-only)
# PostgreSQL: a cluster of Debian's server in $BENCH_DIR/pg on 127.0.0.1:55499, default
# durability (fsync on), shared_buffers=2GB, max_wal_size=8GB. Nothing is committed.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
BIN="${1:-$ROOT/target/release/ess-atlas}"
EXAMPLES="$(dirname "$BIN")/examples"
DIR="${BENCH_DIR:-/tmp/ess-atlas-national}"
SCALE="${SCALE:-100}"
ESTABLISHMENTS="${ESTABLISHMENTS:-25000000}"
UNITS="${UNITS:-20000000}"
DURATION="${DURATION:-10}"
CONNS="${CONNS:-8}"
BACKENDS="${BACKENDS:-sqlite postgres}"
BENCH_SRC="${BENCH_SRC:-/work/shared/bench}"
PG_PORT=55499
mkdir -p "$DIR/results"
OUT="$DIR/results/$(date +%Y%m%d-%H%M%S)"
mkdir -p "$OUT"
log() { echo "== $*" | tee -a "$OUT/summary.txt" >&2; }

[[ -x "$BIN" && -x "$EXAMPLES/national_stock" ]] || {
  echo "build first: cargo build --release --bin ess-atlas --example national_stock" >&2
  exit 2
}

# 1. Geography.
[[ -f "$DIR/france/communes.geojson" ]] ||
  python3 scripts/france-geodata.py "$DIR/france" --cache "$DIR/cache"

# 2. Demo over France, 2023 only.
DEMO="$DIR/demo-x$SCALE"
if [[ ! -f "$DEMO/2023/StockEtablissement_utf8.csv" ]]; then
  rm -f "$DIR/gen.db"*
  /usr/bin/time -f "demo: %e s wall, %M KiB peak" "$BIN" --geodata "$DIR/france" \
    --database "sqlite://$DIR/gen.db?mode=rwc" demo --scale "$SCALE" --out "$DEMO" 2>&1 |
    tee -a "$OUT/summary.txt"
  rm -rf "$DEMO/2014" "$DEMO/2017" "$DEMO/2020"
fi

# 3. Padded to national size.
STOCK="$DIR/stock-$ESTABLISHMENTS"
if [[ ! -f "$STOCK/StockUniteLegale_utf8.csv" ]]; then
  /usr/bin/time -f "national_stock: %e s wall" "$EXAMPLES/national_stock" "$DEMO/2023" "$STOCK" \
    "$ESTABLISHMENTS" "$UNITS" 2>&1 | tee -a "$OUT/summary.txt"
fi
{
  echo "files: $(($(wc -l <"$STOCK/StockEtablissement_utf8.csv") - 1)) establishments," \
    "$(($(wc -l <"$STOCK/StockUniteLegale_utf8.csv") - 1)) legal units," \
    "$(du -sh "$STOCK" | cut -f1)"
} | tee -a "$OUT/summary.txt"

# PostgreSQL cluster.
pg_as() { if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
pg_bin=""
start_postgres() {
  pg_bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)
  [[ -n "$pg_bin" ]] || { echo "install Debian's postgresql first" >&2; exit 2; }
  if [[ ! -d "$DIR/pg/data" ]]; then
    mkdir -p "$DIR/pg"
    [ "$(id -u)" -ne 0 ] || chown postgres "$DIR/pg"
    pg_as "$pg_bin/initdb" -D "$DIR/pg/data" -U postgres --auth=trust --encoding=UTF8 \
      --locale=C.UTF-8 >/dev/null
  fi
  pg_as "$pg_bin/pg_ctl" -D "$DIR/pg/data" -l "$DIR/pg/server.log" -w status >/dev/null 2>&1 ||
    pg_as "$pg_bin/pg_ctl" -D "$DIR/pg/data" -l "$DIR/pg/server.log" -w start -o \
      "-h 127.0.0.1 -p $PG_PORT -k $DIR/pg -c shared_buffers=2GB -c max_wal_size=8GB" >/dev/null
}
stop_postgres() {
  [[ -z "$pg_bin" ]] || pg_as "$pg_bin/pg_ctl" -D "$DIR/pg/data" -m fast stop >/dev/null 2>&1 || true
}
server=""
cleanup() { [[ -z "$server" ]] || kill "$server" 2>/dev/null || true; stop_postgres; }
trap cleanup EXIT

database_url() {
  case "$1" in
    sqlite) echo "sqlite://$DIR/national.db?mode=rwc" ;;
    postgres) echo "postgres://postgres@127.0.0.1:$PG_PORT/ess_atlas_national" ;;
  esac
}

# Starts the server (pid in `server`, output in `log`) and sets `ready_s` to the seconds until
# /api/meta answers.
serve() {
  local url=$1 port=$2 log=$3 started
  started=$(date +%s.%N)
  # No per-address budget: the load comes from one address (as in benches/load.sh).
  "$BIN" --geodata "$DIR/france" --database "$url" serve --no-demo --listen "127.0.0.1:$port" \
    --rate-limit-api 0 --rate-limit-documents 0 >"$log" 2>&1 &
  server=$!
  until curl -fs -o /dev/null "http://127.0.0.1:$port/api/meta"; do
    kill -0 "$server" 2>/dev/null || { tail -20 "$log" >&2; exit 1; }
    sleep 0.1
  done
  ready_s=$(echo "$(date +%s.%N) - $started" | bc)
}

# Imports the padded stock into an empty database of `backend` at `url`.
import_into() {
  local backend=$1 url=$2
  log "$backend: import of $ESTABLISHMENTS establishments"
  if [[ "$backend" == sqlite ]]; then rm -f "$DIR/national.db"*; else
    pg_as "$pg_bin/dropdb" -h 127.0.0.1 -p "$PG_PORT" -U postgres --if-exists ess_atlas_national
  fi
  # The geography is stored on first use: do it before timing the import.
  "$BIN" --geodata "$DIR/france" --database "$url" edition list >/dev/null
  /usr/bin/time -v "$BIN" --geodata "$DIR/france" --database "$url" import sirene \
    --edition 2023 --reference-date 2023-12-31 \
    --unites-legales "$STOCK/StockUniteLegale_utf8.csv" \
    --etablissements "$STOCK/StockEtablissement_utf8.csv" >"$OUT/import-$backend.log" 2>&1
  grep -E "sirene import|Elapsed|Maximum resident" "$OUT/import-$backend.log" |
    tee -a "$OUT/summary.txt"
  if [[ "$backend" == sqlite ]]; then
    echo "database: $(du -sh "$DIR/national.db" | cut -f1)" | tee -a "$OUT/summary.txt"
  else
    echo "database: $(pg_as psql -h 127.0.0.1 -p "$PG_PORT" -U postgres -qAt -c \
      "select pg_size_pretty(pg_database_size('ess_atlas_national'))")" | tee -a "$OUT/summary.txt"
  fi
}

# Waits (2 min at most) for the server's background loading and prints its duration.
wait_warm() {
  local log=$1 line
  for _ in $(seq 1 1200); do
    line=$(grep -a "organisations layer ready" "$log" | tail -n 1 || true)
    [[ -z "$line" ]] || { sed 's/\x1b\[[0-9;]*m//g; s/.*elapsed_ms=//' <<<"$line"; return; }
    sleep 0.1
  done
  echo "(not within 2 min)"
}

# URL lists: every indicator × family (and no family) at commune level; tiles around
# every 10th commune of France, z5–12 (communes: z7–12, where the layer starts).
python3 - "$DIR/france/communes.geojson" "$OUT" <<'EOF'
import json, math, sys
communes = json.load(open(sys.argv[1]))["features"]
def first_point(g):
    c = g["coordinates"]
    while isinstance(c[0], list):
        c = c[0]
    return c
tiles = set()
for f in communes[::10]:
    lon, lat = first_point(f["geometry"])
    for z in range(5, 13):
        n = 2 ** z
        x = int((lon + 180) / 360 * n)
        y = int((1 - math.asinh(math.tan(math.radians(lat))) / math.pi) / 2 * n)
        tiles.add((z, x, y))
with open(f"{sys.argv[2]}/tiles.txt", "w") as out:
    for z, x, y in sorted(tiles):
        out.write(f"{z}/{x}/{y}\n")
with open(f"{sys.argv[2]}/tiles-z7.txt", "w") as out:
    for z, x, y in sorted(tiles):
        if z >= 7:
            out.write(f"{z}/{x}/{y}\n")
EOF
echo "tiles: $(wc -l <"$OUT/tiles.txt") (z5–12), $(wc -l <"$OUT/tiles-z7.txt") from z7" |
  tee -a "$OUT/summary.txt"

port=8190
for backend in $BACKENDS; do
  url=$(database_url "$backend")
  [[ "$backend" != postgres ]] || start_postgres
  if [[ -n "${SKIP_IMPORT:-}" ]]; then
    log "$backend: import skipped (SKIP_IMPORT), serving the database as it is"
  else
    import_into "$backend" "$url"
  fi

  port=$((port + 1))
  serve "$url" "$port" "$OUT/server-$backend-1.log"
  echo "$backend: first start ready after $ready_s s" | tee -a "$OUT/summary.txt"
  kill "$server"; wait "$server" 2>/dev/null || true
  serve "$url" "$port" "$OUT/server-$backend-2.log"
  echo "$backend: second start ready after $ready_s s" | tee -a "$OUT/summary.txt"
  echo "$backend: indicator cubes and organisations layer loaded in the background in" \
    "$(wait_warm "$OUT/server-$backend-2.log") ms" | tee -a "$OUT/summary.txt"
  echo "$backend: server RSS after start $(ps -o rss= -p "$server") KiB" | tee -a "$OUT/summary.txt"

  # Indicator queries: every indicator, all families and each family.
  curl -fs "http://127.0.0.1:$port/api/indicators/catalogue" | python3 -c '
import json, sys
c = json.load(sys.stdin)
for i in c["items"]:
    print("indicator=" + i["id"])
    for f in c["families"]:
        print("indicator=" + i["id"] + "&family=" + f["id"])' >"$OUT/indicators-all.txt"
  # Only the valid queries (e.g. `share_of_ess_jobs` needs a filter: 400 without).
  while read -r q; do
    [[ $(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$port/api/indicators?level=commune&$q") != 200 ]] ||
      echo "$q"
  done <"$OUT/indicators-all.txt" >"$OUT/indicators.txt"
  base="http://127.0.0.1:$port"
  # The full form without compression (the worst case a client can ask for), then the
  # compact form gzipped: what the web map asks for at the commune level.
  for job in "indicators|$OUT/indicators.txt|$base/api/indicators?level=commune&{item}|" \
    "indicators-compact-gzip|$OUT/indicators.txt|$base/api/indicators?level=commune&form=compact&{item}|Accept-Encoding: gzip" \
    "communes-tiles|$OUT/tiles-z7.txt|$base/tiles/communes/{z}/{x}/{y}.mvt|" \
    "organisations-tiles|$OUT/tiles.txt|$base/tiles/organisations/{z}/{x}/{y}.mvt|"; do
    IFS='|' read -r name list template header <<<"$job"
    log "$backend $name"
    python3 "$BENCH_SRC/http_bench.py" --list "$list" --phases cold,load --duration "$DURATION" \
      --connections "$CONNS" --label "$backend-$name" --out "$OUT/http_bench.jsonl" \
      ${header:+--header "$header"} \
      --target "$backend=$template" 2>&1 | grep -E "^\[(cold|load)\]" | tee -a "$OUT/summary.txt"
  done
  echo "$backend: server RSS after the load $(ps -o rss= -p "$server") KiB" | tee -a "$OUT/summary.txt"
  kill "$server"; wait "$server" 2>/dev/null || true
  server=""
done
log "results in $OUT"
