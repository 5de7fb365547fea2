//! The crew app's browser scenes (issue 23): a server with USA-01 and its crew's account, a
//! regulated call waiting for a vehicle, and the runner of the scripts in `crew-app/e2e/`, which
//! drive Debian's Chromium through playwright-core. Shared by the tests and the benchmark.

use crate::TestServer;
use atalaia_core::auth::Role;
use atalaia_core::samu::{Dispatch, Occurrence};
use serde_json::{Value, json};
use std::path::PathBuf;

pub async fn ok(resp: reqwest::Response) -> Value {
    let status = resp.status();
    let body: Value = resp.json().await.expect("json body");
    assert!(status.is_success(), "{status}: {body}");
    body
}

pub fn de<T: serde::de::DeserializeOwned>(v: Value) -> T {
    serde_json::from_value(v).expect("typed body")
}

pub fn crew_app() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../crew-app")
}

/// Runs one browser scenario with `input`; returns the JSON it printed last.
pub async fn scenario(name: &str, input: Value, env: &[(&str, String)]) -> Value {
    let mut cmd = std::process::Command::new("node");
    cmd.arg(crew_app().join("e2e").join(name)).env("CREW_E2E", input.to_string()).current_dir(crew_app());
    if let Ok(dir) = std::env::var("ATALAIA_UI_SNAPSHOT") {
        std::fs::create_dir_all(&dir).expect("screenshot dir");
        cmd.env("CREW_SHOTS", dir);
    }
    for (k, v) in env {
        cmd.env(k, v);
    }
    // The server runs on this test's runtime: the browser waits on a thread of its own.
    let run = tokio::task::spawn_blocking(move || cmd.output());
    let out = tokio::time::timeout(std::time::Duration::from_secs(600), run)
        .await
        .expect("the browser scenario ends in time")
        .expect("the scenario's thread")
        .expect("node runs (bash scripts/deps.sh test installs Node.js and Chromium)");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{name} failed:\n{stdout}\n{}", String::from_utf8_lossy(&out.stderr));
    serde_json::from_str(stdout.lines().last().expect("a result line")).expect("result JSON")
}

pub struct Scene {
    pub s: TestServer,
    pub regulator: String,
    pub fleet: String,
    pub vehicle: String,
    /// USA-02, which joins the occurrence and takes a victim over (RFS053).
    pub second: String,
    pub occurrence: String,
}

/// USA-01 available, its crew's account, and a regulated call waiting for a vehicle.
pub async fn scene() -> Scene {
    scene_at(std::sync::Arc::new(atalaia_core::SystemClock)).await
}

/// A USA registered and made available; its id.
async fn available_usa(s: &TestServer, fleet: &str, code: &str) -> String {
    let v = ok(s
        .post(
            &s.admin_token,
            "/vehicles",
            &json!({"code": code, "kind": "usa", "municipality": "Belo Horizonte"}),
        )
        .await)
    .await;
    let id = v["id"].as_str().expect("id").to_owned();
    ok(s.post(fleet, &format!("/vehicles/{id}/status"), &json!({"status": "available"})).await).await;
    id
}

/// The same scene on a server whose time comes from `clock`.
pub async fn scene_at(clock: std::sync::Arc<dyn atalaia_core::Clock>) -> Scene {
    let s = TestServer::start_at(clock, |_| {}).await;
    let tarm = s.user_token("tarm", Role::Tarm).await;
    let regulator = s.user_token("regulador", Role::Regulator).await;
    let fleet = s.user_token("frota", Role::FleetController).await;
    s.user_token("equipe", Role::Crew).await;
    let vehicle = available_usa(&s, &fleet, "USA-01").await;
    let call = json!({"call_type": "atendimento", "caller_name": "Maria Souza", "caller_phone": "31988887777",
        "address": "Praça Sete de Setembro, s/n - Centro", "municipality": "Belo Horizonte",
        "description": "Motociclista, colisão com carro", "location": {"lat": -19.9191, "lon": -43.9386},
        "victims": [{"name": "João Pereira", "age_years": 34}, {"name": "Ana Lima"}]});
    let o = ok(s.post(&tarm, "/occurrences", &call).await).await;
    let occurrence = o["id"].as_str().expect("id").to_owned();
    ok(s.post(
        &regulator,
        &format!("/occurrences/{occurrence}/regulation"),
        &json!({"stage": "primary", "priority": "emergency", "resource": "usa",
                "orientation": "Não remover o capacete; manter a vítima imóvel."}),
    )
    .await)
    .await;
    let second = available_usa(&s, &fleet, "USA-02").await;
    Scene { s, regulator, fleet, vehicle, second, occurrence }
}

impl Scene {
    pub fn input(&self) -> Value {
        json!({"base": self.s.running.base_url(), "regulator": self.regulator, "fleet": self.fleet,
               "vehicle": self.vehicle, "second": self.second, "occurrence": self.occurrence})
    }

    pub async fn occurrence(&self) -> Occurrence {
        de(ok(self.s.get(&self.regulator, &format!("/occurrences/{}", self.occurrence)).await).await)
    }

    pub async fn dispatch(&self) -> Dispatch {
        let all: Vec<Dispatch> =
            de(ok(self.s.get(&self.fleet, &format!("/dispatches?occurrence_id={}", self.occurrence)).await)
                .await);
        all.into_iter().find(|d| d.vehicle_code == "USA-01").expect("USA-01's dispatch")
    }
}
