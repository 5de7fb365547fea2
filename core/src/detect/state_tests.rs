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
            lifted: None,
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
            lifted: None,
        };
        Self { people, zones: vec![home, school] }
    }

    fn engine(&self) -> Engine {
        let mut e = Engine::new(EngineConfig::default());
        for (p, d) in &self.people {
            e.set_person(PersonInfo {
                id: *p,
                groups: Vec::new(),
                regime: Regime::SemiOpen,
                linked_person: None,
            });
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
        // Save after every step, as the server does after every write job (soft changes only
        // on ticks, when they are 30 s old); and keep what the stored positions and the devices'
        // records would say.
        let mut positions: HashMap<DeviceId, Vec<Sample>> = HashMap::new();
        let mut contacts: HashMap<DeviceId, DateTime<Utc>> = HashMap::new();
        for step in &steps[..cut] {
            run(&mut first, std::slice::from_ref(step), &mut got);
            keep(&mut store, first.take_state(matches!(step, Step::Tick(_))));
            if let Step::Sample(s) = step {
                contacts.insert(s.device_id, s.recv_time);
                if s.at.is_some() {
                    positions.entry(s.device_id).or_default().push(s.clone());
                }
            }
        }
        let mut second = w.engine();
        for ((part, id), doc) in &store {
            second.restore(*part, id, doc).expect("restore");
        }
        for (device, stored) in &positions {
            let last = stored.last().expect("a position");
            second.seen(*device, last.recv_time, last.fix_time);
            let person = w.people.iter().find(|(_, d)| d == device).map(|(p, _)| *p).expect("wearer");
            let fixes: Vec<(DateTime<Utc>, LatLon, Option<f64>)> =
                stored.iter().map(|s| (s.fix_time, s.at.expect("a place"), s.accuracy_m)).collect();
            second.replay_places(person, &fixes);
        }
        for (device, t) in &contacts {
            second.contact(*device, *t);
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
    let first = e.take_state(true);
    assert!(first.iter().all(|r| r.doc.as_ref().is_none_or(|d| d.len() < 600)), "{first:?}");
    // Ten seconds later, at the same place: nothing but the last fix and place changed.
    let again = Sample {
        fix_time: t0() + Duration::seconds(10),
        recv_time: t0() + Duration::seconds(10),
        ..s.clone()
    };
    e.sample(&again, &mut out);
    assert!(e.take_state(false).is_empty(), "a fix that only moves the soft state waits for the tick");
    assert!(e.take_state(true).is_empty(), "and for 30 s since the last save");
    e.tick(t0() + Duration::seconds(31), &mut out);
    let parts: Vec<Part> = e.take_state(true).into_iter().map(|r| r.part).collect();
    assert!(parts.contains(&Part::Device) && parts.contains(&Part::Person), "{parts:?}");
    assert!(e.take_state(true).is_empty(), "marks are cleared once taken");
    // A person removed from the engine leaves a deletion, not a stale record.
    let mut stale = Engine::new(EngineConfig::default());
    stale.dirty.people.insert(w.people[1].0);
    let r = stale.take_state(false);
    assert_eq!(r, vec![StateRecord { part: Part::Person, id: w.people[1].0.to_string(), doc: None }]);
}

/// The current stay is soft state, saved every 30 s: a restart rebuilds it from the positions
/// stored since (Engine::replay_places), so two people staying at one place still make a common
/// place at the same moment — without the replay the stay would restart at the next fix.
#[test]
fn req_9_37_a_stay_cut_by_a_restart_is_rebuilt_from_the_stored_positions() {
    let w = World::new();
    let (p0, d0) = w.people[1];
    let (_, d1) = w.people[2];
    // The middle of a place cell (150 m of latitude on the polar degree), so that person 2 can
    // be 60 m away in the same place yet beyond the encounter distance.
    let deg = 150.0 / 111_694.0;
    let near = HOME.moved(0.0, 5_000.0);
    let spot =
        LatLon { lat: ((near.lat / deg).floor() + 0.5) * deg, lon: ((near.lon / deg).floor() + 0.5) * deg };
    let fix = |d: DeviceId, secs: i64, at: LatLon| Sample {
        device_id: d,
        fix_time: t0() + Duration::seconds(secs),
        recv_time: t0() + Duration::seconds(secs),
        at: Some(at),
        accuracy_m: Some(5.0),
        battery_pct: None,
        charging: None,
        heartbeat: false,
        signals: vec![],
    };
    // Person 2 is at the spot; person 1 walks there (fixes 10 s apart, a new place each time),
    // arriving at 50 s, and stays.
    let mut steps = Vec::new();
    for i in 0..6 {
        steps.push(fix(d1, i * 10, spot.moved(0.0, 60.0)));
        steps.push(fix(d0, i * 10, spot.moved(90.0, 1_000.0 - 200.0 * i as f64)));
    }
    for i in 0..100 {
        steps.push(fix(d0, 60 + i * 10, spot));
        steps.push(fix(d1, 60 + i * 10, spot.moved(0.0, 60.0)));
    }
    let common = |out: &[Output]| {
        out.iter().find_map(|o| match o {
            Output::Raise { key, since } if key.kind == AlarmKind::CommonPlace => Some((key.subject, *since)),
            _ => None,
        })
    };
    let mut reference = w.engine();
    let mut expected = Vec::new();
    for s in &steps {
        reference.sample(s, &mut expected);
    }
    let want = common(&expected).expect("a common place");
    assert_eq!(want.0, Subject::Person(p0), "person 1 registers second");

    // The restart comes right after person 1 reached the spot, 20 s after its record was last
    // saved: the new stay was never saved.
    let cut = 12;
    let mut first = w.engine();
    let mut store = HashMap::new();
    let mut got = Vec::new();
    for s in &steps[..cut] {
        first.sample(s, &mut got);
        keep(&mut store, first.take_state(false));
    }
    let restart = |replay: bool| {
        let mut e = w.engine();
        for ((part, id), doc) in &store {
            e.restore(*part, id, doc).expect("restore");
        }
        if replay {
            let fixes: Vec<(DateTime<Utc>, LatLon, Option<f64>)> = steps[..cut]
                .iter()
                .filter(|s| s.device_id == d0)
                .map(|s| (s.fix_time, s.at.expect("place"), s.accuracy_m))
                .collect();
            e.replay_places(p0, &fixes);
        }
        let mut out = got.clone();
        for s in &steps[cut..] {
            e.sample(s, &mut out);
        }
        common(&out)
    };
    assert_eq!(restart(true), Some(want), "rebuilt from the stored positions");
    assert_ne!(restart(false), Some(want), "the saved record alone starts the stay late");
}
