#!/usr/bin/env bash
# Runs every Hearth test: formatting and lints, the app's unit tests with
# each feature set on its own (never both), the server's integration tests
# against the real binary, and the browser tests in Debian's Chromium.
# Installs what is missing first (once; skipped when present).
set -euo pipefail
source "$(dirname "$0")/lib.sh"
cd "$ROOT"

log="$(mktemp)"
trap 'rm -f "$log"' EXIT
run() { "$@" 2>&1 | tee -a "$log"; }

ensure_wasm_target
ensure_wasm_bindgen
ensure_node
ensure_chromium

say "Formatting"
cargo fmt --all -- --check

say "Lints: app (ssr), app (hydrate), the core, server and test harness, the phone's script"
cargo clippy -p app --features ssr --all-targets -- -D warnings
cargo clippy -p app --lib --features hydrate --target wasm32-unknown-unknown -- -D warnings
cargo clippy -p hearth-core -p server -p hearth-tests --all-targets -- -D warnings
node --check app/script/phone.js

say "Unit tests: the core (no Leptos)"
run cargo test -p hearth-core
say "Unit tests: app with ssr"
run cargo test -p app --features ssr
say "Unit tests: app with hydrate"
run cargo test -p app --features hydrate
say "Integration tests: the real server over HTTP and WebSocket"
# The restart tests run the load tool itself (`target/debug/load`), which
# `cargo test` alone does not build as a program.
cargo build -p hearth-tests --bins
run cargo test -p server -p hearth-tests

say "Building the site for the browser tests"
"$ROOT/scripts/build.sh"
say "Browser tests (playwright-core + Debian's Chromium)"
(cd tests/browser && npm ci --no-audit --no-fund --loglevel=error)
HEARTH_BIN="$ROOT/target/debug/hearth" run node --test --test-concurrency=1 tests/browser/

# One closing line for the whole run.
passed=$(( $(grep -oE 'test result: [a-z]+\. [0-9]+ passed' "$log" | awk '{s+=$4} END {print s+0}') \
         + $(grep -oE '^# pass [0-9]+' "$log" | awk '{s+=$3} END {print s+0}') ))
failed=$(( $(grep -oE '[0-9]+ failed;' "$log" | awk '{s+=$1} END {print s+0}') \
         + $(grep -oE '^# fail [0-9]+' "$log" | awk '{s+=$3} END {print s+0}') ))
echo "all: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
