//! Issue 23: the crew's tablet app at `/crew/`, driven in a real headless Chromium (Debian's
//! `chromium`, by playwright-core from `crew-app/e2e/`) against a real server on 127.0.0.1. The
//! page does the crew's part; this side sets the scene up and asserts what the server recorded.

use atalaia_core::auth::Role;
use atalaia_core::samu::{Dispatch, Occurrence};
use atalaia_tests::{TestServer, pdf_text};
use serde_json::{Value, json};
use std::path::PathBuf;

async fn ok(resp: reqwest::Response) -> Value {
    let status = resp.status();
    let body: Value = resp.json().await.expect("json body");
    assert!(status.is_success(), "{status}: {body}");
    body
}

fn de<T: serde::de::DeserializeOwned>(v: Value) -> T {
    serde_json::from_value(v).expect("typed body")
}

fn crew_app() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../crew-app")
}

/// Runs one browser scenario with `input`; returns the JSON it printed last.
async fn scenario(name: &str, input: Value, env: &[(&str, String)]) -> Value {
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
    let out = tokio::time::timeout(std::time::Duration::from_secs(240), run)
        .await
        .expect("the browser scenario ends in time")
        .expect("the scenario's thread")
        .expect("node runs (bash scripts/deps.sh test installs Node.js and Chromium)");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{name} failed:\n{stdout}\n{}", String::from_utf8_lossy(&out.stderr));
    serde_json::from_str(stdout.lines().last().expect("a result line")).expect("result JSON")
}

struct Scene {
    s: TestServer,
    regulator: String,
    fleet: String,
    vehicle: String,
    /// USA-02, which joins the occurrence and takes a victim over (RFS053).
    second: String,
    occurrence: String,
}

/// USA-01 available, its crew's account, and a regulated call waiting for a vehicle.
async fn scene() -> Scene {
    let s = TestServer::start().await;
    let tarm = s.user_token("tarm", Role::Tarm).await;
    let regulator = s.user_token("regulador", Role::Regulator).await;
    let fleet = s.user_token("frota", Role::FleetController).await;
    s.user_token("equipe", Role::Crew).await;
    let v = ok(s
        .post(
            &s.admin_token,
            "/vehicles",
            &json!({"code": "USA-01", "kind": "usa", "municipality": "Belo Horizonte"}),
        )
        .await)
    .await;
    let vehicle = v["id"].as_str().expect("id").to_owned();
    ok(s.post(&fleet, &format!("/vehicles/{vehicle}/status"), &json!({"status": "available"})).await).await;
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
    let usa2 = ok(s
        .post(
            &s.admin_token,
            "/vehicles",
            &json!({"code": "USA-02", "kind": "usa", "municipality": "Belo Horizonte"}),
        )
        .await)
    .await;
    let second = usa2["id"].as_str().expect("id").to_owned();
    ok(s.post(&fleet, &format!("/vehicles/{second}/status"), &json!({"status": "available"})).await).await;
    Scene { s, regulator, fleet, vehicle, second, occurrence }
}

impl Scene {
    fn input(&self) -> Value {
        json!({"base": self.s.running.base_url(), "regulator": self.regulator, "fleet": self.fleet,
               "vehicle": self.vehicle, "second": self.second, "occurrence": self.occurrence})
    }

    async fn occurrence(&self) -> Occurrence {
        de(ok(self.s.get(&self.regulator, &format!("/occurrences/{}", self.occurrence)).await).await)
    }

    async fn dispatch(&self) -> Dispatch {
        let all: Vec<Dispatch> =
            de(ok(self.s.get(&self.fleet, &format!("/dispatches?occurrence_id={}", self.occurrence)).await)
                .await);
        all.into_iter().find(|d| d.vehicle_code == "USA-01").expect("USA-01's dispatch")
    }
}

#[tokio::test]
async fn tdc_proc_6_to_12_rfs015_rfs017_rfs023_rfs024_rfs025_rfs026_rfs053_the_crews_part_done_in_the_tablet_app()
 {
    let sc = scene().await;
    let pdf = tempfile::NamedTempFile::new().expect("temp file");
    let out = scenario("tdc_proc.mjs", sc.input(), &[("CREW_PDF", pdf.path().display().to_string())]).await;

    // 6. The assignment arrived live, with the address, a red bar and vibration until receipt.
    assert!(out["arrival"].as_str().expect("bar").contains("Praça Sete de Setembro"), "{out}");
    assert_eq!(out["address"], "Praça Sete de Setembro, s/n - Centro");
    assert!(out["vibrated"].as_u64().expect("count") >= 1, "the tablet vibrated: {out}");
    assert_eq!(out["ringingAfterAck"], 0, "receipt silences the alert");

    // 7. Every phase stamped by the server, in order (RFS015, RFS055, RFS061).
    let d = sc.dispatch().await;
    assert_eq!(d.id.to_string(), out["dispatch"].as_str().expect("dispatch id"));
    let t = &d.times;
    let chain =
        [t.acknowledged, t.en_route, t.on_scene, t.transporting, t.at_destination, t.stretcher_retained];
    assert!(chain.iter().all(Option::is_some), "{t:?}");
    assert!(chain.windows(2).all(|w| w[0] <= w[1]), "in order: {t:?}");
    let stretcher = d.stretcher.expect("retention");
    assert_eq!(
        (stretcher.unit.as_str(), stretcher.reason.as_str()),
        ("Hospital João XXIII", "Paciente aguardando leito na maca")
    );

    // 8. The form refused SpO₂ 130 before anything was queued; the record has Glasgow and RTS.
    assert_eq!(out["spo2Error"], "Fora do intervalo possível (0 a 100).");
    assert_eq!(out["queuedAfterError"], "Sincronizado");
    assert_eq!(out["scores"], "Glasgow 15 · RTS 7.84");
    let occ = sc.occurrence().await;
    assert_eq!(occ.records.len(), 1);
    let r = &occ.records[0];
    assert_eq!((r.victim, r.glasgow_total, r.trauma_score), (1, Some(15), Some(7.8408)));
    assert_eq!((r.vitals.spo2, r.vitals.hr), (Some(95), Some(112)));
    assert_eq!(r.notes, "Deformidade em coxa direita, sangramento contido.");

    // The photo and the signed term are attached; the consent points at the signature (RFS023).
    let names: Vec<&str> = occ.attachments.iter().map(|a| a.name.as_str()).collect();
    assert_eq!(names, ["cena.png", "termo-vitima-1.png"]);
    assert_eq!(occ.consents.len(), 1);
    let c = &occ.consents[0];
    assert!(c.consented);
    assert_eq!(c.term, Some(occ.attachments[1].id));
    assert_eq!(c.notes, "Assinado pela própria vítima.");
    let signature = ok_bytes(&sc, &format!("/attachments/{}", occ.attachments[1].id)).await;
    let img = image::load_from_memory(&signature).expect("the signature is a PNG");
    let inked = img.to_luma8().pixels().filter(|p| p.0[0] < 128).count();
    assert!(inked > 200, "the drawn signature is in the term ({inked} dark pixels)");

    // 10. The canned question was delivered and read; the answer reached the tablet.
    let chat: Vec<atalaia_core::samu::care::Message> =
        de(ok(sc.s.get(&sc.regulator, &format!("/occurrences/{}/messages", sc.occurrence)).await).await);
    assert_eq!(chat.len(), 2);
    assert!(chat[0].from_crew() && chat[0].canned && chat[0].text.contains("destino"));
    assert!(chat[1].read_at.is_some(), "the regulator's answer was marked read when shown");
    assert!(out["receipt"].as_str().expect("receipt").contains("lida"), "{out}");

    // Victim 2 moved to USA-02, which joined the occurrence (RFS053).
    assert_eq!(occ.transfers.len(), 1);
    let t = &occ.transfers[0];
    assert_eq!((t.victim, t.from_vehicle.as_str(), t.to_vehicle.as_str()), (2, "USA-01", "USA-02"));
    assert_eq!(t.reason, "Segunda vítima estável, segue na USA-02");

    // "Need support" (RFS001) from the tablet.
    assert_eq!(occ.crew_alerts.len(), 1);
    assert_eq!(occ.crew_alerts[0].note, "Via interditada, precisamos de apoio do trânsito");

    // 12. The report PDF downloaded in the page carries the care.
    let text = pdf_text(&std::fs::read(pdf.path()).expect("pdf"));
    for expected in ["João Pereira", "Hospital João XXIII", "USA-01"] {
        assert!(text.contains(expected), "{expected} in the report:\n{text}");
    }
    assert_eq!(out["sync"], "Sincronizado");
    sc.s.running.shutdown().await;
}

async fn ok_bytes(sc: &Scene, path: &str) -> Vec<u8> {
    let r = sc.s.http.get(sc.s.url(path)).bearer_auth(&sc.regulator).send().await.expect("get");
    assert!(r.status().is_success());
    r.bytes().await.expect("bytes").to_vec()
}

#[tokio::test]
async fn rfs025_rfs047_offline_twenty_actions_wait_on_the_phone_survive_a_reload_and_are_applied_once_in_order()
 {
    let sc = scene().await;
    ok(sc
        .s
        .post(&sc.fleet, "/dispatches", &json!({"occurrence_id": sc.occurrence, "vehicle_id": sc.vehicle}))
        .await)
    .await;
    let out = scenario("offline.mjs", sc.input(), &[]).await;
    assert_eq!(out["queuedStatus"], "⏳ aguardando");
    assert_eq!(out["waiting"], "Sem conexão · 20 ações aguardando conexão");
    assert_eq!(out["addressOffline"], "Praça Sete de Setembro, s/n - Centro");
    assert_eq!(out["waitingAfterReload"], out["waiting"]);
    assert_eq!(out["synced"], "Sincronizado");

    let d = sc.dispatch().await;
    let t = &d.times;
    let chain = [t.acknowledged, t.en_route, t.on_scene];
    assert!(chain.iter().all(Option::is_some) && chain.windows(2).all(|w| w[0] <= w[1]), "{t:?}");
    let occ = sc.occurrence().await;
    let notes: Vec<&str> = occ.records.iter().map(|r| r.notes.as_str()).collect();
    assert_eq!(notes, ["Registro 1", "Registro 2"], "each record once, in order");
    assert_eq!(occ.attachments.len(), 1, "the photo once");
    assert_eq!(occ.attachments[0].name, "offline.png");
    assert_eq!(occ.crew_alerts.len(), 1);
    let chat: Vec<atalaia_core::samu::care::Message> =
        de(ok(sc.s.get(&sc.regulator, &format!("/occurrences/{}/messages", sc.occurrence)).await).await);
    let texts: Vec<String> = chat.iter().map(|m| m.text.clone()).collect();
    let expected: Vec<String> = (1..=13).map(|i| format!("Mensagem {i:02}")).collect();
    assert_eq!(texts, expected, "each message once, in order");
    // In the order taken: on scene, record 1, the messages, record 2 (the server's clock).
    assert!(t.on_scene <= Some(occ.records[0].at));
    assert!(occ.records[0].at <= chat[0].sent_at && chat[12].sent_at <= occ.records[1].at);
    sc.s.running.shutdown().await;
}
