#!/usr/bin/env bash
# Starts the server twice on the demonstration data, once on SQLite and once on
# PostgreSQL, and checks that public API answers, tiles and summaries (HTML, CSV, PDF)
# are byte-identical.
#
#   ESS_ATLAS_TEST_POSTGRES=postgres://postgres@127.0.0.1:5432/postgres scripts/compare-backends.sh
#
# The role must be allowed to create databases: the script makes its own and drops it.
# Not part of ./test.sh (the two demo imports take a minute); the API suite already
# runs on both backends there.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/server-lib.sh
admin=${ESS_ATLAS_TEST_POSTGRES:?set ESS_ATLAS_TEST_POSTGRES to a PostgreSQL server URL}
features=()
[ -z "${ESS_ATLAS_CARGO_FEATURES:-}" ] || features=(--features "$ESS_ATLAS_CARGO_FEATURES")
# --all-targets: the feature set of the tests, so that after them nothing is rebuilt.
cargo build --all-targets "${features[@]}"
bin="${CARGO_TARGET_DIR:-target}/debug/ess-atlas"
tmp=$(mktemp -d)
name="ess_atlas_compare_$$"
pg="${admin%/*}/$name"
ports=("$(free_port)" "$(free_port)")
urls=("sqlite://$tmp/compare.db?mode=rwc" "$pg")
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  psql "$admin" -qc "DROP DATABASE IF EXISTS $name WITH (FORCE)" >/dev/null 2>&1 || true
  rm -rf "$tmp"
}
trap cleanup EXIT
for i in 0 1; do
  "$bin" --database "${urls[$i]}" serve --listen "127.0.0.1:${ports[$i]}" \
    --rate-limit-api 0 --rate-limit-documents 0 --demo-dir "$tmp/demo-$i" >"$tmp/server-$i.log" 2>&1 &
  pids+=($!)
done
for i in 0 1; do
  wait_for_server "http://127.0.0.1:${ports[$i]}" "${pids[$i]}" "$tmp/server-$i.log"
done
differ=0
total=0
while read -r path; do
  [ -n "$path" ] || continue
  total=$((total + 1))
  curl -s "http://127.0.0.1:${ports[0]}$path" >"$tmp/sqlite.out"
  curl -s "http://127.0.0.1:${ports[1]}$path" >"$tmp/postgres.out"
  if cmp -s "$tmp/sqlite.out" "$tmp/postgres.out"; then
    echo "same    $(wc -c <"$tmp/sqlite.out") bytes  $path"
  else
    echo "DIFFER  $path"
    differ=$((differ + 1))
  fi
done <<'PATHS'
/api/meta
/api/territories
/api/territories/ARR
/api/epci/200033579
/api/communes?q=arras
/api/indicators/catalogue
/api/indicators?level=commune&indicator=ess_jobs
/api/indicators?level=epci&indicator=ess_share_jobs&edition=2020&compare_edition=2014
/api/indicators?level=territory&indicator=ess_subsidies&edition=2023
/api/indicators?level=territory&indicator=subsidies_to_jobs_index&edition=2023
/api/indicators?level=epci&indicator=ess_jobs&family=cooperative
/api/indicators?level=commune&indicator=ess_establishments&sector=Q
/api/zones/territory/ARR/profile
/api/zones/department/62/profile?edition=2017
/api/zones/epci/200033579/profile?family=association
/api/organisations?edition=2023&per_page=200
/api/organisations?edition=2023&per_page=100&page=7&territory=LEN
/api/organisations?edition=2020&q=sante&per_page=500
/api/organisations?edition=2023&employer=true&naf_section=Q&size=12&per_page=500
/api/organisations?edition=2023&bbox=2.7,50.3,2.9,50.5&per_page=500
/api/organisations.csv?edition=2023&territory=ARR
/api/organisations.geojson?edition=2014&epci=200033579
/api/portraits
/tiles/organisations/8/129/86.mvt
/tiles/organisations/12/2075/1377.mvt
/tiles/organisations/5/16/10.mvt?family=cooperative
/tiles/communes/8/129/86.mvt
/epci/200033579/fiche?edition=2023
/epci/200033579/fiche.csv?edition=2023
/territoires/LEN/fiche.csv?edition=2020&format=standard
/epci/200033579/fiche.pdf?edition=2023
/territoires/ARR/fiche.pdf?edition=2023
PATHS
echo "$total answers compared, $differ differ"
[ "$differ" -eq 0 ]
