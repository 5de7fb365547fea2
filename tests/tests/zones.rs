//! Zones that live (III-2.13, issue 22 item 1), over real sockets: an administrator suspends a
//! zone (a judge allowed a trip), resumes it, and lifts it for good when the court removes the
//! restriction — each with its reason, in the audit trail. A suspended or lifted zone raises
//! nothing; a lifted one is kept for the record and refuses every change in Portuguese.

use atalaia_tests::TestServer;
use serde_json::{Value, json};
use std::time::Duration;

const IMEI: &str = "777000000001316";

/// Alarm raisings (repeats counted) about `zone`.
async fn raised(s: &TestServer, zone: &str) -> u64 {
    let all: Value = s.get(&s.admin_token, "/alarms").await.json().await.expect("alarms");
    all.as_array()
        .expect("array")
        .iter()
        .filter(|a| a["zone_id"] == zone)
        .map(|a| a["count"].as_u64().unwrap_or(1))
        .sum()
}

/// Waits until the alarms about `zone` reach `n`.
async fn until_raised(s: &TestServer, zone: &str, n: u64) {
    for _ in 0..200 {
        if raised(s, zone).await >= n {
            return;
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    let all: Value = s.get(&s.admin_token, "/alarms").await.json().await.expect("alarms");
    panic!("alarms about zone {zone}: {} (wanted {n}): {all}", raised(s, zone).await);
}

/// The bracelet stays at `lat`, `lon` for 40 s of its clock from `t` (three fixes: a side of a
/// zone's edge counts once it held for the detector's dwell, 30 s). The test's 11 minutes of
/// device time run from 100 s ago to 8 minutes ahead: live data (not a replay, which is over
/// 2 minutes old) from a clock the server accepts (under 10 minutes fast).
async fn fix(s: &TestServer, lat: f64, lon: f64, t: i64) {
    static START: std::sync::OnceLock<i64> = std::sync::OnceLock::new();
    let start = *START.get_or_init(|| chrono::Utc::now().timestamp() - 100);
    for dt in [0, 20, 40] {
        let ts = start + t * 5 / 6 + dt;
        let r = s.osmand(&format!("id={IMEI}&lat={lat}&lon={lon}&timestamp={ts}&accuracy=5")).await;
        assert_eq!(r.status(), 200);
    }
}

async fn change(s: &TestServer, zone: &str, action: &str, reason: &str) -> reqwest::Response {
    s.post(&s.admin_token, &format!("/zones/{zone}/state"), &json!({"action": action, "reason": reason}))
        .await
}

#[tokio::test]
async fn iii_2_13_a_suspended_or_lifted_zone_raises_nothing_a_lifted_one_is_kept_unchangeable_and_its_history_told()
 {
    let s = TestServer::start().await;
    let person: Value = s
        .post(
            &s.admin_token,
            "/persons",
            &json!({"name": "Hélio Prates", "record": "0001-13", "regime": "semi_open"}),
        )
        .await
        .json()
        .await
        .expect("person");
    let d = s
        .post(
            &s.admin_token,
            "/devices",
            &json!({"imei": IMEI, "kind": "ankle_bracelet", "person_id": person["id"]}),
        )
        .await;
    assert_eq!(d.status(), 201);
    // The zone under test, and a control zone far away that stays in force: an alarm from the
    // control zone after a fix says that fix was evaluated.
    let zone = |name: &str, lat: f64| {
        json!({"name": name, "kind": "exclusion", "person_id": person["id"],
            "shape": {"type": "circle", "center": {"lat": lat, "lon": -63.9}, "radius_m": 200.0}})
    };
    let school: Value =
        s.post(&s.admin_token, "/zones", &zone("Escola da vítima", -8.76)).await.json().await.expect("zone");
    let control: Value =
        s.post(&s.admin_token, "/zones", &zone("Controle", -8.70)).await.json().await.expect("zone");
    let (school, control) =
        (school["id"].as_str().expect("id").to_owned(), control["id"].as_str().expect("id"));
    let (outside, inside, in_control) = ((-8.73, -63.9), (-8.76, -63.9), (-8.70, -63.9));

    fix(&s, outside.0, outside.1, 0).await;
    fix(&s, inside.0, inside.1, 60).await;
    until_raised(&s, &school, 1).await;
    fix(&s, outside.0, outside.1, 120).await;

    // A reason is required, in Portuguese.
    let r = change(&s, &school, "suspend", "  ").await;
    assert_eq!(r.status(), 422);
    let problem: Value = r.json().await.expect("problem");
    assert!(problem.to_string().contains("Motivo é obrigatório."), "{problem}");

    // Suspended: entering raises nothing (the control zone's alarm proves the fix was seen).
    let r = change(&s, &school, "suspend", "Viagem autorizada pelo juízo até 10/12").await;
    assert_eq!(r.status(), 200);
    assert_eq!(r.json::<Value>().await.expect("zone")["active"], false);
    fix(&s, inside.0, inside.1, 180).await;
    fix(&s, outside.0, outside.1, 240).await;
    fix(&s, in_control.0, in_control.1, 300).await;
    until_raised(&s, control, 1).await;
    assert_eq!(raised(&s, &school).await, 1, "a suspended zone raised an alarm");
    fix(&s, outside.0, outside.1, 360).await;

    // Resumed: entering raises again.
    assert_eq!(change(&s, &school, "resume", "Retorno da viagem").await.status(), 200);
    fix(&s, inside.0, inside.1, 420).await;
    until_raised(&s, &school, 2).await;
    fix(&s, outside.0, outside.1, 480).await;

    // Lifted: kept, out of force, unchangeable.
    let r = change(&s, &school, "lift", "Medida revogada por decisão judicial de 05/12/2026").await;
    assert_eq!(r.status(), 200);
    let lifted: Value = r.json().await.expect("zone");
    assert_eq!(lifted["active"], false);
    assert_eq!(lifted["lifted"]["reason"], "Medida revogada por decisão judicial de 05/12/2026");
    assert_eq!(lifted["lifted"]["by"], "Administrador");
    fix(&s, inside.0, inside.1, 540).await;
    fix(&s, outside.0, outside.1, 600).await;
    fix(&s, in_control.0, in_control.1, 660).await;
    until_raised(&s, control, 2).await;
    assert_eq!(raised(&s, &school).await, 2, "a lifted zone raised an alarm");
    for action in ["resume", "suspend", "lift"] {
        let r = change(&s, &school, action, "tentativa").await;
        assert_eq!(r.status(), 409, "{action}");
        let problem: Value = r.json().await.expect("problem");
        assert!(problem.to_string().contains("foi revogada"), "{problem}");
    }
    let mut edit = zone("Escola da vítima", -8.76);
    edit["name"] = json!("Outro nome");
    assert_eq!(s.put(&s.admin_token, &format!("/zones/{school}"), &edit).await.status(), 409);
    let kept: Value = s.get(&s.admin_token, &format!("/zones/{school}")).await.json().await.expect("zone");
    assert_eq!(kept["name"], "Escola da vítima");

    // Each change is in the audit trail with its reason.
    let audit: Value =
        s.get(&s.admin_token, &format!("/audit?target={school}")).await.json().await.expect("audit");
    let rows: Vec<(String, String)> = audit
        .as_array()
        .expect("array")
        .iter()
        .map(|e| {
            (
                e["action"].as_str().unwrap_or_default().to_owned(),
                e["detail"].as_str().unwrap_or_default().to_owned(),
            )
        })
        .collect();
    for (action, reason) in [
        ("zone.suspend", "Viagem autorizada pelo juízo até 10/12"),
        ("zone.resume", "Retorno da viagem"),
        ("zone.lift", "Medida revogada por decisão judicial de 05/12/2026"),
    ] {
        assert!(
            rows.iter().any(|(a, d)| a == action && d.contains(reason)),
            "{action} with its reason in {rows:?}"
        );
    }

    // The zone's own history, for whoever reads zones (an operator reads no audit trail):
    // drawn, suspended, resumed, lifted — newest first, each with who and why.
    let operator = s.user_token("plantonista", atalaia_core::auth::Role::MonitoringOperator).await;
    assert_eq!(s.get(&operator, &format!("/audit?target={school}")).await.status(), 403);
    let history: Value =
        s.get(&operator, &format!("/zones/{school}/history")).await.json().await.expect("history");
    let actions: Vec<&str> =
        history.as_array().expect("array").iter().map(|e| e["action"].as_str().unwrap_or_default()).collect();
    assert_eq!(actions, ["zone.lift", "zone.resume", "zone.suspend", "zone.create"], "{history}");
    assert!(history[0]["detail"].as_str().unwrap_or_default().contains("decisão judicial"), "{history}");
    assert_eq!(s.get(&operator, "/zones/no-such-zone/history").await.status(), 404);
    s.running.shutdown().await;
}
