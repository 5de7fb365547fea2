#!/usr/bin/env bash
# Screenshots of the demo console in a real window under Xvfb, for docs/screenshots/:
#   console-supervisor.png   all four panes (supervisor)
#   console-atendimento.png  a call being taken by the TARM (typed with xdotool), caller history
#   console-alarm-card.png   the monitoring operator after F9: the alarm taken, its card open
#   console-wall.png         the wall display (--wall), 1920x1080
#   console-scale-200.png    the regulator's console with the text at 200 % (Ctrl+= five times;
#                            RNF06: panes scroll, nothing overlaps)
#   map-brasil.png           the map alone (F11), zoomed out to the whole country: the embedded
#                            base map (states, capitals), no tiles
#   map-porto-velho.png      the monitoring operator's map alone: Porto Velho, zones, people
#   map-belo-horizonte.png   the fleet controller's map alone: Belo Horizonte, ambulances, calls
#   bash scripts/screenshots.sh [OUT_DIR]      (default docs/screenshots)
set -euo pipefail
# The console ignores an installed workstation settings file (/etc/atalaia/console.toml).
export ATALAIA_CONSOLE_CONFIG=none
cd "$(dirname "$0")/.."
out="${1:-docs/screenshots}"
mkdir -p "$out"
out="$(cd "$out" && pwd)"
bash scripts/deps.sh test
if ! command -v xdotool >/dev/null; then
  sudo=(); [ "$(id -u)" -eq 0 ] || sudo=(sudo)
  "${sudo[@]}" apt-get install -y -qq --no-install-recommends xdotool >/dev/null
fi
cargo build --locked -p atalaia-console --bin atalaia
bin="${CARGO_TARGET_DIR:-$(pwd)/target}/debug/atalaia"

work="$(mktemp -d)"
chmod 700 "$work"
cleanup() {
  [ -n "${app:-}" ] && kill "$app" 2>/dev/null || true
  [ -n "${xvfb:-}" ] && kill "$xvfb" 2>/dev/null || true
  wait 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

# shot NAME USER WIDTHxHEIGHT [ARGS...] — then the function named input_NAME (if any) runs first.
shot() {
  local name="$1" user="$2" size="$3"; shift 3
  local display=":$((80 + RANDOM % 9))"
  while [ -e "/tmp/.X11-unix/X${display#:}" ]; do display=":$((80 + RANDOM % 9))"; done
  Xvfb "$display" -screen 0 "${size}x24" -nolisten tcp >"$work/xvfb.log" 2>&1 &
  xvfb=$!
  for _ in $(seq 50); do [ -e "/tmp/.X11-unix/X${display#:}" ] && break; sleep 0.1; done
  rm -rf "$work/data"
  DISPLAY="$display" XDG_RUNTIME_DIR="$work" ICED_BACKEND=tiny-skia ATALAIA_PASSWORD=atalaia-demo \
    "$bin" --demo --no-sound --data-dir "$work/data" --user "$user" "$@" >"$work/stdout.log" 2>&1 &
  app=$!
  for _ in $(seq 120); do
    grep -q "live feed connected" "$work/data/atalaia.log" 2>/dev/null && break
    sleep 0.5
  done
  grep -q "live feed connected" "$work/data/atalaia.log" 2>/dev/null \
    || { echo "screenshots: $name: the console never connected"; tail -20 "$work/data/atalaia.log"; exit 1; }
  sleep "${SETTLE:-6}"
  if declare -F "input_$name" >/dev/null; then
    DISPLAY="$display" "input_$name"
    sleep 2
  fi
  local file="$out/console-$name.png"
  case "$name" in map-*) file="$out/$name.png" ;; esac
  xwd -root -silent -display "$display" | /usr/bin/convert xwd:- "png:$file"
  echo "screenshots: $file"
  kill "$app" "$xvfb" 2>/dev/null || true
  wait "$app" "$xvfb" 2>/dev/null || true
  app="" xvfb=""
}

focus_window() { xdotool search --sync --name Atalaia windowfocus --sync 2>/dev/null || true; }

input_atendimento() {
  focus_window
  # A caller who has called before (a demo call's number), then the form by keyboard only.
  local phone
  phone="$(grep -o '"caller_phone":"[^"]*"' "$work/data/atalaia.log" 2>/dev/null | head -1 | cut -d'"' -f4 || true)"
  xdotool type --delay 40 "${phone:-(31) 98599-4604}"
  xdotool key Tab && xdotool type --delay 30 "Maria Aparecida"
  xdotool key Return && xdotool type --delay 30 "Belo Horizonte"
  xdotool key Tab && xdotool type --delay 30 "Av. Afo"
}

input_alarm-card() {
  focus_window
  xdotool key F9
}

input_scale-200() {
  focus_window
  for _ in 1 2 3 4 5; do xdotool key ctrl+equal; sleep 0.3; done
}

# The map alone (F11) with the pointer over it; keys then act on the map.
map_alone() {
  focus_window
  xdotool key F11
  sleep 1
  xdotool mousemove 800 560
}

input_map-brasil() {
  map_alone
  # The "Brasil" region button, first in the map's tool bar.
  xdotool mousemove 40 174 click 1
  sleep 1
  xdotool mousemove 800 560
}

input_map-porto-velho() { map_alone; }
input_map-belo-horizonte() { map_alone; }

shot supervisor supervisor 1600x1000
shot atendimento tarm 1600x1000
shot alarm-card operador 1600x1000
shot wall supervisor 1920x1080 --wall
shot scale-200 regulador 1600x1000
shot map-brasil supervisor 1600x1000
shot map-porto-velho operador 1600x1000
shot map-belo-horizonte frota 1600x1000
