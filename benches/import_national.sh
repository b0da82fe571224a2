#!/usr/bin/env bash
# Benchmark: import a national-size SIRENE stock (~42 M establishment rows, 20 M legal
# units; the département's demonstration rows spread among filler rows of other
# départements, see examples/national_stock.rs) filtered to the département.
# Prints wall time and peak memory. For all of France, see benches/national.sh.
#
#   benches/import_national.sh [ESTABLISHMENTS] [UNITS]
#
# Needs ~14 GB under $BENCH_DIR (default /tmp/ess-atlas-bench); nothing is committed.
set -euo pipefail
cd "$(dirname "$0")/.."
dir=${BENCH_DIR:-/tmp/ess-atlas-bench}
est=${1:-42000000}
units=${2:-20000000}
mkdir -p "$dir"
cargo build --release --bin ess-atlas --example national_stock
target_dir=${CARGO_TARGET_DIR:-target}
bin=$target_dir/release/ess-atlas
[ -d "$dir/demo/2023" ] || $bin --database "sqlite://$dir/gen.db?mode=rwc" demo --out "$dir/demo"
if [ ! -f "$dir/national/StockEtablissement_utf8.csv" ]; then
  echo "writing national-size files…" >&2
  $target_dir/release/examples/national_stock "$dir/demo/2023" "$dir/national" "$est" "$units" elsewhere
fi
ls -la "$dir/national"
rm -f "$dir/bench.db"*
/usr/bin/time -v $bin --database "sqlite://$dir/bench.db?mode=rwc" import sirene --edition 2023 \
  --reference-date 2023-12-31 \
  --unites-legales "$dir/national/StockUniteLegale_utf8.csv" \
  --etablissements "$dir/national/StockEtablissement_utf8.csv" 2>&1 \
  | grep -E "sirene import|Elapsed|Maximum resident"
