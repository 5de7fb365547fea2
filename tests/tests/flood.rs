//! Unauthenticated disk fill (issue 20 item 5): the device ports answer anyone, so what a refused
//! report costs must be bounded. `atalaia-server` runs as a process with its log in a file; 10,000
//! OsmAnd reports whose device id is 1 MB each (half in the body, half in the query string), then
//! 1,000 reports with short unknown ids, arrive from one address as fast as 16 connections send
//! them. The database and the log may grow by a few hundred kilobytes at most (before the fix, 20
//! such reports grew the database by 39 MB); the refusals still show, clipped and counted.

use atalaia_tests::{ADMIN_PASSWORD, ServerProcess, free_port};
use serde_json::Value;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

const REPORTS: usize = 10_000;
const SHORT_REPORTS: usize = 1_000;
const ID_BYTES: usize = 1024 * 1024;
const CONNECTIONS: usize = 16;
/// What the flood may add to the database files and to the log.
const DB_GROWTH_LIMIT: u64 = 512 * 1024;
const LOG_GROWTH_LIMIT: u64 = 64 * 1024;

fn db_size(dir: &std::path::Path) -> u64 {
    ["atalaia.sqlite", "atalaia.sqlite-wal"]
        .iter()
        .map(|f| std::fs::metadata(dir.join(f)).map(|m| m.len()).unwrap_or(0))
        .sum()
}

/// One report on its own connection, whatever the server answers (or whether it hangs up first).
async fn report(port: u16, request: Arc<Vec<u8>>) {
    let Ok(mut tcp) = TcpStream::connect(("127.0.0.1", port)).await else { return };
    let _ = tcp.write_all(&request).await;
    let mut answer = [0u8; 512];
    let _ = tokio::time::timeout(Duration::from_secs(10), tcp.read(&mut answer)).await;
}

fn requests() -> (Arc<Vec<u8>>, Arc<Vec<u8>>) {
    let id = "8".repeat(ID_BYTES);
    let body = format!("id={id}&lat=-8.76&lon=-63.90");
    let post = format!(
        "POST / HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/x-www-form-urlencoded\r\n\
         Content-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    let get = format!(
        "GET /?id={id}&lat=-8.76&lon=-63.90 HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n"
    );
    (Arc::new(post.into_bytes()), Arc::new(get.into_bytes()))
}

#[tokio::test]
async fn ten_thousand_reports_with_megabyte_ids_leave_the_database_and_the_log_bounded() {
    let dir = tempfile::tempdir().expect("dir");
    let log = dir.path().join("server.log");
    let (port, osmand) = (free_port(), free_port());
    let args: Vec<String> =
        ["--gt06-listen", "127.0.0.1:0", "--teltonika-listen", "127.0.0.1:0", "--osmand-listen"]
            .iter()
            .map(|s| s.to_string())
            .chain([format!("127.0.0.1:{osmand}")])
            .collect();
    let server =
        ServerProcess::start_with(dir.path(), port, &args, &[("ATALAIA_LOG", "info")], Some(&log)).await;
    let token = server.token("admin", ADMIN_PASSWORD).await;
    tokio::time::sleep(Duration::from_secs(2)).await;
    let (db_before, log_before) =
        (db_size(dir.path()), std::fs::metadata(&log).map(|m| m.len()).unwrap_or(0));

    let (post, get) = requests();
    let started = Instant::now();
    let next = Arc::new(AtomicUsize::new(0));
    let mut workers = Vec::new();
    for _ in 0..CONNECTIONS {
        let (next, post, get) = (next.clone(), post.clone(), get.clone());
        workers.push(tokio::spawn(async move {
            loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                if i >= REPORTS {
                    return;
                }
                report(osmand, if i % 2 == 0 { post.clone() } else { get.clone() }).await;
            }
        }));
    }
    for w in workers {
        w.await.expect("worker");
    }
    // Short unknown ids reach the device lookup: a few rows a minute, the rest counted.
    for i in 0..SHORT_REPORTS {
        let r = reqwest::get(format!("http://127.0.0.1:{osmand}/?id=unknown-{i}&lat=-8.76&lon=-63.90"))
            .await
            .expect("report");
        assert_eq!(r.status(), 400);
    }
    let elapsed = started.elapsed();
    tokio::time::sleep(Duration::from_secs(2)).await;
    let db_growth = db_size(dir.path()).saturating_sub(db_before);
    let log_growth = std::fs::metadata(&log).map(|m| m.len()).unwrap_or(0).saturating_sub(log_before);
    eprintln!(
        "{REPORTS} reports of {ID_BYTES} B ids and {SHORT_REPORTS} short ones in {:.1} s: database +{db_growth} B, log +{log_growth} B",
        elapsed.as_secs_f64()
    );
    assert!(db_growth <= DB_GROWTH_LIMIT, "database grew {db_growth} B");
    assert!(log_growth <= LOG_GROWTH_LIMIT, "log grew {log_growth} B");

    let rejects: Vec<Value> = reqwest::Client::new()
        .get(format!("{}/api/v1/ingest/rejects", server.base))
        .bearer_auth(&token)
        .send()
        .await
        .expect("rejects")
        .json()
        .await
        .expect("json");
    assert!(!rejects.is_empty() && rejects.len() <= 30, "{} rows", rejects.len());
    assert!(rejects.iter().all(|r| r["device_key"].as_str().is_some_and(|k| k.len() <= 100)), "ids clipped");
    let reasons: Vec<&str> = rejects.iter().filter_map(|r| r["reason"].as_str()).collect();
    assert!(reasons.contains(&"corpo maior que 64 KiB"), "{reasons:?}");
    server.kill();
}
