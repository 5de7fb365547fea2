//! TDC-PROC (samu.md §8.14): the acceptance test of the SAMU macroprocess, run end to end through
//! the public HTTP API and the live feed with the roles of the tender — TARM, primary and
//! secondary regulator, fleet controller and crew — on a controlled clock, each step asserting
//! what was recorded; the attendance report (step 12) is read back with poppler's `pdftotext`.
//!
//! Also the fleet controller's vehicle alerts (RFS009, RFS010) with the same clock.

use atalaia_core::ManualClock;
use atalaia_core::alarm::{Alarm, AlarmKind, Subject};
use atalaia_core::auth::Role;
use atalaia_core::samu::care::Message;
use atalaia_core::samu::fleet::Candidate;
use atalaia_core::samu::{
    Dispatch, DispatchEnd, IntakeAlert, Occurrence, OccurrencePhase, Priority, RegulatorStage, VehicleKind,
    VehicleStatus,
};
use atalaia_core::wire::{Assignment, EventBody, LiveMessage, PanelRow};
use atalaia_tests::{TestServer, expect_problem, next_message, pdf_text};
use chrono::{DateTime, Duration, SubsecRound, Utc};
use serde_json::{Value, json};
use std::sync::Arc;

/// Praça Sete, Belo Horizonte: where the call comes from.
const SCENE: (f64, f64) = (-19.9191, -43.9386);

async fn ok(resp: reqwest::Response) -> Value {
    let status = resp.status();
    let body: Value = resp.json().await.expect("json body");
    assert!(status.is_success(), "{status}: {body}");
    body
}

fn de<T: serde::de::DeserializeOwned>(v: Value) -> T {
    serde_json::from_value(v).expect("wire type")
}

/// A vehicle with a tracker, reporting from `km_north` of the scene at `at`.
async fn vehicle(
    s: &TestServer,
    code: &str,
    kind: &str,
    imei: &str,
    km_north: f64,
    at: DateTime<Utc>,
) -> String {
    let v = ok(s
        .post(
            &s.admin_token,
            "/vehicles",
            &json!({"code": code, "kind": kind, "municipality": "Belo Horizonte"}),
        )
        .await)
    .await;
    let id = v["id"].as_str().expect("id").to_owned();
    ok(s.post(
        &s.admin_token,
        "/devices",
        &json!({"imei": imei, "kind": "vehicle_tracker", "vehicle_id": id}),
    )
    .await)
    .await;
    report(s, imei, km_north, 0.0, at).await;
    ok(s.post(&s.admin_token, &format!("/vehicles/{id}/status"), &json!({"status": "available"})).await)
        .await;
    id
}

/// An OsmAnd fix `km_north` of the scene at `speed_kmh`.
async fn report(s: &TestServer, imei: &str, km_north: f64, speed_kmh: f64, at: DateTime<Utc>) {
    let lat = SCENE.0 + km_north / 111.2;
    let knots = speed_kmh / 1.852;
    let r = s
        .osmand(&format!(
            "id={imei}&lat={lat:.6}&lon={:.6}&timestamp={}&speed={knots:.2}",
            SCENE.1,
            at.timestamp()
        ))
        .await;
    assert!(r.status().is_success(), "fix accepted: {}", r.status());
}

/// The next event on the feed matching `pick`, within 5 s.
async fn wait_for<T>(ws: &mut atalaia_tests::Ws, mut pick: impl FnMut(&EventBody) -> Option<T>) -> T {
    let deadline = tokio::time::Instant::now() + std::time::Duration::from_secs(5);
    loop {
        let msg = tokio::time::timeout_at(deadline, next_message(ws)).await.expect("event in time");
        if let LiveMessage::Event(e) = msg
            && let Some(t) = pick(&e.body)
        {
            return t;
        }
    }
}

#[tokio::test]
async fn tdc_proc_a_call_from_intake_to_closure() {
    let t0 = Utc::now().trunc_subsecs(0);
    let clock = Arc::new(ManualClock::new(t0));
    let s = TestServer::start_at(clock.clone(), |c| {
        c.samu_ddds = vec![31];
        c.samu_regional_municipalities = vec!["Sete Lagoas".into()];
    })
    .await;
    let tarm = s.user_token("tarm", Role::Tarm).await;
    let primary = s.user_token("reguladora1", Role::Regulator).await;
    let secondary = s.user_token("regulador2", Role::Regulator).await;
    let fleet = s.user_token("frota", Role::FleetController).await;
    let crew = s.user_token("equipe", Role::Crew).await;
    let usb = vehicle(&s, "USB-01", "usb", "352000000000101", 1.0, t0).await;
    let usa1 = vehicle(&s, "USA-01", "usa", "352000000000102", 2.0, t0).await;
    vehicle(&s, "USA-02", "usa", "352000000000103", 5.0, t0).await;
    // The crew's tablet is signed in to USA-01 for the shift; another crew is on USB-01.
    ok(s.put(&crew, "/crew/vehicle", &json!({"vehicle_id": usa1})).await).await;
    let usb_crew = s.user_token("equipe-usb", Role::Crew).await;
    ok(s.put(&usb_crew, "/crew/vehicle", &json!({"vehicle_id": usb})).await).await;
    let mut crew_feed = s.live(&crew, None).await;
    let LiveMessage::Snapshot(_) = next_message(&mut crew_feed).await else { panic!("snapshot first") };

    // 1. The TARM registers the call (RFS184, RFS186, RFS029): a bad CPF is refused in Portuguese
    //    and nothing is stored; then the call is registered and stays in intake.
    let mut call = json!({
        "call_type": "atendimento",
        "caller_name": "Maria Souza",
        "caller_phone": "(31) 98888-7777",
        "extra_phones": ["(31) 3277-1234"],
        "address": "Praça Sete de Setembro, s/n - Centro",
        "municipality": "Belo Horizonte",
        "location": {"lat": SCENE.0, "lon": SCENE.1},
        "description": "Motociclista caído após colisão, consciente, dor na perna",
        "victims": [{"name": "João Pereira", "sex": "male", "age_years": 34, "cpf": "529.982.247-24"}],
        "call_started_at": t0,
        "hand_off": false,
    });
    let bad = expect_problem(s.post(&tarm, "/occurrences", &call).await, 422, "validation").await;
    assert_eq!(bad["errors"][0]["field"], "victims[0].cpf");
    assert!(bad["errors"][0]["message"].as_str().expect("message").starts_with("CPF inválido"));
    assert!(de::<Vec<Occurrence>>(ok(s.get(&tarm, "/occurrences").await).await).is_empty());
    call["victims"][0]["cpf"] = json!("529.982.247-25");
    call["victims"][0]["cns"] = json!("700000000000005");
    clock.advance(Duration::seconds(75));
    let occ: Occurrence = de(ok(s.post(&tarm, "/occurrences", &call).await).await);
    assert_eq!(occ.phase, OccurrencePhase::Intake);
    assert_eq!(occ.call_started_at, Some(t0), "the call timer runs from when the call was answered");
    assert_eq!(occ.extra_phones, ["(31) 3277-1234"]);
    assert_eq!(occ.victims.len(), 1);
    assert_eq!((occ.victims[0].number, occ.victims[0].cpf.as_str()), (1, "52998224725"));
    assert!(occ.alerts.is_empty(), "DDD 31 is covered and Belo Horizonte is not regional: {:?}", occ.alerts);
    let id = occ.id;
    // The regulators cannot regulate a call still with the TARM.
    let r = s
        .post(
            &primary,
            &format!("/occurrences/{id}/regulation"),
            &json!({"stage": "primary", "priority": "urgent"}),
        )
        .await;
    expect_problem(r, 409, "conflict").await;

    // 2. The TARM hands it to the regulation, asking for priority (RFS185, RFS012).
    clock.advance(Duration::seconds(20));
    let occ: Occurrence =
        de(ok(s.post(&tarm, &format!("/occurrences/{id}/handoff"), &json!({"prioritized": true})).await)
            .await);
    assert_eq!(occ.phase, OccurrencePhase::Regulation);
    assert_eq!(occ.handed_off_at, Some(t0 + Duration::seconds(95)));
    let alarms: Vec<Alarm> = de(ok(s.get(&primary, "/alarms").await).await);
    assert!(
        alarms.iter().any(|a| a.kind == AlarmKind::PriorityAlert && a.subject == Subject::Occurrence(id)),
        "the regulators see the prioritisation alert"
    );
    let r = s.post(&tarm, &format!("/occurrences/{id}/handoff"), &json!({})).await;
    expect_problem(r, 409, "conflict").await;

    // 3. The primary regulator records demand type, description, priority, need of an
    //    ambulance, a USB and the guidance given (RFS124, RFS132); the secondary redefines to a
    //    USA and raises the priority (3e, RFS126, RFS129), and both values stay in the history.
    clock.advance(Duration::seconds(60));
    let occ: Occurrence = de(ok(s
        .post(
            &primary,
            &format!("/occurrences/{id}/regulation"),
            &json!({
                "stage": "primary",
                "demand_type": "trauma",
                "request_type": "pre_hospital",
                "description": "Motociclista, colisão com carro, consciente, Glasgow 15, deformidade em coxa direita",
                "priority": "very_urgent",
                "ambulance_needed": true,
                "resource": "usb",
                "orientation": "Não remover o capacete; manter a vítima imóvel; sinalizar o local.",
            }),
        )
        .await)
    .await);
    assert_eq!(occ.resource, Some(VehicleKind::Usb));
    clock.advance(Duration::seconds(30));
    let occ: Occurrence = de(ok(s
        .post(
            &secondary,
            &format!("/occurrences/{id}/regulation"),
            &json!({"stage": "secondary", "resource": "usa", "priority": "emergency",
                    "reason": "Suspeita de fratura de fêmur com sangramento: suporte avançado"}),
        )
        .await)
    .await);
    assert_eq!(occ.resource, Some(VehicleKind::Usa));
    assert_eq!(occ.priority, Some(Priority::Emergency));
    assert_eq!(occ.demand_type, Some(atalaia_core::samu::DemandType::Trauma));
    let resource: Vec<_> = occ.history.iter().filter(|c| c.field == "resource").collect();
    assert_eq!(resource.len(), 2, "USB, then USA: {resource:?}");
    assert_eq!((resource[0].from.as_deref(), resource[0].to.as_str()), (None, "usb"));
    assert_eq!((resource[1].from.as_deref(), resource[1].to.as_str()), (Some("usb"), "usa"));
    assert_eq!(resource[1].stage, Some(RegulatorStage::Secondary));
    assert_eq!(resource[1].by_name, "Usuário regulador2");
    assert_eq!(resource[1].at, t0 + Duration::seconds(185));
    assert!(resource[1].reason.contains("suporte avançado"));
    let priorities: Vec<(Option<&str>, &str, Option<RegulatorStage>)> =
        occ.priority_history().map(|c| (c.from.as_deref(), c.to.as_str(), c.stage)).collect();
    assert_eq!(
        priorities,
        [
            (None, "very_urgent", Some(RegulatorStage::Primary)),
            (Some("very_urgent"), "emergency", Some(RegulatorStage::Secondary))
        ]
    );

    // 4. The panel: ongoing cases by priority with the nearest free USA and their ETA; the USB
    //    is not offered for a USA case (RFS050, RFS052, RFS119).
    let other = json!({"call_type": "atendimento", "caller_phone": "31977776666", "address": "Rua da Bahia, 1000",
        "municipality": "Belo Horizonte", "description": "Idosa com febre"});
    let other: Occurrence = de(ok(s.post(&tarm, "/occurrences", &other).await).await);
    ok(s.post(
        &primary,
        &format!("/occurrences/{}/regulation", other.id),
        &json!({"stage": "primary", "priority": "less_urgent"}),
    )
    .await)
    .await;
    let panel: Vec<PanelRow> = de(ok(s.get(&fleet, "/panel").await).await);
    let order: Vec<_> = panel.iter().map(|r| r.occurrence.id).collect();
    assert_eq!(order, [id, other.id], "emergency before less urgent");
    let row = &panel[0];
    assert_eq!(row.waiting_s, 185, "since the call was answered");
    let nearest: Vec<(&str, i64)> = row.nearest.iter().map(|c| (c.code.as_str(), c.eta_s)).collect();
    // 2 km and 5 km in a straight line, × 1.4 on the road at 40 km/h.
    assert_eq!(nearest.len(), 2, "{nearest:?}");
    assert_eq!(nearest[0].0, "USA-01");
    assert!((nearest[0].1 - 252).abs() <= 2, "{nearest:?}");
    assert_eq!(nearest[1].0, "USA-02");
    assert!((nearest[1].1 - 630).abs() <= 3, "{nearest:?}");
    let any: Vec<Candidate> =
        de(ok(s.get(&fleet, &format!("/occurrences/{id}/recommendation?kind=usb")).await).await);
    assert_eq!(any[0].code, "USB-01");

    // 5. The fleet controller commits the ambulance of the type the regulator chose; the TARM
    //    may not, and a USB is refused for a USA case.
    clock.advance(Duration::seconds(40));
    let r = s.post(&tarm, "/dispatches", &json!({"occurrence_id": id, "vehicle_id": usa1})).await;
    expect_problem(r, 403, "forbidden").await;
    let r = s.post(&fleet, "/dispatches", &json!({"occurrence_id": id, "vehicle_id": usb})).await;
    let p = expect_problem(r, 409, "conflict").await;
    assert!(p["detail"].as_str().expect("detail").contains("USA"), "{p}");
    let d: Dispatch =
        de(ok(s.post(&fleet, "/dispatches", &json!({"occurrence_id": id, "vehicle_id": usa1})).await).await);
    assert_eq!(
        (d.status, d.active, d.committed_at),
        (VehicleStatus::Committed, true, t0 + Duration::seconds(225))
    );
    assert!(d.eta_s.is_some_and(|e| (e - 252).abs() <= 2));
    let v: Value = ok(s.get(&fleet, &format!("/vehicles/{usa1}")).await).await;
    assert_eq!(v["status"], "committed");
    let occ: Occurrence = de(ok(s.get(&fleet, &format!("/occurrences/{id}")).await).await);
    assert_eq!(occ.phase, OccurrencePhase::Dispatched);
    let r = s.post(&fleet, "/dispatches", &json!({"occurrence_id": other.id, "vehicle_id": usa1})).await;
    expect_problem(r, 409, "conflict").await; // busy, and not confirmed as additional

    // 6. The crew is alerted: its tablet gets the dispatch on the live feed and reads the
    //    assignment with location, clinical data and the regulators' record (RFS017, RFS018).
    let pushed = wait_for(&mut crew_feed, |b| match b {
        EventBody::Dispatch(x) if x.id == d.id => Some(x.clone()),
        _ => None,
    })
    .await;
    assert_eq!(pushed.vehicle_code, "USA-01");
    let tasks: Vec<Assignment> = de(ok(s.get(&crew, &format!("/vehicles/{usa1}/assignments")).await).await);
    assert_eq!(tasks.len(), 1);
    let o = &tasks[0].occurrence;
    assert_eq!(o.address, "Praça Sete de Setembro, s/n - Centro");
    assert_eq!(o.location.map(|l| (l.lat, l.lon)), Some(SCENE));
    assert_eq!(o.victims[0].name, "João Pereira");
    assert!(o.description.contains("Glasgow 15"));
    assert_eq!(o.priority, Some(Priority::Emergency));
    assert!(o.orientation.starts_with("Não remover o capacete"));

    // 7. The crew confirms receipt and starts the journey; the server stamps both (RFS015). Only
    //    USA-01's crew may: another vehicle's crew is refused, and cannot write on this case.
    let r = s.post(&usb_crew, &format!("/dispatches/{}/ack", d.id), &json!({})).await;
    expect_problem(r, 403, "forbidden").await;
    let r = s.post(&usb_crew, &format!("/occurrences/{id}/messages"), &json!({"text": "teste"})).await;
    expect_problem(r, 403, "forbidden").await;
    clock.advance(Duration::seconds(15));
    let d: Dispatch = de(ok(s.post(&crew, &format!("/dispatches/{}/ack", d.id), &json!({})).await).await);
    assert_eq!(d.times.acknowledged, Some(t0 + Duration::seconds(240)));
    clock.advance(Duration::seconds(30));
    let d: Dispatch =
        de(ok(s.post(&crew, &format!("/dispatches/{}/status", d.id), &json!({"status": "en_route"})).await)
            .await);
    assert_eq!(d.times.en_route, Some(t0 + Duration::seconds(270)));
    report(&s, "352000000000102", 1.0, 40.0, t0 + Duration::seconds(270)).await;
    let r =
        s.post(&crew, &format!("/dispatches/{}/status", d.id), &json!({"status": "at_destination"})).await;
    expect_problem(r, 409, "conflict").await; // the chain is followed: on scene first

    // 8. On scene, the crew records the care as text with vital signs (Glasgow and the trauma
    //    score computed, RFS024) and sends a photo, an audio and a video (RFS025); a file resent
    //    by a tablet that lost its link is stored once.
    clock.advance(Duration::seconds(240));
    report(&s, "352000000000102", 0.0, 0.0, t0 + Duration::seconds(510)).await;
    let d: Dispatch =
        de(ok(s.post(&crew, &format!("/dispatches/{}/status", d.id), &json!({"status": "on_scene"})).await)
            .await);
    assert_eq!(d.times.on_scene, Some(t0 + Duration::seconds(510)));
    let record = json!({"victim": 1, "vitals": {"rr": 22, "hr": 112, "sbp": 100, "dbp": 60, "spo2": 95},
        "glasgow": {"eye": 4, "verbal": 5, "motor": 6}, "notes": "Deformidade em coxa direita, sangramento contido."});
    let bad = json!({"victim": 1, "vitals": {"spo2": 130}});
    let p =
        expect_problem(s.post(&crew, &format!("/occurrences/{id}/records"), &bad).await, 422, "validation")
            .await;
    assert_eq!(p["errors"][0]["field"], "vitals.spo2");
    let occ: Occurrence = de(ok(s.post(&crew, &format!("/occurrences/{id}/records"), &record).await).await);
    let r = &occ.records[0];
    assert_eq!((r.glasgow_total, r.trauma_score), (Some(15), Some(7.8408)));
    assert_eq!(r.at, t0 + Duration::seconds(510));
    let photo_id = atalaia_core::ids::AttachmentId::new();
    let files: [(&str, &str, &str, Vec<u8>); 3] = [
        ("photo", "image/png", "local.png", PNG_1X1.to_vec()),
        ("audio", "audio/wav", "relato.wav", wav(8_000)),
        ("video", "video/mp4", "cena.mp4", mp4_header()),
    ];
    for (i, (kind, ctype, name, bytes)) in files.iter().enumerate() {
        let mut url = s.url(&format!("/occurrences/{id}/attachments?kind={kind}&name={name}&victim=1"));
        if i == 0 {
            url.push_str(&format!("&id={photo_id}"));
        }
        let r = s
            .http
            .post(&url)
            .bearer_auth(&crew)
            .header("content-type", *ctype)
            .body(bytes.clone())
            .send()
            .await
            .expect("upload");
        assert_eq!(r.status(), 201, "{kind}");
    }
    let replay = s
        .http
        .post(
            s.url(&format!("/occurrences/{id}/attachments?kind=photo&name=local.png&victim=1&id={photo_id}")),
        )
        .bearer_auth(&crew)
        .header("content-type", "image/png")
        .body(PNG_1X1.to_vec())
        .send()
        .await
        .expect("upload");
    assert_eq!(replay.status(), 200, "a resent photo is recognised");
    let wrong = s
        .http
        .post(s.url(&format!("/occurrences/{id}/attachments?kind=photo")))
        .bearer_auth(&crew)
        .header("content-type", "audio/wav")
        .body(wav(100))
        .send()
        .await
        .expect("upload");
    expect_problem(wrong, 422, "validation").await;

    // 9. The secondary regulator consults the crew's entries, photo included, and records the
    //    conduct, which the crew sees (RFS136).
    let occ: Occurrence = de(ok(s.get(&secondary, &format!("/occurrences/{id}")).await).await);
    assert_eq!(occ.records.len(), 1);
    let kinds: Vec<_> = occ.attachments.iter().map(|a| (a.name.as_str(), a.size)).collect();
    assert_eq!(kinds, [("local.png", PNG_1X1.len() as u64), ("relato.wav", 8_044), ("cena.mp4", 32)]);
    let photo = s
        .http
        .get(s.url(&format!("/attachments/{photo_id}")))
        .bearer_auth(&secondary)
        .send()
        .await
        .expect("get");
    assert_eq!(photo.headers()["content-type"], "image/png");
    assert_eq!(photo.bytes().await.expect("bytes").as_ref(), PNG_1X1);
    ok(s.post(&secondary, &format!("/occurrences/{id}/regulation"),
        &json!({"stage": "secondary", "conduct": "Imobilizar o membro, acesso venoso, analgesia conforme protocolo"})).await).await;

    // 10. Chat: the crew asks with a configured question; delivered at once, read when the
    //     regulator opens it; the regulator answers (RFS044, RFS045, RFS048).
    let canned: Vec<String> = de(ok(s.get(&crew, "/samu/canned-messages").await).await);
    let question =
        canned.iter().find(|c| c.contains("destino")).expect("a question about the destination").clone();
    let r = s
        .post(&crew, &format!("/occurrences/{id}/messages"), &json!({"text": "texto livre", "canned": true}))
        .await;
    expect_problem(r, 422, "validation").await;
    let mut reg_feed = s.live(&secondary, None).await;
    let LiveMessage::Snapshot(_) = next_message(&mut reg_feed).await else { panic!("snapshot first") };
    clock.advance(Duration::seconds(30));
    let q: Message = de(ok(s
        .post(&crew, &format!("/occurrences/{id}/messages"), &json!({"text": question, "canned": true}))
        .await)
    .await);
    assert_eq!(q.delivered_at, t0 + Duration::seconds(540));
    assert_eq!(q.read_at, None);
    let arrived = wait_for(&mut reg_feed, |b| match b {
        EventBody::Message(m) if m.id == q.id => Some(m.clone()),
        _ => None,
    })
    .await;
    assert!(arrived.from_crew());
    let r = s.post(&crew, &format!("/messages/{}/read", q.id), &json!({})).await;
    expect_problem(r, 409, "conflict").await; // the sender's own reading is not a receipt
    clock.advance(Duration::seconds(10));
    let q: Message = de(ok(s.post(&secondary, &format!("/messages/{}/read", q.id), &json!({})).await).await);
    assert_eq!(q.read_at, Some(t0 + Duration::seconds(550)));
    ok(s.post(
        &secondary,
        &format!("/occurrences/{id}/messages"),
        &json!({"text": "Hospital João XXIII, ortopedia avisada."}),
    )
    .await)
    .await;
    let chat: Vec<Message> = de(ok(s.get(&crew, &format!("/occurrences/{id}/messages")).await).await);
    assert_eq!(chat.len(), 2);
    assert!(!chat[1].from_crew());

    // 11. The destination unit, passed to the crew (RFS136).
    ok(s.post(
        &secondary,
        &format!("/occurrences/{id}/regulation"),
        &json!({"stage": "secondary", "destination": "Hospital João XXIII"}),
    )
    .await)
    .await;
    let tasks: Vec<Assignment> = de(ok(s.get(&crew, &format!("/vehicles/{usa1}/assignments")).await).await);
    assert!(tasks[0].occurrence.conduct.starts_with("Imobilizar"));
    assert_eq!(tasks[0].occurrence.destination, "Hospital João XXIII");

    // The transport with every phase time (RFS055) and a retained stretcher (RFS061).
    clock.advance(Duration::seconds(600));
    ok(s.post(&crew, &format!("/dispatches/{}/status", d.id), &json!({"status": "transporting"})).await)
        .await;
    clock.advance(Duration::seconds(420));
    ok(s.post(&crew, &format!("/dispatches/{}/status", d.id), &json!({"status": "at_destination"})).await)
        .await;
    clock.advance(Duration::seconds(60));
    let r = s
        .post(&crew, &format!("/dispatches/{}/status", d.id), &json!({"status": "stretcher_retained"}))
        .await;
    let p = expect_problem(r, 422, "validation").await;
    assert_eq!(p["errors"].as_array().map(Vec::len), Some(2), "unit and reason: {p}");
    let d: Dispatch = de(ok(s
        .post(
            &crew,
            &format!("/dispatches/{}/status", d.id),
            &json!({"status": "stretcher_retained", "unit": "Hospital João XXIII", "reason": "Paciente aguardando leito na maca"}),
        )
        .await)
    .await);
    let stretcher = d.stretcher.clone().expect("retention recorded");
    assert_eq!(
        (stretcher.unit.as_str(), stretcher.at),
        ("Hospital João XXIII", t0 + Duration::seconds(1630))
    );
    let t = &d.times;
    assert_eq!(
        [t.transporting, t.at_destination, t.stretcher_retained],
        [
            Some(t0 + Duration::seconds(1150)),
            Some(t0 + Duration::seconds(1570)),
            Some(t0 + Duration::seconds(1630))
        ]
    );

    // 12. The attendance report for the destination unit's reception, as PDF (RFS026).
    let pdf = s
        .http
        .get(s.url(&format!("/occurrences/{id}/report.pdf")))
        .bearer_auth(&crew)
        .send()
        .await
        .expect("pdf");
    assert_eq!(pdf.headers()["content-type"], "application/pdf");
    let bytes = pdf.bytes().await.expect("bytes");
    if let Some(path) = std::env::var_os("ATALAIA_SAVE_REPORT") {
        std::fs::write(path, &bytes).expect("save the report"); // to look at it (docs/screenshots)
    }
    let text = pdf_text(&bytes);
    for expected in [
        "Relatório de atendimento — SAMU 192",
        occ.number.as_str(),
        "João Pereira",
        "CPF 529.982.247-25",
        "Vermelha — emergência",
        "Trauma",
        "Imobilizar o membro",
        "Hospital João XXIII",
        "USA-01",
        "Glasgow 15",
        "RTS 7,84",
        "relato.wav",
        "Recebido por",
    ] {
        assert!(text.contains(expected), "{expected:?} missing from the report:\n{text}");
    }

    // 13. The central closes the request after care: the status updates and the ambulance is
    //     released (flow step 20); the record is kept and later information is appended (RFS133).
    clock.advance(Duration::seconds(900));
    let r = s.post(&secondary, &format!("/occurrences/{id}/close"), &json!({"reason": ""})).await;
    expect_problem(r, 422, "validation").await;
    let occ: Occurrence = de(ok(s
        .post(
            &secondary,
            &format!("/occurrences/{id}/close"),
            &json!({"reason": "Paciente entregue ao Hospital João XXIII"}),
        )
        .await)
    .await);
    assert_eq!(occ.phase, OccurrencePhase::Closed);
    assert_eq!(occ.closure.as_ref().map(|c| c.at), Some(t0 + Duration::seconds(2530)));
    let all: Vec<Dispatch> = de(ok(s.get(&fleet, &format!("/dispatches?occurrence_id={id}")).await).await);
    assert_eq!(all.len(), 1);
    assert!(!all[0].active);
    assert_eq!(all[0].ended, Some(DispatchEnd::Released));
    assert_eq!(all[0].times.released, Some(t0 + Duration::seconds(2530)));
    // The hospital still holds its stretcher: the ambulance stays unavailable (RFS061, RFS119)
    // until the crew reports the stretcher back.
    let v: Value = ok(s.get(&fleet, &format!("/vehicles/{usa1}")).await).await;
    assert_eq!(v["status"], "stretcher_retained");
    let nearest: Vec<Candidate> =
        de(ok(s.get(&fleet, &format!("/occurrences/{id}/recommendation?kind=usa")).await).await);
    assert!(!nearest.iter().any(|c| c.code == "USA-01"), "{nearest:?}");
    let v: Value =
        ok(s.post(&crew, &format!("/vehicles/{usa1}/status"), &json!({"status": "returning"})).await).await;
    assert_eq!(v["status"], "returning");
    assert!(
        de::<Vec<Assignment>>(ok(s.get(&crew, &format!("/vehicles/{usa1}/assignments")).await).await)
            .is_empty()
    );
    let alarms: Vec<Alarm> = de(ok(s.get(&primary, "/alarms").await).await);
    assert!(
        !alarms.iter().any(|a| a.subject == Subject::Occurrence(id) && a.is_active()),
        "the prioritisation alert ends with the case"
    );
    let r = s
        .post(
            &secondary,
            &format!("/occurrences/{id}/regulation"),
            &json!({"stage": "secondary", "priority": "urgent"}),
        )
        .await;
    expect_problem(r, 409, "conflict").await;
    let occ: Occurrence = de(ok(s
        .post(
            &primary,
            &format!("/occurrences/{id}/addenda"),
            &json!({"text": "Hospital informou internação em ortopedia."}),
        )
        .await)
    .await);
    assert_eq!(occ.addenda.len(), 1);
    assert_eq!(occ.priority, Some(Priority::Emergency), "closing and appending change nothing recorded");
    // The closed case has left the panel; the other call is still on it.
    let panel: Vec<PanelRow> = de(ok(s.get(&fleet, "/panel").await).await);
    assert_eq!(panel.len(), 1);
    s.running.shutdown().await;
}

#[tokio::test]
async fn intake_alerts_and_usb_replaced_by_usa() {
    let t0 = Utc::now().trunc_subsecs(0);
    let clock = Arc::new(ManualClock::new(t0));
    let s = TestServer::start_at(clock.clone(), |c| {
        c.samu_ddds = vec![31];
        c.samu_regional_municipalities = vec!["Sete Lagoas".into()];
    })
    .await;
    let tarm = s.user_token("tarm", Role::Tarm).await;
    let reg = s.user_token("regulador", Role::Regulator).await;
    let fleet = s.user_token("frota", Role::FleetController).await;
    // A caller from DDD 11 (São Paulo) about an address in a SAMU-Regional municipality (RFS003,
    // RFS007): both alerts are on the record the TARM sees.
    let call = json!({"call_type": "atendimento", "caller_phone": "+55 11 98888-7777", "address": "Rua Itália, 50",
        "municipality": "sete lagoas", "description": "Queda de altura", "location": {"lat": SCENE.0, "lon": SCENE.1}});
    let occ: Occurrence = de(ok(s.post(&tarm, "/occurrences", &call).await).await);
    assert_eq!(
        occ.alerts,
        [
            IntakeAlert::DddOutsideCoverage { ddd: 11 },
            IntakeAlert::RegionalMunicipality { municipality: "sete lagoas".into() }
        ]
    );
    assert_eq!(occ.phase, OccurrencePhase::Regulation, "handed off as registered");
    // The same rules, for the TARM's screen to apply while the call is typed.
    let rules: atalaia_core::samu::intake::IntakeRules = de(ok(s.get(&tarm, "/intake-rules").await).await);
    assert_eq!(rules.ddds, [31]);
    assert_eq!(rules.alerts("+55 11 98888-7777", "sete lagoas"), occ.alerts);
    let usb = vehicle(&s, "USB-07", "usb", "352000000000201", 1.0, t0).await;
    let usa = vehicle(&s, "USA-07", "usa", "352000000000202", 3.0, t0).await;
    ok(s.post(
        &reg,
        &format!("/occurrences/{}/regulation", occ.id),
        &json!({"stage": "primary", "resource": "usb"}),
    )
    .await)
    .await;
    let first: Dispatch =
        de(ok(s.post(&fleet, "/dispatches", &json!({"occurrence_id": occ.id, "vehicle_id": usb})).await)
            .await);
    // The regulator redefines to a USA: the USA replaces the USB, which is released (RFS054).
    clock.advance(Duration::seconds(120));
    ok(s.post(
        &reg,
        &format!("/occurrences/{}/regulation", occ.id),
        &json!({"stage": "secondary", "resource": "usa"}),
    )
    .await)
    .await;
    let second: Dispatch = de(ok(s
        .post(
            &fleet,
            "/dispatches",
            &json!({"occurrence_id": occ.id, "vehicle_id": usa, "replaces": first.id}),
        )
        .await)
    .await);
    let all: Vec<Dispatch> =
        de(ok(s.get(&fleet, &format!("/dispatches?occurrence_id={}", occ.id)).await).await);
    let old = all.iter().find(|d| d.id == first.id).expect("first dispatch kept");
    assert_eq!(old.ended, Some(DispatchEnd::Replaced { by: second.id }));
    assert!(!old.active);
    let v: Value = ok(s.get(&fleet, &format!("/vehicles/{usb}")).await).await;
    assert_eq!(v["status"], "returning");
    // A USB may not be committed to the case any more.
    let r = s.post(&fleet, "/dispatches", &json!({"occurrence_id": occ.id, "vehicle_id": usb})).await;
    expect_problem(r, 409, "conflict").await;
    s.running.shutdown().await;
}

#[tokio::test]
async fn vehicle_alerts_committed_and_standing_still_or_moving_without_dispatch() {
    let t0 = Utc::now().trunc_subsecs(0);
    let clock = Arc::new(ManualClock::new(t0));
    let s = TestServer::start_at(clock.clone(), |c| c.fleet_stationary_s = 180).await;
    let tarm = s.user_token("tarm", Role::Tarm).await;
    let reg = s.user_token("regulador", Role::Regulator).await;
    let fleet = s.user_token("frota", Role::FleetController).await;
    let usa = vehicle(&s, "USA-09", "usa", "352000000000301", 2.0, t0).await;
    let spare = vehicle(&s, "USA-10", "usa", "352000000000302", 4.0, t0).await;
    let mut feed = s.live(&fleet, None).await;
    let LiveMessage::Snapshot(_) = next_message(&mut feed).await else { panic!("snapshot first") };
    let call = json!({"call_type": "atendimento", "caller_phone": "31988887777", "address": "Av. Afonso Pena, 1000",
        "municipality": "Belo Horizonte", "description": "Dor torácica", "location": {"lat": SCENE.0, "lon": SCENE.1}});
    let occ: Occurrence = de(ok(s.post(&tarm, "/occurrences", &call).await).await);
    ok(s.post(
        &reg,
        &format!("/occurrences/{}/regulation", occ.id),
        &json!({"stage": "primary", "resource": "usa"}),
    )
    .await)
    .await;
    ok(s.post(&fleet, "/dispatches", &json!({"occurrence_id": occ.id, "vehicle_id": usa})).await).await;

    // RFS009: committed and still at base 3 minutes later (it reports, but does not move).
    clock.advance(Duration::seconds(120));
    report(&s, "352000000000301", 2.0, 0.0, clock_now(&clock)).await;
    tokio::time::sleep(std::time::Duration::from_millis(1_300)).await;
    let alarms: Vec<Alarm> = de(ok(s.get(&fleet, "/alarms").await).await);
    assert!(alarms.is_empty(), "2 minutes is within the threshold: {alarms:?}");
    clock.advance(Duration::seconds(60));
    let a = wait_for(&mut feed, |b| match b {
        EventBody::Alarm(a) if a.kind == AlarmKind::VehicleStationary => Some(a.clone()),
        _ => None,
    })
    .await;
    assert_eq!(a.subject, Subject::Vehicle(usa.parse().expect("id")));
    assert_eq!(a.raised_at, t0 + Duration::seconds(180));
    // It leaves: the alert restores itself (nobody had taken it yet).
    report(&s, "352000000000301", 1.5, 45.0, clock_now(&clock)).await;
    let a = wait_for(&mut feed, |b| match b {
        EventBody::Alarm(a) if a.kind == AlarmKind::VehicleStationary && !a.is_active() => Some(a.clone()),
        _ => None,
    })
    .await;
    assert!(matches!(a.state, atalaia_core::alarm::AlarmState::Restored { .. }));

    // RFS010: a free vehicle driving at 50 km/h with no dispatch; the fleet controller claims it.
    report(&s, "352000000000302", 3.8, 50.0, clock_now(&clock)).await;
    let a = wait_for(&mut feed, |b| match b {
        EventBody::Alarm(a) if a.kind == AlarmKind::MovingWithoutDispatch && a.is_active() => Some(a.clone()),
        _ => None,
    })
    .await;
    assert_eq!(a.subject, Subject::Vehicle(spare.parse().expect("id")));
    ok(s.post(&fleet, &format!("/alarms/{}/actions", a.id), &json!({"action": "claim"})).await).await;
    // It stops: the condition is cleared on the alarm, which stays with whoever took it.
    clock.advance(Duration::seconds(30));
    report(&s, "352000000000302", 3.7, 0.0, clock_now(&clock)).await;
    let a = wait_for(&mut feed, |b| match b {
        EventBody::Alarm(a) if a.kind == AlarmKind::MovingWithoutDispatch && a.cleared_at.is_some() => {
            Some(a.clone())
        }
        _ => None,
    })
    .await;
    assert!(a.is_active(), "claimed alarms are closed by their operator");
    // It drives off again: the same alarm, still with its operator, is armed again and counts
    // twice (not swallowed as already raised).
    clock.advance(Duration::seconds(5));
    report(&s, "352000000000302", 3.5, 50.0, clock_now(&clock)).await;
    let again = wait_for(&mut feed, |b| match b {
        EventBody::Alarm(x) if x.id == a.id && x.cleared_at.is_none() => Some(x.clone()),
        _ => None,
    })
    .await;
    assert_eq!(again.count, a.count + 1);
    clock.advance(Duration::seconds(5));
    report(&s, "352000000000302", 3.5, 0.0, clock_now(&clock)).await;

    // RFS051: the unit says it is on satellite; silent for over two minutes it is offline, and
    // its next fix brings it back.
    clock.advance(Duration::seconds(5));
    let now = clock_now(&clock);
    let lat = SCENE.0 + 3.7 / 111.2;
    let r = s
        .osmand(&format!(
            "id=352000000000302&lat={lat:.6}&lon={}&timestamp={}&speed=0&link=satellite",
            SCENE.1,
            now.timestamp()
        ))
        .await;
    assert!(r.status().is_success());
    let v: Value = ok(s.get(&fleet, &format!("/vehicles/{spare}")).await).await;
    assert_eq!(v["telemetry"]["link"], "satellite");
    clock.advance(Duration::seconds(130));
    let offline = wait_for(&mut feed, |b| match b {
        EventBody::Vehicle(v)
            if v.code == "USA-10" && v.telemetry.link == atalaia_core::samu::Link::Offline =>
        {
            Some(v.clone())
        }
        _ => None,
    })
    .await;
    assert_eq!(offline.telemetry.fix_time, Some(now));
    report(&s, "352000000000302", 3.7, 0.0, clock_now(&clock)).await;
    let v: Value = ok(s.get(&fleet, &format!("/vehicles/{spare}")).await).await;
    assert_eq!(v["telemetry"]["link"], "data");
    s.running.shutdown().await;
}

/// A 1 × 1 PNG.
const PNG_1X1: &[u8] = &[
    0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0x00, 0x00, 0x0d, 0x49, 0x48, 0x44, 0x52, 0x00,
    0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x01, 0x08, 0x06, 0x00, 0x00, 0x00, 0x1f, 0x15, 0xc4, 0x89, 0x00,
    0x00, 0x00, 0x0d, 0x49, 0x44, 0x41, 0x54, 0x78, 0x9c, 0x63, 0xf8, 0xcf, 0xc0, 0xf0, 0x1f, 0x00, 0x05,
    0x00, 0x01, 0xff, 0x89, 0x99, 0x3d, 0x1d, 0x00, 0x00, 0x00, 0x00, 0x49, 0x45, 0x4e, 0x44, 0xae, 0x42,
    0x60, 0x82,
];

/// A mono 8 kHz 8-bit WAV of `samples` samples of silence.
fn wav(samples: u32) -> Vec<u8> {
    let mut w = Vec::new();
    w.extend_from_slice(b"RIFF");
    w.extend_from_slice(&(36 + samples).to_le_bytes());
    w.extend_from_slice(b"WAVEfmt ");
    w.extend_from_slice(&[16, 0, 0, 0, 1, 0, 1, 0]);
    w.extend_from_slice(&8000u32.to_le_bytes());
    w.extend_from_slice(&8000u32.to_le_bytes());
    w.extend_from_slice(&[1, 0, 8, 0]);
    w.extend_from_slice(b"data");
    w.extend_from_slice(&samples.to_le_bytes());
    w.extend(std::iter::repeat_n(128u8, samples as usize));
    w
}

/// The first box of an MP4 file (ftyp), 32 bytes.
fn mp4_header() -> Vec<u8> {
    let mut v = vec![0, 0, 0, 32];
    v.extend_from_slice(b"ftypisom\0\0\x02\0isomiso2avc1mp41");
    v
}

fn clock_now(clock: &ManualClock) -> DateTime<Utc> {
    use atalaia_core::Clock;
    clock.now()
}

#[tokio::test]
async fn a_call_over_time_and_the_risk_alert_reach_who_must_act() {
    let t0 = Utc::now().trunc_subsecs(0);
    let clock = Arc::new(ManualClock::new(t0));
    let s = TestServer::start_at(clock.clone(), |c| c.samu_call_overtime_s = 120).await;
    let tarm = s.user_token("tarm", Role::Tarm).await;
    let supervisor = s.user_token("supervisor", Role::Supervisor).await;
    let primary = s.user_token("regulador1", Role::Regulator).await;
    let secondary = s.user_token("regulador2", Role::Regulator).await;
    let mut feed = s.live(&supervisor, None).await;
    let LiveMessage::Snapshot(_) = next_message(&mut feed).await else { panic!("snapshot first") };
    let call = json!({"call_type": "atendimento", "caller_phone": "31988887777", "address": "Rua da Bahia, 1000",
        "municipality": "Belo Horizonte", "description": "Dispneia", "call_started_at": t0, "hand_off": false});
    let occ: Occurrence = de(ok(s.post(&tarm, "/occurrences", &call).await).await);
    // RFS033: within the 2 minutes nothing; past them the TARM and the supervisor see the alert.
    clock.advance(Duration::seconds(100));
    tokio::time::sleep(std::time::Duration::from_millis(1_300)).await;
    let alarms: Vec<Alarm> = de(ok(s.get(&tarm, "/alarms").await).await);
    assert!(alarms.is_empty(), "{alarms:?}");
    clock.advance(Duration::seconds(20));
    let a = wait_for(&mut feed, |b| match b {
        EventBody::Alarm(a) if a.kind == AlarmKind::CallOverTime => Some(a.clone()),
        _ => None,
    })
    .await;
    assert_eq!((a.subject, a.raised_at), (Subject::Occurrence(occ.id), t0 + Duration::seconds(120)));
    let seen: Vec<Alarm> = de(ok(s.get(&tarm, "/alarms").await).await);
    assert!(seen.iter().any(|x| x.id == a.id && x.is_active()), "the TARM sees it too");
    // Handed off: the alert ends.
    ok(s.post(&tarm, &format!("/occurrences/{}/handoff", occ.id), &json!({})).await).await;
    let a: Alarm = de(ok(s.get(&supervisor, &format!("/alarms/{}", a.id)).await).await);
    assert!(!a.is_active(), "{:?}", a.state);
    // RFS011: the primary regulator alerts the secondary to the risk classification.
    ok(s.post(
        &primary,
        &format!("/occurrences/{}/regulation", occ.id),
        &json!({"stage": "primary", "priority": "emergency", "risk_alert": true}),
    )
    .await)
    .await;
    let alarms: Vec<Alarm> = de(ok(s.get(&secondary, "/alarms").await).await);
    let risk = alarms.iter().find(|a| a.kind == AlarmKind::RiskAlert && a.is_active()).expect("risk alert");
    assert_eq!(risk.subject, Subject::Occurrence(occ.id));
    ok(s.post(&secondary, &format!("/alarms/{}/actions", risk.id), &json!({"action": "claim"})).await).await;
    ok(s.post(
        &secondary,
        &format!("/occurrences/{}/close", occ.id),
        &json!({"reason": "Orientação por telefone"}),
    )
    .await)
    .await;
    let risk: Alarm = de(ok(s.get(&secondary, &format!("/alarms/{}", risk.id)).await).await);
    assert!(
        risk.cleared_at.is_some(),
        "closing the case clears the condition on the alarm its regulator holds"
    );
    s.running.shutdown().await;
}

#[tokio::test]
async fn crew_alerts_refusal_of_care_and_a_victim_moved_to_another_vehicle() {
    let t0 = Utc::now().trunc_subsecs(0);
    let clock = Arc::new(ManualClock::new(t0));
    let s = TestServer::start_at(clock.clone(), |_| {}).await;
    let tarm = s.user_token("tarm", Role::Tarm).await;
    let reg = s.user_token("regulador", Role::Regulator).await;
    let fleet = s.user_token("frota", Role::FleetController).await;
    let crew = s.user_token("equipe", Role::Crew).await;
    let usb = vehicle(&s, "USB-21", "usb", "352000000000401", 1.0, t0).await;
    let usa = vehicle(&s, "USA-21", "usa", "352000000000402", 2.0, t0).await;
    let call = json!({"call_type": "atendimento", "caller_phone": "31988887777", "address": "Anel Rodoviário, km 20",
        "municipality": "Belo Horizonte", "description": "Colisão entre carro e ônibus", "location": {"lat": SCENE.0, "lon": SCENE.1},
        "victims": [{"name": "Ana"}, {"name": "Carlos"}]});
    let occ: Occurrence = de(ok(s.post(&tarm, "/occurrences", &call).await).await);
    let id = occ.id;
    ok(s.post(
        &reg,
        &format!("/occurrences/{id}/regulation"),
        &json!({"stage": "primary", "resource": "usb"}),
    )
    .await)
    .await;
    let first: Dispatch =
        de(ok(s.post(&fleet, "/dispatches", &json!({"occurrence_id": id, "vehicle_id": usb})).await).await);
    ok(s.put(&crew, "/crew/vehicle", &json!({"vehicle_id": usb})).await).await;

    // RFS002 and RFS001 from the tablet: alarms the regulators and the fleet controller see.
    ok(s.post(
        &crew,
        &format!("/dispatches/{}/alerts", first.id),
        &json!({"kind": "multiple_victims", "note": "Ônibus com 12 passageiros"}),
    )
    .await)
    .await;
    let occ: Occurrence = de(ok(s
        .post(&crew, &format!("/dispatches/{}/alerts", first.id), &json!({"kind": "need_support"}))
        .await)
    .await);
    assert_eq!(occ.crew_alerts.len(), 2);
    assert_eq!(occ.crew_alerts[0].vehicle, "USB-21");
    let alarms: Vec<Alarm> = de(ok(s.get(&reg, "/alarms").await).await);
    assert!(
        alarms.iter().any(|a| a.kind == AlarmKind::MultipleVictims && a.subject == Subject::Occurrence(id))
    );
    let support = alarms.iter().find(|a| a.kind == AlarmKind::CrewNeedsSupport).expect("support alarm");
    assert_eq!(support.subject, Subject::Vehicle(usb.parse().expect("id")));
    assert_eq!(support.severity, atalaia_core::alarm::Severity::Critical);
    ok(s.post(&fleet, &format!("/alarms/{}/actions", support.id), &json!({"action": "claim"})).await).await;

    // A USA joins (RFS054, several vehicles) and victim 2 moves to it (RFS053).
    ok(s.post(
        &reg,
        &format!("/occurrences/{id}/regulation"),
        &json!({"stage": "secondary", "resource": "usa"}),
    )
    .await)
    .await;
    let second: Dispatch =
        de(ok(s.post(&fleet, "/dispatches", &json!({"occurrence_id": id, "vehicle_id": usa})).await).await);
    let move_to = |to: atalaia_core::ids::DispatchId| json!({"victim": 2, "from_dispatch": first.id, "to_dispatch": to, "reason": "Trauma grave"});
    let r = s.post(&crew, &format!("/occurrences/{id}/transfers"), &move_to(first.id)).await;
    expect_problem(r, 409, "conflict").await;
    let occ: Occurrence =
        de(ok(s.post(&crew, &format!("/occurrences/{id}/transfers"), &move_to(second.id)).await).await);
    let t = &occ.transfers[0];
    assert_eq!((t.victim, t.from_vehicle.as_str(), t.to_vehicle.as_str()), (2, "USB-21", "USA-21"));

    // Victim 1 refuses removal and signs the term (RFS023); the term must be attached first.
    let r = s
        .post(
            &crew,
            &format!("/occurrences/{id}/consents"),
            &json!({"victim": 1, "consented": false, "term": atalaia_core::ids::AttachmentId::new()}),
        )
        .await;
    expect_problem(r, 422, "validation").await;
    let term: Value = ok(s
        .http
        .post(s.url(&format!("/occurrences/{id}/attachments?kind=photo&name=termo.png&victim=1")))
        .bearer_auth(&crew)
        .header("content-type", "image/png")
        .body(PNG_1X1.to_vec())
        .send()
        .await
        .expect("upload"))
    .await;
    let occ: Occurrence = de(ok(s.post(&crew, &format!("/occurrences/{id}/consents"),
        &json!({"victim": 1, "consented": false, "term": term["id"], "notes": "Recusou a remoção; orientada."})).await).await);
    let c = &occ.consents[0];
    assert_eq!(
        (c.victim, c.consented, c.term.map(|t| t.to_string())),
        (1, false, term["id"].as_str().map(String::from))
    );

    // RFS128: flagged for patient transport with the reason, kept in the history.
    let occ: Occurrence = de(ok(s
        .post(
            &reg,
            &format!("/occurrences/{id}/regulation"),
            &json!({"stage": "primary", "patient_transport": "Remoção eletiva da vítima 1 após alta"}),
        )
        .await)
    .await);
    assert_eq!(occ.patient_transport, "Remoção eletiva da vítima 1 após alta");
    assert!(occ.history.iter().any(|c| c.field == "patient_transport"));
    s.running.shutdown().await;
}
