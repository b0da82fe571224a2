#!/usr/bin/env bash
# Runs ess-atlas on the embedded default: a SQLite file under data/, the shipped
# geodata, the map at http://127.0.0.1:8080. Installs the front end's npm packages
# (MapLibre GL JS) on first use. Extra arguments go to `ess-atlas serve`.
set -euo pipefail
cd "$(dirname "$0")"
scripts/web-deps.sh
# The dev profile optimises dependencies (Cargo.toml) and shares its build with the
# tests: a fresh machine compiles once (~5 min on 2 cores) instead of twice.
exec cargo run --bin ess-atlas -- serve "$@"
