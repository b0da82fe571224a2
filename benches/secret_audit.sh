#!/usr/bin/env bash
# Benchmark: cube build + secret statistique audit (`ess-atlas audit secret`) of every
# demo edition, on the Pas-de-Calais and, with `--france`, on France's geography
# (scripts/france-geodata.py; the demo spread over 34,871 communes). Prints each
# edition's audit summary and « cube + audit » wall time.
#
#   benches/secret_audit.sh [--france]
#
# Writes under $BENCH_DIR (default /tmp/ess-atlas-bench-secret); nothing is committed.
set -euo pipefail
cd "$(dirname "$0")/.."
dir=${BENCH_DIR:-/tmp/ess-atlas-bench-secret}
mkdir -p "$dir"
cargo build --release --bin ess-atlas
bin=${CARGO_TARGET_DIR:-target}/release/ess-atlas
geo=geodata
db="$dir/pas-de-calais.db"
if [ "${1:-}" = "--france" ]; then
  [ -f "$dir/france/communes.geojson" ] || scripts/france-geodata.py "$dir/france"
  geo="$dir/france"
  db="$dir/france.db"
fi
if [ ! -f "$db" ]; then
  # First start loads the demonstration data; stop it once ready.
  $bin --geodata "$geo" serve --database "sqlite://$db?mode=rwc" --listen 127.0.0.1:18799 \
    --demo-dir "$dir/demo-$(basename "$geo")" >"$dir/serve.log" 2>&1 &
  pid=$!
  until grep -q "ess-atlas ready" "$dir/serve.log"; do sleep 1; done
  kill "$pid"
  wait "$pid" || true
fi
for year in 2014 2017 2020 2023; do
  $bin --geodata "$geo" --database "sqlite://$db" audit secret --edition "$year" 2>/dev/null
done
