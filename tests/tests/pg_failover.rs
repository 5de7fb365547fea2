//! Failover of the database under a running server (issue 24 item 4): PostgreSQL managed by
//! Patroni, a primary and a synchronous standby (etcd and Patroni from Debian's packages, on
//! 127.0.0.1). A bracelet reports every 50 ms and an administrator registers people while the
//! primary's machine dies (Patroni and PostgreSQL killed at once). Patroni promotes the standby;
//! the server, given both addresses, connects to whichever accepts writes. Nothing acknowledged
//! before, during or after is lost — every commit waited for the standby — and the write outage
//! is measured.

use atalaia_tests::TestServer;
use atalaia_tests::patroni::Patroni;
use chrono::{DateTime, Utc};
use serde_json::json;
use std::collections::BTreeSet;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

const IMEI: &str = "862000000000077";

/// What was acknowledged, with the moment the acknowledgement came.
type Acks<T> = Arc<Mutex<Vec<(T, Instant)>>>;

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn issue_24_the_primary_database_dies_and_nothing_acknowledged_is_lost() {
    let mut cluster = tokio::task::spawn_blocking(Patroni::start).await.expect("Patroni cluster");
    let url = cluster.url();
    let s = Arc::new(TestServer::start_with(move |c| c.database = url.into()).await);
    let admin = s.admin_token.clone();
    let person = s
        .post(&admin, "/persons", &json!({"name": "Fulano", "record": "F-1", "regime": "semi_open"}))
        .await
        .json::<serde_json::Value>()
        .await
        .expect("person");
    let device = s
        .post(&admin, "/devices", &json!({"imei": IMEI, "kind": "ankle_bracelet", "person_id": person["id"]}))
        .await
        .json::<serde_json::Value>()
        .await
        .expect("device");

    let stop = Arc::new(AtomicBool::new(false));
    let fixes: Acks<DateTime<Utc>> = Arc::default();
    let people: Acks<String> = Arc::default();

    let bracelet = {
        let (s, stop, fixes) = (s.clone(), stop.clone(), fixes.clone());
        tokio::spawn(async move {
            let http = reqwest::Client::builder().timeout(Duration::from_secs(5)).build().expect("client");
            let mut t = Utc::now().timestamp() - 600;
            while !stop.load(Ordering::Relaxed) {
                let query = format!("id={IMEI}&lat=-8.7612&lon=-63.9004&timestamp={t}&accuracy=5");
                let url = format!("{}/?{query}", s.running.osmand_url());
                if let Ok(r) = http.get(url).send().await
                    && r.status() == 200
                {
                    let at = DateTime::from_timestamp(t, 0).expect("time");
                    fixes.lock().expect("lock").push((at, Instant::now()));
                    t += 1;
                }
                tokio::time::sleep(Duration::from_millis(50)).await;
            }
        })
    };
    let registrar = {
        let (s, stop, people, admin) = (s.clone(), stop.clone(), people.clone(), admin.clone());
        tokio::spawn(async move {
            let mut n = 0;
            while !stop.load(Ordering::Relaxed) {
                let record = format!("P-{n}");
                let body = json!({"name": format!("Pessoa {n}"), "record": record, "regime": "semi_open"});
                let resp =
                    tokio::time::timeout(Duration::from_secs(5), s.post(&admin, "/persons", &body)).await;
                if let Ok(r) = resp
                    && r.status() == 201
                {
                    people.lock().expect("lock").push((record, Instant::now()));
                    n += 1;
                }
                tokio::time::sleep(Duration::from_millis(200)).await;
            }
        })
    };

    tokio::time::sleep(Duration::from_secs(3)).await;
    let before = fixes.lock().expect("lock").len();
    assert!(before > 20, "the bracelet reports before the failover ({before})");
    let primary = tokio::task::spawn_blocking(move || {
        let p = cluster.primary().expect("a primary");
        cluster.kill(p);
        (cluster, p)
    });
    let (cluster, dead) = primary.await.expect("kill");
    let killed = Instant::now();
    let promoted = tokio::task::spawn_blocking(move || {
        let p = cluster.wait_for_promotion(dead);
        (cluster, p)
    });
    let (cluster, now_primary) = promoted.await.expect("promotion");
    assert_ne!(now_primary, dead);

    // Writes resume on the promoted standby; keep going a little.
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let resumed = fixes.lock().expect("lock").iter().any(|(_, at)| *at > killed);
        if resumed {
            break;
        }
        assert!(Instant::now() < deadline, "writes never resumed after the failover:\n{}", cluster.logs());
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    tokio::time::sleep(Duration::from_secs(2)).await;
    stop.store(true, Ordering::Relaxed);
    bracelet.await.expect("bracelet");
    registrar.await.expect("registrar");

    let fixes = fixes.lock().expect("lock").clone();
    let first_after = fixes.iter().map(|(_, at)| *at).find(|at| *at > killed).expect("resumed");
    let outage = first_after - killed;
    // The figure docs/BENCHMARKS.md records (run with --no-capture).
    eprintln!("write outage after the primary died: {:.1} s", outage.as_secs_f64());

    // Every acknowledged fix is on the promoted node, once.
    let stored = s
        .get(&admin, &format!("/positions?device_id={}&limit=10000", device["id"].as_str().expect("id")))
        .await;
    let stored: Vec<DateTime<Utc>> = stored
        .json::<Vec<serde_json::Value>>()
        .await
        .expect("positions")
        .iter()
        .map(|p| p["fix_time"].as_str().expect("time").parse().expect("rfc3339"))
        .collect();
    let distinct: BTreeSet<DateTime<Utc>> = stored.iter().copied().collect();
    assert_eq!(distinct.len(), stored.len(), "a fix stored twice");
    let lost: Vec<&DateTime<Utc>> = fixes.iter().map(|(t, _)| t).filter(|t| !distinct.contains(t)).collect();
    assert!(lost.is_empty(), "{} of {} acknowledged fixes lost: {lost:?}", lost.len(), fixes.len());

    // And every person the administrator was told was registered.
    let listed = s.get(&admin, "/persons").await.json::<Vec<serde_json::Value>>().await.expect("persons");
    let records: BTreeSet<&str> = listed.iter().filter_map(|p| p["record"].as_str()).collect();
    let people = people.lock().expect("lock").clone();
    assert!(people.len() > 10, "people registered: {}", people.len());
    for (record, _) in &people {
        assert!(records.contains(record.as_str()), "{record} acknowledged but lost");
    }
    drop(cluster);
}
