#!/usr/bin/env bash
# Builds Hearth: the browser code (WebAssembly + its JS glue), the
# stylesheet, and the server binary. `--release` builds the optimised,
# size-tuned version; without it, a quick development build for tests.
#
# The assets are named by a hash of their content (hearth.<hash>.js, .wasm,
# .css) and stored beside a brotli and a gzip copy, so the server can send
# them compressed and let phones cache them for a year: a new build has new
# names, so it is never served stale. The hashes go to Leptos's hash file
# next to the server binary, where Leptos reads the names from.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
cd "$ROOT"

release=""
[ "${1:-}" = "--release" ] && release=1

ensure_wasm_target
ensure_wasm_bindgen
ensure_brotli

name="$(leptos_setting output-name)"
site_root="$(leptos_setting site-root)"
pkg_dir="$(leptos_setting site-pkg-dir)"
hash_file="$(leptos_setting hash-file)"
out="$site_root/$pkg_dir"
if [ "$(leptos_flag hash-files)" != true ] || [ -z "$hash_file" ]; then
  echo "Leptos.toml must set hash-files = true and hash-file: the build names assets by their hash." >&2
  exit 1
fi

if [ -n "$release" ]; then
  ensure_wasm_opt
  say "Building the browser code (release, size-tuned)"
  cargo build -p app --lib --target wasm32-unknown-unknown --features hydrate --profile wasm-release
  wasm="target/wasm32-unknown-unknown/wasm-release/app.wasm"
  server_dir="target/release"
  brotli_quality=11
else
  say "Building the browser code (development)"
  cargo build -p app --lib --target wasm32-unknown-unknown --features hydrate
  wasm="target/wasm32-unknown-unknown/debug/app.wasm"
  server_dir="target/debug"
  # The development WebAssembly is large; compressing it hard is slow and
  # only phones on real networks gain from it.
  brotli_quality=4
fi

stage="$(mktemp -d)"
trap 'rm -rf "$stage"' EXIT
wasm-bindgen "$wasm" --target web --no-typescript --out-dir "$stage" --out-name "$name"
if [ -e "$stage/snippets" ]; then
  # Snippets would be loaded by fixed names, outside the hashing below.
  echo "wasm-bindgen wrote JavaScript snippets; scripts/build.sh does not hash them yet." >&2
  exit 1
fi
if [ -n "$release" ]; then
  say "Shrinking the WebAssembly with wasm-opt"
  "$WASM_OPT" -Oz --enable-bulk-memory --enable-nontrapping-float-to-int --enable-sign-ext \
    "$stage/${name}_bg.wasm" -o "$stage/${name}_bg.wasm"
fi
cat style/*.css > "$stage/$name.css"

say "Naming the assets by their content and compressing them"
mkdir -p "$out" "$server_dir"
hashes=""
for kind in js wasm css; do
  src="$stage/$name.$kind"
  [ "$kind" = wasm ] && src="$stage/${name}_bg.wasm"
  hash="$(sha256sum "$src" | cut -c1-20)"
  dest="$out/$name.$hash.$kind"
  cp "$src" "$dest"
  brotli --force --quality="$brotli_quality" --output="$dest.br" "$dest"
  gzip --force --keep --best --no-name "$dest"
  hashes+="$kind: $hash"$'\n'
done
printf '%s' "$hashes" > "$server_dir/$hash_file"

# Keep only what a built server names: this build's assets and those of the
# other profile's build, if there is one.
keep=" "
for file in target/debug/"$hash_file" target/release/"$hash_file"; do
  [ -f "$file" ] || continue
  while IFS=': ' read -r kind hash; do
    [ -n "$kind" ] && keep+="$name.$hash.$kind "
  done < "$file"
done
for asset in "$out"/*; do
  base="$(basename "$asset")"
  base="${base%.br}"
  base="${base%.gz}"
  case "$keep" in
    *" $base "*) ;;
    *) rm -rf "$asset" ;;
  esac
done

if [ -n "$release" ]; then
  say "Building the server (release)"
  cargo build -p server --release
else
  say "Building the server (development)"
  cargo build -p server
fi
