//! Investigative queries over the position history (16.2.18, 16.2.22–16.2.28): was a person
//! near a place in a period, who was near a place, tracks, encounters and common places.
//!
//! The history is kept per person and hour as a compact block of fixes (10 bytes each) plus a
//! coarse grid of which cells each person touched in each hour; this module holds the pure parts:
//! the block encoding, the grid, and the analyses run on decoded tracks.

use crate::geom::LatLon;
use crate::ids::PersonId;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;

/// Grid cell size in degrees (about 110 m in Brazil's latitudes): fine enough that the people
/// sharing a cell with someone are few, so "who was near" reads few tracks.
pub const CELL_DEG: f64 = 0.001;
/// A place, for common places: 2 × 2 cells (about 220 m).
pub const PLACE_DEG: f64 = 2.0 * CELL_DEG;
/// Fixes further apart than this do not continue a visit, a meeting or a stay.
pub const MAX_GAP_S: i64 = 15 * 60;
/// Bytes per fix in an hour block.
pub const FIX_BYTES: usize = 10;

/// One fix of a person's track: Unix seconds and WGS-84 degrees.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct TrackFix {
    pub t: i64,
    pub lat: f64,
    pub lon: f64,
}

impl TrackFix {
    pub fn at(&self) -> LatLon {
        LatLon { lat: self.lat, lon: self.lon }
    }
}

pub fn time_of(t: i64) -> DateTime<Utc> {
    DateTime::from_timestamp(t, 0).unwrap_or_default()
}

/// The hour (since the Unix epoch) a time falls in.
pub fn hour_of(t: i64) -> i64 {
    t.div_euclid(3600)
}

fn e7(deg: f64) -> i32 {
    (deg * 1e7).round() as i32
}

/// Encode one hour of fixes (sorted by time, all inside `hour`): per fix the second within the
/// hour (u16) and latitude and longitude in 1e-7 degrees (i32), little-endian.
pub fn encode_hour(hour: i64, fixes: &[TrackFix]) -> Vec<u8> {
    let mut out = Vec::with_capacity(fixes.len() * FIX_BYTES);
    for f in fixes {
        let offset = (f.t - hour * 3600).clamp(0, 3599) as u16;
        out.extend_from_slice(&offset.to_le_bytes());
        out.extend_from_slice(&e7(f.lat).to_le_bytes());
        out.extend_from_slice(&e7(f.lon).to_le_bytes());
    }
    out
}

/// Append the fixes of an hour block to `out`; a truncated tail is ignored.
pub fn decode_hour(hour: i64, blob: &[u8], out: &mut Vec<TrackFix>) {
    let base = hour * 3600;
    out.reserve(blob.len() / FIX_BYTES);
    for c in blob.chunks_exact(FIX_BYTES) {
        let offset = u16::from_le_bytes([c[0], c[1]]);
        let lat = i32::from_le_bytes([c[2], c[3], c[4], c[5]]);
        let lon = i32::from_le_bytes([c[6], c[7], c[8], c[9]]);
        out.push(TrackFix {
            t: base + i64::from(offset),
            lat: f64::from(lat) / 1e7,
            lon: f64::from(lon) / 1e7,
        });
    }
}

/// Merge two time-sorted tracks; a fix repeated exactly (same second and place) is kept once.
pub fn merge(a: &[TrackFix], b: &[TrackFix]) -> Vec<TrackFix> {
    let mut out = Vec::with_capacity(a.len() + b.len());
    let (mut i, mut j) = (0, 0);
    while i < a.len() || j < b.len() {
        let next = if j >= b.len() || (i < a.len() && a[i].t <= b[j].t) {
            i += 1;
            a[i - 1]
        } else {
            j += 1;
            b[j - 1]
        };
        let same = |f: &TrackFix| f.t == next.t && e7(f.lat) == e7(next.lat) && e7(f.lon) == e7(next.lon);
        if !out.last().is_some_and(same) {
            out.push(next);
        }
    }
    out
}

/// Bounding box of an hour block in 1e-7 degrees: (min lat, max lat, min lon, max lon).
pub fn bbox_e7(fixes: &[TrackFix]) -> (i32, i32, i32, i32) {
    fixes.iter().fold((i32::MAX, i32::MIN, i32::MAX, i32::MIN), |(a, b, c, d), f| {
        (a.min(e7(f.lat)), b.max(e7(f.lat)), c.min(e7(f.lon)), d.max(e7(f.lon)))
    })
}

/// The box around a circle, in 1e-7 degrees, (min lat, max lat, min lon, max lon).
pub fn circle_bbox_e7(center: LatLon, radius_m: f64) -> (i32, i32, i32, i32) {
    let dlat = radius_m / crate::geom::MIN_METRES_PER_DEGREE_LAT * 1.01;
    let dlon = radius_m / crate::geom::metres_per_degree(center.lat).1.max(1_000.0) * 1.01;
    (e7(center.lat - dlat), e7(center.lat + dlat), e7(center.lon - dlon), e7(center.lon + dlon))
}

fn cell_index(deg: f64, offset: f64) -> i64 {
    ((deg + offset) / CELL_DEG).floor() as i64
}

/// The grid cell of a place.
pub fn cell_of(lat: f64, lon: f64) -> i64 {
    (cell_index(lat, 90.0) << 32) | cell_index(lon, 180.0)
}

/// The centre of a grid cell.
pub fn cell_center(cell: i64) -> LatLon {
    let (row, col) = (cell >> 32, cell & 0xFFFF_FFFF);
    LatLon { lat: (row as f64 + 0.5) * CELL_DEG - 90.0, lon: (col as f64 + 0.5) * CELL_DEG - 180.0 }
}

/// The place (2 × 2 cells) a cell belongs to.
pub fn place_of(cell: i64) -> i64 {
    ((cell >> 32) >> 1) << 32 | ((cell & 0xFFFF_FFFF) >> 1)
}

/// The four cells of a place.
pub fn place_cells(place: i64) -> [i64; 4] {
    let (row, col) = ((place >> 32) << 1, (place & 0xFFFF_FFFF) << 1);
    [row << 32 | col, row << 32 | (col + 1), (row + 1) << 32 | col, (row + 1) << 32 | (col + 1)]
}

/// The centre of a place.
pub fn place_center(place: i64) -> LatLon {
    let (row, col) = (place >> 32, place & 0xFFFF_FFFF);
    LatLon { lat: (row as f64 + 0.5) * PLACE_DEG - 90.0, lon: (col as f64 + 0.5) * PLACE_DEG - 180.0 }
}

/// One person's time in one cell during one hour.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CellTime {
    pub cell: i64,
    /// Time spent: the time to the next fix of the hour (up to [`MAX_GAP_S`]) counts for the
    /// earlier fix's cell, so a cell only passed through has 0.
    pub seconds: i64,
    /// Unix seconds of the first and last fix in the cell.
    pub first: i64,
    pub last: i64,
}

/// The cells touched by one hour's fixes (time-sorted), as the archive keeps them per cell, hour
/// and person.
pub fn cell_times(block: &[TrackFix]) -> Vec<CellTime> {
    let mut out: Vec<CellTime> = Vec::new();
    for (i, f) in block.iter().enumerate() {
        let cell = cell_of(f.lat, f.lon);
        let dt = block.get(i + 1).map_or(0, |n| n.t - f.t);
        let dt = if (0..=MAX_GAP_S).contains(&dt) { dt } else { 0 };
        match out.iter_mut().find(|c| c.cell == cell) {
            Some(e) => {
                e.seconds += dt;
                e.last = e.last.max(f.t);
                e.first = e.first.min(f.t);
            }
            None => out.push(CellTime { cell, seconds: dt, first: f.t, last: f.t }),
        }
    }
    out
}

/// Every cell the circle can touch.
pub fn cells_within(center: LatLon, radius_m: f64) -> Vec<i64> {
    let (lat0, lat1, lon0, lon1) = circle_bbox_e7(center, radius_m);
    let (r0, r1) = (cell_index(f64::from(lat0) / 1e7, 90.0), cell_index(f64::from(lat1) / 1e7, 90.0));
    let (c0, c1) = (cell_index(f64::from(lon0) / 1e7, 180.0), cell_index(f64::from(lon1) / 1e7, 180.0));
    let mut out = Vec::new();
    for r in r0..=r1 {
        for c in c0..=c1 {
            out.push((r << 32) | c);
        }
    }
    out
}

/// A cell and its eight neighbours.
pub fn neighbourhood(cell: i64) -> [i64; 9] {
    let (row, col) = (cell >> 32, cell & 0xFFFF_FFFF);
    let mut out = [0; 9];
    let mut k = 0;
    for dr in -1..=1 {
        for dc in -1..=1 {
            out[k] = ((row + dr) << 32) | (col + dc);
            k += 1;
        }
    }
    out
}

/// A stretch of time a person spent inside a circle.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Visit {
    pub from: DateTime<Utc>,
    pub to: DateTime<Utc>,
    /// Fixes inside the circle.
    pub fixes: u32,
    /// Closest approach to the centre, metres.
    pub closest_m: f64,
}

/// Metres per degree of latitude (mean Earth radius).
/// Distance in metres from `center` on the local plane with the WGS-84 ellipsoid's scales there
/// (`scale` = metres per degree of latitude and of longitude): within the few kilometres of an
/// investigative circle it differs from the geodesic by less than 0.01 %, at a fraction of the
/// cost (a resident's month is 86,400 fixes).
fn planar_m(center: LatLon, scale: (f64, f64), lat: f64, lon: f64) -> f64 {
    let dy = (lat - center.lat) * scale.0;
    let dx = (lon - center.lon) * scale.1;
    (dx * dx + dy * dy).sqrt()
}

/// The visits of a time-sorted track to a circle: consecutive fixes inside, broken by a fix
/// outside or by a gap longer than [`MAX_GAP_S`].
pub fn visits(track: &[TrackFix], center: LatLon, radius_m: f64) -> Vec<Visit> {
    let scale = crate::geom::metres_per_degree(center.lat);
    let mut out: Vec<Visit> = Vec::new();
    let mut open = false;
    let mut last_t = i64::MIN;
    for f in track {
        let d = planar_m(center, scale, f.lat, f.lon);
        let inside = d <= radius_m;
        if inside {
            match out.last_mut() {
                Some(v) if open && f.t - last_t <= MAX_GAP_S => {
                    v.to = time_of(f.t);
                    v.fixes += 1;
                    v.closest_m = v.closest_m.min(d);
                }
                _ => out.push(Visit { from: time_of(f.t), to: time_of(f.t), fixes: 1, closest_m: d }),
            }
        }
        open = inside;
        last_t = f.t;
    }
    for v in &mut out {
        v.closest_m = (v.closest_m * 10.0).round() / 10.0;
    }
    out
}

/// Two people close to each other at about the same time (16.2.27).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Meeting {
    pub from: DateTime<Utc>,
    pub to: DateTime<Utc>,
    /// Closest distance between them, metres, and where (the first person's fix).
    pub closest_m: f64,
    pub at: LatLon,
    /// Fixes of the first person that had the other within the distance.
    pub samples: u32,
}

/// When `a` and `b` (time-sorted) were within `distance_m` of each other, comparing each fix of
/// `a` with the fixes of `b` at most `window_s` apart; close moments less than [`MAX_GAP_S`]
/// apart form one meeting. A meeting runs from the later fix of its first close pair to the
/// earlier fix of its last one: the span in which both were seen together.
pub fn meetings(a: &[TrackFix], b: &[TrackFix], distance_m: f64, window_s: i64) -> Vec<Meeting> {
    let mut out: Vec<Meeting> = Vec::new();
    let mut last_close = i64::MIN;
    let mut start = 0;
    let max_d2 = distance_m * distance_m;
    // The local plane's scales, recomputed when the track has moved over 1 km north or south
    // (they then differ by under 0.003 %).
    let mut plane = (f64::NAN, (0.0, 0.0));
    for fa in a {
        while start < b.len() && b[start].t < fa.t - window_s {
            start += 1;
        }
        if plane.0.is_nan() || (fa.lat - plane.0).abs() > 0.01 {
            plane = (fa.lat, crate::geom::metres_per_degree(fa.lat));
        }
        let (ky, kx) = plane.1;
        // Squared planar distances (as [`planar_m`]); the root only of the best.
        let mut best: Option<(f64, i64)> = None;
        for fb in b[start..].iter().take_while(|fb| fb.t <= fa.t + window_s) {
            let (dy, dx) = ((fb.lat - fa.lat) * ky, (fb.lon - fa.lon) * kx);
            let d2 = dx * dx + dy * dy;
            // The closest fix, and of equally close ones the nearest in time.
            let better =
                |(bd, bt): (f64, i64)| d2 < bd || (d2 == bd && (fb.t - fa.t).abs() < (bt - fa.t).abs());
            if d2 <= max_d2 && best.is_none_or(better) {
                best = Some((d2, fb.t));
            }
        }
        let Some((d2, tb)) = best else { continue };
        let d = d2.sqrt();
        let (early, late) = (fa.t.min(tb), fa.t.max(tb));
        match out.last_mut() {
            Some(m) if fa.t - last_close <= MAX_GAP_S => {
                m.to = m.to.max(time_of(early));
                m.samples += 1;
                if d < m.closest_m {
                    m.closest_m = d;
                    m.at = fa.at();
                }
            }
            _ => out.push(Meeting {
                from: time_of(late),
                to: time_of(late),
                closest_m: d,
                at: fa.at(),
                samples: 1,
            }),
        }
        last_close = fa.t;
    }
    for m in &mut out {
        m.closest_m = (m.closest_m * 10.0).round() / 10.0;
    }
    out
}

/// Time a person spent in one place over a period.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Stay {
    pub seconds: i64,
    /// Distinct days (UTC) with time in the cell.
    pub days: u32,
    pub first: i64,
    pub last: i64,
}

/// Time spent per place: as [`cell_times`], the time between consecutive fixes of the same
/// hour (up to [`MAX_GAP_S`]) counts for the place of the earlier fix.
pub fn stays(track: &[TrackFix]) -> HashMap<i64, Stay> {
    let mut out: HashMap<i64, (Stay, i64)> = HashMap::new();
    for w in track.windows(2) {
        let dt = w[1].t - w[0].t;
        if dt <= 0 || dt > MAX_GAP_S || hour_of(w[0].t) != hour_of(w[1].t) {
            continue;
        }
        let cell = place_of(cell_of(w[0].lat, w[0].lon));
        let day = w[0].t.div_euclid(86_400);
        let e =
            out.entry(cell).or_insert((Stay { seconds: 0, days: 0, first: w[0].t, last: w[0].t }, i64::MIN));
        e.0.seconds += dt;
        e.0.last = w[1].t;
        if e.1 != day {
            e.0.days += 1;
            e.1 = day;
        }
    }
    out.into_iter().map(|(k, (s, _))| (k, s)).collect()
}

/// Body of the presence query: was the person within `radius_m` of a point in the period
/// (16.2.18, 16.2.23)?
#[derive(Debug, Clone, Serialize, Deserialize, utoipa::IntoParams, utoipa::ToSchema)]
#[into_params(parameter_in = Query)]
pub struct PresenceQuery {
    pub person_id: PersonId,
    pub lat: f64,
    pub lon: f64,
    pub radius_m: f64,
    pub from: DateTime<Utc>,
    pub to: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Presence {
    pub person_id: PersonId,
    pub name: String,
    pub visits: Vec<Visit>,
}

/// Who was within `radius_m` of a point in the period (16.2.24).
#[derive(Debug, Clone, Serialize, Deserialize, utoipa::IntoParams, utoipa::ToSchema)]
#[into_params(parameter_in = Query)]
pub struct NearbyQuery {
    pub lat: f64,
    pub lon: f64,
    pub radius_m: f64,
    pub from: DateTime<Utc>,
    pub to: DateTime<Utc>,
}

/// One person or a group (16.2.25) in a period.
#[derive(Debug, Clone, Serialize, Deserialize, utoipa::IntoParams, utoipa::ToSchema)]
#[into_params(parameter_in = Query)]
pub struct SubjectQuery {
    #[serde(default)]
    pub person_id: Option<PersonId>,
    #[serde(default)]
    pub group: Option<String>,
    pub from: DateTime<Utc>,
    pub to: DateTime<Utc>,
    /// Encounters: the distance that counts as meeting, metres (default 50).
    #[serde(default)]
    pub distance_m: Option<f64>,
    /// Encounters: how far apart in time two fixes may be compared, seconds (default 120).
    #[serde(default)]
    pub window_s: Option<i64>,
    /// Common places: least time a person must spend in the place, minutes (default 30).
    #[serde(default)]
    pub min_minutes: Option<i64>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct TrackPoint {
    pub t: DateTime<Utc>,
    pub lat: f64,
    pub lon: f64,
}

/// A person's track in a period (16.2.26).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct PersonTrack {
    pub person_id: PersonId,
    pub name: String,
    pub points: Vec<TrackPoint>,
}

/// Meetings of two people in a period (16.2.27).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Encounter {
    pub person_id: PersonId,
    pub name: String,
    pub other_id: PersonId,
    pub other_name: String,
    pub meetings: Vec<Meeting>,
}

/// Someone who spent time in a common place.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct PlaceVisitor {
    pub person_id: PersonId,
    pub name: String,
    pub minutes: i64,
    pub days: u32,
    pub first: DateTime<Utc>,
    pub last: DateTime<Utc>,
}

/// A place (2 × 2 grid cells, about 220 m) where several people spent time in the period (16.2.28).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct CommonPlace {
    pub center: LatLon,
    pub cell_m: f64,
    pub visitors: Vec<PlaceVisitor>,
}

/// Longest period an investigative query may cover.
pub const MAX_PERIOD_DAYS: i64 = 31;

/// Check a period and, when given, a circle; Portuguese messages per field.
pub fn check_period(
    from: DateTime<Utc>,
    to: DateTime<Utc>,
    circle: Option<(f64, f64, f64)>,
) -> Vec<crate::wire::FieldError> {
    use crate::wire::FieldError;
    let mut e = Vec::new();
    // The archive's keys hold hours from 1970 to 2089; nothing here predates the system.
    let (earliest, latest) = (time_of(946_684_800), time_of(3_471_292_800)); // 2000-01-01, 2080-01-01
    if from < earliest || to > latest {
        e.push(FieldError::new("from", "O período deve ficar entre 2000 e 2080."));
    } else if to <= from {
        e.push(FieldError::new("to", "O fim do período deve ser depois do início."));
    } else if to - from > chrono::Duration::days(MAX_PERIOD_DAYS) {
        e.push(FieldError::new("to", &format!("O período pode ter no máximo {MAX_PERIOD_DAYS} dias.")));
    }
    if let Some((lat, lon, radius)) = circle {
        if LatLon::new(lat, lon).is_err() {
            e.push(FieldError::new("lat", "Coordenadas inválidas."));
        }
        if !radius.is_finite() || !(1.0..=5_000.0).contains(&radius) {
            e.push(FieldError::new("radius_m", "O raio deve ficar entre 1 e 5.000 metros."));
        }
    }
    e
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const T0: i64 = 1_790_000_000; // 2026-09-21

    fn fix(t: i64, lat: f64, lon: f64) -> TrackFix {
        TrackFix { t, lat, lon }
    }

    #[test]
    fn hour_blocks_round_trip_to_a_centimetre() {
        let hour = hour_of(T0);
        let fixes: Vec<TrackFix> = (0..120)
            .map(|i| fix(hour * 3600 + i * 30, -8.76 + i as f64 * 1e-4, -63.9 - i as f64 * 3e-5))
            .collect();
        let blob = encode_hour(hour, &fixes);
        assert_eq!(blob.len(), 120 * FIX_BYTES);
        let mut back = Vec::new();
        decode_hour(hour, &blob, &mut back);
        assert_eq!(back.len(), 120);
        for (a, b) in fixes.iter().zip(&back) {
            assert_eq!(a.t, b.t);
            assert!(a.at().distance_m(&b.at()) < 0.02);
        }
    }

    proptest! {
        #[test]
        fn merge_keeps_time_order_and_drops_exact_repeats(
            a in proptest::collection::vec(0i64..3600, 0..50),
            b in proptest::collection::vec(0i64..3600, 0..50),
        ) {
            let mut a: Vec<TrackFix> = a.into_iter().map(|s| fix(s, -8.0, -63.0)).collect();
            let mut b: Vec<TrackFix> = b.into_iter().map(|s| fix(s, -8.0, -63.0 + (s % 2) as f64 * 1e-3)).collect();
            a.sort_by_key(|f| f.t);
            b.sort_by_key(|f| f.t);
            let m = merge(&a, &b);
            prop_assert!(m.windows(2).all(|w| w[0].t <= w[1].t));
            prop_assert!(m.windows(2).all(|w| w[0] != w[1]));
            prop_assert!(m.len() <= a.len() + b.len());
            for f in a.iter().chain(&b) {
                prop_assert!(m.contains(f));
            }
        }

        #[test]
        fn a_place_is_in_one_of_the_cells_of_any_circle_around_it(
            lat in -60.0f64..5.0, lon in -75.0f64..-30.0, r in 1.0f64..5000.0, bearing in 0.0f64..360.0, k in 0.0f64..1.0,
        ) {
            let center = LatLon { lat, lon };
            let p = center.moved(bearing, r * k);
            prop_assert!(cells_within(center, r).contains(&cell_of(p.lat, p.lon)));
            let c = cell_center(cell_of(p.lat, p.lon));
            prop_assert!((c.lat - p.lat).abs() <= CELL_DEG / 2.0 + 1e-9);
            prop_assert!(neighbourhood(cell_of(p.lat, p.lon)).contains(&cell_of(c.lat, c.lon)));
        }
    }

    #[test]
    fn visits_split_on_leaving_and_on_gaps() {
        let center = LatLon { lat: -8.76, lon: -63.90 };
        let near = center.moved(90.0, 50.0);
        let far = center.moved(90.0, 500.0);
        let mut track = Vec::new();
        for i in 0..5 {
            track.push(fix(T0 + i * 30, near.lat, near.lon)); // 2 min inside
        }
        track.push(fix(T0 + 150, far.lat, far.lon)); // leaves
        track.push(fix(T0 + 180, center.lat, center.lon)); // back: a second visit
        track.push(fix(T0 + 180 + MAX_GAP_S + 1, center.lat, center.lon)); // after a long gap: a third
        let v = visits(&track, center, 100.0);
        assert_eq!(v.len(), 3, "{v:?}");
        assert_eq!((v[0].fixes, v[0].to - v[0].from), (5, chrono::Duration::seconds(120)));
        assert!((v[0].closest_m - 50.0).abs() < 0.5);
        // The plane and the ellipsoid agree within 0.01 % over an investigative circle.
        for (bearing, m) in [(0.0, 4_999.0), (45.0, 1_000.0), (270.0, 200.0)] {
            let p = center.moved(bearing, m);
            let planar = planar_m(center, crate::geom::metres_per_degree(center.lat), p.lat, p.lon);
            assert!((planar - m).abs() < m * 0.0001, "{bearing}° {m} m: {planar}");
        }
        assert_eq!(v[1].closest_m, 0.0);
        assert!(visits(&track, center, 10.0).len() == 2, "only the fixes at the centre");
    }

    #[test]
    fn meetings_need_both_place_and_time() {
        let p = LatLon { lat: -8.76, lon: -63.90 };
        let q = p.moved(0.0, 30.0);
        let a: Vec<TrackFix> = (0..20).map(|i| fix(T0 + i * 30, p.lat, p.lon)).collect();
        // b is 30 m away for the first 5 minutes, then goes 2 km away.
        let b: Vec<TrackFix> = (0..20)
            .map(|i| {
                if i < 10 { fix(T0 + 10 + i * 30, q.lat, q.lon) } else { fix(T0 + 10 + i * 30, -8.74, -63.9) }
            })
            .collect();
        let m = meetings(&a, &b, 50.0, 60);
        assert_eq!(m.len(), 1, "{m:?}");
        // Both seen together from b's first fix (T0 + 10) to b's last close one (T0 + 280), though
        // a's fixes at T0 and T0 + 330 are within the 60 s window of them.
        assert_eq!(m[0].from, time_of(T0 + 10));
        assert_eq!(m[0].to, time_of(T0 + 280));
        assert_eq!(m[0].samples, 12);
        assert!((m[0].closest_m - 30.0).abs() < 0.5);
        // Same place, an hour apart: no meeting.
        let later: Vec<TrackFix> = a.iter().map(|f| fix(f.t + 3600, f.lat, f.lon)).collect();
        assert!(meetings(&a, &later, 50.0, 120).is_empty());
    }

    #[test]
    fn stays_count_time_per_cell_and_days() {
        let home = LatLon { lat: -8.7612, lon: -63.9013 };
        let base = hour_of(T0) * 3600;
        let mut track = Vec::new();
        for day in 0..3 {
            for i in 0..=90 {
                track.push(fix(base + day * 86_400 + i * 60, home.lat, home.lon)); // 90 minutes a day
            }
        }
        let s = stays(&track);
        let stay = s[&place_of(cell_of(home.lat, home.lon))];
        // Per day: 59 intervals inside the first hour and 30 inside the second (the one across
        // the hour boundary counts for neither, as in the archive); gaps between days never.
        assert_eq!(stay.seconds, 3 * (59 + 30) * 60);
        assert_eq!(stay.days, 3);
        // The same time per cell and hour as the archive keeps it.
        let hour = hour_of(T0);
        let block: Vec<TrackFix> = track.iter().filter(|f| hour_of(f.t) == hour).copied().collect();
        let per_cell = cell_times(&block);
        let (first, last) = (block[0].t, block.last().expect("fix").t);
        assert_eq!(
            per_cell,
            vec![CellTime { cell: cell_of(home.lat, home.lon), seconds: last - first, first, last }]
        );
        assert!(place_cells(place_of(per_cell[0].cell)).contains(&per_cell[0].cell));
        assert!(place_center(place_of(per_cell[0].cell)).distance_m(&home) < 160.0);
    }

    #[test]
    fn periods_and_circles_are_checked() {
        let t = time_of(T0);
        assert!(check_period(t, t + chrono::Duration::days(31), Some((-8.7, -63.9, 500.0))).is_empty());
        assert_eq!(check_period(t, t, None).len(), 1);
        assert_eq!(check_period(t, t + chrono::Duration::days(32), None).len(), 1);
        assert_eq!(check_period(t, t + chrono::Duration::hours(1), Some((-98.0, 0.0, 0.0))).len(), 2);
    }
}
