#!/usr/bin/env bash
# Installs what is missing, builds Hearth in release mode, and starts it
# with the embedded SQLite database (data/hearth.db). Flags after the
# command go to the server: scripts/run.sh --help lists them.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
cd "$ROOT"
"$ROOT/scripts/build.sh" --release
say "Starting Hearth"
exec "$ROOT/target/release/hearth" "$@"
