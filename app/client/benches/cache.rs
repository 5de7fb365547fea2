//! Offline cache (issue 8): how long a console takes to read back a centre's worth of data —
//! 4,000 monitored people with their bracelets and 12 recent fixes each, 10,000 occurrences —
//! from the SQLite file, and to save it.
//!
//!     cargo bench -p atalaia-client --bench cache [-- RUNS]

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::print_stdout)]

use atalaia_client::LiveModel;
use atalaia_client::cache::Cache;
use atalaia_core::geom::LatLon;
use atalaia_core::ids::{DeviceId, OccurrenceId, PersonId, PositionId, UserId};
use atalaia_core::monitoring::{Device, DeviceKind, DeviceState, Person, Position, Regime};
use atalaia_core::samu::{CallType, Occurrence, OccurrencePhase};
use chrono::{Duration, TimeZone, Utc};
use std::time::Instant;

fn main() {
    let runs: usize = std::env::args().skip(1).find_map(|a| a.parse().ok()).unwrap_or(7);
    let t0 = Utc.with_ymd_and_hms(2026, 11, 22, 13, 0, 0).single().expect("valid");
    let mut m = LiveModel { seq: 1_000_000, ..LiveModel::default() };
    for i in 0..4_000 {
        let person = Person {
            id: PersonId::new(),
            name: format!("Monitorado {i:04}"),
            record: format!("{i:07}-00.2026.8.22.0001"),
            regime: Regime::SemiOpen,
            group: Some(format!("Regional {}", i % 7)),
            region: None,
            responsible: None,
            linked_person: None,
            personal: Default::default(),
            revision: Default::default(),
            created_at: t0,
            photo: None,
        };
        let device = Device {
            id: DeviceId::new(),
            imei: format!("35800000{i:07}"),
            kind: DeviceKind::AnkleBracelet,
            state: DeviceState::Active,
            sim1: None,
            sim2: None,
            person_id: Some(person.id),
            vehicle_id: None,
            last_contact: Some(t0),
            battery_pct: Some(70.0),
            model: None,
            report_interval_s: None,
            history: Vec::new(),
            created_at: t0,
        };
        let trail = (0..12)
            .map(|k| Position {
                id: PositionId::new(),
                device_id: device.id,
                person_id: Some(person.id),
                vehicle_id: None,
                fix_time: t0 + Duration::seconds(k * 15),
                recv_time: t0 + Duration::seconds(k * 15),
                at: LatLon { lat: -8.76 + (i % 100) as f64 * 0.001, lon: -63.9 + k as f64 * 0.0001 },
                speed_kmh: Some(4.0),
                course_deg: None,
                accuracy_m: Some(8.0),
                altitude_m: None,
                battery_pct: Some(70.0),
                charging: Some(false),
            })
            .collect();
        m.trails.insert(device.id, trail);
        m.persons.insert(person.id, person);
        m.devices.insert(device.id, device);
    }
    for i in 0..10_000 {
        let o = Occurrence::new(
            OccurrenceId::new(),
            format!("2026-{i:06}"),
            CallType::Atendimento,
            "Solicitante".into(),
            "(31) 98888-7777".into(),
            "Av. Afonso Pena, 1000".into(),
            "Belo Horizonte".into(),
            Some(LatLon { lat: -19.92, lon: -43.94 }),
            "Dor torácica há 30 minutos".into(),
            OccurrencePhase::Regulation,
            UserId::new(),
            t0 - Duration::seconds(i),
        );
        m.occurrences.insert(o.id, o);
    }
    let dir = tempfile::tempdir().expect("dir");
    let path = dir.path().join("cache.sqlite");
    let mut cache = Cache::open(&path).expect("open");
    let mut saves = Vec::new();
    let mut loads = Vec::new();
    for _ in 0..runs {
        let t = Instant::now();
        cache.save(&m, t0).expect("save");
        saves.push(t.elapsed().as_secs_f64() * 1000.0);
        let t = Instant::now();
        let back = Cache::open(&path).expect("reopen").load().expect("load").expect("saved");
        loads.push(t.elapsed().as_secs_f64() * 1000.0);
        assert_eq!(back.model.occurrences.len(), 10_000);
        assert_eq!(back.model.trails.len(), 4_000);
    }
    // What the cache writer does every 500 ms of a busy centre: the trails of the 400 devices
    // that reported (400 fixes a second arrive as 200 per write; 400 is the worst case) and ten
    // changed occurrences, in one transaction.
    let devices: Vec<_> = m.trails.keys().copied().collect();
    let occurrences: Vec<_> = m.occurrences.keys().copied().collect();
    let mut batches = Vec::new();
    for run in 0..runs * 10 {
        let mut changed = std::collections::HashSet::new();
        for k in 0..400 {
            let d = devices[(run * 400 + k) % devices.len()];
            let trail = m.trails.get_mut(&d).expect("trail");
            let mut fix = trail.back().expect("fix").clone();
            fix.fix_time += Duration::seconds(30);
            trail.pop_front();
            trail.push_back(fix);
            changed.insert(atalaia_client::cache::Changed::Fixes(d));
        }
        for k in 0..10 {
            changed.insert(atalaia_client::cache::Changed::Occurrence(
                occurrences[(run * 10 + k) % occurrences.len()],
            ));
        }
        m.seq += 410;
        let t = Instant::now();
        cache.save_changes(&m, &changed, t0).expect("save changes");
        batches.push(t.elapsed().as_secs_f64() * 1000.0);
    }
    saves.sort_by(f64::total_cmp);
    loads.sort_by(f64::total_cmp);
    batches.sort_by(f64::total_cmp);
    let size = std::fs::metadata(&path).map(|m| m.len()).unwrap_or(0) as f64 / 1e6;
    println!(
        "cache (4,000 people × 12 fixes, 10,000 occurrences, {size:.1} MB file, {runs} runs): \
         open+load median {:.0} ms, max {:.0} ms; full save median {:.0} ms, max {:.0} ms; \
         a writer batch (400 trails + 10 occurrences, {} batches) median {:.1} ms, p99 {:.1} ms",
        loads[loads.len() / 2],
        loads[loads.len() - 1],
        saves[saves.len() / 2],
        saves[saves.len() - 1],
        batches.len(),
        batches[batches.len() / 2],
        batches[((batches.len() - 1) as f64 * 0.99).round() as usize]
    );
}
