#!/usr/bin/env bash
# Starts the server on a free port with a throw-away database and runs the browser
# tests (tests/browser/*.test.mjs) against it.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/server-lib.sh
features=()
[ -z "${ESS_ATLAS_CARGO_FEATURES:-}" ] || features=(--features "$ESS_ATLAS_CARGO_FEATURES")
# --all-targets: the same feature set as `cargo test --all-targets` (dev-dependencies turn on
# features of shared crates), so that after the tests this is a no-op, not a second build.
cargo build --all-targets "${features[@]}"
# The binary lives where cargo puts it (CI keeps its target directory outside the clone).
bin="${CARGO_TARGET_DIR:-target}/debug/ess-atlas"
tmp=$(mktemp -d)
db="sqlite://$tmp/browser.db?mode=rwc"
# The demo database ./test.sh wrote once, if given; else the server writes it.
[ -z "${ESS_ATLAS_DEMO_DB:-}" ] || cp "$ESS_ATLAS_DEMO_DB" "$tmp/browser.db"
# Two staff accounts for tests/browser/portraits.test.mjs and a partner for
# tests/browser/propositions.test.mjs, with passwords of this run only.
export ESS_ATLAS_REFERENT=referent-arr ESS_ATLAS_CDM=charge-mission ESS_ATLAS_PARTNER=partenaire-cress
ESS_ATLAS_REFERENT_PASSWORD=$(python3 -c 'import secrets; print(secrets.token_urlsafe(18))')
ESS_ATLAS_CDM_PASSWORD=$(python3 -c 'import secrets; print(secrets.token_urlsafe(18))')
ESS_ATLAS_PARTNER_PASSWORD=$(python3 -c 'import secrets; print(secrets.token_urlsafe(18))')
export ESS_ATLAS_REFERENT_PASSWORD ESS_ATLAS_CDM_PASSWORD ESS_ATLAS_PARTNER_PASSWORD
ESS_ATLAS_PASSWORD=$ESS_ATLAS_REFERENT_PASSWORD "$bin" --database "$db" \
  user add --username "$ESS_ATLAS_REFERENT" --role referent --territory ARR --name "Référente Arrageois" >/dev/null
ESS_ATLAS_PASSWORD=$ESS_ATLAS_CDM_PASSWORD "$bin" --database "$db" \
  user add --username "$ESS_ATLAS_CDM" --role charge_de_mission --name "Chargé de mission ESS" >/dev/null
ESS_ATLAS_PASSWORD=$ESS_ATLAS_PARTNER_PASSWORD "$bin" --database "$db" \
  user add --username "$ESS_ATLAS_PARTNER" --role partenaire --territory ARR \
  --name "Observatoire de la CRESS" --organisation "CRESS Hauts-de-France" >/dev/null
port=$(free_port)
# The tests come from one address, faster than a person: no rate limits (they are
# tested in tests/api/ratelimit.rs). The server's e-mails land in the outbox (no SMTP):
# tests/browser/consultation.test.mjs reads them.
export ESS_ATLAS_OUTBOX="$tmp/outbox"
# The server's SIRENE import directory (`serve --import-dir`, read from the environment):
# tests/browser/sirene.test.mjs puts its files there.
export ESS_ATLAS_IMPORT_DIR="$tmp/imports"
mkdir -p "$ESS_ATLAS_IMPORT_DIR"
"$bin" --database "$db" serve \
  --listen "127.0.0.1:$port" --rate-limit-api 0 --rate-limit-documents 0 \
  --outbox-dir "$ESS_ATLAS_OUTBOX" >"$tmp/server.log" 2>&1 &
server=$!
cleanup() { kill "$server" 2>/dev/null || true; rm -rf "$tmp"; }
trap cleanup EXIT
wait_for_server "http://127.0.0.1:$port" "$server" "$tmp/server.log"
# One file at a time: three Chromiums at once on two cores made timings flaky.
ESS_ATLAS_URL="http://127.0.0.1:$port" node --test --test-concurrency=1 tests/browser/ || { echo "--- server log"; tail -50 "$tmp/server.log"; exit 1; }
