//! Investigative-query benchmark (issue 4, 16.2.22–16.2.28): 30 days of positions for 4,000
//! monitored people, one fix every 30 s (345.6 million fixes), and each query's time.
//!
//! `cargo bench -p atalaia-backend --bench investigate -- [SAMPLES [NAME-FILTER]]`
//!
//! The dataset is built once into `target/bench-data/investigate-v4.sqlite` (about 5 GB; reused
//! by later runs, delete it to rebuild) through the same schema and the archive's own hour
//! writer (`store::tracks::file_hour`, as the once-a-second move uses it); people live around Porto Velho (homes up to 15 km from
//! the centre), 60 % commute to a workplace, 30 % frequent one of 60 bars in the evenings, with
//! 8 m of GPS noise. The investigative queries read only the archive, so the general `positions`
//! table is not filled. Each query runs SAMPLES times (default 40) on different people, places
//! and periods drawn from a fixed seed, through the same functions the API handlers call (on a
//! read connection, JSON encoding excluded), and reports the median and p99.

#![allow(clippy::print_stdout)] // a benchmark reports on standard output

use atalaia_backend::investigate;
use atalaia_backend::store::db::Db;
use atalaia_backend::store::{Store, tracks};
use atalaia_core::geom::LatLon;
use atalaia_core::ids::PersonId;
use atalaia_core::investigate::{TrackFix, hour_of};
use atalaia_core::monitoring::{Person, Regime};
use chrono::{DateTime, Utc};
use rand::{Rng, SeedableRng};
use std::collections::HashSet;
use std::path::PathBuf;
use std::time::{Duration, Instant};

const PEOPLE: usize = 4000;
const DAYS: i64 = 30;
const INTERVAL_S: i64 = 30;
const GROUP_SIZE: usize = 100;
const CENTRE: LatLon = LatLon { lat: -8.7612, lon: -63.9004 };
/// 2026-10-01T00:00:00Z: the dataset's first day.
const START: i64 = 1_790_812_800;

struct Life {
    home: LatLon,
    work: Option<LatLon>,
    bar: Option<LatLon>,
    /// Days (from 0) with an evening at the bar.
    bar_days: u32,
}

fn lerp(a: LatLon, b: LatLon, k: f64) -> LatLon {
    LatLon { lat: a.lat + (b.lat - a.lat) * k, lon: a.lon + (b.lon - a.lon) * k }
}

impl Life {
    /// Where the person is at `t` (seconds since START), before noise.
    fn place(&self, t: i64) -> LatLon {
        let day = (t / 86_400) as u32;
        let s = (t % 86_400) as f64 / 3600.0; // hour of the day, fractional
        let day_place = self.work.unwrap_or(self.home);
        let evening = match self.bar {
            Some(b) if self.bar_days & (1 << (day % 32)) != 0 => b,
            _ => self.home,
        };
        match s {
            s if s < 7.0 => self.home,
            s if s < 8.0 => lerp(self.home, day_place, s - 7.0),
            s if s < 17.0 => day_place,
            s if s < 18.0 => lerp(day_place, evening, s - 17.0),
            s if s < 21.0 => evening,
            s if s < 22.0 => lerp(evening, self.home, s - 21.0),
            _ => self.home,
        }
    }
}

fn lives() -> Vec<Life> {
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(4);
    let bars: Vec<LatLon> = (0..60)
        .map(|_| CENTRE.moved(rng.random_range(0.0..360.0), rng.random_range(0.0..10_000.0)))
        .collect();
    (0..PEOPLE)
        .map(|_| {
            let home = CENTRE.moved(rng.random_range(0.0..360.0), rng.random_range(0.0..15_000.0));
            let work = rng
                .random_bool(0.6)
                .then(|| CENTRE.moved(rng.random_range(0.0..360.0), rng.random_range(0.0..8_000.0)));
            let bar = rng.random_bool(0.3).then(|| bars[rng.random_range(0..bars.len())]);
            let bar_days = (0..32).filter(|_| rng.random_bool(0.4)).fold(0u32, |m, d| m | (1 << d));
            Life { home, work, bar, bar_days }
        })
        .collect()
}

fn data_path() -> PathBuf {
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../target"));
    target.join("bench-data/investigate-v4.sqlite")
}

fn person_id(i: usize) -> PersonId {
    PersonId(uuid::Uuid::from_u128(0x0190_0000_0000_7000_8000_0000_0000_0000 | i as u128))
}

fn people() -> Vec<Person> {
    (0..PEOPLE)
        .map(|i| Person {
            id: person_id(i),
            name: format!("Pessoa {i:04}"),
            record: format!("{i:06}"),
            regime: Regime::Open,
            group: Some(format!("Grupo {:02}", i / GROUP_SIZE)),
            region: None,
            responsible: None,
            linked_person: None,
            personal: Default::default(),
            revision: Default::default(),
            created_at: DateTime::from_timestamp(START, 0).expect("start"),
            photo: None,
        })
        .collect()
}

async fn build(path: &std::path::Path, lives: &[Life]) {
    println!("building {} (4,000 people × 30 days × 2,880 fixes/day; a few minutes)…", path.display());
    let started = Instant::now();
    let tmp = path.with_extension("building");
    let _ = std::fs::remove_file(&tmp);
    let _ = std::fs::remove_file(tmp.with_extension("building-wal"));
    let store = Store::open(&tmp, std::sync::Arc::new(atalaia_core::SystemClock)).expect("open");
    let everyone = people();
    store
        .write(move |ctx| {
            for p in &everyone {
                ctx.save(p)?;
            }
            Ok(())
        })
        .await
        .expect("people");
    store.close();
    drop(store);
    tokio::time::sleep(Duration::from_millis(200)).await;

    let mut conn = rusqlite::Connection::open(&tmp).expect("open");
    // The grid is written in (cell, hour) order while people are filed one after another: a
    // large cache keeps its pages in memory during the build.
    conn.execute_batch("PRAGMA synchronous = OFF; PRAGMA cache_size = -4194304;").expect("pragmas");
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(5);
    let per_hour = (3600 / INTERVAL_S) as usize;
    for (i, life) in lives.iter().enumerate() {
        let tx = conn.transaction().expect("tx");
        let subject = tracks::subject_for(&tx, &person_id(i)).expect("subject");
        let mut block: Vec<TrackFix> = Vec::with_capacity(per_hour);
        for h in 0..DAYS * 24 {
            block.clear();
            for k in 0..per_hour as i64 {
                let offset = h * 3600 + k * INTERVAL_S + rng.random_range(0..3);
                let p = life.place(offset);
                let noise = LatLon {
                    lat: p.lat + rng.random_range(-8.0..8.0) / 111_320.0,
                    lon: p.lon + rng.random_range(-8.0..8.0) / 110_000.0,
                };
                let f = TrackFix { t: START + offset, lat: noise.lat, lon: noise.lon };
                block.push(f);
            }
            let hour = hour_of(START) + h;
            tracks::file_hour(&tx, subject, hour, &block, None).expect("block");
        }
        tx.commit().expect("commit");
        if (i + 1) % 500 == 0 {
            println!("  {} people, {:.0} s", i + 1, started.elapsed().as_secs_f64());
        }
    }
    conn.execute_batch("PRAGMA wal_checkpoint(TRUNCATE); ANALYZE;").expect("checkpoint");
    drop(conn);
    std::fs::rename(&tmp, path).expect("rename");
    println!("built in {:.0} s", started.elapsed().as_secs_f64());
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i.min(sorted.len() - 1)]
}

fn report(name: &str, mut times: Vec<Duration>, answers: usize, refused: usize) {
    times.sort();
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    println!(
        "{name:<42} median {:>7.1} ms  p99 {:>7.1} ms  max {:>7.1} ms  ({} runs, {answers} results, {refused} refused as too broad)",
        ms(percentile(&times, 0.5)),
        ms(percentile(&times, 0.99)),
        ms(*times.last().expect("runs")),
        times.len()
    );
}

fn time(t: i64) -> DateTime<Utc> {
    DateTime::from_timestamp(t, 0).expect("time")
}

#[tokio::main]
async fn main() {
    let args: Vec<String> = std::env::args().skip(1).filter(|a| !a.starts_with("--")).collect();
    let samples: usize = args.first().and_then(|a| a.parse().ok()).unwrap_or(40);
    let only = args.get(1).cloned().unwrap_or_default();
    let lives = lives();
    let path = data_path();
    std::fs::create_dir_all(path.parent().expect("dir")).expect("mkdir");
    if !path.exists() {
        build(&path, &lives).await;
    }
    let size = std::fs::metadata(&path).map(|m| m.len()).unwrap_or(0);
    // Opened as the store opens its read connections.
    let conn = rusqlite::Connection::open_with_flags(
        &path,
        rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY | rusqlite::OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )
    .expect("open");
    if let Ok(pragmas) = std::env::var("BENCH_PRAGMAS") {
        conn.execute_batch(&pragmas).expect("pragmas");
    }
    let hours: i64 =
        Store::scalar_i64(&conn, "SELECT COUNT(*) FROM track_hours").expect("count").unwrap_or(0);
    let fixes: i64 = Store::scalar_i64(&conn, "SELECT SUM(n) FROM track_hours").expect("sum").unwrap_or(0);
    println!(
        "dataset: {} person-hours, {} fixes, {:.1} GB ({})",
        hours,
        fixes,
        size as f64 / 1e9,
        path.display()
    );
    let everyone = people();
    let end = START + DAYS * 86_400;
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(6);
    // Warm the file into the page cache as a long-running server would have it.
    let _ = Store::scalar_i64(&conn, "SELECT SUM(length(fixes)) FROM track_hours");

    // Each query answers how many results it found, or None when refused as too broad.
    let mut run = |name: &str, f: &mut dyn FnMut(&mut rand_chacha::ChaCha8Rng) -> Option<usize>| {
        if !name.contains(only.as_str()) {
            return;
        }
        let mut times = Vec::with_capacity(samples);
        let (mut answers, mut refused) = (0, 0);
        for _ in 0..samples {
            let started = Instant::now();
            match f(&mut rng) {
                Some(n) => answers += n,
                None => refused += 1,
            }
            times.push(started.elapsed());
        }
        report(name, times, answers, refused);
    };
    fn counted<T>(r: Result<Vec<T>, investigate::InvestigateError>) -> Option<usize> {
        match r {
            Ok(v) => Some(v.len()),
            Err(investigate::InvestigateError::TooBroad(_)) => None,
            Err(e) => panic!("query failed: {e}"),
        }
    }
    let pick = |rng: &mut rand_chacha::ChaCha8Rng| rng.random_range(0..PEOPLE);
    // A place someone really was at a random moment (crime scenes are where people go).
    let scene = |rng: &mut rand_chacha::ChaCha8Rng| {
        let i = rng.random_range(0..PEOPLE);
        let t = rng.random_range(0..DAYS * 86_400);
        (lives[i].place(t), START + t)
    };

    run("presence, person × 200 m × 30 days", &mut |rng| {
        let i = pick(rng);
        let (p, _) = scene(rng);
        let at = if rng.random_bool(0.5) { lives[i].home } else { p };
        let r = investigate::presence(Db::from(&conn), &everyone[i], at, 200.0, time(START), time(end))
            .expect("presence");
        Some(r.visits.len())
    });
    for (label, hours) in [("2 h", 2), ("24 h", 24), ("7 days", 24 * 7), ("30 days", 24 * 30)] {
        run(&format!("nearby, 200 m × {label}"), &mut |rng| {
            let (p, t) = scene(rng);
            let from = (t - hours * 1800).max(START);
            let to = (from + hours * 3600).min(end);
            counted(investigate::nearby(Db::from(&conn), p, 200.0, time(from), time(to)))
        });
    }
    run("track, person × 30 days (86,400 fixes)", &mut |rng| {
        let i = pick(rng);
        let t =
            investigate::tracks_of(Db::from(&conn), &everyone[i..=i], time(START), time(end)).expect("track");
        Some(t[0].points.len())
    });
    run("track, group of 100 × 24 h", &mut |rng| {
        let g = rng.random_range(0..PEOPLE / GROUP_SIZE);
        let from = START + rng.random_range(0..DAYS - 1) * 86_400;
        let members = &everyone[g * GROUP_SIZE..(g + 1) * GROUP_SIZE];
        let t = investigate::tracks_of(Db::from(&conn), members, time(from), time(from + 86_400))
            .expect("tracks");
        Some(t.iter().map(|p| p.points.len()).sum())
    });
    for (label, days) in [("7 days", 7), ("30 days", 30)] {
        run(&format!("encounters, person × {label}"), &mut |rng| {
            let i = pick(rng);
            let from = START + rng.random_range(0..=DAYS - days) * 86_400;
            counted(investigate::encounters(
                Db::from(&conn),
                &everyone[i..=i],
                None,
                time(from),
                time(from + days * 86_400),
                50.0,
                120,
            ))
        });
    }
    run("encounters, group of 100 × 24 h", &mut |rng| {
        let g = rng.random_range(0..PEOPLE / GROUP_SIZE);
        let members = &everyone[g * GROUP_SIZE..(g + 1) * GROUP_SIZE];
        let ids: HashSet<PersonId> = members.iter().map(|p| p.id).collect();
        let from = START + rng.random_range(0..DAYS - 1) * 86_400;
        counted(investigate::encounters(
            Db::from(&conn),
            members,
            Some(&ids),
            time(from),
            time(from + 86_400),
            50.0,
            120,
        ))
    });
    run("common places, person × 30 days", &mut |rng| {
        let i = pick(rng);
        counted(investigate::common_places(
            Db::from(&conn),
            &everyone[i..=i],
            None,
            time(START),
            time(end),
            30,
        ))
    });
    run("common places, group of 100 × 7 days", &mut |rng| {
        let g = rng.random_range(0..PEOPLE / GROUP_SIZE);
        let members = &everyone[g * GROUP_SIZE..(g + 1) * GROUP_SIZE];
        let ids: HashSet<PersonId> = members.iter().map(|p| p.id).collect();
        let from = START + rng.random_range(0..DAYS - 7) * 86_400;
        counted(investigate::common_places(
            Db::from(&conn),
            members,
            Some(&ids),
            time(from),
            time(from + 7 * 86_400),
            30,
        ))
    });
}
