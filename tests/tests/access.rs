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
    assert!(problem.to_string().contains("Queixa / descrição deve ter até 4.000 caracteres."), "{problem}");

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

/// Login throttling (issue 22 item 5; 16.3.2): five wrong passwords from one address block that
/// address on that account — the account's owner at another desk (127.0.0.2) still logs in, so
/// knowing a user name no longer lets anyone lock its owner out; a spray of user names blocks the
/// sprayer's address; an administrator lifts the blocks with a reason, in the audit trail.
#[tokio::test]
async fn failed_logins_slow_the_guessers_address_not_the_accounts_owner() {
    let s = TestServer::start_with(|c| c.max_failed_logins = 5).await;
    let _ = s.user_token("ana", atalaia_core::auth::Role::Tarm).await;
    let from = |ip: [u8; 4]| {
        reqwest::Client::builder().local_address(std::net::IpAddr::from(ip)).build().expect("client")
    };
    let (guesser, owner) = (from([127, 0, 0, 1]), from([127, 0, 0, 2]));
    let login = |c: &reqwest::Client, user: &str, pw: &str| {
        c.post(s.url("/auth/login")).json(&serde_json::json!({"username": user, "password": pw})).send()
    };
    for _ in 0..4 {
        expect_problem(login(&guesser, "ana", "chute").await.expect("login"), 401, "bad_credentials").await;
    }
    let blocked =
        expect_problem(login(&guesser, "ana", "chute").await.expect("login"), 429, "account_locked").await;
    assert!(blocked.to_string().contains("a partir deste endereço"), "{blocked}");
    // Even the right password from the guesser's address waits; the owner's desk does not.
    expect_problem(login(&guesser, "ana", "password-123").await.expect("login"), 429, "account_locked").await;
    assert_eq!(
        login(&owner, "ana", "password-123").await.expect("login").status(),
        200,
        "the owner is not locked out"
    );

    // The administrator lifts the block, with a reason.
    let users: serde_json::Value = s.get(&s.admin_token, "/users").await.json().await.expect("users");
    let ana =
        users.as_array().expect("array").iter().find(|u| u["username"] == "ana").expect("ana")["id"].clone();
    let ana = ana.as_str().expect("id");
    let no_reason =
        s.post(&s.admin_token, &format!("/users/{ana}/unlock"), &serde_json::json!({"reason": " "})).await;
    expect_problem(no_reason, 422, "validation").await;
    let r = s
        .post(
            &s.admin_token,
            &format!("/users/{ana}/unlock"),
            &serde_json::json!({"reason": "Ana esqueceu a senha nova"}),
        )
        .await;
    assert_eq!(r.status(), 204);
    assert_eq!(login(&guesser, "ana", "password-123").await.expect("login").status(), 200);
    let audit: serde_json::Value =
        s.get(&s.admin_token, "/audit?action=user.unlock").await.json().await.expect("audit");
    assert!(audit.to_string().contains("Ana esqueceu a senha nova"), "{audit}");

    // A spray of user names from one address (4 × 5 failures) blocks that address.
    let sprayer = from([127, 0, 0, 3]);
    let mut last = 0;
    for i in 0..20 {
        last = login(&sprayer, &format!("usuario{i}"), "123456").await.expect("login").status().as_u16();
    }
    assert_eq!(last, 429, "the sprayer's address is blocked");
    expect_problem(login(&sprayer, "ana", "password-123").await.expect("login"), 429, "account_locked").await;
    assert_eq!(login(&owner, "ana", "password-123").await.expect("login").status(), 200);
    s.running.shutdown().await;
}

/// 16.3.2.3, III-2.23: a password an administrator chose is changed at the first access — the
/// login says so until the user has chosen their own, and the server refuses every other route
/// meanwhile; the demo's and the user's own choices are not asked again.
#[tokio::test]
async fn iii_2_23_a_password_set_by_an_administrator_must_be_changed_at_the_first_access() {
    let s = TestServer::start().await;
    let r = s
        .post(
            &s.admin_token,
            "/users",
            &serde_json::json!({"username": "bia", "display_name": "Bia", "role": "tarm", "password": "dada-pelo-admin"}),
        )
        .await;
    assert_eq!(r.status(), 201);
    let first = s.login("bia", "dada-pelo-admin").await;
    assert!(first.must_change_password);
    let again = s.login("bia", "dada-pelo-admin").await;
    assert!(again.must_change_password, "until it is changed");
    // No way around it: until the change, the session opens nothing but the change itself —
    // whatever program holds it, the REST routes and the live feed alike.
    let body =
        expect_problem(s.get(&again.token, "/occurrences").await, 403, "password_change_required").await;
    assert!(body["detail"].as_str().unwrap_or_default().contains("troque-a"), "{body}");
    expect_problem(s.get(&again.token, "/alarms").await, 403, "password_change_required").await;
    let refused = reqwest::Client::new()
        .get(s.url("/live"))
        .header("Authorization", format!("Bearer {}", again.token))
        .send()
        .await
        .expect("live");
    assert_eq!(refused.status(), 403, "the live feed too");
    assert_eq!(s.get(&again.token, "/auth/me").await.status(), 200, "who am I, to show the form");
    let body =
        serde_json::json!({"current_password": "dada-pelo-admin", "new_password": "escolhida-pela-bia"});
    assert_eq!(s.post(&first.token, "/auth/password", &body).await.status(), 204);
    let own = s.login("bia", "escolhida-pela-bia").await;
    assert!(!own.must_change_password && !own.password_expired);
    assert_eq!(s.get(&own.token, "/occurrences").await.status(), 200, "everything the profile grants, now");
    expect_problem(s.try_login("bia", "dada-pelo-admin").await, 401, "bad_credentials").await;
}
