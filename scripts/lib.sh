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
