#!/usr/bin/env bash
# Install the Debian/Ubuntu packages Atalaia needs, only those missing.
#   bash scripts/deps.sh run    runtime libraries of the console (X11/Wayland, Vulkan/GL, fonts)
#   bash scripts/deps.sh test   the above plus Xvfb and screenshot tools for the console smoke test
#   bash scripts/deps.sh packages   what building, installing and checking the packages needs
set -euo pipefail

profile="${1:-run}"
# libasound2-dev: cpal links ALSA for the alert tone (pkg-config finds it at build time).
packages=(libxkbcommon-x11-0 libx11-6 libxcursor1 libxrandr2 libxi6 libwayland-client0 libegl1
          libgl1-mesa-dri libvulkan1 mesa-vulkan-drivers libfontconfig1 pkg-config libasound2-dev)
if [ "$profile" = "test" ]; then
  # chromium: the crew app's browser tests (crew-app/e2e, driven by playwright-core).
  packages+=(chromium)
  # python3-aiosmtpd: the real SMTP server of the e-mail tests (tests/fixtures/smtp_sink.py);
  # poppler-utils: pdftotext reads the PDF reports back in the report tests.
  # sox measures the alert tone captured through ALSA's file plugin; dbus runs the private session
  # bus of the desktop-notification test.
  packages+=(xvfb xauth x11-apps imagemagick python3-aiosmtpd poppler-utils sox dbus)
  # postgresql: the server binaries the PostgreSQL engine's tests start in a temporary directory
  # (tests/src/pg.rs; issue 24) — initdb and pg_ctl from /usr/lib/postgresql/<version>/bin.
  packages+=(postgresql)
  # patroni and etcd-server: the failover test's highly available PostgreSQL (tests/src/patroni.rs).
  packages+=(patroni etcd-server)
fi
if [ "$profile" = "packages" ]; then
  # What installing the .deb files needs (their Depends), systemd-analyze to check the unit, curl
  # to ask the installed server, and wixl (Debian's msitools) for the Windows installer.
  packages=(libx11-6 libx11-xcb1 libxcb1 libxcursor1 libxi6 libxkbcommon0 libxkbcommon-x11-0
            libwayland-client0 libwayland-egl1 libvulkan1 libegl1 libasound2 adduser systemd curl
            wixl msitools pkg-config libasound2-dev python3)
fi
if [ "$profile" = "test" ]; then
  # python3-venv: schemathesis' own environment below.
  packages+=(python3-venv)
fi
# Node.js and npm build the crew web app the server carries (crew-app/, backend/build.rs).
if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
  packages+=(nodejs npm)
fi

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

# schemathesis (PyPI) checks the API against its OpenAPI document (tests/tests/api_schemathesis.rs),
# in a virtual environment of its own, pinned.
install_schemathesis() {
  local version=4.32.5
  local venv="${XDG_CACHE_HOME:-$HOME/.cache}/atalaia/schemathesis"
  if [ -x "$venv/bin/schemathesis" ] && "$venv/bin/schemathesis" --version 2>/dev/null | grep -q " $version\$"; then
    return
  fi
  echo "deps: installing schemathesis $version into $venv"
  rm -rf "$venv"
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet --disable-pip-version-check "schemathesis==$version"
}

if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" -eq 0 ]; then
    sudo=()
  elif command -v sudo >/dev/null 2>&1; then
    sudo=(sudo)
  else
    echo "deps: missing packages ${missing[*]} and no root/sudo to install them" >&2
    exit 1
  fi
  echo "deps: installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  "${sudo[@]}" apt-get update -qq
  "${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
if [ "$profile" = "test" ]; then
  install_schemathesis
fi
