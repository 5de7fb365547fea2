//! Monitoring-engine benchmarks (issue 3), each against a real server on 127.0.0.1 with a real
//! SQLite file, 4,000 monitored people with a bracelet each and 50 zones per person (200,000
//! zones: one inclusion zone at home, 49 exclusion zones around the city).
//!
//! `cargo bench -p atalaia-backend --bench monitoring -- throughput [REPORTS [CONCURRENCY]]`
//!   decode → store → detect → live feed: live OsmAnd reports over HTTP/1.1 keep-alive
//!   connections from concurrent senders; the rate counts reports acknowledged *and* delivered
//!   to a live-feed subscriber.
//! `cargo bench -p atalaia-backend --bench monitoring -- latency [PROBES [SERVERS]]`
//!   the nominal load (4,000 devices every 30 s = 133 reports/s) runs in the background while a
//!   probe device reports its strap opened: time from sending the report to the alarm arriving
//!   on the live feed. SERVERS (PostgreSQL only, `ATALAIA_BENCH_DATABASE`) runs that many servers
//!   on the one database, the background spread over them; the probe reports to a server that
//!   does not lead (its input is queued for the leader) and the feed is read on a third one.
//! `cargo bench -p atalaia-backend --bench monitoring -- replay [POINTS]`
//!   one device replays a store-and-forward backlog over Teltonika TCP (packets of 50 records,
//!   each acknowledged before the next): time from the first byte to the last acknowledgement,
//!   and to the late-data incident on the live feed.

#![allow(clippy::print_stdout)] // a benchmark reports on standard output

use atalaia_backend::Config;
use atalaia_core::alarm::{AlarmKind, AlarmState, Subject};
use atalaia_core::geom::{LatLon, Shape};
use atalaia_core::ids::{DeviceId, PersonId, ZoneId};
use atalaia_core::monitoring::{Device, DeviceKind, DeviceState, Person, Regime, Zone, ZoneKind};
use atalaia_core::wire::EventBody;
use rand::{Rng, SeedableRng};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

const PEOPLE: usize = 4000;
const ZONES_PER_PERSON: usize = 50;
const CENTRE: LatLon = LatLon { lat: -8.7612, lon: -63.9004 };

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i.min(sorted.len() - 1)]
}

fn imei(i: usize) -> String {
    format!("86500{i:010}")
}

struct World {
    running: atalaia_backend::Running,
    /// More servers on the same PostgreSQL, started after the first (which leads).
    others: Vec<atalaia_backend::Running>,
    homes: Vec<LatLon>,
    people: Vec<PersonId>,
    _dir: tempfile::TempDir,
}

async fn world() -> World {
    world_of(1).await
}

async fn world_of(servers: usize) -> World {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = database(dir.path());
    assert!(servers == 1 || db.to_string_lossy().starts_with("postgres"), "several servers need PostgreSQL");
    let running = atalaia_backend::start(Config::embedded(db.clone())).await.expect("server");
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(3);
    let homes: Vec<LatLon> = (0..PEOPLE)
        .map(|_| CENTRE.moved(rng.random_range(0.0..360.0), rng.random_range(0.0..15_000.0)))
        .collect();
    let people: Vec<PersonId> = (0..PEOPLE).map(|_| PersonId::new()).collect();
    let started = Instant::now();
    for chunk in 0..PEOPLE / 100 {
        let mut batch = Vec::new();
        for (i, &home) in homes.iter().enumerate().skip(chunk * 100).take(100) {
            let mut zones = vec![(ZoneKind::Inclusion, home, 150.0)];
            for _ in 1..ZONES_PER_PERSON {
                let at = home.moved(rng.random_range(0.0..360.0), rng.random_range(1_000.0..10_000.0));
                zones.push((ZoneKind::Exclusion, at, rng.random_range(100.0..300.0)));
            }
            batch.push((i, zones));
        }
        let ids = people.clone();
        running
            .state
            .store
            .write(move |ctx| {
                for (i, zones) in batch {
                    ctx.save(&Person {
                        id: ids[i],
                        name: format!("Pessoa {i}"),
                        record: format!("{i:07}"),
                        regime: Regime::ProtectiveMeasure,
                        group: None,
                        region: None,
                        responsible: None,
                        linked_person: None,
                        personal: Default::default(),
                        revision: Default::default(),
                        created_at: ctx.now,
                        photo: None,
                    })?;
                    ctx.save(&Device {
                        id: DeviceId::new(),
                        imei: imei(i),
                        kind: DeviceKind::AnkleBracelet,
                        state: DeviceState::Active,
                        sim1: None,
                        sim2: None,
                        person_id: Some(ids[i]),
                        vehicle_id: None,
                        last_contact: None,
                        battery_pct: None,
                        model: None,
                        report_interval_s: None,
                        history: Vec::new(),
                        created_at: ctx.now,
                    })?;
                    for (kind, center, radius_m) in zones {
                        ctx.save(&Zone {
                            id: ZoneId::new(),
                            name: "z".into(),
                            kind,
                            shape: Shape::Circle { center, radius_m },
                            person_id: Some(ids[i]),
                            group: None,
                            active: true,
                            schedule: None,
                            warning_m: (kind == ZoneKind::Exclusion).then_some(100.0),
                            created_at: ctx.now,
                            lifted: None,
                        })?;
                    }
                }
                Ok(())
            })
            .await
            .expect("seed");
    }
    // The engine follows the event log; wait until it knows every zone.
    loop {
        let n = running.state.monitor.lock().engine.zones().len();
        if n == PEOPLE * ZONES_PER_PERSON {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    println!(
        "setup: {PEOPLE} people, {} zones in {:.1} s",
        PEOPLE * ZONES_PER_PERSON,
        started.elapsed().as_secs_f64()
    );
    let mut others = Vec::new();
    for _ in 1..servers {
        others.push(atalaia_backend::start(Config::embedded(db.clone())).await.expect("server"));
    }
    World { running, others, homes, people, _dir: dir }
}

/// A place near home (inside the inclusion zone) with some GPS jitter.
fn near(home: LatLon, n: usize) -> LatLon {
    home.moved((n * 37 % 360) as f64, (n % 7) as f64 * 10.0)
}

async fn throughput(reports: usize, concurrency: usize) {
    let w = world().await;
    let mut live = w.running.state.store.subscribe();
    let delivered = Arc::new(AtomicUsize::new(0));
    let counter = {
        let delivered = delivered.clone();
        tokio::spawn(async move {
            loop {
                match live.recv().await {
                    Ok(e) if matches!(e.body, EventBody::Position(_)) => {
                        if delivered.fetch_add(1, Ordering::Relaxed) + 1 >= reports {
                            return;
                        }
                    }
                    Ok(_) => {}
                    Err(tokio::sync::broadcast::error::RecvError::Lagged(n)) => {
                        println!("live subscriber lagged by {n} events");
                    }
                    Err(_) => return,
                }
            }
        })
    };
    // A minimal keep-alive HTTP/1.1 client per sender: on one 2-core machine the load generator
    // competes with the server, so it should cost as little as a device's own client.
    let addr = w.running.osmand_addr;
    let homes = Arc::new(w.homes.clone());
    let next = Arc::new(AtomicUsize::new(0));
    let latencies = Arc::new(tokio::sync::Mutex::new(Vec::with_capacity(reports)));
    // Live data: fix times just behind the clock, one second apart per round of all devices.
    let base = chrono::Utc::now().timestamp() - 60;
    let started = Instant::now();
    let mut workers = Vec::new();
    for _ in 0..concurrency {
        let (homes, next, latencies) = (homes.clone(), next.clone(), latencies.clone());
        workers.push(tokio::spawn(async move {
            let mut conn = tokio::net::TcpStream::connect(addr).await.expect("connect");
            conn.set_nodelay(true).expect("nodelay");
            let mut buf = Vec::with_capacity(1024);
            let mut mine = Vec::new();
            loop {
                let n = next.fetch_add(1, Ordering::Relaxed);
                if n >= reports {
                    latencies.lock().await.extend(mine);
                    return;
                }
                let i = n % PEOPLE;
                let p = near(homes[i], n);
                let q = format!(
                    "GET /?id={}&lat={:.7}&lon={:.7}&timestamp={}&accuracy=5&batt=80 HTTP/1.1\r\nHost: bench\r\n\r\n",
                    imei(i),
                    p.lat,
                    p.lon,
                    base + (n / PEOPLE) as i64
                );
                let t = Instant::now();
                conn.write_all(q.as_bytes()).await.expect("request");
                let status = read_response(&mut conn, &mut buf).await;
                assert_eq!(status, 200);
                mine.push(t.elapsed());
            }
        }));
    }
    for worker in workers {
        worker.await.expect("worker");
    }
    let acked = started.elapsed();
    let _ = tokio::time::timeout(Duration::from_secs(10), counter).await;
    let elapsed = started.elapsed();
    let mut l = latencies.lock().await.clone();
    l.sort();
    let evaluated = w.running.state.monitor.lock().raised;
    println!(
        "throughput: {reports} reports, concurrency {concurrency}: {:.0} reports/s acknowledged, \
         {:.0}/s delivered to the live feed ({} of {reports}); request latency median {:.2} ms, \
         p99 {:.2} ms; alarm outputs {evaluated}",
        reports as f64 / acked.as_secs_f64(),
        delivered.load(Ordering::Relaxed) as f64 / elapsed.as_secs_f64(),
        delivered.load(Ordering::Relaxed),
        percentile(&l, 0.5).as_secs_f64() * 1e3,
        percentile(&l, 0.99).as_secs_f64() * 1e3,
    );
    w.running.shutdown().await;
}

/// Read one HTTP/1.1 response (headers and a Content-Length body); returns the status code.
async fn read_response(conn: &mut tokio::net::TcpStream, buf: &mut Vec<u8>) -> u16 {
    buf.clear();
    let mut chunk = [0u8; 1024];
    loop {
        if let Some(end) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            let head = String::from_utf8_lossy(&buf[..end]).to_ascii_lowercase();
            let status: u16 = head.split_whitespace().nth(1).and_then(|s| s.parse().ok()).expect("status");
            let len: usize = head
                .lines()
                .find_map(|l| l.strip_prefix("content-length:"))
                .and_then(|v| v.trim().parse().ok())
                .unwrap_or(0);
            while buf.len() < end + 4 + len {
                let n = conn.read(&mut chunk).await.expect("body");
                assert!(n > 0, "closed");
                buf.extend_from_slice(&chunk[..n]);
            }
            return status;
        }
        let n = conn.read(&mut chunk).await.expect("response");
        assert!(n > 0, "closed");
        buf.extend_from_slice(&chunk[..n]);
    }
}

async fn latency(probes: usize, servers: usize) {
    let w = world_of(servers).await;
    let client = reqwest::Client::new();
    let all: Vec<&atalaia_backend::Running> = std::iter::once(&w.running).chain(&w.others).collect();
    let urls: Arc<Vec<String>> = Arc::new(all.iter().map(|r| r.osmand_url()).collect());
    // The probe reports to a server that does not lead; the feed is read on another one.
    let url = urls[1 % all.len()].clone();
    let reader = all[2 % all.len()];
    // Background: every device every 30 s, i.e. one report every 7.5 ms.
    let stop = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let background = {
        let (client, urls, homes, stop) = (client.clone(), urls.clone(), w.homes.clone(), stop.clone());
        tokio::spawn(async move {
            let mut tick = tokio::time::interval(Duration::from_micros(7_500));
            let mut n = 0usize;
            while !stop.load(Ordering::Relaxed) {
                tick.tick().await;
                // Devices 1.. only: device 0 is the probe.
                let i = 1 + n % (PEOPLE - 1);
                let p = near(homes[i], n);
                let url = &urls[i % urls.len()];
                let q = format!("{url}/?id={}&lat={:.7}&lon={:.7}&accuracy=5", imei(i), p.lat, p.lon);
                let c = client.clone();
                tokio::spawn(async move {
                    let _ = c.get(q).send().await;
                });
                n += 1;
            }
        })
    };
    let probe_person = w.people[0];
    let home = w.homes[0];
    let mut live = reader.state.store.subscribe();
    let mut samples = Vec::with_capacity(probes);
    for k in 0..probes * 2 {
        let open = k % 2 == 0;
        let q = format!(
            "{url}/?id={}&lat={:.7}&lon={:.7}&accuracy=5&strap={}",
            imei(0),
            home.lat,
            home.lon,
            if open { "open" } else { "closed" }
        );
        let t = Instant::now();
        let resp = client.get(q).send().await.expect("probe");
        assert!(resp.status().is_success());
        // Wait for the alarm (raise on open, restore on close) about the probe person.
        loop {
            let e = tokio::time::timeout(Duration::from_secs(5), live.recv()).await.expect("alarm in time");
            let Ok(e) = e else { continue };
            if let EventBody::Alarm(a) = &e.body
                && a.kind == AlarmKind::StrapCut
                && a.subject == Subject::Person(probe_person)
                && (open == matches!(a.state, AlarmState::Open))
            {
                break;
            }
        }
        if open {
            samples.push(t.elapsed());
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    stop.store(true, Ordering::Relaxed);
    let _ = background.await;
    samples.sort();
    println!(
        "latency: {probes} strap-cut alarms under 133 reports/s background, {servers} server(s): \
         median {:.2} ms, p99 {:.2} ms, max {:.2} ms (report sent → alarm on the live feed)",
        percentile(&samples, 0.5).as_secs_f64() * 1e3,
        percentile(&samples, 0.99).as_secs_f64() * 1e3,
        samples.last().copied().unwrap_or_default().as_secs_f64() * 1e3,
    );
    for other in w.others {
        other.shutdown().await;
    }
    w.running.shutdown().await;
}

async fn replay(points: usize) {
    let w = world().await;
    let home = w.homes[0];
    let person = w.people[0];
    let mut live = w.running.state.store.subscribe();
    let now = chrono::Utc::now();
    let first = now - chrono::Duration::seconds(points as i64 * 30 + 600);
    let backlog: Vec<(chrono::DateTime<chrono::Utc>, LatLon)> = (0..points)
        .map(|i| {
            // Out of home for ten minutes every six hours of backlog.
            let out = i % 720 >= 700;
            let at = if out { home.moved(90.0, 900.0) } else { near(home, i) };
            (first + chrono::Duration::seconds(i as i64 * 30), at)
        })
        .collect();
    let started = Instant::now();
    atalaia_backend::scenario::replay_teltonika(w.running.teltonika_addr, &imei(0), &backlog)
        .await
        .expect("replay acknowledged");
    let acked = started.elapsed();
    // The replay ends after a quiet period; the incident follows on the next tick.
    let incident = loop {
        let e = tokio::time::timeout(Duration::from_secs(30), live.recv()).await.expect("incident in time");
        let Ok(e) = e else { continue };
        if let EventBody::Alarm(a) = &e.body
            && a.kind == AlarmKind::LateData
            && a.subject == Subject::Person(person)
        {
            break a.clone();
        }
    };
    let summary = incident.late.expect("summary");
    let alarms = w
        .running
        .state
        .store
        .read(|c| atalaia_backend::store::Store::list::<atalaia_core::alarm::Alarm>(c))
        .await
        .expect("alarms");
    let stale = alarms.iter().filter(|a| a.kind != AlarmKind::LateData).count();
    println!(
        "replay: {points} points in {} packets stored, evaluated and acknowledged in {:.2} s \
         ({:.0} points/s); one late-data incident of {} points with {} episodes, {} other alarms",
        points.div_ceil(50),
        acked.as_secs_f64(),
        points as f64 / acked.as_secs_f64(),
        summary.points,
        summary.episodes.len(),
        stale
    );
    w.running.shutdown().await;
}

#[tokio::main]
async fn main() {
    let args: Vec<String> = std::env::args().skip(1).filter(|a| a != "--bench").collect();
    let num = |i: usize, default: usize| args.get(i).and_then(|a| a.parse().ok()).unwrap_or(default);
    match args.first().map(String::as_str) {
        Some("latency") => latency(num(1, 300), num(2, 1).max(1)).await,
        Some("replay") => replay(num(1, 50_000)).await,
        _ => throughput(num(1, 40_000), num(2, 64)).await,
    }
}

/// The bench's database: a SQLite file in `dir`, or the PostgreSQL named by
/// `ATALAIA_BENCH_DATABASE` (a `postgres://` URL; `postgres-for-tests --durable` starts one).
fn database(dir: &std::path::Path) -> std::path::PathBuf {
    match std::env::var("ATALAIA_BENCH_DATABASE") {
        Ok(url) if !url.is_empty() => url.into(),
        _ => dir.join("bench.sqlite"),
    }
}
