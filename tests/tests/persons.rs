//! People's records that live (issue 22 item 1; Anexo III 2.7, 2.21), over real sockets: an
//! administrator corrects a person's record; the change reaches every seat through the live feed
//! and the record's history says what changed, who changed it and when.

use atalaia_core::auth::Role;
use atalaia_core::wire::{EventBody, LiveMessage};
use atalaia_tests::{TestServer, expect_problem, next_message};
use serde_json::{Value, json};

#[tokio::test]
async fn iii_2_7_a_persons_record_is_corrected_with_its_history_and_the_feed_follows() {
    let s = TestServer::start().await;
    let admin = s.admin_token.clone();
    let created: Value = s
        .post(
            &admin,
            "/persons",
            &json!({"name": "Joao da Silva", "record": "0001-07", "regime": "semi_open"}),
        )
        .await
        .json()
        .await
        .expect("person");
    let id = created["id"].as_str().expect("id").to_owned();
    let mut feed = s.live(&admin, None).await;
    assert!(matches!(next_message(&mut feed).await, LiveMessage::Snapshot(_)));

    // The name spelled right, the regime changed by the court, a group given.
    let fixed =
        json!({"name": "João da Silva", "record": "0001-07", "regime": "open", "group": "Regional II"});
    let r = s.put(&admin, &format!("/persons/{id}"), &fixed).await;
    assert_eq!(r.status(), 200);
    let person: Value = r.json().await.expect("person");
    assert_eq!(
        (person["name"].as_str(), person["regime"].as_str(), person["group"].as_str()),
        (Some("João da Silva"), Some("open"), Some("Regional II"))
    );
    assert_eq!(person["created_at"], created["created_at"], "registration time kept");
    let stored: Value = s.get(&admin, &format!("/persons/{id}")).await.json().await.expect("read back");
    assert_eq!(stored["name"], "João da Silva");

    // Every seat gets the corrected record.
    loop {
        if let LiveMessage::Event(e) = next_message(&mut feed).await
            && let EventBody::Person(p) = e.body
            && p.id.to_string() == id
        {
            assert_eq!(p.name, "João da Silva");
            break;
        }
    }

    // The same body again changes nothing and adds nothing to the history.
    assert_eq!(s.put(&admin, &format!("/persons/{id}"), &fixed).await.status(), 200);
    let history: Value =
        s.get(&admin, &format!("/persons/{id}/history")).await.json().await.expect("history");
    let rows = history.as_array().expect("array");
    assert_eq!(rows.len(), 2, "{history}");
    assert_eq!(rows[0]["action"], "person.update");
    let detail = rows[0]["detail"].as_str().expect("detail");
    for change in
        ["Nome: Joao da Silva → João da Silva", "Regime: Semiaberto → Aberto", "Grupo: — → Regional II"]
    {
        assert!(detail.contains(change), "{change} in {detail}");
    }
    assert_eq!(rows[1]["action"], "person.create");

    // Refused, in Portuguese: a missing name, linking a person to itself; an operator may not.
    let problem = expect_problem(
        s.put(
            &admin,
            &format!("/persons/{id}"),
            &json!({"name": " ", "record": "0001-07", "regime": "open"}),
        )
        .await,
        422,
        "validation",
    )
    .await;
    assert!(problem.to_string().contains("Nome é obrigatório."), "{problem}");
    let selfish =
        json!({"name": "João da Silva", "record": "0001-07", "regime": "victim", "linked_person": id});
    let problem =
        expect_problem(s.put(&admin, &format!("/persons/{id}"), &selfish).await, 422, "validation").await;
    assert!(problem.to_string().contains("vinculada a si mesma"), "{problem}");
    let operator = s.user_token("operadora", Role::MonitoringOperator).await;
    expect_problem(s.put(&operator, &format!("/persons/{id}"), &fixed).await, 403, "forbidden").await;
    expect_problem(
        s.put(&admin, &format!("/persons/{}", uuid::Uuid::now_v7()), &fixed).await,
        404,
        "not_found",
    )
    .await;
    s.running.shutdown().await;
}
