#!/usr/bin/env bash
# Installs web/node_modules from the committed lock file when missing or stale.
set -euo pipefail
cd "$(dirname "$0")/.."
stamp=web/node_modules/.package-lock.json
if [ ! -f "$stamp" ] || [ web/package-lock.json -nt "$stamp" ]; then
  echo "Installing web dependencies (npm ci)…" >&2
  npm ci --prefix web --no-audit --no-fund --loglevel=error
fi
