#!/usr/bin/env bash
# Builds Hearth: the browser code (the WebAssembly + its JS glue that
# hydrates the facilitator's pages and the screen, and the phone's small
# script for the participant's pages; see app/src/bundle.rs), the
# stylesheet, and the server binary.
# `--release` builds the optimised, size-tuned version; without it, a quick
# development build for tests. `--site-only` builds everything but the
# server binary: scripts/test.sh builds that once, with its tests.
#
# The assets are named by a hash of their content (hearth.<hash>.js, .wasm,
# .css; hearth-phone.<hash>.js) and stored beside a brotli and a gzip
# copy, so the server can send them compressed and let phones cache them for
# a year: a new build has new names, so it is never served stale. The hashes
# go to Leptos's hash file next to the server binary (and the phone's to
# phone-<hash-file>), where Leptos reads the names from.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
cd "$ROOT"

release=""
site_only=""
for arg in "$@"; do
  case "$arg" in
    --release) release=1 ;;
    --site-only) site_only=1 ;;
    *) echo "build.sh: unknown option $arg (--release, --site-only)" >&2; exit 1 ;;
  esac
done

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
case "$hash_file" in
  */*) echo "Leptos.toml's hash-file must be a file name: it is written beside the server binary." >&2; exit 1 ;;
esac

if [ -n "$release" ]; then
  ensure_wasm_opt
  profile=wasm-release
  wasm_dir="target/wasm32-unknown-unknown/wasm-release"
  server_dir="target/release"
  brotli_quality=11
else
  profile=dev
  wasm_dir="target/wasm32-unknown-unknown/debug"
  server_dir="target/debug"
  # The development WebAssembly is large; compressing it hard is slow and
  # only phones on real networks gain from it.
  brotli_quality=4
fi

stage="$(mktemp -d)"
trap 'rm -rf "$stage"' EXIT
mkdir -p "$out" "$server_dir"

# Copies $stage/$1.$2 to the site under its hash, compressed twice, and
# prints the hash-file line for it.
publish() {
  local base="$1" kind="$2" src hash dest
  src="$stage/$base.$kind"
  [ "$kind" = wasm ] && src="$stage/${base}_bg.wasm"
  hash="$(sha256sum "$src" | cut -c1-20)"
  dest="$out/$base.$hash.$kind"
  cp "$src" "$dest"
  brotli --force --quality="$brotli_quality" --output="$dest.br" "$dest"
  gzip --force --keep --best --no-name "$dest"
  echo "$kind: $hash"
}

say "Building the browser code ($profile)"
# The cdylib is asked for here, not in app/Cargo.toml (see there).
cargo rustc -p app --lib --crate-type cdylib --target wasm32-unknown-unknown --features hydrate --profile "$profile"
wasm-bindgen "$wasm_dir/app.wasm" --target web --no-typescript --out-dir "$stage" --out-name "$name"
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
cp app/script/phone.js "$stage/$name-phone.js"
cat style/*.css > "$stage/$name.css"

say "Naming the assets by their content and compressing them"
{ publish "$name" js; publish "$name" wasm; publish "$name" css; } > "$server_dir/$hash_file"
publish "$name-phone" js > "$server_dir/phone-$hash_file"

# Keep only what a built server names: this build's assets and those of the
# other profile's build, if there is one.
keep=" "
for dir in target/debug target/release; do
  for file in "$dir/$hash_file" "$dir/phone-$hash_file"; do
    [ -f "$file" ] || continue
    base="$name"
    [ "$file" = "$dir/phone-$hash_file" ] && base="$name-phone"
    while IFS=': ' read -r kind hash; do
      [ -n "$kind" ] && keep+="$base.$hash.$kind "
    done < "$file"
  done
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

if [ -n "$site_only" ]; then
  exit 0
elif [ -n "$release" ]; then
  say "Building the server (release)"
  cargo build -p server --release
else
  say "Building the server (development)"
  cargo build -p server
fi
