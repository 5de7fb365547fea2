//! What horizontal security (RFS177) costs a request: 4,000 monitored people in four regions,
//! each with a bracelet and a tamper alarm, on a real server on 127.0.0.1 with a real SQLite
//! file; the same reads by a professional of the central and by one bound to "Regional I" (who
//! reaches 1,000 of them), over HTTP, each timed from request to the whole body read.
//!
//! `cargo bench -p atalaia-backend --bench scope -- [SAMPLES]`  (default 100 per read)

#![allow(clippy::print_stdout)] // a benchmark reports on standard output

use atalaia_backend::Config;
use atalaia_core::alarm::{Alarm, AlarmKind, Subject};
use atalaia_core::auth::Role;
use atalaia_core::ids::{DeviceId, PersonId};
use atalaia_core::monitoring::{Device, DeviceKind, DeviceState, Person, Regime};
use atalaia_core::wire::{LoginResponse, NewUser};
use std::time::{Duration, Instant};

const PEOPLE: usize = 4000;
const REGIONS: [&str; 4] = ["Regional I", "Regional II", "Regional III", "Regional IV"];

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i.min(sorted.len() - 1)]
}

async fn token(http: &reqwest::Client, base: &str, user: &str) -> String {
    let login: LoginResponse = http
        .post(format!("{base}/api/v1/auth/login"))
        .json(&serde_json::json!({"username": user, "password": "senha-de-bench"}))
        .send()
        .await
        .expect("login")
        .json()
        .await
        .expect("login body");
    login.token
}

#[tokio::main]
async fn main() {
    let args: Vec<String> = std::env::args().skip(1).filter(|a| !a.starts_with("--")).collect();
    let samples: usize = args.first().and_then(|a| a.parse().ok()).unwrap_or(100);
    let dir = tempfile::tempdir().expect("tempdir");
    let running =
        atalaia_backend::start(Config::embedded(dir.path().join("bench.sqlite"))).await.expect("server");
    let store = running.state.store.clone();
    let people: Vec<PersonId> = (0..PEOPLE).map(|_| PersonId::new()).collect();
    for (c, chunk) in people.chunks(200).enumerate() {
        let chunk = chunk.to_vec();
        store
            .write(move |ctx| {
                for (j, id) in chunk.into_iter().enumerate() {
                    let i = c * 200 + j;
                    let n = id.to_string();
                    ctx.save(&Person {
                        id,
                        name: format!("Pessoa {n}"),
                        record: n.clone(),
                        regime: Regime::SemiOpen,
                        group: Some("Semiaberto".into()),
                        region: Some(REGIONS[i % REGIONS.len()].into()),
                        responsible: None,
                        linked_person: None,
                        personal: Default::default(),
                        revision: Default::default(),
                        created_at: ctx.now,
                        photo: None,
                    })?;
                    let device = DeviceId::new();
                    ctx.save(&Device {
                        id: device,
                        imei: format!("86500{i:010}"),
                        kind: DeviceKind::AnkleBracelet,
                        state: DeviceState::Active,
                        sim1: None,
                        sim2: None,
                        person_id: Some(id),
                        vehicle_id: None,
                        last_contact: None,
                        battery_pct: None,
                        model: None,
                        report_interval_s: None,
                        history: Vec::new(),
                        created_at: ctx.now,
                    })?;
                    ctx.save(&Alarm::new(AlarmKind::Tamper, Subject::Person(id), None, ctx.now, ctx.now))?;
                }
                Ok(())
            })
            .await
            .expect("seed");
    }
    for (name, unit) in [("central", None), ("regional", Some("Regional I".to_owned()))] {
        let new = NewUser {
            username: name.into(),
            display_name: name.into(),
            role: Role::MonitoringAdmin,
            password: "senha-de-bench".into(),
            unit,
        };
        atalaia_backend::auth::create_user(&store, None, new, false).await.expect("user");
    }
    let http = reqwest::Client::new();
    let base = running.base_url();
    let one = people[0]; // of Regional I
    println!("{PEOPLE} people, 4 regions, a bracelet and an alarm each; {samples} samples per read");
    println!("| read | seat | rows | median | p99 |");
    println!("|---|---|---|---|---|");
    for seat in ["central", "regional"] {
        let token = token(&http, &base, seat).await;
        for path in ["/persons".to_owned(), "/alarms".to_owned(), format!("/persons/{one}")] {
            let mut times = Vec::with_capacity(samples);
            let mut rows = 0;
            for _ in 0..samples {
                let started = Instant::now();
                let body = http
                    .get(format!("{base}/api/v1{path}"))
                    .bearer_auth(&token)
                    .send()
                    .await
                    .expect("GET")
                    .bytes()
                    .await
                    .expect("body");
                times.push(started.elapsed());
                rows = match serde_json::from_slice::<serde_json::Value>(&body).expect("json") {
                    serde_json::Value::Array(a) => a.len(),
                    _ => 1,
                };
            }
            times.sort();
            let show = |d: Duration| format!("{:.2} ms", d.as_secs_f64() * 1e3);
            let label = if path.starts_with("/persons/") { "/persons/{id}" } else { path.as_str() };
            println!(
                "| GET {label} | {seat} | {rows} | {} | {} |",
                show(percentile(&times, 0.5)),
                show(percentile(&times, 0.99))
            );
        }
    }
}
