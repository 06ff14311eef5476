# Shared helpers for Hearth's scripts: install what is missing, once, and
# only from the registries a fresh machine reaches (crates.io, npm, Debian).
# Sourced by build.sh, run.sh and test.sh; not meant to be run alone.

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export PATH="$HOME/.cargo/bin:$PATH"
# Each thing is built once per run, so incremental builds buy nothing and
# leave gigabytes of caches behind in target/.
export CARGO_INCREMENTAL="${CARGO_INCREMENTAL:-0}"

say() { printf '\033[1m==> %s\033[0m\n' "$*" >&2; }

# A string setting from Leptos.toml, the one place site settings live.
leptos_setting() {
  sed -n "s/^$1[[:space:]]*=[[:space:]]*\"\([^\"]*\)\".*/\1/p" "$ROOT/Leptos.toml" | head -n 1
}

# A true/false setting from Leptos.toml.
leptos_flag() {
  sed -n "s/^$1[[:space:]]*=[[:space:]]*\(true\|false\).*/\1/p" "$ROOT/Leptos.toml" | head -n 1
}

# The wasm-bindgen version pinned with "=" in Cargo.toml; the CLI must match.
wasm_bindgen_version() {
  sed -n 's/^wasm-bindgen[[:space:]]*=[[:space:]]*"=\([0-9.]*\)".*/\1/p' "$ROOT/Cargo.toml" | head -n 1
}

ensure_wasm_target() {
  if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
    say "Adding the wasm32-unknown-unknown target"
    rustup target add wasm32-unknown-unknown
  fi
}

ensure_wasm_bindgen() {
  local want
  want="$(wasm_bindgen_version)"
  if ! command -v wasm-bindgen >/dev/null || [ "$(wasm-bindgen --version | awk '{print $2}')" != "$want" ]; then
    say "Installing wasm-bindgen-cli $want (once, into ~/.cargo/bin; about 7 minutes)"
    # Not --locked: the CLI's own lock file does not build with this toolchain.
    cargo install wasm-bindgen-cli --version "$want" --force
  fi
}

# wasm-opt from the npm package "binaryen" (Debian's is too old), pinned by
# scripts/tools/package-lock.json. Only the release build needs it.
ensure_wasm_opt() {
  local tools="$ROOT/scripts/tools"
  if [ ! -x "$tools/node_modules/.bin/wasm-opt" ]; then
    ensure_node
    say "Installing binaryen (wasm-opt) from the npm registry"
    (cd "$tools" && npm ci --no-audit --no-fund --loglevel=error)
  fi
  WASM_OPT="$tools/node_modules/.bin/wasm-opt"
}

apt_updated=""
apt_install() {
  if [ -z "$apt_updated" ]; then
    say "Updating Debian's package lists"
    $(sudo_if_needed) apt-get update -qq
    apt_updated=1
  fi
  say "Installing Debian packages: $*"
  DEBIAN_FRONTEND=noninteractive $(sudo_if_needed) apt-get install -y -qq --no-install-recommends "$@"
}

sudo_if_needed() {
  if [ "$(id -u)" != 0 ] && command -v sudo >/dev/null; then echo sudo; fi
}

ensure_node() {
  if ! command -v npm >/dev/null; then
    apt_install nodejs npm
  fi
}

# brotli from Debian, to compress the site's assets at build time.
ensure_brotli() {
  if ! command -v brotli >/dev/null; then
    apt_install brotli
  fi
}

ensure_chromium() {
  if [ ! -x /usr/bin/chromium ]; then
    apt_install chromium fonts-dejavu-core
  fi
}

# PostgreSQL from Debian, for the tests against a real cluster. Sets PG_BIN
# to the folder of its programs (initdb, pg_ctl), the newest installed.
ensure_postgresql() {
  if ! compgen -G '/usr/lib/postgresql/*/bin/initdb' >/dev/null; then
    apt_install postgresql
  fi
  PG_BIN="$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)"
}

# Debian's nginx, the round-robin load balancer of the cluster run.
ensure_nginx() {
  if [ ! -x /usr/sbin/nginx ]; then
    apt_install nginx-light
  fi
}

# A port nothing on loopback listens on, from 55432 up.
free_port() {
  local port=55432
  while (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; do
    port=$((port + 1))
  done
  echo "$port"
}

# Starts a throw-away PostgreSQL cluster for the tests: initdb in a fresh
# temporary folder, its own free port on 127.0.0.1 (and a unix socket in
# that folder), run as the `postgres` user because PostgreSQL refuses to
# run as root. Sets HEARTH_TEST_POSTGRES (an administrator's URL, trusted
# on loopback only) and HEARTH_TEST_PGDATA (its data directory, for the
# tests that look at its files). `stop_test_postgres` stops it and removes
# the folder; call it from the caller's EXIT trap.
start_test_postgres() {
  ensure_postgresql
  PG_TEST_DIR="$(mktemp -d /tmp/hearth-pg.XXXXXX)"
  local port as_pg=()
  port="$(free_port)"
  if [ "$(id -u)" = 0 ]; then
    id -u postgres >/dev/null 2>&1 || useradd --system --home-dir /nonexistent --shell /usr/sbin/nologin postgres
    chown postgres "$PG_TEST_DIR"
    as_pg=(runuser -u postgres --)
  fi
  PG_AS=("${as_pg[@]}")
  say "Starting a throw-away PostgreSQL ($("$PG_BIN/postgres" --version | awk '{print $3}')) on 127.0.0.1:$port"
  "${as_pg[@]}" "$PG_BIN/initdb" -D "$PG_TEST_DIR/data" -U hearth --auth=trust -E UTF8 \
    --locale=C.UTF-8 --no-sync >"$PG_TEST_DIR/initdb.log" 2>&1 \
    || { cat "$PG_TEST_DIR/initdb.log" >&2; return 1; }
  # Tests start many servers, each with a writer and a few pooled
  # connections; a small WAL keeps the files the audit reads small.
  "${as_pg[@]}" "$PG_BIN/pg_ctl" -w -D "$PG_TEST_DIR/data" -l "$PG_TEST_DIR/server.log" \
    -o "-p $port -k $PG_TEST_DIR -c listen_addresses=127.0.0.1 -c max_connections=300 -c max_wal_size=96MB -c min_wal_size=32MB" \
    start >/dev/null
  export HEARTH_TEST_POSTGRES="postgres://hearth@127.0.0.1:$port/postgres"
  export HEARTH_TEST_PGDATA="$PG_TEST_DIR/data"
}

stop_test_postgres() {
  if [ -n "${PG_TEST_DIR:-}" ] && [ -d "$PG_TEST_DIR" ]; then
    "${PG_AS[@]}" "$PG_BIN/pg_ctl" -D "$PG_TEST_DIR/data" -m immediate stop >/dev/null 2>&1 || true
    rm -rf "$PG_TEST_DIR"
  fi
}
