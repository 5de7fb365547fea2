//! Moving a standalone central to PostgreSQL (issue 24 item 6): a SQLite central with POSITIONS
//! fixes (4,000 bracelets, a year of history) moved by `store::migrate` — what
//! `atalaia-server migrate` runs — into the PostgreSQL named by `ATALAIA_BENCH_DATABASE`
//! (`postgres-for-tests --durable` starts one). Reports the move's time and rate.
//!
//! `ATALAIA_BENCH_DATABASE=postgres://… cargo bench -p atalaia-backend --bench migrate [-- POSITIONS]`

#![allow(clippy::print_stdout)] // a benchmark reports on standard output

use atalaia_backend::store::{Store, ts};
use atalaia_core::geom::LatLon;
use atalaia_core::ids::{DeviceId, PersonId, PositionId};
use atalaia_core::monitoring::Position;
use chrono::{Duration, TimeZone, Utc};
use std::sync::Arc;
use std::time::Instant;

const DEVICES: usize = 4000;

fn main() {
    let positions: usize = std::env::args().skip(1).find_map(|a| a.parse().ok()).unwrap_or(10_000_000);
    let url = std::env::var("ATALAIA_BENCH_DATABASE").expect("ATALAIA_BENCH_DATABASE=postgres://…");
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("central.sqlite");
    let store = Store::open(&path, Arc::new(atalaia_core::clock::SystemClock)).expect("SQLite central");
    store.close();
    drop(store);

    let made = Instant::now();
    let mut conn = Store::sqlite_connection(&path).expect("sqlite");
    let tx = conn.transaction().expect("transaction");
    {
        let mut insert = tx
            .prepare(
                "INSERT INTO positions (id, device_id, person_id, fix_time, recv_time, lat, lon, doc, seq)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, 0)",
            )
            .expect("prepare");
        let people: Vec<(DeviceId, PersonId)> =
            (0..DEVICES).map(|_| (DeviceId::new(), PersonId::new())).collect();
        let start = Utc.with_ymd_and_hms(2025, 12, 1, 0, 0, 0).single().expect("start");
        // A year over the fixes: about one every 13 minutes per bracelet for 10 M.
        let step = Duration::seconds((365 * 86_400 * DEVICES as i64) / positions.max(1) as i64);
        for n in 0..positions {
            let (device, person) = people[n % DEVICES];
            let fix_time = start + step * (n / DEVICES) as i32;
            let at = LatLon { lat: -8.76 + (n % 997) as f64 * 1e-4, lon: -63.9 + (n % 991) as f64 * 1e-4 };
            let p = Position {
                id: PositionId::new(),
                device_id: device,
                person_id: Some(person),
                vehicle_id: None,
                fix_time,
                recv_time: fix_time + Duration::seconds(2),
                at,
                speed_kmh: Some(3.0),
                course_deg: Some(90.0),
                accuracy_m: Some(8.0),
                altitude_m: Some(90.0),
                battery_pct: Some(80.0),
                charging: Some(false),
            };
            let doc = serde_json::to_string(&p).expect("json");
            insert
                .execute(rusqlite::params![
                    p.id.to_string(),
                    device.to_string(),
                    person.to_string(),
                    ts(p.fix_time),
                    ts(p.recv_time),
                    at.lat,
                    at.lon,
                    doc
                ])
                .expect("insert");
        }
    }
    tx.commit().expect("commit");
    drop(conn);
    let size = std::fs::metadata(&path).map(|m| m.len()).unwrap_or(0);
    println!(
        "migrate: made a SQLite central with {positions} fixes ({:.1} GB) in {:.0} s",
        size as f64 / 1e9,
        made.elapsed().as_secs_f64()
    );

    let started = Instant::now();
    let moved = atalaia_backend::store::migrate::sqlite_to_postgres(&path, &url, |_| {}).expect("the move");
    let took = started.elapsed().as_secs_f64();
    let fixes = moved.iter().find(|m| m.table == "positions").map_or(0, |m| m.rows);
    let rows: u64 = moved.iter().map(|m| m.rows).sum();
    assert_eq!(fixes as usize, positions, "every fix moved");
    println!(
        "migrate: {rows} rows ({fixes} fixes) moved to PostgreSQL in {took:.1} s: {:.0} fixes/s",
        fixes as f64 / took
    );
}
