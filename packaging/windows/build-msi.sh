#!/usr/bin/env bash
# The Windows installer: packaging/windows/atalaia.wxs built with wixl (Debian's msitools).
#
# With a Windows build of the console (target/x86_64-pc-windows-gnu/release/atalaia.exe, or the
# path in ATALAIA_WINDOWS_EXE) it writes target/windows/atalaia-<version>.msi. Without one (this
# machine's toolchain has no Windows target), it still builds the .wxs with a placeholder file to
# prove the source valid, throws that MSI away, and says so.
set -euo pipefail
cd "$(dirname "$0")/../.."
command -v wixl >/dev/null || { echo "build-msi: wixl missing (apt-get install wixl)" >&2; exit 1; }

version="$(sed -n 's/^version = "\(.*\)"/\1/p' Cargo.toml | head -n1)"
version="${version%%-*}"  # MSI versions are numeric: no pre-release suffix
exe="${ATALAIA_WINDOWS_EXE:-target/x86_64-pc-windows-gnu/release/atalaia.exe}"
out=target/windows
mkdir -p "$out"

if [ -f "$exe" ]; then
  msi="$out/atalaia-$version.msi"
  real=1
else
  echo "build-msi: SKIPPED the Windows installer: no Windows build of the console at $exe"
  echo "build-msi: (rustup target add x86_64-pc-windows-gnu and a mingw-w64 linker make one);"
  echo "build-msi: validating atalaia.wxs with a placeholder executable instead."
  exe="$(mktemp -d)/atalaia.exe"
  printf 'placeholder, not a program\n' >"$exe"
  msi="$(dirname "$exe")/atalaia-check.msi"
  real=0
fi

log="$(mktemp)"
# wixl finds sources relative to where it runs: stage them with the names the .wxs uses.
stage="$(mktemp -d)"
cp "$exe" "$stage/atalaia.exe"
cp packaging/icons/atalaia.ico "$stage/atalaia.ico"
wxs="$PWD/packaging/windows/atalaia.wxs"
case "$msi" in /*) ;; *) msi="$PWD/$msi" ;; esac
(cd "$stage" && wixl -a x64 -D "Version=$version" -D "Console=atalaia.exe" -D "Icon=atalaia.ico" \
  -o "$msi" "$wxs") 2>"$log" || { cat "$log" >&2; exit 1; }
rm -rf "$stage"
# wixl only warns about attributes it does not know (and drops them): treat that as an error.
if grep -q "has no property named" "$log"; then
  cat "$log" >&2
  echo "build-msi: atalaia.wxs uses attributes wixl ignores" >&2
  exit 1
fi
# The shortcuts and the file are really in the package.
if command -v msiinfo >/dev/null; then
  tables="$(msiinfo export "$msi" Shortcut)"
  grep -q -- "--wall --server \[SERVER_URL\]" <<<"$tables" || { echo "build-msi: no wall shortcut" >&2; exit 1; }
  msiinfo export "$msi" File | grep -q "atalaia.exe" || { echo "build-msi: no atalaia.exe" >&2; exit 1; }
fi
if [ "$real" = 1 ]; then
  echo "build-msi: wrote $msi"
else
  rm -rf "$(dirname "$exe")"
  echo "build-msi: atalaia.wxs is valid (placeholder MSI built and discarded)"
fi
