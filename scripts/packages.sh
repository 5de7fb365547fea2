#!/usr/bin/env bash
# Issue 9: builds the Debian packages (atalaia, atalaia-server) with cargo-deb and the Windows
# installer's source with wixl, then proves them on this machine — as root, since it installs
# them: dpkg -i, --version of both programs, systemd-analyze verify of the unit, the installed
# server started on 127.0.0.1 and asked for /api/v1/health, the first administrator's password
# printed once and working, an upgrade to the next package version keeping the data and the
# edited configuration, and a purge that leaves nothing behind.
#
#   bash scripts/packages.sh        (run by scripts/test.sh in CI, or with ATALAIA_PACKAGES=1)
set -euo pipefail
cd "$(dirname "$0")/.."
[ "$(id -u)" -eq 0 ] || { echo "packages: run as root (it installs the packages)" >&2; exit 1; }
bash scripts/deps.sh packages

say() { printf '\n== packages: %s\n' "$*"; }
fail() { echo "packages: FAILED: $*" >&2; exit 1; }

CARGO_DEB_VERSION=3.8.0
if ! cargo deb --version 2>/dev/null | grep -q "$CARGO_DEB_VERSION"; then
  say "installing cargo-deb $CARGO_DEB_VERSION"
  cargo install --locked --quiet cargo-deb --version "$CARGO_DEB_VERSION"
fi

say "release build (LTO, stripped)"
cargo build --release --locked -p atalaia-console -p atalaia-backend --bin atalaia --bin atalaia-server
version="$(./target/release/atalaia-server --version | awk '{print $2}')"

# Version N and N+1 of both packages from the same binaries (the upgrade is of the package:
# scripts, conffiles, unit), so the test costs one build.
out=target/debian
rm -rf "$out/n" "$out/n1"
for rev in 1 2; do
  dir="$out/n"; [ "$rev" = 2 ] && dir="$out/n1"
  for pkg in atalaia-backend atalaia-console; do
    cargo deb -p "$pkg" --no-build --no-strip --deb-version "$version-$rev" -o "$dir/" >/dev/null
  done
done
ls -l "$out"/n "$out"/n1

# The check installs and purges the packages: never over a real installation.
for pkg in atalaia atalaia-server; do
  if dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed"; then
    if [ "${CI:-}" != "true" ] && [ "${ATALAIA_PACKAGES_PURGE:-}" != "1" ]; then
      fail "$pkg is installed here; the check would purge it and its data (ATALAIA_PACKAGES_PURGE=1 to allow)"
    fi
  fi
done
cleanup() {
  [ -n "${server_pid:-}" ] && kill "$server_pid" 2>/dev/null || true
  dpkg --purge atalaia atalaia-server >/dev/null 2>&1 || true
}
trap cleanup EXIT
cleanup

say "install $version-1"
install_log="$(mktemp)"  # 0600: it holds the password
dpkg -i "$out"/n/atalaia-server_*.deb "$out"/n/atalaia_*.deb 2>&1 | tee "$install_log"
password="$(sed -n 's/^ *senha: *//p' "$install_log")"
rm -f "$install_log"
[ -n "$password" ] || fail "the first administrator's password was not printed"
! grep -rqF "$password" /etc/atalaia /var/lib/atalaia || fail "the password was left on disk"
if [ -d /run/systemd/system ]; then
  # systemd runs here: the installed unit started; check it, then stop it for the steps below.
  systemctl is-active --quiet atalaia-server || fail "the service did not start"
  systemctl stop atalaia-server
fi
[ "$(atalaia-server --version)" = "atalaia-server $version" ] || fail "atalaia-server --version"
[ "$(atalaia --version)" = "atalaia $version" ] || fail "atalaia --version"
getent passwd atalaia >/dev/null || fail "no atalaia user"
[ "$(stat -c %U /var/lib/atalaia/atalaia.sqlite)" = atalaia ] || fail "database not owned by atalaia"
unit="$(dpkg -L atalaia-server | grep '/atalaia-server\.service$')"
systemd-analyze verify "$unit" || fail "systemd-analyze verify $unit"
dpkg -L atalaia | grep -q '/usr/share/applications/atalaia-wall.desktop' || fail "no wall-display entry"
dpkg -L atalaia | grep -q 'hicolor/scalable/apps/atalaia.svg' || fail "no icon"
dpkg-query -W -f='${Depends}\n' atalaia | grep -q libasound2 || fail "console Depends lacks ALSA"

port="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')"
start_server() {
  # No systemd as PID 1 in CI: the service's command, as its user, in its directory.
  # setpriv execs the server itself (runuser would stand between it and the signal).
  (cd /var/lib/atalaia && exec setpriv --reuid="$(id -u atalaia)" --regid="$(id -g atalaia)" --init-groups \
      /usr/bin/atalaia-server \
      --config /etc/atalaia/atalaia.toml --listen "127.0.0.1:$port" \
      --osmand-listen 127.0.0.1:0 --gt06-listen 127.0.0.1:0 --teltonika-listen 127.0.0.1:0) \
      >/tmp/atalaia-server.log 2>&1 &
  server_pid=$!
  for _ in $(seq 1 100); do
    curl -fsS "http://127.0.0.1:$port/api/v1/health" >/tmp/atalaia-health.json 2>/dev/null && return 0
    sleep 0.2
  done
  cat /tmp/atalaia-server.log >&2
  fail "the installed server did not answer /api/v1/health"
}
stop_server() {
  kill -TERM "$server_pid"
  wait "$server_pid" || fail "the server did not stop cleanly on SIGTERM"
  server_pid=
}
login() {
  curl -fsS -H 'content-type: application/json' \
    -d "{\"username\":\"$1\",\"password\":\"$2\"}" "http://127.0.0.1:$port/api/v1/auth/login" |
    python3 -c 'import json,sys; print(json.load(sys.stdin)["token"])'
}

say "installed server on 127.0.0.1:$port"
start_server
grep -q '"status":"ok"' /tmp/atalaia-health.json || fail "health: $(cat /tmp/atalaia-health.json)"
# The server package carries the crew's tablet app (issue 23).
curl -fsS "http://127.0.0.1:$port/crew/" | grep -q 'src="app.js"' || fail "the installed server does not serve /crew/"
curl -fsS "http://127.0.0.1:$port/crew/sw.js" | grep -q 'atalaia-crew-' || fail "the crew app's service worker is missing"
token="$(login admin "$password")" || fail "the printed password does not log in"
# The printed password was set by the installer: until the administrator changes it, the server
# serves nothing else (16.3.2.3), so the installer's first step is the change.
status="$(curl -sS -o /dev/null -w '%{http_code}' -H "authorization: Bearer $token" "http://127.0.0.1:$port/api/v1/users")"
[ "$status" = 403 ] || fail "the installer's password was usable without changing it (HTTP $status)"
new_password="senha-nova-do-administrador"
curl -fsS -H "authorization: Bearer $token" -H 'content-type: application/json' \
  -d "{\"current_password\":\"$password\",\"new_password\":\"$new_password\"}" \
  "http://127.0.0.1:$port/api/v1/auth/password" >/dev/null || fail "changing the first password"
curl -fsS -H "authorization: Bearer $token" -H 'content-type: application/json' \
  -d '{"username":"supervisora","display_name":"Supervisora de teste","role":"supervisor","password":"senha-da-supervisora"}' \
  "http://127.0.0.1:$port/api/v1/users" >/dev/null || fail "creating a user"
stop_server
echo "# edited by the installer" >> /etc/atalaia/atalaia.toml

say "upgrade to $version-2"
upgrade_log="$(mktemp)"
dpkg -i "$out"/n1/atalaia-server_*.deb "$out"/n1/atalaia_*.deb 2>&1 | tee "$upgrade_log"
! grep -q 'senha:' "$upgrade_log" || fail "the upgrade printed a new password"
rm -f "$upgrade_log"
[ -d /run/systemd/system ] && systemctl stop atalaia-server
[ "$(dpkg-query -W -f='${Version}' atalaia-server)" = "$version-2" ] || fail "not upgraded"
grep -q '^# edited by the installer' /etc/atalaia/atalaia.toml || fail "the upgrade lost the edited configuration"
start_server
login supervisora senha-da-supervisora >/dev/null || fail "the data did not survive the upgrade"
login admin "$new_password" >/dev/null || fail "the administrator did not survive the upgrade"
stop_server

say "remove and purge"
# Removing the server alone keeps its data and configuration, and the console's settings.
dpkg -r atalaia-server
[ -f /var/lib/atalaia/atalaia.sqlite ] && [ -f /etc/atalaia/atalaia.toml ] || fail "remove deleted data or configuration"
dpkg --purge atalaia-server
[ -f /etc/atalaia/console.toml ] || fail "purging the server deleted the console's settings"
dpkg --purge atalaia
! getent passwd atalaia >/dev/null || fail "the atalaia user is left"
[ ! -e /var/lib/atalaia ] || fail "/var/lib/atalaia is left"
[ ! -e /etc/atalaia ] || fail "/etc/atalaia is left"
[ ! -e /usr/bin/atalaia-server ] && [ ! -e /usr/bin/atalaia ] || fail "programs left"
trap - EXIT

say "Windows installer"
bash packaging/windows/build-msi.sh

say "all package checks passed"
