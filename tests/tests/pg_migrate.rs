//! Growing up (issue 24 item 6): a standalone central on SQLite moves to PostgreSQL with
//! `atalaia-server migrate --from sqlite:PATH --to postgres://…`. The central runs the demo for a
//! while (people, bracelets and vehicles moving, alarms, occurrences, logins in the audit trail),
//! stops, is moved, and starts on PostgreSQL: the same records, the same history, the same
//! alarms, an intact audit chain of the same length, the same log head — and a console that
//! followed the old server resumes by `seq` on the new one, without a new snapshot. A second move
//! into the same database is refused, saying why.

use atalaia_core::wire::LiveMessage;
use atalaia_tests::pg::Postgres;
use atalaia_tests::{ServerProcess, free_port, live_at, next_message, server_binary};
use serde_json::Value;
use std::time::Duration;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;

const DEMO_PASSWORD: &str = "atalaia-demo";

/// What an administrator reads of a central, to compare before and after.
#[derive(Debug, PartialEq)]
struct Central {
    head: u64,
    persons: Vec<Value>,
    devices: Vec<Value>,
    zones: Vec<Value>,
    alarms: Vec<Value>,
    occurrences: Vec<Value>,
    positions: Vec<Value>,
    /// Not compared: each reading's logins add to it.
    audit_entries: u64,
}

async fn read(server: &ServerProcess) -> Central {
    let token = server.token("admmon", DEMO_PASSWORD).await;
    let samu = server.token("regulador", DEMO_PASSWORD).await;
    let http = reqwest::Client::new();
    let get = |path: &str| {
        let path = path.to_owned();
        let req = http.get(format!("{}/api/v1{path}", server.base)).bearer_auth(&token);
        async move {
            let r = req.send().await.expect("GET");
            assert_eq!(r.status(), 200, "{path}");
            r.json::<Value>().await.expect("json")
        }
    };
    let list = |v: Value| v.as_array().cloned().expect("a list");
    let devices = list(get("/devices").await);
    // The whole history, in one order whatever the engine.
    let mut positions = list(get("/positions?limit=100000").await);
    positions.sort_by(|a, b| a["id"].as_str().cmp(&b["id"].as_str()));
    let verify = get("/audit/verify").await;
    assert_eq!(verify["intact"], true, "{verify}");
    let occurrences = http
        .get(format!("{}/api/v1/occurrences", server.base))
        .bearer_auth(&samu)
        .send()
        .await
        .expect("GET")
        .json::<Value>()
        .await
        .expect("json");
    Central {
        head: get("/health").await["seq"].as_u64().expect("seq"),
        persons: list(get("/persons").await),
        devices,
        zones: list(get("/zones").await),
        alarms: list(get("/alarms").await),
        occurrences: list(occurrences),
        positions,
        audit_entries: verify["entries"].as_u64().expect("entries"),
    }
}

fn args(database: &str) -> Vec<String> {
    ["--database", database, "--osmand-listen", "127.0.0.1:0", "--gt06-listen", "127.0.0.1:0"]
        .iter()
        .chain(&["--teltonika-listen", "127.0.0.1:0"])
        .map(|s| s.to_string())
        .collect()
}

fn migrate(from: &std::path::Path, to: &str) -> std::process::Output {
    std::process::Command::new(server_binary())
        .args(["migrate", "--from", &format!("sqlite:{}", from.display()), "--to", to])
        .env("ATALAIA_LOG", "warn")
        .output()
        .expect("atalaia-server migrate")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn issue_24_a_standalone_central_moves_to_postgresql_with_its_whole_history() {
    let pg = tokio::task::spawn_blocking(Postgres::start).await.expect("cluster");
    let dir = tempfile::tempdir().expect("dir");
    let sqlite = dir.path().join("atalaia.sqlite");
    let port = free_port();

    // The demo central lives a while — its bracelets report, one is tampered with — then stops.
    let osmand = free_port();
    let demo_args: Vec<String> = ["--demo", "--osmand-listen", &format!("127.0.0.1:{osmand}")]
        .iter()
        .chain(&["--gt06-listen", "127.0.0.1:0", "--teltonika-listen", "127.0.0.1:0"])
        .map(|s| s.to_string())
        .collect();
    let demo = ServerProcess::start_with(dir.path(), port, &demo_args, &[], None).await;
    let token = demo.token("admmon", DEMO_PASSWORD).await;
    let devices: Vec<Value> = reqwest::Client::new()
        .get(format!("{}/api/v1/devices", demo.base))
        .bearer_auth(&token)
        .send()
        .await
        .expect("devices")
        .json()
        .await
        .expect("json");
    let imeis: Vec<&str> = devices.iter().filter_map(|d| d["imei"].as_str()).take(5).collect();
    let now = chrono::Utc::now().timestamp();
    for step in 0..20i64 {
        for (i, imei) in imeis.iter().enumerate() {
            let alarm = if step == 19 && i == 0 { "&alarm=tampering" } else { "" };
            let lat = -8.7612 + 0.0003 * step as f64 + 0.01 * i as f64;
            let url = format!(
                "http://127.0.0.1:{osmand}/?id={imei}&lat={lat}&lon=-63.9004&timestamp={}&accuracy=5&batt=80{alarm}",
                now - 40 + step
            );
            assert_eq!(reqwest::get(url).await.expect("report").status(), 200);
        }
    }
    demo.kill();
    // What it holds, read by a server on the file that runs no simulator.
    let sqlite_url = sqlite.to_str().expect("utf-8").to_owned();
    let server = ServerProcess::start_with(dir.path(), port, &args(&sqlite_url), &[], None).await;
    let before = read(&server).await;
    let console_token = server.token("operador", DEMO_PASSWORD).await;
    let mut ws = live_at(&server.base, &console_token, None).await;
    let LiveMessage::Snapshot(snap) = next_message(&mut ws).await else { panic!("snapshot first") };
    server.kill();
    assert!(before.positions.len() > 10, "the demo moved: {} fixes", before.positions.len());
    assert!(!before.alarms.is_empty() && !before.occurrences.is_empty());

    let url = pg.url();
    let out = migrate(&sqlite, &url);
    let said = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{said}{}", String::from_utf8_lossy(&out.stderr));
    assert!(said.contains("positions") && said.contains("events"), "it says what it moved: {said}");

    // The same central on PostgreSQL.
    let server = ServerProcess::start_with(dir.path(), free_port(), &args(&url), &[], None).await;
    let after = read(&server).await;
    assert!(
        after.audit_entries > before.audit_entries,
        "the audit chain moved whole and goes on: {} → {}",
        before.audit_entries,
        after.audit_entries
    );
    let after = Central { audit_entries: before.audit_entries, ..after };
    assert_eq!(after, before, "the central on PostgreSQL is the one on SQLite");

    // A console that followed the SQLite server resumes on PostgreSQL from its seq: the same
    // database identity, the same numbers.
    let health: Value = reqwest::get(format!("{}/api/v1/health", server.base))
        .await
        .expect("health")
        .json()
        .await
        .expect("json");
    assert_eq!(health["seq"].as_u64(), Some(snap.seq.max(before.head)));
    let resume = format!(
        "{}/api/v1/live?since={}&instance={}",
        server.base.replacen("http://", "ws://", 1),
        snap.seq,
        snap.instance
    );
    let mut req = resume.into_client_request().expect("request");
    req.headers_mut().insert("authorization", format!("Bearer {console_token}").parse().expect("header"));
    let (mut ws, _) = tokio_tungstenite::connect_async(req).await.expect("websocket");
    let first = tokio::time::timeout(Duration::from_secs(3), next_message(&mut ws)).await;
    assert!(
        !matches!(first, Ok(LiveMessage::Snapshot(_))),
        "the console resumed by seq, not from a new snapshot"
    );
    server.kill();

    // Moving again into a database that holds a central is refused.
    let again = migrate(&sqlite, &url);
    assert!(!again.status.success());
    let err = String::from_utf8_lossy(&again.stderr);
    assert!(err.contains("já tem uma central"), "{err}");
}
