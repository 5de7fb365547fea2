//! A bracelet's life over real sockets (issue 22 item 1; Anexo III 2.12): fitted on a person,
//! a second active bracelet refused, swapped for a spare when it breaks — the person's track
//! goes on with the spare, the broken one's reports are refused, both records keep the story —
//! and each step in the audit trail with its reason.

use atalaia_core::auth::Role;
use atalaia_tests::{TestServer, expect_problem};
use serde_json::{Value, json};

const OLD: &str = "861000000000101";
const SPARE: &str = "861000000000102";
const OTHER: &str = "861000000000103";

async fn json_of(r: reqwest::Response) -> Value {
    r.json().await.expect("json")
}

async fn change(s: &TestServer, token: &str, device: &Value, body: Value) -> reqwest::Response {
    s.post(token, &format!("/devices/{}/state", device["id"].as_str().expect("id")), &body).await
}

async fn report(s: &TestServer, imei: &str, lat: f64) -> u16 {
    let ts = chrono::Utc::now().timestamp();
    s.osmand(&format!("id={imei}&lat={lat}&lon=-63.9&timestamp={ts}&accuracy=5&batt=80"))
        .await
        .status()
        .as_u16()
}

#[tokio::test]
async fn iii_2_12_a_bracelet_is_swapped_keeping_the_history_and_a_second_active_one_is_refused() {
    let s = TestServer::start().await;
    let admin = s.admin_token.clone();
    let person = json_of(
        s.post(
            &admin,
            "/persons",
            &json!({"name": "Ivo Rangel", "record": "0001-12", "regime": "semi_open"}),
        )
        .await,
    )
    .await;
    let new_device =
        |imei: &str, state: &str| json!({"imei": imei, "kind": "ankle_bracelet", "state": state});
    let old = s.post(&admin, "/devices", &new_device(OLD, "stock")).await;
    assert_eq!(old.status(), 201);
    let old = json_of(old).await;
    assert_eq!(old["state"], "stock");
    let spare = json_of(s.post(&admin, "/devices", &new_device(SPARE, "stock")).await).await;
    let other = json_of(s.post(&admin, "/devices", &new_device(OTHER, "stock")).await).await;

    // A bracelet in stock sends nothing the server keeps.
    assert_eq!(report(&s, OLD, -8.70).await, 400, "stock devices are refused like unknown ones");

    // Fitted on the person: reports are stored under the person.
    let fitted = change(&s, &admin, &old, json!({"action": "activate", "person_id": person["id"]})).await;
    assert_eq!(fitted.status(), 200);
    let fitted = json_of(fitted).await;
    assert_eq!((fitted["state"].as_str(), &fitted["person_id"]), (Some("active"), &person["id"]));
    assert_eq!(report(&s, OLD, -8.70).await, 200);

    // A second active bracelet on the same person is refused, whichever way it is tried.
    let second = change(&s, &admin, &other, json!({"action": "activate", "person_id": person["id"]})).await;
    let problem = expect_problem(second, 409, "conflict").await;
    assert_eq!(
        problem["detail"],
        format!(
            "Ivo Rangel já está com o dispositivo {OLD} ativo. Para trocar, use Substituir nesse dispositivo."
        )
    );
    let registered = s
        .post(
            &admin,
            "/devices",
            &json!({"imei": "861000000000104", "kind": "ankle_bracelet", "person_id": person["id"]}),
        )
        .await;
    expect_problem(registered, 409, "conflict").await;
    let other_now =
        json_of(s.get(&admin, &format!("/devices/{}", other["id"].as_str().expect("id"))).await).await;
    assert_eq!(other_now["state"], "stock", "a refused step changes nothing");

    // Without a reason the swap is refused; with one, both devices change together.
    let no_reason = change(&s, &admin, &old, json!({"action": "replace", "by": spare["id"]})).await;
    let problem = expect_problem(no_reason, 422, "validation").await;
    assert_eq!(problem["errors"][0]["field"], "reason");
    let swapped = change(
        &s,
        &admin,
        &old,
        json!({"action": "replace", "by": spare["id"], "outcome": "defective", "reason": "Bateria não carrega"}),
    )
    .await;
    assert_eq!(swapped.status(), 200);
    let old_now = json_of(swapped).await;
    assert_eq!((old_now["state"].as_str(), &old_now["person_id"]), (Some("defective"), &Value::Null));
    let spare_now =
        json_of(s.get(&admin, &format!("/devices/{}", spare["id"].as_str().expect("id"))).await).await;
    assert_eq!((spare_now["state"].as_str(), &spare_now["person_id"]), (Some("active"), &person["id"]));

    // The broken bracelet's reports are refused; the spare's go on the same person's track.
    assert_eq!(report(&s, OLD, -8.71).await, 400);
    assert_eq!(report(&s, SPARE, -8.72).await, 200);
    let track =
        json_of(s.get(&admin, &format!("/positions?person_id={}", person["id"].as_str().expect("id"))).await)
            .await;
    let devices: Vec<&str> =
        track.as_array().expect("array").iter().filter_map(|p| p["device_id"].as_str()).collect();
    assert_eq!(devices.len(), 2, "{track}");
    assert!(
        devices.contains(&old["id"].as_str().expect("id"))
            && devices.contains(&spare["id"].as_str().expect("id"))
    );

    // Each record tells its story: who, why, the wearer and the other device.
    let steps = old_now["history"].as_array().expect("history");
    assert_eq!(steps.len(), 2);
    assert_eq!(
        (steps[1]["action"].as_str(), steps[1]["removed_from"].as_str(), steps[1]["other"].as_str()),
        (Some("device.replace"), person["id"].as_str(), spare["id"].as_str())
    );
    assert_eq!(steps[1]["reason"], "Bateria não carrega");
    assert_eq!(steps[1]["by"], "Administrador");
    assert_eq!(spare_now["history"][0]["fitted_on"], person["id"]);
    assert_eq!(spare_now["history"][0]["other"], old["id"]);

    // What the state does not allow is refused with why; an operator may not change devices.
    let again = change(&s, &admin, &old, json!({"action": "activate"})).await;
    let problem = expect_problem(again, 409, "conflict").await;
    assert_eq!(
        problem["detail"],
        "Só um dispositivo em estoque pode ser ativado: o dispositivo está com defeito."
    );
    let operator = s.user_token("operador", Role::MonitoringOperator).await;
    expect_problem(
        change(&s, &operator, &old, json!({"action": "restock", "reason": "x"})).await,
        403,
        "forbidden",
    )
    .await;
    let repaired = change(&s, &admin, &old, json!({"action": "restock", "reason": "Bateria trocada"})).await;
    assert_eq!(json_of(repaired).await["state"], "stock");

    // The audit trail has every step with its reason.
    let audit = json_of(s.get(&admin, "/audit?limit=50").await).await;
    let actions: Vec<(&str, &str)> = audit
        .as_array()
        .expect("array")
        .iter()
        .filter(|e| e["action"].as_str().is_some_and(|a| a.starts_with("device.") && a != "device.create"))
        .map(|e| (e["action"].as_str().unwrap_or_default(), e["detail"].as_str().unwrap_or_default()))
        .collect();
    let names: Vec<&str> = actions.iter().map(|(a, _)| *a).collect();
    assert_eq!(names, ["device.restock", "device.replace", "device.fit", "device.activate"], "{audit}");
    assert!(actions[1].1.contains("Bateria não carrega") && actions[1].1.contains(SPARE), "{:?}", actions[1]);
}

/// A vehicle's tracker out of use (broken, lost, returned, written off) is no longer that
/// vehicle's: both records say so.
#[tokio::test]
async fn iii_2_12_a_broken_tracker_leaves_its_vehicle() {
    let s = TestServer::start().await;
    let admin = s.admin_token.clone();
    let vehicle = json_of(
        s.post(&admin, "/vehicles", &json!({"code": "USB-12", "kind": "usb", "municipality": "Porto Velho"}))
            .await,
    )
    .await;
    let tracker = json_of(
        s.post(
            &admin,
            "/devices",
            &json!({"imei": "352000000000912", "kind": "vehicle_tracker", "vehicle_id": vehicle["id"]}),
        )
        .await,
    )
    .await;
    let path = format!("/vehicles/{}", vehicle["id"].as_str().expect("id"));
    assert_eq!(json_of(s.get(&admin, &path).await).await["device_id"], tracker["id"]);
    let broken =
        change(&s, &admin, &tracker, json!({"action": "defective", "reason": "Antena quebrada"})).await;
    let broken = json_of(broken).await;
    assert_eq!((broken["state"].as_str(), &broken["vehicle_id"]), (Some("defective"), &Value::Null));
    assert_eq!(json_of(s.get(&admin, &path).await).await["device_id"], Value::Null);
}
