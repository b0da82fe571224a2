#!/usr/bin/env bash
# benches/summaries.sh: time the documents of issue 7 on the demo database.
#
# Starts the server on a throw-away copy of the demo (generated on first start), then
# times each territory and EPCI PDF (first request, then warm: the cube cache is
# filled by the first), the XLSX and CSV of one EPCI, and the whole compendium through
# the CLI (`export recueil`). Prints one line per measure: name, runs, median, max.
#
# Usage: benches/summaries.sh [BIN]     BIN defaults to target/release/ess-atlas
# Env:   RUNS=5    warm runs per document
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/server-lib.sh
bin=${1:-target/release/ess-atlas}
runs=${RUNS:-5}
tmp=$(mktemp -d)
db="sqlite://$tmp/bench.db?mode=rwc"
port=$(free_port)
"$bin" --database "$db" serve --listen "127.0.0.1:$port" --demo-dir "$tmp/demo" \
  --rate-limit-api 0 --rate-limit-documents 0 >"$tmp/server.log" 2>&1 &
server=$!
trap 'kill $server 2>/dev/null || true; rm -rf "$tmp"' EXIT
wait_for_server "http://127.0.0.1:$port" "$server" "$tmp/server.log"
base="http://127.0.0.1:$port"
edition=$(curl -sf "$base/api/editions" | python3 -c 'import json,sys; print(max(e["year"] for e in json.load(sys.stdin)["items"]))')

# time_url NAME PATH: the first request, then $runs warm ones (median and max).
time_url() {
  local name=$1 path=$2 first times=()
  first=$(curl -sf -o /dev/null -w '%{time_total}' "$base$path")
  for _ in $(seq 1 "$runs"); do
    times+=("$(curl -sf -o "$tmp/out" -w '%{time_total}' "$base$path")")
  done
  python3 - "$name" "$first" "$(stat -c %s "$tmp/out")" "${times[@]}" <<'EOF'
import statistics, sys
name, first, size, *t = sys.argv[1:]
t = [float(x) for x in t]
print(f"{name:<34} first {float(first):6.3f} s   warm median {statistics.median(t):6.3f} s   max {max(t):6.3f} s   {int(size)/1024:7.1f} KiB")
EOF
}

for t in ARR ART AUD BOU CAL HEN LEN MON TER; do
  time_url "territoire $t PDF" "/territoires/$t/fiche.pdf?edition=$edition"
done
time_url "EPCI CU d'Arras PDF" "/epci/200033579/fiche.pdf?edition=$edition"
time_url "EPCI CA de Lens-Liévin PDF" "/epci/246200364/fiche.pdf?edition=$edition"
time_url "EPCI CU d'Arras XLSX" "/epci/200033579/fiche.xlsx?edition=$edition"
time_url "EPCI CU d'Arras CSV" "/epci/200033579/fiche.csv?edition=$edition"
time_url "EPCI CU d'Arras HTML" "/epci/200033579/fiche?edition=$edition"

kill $server; wait $server 2>/dev/null || true
for i in 1 2 3; do
  s=$(date +%s.%N)
  "$bin" --database "$db" export recueil --edition "$edition" --out "$tmp/recueil.pdf" 2>/dev/null
  e=$(date +%s.%N)
  python3 -c "print(f'compendium (CLI, whole process) run $i   {$e - $s:6.2f} s   {$(stat -c %s "$tmp/recueil.pdf")/1024:7.1f} KiB')"
done
