//! The zones in force, indexed for evaluation: one R-tree (rstar) of bounding boxes per owner —
//! each person, each group — so locating a fix costs a lookup in the person's and the group's
//! trees only, whatever the total number of zones in the system; plus per-person and per-group
//! lists of the zones a person must stay *inside* (those matter precisely when the fix is far
//! from them). Zones belong to one person or to a group (III-2.24, III-2.25).

use crate::geom::{LatLon, MIN_METRES_PER_DEGREE_LAT, Shape, metres_per_degree};
use crate::ids::{PersonId, ZoneId};
use crate::monitoring::{Zone, ZoneKind};
use crate::schedule::CompiledSchedule;
use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use geo::{Distance, Euclidean, LineString, Point};
use rstar::primitives::{GeomWithData, Rectangle};
use rstar::{AABB, RTree};
use std::collections::HashMap;

/// Bounding boxes are padded by this fraction and these metres, so that the ellipsoid's
/// variation of scale across a large zone never leaves part of it outside its box.
const ENVELOPE_SLACK: f64 = 0.01;
const ENVELOPE_PAD_M: f64 = 5.0;

type Entry = GeomWithData<Rectangle<[f64; 2]>, ZoneId>;

/// A zone prepared for evaluation.
#[derive(Debug, Clone)]
pub struct Prepared {
    pub zone: Zone,
    schedule: Option<CompiledSchedule>,
    envelope: Entry,
}

/// Arbitrary fixed instant naming the single, permanent window of an unscheduled zone.
fn always() -> DateTime<Utc> {
    DateTime::<Utc>::UNIX_EPOCH
}

impl Prepared {
    /// The start of the schedule window in force at `t` (a fixed instant for unscheduled zones),
    /// or `None` when the zone is not in force.
    pub fn window_start(&self, t: DateTime<Utc>, tz: Tz) -> Option<DateTime<Utc>> {
        match &self.schedule {
            None => Some(always()),
            Some(s) => s.window_start(t, tz),
        }
    }

    pub fn is_scheduled(&self) -> bool {
        self.schedule.is_some()
    }

    /// Signed distance from the zone's boundary in metres: negative inside, positive outside.
    pub fn signed_distance_m(&self, p: &LatLon) -> f64 {
        signed_distance_m(&self.zone.shape, p)
    }
}

/// Signed distance from a shape's boundary in metres (negative inside). Circles are measured along
/// the geodesic; polygons and rectangles in a local projection centred on the point with the
/// ellipsoid's scales there, within centimetres of the geodesic near the boundary, which is
/// where the decision is made.
pub fn signed_distance_m(shape: &Shape, p: &LatLon) -> f64 {
    match shape {
        Shape::Circle { center, radius_m } => center.distance_m(p) - radius_m,
        Shape::Rectangle { south_west: sw, north_east: ne } => {
            let ring = [*sw, LatLon { lat: sw.lat, lon: ne.lon }, *ne, LatLon { lat: ne.lat, lon: sw.lon }];
            ring_distance(&ring, p, shape.contains(p))
        }
        Shape::Polygon { ring } => ring_distance(ring, p, shape.contains(p)),
    }
}

fn ring_distance(ring: &[LatLon], p: &LatLon, inside: bool) -> f64 {
    let (ky, kx) = metres_per_degree(p.lat);
    let mut pts: Vec<(f64, f64)> =
        ring.iter().map(|c| ((c.lon - p.lon) * kx, (c.lat - p.lat) * ky)).collect();
    if let Some(&first) = pts.first() {
        pts.push(first);
    }
    let line: LineString<f64> = pts.into();
    let d = Euclidean.distance(&Point::new(0.0, 0.0), &line);
    if inside { -d } else { d }
}

/// Half the sides, in degrees, of a box that holds every point within `metres` of a point at
/// latitude `lat` (generously: boxes only choose what to measure exactly).
fn span_deg(lat: f64, metres: f64) -> (f64, f64) {
    let m = metres * (1.0 + ENVELOPE_SLACK) + ENVELOPE_PAD_M;
    let dlat = m / MIN_METRES_PER_DEGREE_LAT;
    // The widest parallel the box reaches has the fewest metres per degree of longitude.
    let far = (lat.abs() + dlat).min(89.9);
    let dlon = m / metres_per_degree(far).1.max(1_000.0);
    (dlat, dlon)
}

fn envelope(z: &Zone) -> Entry {
    let (mut min, mut max) = match &z.shape {
        Shape::Circle { center, radius_m } => {
            let (dlat, dlon) = span_deg(center.lat, *radius_m);
            ([center.lon - dlon, center.lat - dlat], [center.lon + dlon, center.lat + dlat])
        }
        Shape::Rectangle { south_west, north_east } => {
            ([south_west.lon, south_west.lat], [north_east.lon, north_east.lat])
        }
        Shape::Polygon { ring } => {
            let mut min = [f64::MAX, f64::MAX];
            let mut max = [f64::MIN, f64::MIN];
            for c in ring {
                min = [min[0].min(c.lon), min[1].min(c.lat)];
                max = [max[0].max(c.lon), max[1].max(c.lat)];
            }
            (min, max)
        }
    };
    // The warning buffer belongs to the zone's footprint.
    if let Some(w) = z.warning_m.filter(|w| *w > 0.0) {
        let (dlat, dlon) = span_deg(min[1].abs().max(max[1].abs()), w);
        min = [min[0] - dlon, min[1] - dlat];
        max = [max[0] + dlon, max[1] + dlat];
    }
    GeomWithData::new(Rectangle::from_corners(min, max), z.id)
}

fn must_stay_inside(kind: ZoneKind) -> bool {
    matches!(kind, ZoneKind::Inclusion | ZoneKind::Continuous)
}

/// Who a zone applies to.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
enum Owner {
    Person(PersonId),
    Group(String),
}

fn owner(zone: &Zone) -> Option<Owner> {
    match (zone.person_id, &zone.group) {
        (Some(p), _) => Some(Owner::Person(p)),
        (None, Some(g)) => Some(Owner::Group(g.clone())),
        (None, None) => None,
    }
}

#[derive(Debug, Default)]
pub struct ZoneSet {
    zones: HashMap<ZoneId, Prepared>,
    trees: HashMap<Owner, RTree<Entry>>,
    inside_by_person: HashMap<PersonId, Vec<ZoneId>>,
    inside_by_group: HashMap<String, Vec<ZoneId>>,
}

impl ZoneSet {
    pub fn len(&self) -> usize {
        self.zones.len()
    }

    pub fn is_empty(&self) -> bool {
        self.zones.is_empty()
    }

    pub fn get(&self, id: &ZoneId) -> Option<&Prepared> {
        self.zones.get(id)
    }

    pub fn iter(&self) -> impl Iterator<Item = &Prepared> {
        self.zones.values()
    }

    /// Insert or replace a zone; an inactive zone (or one whose schedule does not compile) is
    /// removed, which ends its alarms through the normal evaluation.
    pub fn upsert(&mut self, zone: &Zone) {
        self.remove(&zone.id);
        if !zone.active {
            return;
        }
        let schedule = match &zone.schedule {
            None => None,
            Some(s) => match s.compile() {
                Ok(c) => Some(c),
                Err(_) => return,
            },
        };
        let envelope = envelope(zone);
        let Some(owner) = owner(zone) else { return };
        self.trees.entry(owner).or_default().insert(envelope);
        if must_stay_inside(zone.kind) {
            match (zone.person_id, &zone.group) {
                (Some(p), _) => self.inside_by_person.entry(p).or_default().push(zone.id),
                (None, Some(g)) => self.inside_by_group.entry(g.clone()).or_default().push(zone.id),
                (None, None) => {}
            }
        }
        self.zones.insert(zone.id, Prepared { zone: zone.clone(), schedule, envelope });
    }

    pub fn remove(&mut self, id: &ZoneId) -> Option<Zone> {
        let old = self.zones.remove(id)?;
        if let Some(owner) = owner(&old.zone)
            && let Some(tree) = self.trees.get_mut(&owner)
        {
            tree.remove(&old.envelope);
            if tree.size() == 0 {
                self.trees.remove(&owner);
            }
        }
        for list in self.inside_by_person.values_mut().chain(self.inside_by_group.values_mut()) {
            list.retain(|z| z != id);
        }
        Some(old.zone)
    }

    /// Zones to evaluate for a person at `p`: every zone whose footprint lies within `margin_m`
    /// of the point, plus the person's (and group's) inclusion and continuous zones wherever
    /// they are. Sorted and without duplicates.
    pub fn candidates(&self, person: PersonId, groups: &[String], p: &LatLon, margin_m: f64) -> Vec<ZoneId> {
        let (dlat, dlon) = span_deg(p.lat, margin_m);
        let query = AABB::from_corners([p.lon - dlon, p.lat - dlat], [p.lon + dlon, p.lat + dlat]);
        let mut out: Vec<ZoneId> = Vec::new();
        if let Some(tree) = self.trees.get(&Owner::Person(person)) {
            out.extend(tree.locate_in_envelope_intersecting(&query).map(|e| e.data));
        }
        for g in groups {
            if let Some(tree) = self.trees.get(&Owner::Group(g.clone())) {
                out.extend(tree.locate_in_envelope_intersecting(&query).map(|e| e.data));
            }
        }
        if let Some(list) = self.inside_by_person.get(&person) {
            out.extend(list);
        }
        for list in groups.iter().filter_map(|g| self.inside_by_group.get(g)) {
            out.extend(list);
        }
        out.sort_unstable();
        out.dedup();
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ids::PersonId;

    const PVH: LatLon = LatLon { lat: -8.7612, lon: -63.9004 };

    fn zone(kind: ZoneKind, shape: Shape, person: Option<PersonId>, group: Option<&str>) -> Zone {
        Zone {
            id: ZoneId::new(),
            name: "z".into(),
            kind,
            shape,
            person_id: person,
            group: group.map(str::to_owned),
            active: true,
            schedule: None,
            warning_m: None,
            created_at: DateTime::<Utc>::UNIX_EPOCH,
            lifted: None,
        }
    }

    #[test]
    fn signed_distance_is_negative_inside_and_metric() {
        let circle = Shape::Circle { center: PVH, radius_m: 100.0 };
        assert!((signed_distance_m(&circle, &PVH) + 100.0).abs() < 0.01);
        assert!((signed_distance_m(&circle, &PVH.moved(90.0, 150.0)) - 50.0).abs() < 0.5);
        let sw = PVH.moved(225.0, 1_414.2);
        let ne = PVH.moved(45.0, 1_414.2);
        let rect = Shape::Rectangle { south_west: sw, north_east: ne };
        // The centre of a 2 km square is 1 km from every side.
        assert!((signed_distance_m(&rect, &PVH) + 1_000.0).abs() < 5.0, "{}", signed_distance_m(&rect, &PVH));
        let east = PVH.moved(90.0, 1_200.0);
        assert!((signed_distance_m(&rect, &east) - 200.0).abs() < 5.0);
    }

    #[test]
    fn candidates_come_from_the_index_and_the_owner_lists() {
        let me = PersonId::new();
        let other = PersonId::new();
        let mut set = ZoneSet::default();
        let home = zone(ZoneKind::Inclusion, Shape::Circle { center: PVH, radius_m: 50.0 }, Some(me), None);
        let far_school = PVH.moved(0.0, 5_000.0);
        let school = zone(
            ZoneKind::Exclusion,
            Shape::Circle { center: far_school, radius_m: 100.0 },
            None,
            Some("art217"),
        );
        let others_zone = zone(
            ZoneKind::Exclusion,
            Shape::Circle { center: far_school, radius_m: 100.0 },
            Some(other),
            None,
        );
        for z in [&home, &school, &others_zone] {
            set.upsert(z);
        }
        // Far from home and at the school: home (must stay inside) and the group's school.
        let got = set.candidates(me, &["art217".to_owned()], &far_school, 20.0);
        assert!(got.contains(&home.id) && got.contains(&school.id) && !got.contains(&others_zone.id));
        // Not in the group: only home.
        assert_eq!(set.candidates(me, &[], &far_school, 20.0), vec![home.id]);
        // Far from everything: still home.
        assert_eq!(
            set.candidates(me, &["art217".to_owned()], &PVH.moved(180.0, 9_000.0), 20.0),
            vec![home.id]
        );
        set.remove(&home.id);
        assert!(set.candidates(me, &[], &PVH, 20.0).is_empty());
    }

    #[test]
    fn warning_buffer_widens_the_footprint() {
        let me = PersonId::new();
        let mut set = ZoneSet::default();
        let mut z = zone(ZoneKind::Exclusion, Shape::Circle { center: PVH, radius_m: 100.0 }, Some(me), None);
        z.warning_m = Some(300.0);
        set.upsert(&z);
        assert_eq!(set.candidates(me, &[], &PVH.moved(0.0, 350.0), 10.0), vec![z.id]);
        assert!(set.candidates(me, &[], &PVH.moved(0.0, 500.0), 10.0).is_empty());
    }

    #[test]
    fn inactive_zones_leave_the_index() {
        let me = PersonId::new();
        let mut set = ZoneSet::default();
        let mut z = zone(ZoneKind::Exclusion, Shape::Circle { center: PVH, radius_m: 100.0 }, Some(me), None);
        set.upsert(&z);
        z.active = false;
        set.upsert(&z);
        assert!(set.is_empty());
        assert!(set.candidates(me, &[], &PVH, 10.0).is_empty());
    }
}
