//! End to end: OsmAnd positions posted over HTTP for a registered device arrive as live-feed
//! deltas over a real WebSocket; a reconnect with `?since=` resumes without a snapshot; an
//! unknown device is refused with 400 problem+json and logged.

use atalaia_core::wire::{EventBody, LiveMessage};
use atalaia_tests::{TestServer, expect_problem, next_message};
use serde_json::json;

async fn register_bracelet(s: &TestServer, imei: &str) -> (String, String) {
    let person = s
        .post(
            &s.admin_token,
            "/persons",
            &json!({"name": "Fulano de Tal", "record": "0001234-56.2025", "regime": "house_arrest"}),
        )
        .await;
    assert_eq!(person.status(), 201);
    let person: serde_json::Value = person.json().await.expect("person");
    let pid = person["id"].as_str().expect("id").to_owned();
    let device = s
        .post(&s.admin_token, "/devices", &json!({"imei": imei, "kind": "ankle_bracelet", "person_id": pid}))
        .await;
    assert_eq!(device.status(), 201);
    let device: serde_json::Value = device.json().await.expect("device");
    (pid, device["id"].as_str().expect("id").to_owned())
}

fn position_of(msg: LiveMessage) -> Option<(u64, atalaia_core::monitoring::Position)> {
    match msg {
        LiveMessage::Event(e) => match e.body {
            EventBody::Position(p) => Some((e.seq, p)),
            _ => None,
        },
        LiveMessage::Snapshot(_) => None,
    }
}

#[tokio::test]
async fn osmand_positions_reach_the_live_feed_in_order() {
    let s = TestServer::start().await;
    let (person_id, device_id) = register_bracelet(&s, "864000000000001").await;

    let mut ws = s.live(&s.admin_token, None).await;
    let LiveMessage::Snapshot(snap) = next_message(&mut ws).await else { panic!("snapshot first") };
    assert!(snap.devices.iter().any(|d| d.id.to_string() == device_id));
    assert!(snap.seq > 0);

    let fixes = [
        (-8.7612, -63.9004, 1_795_000_000),
        (-8.7620, -63.9010, 1_795_000_030),
        (-8.7630, -63.9020, 1_795_000_060),
    ];
    for (lat, lon, t) in fixes {
        let resp =
            s.osmand(&format!("id=864000000000001&lat={lat}&lon={lon}&timestamp={t}&speed=2&batt=80")).await;
        assert_eq!(resp.status(), 200, "acknowledged only after it is durable");
    }
    // A device that missed our answer resends: acknowledged again, stored once.
    let (lat, lon, t) = fixes[1];
    let resp =
        s.osmand(&format!("id=864000000000001&lat={lat}&lon={lon}&timestamp={t}&speed=2&batt=80")).await;
    assert_eq!(resp.status(), 200);
    let mut last_seq = snap.seq;
    for (lat, lon, t) in fixes {
        let (seq, p) = loop {
            if let Some(x) = position_of(next_message(&mut ws).await) {
                break x;
            }
        };
        assert!(seq > last_seq, "seq increases");
        last_seq = seq;
        assert_eq!((p.at.lat, p.at.lon, p.fix_time.timestamp()), (lat, lon, t));
        assert_eq!(p.device_id.to_string(), device_id);
        assert_eq!(p.person_id.map(|x| x.to_string()), Some(person_id.clone()));
        assert_eq!(p.battery_pct, Some(80.0));
    }
    drop(ws);

    // Missed while disconnected, then resumed by seq: no snapshot, just the gap.
    let json_body = json!({"device_id": "864000000000001", "location": {"timestamp": "2026-11-22T03:00:00Z",
        "coords": {"latitude": -8.77, "longitude": -63.91, "speed": 1.0}, "battery": {"level": 0.79, "is_charging": false}}});
    let resp = s.http.post(s.running.osmand_url()).json(&json_body).send().await.expect("json post");
    assert_eq!(resp.status(), 200);
    let mut ws = s.live(&s.admin_token, Some(last_seq)).await;
    let (seq, p) =
        position_of(next_message(&mut ws).await).expect("resumed with the missed event, not a snapshot");
    assert_eq!(seq, last_seq + 1);
    assert_eq!((p.at.lat, p.at.lon), (-8.77, -63.91));
    assert!((p.battery_pct.expect("battery") - 79.0).abs() < 1e-9);

    // The history endpoint returns them in fix-time order.
    let hist: Vec<serde_json::Value> = s
        .get(&s.admin_token, &format!("/positions?device_id={device_id}"))
        .await
        .json()
        .await
        .expect("history");
    assert_eq!(hist.len(), 4, "the resent fix is not stored twice");
    s.running.shutdown().await;
}

#[tokio::test]
async fn unknown_device_is_rejected_and_logged() {
    let s = TestServer::start().await;
    let resp = s.osmand("id=999999999999999&lat=-8.76&lon=-63.90&timestamp=1795000000").await;
    let body = expect_problem(resp, 400, "unknown_device").await;
    assert!(body["detail"].as_str().expect("detail").contains("999999999999999"));

    let rejects: Vec<serde_json::Value> =
        s.get(&s.admin_token, "/ingest/rejects").await.json().await.expect("rejects");
    assert_eq!(rejects.len(), 1);
    assert_eq!(rejects[0]["device_key"], "999999999999999");
    assert_eq!(rejects[0]["protocol"], "osmand");
    assert!(rejects[0]["remote"].as_str().expect("remote").starts_with("127.0.0.1:"));

    let positions: Vec<serde_json::Value> =
        s.get(&s.admin_token, "/positions").await.json().await.expect("positions");
    assert!(positions.is_empty(), "nothing stored for an unknown device");

    // Malformed reports are refused with a reason, and the connection keeps working.
    let resp = s.osmand("id=999&lat=abc&lon=-63.9").await;
    let body = expect_problem(resp, 400, "bad_request").await;
    assert!(body["detail"].as_str().expect("detail").contains("lat"));
    s.running.shutdown().await;
}

#[tokio::test]
async fn vehicle_tracker_updates_telemetry_but_late_fixes_do_not_move_it_back() {
    let s = TestServer::start().await;
    let v = s
        .post(
            &s.admin_token,
            "/vehicles",
            &json!({"code": "usa-01", "kind": "usa", "municipality": "Belo Horizonte"}),
        )
        .await;
    assert_eq!(v.status(), 201);
    let v: serde_json::Value = v.json().await.expect("vehicle");
    assert_eq!(v["code"], "USA-01");
    let vid = v["id"].as_str().expect("id").to_owned();
    let d = s
        .post(
            &s.admin_token,
            "/devices",
            &json!({"imei": "352000000000001", "kind": "vehicle_tracker", "vehicle_id": vid}),
        )
        .await;
    assert_eq!(d.status(), 201);

    let ok = |r: reqwest::Response| assert_eq!(r.status(), 200);
    ok(s.osmand(
        "id=352000000000001&lat=-19.90&lon=-43.90&timestamp=1795000100&speed=27&siren=true&ignition=true",
    )
    .await);
    ok(s.osmand("id=352000000000001&lat=-19.80&lon=-43.80&timestamp=1795000000").await);
    let v: serde_json::Value =
        s.get(&s.admin_token, &format!("/vehicles/{vid}")).await.json().await.expect("vehicle");
    let t = &v["telemetry"];
    assert_eq!(
        (t["position"]["lat"].as_f64(), t["siren"].as_bool(), t["ignition"].as_bool()),
        (Some(-19.90), Some(true), Some(true))
    );
    assert!((t["speed_kmh"].as_f64().expect("speed") - 50.004).abs() < 1e-6, "27 kn = 50 km/h");
    assert!(v["device_id"].is_string());
    s.running.shutdown().await;
}

#[tokio::test]
async fn a_resume_point_beyond_the_log_gets_a_snapshot_not_silence() {
    let s = TestServer::start().await;
    let mut ws = s.live(&s.admin_token, Some(1_000_000)).await;
    assert!(matches!(next_message(&mut ws).await, LiveMessage::Snapshot(_)), "snapshot, then live events");
    register_bracelet(&s, "864000000000009").await;
    assert!(
        matches!(next_message(&mut ws).await, LiveMessage::Event(_)),
        "events below the bogus seq still arrive"
    );
    s.running.shutdown().await;
}

#[tokio::test]
async fn a_fix_dated_in_the_future_does_not_freeze_the_device() {
    let s = TestServer::start().await;
    let (_, device_id) = register_bracelet(&s, "864000000000010").await;
    let future = chrono::Utc::now().timestamp() + 365 * 24 * 3600;
    assert_eq!(
        s.osmand(&format!("id=864000000000010&lat=-8.70&lon=-63.90&timestamp={future}")).await.status(),
        200
    );
    // Whole-second device time, a little ahead of the server (normal skew, within tolerance).
    let soon = chrono::Utc::now().timestamp() + 5;
    assert_eq!(
        s.osmand(&format!("id=864000000000010&lat=-8.71&lon=-63.91&timestamp={soon}")).await.status(),
        200
    );
    let hist: Vec<serde_json::Value> = s
        .get(&s.admin_token, &format!("/positions?device_id={device_id}"))
        .await
        .json()
        .await
        .expect("history");
    assert_eq!(hist.len(), 2);
    let latest = hist.last().expect("latest");
    assert_eq!(latest["at"]["lat"], -8.71, "the real fix is the newest, not buried behind next year");
    s.running.shutdown().await;
}

#[tokio::test]
async fn the_feed_closes_when_the_session_ends() {
    let s = TestServer::start().await;
    let token = s.user_token("op", atalaia_core::auth::Role::MonitoringOperator).await;
    let mut ws = s.live(&token, None).await;
    assert!(matches!(next_message(&mut ws).await, LiveMessage::Snapshot(_)));
    assert_eq!(s.post(&token, "/auth/logout", &json!({})).await.status(), 204);
    let closed = atalaia_tests::until_closed(&mut ws).await;
    assert_eq!(closed, Some(1008), "policy violation: the session is over");
    s.running.shutdown().await;
}

#[tokio::test]
async fn only_a_devices_newest_position_is_a_live_event() {
    let s = TestServer::start().await;
    let (_, device_id) = register_bracelet(&s, "864000000000009").await;
    let mut ws = s.live(&s.admin_token, None).await;
    let LiveMessage::Snapshot(_) = next_message(&mut ws).await else { panic!("snapshot first") };
    let t = chrono::Utc::now().timestamp() - 20;
    let report = |lat: f64, ts: i64, valid: bool| {
        format!("id=864000000000009&lat={lat}&lon=-63.9&timestamp={ts}&valid={valid}&accuracy=5")
    };
    for (lat, ts, valid) in [
        (-8.70, t, true),
        // No GNSS fix, stamped later than the next fix's GPS time (sent first): contact only.
        (-8.70, t + 10, false),
        (-8.71, t + 5, true),
        // Older than the newest position: history, not the map.
        (-8.72, t - 60, true),
        (-8.73, t + 15, true),
    ] {
        assert_eq!(s.osmand(&report(lat, ts, valid)).await.status(), 200);
    }
    let mut live = Vec::new();
    while live.len() < 3 {
        if let Some((_, p)) = position_of(next_message(&mut ws).await) {
            live.push(p.at.lat);
        }
    }
    assert_eq!(live, vec![-8.70, -8.71, -8.73]);
    let hist: Vec<serde_json::Value> = s
        .get(&s.admin_token, &format!("/positions?device_id={device_id}"))
        .await
        .json()
        .await
        .expect("history");
    assert_eq!(hist.len(), 4, "every fix with a position is history");
    assert_eq!(hist[0]["at"]["lat"], -8.72);
    let LiveMessage::Snapshot(snap) = next_message(&mut s.live(&s.admin_token, None).await).await else {
        panic!("snapshot")
    };
    let last: Vec<f64> = snap.positions.iter().map(|p| p.at.lat).collect();
    assert_eq!(last, vec![-8.73], "the snapshot's last position is the newest fix");
    s.running.shutdown().await;
}
