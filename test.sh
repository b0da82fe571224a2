#!/usr/bin/env bash
# Runs every test: the Rust unit and API tests, then the browser tests (Debian's
# Chromium driven by playwright-core against a freshly started server).
# Installs what it needs (npm packages; Chromium via apt-get) when missing.
set -euo pipefail
cd "$(dirname "$0")"

scripts/web-deps.sh
if [ ! -x /usr/bin/chromium ]; then
  echo "Installing Chromium for the browser tests (apt-get)…" >&2
  sudo_cmd=""
  [ "$(id -u)" -eq 0 ] || sudo_cmd="sudo"
  $sudo_cmd apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq chromium >/dev/null
fi

# The summary tests read PDFs back with pdftotext (poppler-utils).
if ! command -v pdftotext >/dev/null; then
  echo "Installing poppler-utils for the PDF tests (apt-get)…" >&2
  sudo_cmd=""
  [ "$(id -u)" -eq 0 ] || sudo_cmd="sudo"
  $sudo_cmd apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq poppler-utils >/dev/null
fi

# ESS_ATLAS_CARGO_FEATURES (CI sets maplibre-check): optional cargo features for every build.
features=()
[ -z "${ESS_ATLAS_CARGO_FEATURES:-}" ] || features=(--features "$ESS_ATLAS_CARGO_FEATURES")
cargo test --all-targets "${features[@]}"
cargo test --doc "${features[@]}"

scripts/browser-tests.sh
