//! A restart in the middle of anything must not change what the detectors decide: an engine fed
//! half of a history, saved through its records and rebuilt from them, must then emit exactly
//! what an engine that never stopped emits for the other half (9.7, 9.37).

use super::*;
use crate::alarm::AlarmKind;
use crate::detect::{DeviceInfo, EngineConfig, Output, PersonInfo, Sample};
use crate::geom::{LatLon, Shape};
use crate::ids::{DeviceId, PersonId, ZoneId};
use crate::monitoring::{DeviceKind, Regime, Zone, ZoneKind};
use chrono::{Duration, TimeZone};
use std::collections::HashMap;

const HOME: LatLon = LatLon { lat: -8.7612, lon: -63.9004 };

fn t0() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 23, 16, 0, 0).single().expect("time")
}

/// The world both engines are told about.
struct World {
    people: Vec<(PersonId, DeviceId)>,
    zones: Vec<Zone>,
}

impl World {
    fn new() -> Self {
        let people: Vec<(PersonId, DeviceId)> = (0..3).map(|_| (PersonId::new(), DeviceId::new())).collect();
        let home = Zone {
            id: ZoneId::new(),
            name: "casa".into(),
            kind: ZoneKind::Inclusion,
            shape: Shape::Circle { center: HOME, radius_m: 300.0 },
            person_id: Some(people[0].0),
            group: None,
            active: true,
            schedule: None,
            warning_m: None,
            created_at: t0(),
        };
        let school = Zone {
            id: ZoneId::new(),
            name: "escola".into(),
            kind: ZoneKind::Exclusion,
            shape: Shape::Circle { center: HOME.moved(90.0, 2_000.0), radius_m: 200.0 },
            person_id: Some(people[0].0),
            group: None,
            active: true,
            schedule: None,
            warning_m: Some(300.0),
            created_at: t0(),
        };
        Self { people, zones: vec![home, school] }
    }

    fn engine(&self) -> Engine {
        let mut e = Engine::new(EngineConfig::default());
        for (p, d) in &self.people {
            e.set_person(PersonInfo { id: *p, group: None, regime: Regime::SemiOpen, linked_person: None });
            e.set_device(DeviceInfo {
                id: *d,
                kind: DeviceKind::AnkleBracelet,
                person_id: Some(*p),
                report_interval_s: None,
            });
        }
        for z in &self.zones {
            e.set_zone(z);
        }
        e
    }
}

enum Step {
    Sample(Sample),
    Tick(DateTime<Utc>),
}

/// A history that crosses everything kept in the records: a replay (late data) that leaves the
/// inclusion zone and passes through the exclusion zone's buffer, two people meeting, a battery
/// draining, GNSS lost, a stay at a place, and ticks (replay end, communication loss).
fn history(w: &World) -> Vec<Step> {
    let (p0, p1, p2) = (w.people[0].1, w.people[1].1, w.people[2].1);
    let received = t0() + Duration::hours(1);
    let mut steps = Vec::new();
    let sample =
        |d: DeviceId, fix: DateTime<Utc>, recv: DateTime<Utc>, at: Option<LatLon>, batt: Option<f64>| {
            Step::Sample(Sample {
                device_id: d,
                fix_time: fix,
                recv_time: recv,
                at,
                accuracy_m: Some(5.0),
                battery_pct: batt,
                charging: batt.map(|_| false),
                heartbeat: false,
                signals: vec![],
            })
        };
    // Person 0: an hour-old stretch replayed in one burst: home, out east through the school's
    // buffer and back out of it, ending outside home.
    for i in 0..60 {
        let fix = t0() + Duration::seconds(i * 30);
        let east = match i {
            0..10 => 0.0,
            10..30 => 1_500.0 + 5.0 * i as f64,
            _ => 900.0,
        };
        steps.push(sample(
            p0,
            fix,
            received + Duration::milliseconds(i * 10),
            Some(HOME.moved(90.0, east)),
            None,
        ));
    }
    // Persons 1 and 2 meet live and stay together for 25 minutes (an encounter, then a common
    // place once both stays count as visits) while 1's battery drains towards empty and 2 then
    // loses GNSS.
    for i in 0..40 {
        let at = received + Duration::seconds(i * 60);
        let spot = HOME.moved(0.0, 5_000.0);
        steps.push(sample(p1, at, at, Some(spot), Some(40.0 - i as f64 * 0.5)));
        let p2_at = if i > 25 { None } else { Some(spot.moved(45.0, 5.0)) };
        steps.push(sample(p2, at, at, p2_at, None));
        if i % 5 == 0 {
            steps.push(Step::Tick(at + Duration::seconds(1)));
        }
    }
    // Quiet: person 0 stops reporting (communication loss).
    for s in 1..=12 {
        steps.push(Step::Tick(received + Duration::seconds(2_400 + s * 60)));
    }
    steps
}

fn run(e: &mut Engine, steps: &[Step], out: &mut Vec<Output>) {
    for step in steps {
        match step {
            Step::Sample(s) => {
                e.sample(s, out);
            }
            Step::Tick(t) => e.tick(*t, out),
        }
    }
}

/// Apply records as a store would keep them (the newest per part and id; `None` deletes).
fn keep(store: &mut HashMap<(Part, String), String>, records: Vec<StateRecord>) {
    for r in records {
        match r.doc {
            Some(doc) => store.insert((r.part, r.id), doc),
            None => store.remove(&(r.part, r.id)),
        };
    }
}

fn sorted(outputs: &[Output]) -> Vec<String> {
    let mut v: Vec<String> = outputs.iter().map(|o| format!("{o:?}")).collect();
    v.sort();
    v
}

#[test]
fn req_9_37_a_restart_at_any_step_changes_no_decision() {
    let w = World::new();
    let steps = history(&w);
    let mut reference = w.engine();
    let mut expected = Vec::new();
    run(&mut reference, &steps, &mut expected);
    let kinds: Vec<AlarmKind> = expected
        .iter()
        .filter_map(|o| match o {
            Output::Raise { key, .. } => Some(key.kind),
            _ => None,
        })
        .collect();
    for kind in [
        AlarmKind::InclusionZoneExit,
        AlarmKind::Encounter,
        AlarmKind::CommonPlace,
        AlarmKind::BatteryCritical,
        AlarmKind::GnssLost,
        AlarmKind::SignalLost,
    ] {
        assert!(kinds.contains(&kind), "the history must exercise {kind:?}: {kinds:?}");
    }
    assert!(expected.iter().any(|o| matches!(o, Output::Late { .. })), "a replay summary");

    for cut in [1, 9, 25, 45, 59, 60, 61, 75, 90, 94, 100, 115, 130, 145, steps.len() - 3] {
        let mut first = w.engine();
        let mut store = HashMap::new();
        let mut got = Vec::new();
        // Save after every step, as the server does after every write job.
        for step in &steps[..cut] {
            run(&mut first, std::slice::from_ref(step), &mut got);
            keep(&mut store, first.take_state());
        }
        let mut second = w.engine();
        for ((part, id), doc) in &store {
            second.restore(*part, id, doc).expect("restore");
        }
        run(&mut second, &steps[cut..], &mut got);
        // Same decisions; within one tick the order of devices is a hash map's.
        assert_eq!(sorted(&got), sorted(&expected), "restart after step {cut}");
    }
}

#[test]
fn records_of_a_quiet_engine_are_small_and_deleted_when_empty() {
    let w = World::new();
    let mut e = w.engine();
    let mut out = Vec::new();
    let d = w.people[1].1;
    let s = Sample {
        device_id: d,
        fix_time: t0(),
        recv_time: t0(),
        at: Some(HOME.moved(180.0, 9_000.0)),
        accuracy_m: None,
        battery_pct: Some(80.0),
        charging: Some(false),
        heartbeat: false,
        signals: vec![],
    };
    e.sample(&s, &mut out);
    let records = e.take_state();
    assert!(records.iter().all(|r| r.doc.as_ref().is_none_or(|d| d.len() < 600)), "{records:?}");
    assert!(e.take_state().is_empty(), "marks are cleared once taken");
    // A person removed from the engine leaves a deletion, not a stale record.
    let mut stale = Engine::new(EngineConfig::default());
    stale.dirty.people.insert(w.people[1].0);
    let r = stale.take_state();
    assert_eq!(r, vec![StateRecord { part: Part::Person, id: w.people[1].0.to_string(), doc: None }]);
}
