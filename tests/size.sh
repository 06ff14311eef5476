#!/usr/bin/env bash
# Measures what a phone downloads to join a gathering and post a
# reflection: builds the release site (skip with --no-build), starts the
# real server with a fresh SQLite file on a free loopback port, starts a
# gathering, joins it by its code as a phone would, and fetches the
# participant page and every asset it links (stylesheet, scripts, and
# WebAssembly if any: a participant's page has none) with
# `Accept-Encoding: br, gzip`, counting the bytes the server actually
# sends. It posts a reflection through the page's plain form, as a phone
# does before the script has loaded. A measuring tool,
# like tests/src/bin/load.rs: scripts/test.sh does not run it.
#
# Its last line:
#   SIZE participant_html_br=… css_br=… js_br=… wasm_br=… total_br=…
# Each figure is the bytes on the wire. The assets must come as brotli (it
# stops otherwise); the HTML is counted as sent, and the line before says
# how it was encoded.
set -euo pipefail
source "$(dirname "$0")/../scripts/lib.sh"
cd "$ROOT"

if [ "${1:-}" != "--no-build" ]; then
  "$ROOT/scripts/build.sh" --release
fi
bin="$ROOT/target/release/hearth"

work="$(mktemp -d)"
server=""
cleanup() {
  if [ -n "$server" ]; then kill "$server" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT
fail() { echo "size: $*" >&2; exit 1; }
# The path of a redirect (links carry the --public-url given below).
path_of() { echo "/${1#*://*/}"; }

"$bin" --addr 127.0.0.1:0 --database "$work/hearth.db" --config "$ROOT/Leptos.toml" \
  --public-url http://127.0.0.1 >"$work/server.log" 2>&1 &
server=$!
base=""
for _ in $(seq 1 100); do
  base="$(sed -n 's/^Hearth is running\. Open \(http:[^ ]*\).*/\1/p' "$work/server.log")"
  [ -n "$base" ] && break
  kill -0 "$server" 2>/dev/null || fail "the server stopped: $(cat "$work/server.log")"
  sleep 0.1
done
[ -n "$base" ] || fail "the server did not start: $(cat "$work/server.log")"

# The facilitator starts a gathering; its console shows the join code.
console="$(curl -sS -o /dev/null -w '%{redirect_url}' -d 'name=Size&agenda=blank' "$base/start")"
[ -n "$console" ] || fail "starting a gathering did not lead to a console"
code="$(curl -sS "$base$(path_of "$console")" | sed -n 's/.*data-testid="join-code"[^>]*>\([A-Z0-9]*\)<.*/\1/p' | head -n 1)"
[ -n "$code" ] || fail "no join code on the console"

# The phone: types the code on the front door and lands on its page.
jar="$work/cookies"
page="$(curl -sS -c "$jar" -b "$jar" -o /dev/null -w '%{redirect_url}' "$base/join?code=$code")"
case "$page" in */p/*) ;; *) fail "joining with $code led to '$page'" ;; esac
page="$base$(path_of "$page")"

# Fetches $1 as a phone would; prints "<bytes> <content-encoding>".
fetch() {
  local out="$work/body" headers="$work/headers"
  curl -sS -c "$jar" -b "$jar" -H 'Accept-Encoding: br, gzip' -D "$headers" -o "$out" "$1" \
    || fail "could not fetch $1"
  grep -q '^HTTP/[0-9.]* 200' "$headers" || fail "$1: $(head -n 1 "$headers")"
  local encoding
  encoding="$(sed -n 's/^[Cc]ontent-[Ee]ncoding:[[:space:]]*\([a-z]*\).*/\1/p' "$headers")"
  echo "$(wc -c <"$out") ${encoding:-identity}"
}

got="$(fetch "$page")"
read -r html_bytes html_encoding <<<"$got"
curl -sS -b "$jar" "$page" >"$work/page.html"
grep -q "<textarea" "$work/page.html" || fail "the participant page has no place to write"
# Every asset the page names, by kind: the stylesheet, each script
# (<script src> and module preloads) and any WebAssembly.
assets() { { grep -oE "(href|src)=\"/[^\"]*\.$1\"" "$work/page.html" || true; } | sed 's/^[a-z]*="\(.*\)"$/\1/' | sort -u; }
css="$(assets css)"
[ "$(echo "$css" | grep -c .)" = 1 ] || fail "the page does not link one stylesheet"
[ -n "$(assets js)" ] || fail "the page links no script"

# Sums the brotli bytes of the assets named on stdin.
weigh() {
  local total=0 asset got bytes encoding
  while read -r asset; do
    [ -n "$asset" ] || continue
    got="$(fetch "$base$asset")"
    read -r bytes encoding <<<"$got"
    [ "$encoding" = br ] || fail "$asset came as $encoding, not brotli"
    echo "$asset: $bytes bytes (brotli)" >&2
    total=$((total + bytes))
  done
  echo "$total"
}
sizes=("$(echo "$css" | weigh)" "$(assets js | weigh)" "$(assets wasm | weigh)")

# Posting works from the page as served, without its script.
step="$(sed -n 's/.*name="step" value="\([^"]*\)".*/\1/p' "$work/page.html" | head -n 1)"
id="$(sed -n 's/.*name="id" value="\([^"]*\)".*/\1/p' "$work/page.html" | head -n 1)"
status="$(curl -sS -b "$jar" -o /dev/null -w '%{http_code}' \
  --data-urlencode "id=$id" --data-urlencode "step=$step" \
  --data-urlencode 'text=Measured on a slow phone' "$page/reflect")"
case "$status" in 2* | 303) ;; *) fail "posting a reflection answered $status" ;; esac

echo "participant page: $html_bytes bytes sent ($html_encoding; brotli would make it $(brotli -c "$work/page.html" | wc -c)); join code $code; post answered $status" >&2
total=$((html_bytes + sizes[0] + sizes[1] + sizes[2]))
echo "SIZE participant_html_br=$html_bytes css_br=${sizes[0]} js_br=${sizes[1]} wasm_br=${sizes[2]} total_br=$total"
