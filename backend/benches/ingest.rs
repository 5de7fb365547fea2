//! Ingest benchmark: OsmAnd reports over real HTTP on 127.0.0.1 into a real SQLite file, each
//! acknowledged only after its group commit. Seed 003 8b targets about 133 fixes/s steady and
//! 267 fixes/s at 15 s intervals for 4,000 devices.
//!
//! `cargo bench -p atalaia-backend --bench ingest [-- REPORTS CONCURRENCY [SERVERS]]` — SERVERS
//! (PostgreSQL only, `ATALAIA_BENCH_DATABASE`) runs that many servers on the one database, the
//! reports spread over them.

#![allow(clippy::print_stdout)] // a benchmark reports on standard output

use atalaia_backend::Config;
use atalaia_core::ids::DeviceId;
use atalaia_core::monitoring::{Device, DeviceKind, DeviceState};
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::sync::Mutex;

const DEVICES: usize = 4000;

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i.min(sorted.len() - 1)]
}

#[tokio::main]
async fn main() {
    let args: Vec<usize> = std::env::args().skip(1).filter_map(|a| a.parse().ok()).collect();
    let reports = args.first().copied().unwrap_or(20_000);
    let concurrency = args.get(1).copied().unwrap_or(64);
    let servers = args.get(2).copied().unwrap_or(1).max(1);
    let dir = tempfile::tempdir().expect("tempdir");
    let db = database(dir.path());
    assert!(servers == 1 || db.to_string_lossy().starts_with("postgres"), "several servers need PostgreSQL");
    let running = atalaia_backend::start(Config::embedded(db.clone())).await.expect("server");
    running
        .state
        .store
        .write(|ctx| {
            for i in 0..DEVICES {
                ctx.save(&Device {
                    id: DeviceId::new(),
                    imei: format!("86400{i:010}"),
                    kind: DeviceKind::AnkleBracelet,
                    state: DeviceState::Active,
                    sim1: None,
                    sim2: None,
                    person_id: None,
                    vehicle_id: None,
                    last_contact: None,
                    battery_pct: None,
                    model: None,
                    report_interval_s: None,
                    history: Vec::new(),
                    created_at: ctx.now,
                })?;
            }
            Ok(())
        })
        .await
        .expect("devices");
    let mut others = Vec::new();
    for _ in 1..servers {
        others.push(atalaia_backend::start(Config::embedded(db.clone())).await.expect("server"));
    }
    let client = reqwest::Client::builder().pool_max_idle_per_host(concurrency).build().expect("client");
    let urls: Arc<Vec<String>> =
        Arc::new(std::iter::once(&running).chain(&others).map(|r| r.osmand_url()).collect());
    let latencies = Arc::new(Mutex::new(Vec::with_capacity(reports)));
    let next = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let started = Instant::now();
    let mut workers = Vec::new();
    for _ in 0..concurrency {
        let (client, urls, latencies, next) = (client.clone(), urls.clone(), latencies.clone(), next.clone());
        workers.push(tokio::spawn(async move {
            loop {
                let n = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                if n >= reports {
                    return;
                }
                // A device reports to one server (by its number).
                let url = &urls[(n % DEVICES) % urls.len()];
                let q = format!(
                    "{url}/?id=86400{:010}&lat={:.6}&lon=-63.9&timestamp={}&speed=3&batt=80",
                    n % DEVICES,
                    -8.76 - (n as f64) * 1e-6,
                    1_795_000_000 + n
                );
                let t = Instant::now();
                let resp = client.get(q).send().await.expect("request");
                assert!(resp.status().is_success(), "status {}", resp.status());
                latencies.lock().await.push(t.elapsed());
            }
        }));
    }
    for w in workers {
        w.await.expect("worker");
    }
    let elapsed = started.elapsed();
    let mut l = latencies.lock().await.clone();
    l.sort();
    println!(
        "ingest: {reports} reports, {DEVICES} devices, {servers} server(s), concurrency {concurrency}: {:.0} fixes/s, \
         latency median {:.2} ms, p99 {:.2} ms, max {:.2} ms",
        reports as f64 / elapsed.as_secs_f64(),
        percentile(&l, 0.5).as_secs_f64() * 1e3,
        percentile(&l, 0.99).as_secs_f64() * 1e3,
        l.last().copied().unwrap_or_default().as_secs_f64() * 1e3,
    );
    for r in others {
        r.shutdown().await;
    }
    running.shutdown().await;
}

/// The bench's database: a SQLite file in `dir`, or the PostgreSQL named by
/// `ATALAIA_BENCH_DATABASE` (a `postgres://` URL; `postgres-for-tests --durable` starts one).
fn database(dir: &std::path::Path) -> std::path::PathBuf {
    match std::env::var("ATALAIA_BENCH_DATABASE") {
        Ok(url) if !url.is_empty() => url.into(),
        _ => dir.join("bench.sqlite"),
    }
}
