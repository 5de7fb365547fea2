//! Web-Mercator (EPSG:3857) math for the slippy map (issue 7; seed 004 RFS114–RFS122, seed 003
//! 16.2.4–16.2.6): latitude/longitude ↔ "world pixels" at a zoom level ↔ XYZ tiles ↔ screen.
//!
//! The world at zoom `z` is a square of `256 · 2^z` pixels, x growing east from 180° W and y
//! growing south from 85.0511° N (the latitude where the square closes). Tiles are 256 × 256
//! pixels, numbered XYZ-style (y from the north); MBTiles stores rows TMS-style (from the south),
//! see [`TileId::tms_row`]. Zoom may be fractional for smooth zooming: tiles come from the integer
//! zoom below and are scaled.

use crate::geom::LatLon;
use std::f64::consts::PI;

/// Side of a tile, pixels.
pub const TILE: f64 = 256.0;
/// The latitude where the Web-Mercator square ends (atan(sinh(π)) in degrees).
pub const MAX_LAT: f64 = 85.051_128_779_806_59;
/// Zoom levels a map offers: 0 (the world in one tile) to 19 (~0.3 m per pixel at the equator).
pub const MAX_ZOOM: u8 = 19;
/// Equatorial radius of WGS-84, metres (the sphere Web Mercator projects).
const EARTH_RADIUS_M: f64 = 6_378_137.0;

/// Size of the world, pixels, at zoom `z`.
pub fn world_size(z: f64) -> f64 {
    TILE * z.exp2()
}

/// Where `p` falls in the world at zoom `z`, pixels from the north-west corner. Latitudes beyond
/// ±[`MAX_LAT`] are clamped to the edge of the square.
pub fn to_world(p: LatLon, z: f64) -> (f64, f64) {
    let size = world_size(z);
    let lat = p.lat.clamp(-MAX_LAT, MAX_LAT).to_radians();
    let x = (p.lon + 180.0) / 360.0 * size;
    let y = (1.0 - (lat.tan() + 1.0 / lat.cos()).ln() / PI) / 2.0 * size;
    (x, y)
}

/// The inverse of [`to_world`].
pub fn from_world(x: f64, y: f64, z: f64) -> LatLon {
    let size = world_size(z);
    let lon = x / size * 360.0 - 180.0;
    let n = PI * (1.0 - 2.0 * y / size);
    LatLon { lat: n.sinh().atan().to_degrees(), lon }
}

/// Ground metres covered by one pixel at latitude `lat` and zoom `z` (for the scale bar).
pub fn metres_per_pixel(lat: f64, z: f64) -> f64 {
    lat.clamp(-MAX_LAT, MAX_LAT).to_radians().cos() * 2.0 * PI * EARTH_RADIUS_M / world_size(z)
}

/// An XYZ tile: zoom, column from the west, row from the north.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct TileId {
    pub z: u8,
    pub x: u32,
    pub y: u32,
}

impl TileId {
    /// Whether the tile exists at its zoom.
    pub fn is_valid(self) -> bool {
        self.z <= MAX_ZOOM && self.x < (1u32 << self.z) && self.y < (1u32 << self.z)
    }

    /// The tile holding `p` at zoom `z` (points on the east or south edge of the world fall in
    /// the last tile).
    pub fn containing(p: LatLon, z: u8) -> Self {
        let (x, y) = to_world(p, f64::from(z));
        let last = (1u32 << z) - 1;
        let index = |v: f64| ((v / TILE).floor().max(0.0) as u32).min(last);
        Self { z, x: index(x), y: index(y) }
    }

    /// The row as MBTiles stores it (TMS: counted from the south). Its own inverse.
    pub fn tms_row(self) -> u32 {
        (1u32 << self.z) - 1 - self.y
    }

    /// North-west and south-east corners.
    pub fn bounds(self) -> (LatLon, LatLon) {
        let z = f64::from(self.z);
        let (x, y) = (f64::from(self.x) * TILE, f64::from(self.y) * TILE);
        (from_world(x, y, z), from_world(x + TILE, y + TILE, z))
    }

    /// The tile one zoom level out that covers this one (itself at zoom 0): the fallback when a
    /// tile is missing.
    pub fn parent(self) -> Self {
        if self.z == 0 { self } else { Self { z: self.z - 1, x: self.x / 2, y: self.y / 2 } }
    }

    /// The four tiles one level in.
    pub fn children(self) -> [Self; 4] {
        let (z, x, y) = (self.z + 1, self.x * 2, self.y * 2);
        [Self { z, x, y }, Self { z, x: x + 1, y }, Self { z, x, y: y + 1 }, Self { z, x: x + 1, y: y + 1 }]
    }
}

/// What a map shows: its centre, a (possibly fractional) zoom and its size in pixels.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct View {
    pub center: LatLon,
    pub zoom: f64,
    pub width: f64,
    pub height: f64,
}

impl View {
    /// World pixel (at this zoom) of the view's top-left corner.
    fn origin(&self) -> (f64, f64) {
        let (cx, cy) = to_world(self.center, self.zoom);
        (cx - self.width / 2.0, cy - self.height / 2.0)
    }

    /// Where `p` is on the screen, pixels from the top-left corner.
    pub fn project(&self, p: LatLon) -> (f64, f64) {
        let (x, y) = to_world(p, self.zoom);
        let (ox, oy) = self.origin();
        (x - ox, y - oy)
    }

    /// The place under screen point (`x`, `y`).
    pub fn unproject(&self, x: f64, y: f64) -> LatLon {
        let (ox, oy) = self.origin();
        from_world(ox + x, oy + y, self.zoom)
    }

    /// The view moved by (`dx`, `dy`) screen pixels (dragging the map right shows what is west).
    pub fn panned(&self, dx: f64, dy: f64) -> Self {
        Self { center: self.unproject(self.width / 2.0 - dx, self.height / 2.0 - dy), ..*self }
    }

    /// The view zoomed to `zoom`, keeping the place under screen point (`x`, `y`) where it is
    /// (wheel zoom at the cursor).
    pub fn zoomed_at(&self, zoom: f64, x: f64, y: f64) -> Self {
        let zoom = zoom.clamp(0.0, f64::from(MAX_ZOOM));
        let anchor = self.unproject(x, y);
        let (ax, ay) = to_world(anchor, zoom);
        let centre = from_world(ax - x + self.width / 2.0, ay - y + self.height / 2.0, zoom);
        Self { center: centre, zoom, ..*self }
    }

    /// The view of `width` × `height` pixels that shows the box from `south_west` to
    /// `north_east` whole, centred, with `padding` pixels to spare on every side, at the closest
    /// zoom (fractional) not above `max_zoom` (fit-to-selection; a single point gets `max_zoom`).
    pub fn fit(
        south_west: LatLon,
        north_east: LatLon,
        width: f64,
        height: f64,
        padding: f64,
        max_zoom: f64,
    ) -> Self {
        let (x0, y1) = to_world(south_west, 0.0);
        let (x1, y0) = to_world(north_east, 0.0);
        let (w, h) = ((x1 - x0).abs(), (y1 - y0).abs());
        let room_w = (width - 2.0 * padding).max(1.0);
        let room_h = (height - 2.0 * padding).max(1.0);
        // World size at zoom z is 256·2^z: the box is w·2^z pixels wide at z.
        let fits = |span: f64, room: f64| if span > 0.0 { (room / span).log2() } else { f64::INFINITY };
        let zoom = fits(w, room_w).min(fits(h, room_h)).min(max_zoom).clamp(0.0, f64::from(MAX_ZOOM));
        let center = from_world((x0 + x1) / 2.0, (y0 + y1) / 2.0, 0.0);
        Self { center, zoom, width, height }
    }

    /// The integer zoom tiles are drawn from, and the tiles that cover the view at it, row by
    /// row from the north-west. Columns wrap round the antimeridian; rows beyond the poles are
    /// left out.
    pub fn tiles(&self) -> (u8, Vec<TileId>) {
        let z = self.zoom.floor().clamp(0.0, f64::from(MAX_ZOOM)) as u8;
        let scale = (z as f64 - self.zoom).exp2(); // world pixels at z per screen pixel
        let (ox, oy) = self.origin();
        let (ox, oy) = (ox * scale, oy * scale);
        let n = 1i64 << z;
        let first = |v: f64| (v / TILE).floor() as i64;
        let (x0, y0) = (first(ox), first(oy));
        let (x1, y1) = (first(ox + self.width * scale), first(oy + self.height * scale));
        let mut out = Vec::new();
        for y in y0.max(0)..=y1.min(n - 1) {
            for x in x0..=x1.min(x0 + n - 1) {
                out.push(TileId { z, x: x.rem_euclid(n) as u32, y: y as u32 });
            }
        }
        (z, out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn close(a: LatLon, b: LatLon, eps: f64) -> bool {
        (a.lat - b.lat).abs() < eps && (a.lon - b.lon).abs() < eps
    }

    #[test]
    fn known_tiles() {
        // Belo Horizonte's Praça Sete, Porto Velho's centre at z 12: the OSM tile-numbering
        // formula computed independently (Python's math module) gives 1548/2279 and 1320/2148.
        let bh = LatLon { lat: -19.9191, lon: -43.9386 };
        assert_eq!(TileId::containing(bh, 0), TileId { z: 0, x: 0, y: 0 });
        assert_eq!(TileId::containing(bh, 12), TileId { z: 12, x: 1548, y: 2279 });
        let pv = LatLon { lat: -8.7612, lon: -63.9004 };
        assert_eq!(TileId::containing(pv, 12), TileId { z: 12, x: 1320, y: 2148 });
        // The world's corners.
        assert_eq!(to_world(LatLon { lat: MAX_LAT, lon: -180.0 }, 0.0).0, 0.0);
        let (x, y) = to_world(LatLon { lat: 0.0, lon: 0.0 }, 1.0);
        assert!((x - 256.0).abs() < 1e-9 && (y - 256.0).abs() < 1e-9);
        // Scale bar: ~156 km per pixel at zoom 0 on the equator, halving per level.
        assert!((metres_per_pixel(0.0, 0.0) - 156_543.03).abs() < 0.01);
        assert!((metres_per_pixel(0.0, 1.0) * 2.0 - metres_per_pixel(0.0, 0.0)).abs() < 1e-6);
    }

    #[test]
    fn tiles_cover_a_view_and_wrap_the_antimeridian() {
        let v = View { center: LatLon { lat: -19.92, lon: -43.94 }, zoom: 12.5, width: 800.0, height: 600.0 };
        let (z, tiles) = v.tiles();
        assert_eq!(z, 12);
        // At 12.5 a tile is ~362 px on screen: 800×600 needs 3–4 columns and 2–3 rows.
        assert!((6..=12).contains(&tiles.len()), "{tiles:?}");
        for (x, y) in [(0.0, 0.0), (799.0, 0.0), (0.0, 599.0), (799.0, 599.0), (400.0, 300.0)] {
            let t = TileId::containing(v.unproject(x, y), z);
            assert!(tiles.contains(&t), "corner ({x}, {y}) in {t:?} not covered");
        }
        let fiji = View { center: LatLon { lat: -17.7, lon: 179.9 }, zoom: 3.0, width: 600.0, height: 400.0 };
        let (_, tiles) = fiji.tiles();
        assert!(tiles.iter().any(|t| t.x == 0) && tiles.iter().any(|t| t.x == 7), "{tiles:?}");
        assert!(tiles.iter().all(|t| t.is_valid()));
    }

    proptest! {
        #[test]
        fn world_pixels_round_trip(lat in -MAX_LAT..MAX_LAT, lon in -180.0f64..180.0, z in 0.0f64..19.0) {
            let p = LatLon { lat, lon };
            let (x, y) = to_world(p, z);
            prop_assert!(close(from_world(x, y, z), p, 1e-9));
            prop_assert!((0.0..=world_size(z)).contains(&x) && (0.0..=world_size(z)).contains(&y));
        }

        #[test]
        fn north_is_up_and_east_is_right(lat in -80.0f64..80.0, lon in -170.0f64..170.0, d in 0.001f64..5.0, z in 0.0f64..19.0) {
            let (x, y) = to_world(LatLon { lat, lon }, z);
            let (xn, yn) = to_world(LatLon { lat: lat + d, lon }, z);
            let (xe, ye) = to_world(LatLon { lat, lon: lon + d }, z);
            prop_assert!(yn < y && (xn - x).abs() < 1e-6);
            prop_assert!(xe > x && (ye - y).abs() < 1e-6);
        }

        #[test]
        fn a_point_lies_in_the_tile_that_contains_it(lat in -MAX_LAT..MAX_LAT, lon in -180.0f64..180.0, z in 0u8..=MAX_ZOOM) {
            let p = LatLon { lat, lon };
            let t = TileId::containing(p, z);
            prop_assert!(t.is_valid());
            let (nw, se) = t.bounds();
            prop_assert!(p.lat <= nw.lat + 1e-9 && p.lat >= se.lat - 1e-9, "{p:?} {t:?} {nw:?} {se:?}");
            prop_assert!(p.lon >= nw.lon - 1e-9 && p.lon <= se.lon + 1e-9);
            // Its parent holds it too, and it is one of its parent's children.
            prop_assert_eq!(TileId::containing(p, z.saturating_sub(1)), t.parent());
            if z > 0 {
                prop_assert!(t.parent().children().contains(&t));
            }
        }

        #[test]
        fn fit_shows_the_whole_box_centred(
            lat in -60.0f64..60.0, lon in -170.0f64..160.0, dlat in 0.0001f64..20.0, dlon in 0.0001f64..20.0,
            w in 200.0f64..2000.0, h in 150.0f64..1200.0,
        ) {
            let (sw, ne) = (LatLon { lat, lon }, LatLon { lat: lat + dlat, lon: lon + dlon });
            let v = View::fit(sw, ne, w, h, 20.0, 18.0);
            let (ax, ay) = v.project(sw);
            let (bx, by) = v.project(ne);
            for (x, y) in [(ax, ay), (bx, by)] {
                prop_assert!((19.9..=w - 19.9).contains(&x) && (19.9..=h - 19.9).contains(&y), "({x}, {y}) in {w}×{h} at {}", v.zoom);
            }
            // Centred, and as large as it can be: one side touches the padding unless capped.
            prop_assert!(((ax + bx) / 2.0 - w / 2.0).abs() < 1e-6 && ((ay + by) / 2.0 - h / 2.0).abs() < 1e-6);
            let tight = ((bx - ax) - (w - 40.0)).abs() < 1e-6 || ((ay - by) - (h - 40.0)).abs() < 1e-6;
            prop_assert!(tight || (v.zoom - 18.0).abs() < 1e-9);
        }

        #[test]
        fn tms_row_is_its_own_inverse(z in 0u8..=MAX_ZOOM, x in 0u32..u32::MAX, y in 0u32..u32::MAX) {
            let n = 1u32 << z;
            let t = TileId { z, x: x % n, y: y % n };
            let flipped = TileId { y: t.tms_row(), ..t };
            prop_assert!(flipped.is_valid());
            prop_assert_eq!(flipped.tms_row(), t.y);
        }

        #[test]
        fn screen_round_trip_pan_and_zoom_at_cursor(
            lat in -70.0f64..70.0, lon in -170.0f64..170.0, zoom in 2.0f64..18.0,
            x in 0.0f64..1366.0, y in 0.0f64..820.0, dx in -500.0f64..500.0, dy in -500.0f64..500.0, dz in -2.0f64..2.0,
        ) {
            let v = View { center: LatLon { lat, lon }, zoom, width: 1366.0, height: 820.0 };
            let (cx, cy) = v.project(v.center);
            prop_assert!((cx - 683.0).abs() < 1e-6 && (cy - 410.0).abs() < 1e-6, "the centre is in the middle");
            let under = v.unproject(x, y);
            // Screen points off the world (beyond ±85.05°, at low zoom) have no place to return to.
            prop_assume!(under.lat.abs() < MAX_LAT - 1e-6);
            prop_assume!(v.panned(dx, dy).center.lat.abs() < MAX_LAT - 1e-6);
            prop_assume!(v.zoomed_at(zoom + dz, x, y).center.lat.abs() < MAX_LAT - 1e-6);
            let (px, py) = v.project(under);
            prop_assert!((px - x).abs() < 1e-6 && (py - y).abs() < 1e-6);
            // Panning by (dx, dy) moves what was under the cursor by exactly that.
            let (qx, qy) = v.panned(dx, dy).project(under);
            prop_assert!((qx - (x + dx)).abs() < 1e-5 && (qy - (y + dy)).abs() < 1e-5);
            // Zooming at the cursor keeps the place under it in place.
            let (rx, ry) = v.zoomed_at(zoom + dz, x, y).project(under);
            prop_assert!((rx - x).abs() < 1e-5 && (ry - y).abs() < 1e-5);
        }
    }
}
