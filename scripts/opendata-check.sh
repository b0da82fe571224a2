#!/usr/bin/env bash
# Validates the demo's open data set with a tool we did not write (issue 21): on a
# throw-away copy of the demo database (scripts/demo-db.sh), exports the latest edition
# (`ess-atlas export opendata`), runs `frictionless validate` (PyPI `frictionless`) on
# its datapackage.json, then checks that a damaged copy fails the
# validation, so that this step can fail. Installs frictionless into a virtualenv under
# ~/.cache/ess-atlas/ when missing. Expects the debug binary (test.sh builds it).
# ESS_ATLAS_DEMO_DB: copy that demo database (./test.sh writes it once) rather than
# write one.
set -euo pipefail
cd "$(dirname "$0")/.."
bin="${CARGO_TARGET_DIR:-target}/debug/ess-atlas"
[ -x "$bin" ] || { echo "build the binary first (cargo build): $bin" >&2; exit 1; }

venv="${XDG_CACHE_HOME:-$HOME/.cache}/ess-atlas/frictionless"
if [ ! -x "$venv/bin/frictionless" ]; then
  echo "Installing frictionless (PyPI) in $venv…" >&2
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet frictionless
fi

tmp=$(mktemp -d)
cleanup() { rm -rf "$tmp"; }
trap cleanup EXIT
db="sqlite://$tmp/opendata.db?mode=rwc"
# The demo database: a copy of the one ./test.sh wrote once, or written now.
if [ -n "${ESS_ATLAS_DEMO_DB:-}" ]; then
  cp "$ESS_ATLAS_DEMO_DB" "$tmp/opendata.db"
else
  scripts/demo-db.sh "$tmp/opendata.db"
fi

year=$("$bin" --database "$db" edition list | grep -oE '^[[:space:]]*20[0-9]{2}' | sort -n | tail -n 1 | tr -d ' ')
"$bin" --database "$db" export opendata --edition "$year" --out "$tmp/donnees"
grep -q '"donnees_de_demonstration": true' "$tmp/donnees/datapackage.json"
started=$(date +%s.%N)
"$venv/bin/frictionless" validate "$tmp/donnees/datapackage.json"
echo "frictionless validate: the demo's $year set is valid ($(python3 -c "import time; print(round(time.time() - $started, 1))") s)" >&2

# The same check must fail on a damaged set: a value that is not a number in a table
# (the package's sizes and hashes left out, so that the failure is the cell's type).
cp -r "$tmp/donnees" "$tmp/abime"
python3 - "$tmp/abime" <<'PY'
import json, sys
d = sys.argv[1]
path = f"{d}/indicateurs-territoires.csv"
lines = open(path, encoding="utf-8").read().split("\n")
cells = lines[1].split(",")
cells[9] = "douze"
lines[1] = ",".join(cells)
open(path, "w", encoding="utf-8").write("\n".join(lines))
package = json.load(open(f"{d}/datapackage.json", encoding="utf-8"))
for r in package["resources"]:
    r.pop("bytes", None)
    r.pop("hash", None)
json.dump(package, open(f"{d}/datapackage.json", "w", encoding="utf-8"), ensure_ascii=False)
PY
if "$venv/bin/frictionless" validate "$tmp/abime/datapackage.json" >"$tmp/abime.log" 2>&1; then
  echo "frictionless validate accepted a damaged set: the check cannot fail" >&2
  exit 1
fi
grep -q "type-error" "$tmp/abime.log" || { cat "$tmp/abime.log" >&2; exit 1; }
echo "frictionless validate: a damaged copy fails as it should" >&2
