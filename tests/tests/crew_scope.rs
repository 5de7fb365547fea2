//! Issue 23 item 3: an ambulance crew sees and acts on its own vehicle's work only, over real
//! sockets — every route a crew may call answers 403 for another vehicle's occurrence, vehicle,
//! assignment, messages, attachments or report, lists leave them out, the live feed streams
//! none of it, and a crew that signs in to another vehicle gets that vehicle's work.

use atalaia_core::auth::Role;
use atalaia_core::wire::{EventBody, LiveMessage};
use atalaia_tests::{TestServer, expect_problem, next_message};
use serde_json::{Value, json};
use std::time::Duration;

async fn ok(resp: reqwest::Response) -> Value {
    let status = resp.status();
    let body: Value = resp.json().await.expect("json body");
    assert!(status.is_success(), "{status}: {body}");
    body
}

fn id(v: &Value) -> String {
    v["id"].as_str().expect("id").to_owned()
}

struct Work {
    vehicle: String,
    occurrence: String,
    dispatch: String,
}

/// A vehicle dispatched to a call of its own.
async fn work(s: &TestServer, tarm: &str, reg: &str, fleet: &str, code: &str, street: &str) -> Work {
    let v = ok(s
        .post(
            &s.admin_token,
            "/vehicles",
            &json!({"code": code, "kind": "usb", "municipality": "Belo Horizonte"}),
        )
        .await)
    .await;
    let vehicle = id(&v);
    ok(s.post(fleet, &format!("/vehicles/{vehicle}/status"), &json!({"status": "available"})).await).await;
    let call = json!({"call_type": "atendimento", "caller_name": format!("Chamador {street}"), "caller_phone": "31988887777",
        "address": street, "municipality": "Belo Horizonte", "description": "Queda de altura",
        "location": {"lat": -19.9191, "lon": -43.9386}, "victims": [{"name": "Vítima"}]});
    let o = ok(s.post(tarm, "/occurrences", &call).await).await;
    let occurrence = id(&o);
    ok(s.post(
        reg,
        &format!("/occurrences/{occurrence}/regulation"),
        &json!({"stage": "primary", "resource": "usb"}),
    )
    .await)
    .await;
    let d =
        ok(s.post(fleet, "/dispatches", &json!({"occurrence_id": occurrence, "vehicle_id": vehicle})).await)
            .await;
    Work { vehicle, occurrence, dispatch: id(&d) }
}

#[tokio::test]
async fn issue_23_a_crew_gets_403_on_every_other_vehicles_data_and_its_feed_carries_its_own_work_only() {
    let s = TestServer::start().await;
    let tarm = s.user_token("tarm", Role::Tarm).await;
    let reg = s.user_token("regulador", Role::Regulator).await;
    let fleet = s.user_token("frota", Role::FleetController).await;
    let ours = work(&s, &tarm, &reg, &fleet, "USB-31", "Rua da Bahia, 100").await;
    let theirs = work(&s, &tarm, &reg, &fleet, "USB-32", "Avenida Afonso Pena, 2000").await;
    let crew = s.user_token("equipe31", Role::Crew).await;
    let other_crew = s.user_token("equipe32", Role::Crew).await;
    ok(s.put(&crew, "/crew/vehicle", &json!({"vehicle_id": ours.vehicle})).await).await;
    ok(s.put(&other_crew, "/crew/vehicle", &json!({"vehicle_id": theirs.vehicle})).await).await;
    // The other crew's photo and message on its occurrence.
    let photo = s
        .http
        .post(s.url(&format!(
            "/occurrences/{}/attachments?kind=photo&name=cena.png&victim=1",
            theirs.occurrence
        )))
        .bearer_auth(&other_crew)
        .header("content-type", "image/png")
        .body(b"\x89PNG\r\n\x1a\nnot really".to_vec())
        .send()
        .await
        .expect("POST");
    let photo = ok(photo).await;
    let said = json!({"text": "Vítima consciente"});
    ok(s.post(&other_crew, &format!("/occurrences/{}/messages", theirs.occurrence), &said).await).await;

    // Every read and write of the other vehicle's work: 403.
    let (o, v) = (&theirs.occurrence, &theirs.vehicle);
    for path in [
        format!("/occurrences/{o}"),
        format!("/occurrences/{o}/messages"),
        format!("/occurrences/{o}/report.pdf"),
        format!("/attachments/{}", id(&photo)),
        format!("/vehicles/{v}"),
        format!("/vehicles/{v}/assignments"),
        format!("/occurrences/{}/recommendation", ours.occurrence),
        "/panel".to_owned(),
    ] {
        expect_problem(s.get(&crew, &path).await, 403, "forbidden").await;
    }
    let writes = [
        (format!("/occurrences/{o}/addenda"), json!({"text": "complemento"})),
        (format!("/occurrences/{o}/messages"), json!({"text": "oi"})),
        (format!("/occurrences/{o}/records"), json!({"victim": 1, "notes": "x"})),
        (format!("/dispatches/{}/ack", theirs.dispatch), json!({})),
        (format!("/dispatches/{}/status", theirs.dispatch), json!({"status": "en_route"})),
        (format!("/dispatches/{}/alerts", theirs.dispatch), json!({"kind": "need_support"})),
        (format!("/vehicles/{v}/status"), json!({"status": "available"})),
    ];
    for (path, body) in &writes {
        let r = s.post(&crew, path, body).await;
        assert_eq!(r.status(), 403, "POST {path}: {}", r.text().await.unwrap_or_default());
    }

    // Lists: its own work, nothing of the other's.
    let secrets = [&theirs.vehicle, &theirs.occurrence, &theirs.dispatch, "Afonso Pena", "USB-32"];
    for path in ["/occurrences", "/vehicles", "/dispatches", "/alarms"] {
        let body = s.get(&crew, path).await.text().await.expect("body");
        for secret in secrets {
            assert!(!body.contains(secret), "{path} shows {secret}: {body}");
        }
    }
    // The sign-in screen lists every vehicle by its code and base, nothing of its work.
    let choices: Value = s.get(&crew, "/crew/vehicles").await.json().await.expect("choices");
    let codes: Vec<&str> =
        choices.as_array().expect("array").iter().filter_map(|v| v["code"].as_str()).collect();
    assert_eq!(codes, ["USB-31", "USB-32"]);
    assert!(choices[1].get("status").is_none() && choices[1].get("telemetry").is_none(), "{choices}");
    let mine =
        s.get(&crew, &format!("/vehicles/{}/assignments", ours.vehicle)).await.text().await.expect("body");
    assert!(mine.contains(&ours.occurrence) && mine.contains("Rua da Bahia"), "{mine}");

    // The live feed: its vehicle, dispatch and occurrence only; the other's messages never come.
    let mut ws = s.live(&crew, None).await;
    let LiveMessage::Snapshot(snap) = next_message(&mut ws).await else { panic!("a snapshot first") };
    let json = serde_json::to_string(&snap).expect("json");
    for secret in secrets {
        assert!(!json.contains(secret), "the snapshot shows {secret}");
    }
    assert_eq!((snap.occurrences.len(), snap.vehicles.len(), snap.dispatches.len()), (1, 1, 1));
    ok(s.post(&reg, &format!("/occurrences/{o}/messages"), &json!({"text": "Para a outra equipe"})).await)
        .await;
    ok(s.post(&reg, &format!("/occurrences/{}/messages", ours.occurrence), &json!({"text": "Para vocês"}))
        .await)
    .await;
    loop {
        let LiveMessage::Event(e) = next_message(&mut ws).await else { continue };
        let text = serde_json::to_string(&e.body).expect("json");
        assert!(!text.contains(o.as_str()), "another occurrence streamed: {text}");
        if let EventBody::Message(m) = &e.body
            && m.text == "Para vocês"
        {
            break;
        }
    }

    // Signed in to the other vehicle, the tablet gets that vehicle's work (a fresh snapshot).
    ok(s.put(&crew, "/crew/vehicle", &json!({"vehicle_id": theirs.vehicle})).await).await;
    let deadline = tokio::time::Instant::now() + Duration::from_secs(15);
    loop {
        let msg = tokio::time::timeout_at(deadline, next_message(&mut ws)).await.expect("a snapshot in time");
        if let LiveMessage::Snapshot(snap) = msg {
            let ids: Vec<String> = snap.occurrences.iter().map(|o| o.id.to_string()).collect();
            assert_eq!(ids, std::slice::from_ref(&theirs.occurrence));
            break;
        }
    }
    assert_eq!(s.get(&crew, &format!("/occurrences/{o}/messages")).await.status(), 200);
}
