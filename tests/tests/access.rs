//! Abuse of access (issue 22 item 5), over real sockets.

use atalaia_core::wire::LiveMessage;
use atalaia_tests::{TestServer, expect_problem, next_message};
use tokio_tungstenite::tungstenite::client::IntoClientRequest;

/// 16.3 (access only with credentials, nothing secret in addresses): a session token in `?token=`
/// opens the live feed — a browser cannot set a header on a WebSocket — and nothing else: on a
/// REST route it is refused (401), so tokens do not end up in proxies' logs and browser history.
#[tokio::test]
async fn a_token_in_the_address_opens_only_the_live_feed() {
    let s = TestServer::start().await;
    let token = s.admin_token.clone();
    for path in ["/occurrences", "/persons", "/alarms", "/auth/me"] {
        let r = s.http.get(format!("{}?token={token}", s.url(path))).send().await.expect("GET");
        expect_problem(r, 401, "unauthorized").await;
        assert_eq!(s.get(&token, path).await.status(), 200, "{path} with the header");
    }
    let base = s.running.base_url().replacen("http://", "ws://", 1);
    let req = format!("{base}/api/v1/live?token={token}").into_client_request().expect("request");
    let (mut ws, _) = tokio_tungstenite::connect_async(req).await.expect("the live feed takes ?token=");
    assert!(matches!(next_message(&mut ws).await, LiveMessage::Snapshot(_)));
    s.running.shutdown().await;
}

/// Bad input gets a clear error in Portuguese and is not stored (issue 22 item 5; III-2.8 zone
/// geometry): a name of a megabyte, a self-intersecting polygon, a circle of 1e308 m and a 0.5 m
/// warning buffer are refused with the field named; nothing of them is stored.
#[tokio::test]
async fn oversized_text_and_impossible_zones_are_refused_in_portuguese() {
    let s = TestServer::start().await;
    let admin = s.admin_token.clone();
    let huge = "A".repeat(1_000_000);
    let body = serde_json::json!({"name": huge, "record": "1", "regime": "semi_open"});
    let problem = expect_problem(s.post(&admin, "/persons", &body).await, 422, "validation").await;
    assert!(problem.to_string().contains("Nome deve ter até 200 caracteres."), "{problem}");
    let call = serde_json::json!({"call_type": "atendimento", "caller_phone": "(31) 98888-7777", "address": "Rua A, 1",
        "municipality": "Belo Horizonte", "description": "D".repeat(5_000)});
    let problem = expect_problem(s.post(&admin, "/occurrences", &call).await, 422, "validation").await;
    assert!(problem.to_string().contains("Queixa / descrição deve ter até 4000 caracteres."), "{problem}");

    let zone = |shape: serde_json::Value, warning: Option<f64>| serde_json::json!({"name": "Praça", "kind": "exclusion", "group": "Regional I", "shape": shape, "warning_m": warning});
    let bow_tie = serde_json::json!({"type": "polygon", "ring": [
        {"lat": -8.76, "lon": -63.91}, {"lat": -8.75, "lon": -63.89}, {"lat": -8.76, "lon": -63.89}, {"lat": -8.75, "lon": -63.91}]});
    let problem =
        expect_problem(s.post(&admin, "/zones", &zone(bow_tie, None)).await, 422, "validation").await;
    assert!(problem.to_string().contains("as bordas do polígono se cruzam"), "{problem}");
    let circle =
        |r: f64| serde_json::json!({"type": "circle", "center": {"lat": -8.76, "lon": -63.9}, "radius_m": r});
    let problem =
        expect_problem(s.post(&admin, "/zones", &zone(circle(1e308), None)).await, 422, "validation").await;
    assert!(problem.to_string().contains("o raio deve ficar entre 10 m e 200 km"), "{problem}");
    let problem =
        expect_problem(s.post(&admin, "/zones", &zone(circle(150.0), Some(0.5))).await, 422, "validation")
            .await;
    assert!(
        problem.to_string().contains("A zona de advertência deve ter entre 10 e 5.000 metros."),
        "{problem}"
    );

    let persons: serde_json::Value = s.get(&admin, "/persons").await.json().await.expect("persons");
    assert!(
        persons
            .as_array()
            .expect("array")
            .iter()
            .all(|p| p["name"].as_str().is_some_and(|n| n.len() < 1_000))
    );
    let zones: serde_json::Value = s.get(&admin, "/zones").await.json().await.expect("zones");
    assert!(zones.as_array().expect("array").iter().all(|z| z["name"] != "Praça"), "nothing stored");
    s.running.shutdown().await;
}
