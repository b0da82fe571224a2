#!/usr/bin/env bash
# Writes tests/fixtures/upgrade/release.db: a SQLite database made by a release's own
# binary, holding what staff write (accounts, a portrait taken through two workflow
# steps, an orientation, an action changed twice, so a history) on the SIRENE sample
# edition. tests/api/data_life.rs opens it with the current code, which migrates it,
# and checks every one of those rows is intact.
#
#   scripts/upgrade-fixture.sh [COMMIT]    # default: HEAD
#   ESS_ATLAS_BIN=path/to/ess-atlas scripts/upgrade-fixture.sh   # that release's binary, already built
#
# Regenerate it AT EACH RELEASE, from the release's commit, before the next schema
# change lands: the fixture must stand for the schema users have. (No tag existed
# when it was introduced, and migrations had never changed after being written: the
# first fixture was made from commit 19017f8's binary, migration level 6.)
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/server-lib.sh
commit=${1:-HEAD}
repo=$(pwd)
tmp=$(mktemp -d)
pid=""
cleanup() {
  [ -z "$pid" ] || kill "$pid" 2>/dev/null || true
  git -C "$repo" worktree remove --force "$tmp/src" >/dev/null 2>&1 || true
  rm -rf "$tmp"
}
trap cleanup EXIT
git worktree add --detach "$tmp/src" "$commit" >/dev/null
if [ -n "${ESS_ATLAS_BIN:-}" ]; then
  bin=$ESS_ATLAS_BIN
else
  (cd "$tmp/src" && cargo build --bin ess-atlas)
  bin="${CARGO_TARGET_DIR:-$tmp/src/target}/debug/ess-atlas"
fi
db="$tmp/release.db"
url="sqlite://$db?mode=rwc"
s=$repo/tests/fixtures/sirene
"$bin" --database "$url" import sirene --edition 2023 --reference-date 2023-12-31 \
  --unites-legales $s/StockUniteLegale_sample.csv --etablissements $s/StockEtablissement_sample.csv \
  --geolocalisation $s/Geolocalisation_sample.csv >/dev/null
ESS_ATLAS_PASSWORD=mot-de-passe-claire "$bin" --database "$url" user add --username claire \
  --role charge_de_mission --name "Claire, mission ESS" >/dev/null
ESS_ATLAS_PASSWORD=mot-de-passe-rita "$bin" --database "$url" user add --username rita \
  --role referent --territory ARR --name "Rita, MDD de l'Arrageois" >/dev/null
port=$(free_port)
"$bin" --database "$url" serve --no-demo --listen "127.0.0.1:$port" --web-dir "$tmp/src/web" \
  >"$tmp/server.log" 2>&1 &
pid=$!
base="http://127.0.0.1:$port"
wait_for_server "$base" "$pid" "$tmp/server.log"
jar="$tmp/cookies"
csrf=$(curl -sf -c "$jar" -H 'Content-Type: application/json' \
  -d '{"username":"rita","password":"mot-de-passe-rita"}' "$base/api/login" |
  python3 -c 'import json,sys; print(json.load(sys.stdin)["csrf"])')
call() { # METHOD PATH JSON
  curl -sf -b "$jar" -X "$1" -H 'Content-Type: application/json' -H "X-CSRF-Token: $csrf" \
    -d "$3" "$base$2"
}
call PUT /api/portraits/ARR/2023 '{"jeux_acteurs":"Les **acteurs** de l'"'"'Arrageois : 120 associations employeuses.","dynamiques_projets":"Un tiers-lieu à Arras.","free_sections":[{"title":"Méthode","body":"Entretiens menés avec l'"'"'APES."}]}' >/dev/null
oid=$(call POST /api/orientations '{"territory":"ARR","edition":2023,"period_start":2024,"period_end":2030,"title":"Développer l'"'"'emploi associatif","description":"Priorité du territoire."}' |
  python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])')
aid=$(call POST /api/actions '{"orientation_id":'"$oid"',"title":"Tiers-lieu de l'"'"'ESS","description":"Ouvrir un tiers-lieu.","epci":["200033579"],"pilot":"Maison du Département","partners":["CRESS","APES"],"budgets":[{"year":2025,"planned":50000.0,"actual":42000.5}],"status":"en_cours","flagship":true,"start_date":"2025-01-01","end_date":"2027-12-31","indicators":["ess_share_jobs"]}' |
  python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])')
call PATCH "/api/actions/$aid" '{"status":"realise"}' >/dev/null
call POST /api/portraits/ARR/2023/transitions '{"to":"soumis","comment":"Prêt pour la commission"}' >/dev/null
kill "$pid"; wait "$pid" 2>/dev/null || true; pid=""
# Live sessions and the geography cache are not staff's work: the fixture stays small.
python3 - "$db" <<'PY'
import sqlite3, sys
c = sqlite3.connect(sys.argv[1])
c.execute("DELETE FROM sessions")
for t in ["commune_territory", "communes", "epci", "territories", "geodata_state"]:
    c.execute(f"DELETE FROM {t}")
c.commit()
c.execute("PRAGMA journal_mode = DELETE")
c.execute("VACUUM")
c.close()
PY
mkdir -p tests/fixtures/upgrade
cp "$db" tests/fixtures/upgrade/release.db
echo "tests/fixtures/upgrade/release.db: $(wc -c <tests/fixtures/upgrade/release.db) bytes, from $(git rev-parse --short "$commit")"
