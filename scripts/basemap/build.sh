#!/usr/bin/env bash
# Regenerates app/assets/basemap/brasil.json (and the licence files beside it)
# from three registry packages:
#   - Debian gmt-dcw 2.1.1-1 (DCW-GMT, LGPL-3+): the 27 UF polygons
#   - npm world-atlas 2.0.2 (ISC; Natural Earth, public domain): neighbours
#   - PyPI ibge-utils 1.0.1 (GPL-3.0-or-later): municipal seat coordinates
# Inputs are pinned by version and SHA-256, Python dependencies by version, so
# running it twice gives the same bytes.
#
# Usage: bash scripts/basemap/build.sh
# Env:   PYTHON=python3.11   interpreter for the temporary virtualenv
#        BASEMAP_KEEP=1      keep the temporary work directory (printed)
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
out_dir="$repo/app/assets/basemap"
python="${PYTHON:-python3}"

DCW_VERSION="2.1.1-1"
DCW_SHA256="d5e1fa73e5a601deaa840624f93d5cf0d5a968863825661e16857accb6995e77"
ATLAS_VERSION="2.0.2"
ATLAS_SHA256="032e7765f2ce00edaeafec23ff22bc3b77e42987c257da944cc585b452c05b97"
IBGE_VERSION="1.0.1"
IBGE_SHA256="a48338a993aa993ff8a5633cc6ec49e52d7e45e206748bdf8fdb29cf790df689"
PY_DEPS=(numpy==2.4.6 h5py==3.16.0 shapely==2.2.0 duckdb==0.9.2)

work="$(mktemp -d)"
if [[ "${BASEMAP_KEEP:-0}" == 1 ]]; then
    echo "work directory: $work"
else
    trap 'rm -rf "$work"' EXIT
fi

check_sha() {  # file expected-sha256
    local got
    got="$(sha256sum "$1" | cut -d' ' -f1)"
    if [[ "$got" != "$2" ]]; then
        echo "build.sh: $1: SHA-256 $got, expected $2" >&2
        exit 1
    fi
}

echo "== gmt-dcw $DCW_VERSION (Debian)"
mkdir -p "$work/deb"
if ! (cd "$work/deb" && apt-get download -q "gmt-dcw=$DCW_VERSION"); then
    echo "apt-get download failed; running apt-get update once" >&2
    apt-get update -q
    (cd "$work/deb" && apt-get download -q "gmt-dcw=$DCW_VERSION")
fi
deb="$(ls "$work"/deb/gmt-dcw_*.deb)"
check_sha "$deb" "$DCW_SHA256"
dpkg-deb -x "$deb" "$work/dcw"
dcw_dir="$work/dcw/usr/share/gmt-dcw"

echo "== world-atlas $ATLAS_VERSION (npm)"
mkdir -p "$work/npm"
npm pack --silent --pack-destination "$work/npm" "world-atlas@$ATLAS_VERSION" >/dev/null
tgz="$work/npm/world-atlas-$ATLAS_VERSION.tgz"
check_sha "$tgz" "$ATLAS_SHA256"
tar -xzf "$tgz" -C "$work/npm"
atlas_dir="$work/npm/package"

echo "== ibge-utils $IBGE_VERSION (PyPI) and Python dependencies"
"$python" -m venv "$work/venv"
"$work/venv/bin/python" -m pip install -q --disable-pip-version-check "${PY_DEPS[@]}"
"$work/venv/bin/python" -m pip download -q --disable-pip-version-check \
    --no-deps --only-binary=:all: -d "$work/pypi" "ibge-utils==$IBGE_VERSION"
whl="$work/pypi/ibge_utils-$IBGE_VERSION-py3-none-any.whl"
check_sha "$whl" "$IBGE_SHA256"
"$work/venv/bin/python" -m zipfile -e "$whl" "$work/ibge"

echo "== building brasil.json"
mkdir -p "$out_dir"
"$work/venv/bin/python" "$here/build.py" \
    --dcw "$dcw_dir" \
    --world-atlas "$atlas_dir/countries-50m.json" \
    --ibge-db "$work/ibge/ibge/data/ibge.duckdb" \
    --out "$out_dir/brasil.json"

# Licence texts that go with the data.
install -m 0644 /usr/share/common-licenses/LGPL-3 "$out_dir/LICENSE-LGPL-3"
install -m 0644 /usr/share/common-licenses/GPL-3 "$out_dir/LICENSE-GPL-3"
install -m 0644 "$work/dcw/usr/share/doc/gmt-dcw/copyright" "$out_dir/gmt-dcw.copyright"
install -m 0644 "$atlas_dir/LICENSE" "$out_dir/LICENSE-world-atlas"

sha256sum "$out_dir/brasil.json"
