//! Zone decisions against geodesic distances (27.18.6.1–4, III-2.10): circles of up to 20 km and
//! warning buffers at the equator, at Porto Velho's latitude (−9°) and at Porto Alegre's (−33°),
//! with fixes 5 m on each side of the edge. The test points are placed with `geo::Geodesic`
//! directly (not through the code under test), and the engine, with a 1 m margin and no dwell,
//! must call every one of them on the right side. On a sphere a 5 km circle is 15–35 m off.

use atalaia_core::alarm::{AlarmKind, Subject};
use atalaia_core::detect::{DeviceInfo, Engine, EngineConfig, PersonInfo, Sample};
use atalaia_core::geom::{LatLon, Shape};
use atalaia_core::ids::{DeviceId, PersonId, ZoneId};
use atalaia_core::monitoring::{DeviceKind, Regime, Zone, ZoneKind};
use chrono::{DateTime, Duration, TimeZone, Utc};
use geo::{Destination, Geodesic, Point};

const LATITUDES: [f64; 3] = [0.0, -9.0, -33.0];
const RADII_M: [f64; 6] = [30.0, 250.0, 1_000.0, 4_600.0, 10_000.0, 20_000.0];
const BEARINGS: [f64; 5] = [0.0, 45.0, 90.0, 200.0, 300.0];
const SIDE_M: f64 = 5.0;

/// The point `metres` from `from` along the geodesic starting at `bearing`, by geographiclib.
fn geodesic_point(from: LatLon, bearing: f64, metres: f64) -> LatLon {
    let p = Geodesic.destination(Point::new(from.lon, from.lat), bearing, metres);
    LatLon { lat: p.y(), lon: p.x() }
}

fn t0() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 23, 16, 0, 0).single().expect("time")
}

struct Case {
    engine: Engine,
    person: PersonId,
    device: DeviceId,
    zone: ZoneId,
    clock: DateTime<Utc>,
}

impl Case {
    fn new(kind: ZoneKind, shape: Shape, warning_m: Option<f64>) -> Self {
        let cfg = EngineConfig { min_margin_m: 1.0, zone_dwell: Duration::zero(), ..EngineConfig::default() };
        let mut engine = Engine::new(cfg);
        let (person, device, zone) = (PersonId::new(), DeviceId::new(), ZoneId::new());
        engine.set_person(PersonInfo {
            id: person,
            groups: Vec::new(),
            regime: Regime::SemiOpen,
            linked_person: None,
        });
        engine.set_device(DeviceInfo {
            id: device,
            kind: DeviceKind::AnkleBracelet,
            person_id: Some(person),
            report_interval_s: None,
        });
        engine.set_zone(&Zone {
            id: zone,
            name: "z".into(),
            kind,
            shape,
            person_id: Some(person),
            group: None,
            active: true,
            schedule: None,
            warning_m,
            created_at: t0(),
            lifted: None,
        });
        Self { engine, person, device, zone, clock: t0() }
    }

    /// Feed an exact fix (accuracy 0) a second after the previous one.
    fn fix(&mut self, at: LatLon) {
        self.clock += Duration::seconds(1);
        let mut out = Vec::new();
        self.engine.sample(
            &Sample {
                device_id: self.device,
                fix_time: self.clock,
                recv_time: self.clock,
                at: Some(at),
                accuracy_m: Some(0.0),
                battery_pct: None,
                charging: None,
                heartbeat: false,
                signals: vec![],
            },
            &mut out,
        );
    }

    fn active(&self, kind: AlarmKind) -> bool {
        self.engine.active_keys().iter().any(|k| {
            k.kind == kind && k.subject == Subject::Person(self.person) && k.zone_id == Some(self.zone)
        })
    }
}

/// A zone and the alarm expected of it: raised by a fix just inside the edge (`raised_inside`),
/// or by one just outside.
struct Probe<'a> {
    kind: ZoneKind,
    shape: &'a Shape,
    warning: Option<f64>,
    alarm: AlarmKind,
    raised_inside: bool,
}

/// Check a fix 5 m inside and 5 m outside `edge_m` from the centre along `bearing`, each time
/// starting from a fix at the centre; returns the wrong decisions.
fn both_sides(z: &Probe, centre: LatLon, bearing: f64, edge_m: f64) -> Vec<String> {
    let Probe { kind, shape, warning, alarm, raised_inside } = *z;
    let mut wrong = Vec::new();
    for (inside, d) in [(true, edge_m - SIDE_M), (false, edge_m + SIDE_M)] {
        let mut case = Case::new(kind, shape.clone(), warning);
        case.fix(centre);
        let p = geodesic_point(centre, bearing, d);
        case.fix(p);
        case.fix(p);
        if case.active(alarm) != (inside == raised_inside) {
            wrong.push(format!(
                "{kind:?} lat {} edge {edge_m} m bearing {bearing}°: {} 5 m {} the edge",
                centre.lat,
                if case.active(alarm) { "raised" } else { "not raised" },
                if inside { "inside" } else { "outside" },
            ));
        }
    }
    wrong
}

#[test]
fn req_27_18_6_1_to_4_circle_decisions_follow_geodesic_distances() {
    let mut wrong = Vec::new();
    for lat in LATITUDES {
        let centre = LatLon { lat, lon: -63.9 };
        for r in RADII_M {
            let circle = Shape::Circle { center: centre, radius_m: r };
            for b in BEARINGS {
                // Inclusion: leaving raises; exclusion: entering raises.
                wrong.extend(both_sides(
                    &Probe {
                        kind: ZoneKind::Inclusion,
                        shape: &circle,
                        warning: None,
                        alarm: AlarmKind::InclusionZoneExit,
                        raised_inside: false,
                    },
                    centre,
                    b,
                    r,
                ));
                wrong.extend(both_sides(
                    &Probe {
                        kind: ZoneKind::Exclusion,
                        shape: &circle,
                        warning: None,
                        alarm: AlarmKind::ExclusionZoneEntry,
                        raised_inside: true,
                    },
                    centre,
                    b,
                    r,
                ));
            }
        }
    }
    assert!(wrong.is_empty(), "{} wrong decisions:\n{}", wrong.len(), wrong.join("\n"));
}

#[test]
fn req_iii_2_10_warning_buffer_decisions_follow_geodesic_distances() {
    let mut wrong = Vec::new();
    for lat in LATITUDES {
        let centre = LatLon { lat, lon: -63.9 };
        for r in RADII_M {
            for w in [50.0, 500.0, 2_000.0] {
                let circle = Shape::Circle { center: centre, radius_m: r };
                for b in BEARINGS {
                    wrong.extend(both_sides(
                        &Probe {
                            kind: ZoneKind::Exclusion,
                            shape: &circle,
                            warning: Some(w),
                            alarm: AlarmKind::WarningZoneEntry,
                            raised_inside: true,
                        },
                        centre,
                        b,
                        r + w,
                    ));
                }
                // A square of side 2r, with fixes straight north and south of the middle of its
                // parallels: there the distance to the edge is the meridian arc.
                let north = geodesic_point(centre, 0.0, r).lat;
                let south = geodesic_point(centre, 180.0, r).lat;
                let east = geodesic_point(centre, 90.0, r).lon;
                let west = geodesic_point(centre, 270.0, r).lon;
                let square = Shape::Polygon {
                    ring: vec![
                        LatLon { lat: south, lon: west },
                        LatLon { lat: south, lon: east },
                        LatLon { lat: north, lon: east },
                        LatLon { lat: north, lon: west },
                    ],
                };
                for b in [0.0, 180.0] {
                    wrong.extend(both_sides(
                        &Probe {
                            kind: ZoneKind::Exclusion,
                            shape: &square,
                            warning: Some(w),
                            alarm: AlarmKind::WarningZoneEntry,
                            raised_inside: true,
                        },
                        centre,
                        b,
                        r + w,
                    ));
                }
            }
        }
    }
    assert!(wrong.is_empty(), "{} wrong decisions:\n{}", wrong.len(), wrong.join("\n"));
}
