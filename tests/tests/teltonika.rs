//! Teltonika over real TCP: the IMEI handshake is answered 01 for a registered tracker and 00
//! (logged, disconnected) for an unknown one; an AVL packet split across writes is stored and
//! acknowledged with its record count; a corrupt packet is not acknowledged.

use atalaia_backend::ingest::teltonika::{self, IoValue, Packet, Record, io};
use atalaia_core::geom::LatLon;
use atalaia_tests::TestServer;
use chrono::{TimeZone, Utc};
use serde_json::json;
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

const IMEI: &str = "356307042441013";

fn handshake(imei: &str) -> Vec<u8> {
    let mut out = (imei.len() as u16).to_be_bytes().to_vec();
    out.extend_from_slice(imei.as_bytes());
    out
}

async fn read_n(tcp: &mut TcpStream, n: usize) -> Vec<u8> {
    let mut buf = vec![0u8; n];
    tokio::time::timeout(Duration::from_secs(5), tcp.read_exact(&mut buf))
        .await
        .expect("in time")
        .expect("read");
    buf
}

fn record(secs: i64, lat: f64, lon: f64) -> Record {
    Record {
        time: Utc.timestamp_opt(secs, 0).single().expect("valid"),
        priority: 1,
        at: LatLon { lat, lon },
        altitude_m: 850,
        angle_deg: 90,
        satellites: 12,
        speed_kmh: 48,
        event_io: 0,
        io: vec![(io::IGNITION, IoValue::Int(1)), (io::BATTERY_LEVEL, IoValue::Int(93))],
    }
}

#[tokio::test]
async fn a_registered_tracker_sends_avl_packets_that_are_stored_then_acknowledged() {
    let s = TestServer::start().await;
    let v: serde_json::Value = s
        .post(
            &s.admin_token,
            "/vehicles",
            &json!({"code": "USA-07", "kind": "usa", "municipality": "Belo Horizonte"}),
        )
        .await
        .json()
        .await
        .expect("vehicle");
    let vid = v["id"].as_str().expect("id").to_owned();
    let d = s
        .post(
            &s.admin_token,
            "/devices",
            &json!({"imei": IMEI, "kind": "vehicle_tracker", "vehicle_id": vid}),
        )
        .await;
    assert_eq!(d.status(), 201);

    let mut tcp = TcpStream::connect(s.running.teltonika_addr).await.expect("connect");
    tcp.write_all(&handshake(IMEI)).await.expect("handshake");
    assert_eq!(read_n(&mut tcp, 1).await, vec![0x01]);

    let packet = teltonika::encode(&Packet {
        codec: teltonika::CODEC8E,
        records: vec![record(1_795_000_000, -19.9191, -43.9386), record(1_795_000_030, -19.9200, -43.9300)],
        response: None,
        message: None,
    });
    let mut corrupt = packet.clone();
    let last = corrupt.len() - 1;
    corrupt[last] ^= 0xFF;
    tcp.write_all(&corrupt).await.expect("corrupt");
    tcp.write_all(&packet[..20]).await.expect("part 1");
    tokio::time::sleep(Duration::from_millis(50)).await;
    tcp.write_all(&packet[20..]).await.expect("part 2");
    assert_eq!(read_n(&mut tcp, 4).await, vec![0, 0, 0, 2], "only the good packet is acknowledged");

    let v: serde_json::Value =
        s.get(&s.admin_token, &format!("/vehicles/{vid}")).await.json().await.expect("vehicle");
    let t = &v["telemetry"];
    assert_eq!((t["position"]["lat"].as_f64(), t["position"]["lon"].as_f64()), (Some(-19.92), Some(-43.93)));
    assert_eq!((t["ignition"].as_bool(), t["speed_kmh"].as_f64()), (Some(true), Some(48.0)));
    let positions: Vec<serde_json::Value> =
        s.get(&s.admin_token, "/positions").await.json().await.expect("positions");
    assert_eq!(positions.len(), 2);
    assert_eq!(positions[0]["battery_pct"], 93.0);
    s.running.shutdown().await;
}

#[tokio::test]
async fn an_unknown_tracker_gets_00_and_is_logged() {
    let s = TestServer::start().await;
    let mut tcp = TcpStream::connect(s.running.teltonika_addr).await.expect("connect");
    tcp.write_all(&handshake("356307042449999")).await.expect("handshake");
    assert_eq!(read_n(&mut tcp, 1).await, vec![0x00]);
    let mut rest = [0u8; 8];
    let n = tokio::time::timeout(Duration::from_secs(5), tcp.read(&mut rest))
        .await
        .expect("closed")
        .expect("read");
    assert_eq!(n, 0);
    let rejects: Vec<serde_json::Value> =
        s.get(&s.admin_token, "/ingest/rejects").await.json().await.expect("rejects");
    assert_eq!(rejects[0]["protocol"], "teltonika");
    s.running.shutdown().await;
}
