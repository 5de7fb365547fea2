//! Groups by area and by type of sentence (III-2.24), over real sockets: a person belongs to a
//! group by sentence and to a region; a zone, a procedure and a notification rule may name either,
//! and each reaches the person through the region as through the sentence; a person elsewhere is
//! untouched; the record's history says when the region changed.

use atalaia_core::auth::Role;
use atalaia_tests::TestServer;
use serde_json::{Value, json};
use std::time::Duration;

const LESTE: &str = "Zona Leste";
const IMEI_A: &str = "777000000002401";
const IMEI_B: &str = "777000000002402";

async fn person(s: &TestServer, name: &str, region: &str, imei: &str) -> Value {
    let body = json!({"name": name, "record": format!("{imei}-24"), "regime": "semi_open",
        "group": "Semiaberto", "region": region});
    let p: Value = s.post(&s.admin_token, "/persons", &body).await.json().await.expect("person");
    let d = s
        .post(
            &s.admin_token,
            "/devices",
            &json!({"imei": imei, "kind": "ankle_bracelet", "person_id": p["id"]}),
        )
        .await;
    assert_eq!(d.status(), 201);
    p
}

/// Three fixes 20 s apart at the place (a side of a zone's edge counts once it held 30 s).
async fn stay(s: &TestServer, imei: &str, lat: f64, lon: f64) {
    let start = chrono::Utc::now().timestamp() - 60;
    for dt in [0, 20, 40] {
        let r = s.osmand(&format!("id={imei}&lat={lat}&lon={lon}&timestamp={}&accuracy=5", start + dt)).await;
        assert_eq!(r.status(), 200);
    }
}

async fn alarms_about(s: &TestServer, person: &Value) -> Vec<Value> {
    let all: Value = s.get(&s.admin_token, "/alarms").await.json().await.expect("alarms");
    all.as_array().expect("array").iter().filter(|a| a["subject"]["id"] == person["id"]).cloned().collect()
}

#[tokio::test]
async fn iii_2_24_a_regions_zone_procedure_and_rule_reach_its_people_whatever_their_sentence() {
    let s = TestServer::start().await;
    let admin = s.user_token("gestor", Role::MonitoringAdmin).await;
    let op = s.user_token("operador", Role::MonitoringOperator).await;
    let a = person(&s, "Aurélio Bastos", LESTE, IMEI_A).await;
    let b = person(&s, "Bento Queiroz", "Zona Oeste", IMEI_B).await;
    assert_eq!((a["group"].as_str(), a["region"].as_str()), (Some("Semiaberto"), Some(LESTE)));

    // The region's exclusion zone, its procedure, and who is told about it.
    let zone = json!({"name": "Escola estadual (Zona Leste)", "kind": "exclusion", "group": LESTE,
        "shape": {"type": "circle", "center": {"lat": -8.75, "lon": -63.85}, "radius_m": 300.0}});
    let r = s.post(&admin, "/zones", &zone).await;
    assert_eq!(r.status(), 201, "{}", r.text().await.unwrap_or_default());
    let steps = json!({"group": LESTE, "steps": ["Acionar a guarnição da Zona Leste", "Registrar a saída"]});
    assert_eq!(s.put(&admin, "/procedures/exclusion_zone_entry", &steps).await.status(), 200);
    let general = json!({"steps": ["Procedimento geral"]});
    assert_eq!(s.put(&admin, "/procedures/exclusion_zone_entry", &general).await.status(), 200);
    let rule =
        json!({"trigger": "raised", "min_severity": "low", "group": LESTE, "email": ["leste@sejus.test"]});
    assert_eq!(s.put(&admin, "/notification-rules/Leste", &rule).await.status(), 200);

    // Both walk into the school's area: only the one of that region raises the alarm.
    stay(&s, IMEI_B, -8.75, -63.85).await;
    stay(&s, IMEI_A, -8.75, -63.85).await;
    let mut alarm = None;
    for _ in 0..200 {
        alarm = alarms_about(&s, &a).await.into_iter().find(|x| x["kind"] == "exclusion_zone_entry");
        if alarm.is_some() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    let alarm = alarm.expect("the region's zone applies to its people");
    assert!(
        alarms_about(&s, &b).await.iter().all(|x| x["kind"] != "exclusion_zone_entry"),
        "a person of another region is not held to it"
    );

    // The operator follows the region's steps, not the general ones.
    let path = format!("/alarms/{}/actions", alarm["id"].as_str().expect("id"));
    assert_eq!(s.post(&op, &path, &json!({"action": "claim"})).await.status(), 200);
    let started: Value =
        s.post(&op, &path, &json!({"action": "start_procedure"})).await.json().await.expect("alarm");
    let texts: Vec<&str> =
        started["steps"].as_array().expect("steps").iter().filter_map(|x| x["text"].as_str()).collect();
    assert_eq!(texts, ["Acionar a guarnição da Zona Leste", "Registrar a saída"]);

    // The region's rule told its address about it.
    let mut told = false;
    for _ in 0..200 {
        let list: Value = s.get(&s.admin_token, "/notifications").await.json().await.expect("notifications");
        told = list
            .as_array()
            .expect("array")
            .iter()
            .any(|n| n["to"] == "leste@sejus.test" && n["alarm_id"] == alarm["id"]);
        if told {
            break;
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    assert!(told, "the rule naming the region sends for its people");

    // Moving to another region is a change of the record, kept in its history.
    let moved = json!({"name": "Aurélio Bastos", "record": format!("{IMEI_A}-24"), "regime": "semi_open",
        "group": "Semiaberto", "region": "Zona Norte"});
    assert_eq!(
        s.put(&admin, &format!("/persons/{}", a["id"].as_str().expect("id")), &moved).await.status(),
        200
    );
    let history: Value = s
        .get(&admin, &format!("/persons/{}/history", a["id"].as_str().expect("id")))
        .await
        .json()
        .await
        .expect("history");
    assert!(history.to_string().contains("Região: Zona Leste → Zona Norte"), "{history}");
    // An overlong region is refused with the field named.
    let long = json!({"name": "X", "record": "1", "regime": "open", "region": "r".repeat(101)});
    let r = s.post(&admin, "/persons", &long).await;
    assert_eq!(r.status(), 422);
    assert!(r.text().await.unwrap_or_default().contains("Região"));
}
