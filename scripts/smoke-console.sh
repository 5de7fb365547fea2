#!/usr/bin/env bash
# Smoke run of the demo console in a real window under Xvfb: it must start the embedded backend,
# log in, keep running, and show moving markers (two screenshots a few seconds apart must differ).
#   bash scripts/smoke-console.sh [OUT_DIR]      (screenshots: OUT_DIR/console-1.png, console-2.png)
set -euo pipefail
cd "$(dirname "$0")/.."
out="${1:-target/smoke}"
mkdir -p "$out"
out="$(cd "$out" && pwd)"
width="${SMOKE_WIDTH:-1600}" height="${SMOKE_HEIGHT:-1000}"

cargo build --locked -p atalaia-console --bin atalaia
bin="${CARGO_TARGET_DIR:-$(pwd)/target}/debug/atalaia"

work="$(mktemp -d)"
chmod 700 "$work"
display=":$((90 + RANDOM % 9))"
cleanup() {
  [ -n "${app:-}" ] && kill "$app" 2>/dev/null || true
  [ -n "${xvfb:-}" ] && kill "$xvfb" 2>/dev/null || true
  wait 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

Xvfb "$display" -screen 0 "${width}x${height}x24" -nolisten tcp >"$work/xvfb.log" 2>&1 &
xvfb=$!
for _ in $(seq 50); do [ -e "/tmp/.X11-unix/X${display#:}" ] && break; sleep 0.1; done

export DISPLAY="$display" XDG_RUNTIME_DIR="$work" ICED_BACKEND="${ICED_BACKEND:-tiny-skia}"
ATALAIA_PASSWORD=atalaia-demo "$bin" --demo --data-dir "$work/data" --user "${SMOKE_USER:-supervisor}" >"$work/stdout.log" 2>&1 &
app=$!

log="$work/data/atalaia.log"
for _ in $(seq 120); do
  grep -q "live feed connected" "$log" 2>/dev/null && break
  kill -0 "$app" 2>/dev/null || { echo "smoke: console exited early"; cat "$work/stdout.log" "$log" 2>/dev/null | tail -40; exit 1; }
  sleep 0.5
done
grep -q "live feed connected" "$log" || { echo "smoke: no live connection within 60 s"; tail -40 "$log"; exit 1; }

shot() { xwd -root -silent -display "$display" | /usr/bin/convert xwd:- "png:$1"; }
sleep "${SMOKE_SETTLE:-8}"
shot "$out/console-1.png"
sleep 6
shot "$out/console-2.png"
kill -0 "$app" 2>/dev/null || { echo "smoke: console died"; tail -40 "$log"; exit 1; }

changed=$(/usr/bin/compare -metric AE "$out/console-1.png" "$out/console-2.png" null: 2>&1 || true)
changed="${changed%% *}"
echo "smoke: console up, live feed connected, ${changed} pixels changed in 6 s"
if ! [ "${changed%.*}" -gt 50 ] 2>/dev/null; then
  echo "smoke: the map did not move"; exit 1
fi
if grep -E " (ERROR|WARN) " "$log" | grep -v -e "XDG_RUNTIME_DIR" -e "winit::" | head -5 | grep -q .; then
  echo "smoke: warnings/errors in the console log:"; grep -E " (ERROR|WARN) " "$log" | grep -v -e "winit::" | head -10
fi
