//! TDC-PROC replayed (issue 5, RNF01: 90 % of functions within 6 s; our target: every call
//! under 100 ms on 2 cores). One real server on 127.0.0.1 with its SQLite file, a fleet of 12
//! ambulances reporting over OsmAnd, and the whole macroprocess — intake, hand-off, primary and
//! secondary regulation (USB redefined to USA), panel, recommendation, dispatch, crew receipt and
//! phases, care record, a photo, chat with read receipt, conduct and destination, attendance
//! report PDF, closure, vehicle back to available — run ITERATIONS times in a row, each HTTP
//! call timed from request to the end of its body.
//!
//! `cargo bench -p atalaia-tests --bench tdc_proc -- [ITERATIONS]` (default 1,000).

#![allow(clippy::print_stdout)] // a benchmark reports on standard output

use atalaia_core::auth::Role;
use atalaia_tests::TestServer;
use serde_json::{Value, json};
use std::collections::BTreeMap;
use std::time::{Duration, Instant};

const CENTRE: (f64, f64) = (-19.9191, -43.9386);

struct Timed {
    calls: BTreeMap<&'static str, Vec<Duration>>,
}

impl Timed {
    async fn send(&mut self, name: &'static str, req: reqwest::RequestBuilder) -> Value {
        let start = Instant::now();
        let resp = req.send().await.expect("request");
        let status = resp.status();
        let body = resp.bytes().await.expect("body");
        self.calls.entry(name).or_default().push(start.elapsed());
        assert!(status.is_success(), "{name}: {status} {}", String::from_utf8_lossy(&body));
        serde_json::from_slice(&body).unwrap_or(Value::Null)
    }
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    sorted[((sorted.len() as f64 * p).ceil() as usize).clamp(1, sorted.len()) - 1]
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let iterations: usize =
        std::env::args().skip(1).find(|a| !a.starts_with('-')).and_then(|a| a.parse().ok()).unwrap_or(1000);
    let s = TestServer::start().await;
    let tarm = s.user_token("tarm", Role::Tarm).await;
    let primary = s.user_token("regulador1", Role::Regulator).await;
    let secondary = s.user_token("regulador2", Role::Regulator).await;
    let fleet = s.user_token("frota", Role::FleetController).await;
    let crew = s.user_token("equipe", Role::Crew).await;
    let mut vehicles = Vec::new();
    for i in 0..12 {
        let kind = if i % 2 == 0 { "usa" } else { "usb" };
        let v: Value = s
            .post(&s.admin_token, "/vehicles", &json!({"code": format!("{}-{i:02}", kind.to_uppercase()), "kind": kind, "municipality": "Belo Horizonte"}))
            .await
            .json()
            .await
            .expect("vehicle");
        let id = v["id"].as_str().expect("id").to_owned();
        let imei = format!("35200000000{i:04}");
        s.post(
            &s.admin_token,
            "/devices",
            &json!({"imei": imei, "kind": "vehicle_tracker", "vehicle_id": id}),
        )
        .await;
        let (lat, lon) =
            (CENTRE.0 + 0.01 * f64::from(i % 4) - 0.015, CENTRE.1 + 0.01 * f64::from(i / 4) - 0.01);
        let now = chrono::Utc::now().timestamp();
        s.osmand(&format!("id={imei}&lat={lat:.6}&lon={lon:.6}&timestamp={now}&speed=0")).await;
        s.post(&fleet, &format!("/vehicles/{id}/status"), &json!({"status": "available"})).await;
        vehicles.push(id);
    }
    let photo: Vec<u8> = (0..20_000u32).map(|i| (i % 251) as u8).collect();
    let mut t = Timed { calls: BTreeMap::new() };
    let started = Instant::now();
    for i in 0..iterations {
        let api = |p: &str| s.url(p);
        let (lat, lon) =
            (CENTRE.0 + 0.0007 * ((i % 40) as f64 - 20.0), CENTRE.1 + 0.0005 * ((i % 30) as f64 - 15.0));
        let call = json!({"call_type": "atendimento", "caller_name": "Maria Souza", "caller_phone": format!("3198{:07}", i),
            "address": "Praça Sete de Setembro, s/n", "municipality": "Belo Horizonte", "location": {"lat": lat, "lon": lon},
            "description": "Motociclista caído", "hand_off": false,
            "victims": [{"name": "João Pereira", "sex": "male", "age_years": 34, "cpf": "529.982.247-25"}]});
        let h = &s.http;
        let earlier = t
            .send(
                "GET /occurrences?phone= (RFS182)",
                h.get(api(&format!("/occurrences?phone=3198{i:07}"))).bearer_auth(&tarm),
            )
            .await;
        assert!(earlier.as_array().is_some());
        let occ =
            t.send("POST /occurrences", h.post(api("/occurrences")).bearer_auth(&tarm).json(&call)).await;
        let id = occ["id"].as_str().expect("id").to_owned();
        t.send(
            "POST /occurrences/{id}/handoff",
            h.post(api(&format!("/occurrences/{id}/handoff")))
                .bearer_auth(&tarm)
                .json(&json!({"prioritized": i % 10 == 0})),
        )
        .await;
        t.send("POST /occurrences/{id}/regulation", h.post(api(&format!("/occurrences/{id}/regulation"))).bearer_auth(&primary)
            .json(&json!({"stage": "primary", "demand_type": "trauma", "priority": "very_urgent", "ambulance_needed": true,
                "resource": "usb", "orientation": "Não remover o capacete."}))).await;
        t.send("POST /occurrences/{id}/regulation", h.post(api(&format!("/occurrences/{id}/regulation"))).bearer_auth(&secondary)
            .json(&json!({"stage": "secondary", "resource": "usa", "priority": "emergency", "reason": "suporte avançado"}))).await;
        let panel = t.send("GET /panel", h.get(api("/panel")).bearer_auth(&fleet)).await;
        assert!(panel.as_array().is_some_and(|p| !p.is_empty()));
        let rec = t
            .send(
                "GET /occurrences/{id}/recommendation",
                h.get(api(&format!("/occurrences/{id}/recommendation"))).bearer_auth(&fleet),
            )
            .await;
        let vid = rec[0]["vehicle_id"].as_str().expect("a free USA").to_owned();
        let d = t
            .send(
                "POST /dispatches",
                h.post(api("/dispatches"))
                    .bearer_auth(&fleet)
                    .json(&json!({"occurrence_id": id, "vehicle_id": vid})),
            )
            .await;
        let did = d["id"].as_str().expect("id").to_owned();
        t.send(
            "PUT /crew/vehicle",
            h.put(api("/crew/vehicle")).bearer_auth(&crew).json(&json!({"vehicle_id": vid})),
        )
        .await;
        t.send(
            "GET /vehicles/{id}/assignments",
            h.get(api(&format!("/vehicles/{vid}/assignments"))).bearer_auth(&crew),
        )
        .await;
        t.send(
            "POST /dispatches/{id}/ack",
            h.post(api(&format!("/dispatches/{did}/ack"))).bearer_auth(&crew).json(&json!({})),
        )
        .await;
        for status in ["en_route", "on_scene"] {
            t.send(
                "POST /dispatches/{id}/status",
                h.post(api(&format!("/dispatches/{did}/status")))
                    .bearer_auth(&crew)
                    .json(&json!({"status": status})),
            )
            .await;
        }
        t.send(
            "POST /occurrences/{id}/records",
            h.post(api(&format!("/occurrences/{id}/records"))).bearer_auth(&crew).json(
                &json!({"victim": 1, "vitals": {"rr": 22, "hr": 112, "sbp": 100, "dbp": 60, "spo2": 95},
                "glasgow": {"eye": 4, "verbal": 5, "motor": 6}, "notes": "Deformidade em coxa direita."}),
            ),
        )
        .await;
        t.send(
            "POST /occurrences/{id}/attachments (20 KB photo)",
            h.post(api(&format!("/occurrences/{id}/attachments?kind=photo&name=local.jpg")))
                .bearer_auth(&crew)
                .header("content-type", "image/jpeg")
                .body(photo.clone()),
        )
        .await;
        let m = t
            .send(
                "POST /occurrences/{id}/messages",
                h.post(api(&format!("/occurrences/{id}/messages")))
                    .bearer_auth(&crew)
                    .json(&json!({"text": "Solicito orientação sobre a conduta.", "canned": true})),
            )
            .await;
        let mid = m["id"].as_str().expect("id").to_owned();
        t.send(
            "POST /messages/{id}/read",
            h.post(api(&format!("/messages/{mid}/read"))).bearer_auth(&secondary).json(&json!({})),
        )
        .await;
        t.send("POST /occurrences/{id}/regulation", h.post(api(&format!("/occurrences/{id}/regulation"))).bearer_auth(&secondary)
            .json(&json!({"stage": "secondary", "conduct": "Imobilizar, analgesia.", "destination": "Hospital João XXIII"}))).await;
        for status in ["transporting", "at_destination"] {
            t.send(
                "POST /dispatches/{id}/status",
                h.post(api(&format!("/dispatches/{did}/status")))
                    .bearer_auth(&crew)
                    .json(&json!({"status": status})),
            )
            .await;
        }
        t.send(
            "GET /occurrences/{id}/report.pdf",
            h.get(api(&format!("/occurrences/{id}/report.pdf"))).bearer_auth(&crew),
        )
        .await;
        t.send(
            "POST /occurrences/{id}/close",
            h.post(api(&format!("/occurrences/{id}/close")))
                .bearer_auth(&secondary)
                .json(&json!({"reason": "Paciente entregue no destino"})),
        )
        .await;
        t.send(
            "POST /vehicles/{id}/status",
            h.post(api(&format!("/vehicles/{vid}/status")))
                .bearer_auth(&fleet)
                .json(&json!({"status": "available"})),
        )
        .await;
    }
    let elapsed = started.elapsed();
    let mut all: Vec<Duration> = t.calls.values().flatten().copied().collect();
    all.sort();
    println!(
        "TDC-PROC × {iterations}: {} calls in {:.1} s ({:.0} calls/s)",
        all.len(),
        elapsed.as_secs_f64(),
        all.len() as f64 / elapsed.as_secs_f64()
    );
    println!("{:<52} {:>6} {:>9} {:>9} {:>9}", "call", "n", "p50 ms", "p99 ms", "max ms");
    for (name, v) in &mut t.calls {
        v.sort();
        println!(
            "{name:<52} {:>6} {:>9.2} {:>9.2} {:>9.2}",
            v.len(),
            ms(percentile(v, 0.5)),
            ms(percentile(v, 0.99)),
            ms(*v.last().expect("calls"))
        );
    }
    println!(
        "{:<52} {:>6} {:>9.2} {:>9.2} {:>9.2}",
        "every call",
        all.len(),
        ms(percentile(&all, 0.5)),
        ms(percentile(&all, 0.99)),
        ms(*all.last().expect("calls"))
    );
    s.running.shutdown().await;
}
