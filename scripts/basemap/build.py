#!/usr/bin/env python3
"""Build app/assets/basemap/brasil.json, the embedded base map of Atalaia.

Run through scripts/basemap/build.sh, which fetches the three inputs from the
package registries (Debian gmt-dcw, npm world-atlas, PyPI ibge-utils) and
prepares a virtualenv with the pinned Python dependencies.

Output format (all coordinates [lon, lat], rounded to 4 decimals, every ring
closed: its last point repeats its first; outer rings counter-clockwise):

    {
      "country":    [ring, ...],
      "neighbours": [{"name": str, "rings": [ring, ...]}, ...],
      "states":     [{"uf": str, "name": str, "rings": [ring, ...],
                      "coarse": [ring, ...]}, ...],
      "seats":      [{"name": str, "uf": str, "lat": float, "lon": float,
                      "capital": bool}, ...]
    }

The state layer is built as a clean polygon coverage (shapely/GEOS
coverage_clean), cut into shared arcs, and every arc is simplified once with
Douglas-Peucker, so neighbouring states keep exactly the same border vertices
at both levels: no slivers, no double lines.
"""

import argparse
import json
import os
import sys
import unicodedata

import duckdb
import h5py
import numpy as np
import shapely
from shapely.geometry import MultiPolygon, Polygon

FINE_TOL = 0.004  # degrees, Douglas-Peucker, "rings" (good to about z11)
COARSE_TOL = 0.03  # degrees, "coarse" (country view)
COARSE_MIN_AREA = 0.0005  # deg^2: smaller islands are dropped from "coarse"
OUTLINE_TOL = 0.01  # degrees, country outline and neighbours
GAP_WIDTH = 0.3  # degrees: gaps between DCW states narrower than this are filled
DECIMALS = 4

UFS = ("AC AL AM AP BA CE DF ES GO MA MG MS MT PA PB PE PI PR RJ RN RO RR RS "
       "SC SE SP TO").split()

# IBGE state codes (first two digits of a municipality code).
UF_CODE = {
    "RO": 11, "AC": 12, "AM": 13, "RR": 14, "PA": 15, "AP": 16, "TO": 17,
    "MA": 21, "PI": 22, "CE": 23, "RN": 24, "PB": 25, "PE": 26, "AL": 27,
    "SE": 28, "BA": 29, "MG": 31, "ES": 32, "RJ": 33, "SP": 35, "PR": 41,
    "SC": 42, "RS": 43, "MS": 50, "MT": 51, "GO": 52, "DF": 53,
}

CAPITALS = {
    "AC": "Rio Branco", "AL": "Maceió", "AM": "Manaus", "AP": "Macapá",
    "BA": "Salvador", "CE": "Fortaleza", "DF": "Brasília", "ES": "Vitória",
    "GO": "Goiânia", "MA": "São Luís", "MG": "Belo Horizonte",
    "MS": "Campo Grande", "MT": "Cuiabá", "PA": "Belém", "PB": "João Pessoa",
    "PE": "Recife", "PI": "Teresina", "PR": "Curitiba", "RJ": "Rio de Janeiro",
    "RN": "Natal", "RO": "Porto Velho", "RR": "Boa Vista", "RS": "Porto Alegre",
    "SC": "Florianópolis", "SE": "Aracaju", "SP": "São Paulo", "TO": "Palmas",
}

# Municipality seats of the Porto Velho region (RO).
PORTO_VELHO_REGION = [
    "Porto Velho", "Candeias do Jamari", "Itapuã do Oeste", "Ariquemes",
    "Guajará-Mirim", "Nova Mamoré", "Ji-Paraná", "Jaru", "Cujubim",
    "Alto Paraíso", "Machadinho d'Oeste",
]

# The 34 municipalities of the Belo Horizonte metropolitan region (RMBH, MG).
RMBH = [
    "Belo Horizonte", "Contagem", "Betim", "Nova Lima", "Sabará",
    "Santa Luzia", "Ribeirão das Neves", "Vespasiano", "Lagoa Santa",
    "Ibirité", "Sarzedo", "Brumadinho", "Igarapé", "Mário Campos",
    "São Joaquim de Bicas", "Juatuba", "Mateus Leme", "Esmeraldas",
    "Pedro Leopoldo", "Confins", "São José da Lapa", "Capim Branco",
    "Matozinhos", "Raposos", "Rio Acima", "Caeté", "Nova União",
    "Taquaraçu de Minas", "Jaboticatubas", "Baldim", "Florestal",
    "Rio Manso", "Itaguara", "Itatiaiuçu",
]

# Natural Earth (world-atlas) name -> Portuguese name.
NEIGHBOURS = {
    "Argentina": "Argentina", "Bolivia": "Bolívia", "Chile": "Chile",
    "Colombia": "Colômbia", "Ecuador": "Equador", "Guyana": "Guiana",
    "Paraguay": "Paraguai", "Peru": "Peru", "Suriname": "Suriname",
    "Trinidad and Tobago": "Trinidad e Tobago", "Uruguay": "Uruguai",
    "Venezuela": "Venezuela",
}
FRENCH_GUIANA = "Guiana Francesa"  # the South-American part of NE "France"


def fail(msg):
    print(f"build.py: error: {msg}", file=sys.stderr)
    sys.exit(1)


# --------------------------------------------------------------------------
# Geometry helpers


def farthest(pts, i, j):
    """Index (in i+1..j-1) of the point of pts farthest from the segment
    pts[i]-pts[j] (from the point pts[i] when both ends coincide), and its
    distance."""
    a, b = pts[i], pts[j]
    seg = pts[i + 1:j]
    d = b - a
    length = float(np.hypot(d[0], d[1]))
    if length == 0.0:
        dist = np.hypot(seg[:, 0] - a[0], seg[:, 1] - a[1])
    else:
        dist = np.abs(d[0] * (seg[:, 1] - a[1]) - d[1] * (seg[:, 0] - a[0])) / length
    k = int(np.argmax(dist))
    return i + 1 + k, float(dist[k])


def douglas_peucker(pts, tol):
    """Douglas-Peucker on an (n, 2) array; returns the sorted indices kept
    (both end points always). Works for closed chains too (first == last)."""
    n = len(pts)
    keep = {0, n - 1}
    stack = [(0, n - 1)]
    while stack:
        i, j = stack.pop()
        if j <= i + 1:
            continue
        m, dist = farthest(pts, i, j)
        if dist > tol:
            keep.add(m)
            stack.append((i, m))
            stack.append((m, j))
    return sorted(keep)


def rnd(x):
    return round(float(x), DECIMALS) + 0.0  # "+ 0.0" turns -0.0 into 0.0


def finish_ring(pts):
    """Round, drop repeated points, close, orient CCW. None if degenerate."""
    out = []
    for x, y in pts:
        p = [rnd(x), rnd(y)]
        if not out or out[-1] != p:
            out.append(p)
    if len(out) > 1 and out[0] == out[-1]:
        out.pop()
    if len(out) < 3:
        return None
    area2 = 0.0
    for k in range(len(out)):
        x1, y1 = out[k - 1]
        x2, y2 = out[k]
        area2 += x1 * y2 - x2 * y1
    if area2 == 0.0:
        return None
    if area2 < 0:
        out.reverse()
    out.append(list(out[0]))
    return out  # closed, >= 4 points


def canonical_loop(coords):
    """Open ring (no repeated end) -> closed loop starting at its smallest
    vertex, in the direction whose second vertex is smaller. Deterministic
    whatever the input's start and orientation."""
    k = min(range(len(coords)), key=lambda i: coords[i])
    rot = coords[k:] + coords[:k]
    if len(rot) > 2 and rot[-1] < rot[1]:
        rot = [rot[0]] + rot[1:][::-1]
    return rot + [rot[0]]


def polygon_parts(geom):
    out = []
    for part in shapely.get_parts(geom):
        if part.geom_type == "Polygon":
            out.append(part)
        elif part.geom_type in ("MultiPolygon", "GeometryCollection"):
            out.extend(polygon_parts(part))
    return out


# --------------------------------------------------------------------------
# DCW-GMT


def read_dcw(nc_path, code):
    """Decode one DCW-GMT item into a list of (is_hole, [(lon, lat), ...]).

    Each of <code>_lon / <code>_lat is uint16; value = min + v / scale.
    A lon value of 65535 starts a new segment; the lat value at that marker
    is 1 for a hole (as in GMT's gmt_dcw.c). Longitudes are stored 0..360.
    """
    with h5py.File(nc_path, "r") as f:
        if code + "_lon" not in f:
            fail(f"{code} not found in {nc_path}")
        vx, vy = f[code + "_lon"], f[code + "_lat"]
        dx = vx[:].astype(np.int64)
        dy = vy[:].astype(np.int64)
        xmin, xscl = float(vx.attrs["min"][0]), float(vx.attrs["scale"][0])
        ymin, yscl = float(vy.attrs["min"][0]), float(vy.attrs["scale"][0])
    segs = []
    cur = None
    for a, b in zip(dx.tolist(), dy.tolist()):
        if a == 65535:
            cur = (b == 1, [])
            segs.append(cur)
            continue
        if cur is None:
            fail(f"{code}: data does not start with a segment marker")
        lon = xmin + a / xscl
        lat = ymin + b / yscl
        if lon > 180.0:
            lon -= 360.0
        cur[1].append((lon, lat))
    return segs


def read_dcw_state_names(states_txt):
    names = {}
    with open(states_txt, encoding="utf-8") as fh:
        for line in fh:
            if line.startswith("#"):
                continue
            parts = line.rstrip("\n").split(" ", 2)
            if len(parts) == 3 and parts[0] == "BR":
                names[parts[1]] = parts[2].strip()
    return names


def load_states(nc_path):
    geoms = []
    for uf in UFS:
        polys = []
        for hole, pts in read_dcw(nc_path, "BR" + uf):
            if hole or len(pts) < 4:
                continue  # Brazilian states have no holes in DCW; drop if any
            polys.append(Polygon(pts))
        g = shapely.make_valid(MultiPolygon(polys))
        g = shapely.union_all(polygon_parts(g))
        if g.is_empty:
            fail(f"state {uf} is empty")
        geoms.append(g)
    return np.array(geoms, dtype=object)


# --------------------------------------------------------------------------
# Shared-arc simplification of the state coverage


class ArcTopology:
    """Cuts a set of rings into arcs between nodes and simplifies the arcs.

    groups[g] is the list of open rings (lists of (x, y) tuples, last point
    not repeated) of polygon group g (a state, a country). A node is a vertex
    where the set of groups owning the edge changes, or a vertex with more
    than two distinct edges. An arc shared by two groups is stored once, in a
    canonical direction, and simplified once, so both groups keep identical
    border vertices. A ring without nodes (an island) is one closed arc
    starting at its smallest vertex.
    """

    def __init__(self, groups):
        owners = {}
        vedges = {}
        for g, rings in enumerate(groups):
            for ring in rings:
                n = len(ring)
                for i in range(n):
                    a, b = ring[i], ring[(i + 1) % n]
                    key = (a, b) if a < b else (b, a)
                    owners.setdefault(key, set()).add(g)
                    vedges.setdefault(a, set()).add(key)
                    vedges.setdefault(b, set()).add(key)
        owners = {k: frozenset(v) for k, v in owners.items()}
        vdeg = {v: len(e) for v, e in vedges.items()}

        self.arcs = []  # canonical point arrays
        self.owner = []  # groups owning each arc
        index = {}
        self.refs = []  # refs[g][k] = [(arc id, reversed), ...]
        for rings in groups:
            grefs = []
            for ring in rings:
                refs = []
                for c in self._chains(ring, owners, vdeg):
                    a, rev = self._arc_ref(c, index)
                    if a == len(self.owner):
                        e = (c[0], c[1]) if c[0] < c[1] else (c[1], c[0])
                        self.owner.append(owners[e])
                    refs.append((a, rev))
                grefs.append(refs)
            self.refs.append(grefs)

    @staticmethod
    def _chains(ring, owners, vdeg):
        n = len(ring)
        own = []
        for i in range(n):
            a, b = ring[i], ring[(i + 1) % n]
            own.append(owners[(a, b) if a < b else (b, a)])
        nodes = [i for i in range(n) if own[i - 1] != own[i] or vdeg[ring[i]] != 2]
        if not nodes:
            return [canonical_loop(list(ring))]
        chains = []
        for t, i in enumerate(nodes):
            j = nodes[(t + 1) % len(nodes)]
            if j <= i:
                j += n
            chains.append([ring[k % n] for k in range(i, j + 1)])
        return chains

    def _arc_ref(self, chain, index):
        fwd = (chain[0], chain[1], chain[-1])
        bwd = (chain[-1], chain[-2], chain[0])
        rev = bwd < fwd
        canon = chain[::-1] if rev else chain
        key = (canon[0], canon[1], canon[-1], len(canon))
        if key not in index:
            index[key] = len(self.arcs)
            self.arcs.append(np.asarray(canon, dtype=float))
        return index[key], rev

    def simplify(self, tol, active):
        """Simplify the rings in `active` ({(g, k), ...}) with Douglas-Peucker
        at `tol` degrees (or `tol(owner groups)` per arc, if callable),
        rounded to DECIMALS.

        Then, as long as a segment of the rounded result crosses or touches
        another segment (of any arc, including its own) anywhere but at a
        shared vertex, that segment gets back the original point farthest
        from it (one more Douglas-Peucker step, locally). This ends at the
        original edges at worst, so the rings stay simple and the coverage
        edge-matched. Segments that still touch once they are original edges
        (points closer than the rounding step) are counted as residual.

        Rings that collapse (fewer than 4 points when closed) are dropped.
        Returns ({(g, k): closed ring}, residual count).
        """
        used = sorted({a for g, k in active for a, _ in self.refs[g][k]})
        rounded = {}
        kept = {}
        for a in used:
            pts = self.arcs[a]
            rounded[a] = [(rnd(x), rnd(y)) for x, y in pts]
            kept[a] = douglas_peucker(pts, tol(self.owner[a]) if callable(tol) else tol)

        def seq(a):
            """Rounded vertices of arc a, repeated ones dropped, each with the
            original index it comes from."""
            out = []
            for i in kept[a]:
                q = rounded[a][i]
                if not out or out[-1][0] != q:
                    out.append((q, i))
            return out

        for _ in range(1000):
            seqs = {a: seq(a) for a in used}
            rings = {}
            for g, k in active:
                pts = []
                for a, rev in self.refs[g][k]:
                    s_ = [q for q, _ in seqs[a]]
                    s_ = s_[::-1] if rev else s_
                    pts.extend(s_ if not pts else s_[1:])
                rings[(g, k)] = finish_ring(pts)
            live = sorted({a for (g, k), r in rings.items() if r is not None
                           for a, _ in self.refs[g][k]})
            split, residual = self._split_bad(live, seqs, kept)
            if not split:
                return {key: r for key, r in rings.items() if r is not None}, residual
        fail("simplification did not converge")

    def _split_bad(self, live, seqs, kept):
        """Find segments that meet another one improperly and add back their
        farthest original point. Returns (segments split, bad segments that
        are original edges already)."""
        seg_arc, seg_pos, seg_idx, geoms = [], [], [], []
        ends = {}
        for a in live:
            sq = seqs[a]
            ends[a] = (sq[0][0], sq[-1][0])
            for m in range(len(sq) - 1):
                seg_arc.append(a)
                seg_pos.append(m)
                seg_idx.append((sq[m][1], sq[m + 1][1]))
                geoms.append((sq[m][0], sq[m + 1][0]))
        lines = shapely.linestrings(np.asarray(geoms, dtype=float))
        tree = shapely.STRtree(lines)
        left, right = tree.query(lines, predicate="intersects")
        sel = left < right
        left, right = left[sel], right[sel]
        inter = shapely.intersection(lines[left], lines[right])
        is_point = shapely.get_type_id(inter) == 0
        xy = shapely.get_coordinates(inter[is_point]) if is_point.any() else np.zeros((0, 2))
        point_xy = {}
        for n, k in enumerate(np.nonzero(is_point)[0].tolist()):
            point_xy[k] = (float(xy[n][0]), float(xy[n][1]))
        bad = set()
        nsegs = {a: len(seqs[a]) - 1 for a in live}
        for k, (i, j) in enumerate(zip(left.tolist(), right.tolist())):
            p = point_xy.get(k)
            ai, aj = seg_arc[i], seg_arc[j]
            gi, gj = geoms[i], geoms[j]
            if p is not None:
                if ai == aj:
                    mi, mj = seg_pos[i], seg_pos[j]
                    if abs(mi - mj) == 1 and p == gi[1 if mi < mj else 0] == gj[0 if mi < mj else 1]:
                        continue  # consecutive segments of one arc
                    if {mi, mj} == {0, nsegs[ai] - 1} and nsegs[ai] > 1 \
                            and ends[ai][0] == ends[ai][1] == p:
                        continue  # first and last segments of a closed arc
                elif p in ends[ai] and p in ends[aj] and p in gi and p in gj:
                    continue  # two arcs meeting at a node
            bad.add(i)
            bad.add(j)
        split = 0
        residual = 0
        for s_ in sorted(bad):
            a = seg_arc[s_]
            i, j = seg_idx[s_]
            have = set(kept[a])
            cand = [k for k in range(i + 1, j) if k not in have]
            if cand:
                pts = self.arcs[a]
                base = np.vstack([pts[i], pts[cand], pts[j]])
                m, _ = farthest(base, 0, len(base) - 1)
                kept[a] = sorted(have | {cand[m - 1]})
                split += 1
            else:
                residual += 1
        return split, residual


# --------------------------------------------------------------------------
# world-atlas (TopoJSON)


def topo_rings(topo, geometry):
    """Outer rings of a TopoJSON Polygon/MultiPolygon as lists of (lon, lat)."""
    sx, sy = topo["transform"]["scale"]
    tx, ty = topo["transform"]["translate"]
    decoded = []
    for arc in topo["arcs"]:
        x = y = 0
        pts = []
        for dx, dy in arc:
            x += dx
            y += dy
            pts.append((x * sx + tx, y * sy + ty))
        decoded.append(pts)

    def ring(arc_ids):
        out = []
        for a in arc_ids:
            pts = decoded[a] if a >= 0 else decoded[~a][::-1]
            out.extend(pts if not out else pts[1:])
        return out

    if geometry["type"] == "Polygon":
        polys = [geometry["arcs"]]
    elif geometry["type"] == "MultiPolygon":
        polys = geometry["arcs"]
    else:
        return []
    return [ring(p[0]) for p in polys]


def load_neighbours(topo_path):
    with open(topo_path, encoding="utf-8") as fh:
        topo = json.load(fh)
    out = []
    found = set()
    for g in topo["objects"]["countries"]["geometries"]:
        ne_name = g.get("properties", {}).get("name")
        rings = topo_rings(topo, g)
        if ne_name in NEIGHBOURS:
            out.append((NEIGHBOURS[ne_name], rings))
            found.add(ne_name)
        elif ne_name == "France":
            guiana = []
            for r in rings:
                xs = [p[0] for p in r]
                ys = [p[1] for p in r]
                if -56 < min(xs) and max(xs) < -50 and 1 < min(ys) and max(ys) < 7:
                    guiana.append(r)
            if guiana:
                out.append((FRENCH_GUIANA, guiana))
                found.add(ne_name)
    missing = set(NEIGHBOURS) - found
    if missing:
        fail(f"neighbours missing from {topo_path}: {sorted(missing)}")
    return out


# --------------------------------------------------------------------------
# Seats (ibge-utils)


def norm(s):
    s = unicodedata.normalize("NFKD", s)
    s = "".join(c for c in s if not unicodedata.combining(c))
    return s.casefold().replace("’", "'").strip()


def load_seats(db_path):
    con = duckdb.connect(db_path, read_only=True)
    try:
        rows = con.execute(
            "SELECT id, name, latitude, longitude FROM cities ORDER BY id").fetchall()
    finally:
        con.close()
    code_uf = {v: k for k, v in UF_CODE.items()}
    index = {}
    for code, name, lat, lon in rows:
        uf = code_uf.get(code // 100000)
        if uf is None:
            fail(f"unknown IBGE state code in municipality {code}")
        index.setdefault((uf, norm(name)), []).append((code, name, lat, lon))

    wanted = [(uf, name, True) for uf, name in CAPITALS.items()]
    wanted += [("RO", n, False) for n in PORTO_VELHO_REGION]
    wanted += [("MG", n, False) for n in RMBH]
    seats = {}
    for uf, name, capital in wanted:
        hits = index.get((uf, norm(name)), [])
        if len(hits) != 1:
            fail(f"seat {name}/{uf}: {len(hits)} matches in {db_path}")
        code, ibge_name, lat, lon = hits[0]
        if code in seats:
            seats[code]["capital"] = seats[code]["capital"] or capital
            continue
        seats[code] = {
            "name": ibge_name, "uf": uf, "capital": capital,
            # the database stores float32: go through its shortest repr first
            "lat": rnd(float(str(np.float32(lat)))),
            "lon": rnd(float(str(np.float32(lon)))),
        }
    return sorted(seats.values(), key=lambda s: (s["uf"], not s["capital"], s["name"]))


# --------------------------------------------------------------------------


def open_ring(coords):
    """Shapely ring coordinates -> open list of (x, y) float tuples."""
    pts = [(float(x), float(y)) for x, y in coords]
    if len(pts) > 1 and pts[0] == pts[-1]:
        pts.pop()
    return pts


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--dcw", required=True, help="directory holding dcw-gmt.nc and dcw-states.txt")
    ap.add_argument("--world-atlas", required=True, help="countries-50m.json of world-atlas")
    ap.add_argument("--ibge-db", required=True, help="ibge.duckdb of ibge-utils")
    ap.add_argument("--out", required=True)
    args = ap.parse_args()

    nc = os.path.join(args.dcw, "dcw-gmt.nc")
    names = read_dcw_state_names(os.path.join(args.dcw, "dcw-states.txt"))
    missing = [uf for uf in UFS if uf not in names]
    if missing:
        fail(f"dcw-states.txt lacks {missing}")

    # 1. States: DCW polygons -> clean coverage (no overlaps, enclosed gaps
    #    between states merged into the neighbouring state with the longest
    #    border, shared edges with identical vertices).
    raw_states = load_states(nc)
    states_clean = shapely.coverage_clean(raw_states, gap_width=GAP_WIDTH)
    if not shapely.coverage_is_valid(states_clean):
        fail("coverage_clean did not produce a valid coverage of the states")
    ns = len(UFS)
    for uf, a, g in zip(UFS, raw_states, states_clean):
        if abs(g.area - a.area) > 0.005:
            print(f"note: {uf} area changed by {g.area - a.area:+.4f} deg^2 in cleaning")
    brazil = shapely.coverage_union_all(states_clean)
    if any(p.interiors for p in polygon_parts(brazil)):
        fail("gaps left between states after coverage_clean")

    #    Neighbours (Natural Earth) are fitted to DCW Brazil: what overlaps
    #    Brazil is cut off, and the enclosed gaps along the land border (where
    #    the two sources disagree) go to the neighbour sharing the longest
    #    border with the gap. Brazil itself is not changed.
    nb = load_neighbours(args.world_atlas)
    nb_geoms = []
    for name, rings in nb:
        polys = [shapely.make_valid(Polygon(r)) for r in rings if len(r) >= 4]
        g = shapely.union_all([p for q in polys for p in polygon_parts(q)])
        nb_geoms.append(shapely.union_all(polygon_parts(shapely.difference(g, brazil))))
    extra = [[] for _ in nb_geoms]
    touch = [n.buffer(1e-7) for n in nb_geoms]
    for p in polygon_parts(shapely.union_all([brazil] + nb_geoms)):
        for ring in p.interiors:
            gap = Polygon(ring)
            shared = [gap.exterior.intersection(t).length for t in touch]
            best = max(range(len(nb_geoms)), key=lambda i: (shared[i], -i))
            if shared[best] > 0:
                extra[best].append(gap)
            else:
                print(f"note: gap of {gap.area:.5f} deg^2 at ({gap.centroid.x:.3f}, "
                      f"{gap.centroid.y:.3f}) touches no neighbour; left open")
    nb_geoms = [shapely.union_all(polygon_parts(shapely.union_all([g] + e)))
                for g, e in zip(nb_geoms, extra)]
    moved = sum(x.area for e in extra for x in e)
    print(f"neighbours: {sum(map(len, extra))} gaps along the land border "
          f"({moved:.4f} deg^2) given to the neighbours")

    clean = shapely.coverage_clean(np.array(list(states_clean) + nb_geoms, dtype=object),
                                   gap_width=0.0, merge_strategy="min_index")
    if not shapely.coverage_is_valid(clean):
        fail("coverage_clean did not produce a valid coverage of states and neighbours")
    for uf, a, g in zip(UFS, states_clean, clean[:ns]):
        if abs(g.area - a.area) > 1e-6:
            print(f"note: {uf} area changed by {g.area - a.area:+.7f} deg^2 "
                  f"when fitting the neighbours")
    union = shapely.coverage_union_all(clean[:ns])

    # 2. Shared arcs. Groups: the states, then Brazil (their union), then the
    #    neighbours; holes are dropped (there are none in the states).
    state_polys = [polygon_parts(g) for g in clean[:ns]]
    country_polys = polygon_parts(union)
    nb_polys = [polygon_parts(g) for g in clean[ns:]]
    groups = [[open_ring(p.exterior.coords) for p in ps]
              for ps in state_polys + [country_polys] + nb_polys]
    g_country = ns
    topo = ArcTopology(groups)

    def fine_tol(owners):
        # arcs of Brazil (states, coast, land border) at FINE_TOL, the rest
        # of the neighbours at OUTLINE_TOL
        return FINE_TOL if min(owners) < ns else OUTLINE_TOL

    every = {(g, k) for g, rs in enumerate(groups) for k in range(len(rs))}
    fine_rings, fine_resid = topo.simplify(fine_tol, every)
    big = {(g, k) for g in range(ns) for k in range(len(groups[g]))
           if state_polys[g][k].area >= COARSE_MIN_AREA}
    coarse_rings, coarse_resid = topo.simplify(COARSE_TOL, big)

    def rings_of(res, g):
        return sorted(r for (h, _), r in res.items() if h == g)

    states = []
    seat_check_geom = {}
    for g, uf in enumerate(UFS):
        fine = rings_of(fine_rings, g)
        coarse = rings_of(coarse_rings, g)
        if not fine or not coarse:
            fail(f"state {uf} simplified to nothing")
        states.append({"uf": uf, "name": names[uf], "rings": fine, "coarse": coarse})
        seat_check_geom[uf] = (
            shapely.union_all([shapely.make_valid(Polygon(r)) for r in fine]),
            shapely.union_all([shapely.make_valid(Polygon(r)) for r in coarse]),
            clean[g],
        )
    country = rings_of(fine_rings, g_country)
    neighbours = []
    for g, (name, _) in enumerate(nb, start=ns + 1):
        rl = rings_of(fine_rings, g)
        if rl:
            neighbours.append({"name": name, "rings": rl})
    neighbours.sort(key=lambda n: n["name"])

    for level, resid in (("rings", fine_resid), ("coarse", coarse_resid)):
        polys = [MultiPolygon([Polygon(r) for r in st[level]]) for st in states]
        invalid = [st["uf"] for st, mp in zip(states, polys) if not mp.is_valid]
        cover = shapely.coverage_is_valid(np.array(polys, dtype=object))
        print(f"'{level}': {resid} segments touch another within the rounding step; "
              f"invalid state polygons: {invalid or 'none'}; valid coverage: {cover}")

    # 3. Seats, each checked against its state.
    seats = load_seats(args.ibge_db)
    errors = []
    for st in seats:
        pt = shapely.Point(st["lon"], st["lat"])
        fine_g, coarse_g, raw_g = seat_check_geom[st["uf"]]
        if not fine_g.contains(pt):
            errors.append(f"{st['name']}/{st['uf']} ({st['lon']}, {st['lat']}) "
                          f"is outside its state's 'rings'")
        if not raw_g.contains(pt):
            errors.append(f"{st['name']}/{st['uf']} is outside its state (unsimplified)")
        if not coarse_g.contains(pt):
            print(f"note: {st['name']}/{st['uf']} lies outside its state's 'coarse' rings "
                  f"(coarse is for the country view only)")
    if errors:
        fail("seat check failed:\n  " + "\n  ".join(errors))

    doc = {"country": country, "neighbours": neighbours, "states": states, "seats": seats}
    text = json.dumps(doc, ensure_ascii=False, sort_keys=True, separators=(",", ":")) + "\n"
    os.makedirs(os.path.dirname(os.path.abspath(args.out)), exist_ok=True)
    with open(args.out, "w", encoding="utf-8", newline="\n") as fh:
        fh.write(text)

    # 4. Report.
    def npts(rings):
        return sum(len(r) for r in rings)

    fine_counts = {s["uf"]: npts(s["rings"]) for s in states}
    coarse_counts = {s["uf"]: npts(s["coarse"]) for s in states}
    size = os.path.getsize(args.out)
    print(f"wrote {args.out}: {size} bytes ({size / 1024 / 1024:.3f} MiB)")
    print(f"states: {len(states)}; points in 'rings' {sum(fine_counts.values())}, "
          f"in 'coarse' {sum(coarse_counts.values())}")
    for label, counts in (("rings", fine_counts), ("coarse", coarse_counts)):
        lo = min(counts, key=counts.get)
        hi = max(counts, key=counts.get)
        print(f"  per-state {label}: min {counts[lo]} ({lo}), max {counts[hi]} ({hi})")
    print(f"country: {len(country)} rings, {npts(country)} points")
    print(f"neighbours: {len(neighbours)} ({', '.join(n['name'] for n in neighbours)}), "
          f"{sum(npts(n['rings']) for n in neighbours)} points")
    print(f"seats: {len(seats)} ({sum(s['capital'] for s in seats)} capitals)")


if __name__ == "__main__":
    main()
