//! Administrators see every operator's annotations on a person's events (III-2.14), over real
//! sockets: the alarms about a person — open and closed, newest first, with each note and the
//! closing note — are read by their subject; every user's name is there to say who wrote them;
//! reading a person's alarms is audited (RFS179); the administrators record the measures taken
//! about each event, closed ones included (16.2.12).

use atalaia_core::auth::Role;
use atalaia_tests::{TestServer, expect_problem};
use serde_json::{Value, json};
use std::time::Duration;

const IMEI: &str = "777000000002141";

#[tokio::test]
async fn iii_2_14_a_persons_alarms_come_with_every_operators_notes_and_names_and_the_reading_is_audited() {
    let s = TestServer::start().await;
    let admin = s.user_token("gestora", Role::MonitoringAdmin).await;
    let op = s.user_token("plantonista", Role::MonitoringOperator).await;
    let body = json!({"name": "Otávio Ramos", "record": "0002-14", "regime": "semi_open"});
    let person: Value = s.post(&admin, "/persons", &body).await.json().await.expect("person");
    let pid = person["id"].as_str().expect("id").to_owned();
    let other: Value = s
        .post(&admin, "/persons", &json!({"name": "Outro", "record": "0003-14", "regime": "open"}))
        .await
        .json()
        .await
        .expect("person");
    let d =
        s.post(&admin, "/devices", &json!({"imei": IMEI, "kind": "ankle_bracelet", "person_id": pid})).await;
    assert_eq!(d.status(), 201);

    // A tamper alarm, taken, annotated and closed by the operator.
    let now = chrono::Utc::now().timestamp();
    let r =
        s.osmand(&format!("id={IMEI}&lat=-8.76&lon=-63.9&timestamp={now}&accuracy=5&alarm=tampering")).await;
    assert_eq!(r.status(), 200);
    let mut alarm = Value::Null;
    for _ in 0..200 {
        let list: Value = s.get(&op, &format!("/alarms?subject={pid}")).await.json().await.expect("alarms");
        if let Some(a) = list.as_array().and_then(|l| l.first()) {
            alarm = a.clone();
            break;
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    let path = format!("/alarms/{}/actions", alarm["id"].as_str().expect("an alarm about the person"));
    assert_eq!(s.post(&op, &path, &json!({"action": "claim"})).await.status(), 200);
    let note = "Liguei para o monitorado: diz que bateu a perna na cama.";
    assert_eq!(s.post(&op, &path, &json!({"action": "note", "text": note})).await.status(), 200);
    let close = json!({"action": "close", "outcome": "false_alarm", "note": "Cinta íntegra na vistoria."});
    assert_eq!(s.post(&op, &path, &close).await.status(), 200);

    // The administrator reads the person's alarms: the closed one, with the note and who wrote it.
    let list: Value = s.get(&admin, &format!("/alarms?subject={pid}")).await.json().await.expect("alarms");
    let list = list.as_array().expect("array");
    assert_eq!(list.len(), 1, "{list:?}");
    let a = &list[0];
    assert_eq!(a["state"]["state"], "closed", "{a}");
    assert_eq!(a["notes"][0]["text"], note);
    assert_eq!(a["state"]["note"], "Cinta íntegra na vistoria.");
    let names: Value = s.get(&op, "/users/names").await.json().await.expect("names");
    let writer = names
        .as_array()
        .expect("array")
        .iter()
        .find(|n| n["id"] == a["notes"][0]["by"])
        .expect("the note's author is named");
    assert_eq!(writer["display_name"], "Usuário plantonista");
    assert!(names.as_array().expect("array").iter().all(|n| n.get("permissions").is_none()), "names only");

    // 16.2.12: a measure about the closed event, by who answers for the person — not an operator.
    let letter = json!({"action": "record", "measure": "letter", "text": "Ofício 212/2026 ao juízo da VEP"});
    expect_problem(s.post(&op, &path, &letter).await, 403, "forbidden").await;
    let r = s.post(&admin, &path, &json!({"action": "record", "measure": "letter", "text": " "})).await;
    assert_eq!(r.status(), 422, "a measure says what was done");
    let recorded: Value = s.post(&admin, &path, &letter).await.json().await.expect("alarm");
    assert_eq!(recorded["notes"][1]["measure"], "letter");
    assert_eq!(recorded["state"]["state"], "closed", "recorded on the closed alarm, which stays closed");
    let trail: Value = s.get(&admin, "/audit?action=alarm.record").await.json().await.expect("audit");
    assert_eq!(trail[0]["detail"], "Ofício enviado: Ofício 212/2026 ao juízo da VEP");

    // Another person's alarms are not among them; reading a person's is audited.
    let none: Value = s
        .get(&admin, &format!("/alarms?subject={}", other["id"].as_str().expect("id")))
        .await
        .json()
        .await
        .expect("x");
    assert_eq!(none, json!([]));
    let trail: Value = s.get(&admin, "/audit?action=person.alarms.view").await.json().await.expect("audit");
    let rows = trail.as_array().expect("array");
    assert!(rows.iter().any(|e| e["target"] == pid.as_str() && e["username"] == "gestora"), "{trail}");
    // Nobody without a login gets the names.
    assert_eq!(reqwest::get(s.url("/users/names")).await.expect("get").status(), 401);
}
