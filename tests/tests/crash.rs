//! A crash right after a device's acknowledgement loses nothing the acknowledged data should raise
//! (9.7, 9.37). The server runs as a process of its own; a Teltonika tracker replays 5,000
//! stored points over real TCP (an hour and a half of a bracelet: at home, a trip out of its
//! inclusion zone and back, then out again until the end); the server is killed with SIGKILL
//! between 0 and 1 s after the last acknowledgement — long before the replay's quiet period
//! would have closed it — and started again on the same database. The late-data incident with
//! all 5,000 points and the episode inside it, and the zone alarm still true at the end of the
//! replay, must each be raised exactly once.

use atalaia_backend::ingest::teltonika::{self, IoValue, Packet, Record, io};
use atalaia_core::geom::LatLon;
use atalaia_tests::{ADMIN_PASSWORD, ServerProcess, free_port};
use chrono::{DateTime, Duration as Span, Utc};
use serde_json::{Value, json};
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

const IMEI: &str = "356307042441777";
const HOME: LatLon = LatLon { lat: -8.7612, lon: -63.9004 };
const POINTS: usize = 5_000;
const PER_PACKET: usize = 100;

struct Central {
    server: ServerProcess,
    teltonika: u16,
    token: String,
}

async fn start(dir: &std::path::Path, port: u16, teltonika: u16) -> Central {
    let args: Vec<String> = [
        "--osmand-listen",
        "127.0.0.1:0",
        "--gt06-listen",
        "127.0.0.1:0",
        "--teltonika-listen",
        &format!("127.0.0.1:{teltonika}"),
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    let server = ServerProcess::start_with(dir, port, &args, &[], None).await;
    let token = server.token("admin", ADMIN_PASSWORD).await;
    Central { server, teltonika, token }
}

impl Central {
    async fn post(&self, path: &str, body: Value) -> Value {
        let r = reqwest::Client::new()
            .post(format!("{}/api/v1{path}", self.server.base))
            .bearer_auth(&self.token)
            .json(&body)
            .send()
            .await
            .expect("POST");
        assert!(r.status().is_success(), "{path}: {}", r.status());
        r.json().await.expect("json")
    }

    async fn alarms(&self) -> Vec<Value> {
        let r = reqwest::Client::new()
            .get(format!("{}/api/v1/alarms", self.server.base))
            .bearer_auth(&self.token)
            .send()
            .await
            .expect("GET");
        r.json::<Vec<Value>>().await.expect("alarms")
    }
}

/// Where the bracelet is at point `i`: home, a trip 900 m east (points 1,000–1,499), home again,
/// then out for good from point 4,000.
fn place(i: usize) -> LatLon {
    match i {
        1_000..1_500 | 4_000.. => HOME.moved(90.0, 900.0),
        _ => HOME.moved(0.0, 20.0),
    }
}

fn records(start: DateTime<Utc>) -> Vec<Record> {
    (0..POINTS)
        .map(|i| Record {
            time: start + Span::seconds(i as i64),
            priority: 0,
            at: place(i),
            altitude_m: 90,
            angle_deg: 0,
            satellites: 9,
            speed_kmh: 0,
            event_io: 0,
            io: vec![(io::BATTERY_LEVEL, IoValue::Int(80))],
        })
        .collect()
}

async fn replay(c: &Central, start: DateTime<Utc>) {
    let mut tcp = TcpStream::connect(("127.0.0.1", c.teltonika)).await.expect("connect");
    let mut hello = 15u16.to_be_bytes().to_vec();
    hello.extend_from_slice(IMEI.as_bytes());
    tcp.write_all(&hello).await.expect("imei");
    let mut one = [0u8; 1];
    tcp.read_exact(&mut one).await.expect("handshake answer");
    assert_eq!(one, [1]);
    for chunk in records(start).chunks(PER_PACKET) {
        let packet = teltonika::encode(&Packet {
            codec: teltonika::CODEC8,
            records: chunk.to_vec(),
            response: None,
            message: None,
        });
        tcp.write_all(&packet).await.expect("packet");
        let mut ack = [0u8; 4];
        tokio::time::timeout(Duration::from_secs(20), tcp.read_exact(&mut ack))
            .await
            .expect("ack in time")
            .expect("ack");
        assert_eq!(u32::from_be_bytes(ack) as usize, chunk.len(), "every record acknowledged");
    }
}

fn of_kind<'a>(alarms: &'a [Value], kind: &str) -> Vec<&'a Value> {
    alarms.iter().filter(|a| a["kind"] == kind).collect()
}

#[tokio::test]
async fn req_9_37_a_crash_just_after_a_replay_still_raises_its_alarms_exactly_once() {
    for kill_after_ms in [0u64, 120, 450, 1_000] {
        let dir = tempfile::tempdir().expect("dir");
        let (port, teltonika) = (free_port(), free_port());
        let c = start(dir.path(), port, teltonika).await;
        let person =
            c.post("/persons", json!({"name": "Beltrano", "record": "0002", "regime": "semi_open"})).await;
        let person = person["id"].as_str().expect("id").to_owned();
        c.post("/devices", json!({"imei": IMEI, "kind": "ankle_bracelet", "person_id": person})).await;
        let zone = c
            .post(
                "/zones",
                json!({"name": "Casa", "kind": "inclusion", "person_id": person,
                       "shape": {"type": "circle", "center": HOME, "radius_m": 300.0}}),
            )
            .await;
        // The device stored these points during an outage two hours ago.
        let start_at = Utc::now() - Span::hours(3);
        replay(&c, start_at).await;
        tokio::time::sleep(Duration::from_millis(kill_after_ms)).await;
        let before = c.alarms().await;
        c.server.kill();
        assert!(of_kind(&before, "late_data").is_empty(), "the replay was still open when the server died");

        let c = start(dir.path(), port, teltonika).await;
        // The replay's quiet period (10 s) runs out after the restart.
        for _ in 0..300 {
            if !of_kind(&c.alarms().await, "late_data").is_empty() {
                break;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        // Time for a wrong second raise to show up.
        tokio::time::sleep(Duration::from_secs(3)).await;
        let alarms = c.alarms().await;
        let late = of_kind(&alarms, "late_data");
        assert_eq!(late.len(), 1, "kill after {kill_after_ms} ms: one late-data incident: {alarms:#?}");
        let summary = &late[0]["late"];
        assert_eq!(late[0]["count"], 1, "kill after {kill_after_ms} ms: {summary}");
        assert_eq!(summary["points"], POINTS as u64, "kill after {kill_after_ms} ms");
        let episodes = summary["episodes"].as_array().expect("episodes");
        assert_eq!(episodes.len(), 1, "the trip out and back is an episode: {episodes:?}");
        assert_eq!(episodes[0]["kind"], "inclusion_zone_exit");
        let exits = of_kind(&alarms, "inclusion_zone_exit");
        assert_eq!(
            exits.len(),
            1,
            "kill after {kill_after_ms} ms: the exit still true at the end: {exits:#?}"
        );
        assert_eq!(exits[0]["count"], 1);
        assert_eq!(exits[0]["zone_id"], zone["id"]);
        // Dated when the bracelet left, not when the server noticed.
        let left: DateTime<Utc> = exits[0]["source_time"].as_str().expect("time").parse().expect("rfc3339");
        let expected = start_at + Span::seconds(4_000);
        assert!((left - expected).num_seconds().abs() <= 1, "left at {left}, expected {expected}");
        c.server.kill();
    }
}
