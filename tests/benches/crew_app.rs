//! The crew app's loading times (issue 23), in Debian's Chromium against a real server on
//! 127.0.0.1: the first load over an emulated slow 3G link, and a reload with no network from
//! the service worker. The browser part is `crew-app/e2e/bench.mjs`.
//!
//! `cargo bench -p atalaia-tests --bench crew_app -- [RUNS]` (default 10).

#![allow(clippy::print_stdout)] // a benchmark reports on standard output

use atalaia_tests::crew::{ok, scenario, scene};
use serde_json::{Value, json};

fn summary(name: &str, samples: &Value) {
    let mut ms: Vec<f64> = samples.as_array().expect("samples").iter().filter_map(Value::as_f64).collect();
    ms.sort_by(f64::total_cmp);
    let at = |q: f64| ms[((ms.len() as f64 - 1.0) * q).round() as usize];
    println!("{name:<34} n={:<3} median {:>7.0} ms   p99 {:>7.0} ms", ms.len(), at(0.5), at(0.99));
}

#[tokio::main]
async fn main() {
    let runs: u32 = std::env::args().skip(1).find_map(|a| a.parse().ok()).unwrap_or(10);
    let sc = scene().await;
    ok(sc
        .s
        .post(&sc.fleet, "/dispatches", &json!({"occurrence_id": sc.occurrence, "vehicle_id": sc.vehicle}))
        .await)
    .await;
    let out = scenario("bench.mjs", sc.input(), &[("CREW_BENCH_RUNS", runs.to_string())]).await;
    summary("first load, slow 3G (to sign-in)", &out["firstLoad"]);
    summary("reload offline (to assignment)", &out["offlineReload"]);
    println!("bytes over the wire on first load: {}", out["bytes"]);
    sc.s.running.shutdown().await;
}
