#!/usr/bin/env bash
# Builds Hearth: the browser code (WebAssembly + its JS glue), the
# stylesheet, and the server binary. `--release` builds the optimised,
# size-tuned version; without it, a quick development build for tests.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
cd "$ROOT"

release=""
[ "${1:-}" = "--release" ] && release=1

ensure_wasm_target
ensure_wasm_bindgen

name="$(leptos_setting output-name)"
site_root="$(leptos_setting site-root)"
pkg_dir="$(leptos_setting site-pkg-dir)"
out="$site_root/$pkg_dir"

if [ -n "$release" ]; then
  ensure_wasm_opt
  say "Building the browser code (release, size-tuned)"
  cargo build -p app --lib --target wasm32-unknown-unknown --features hydrate --profile wasm-release
  wasm="target/wasm32-unknown-unknown/wasm-release/app.wasm"
else
  say "Building the browser code (development)"
  cargo build -p app --lib --target wasm32-unknown-unknown --features hydrate
  wasm="target/wasm32-unknown-unknown/debug/app.wasm"
fi

rm -rf "$out"
mkdir -p "$out"
wasm-bindgen "$wasm" --target web --no-typescript --out-dir "$out" --out-name "$name"
if [ -n "$release" ]; then
  say "Shrinking the WebAssembly with wasm-opt"
  "$WASM_OPT" -Oz --enable-bulk-memory --enable-nontrapping-float-to-int --enable-sign-ext \
    "$out/${name}_bg.wasm" -o "$out/${name}_bg.wasm"
fi
cat style/*.css > "$out/$name.css"

if [ -n "$release" ]; then
  say "Building the server (release)"
  cargo build -p server --release
else
  say "Building the server (development)"
  cargo build -p server
fi
