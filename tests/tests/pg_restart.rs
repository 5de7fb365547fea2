//! A server on PostgreSQL rides out a restart of the database (issue 24, the ground under
//! failover): every session it holds — the writer's, the readers', the log follower's — is
//! closed by the restart; the server connects again by itself, a write refused meanwhile is
//! refused (never acknowledged and lost), and the consoles' live feed goes on in `seq` order.

use atalaia_core::wire::{EventBody, LiveMessage};
use atalaia_tests::pg::Postgres;
use atalaia_tests::{TestServer, next_message};
use serde_json::json;
use std::time::Duration;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn issue_24_a_server_on_postgresql_rides_out_a_restart_of_the_database() {
    let pg = tokio::task::spawn_blocking(Postgres::start).await.expect("cluster");
    let url = pg.url();
    let s = TestServer::start_with(move |c| c.database = url.into()).await;
    let vehicle = |code: &str| json!({"code": code, "kind": "usb", "municipality": "Belo Horizonte"});
    assert_eq!(s.post(&s.admin_token, "/vehicles", &vehicle("USB-01")).await.status(), 201);
    let mut ws = s.live(&s.admin_token, None).await;
    let LiveMessage::Snapshot(snap) = next_message(&mut ws).await else { panic!("snapshot first") };
    assert_eq!(snap.vehicles.len(), 1);

    let pg = tokio::task::spawn_blocking(move || {
        pg.restart();
        pg
    })
    .await
    .expect("restarted");

    // Written after the restart: a request may be refused while the server reconnects (the
    // writer's session was closed under it), never answered 201 without being stored.
    let mut refused = 0;
    let created = loop {
        let resp = s.post(&s.admin_token, "/vehicles", &vehicle("USB-02")).await;
        if resp.status() == 201 {
            break resp.json::<serde_json::Value>().await.expect("vehicle");
        }
        refused += 1;
        assert!(refused < 40, "the server never reconnected: {}", pg.log());
        tokio::time::sleep(Duration::from_millis(250)).await;
    };
    assert!(refused <= 3, "{refused} writes refused after the restart");

    // The follower reconnected too: the new vehicle reaches the live feed, after what came before.
    let event = loop {
        if let LiveMessage::Event(e) = next_message(&mut ws).await
            && let EventBody::Vehicle(v) = &e.body
            && v.code == "USB-02"
        {
            break e;
        }
    };
    assert!(event.seq > snap.seq, "in seq order");
    assert_eq!(
        created["id"].as_str().map(str::to_owned),
        Some(match &event.body {
            EventBody::Vehicle(v) => v.id.to_string(),
            _ => unreachable!(),
        })
    );

    // And everything is there, read by a reader session that reconnected.
    let mut reads = 0;
    let vehicles = loop {
        let resp = s.get(&s.admin_token, "/vehicles").await;
        if resp.status() == 200 {
            break resp.json::<Vec<serde_json::Value>>().await.expect("vehicles");
        }
        reads += 1;
        assert!(reads < 10, "reads never recovered");
    };
    let mut codes: Vec<&str> = vehicles.iter().filter_map(|v| v["code"].as_str()).collect();
    codes.sort_unstable();
    assert_eq!(codes, ["USB-01", "USB-02"]);
}
