//! The audit trail searched as an auditor or a monitoring administrator needs it (issue 22
//! item 6; RFS173, RFS174, III-2.17): every entry says from which address and by which route it
//! came, and the search finds entries by text, kind of action, address and route; the chain
//! still verifies with rows from before addresses were recorded.

use atalaia_backend::store::db::Engine;
use atalaia_core::auth::Role;
use atalaia_tests::{TestServer, expect_problem};
use serde_json::{Value, json};

async fn search(s: &TestServer, token: &str, query: &str) -> Vec<Value> {
    let r = s.get(token, &format!("/audit?{query}")).await;
    assert_eq!(r.status(), 200, "{query}");
    r.json::<Value>().await.expect("json").as_array().expect("array").clone()
}

#[tokio::test]
async fn rfs173_rfs174_entries_carry_address_and_route_and_are_found_by_text_kind_address_and_route() {
    let s = TestServer::start().await;
    let admin = s.admin_token.clone();
    let person: Value = s
        .post(&admin, "/persons", &json!({"name": "Otávio Brandão", "record": "0001-17", "regime": "open"}))
        .await
        .json()
        .await
        .expect("person");
    let id = person["id"].as_str().expect("id");
    let fixed = json!({"name": "Otávio Brandão Neto", "record": "0001-17", "regime": "open"});
    assert_eq!(s.put(&admin, &format!("/persons/{id}"), &fixed).await.status(), 200);

    // A monitoring administrator searches the trail (it could not before).
    let admmon = s.user_token("admmon", Role::MonitoringAdmin).await;
    let found = search(&s, &admmon, "text=otávio%20brandão").await;
    let actions: Vec<&str> = found.iter().filter_map(|e| e["action"].as_str()).collect();
    assert_eq!(actions, ["person.update", "person.create"], "{found:?}");
    let update = &found[0];
    assert_eq!(update["origin"], "127.0.0.1");
    assert_eq!(update["route"], format!("PUT /api/v1/persons/{id}"));
    assert_eq!(found[1]["route"], "POST /api/v1/persons");

    // By kind of action, address, route; case and accents as typed.
    let kinds = search(&s, &admmon, "kind=person").await;
    assert!(kinds.iter().all(|e| e["action"].as_str().is_some_and(|a| a.starts_with("person."))));
    assert_eq!(kinds.len(), 2);
    assert_eq!(search(&s, &admmon, "kind=person&ip=127.0.0.1").await.len(), 2);
    assert!(search(&s, &admmon, "kind=person&ip=10.9.9.9").await.is_empty());
    assert_eq!(search(&s, &admmon, "route=PUT%20/api/v1/persons").await.len(), 1);
    assert_eq!(search(&s, &admmon, "text=NETO").await.len(), 1);
    assert_eq!(
        search(&s, &admmon, "text=OTAVIO%20BRANDAO%20NETO").await.len(),
        1,
        "accents and case as typed"
    );

    // Logins say where they came from too.
    let logins = search(&s, &admmon, "action=login&username=admmon").await;
    assert_eq!(
        (logins[0]["origin"].as_str(), logins[0]["route"].as_str()),
        (Some("127.0.0.1"), Some("POST /api/v1/auth/login"))
    );

    // Rows with and without addresses verify as one chain; editing a row's address breaks it
    // there (the triggers refuse an UPDATE, so they are dropped first, as an intruder would).
    let check: Value = s.get(&admmon, "/audit/verify").await.json().await.expect("check");
    assert_eq!(check["intact"], true, "{check}");
    let seq = update["seq"].as_u64().expect("seq");
    s.running
        .state
        .store
        .write(move |ctx| {
            ctx.conn.batch(match ctx.conn.engine() {
                Engine::Sqlite => "DROP TRIGGER audit_append_only_update",
                Engine::Postgres => "DROP TRIGGER audit_append_only ON audit",
            })?;
            ctx.conn.execute("UPDATE audit SET origin = '10.0.0.66' WHERE seq = ?1", &[&(seq as i64)])?;
            Ok(())
        })
        .await
        .expect("tampered");
    let check: Value = s.get(&admmon, "/audit/verify").await.json().await.expect("check");
    assert_eq!(
        (check["intact"].as_bool(), check["first_broken"].as_u64()),
        (Some(false), Some(seq)),
        "{check}"
    );
    // An operator may not search.
    let operator = s.user_token("operador", Role::MonitoringOperator).await;
    expect_problem(s.get(&operator, "/audit?text=x").await, 403, "forbidden").await;
}
