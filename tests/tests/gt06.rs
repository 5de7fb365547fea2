//! GT06 over real TCP: login with a registered IMEI is acknowledged, a location reaches the live
//! feed, split and corrupt frames do not cost good ones, a heartbeat is acknowledged, and an
//! unknown IMEI is logged and disconnected without an acknowledgement.

use atalaia_backend::ingest::gt06::{self, Location};
use atalaia_core::geom::LatLon;
use atalaia_core::wire::{EventBody, LiveMessage};
use atalaia_tests::{TestServer, next_message};
use chrono::{TimeZone, Utc};
use serde_json::json;
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

const IMEI: &str = "123456789012345";

fn login(imei: &str, serial: u16) -> Vec<u8> {
    let padded = format!("0{imei}");
    let bcd: Vec<u8> =
        (0..8).map(|i| u8::from_str_radix(&padded[i * 2..i * 2 + 2], 16).expect("digits")).collect();
    gt06::encode(gt06::LOGIN, &bcd, serial)
}

async fn read_exact_timeout(stream: &mut TcpStream, n: usize) -> Vec<u8> {
    let mut buf = vec![0u8; n];
    tokio::time::timeout(Duration::from_secs(5), stream.read_exact(&mut buf))
        .await
        .expect("in time")
        .expect("read");
    buf
}

#[tokio::test]
async fn a_registered_gt06_device_logs_in_and_reports_over_tcp() {
    let s = TestServer::start().await;
    let d = s.post(&s.admin_token, "/devices", &json!({"imei": IMEI, "kind": "ankle_bracelet"})).await;
    assert_eq!(d.status(), 201);
    let mut ws = s.live(&s.admin_token, None).await;
    assert!(matches!(next_message(&mut ws).await, LiveMessage::Snapshot(_)));

    let mut tcp = TcpStream::connect(s.running.gt06_addr).await.expect("connect");
    tcp.write_all(&login(IMEI, 1)).await.expect("login");
    assert_eq!(
        read_exact_timeout(&mut tcp, 10).await,
        gt06::encode(gt06::LOGIN, &[], 1),
        "login acknowledged"
    );

    let fix = Location {
        fix_time: Utc.with_ymd_and_hms(2026, 11, 22, 3, 0, 0).single().expect("valid"),
        at: LatLon { lat: -8.761234, lon: -63.900456 },
        satellites: 9,
        valid: true,
        speed_kmh: 4.0,
        course_deg: 270.0,
        archive: false,
    };
    // Garbage, a corrupt copy, then the real frame split in two writes.
    let frame = gt06::encode_location(&fix, 2);
    let mut corrupt = frame.clone();
    corrupt[8] ^= 0x55;
    tcp.write_all(&[0xde, 0xad]).await.expect("garbage");
    tcp.write_all(&corrupt).await.expect("corrupt");
    tcp.write_all(&frame[..7]).await.expect("first half");
    tokio::time::sleep(Duration::from_millis(50)).await;
    tcp.write_all(&frame[7..]).await.expect("second half");

    let p = loop {
        if let LiveMessage::Event(e) = next_message(&mut ws).await
            && let EventBody::Position(p) = e.body
        {
            break p;
        }
    };
    assert!((p.at.lat - -8.761234).abs() < 1e-6 && (p.at.lon - -63.900456).abs() < 1e-6);
    assert_eq!(p.fix_time, fix.fix_time);
    assert_eq!((p.speed_kmh, p.course_deg), (Some(4.0), Some(270.0)));

    let heartbeat = gt06::encode(gt06::HEARTBEAT, &[0x45, 0x04, 0x03, 0x00, 0x01], 3);
    tcp.write_all(&heartbeat).await.expect("heartbeat");
    assert_eq!(read_exact_timeout(&mut tcp, 10).await, gt06::encode(gt06::HEARTBEAT, &[], 3));

    let positions: Vec<serde_json::Value> =
        s.get(&s.admin_token, "/positions").await.json().await.expect("positions");
    assert_eq!(positions.len(), 1, "the corrupt copy was not stored");
    s.running.shutdown().await;
}

#[tokio::test]
async fn an_unknown_gt06_device_is_refused_logged_and_disconnected() {
    let s = TestServer::start().await;
    let mut tcp = TcpStream::connect(s.running.gt06_addr).await.expect("connect");
    tcp.write_all(&login("860000000000999", 1)).await.expect("login");
    let mut buf = [0u8; 16];
    let n = tokio::time::timeout(Duration::from_secs(5), tcp.read(&mut buf))
        .await
        .expect("closed in time")
        .expect("read");
    assert_eq!(n, 0, "closed without an acknowledgement");
    let rejects: Vec<serde_json::Value> =
        s.get(&s.admin_token, "/ingest/rejects").await.json().await.expect("rejects");
    assert_eq!(rejects.len(), 1);
    assert_eq!(
        (rejects[0]["protocol"].as_str(), rejects[0]["device_key"].as_str()),
        (Some("gt06"), Some("860000000000999"))
    );
    s.running.shutdown().await;
}
