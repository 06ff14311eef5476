#!/usr/bin/env bash
# Runs every Hearth test: formatting and lints, the app's unit tests with
# each feature set on its own (never both), the server's integration tests
# against the real binary on both backends (the SQLite file, then a
# throw-away PostgreSQL cluster of its own), and the browser tests in
# Debian's Chromium. Installs what is missing first (once; skipped when
# present).
#
# The server binary is built once, by the one cargo command that builds
# the integration tests, and the browser tests run that same binary: a
# plain `cargo build -p server` resolves the dependencies' features
# without the tests' and would compile much of the tree again.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
cd "$ROOT"

log="$(mktemp)"
trap 'rm -f "$log"; stop_test_postgres' EXIT
run() { "$@" 2>&1 | tee -a "$log"; }

ensure_wasm_target
ensure_wasm_bindgen
ensure_node
ensure_chromium
ensure_postgresql
ensure_nginx

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
say "Building the server, the load tool and the integration tests, once"
# The restart tests run the load tool itself (`target/debug/load`), which
# `cargo test` alone does not build as a program. The same packages as the
# test run below, so it compiles nothing more.
cargo build -p server -p hearth-tests --bins --tests
say "Integration tests: the real server over HTTP and WebSocket, on SQLite"
run env -u HEARTH_TEST_POSTGRES -u HEARTH_TEST_PGDATA cargo test -p server -p hearth-tests
start_test_postgres
say "The same on PostgreSQL: the server's unit tests (its PostgreSQL backend's among them) and integration tests, each server on a fresh database"
run cargo test -p server --tests
say "A cluster on PostgreSQL: three nodes behind nginx, 500 phones in 3 gatherings posting, the busiest gathering's owner killed (SIGKILL) mid-run; fails unless every acknowledged post reached every phone exactly once"
run target/debug/load --bin "$ROOT/target/debug/hearth" --participants 500 --gatherings 3 \
  --rate 20 --duration 20 --nodes 3 --kill-owner-after 8 --strict

say "Building the site for the browser tests (the server is built above)"
"$ROOT/scripts/build.sh" --site-only
say "Browser tests (playwright-core + Debian's Chromium)"
(cd tests/browser && npm ci --no-audit --no-fund --loglevel=error)
HEARTH_BIN="$ROOT/target/debug/hearth" run node --test --test-concurrency=1 tests/browser/

# One closing line for the whole run.
passed=$(( $(grep -oE 'test result: [a-z]+\. [0-9]+ passed' "$log" | awk '{s+=$4} END {print s+0}') \
         + $(grep -cE '^LOAD .* owner_killed=true' "$log") \
         + $(grep -oE '^# pass [0-9]+' "$log" | awk '{s+=$3} END {print s+0}') ))
failed=$(( $(grep -oE '[0-9]+ failed;' "$log" | awk '{s+=$1} END {print s+0}') \
         + $(grep -oE '^# fail [0-9]+' "$log" | awk '{s+=$3} END {print s+0}') ))
echo "all: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
