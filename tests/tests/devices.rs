//! Devices as they really are, over real sockets (issue 20): the GT06 family's location, alarm,
//! heartbeat, time and information packets (78 78 and 79 79) each stored with the answer its
//! document asks for and the login's time zone applied; Teltonika inputs read by the device's
//! model (an FMB's EYE temperature on IO 10800 is no strap; a bracelet's is); what the server
//! does not use counted per device; the battery of a heartbeat in the device's record; OsmAnd
//! timestamps read by magnitude and plausibility, and cell-only reports kept as contact.

use atalaia_backend::ingest::gt06;
use atalaia_backend::ingest::teltonika::{self, IoValue, Packet, Record};
use atalaia_core::geom::LatLon;
use atalaia_core::{Clock, ManualClock};
use atalaia_tests::{TestServer, expect_problem};
use chrono::{DateTime, Datelike, Duration as Span, TimeZone, Timelike, Utc};
use serde_json::{Value, json};
use std::sync::Arc;
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

const HOME: LatLon = LatLon { lat: -8.7612, lon: -63.9004 };

async fn read_exact(stream: &mut TcpStream, n: usize) -> Vec<u8> {
    let mut buf = vec![0u8; n];
    tokio::time::timeout(Duration::from_secs(5), stream.read_exact(&mut buf))
        .await
        .expect("in time")
        .expect("read");
    buf
}

/// Nothing more arrives for a moment (a packet the document says is not answered).
async fn nothing_more(stream: &mut TcpStream) {
    let mut one = [0u8; 1];
    let got = tokio::time::timeout(Duration::from_millis(300), stream.read(&mut one)).await;
    assert!(got.is_err(), "unexpected bytes: {got:?} {one:?}");
}

async fn person(s: &TestServer) -> String {
    let p = s
        .post(
            &s.admin_token,
            "/persons",
            &json!({"name": "Cicrano", "record": "0003", "regime": "semi_open"}),
        )
        .await;
    assert_eq!(p.status(), 201);
    p.json::<Value>().await.expect("person")["id"].as_str().expect("id").to_owned()
}

async fn device(s: &TestServer, body: Value) -> Value {
    let r = s.post(&s.admin_token, "/devices", &body).await;
    assert_eq!(r.status(), 201, "{body}");
    r.json().await.expect("device")
}

async fn alarms(s: &TestServer) -> Vec<Value> {
    s.get(&s.admin_token, "/alarms").await.json().await.expect("alarms")
}

async fn counters(s: &TestServer, imei: &str) -> Vec<Value> {
    s.get(&s.admin_token, &format!("/ingest/unhandled?device={imei}")).await.json().await.expect("counters")
}

async fn eventually<F, Fut>(what: &str, mut check: F)
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    for _ in 0..200 {
        if check().await {
            return;
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    panic!("never: {what}");
}

fn gt06_login(imei: &str, tz: u16, serial: u16) -> Vec<u8> {
    let padded = format!("0{imei}");
    let mut c: Vec<u8> =
        (0..8).map(|i| u8::from_str_radix(&padded[i * 2..i * 2 + 2], 16).expect("digits")).collect();
    c.extend_from_slice(&0x100F_u16.to_be_bytes());
    c.extend_from_slice(&tz.to_be_bytes());
    gt06::encode(gt06::LOGIN, &c, serial)
}

/// The 18-byte GPS block: date as the device's clock shows it, 9 satellites, a place.
fn gps_block(local: DateTime<Utc>, at: LatLon, valid: bool) -> Vec<u8> {
    let mut c = vec![
        (local.year() - 2000) as u8,
        local.month() as u8,
        local.day() as u8,
        local.hour() as u8,
        local.minute() as u8,
        local.second() as u8,
        0xC9,
    ];
    c.extend_from_slice(&((at.lat.abs() * 1_800_000.0).round() as u32).to_be_bytes());
    c.extend_from_slice(&((at.lon.abs() * 1_800_000.0).round() as u32).to_be_bytes());
    c.push(3);
    let mut flags: u16 = 90;
    if valid {
        flags |= 1 << 12;
    }
    if at.lon < 0.0 {
        flags |= 1 << 11;
    }
    if at.lat >= 0.0 {
        flags |= 1 << 10;
    }
    c.extend_from_slice(&flags.to_be_bytes());
    c
}

const CELL: [u8; 8] = [0x02, 0xD4, 0x05, 0x28, 0x7D, 0x00, 0x1F, 0x71];

/// An alarm packet (0x16 / 0x26): GPS, cell with its length byte, status, battery, signal,
/// alarm code, language.
fn gt06_alarm(
    protocol: u8,
    local: DateTime<Utc>,
    status: u8,
    battery: u8,
    alarm: u8,
    serial: u16,
) -> Vec<u8> {
    let mut c = gps_block(local, HOME, true);
    c.push(9);
    c.extend_from_slice(&CELL);
    c.extend_from_slice(&[status, battery, 4, alarm, 2]);
    gt06::encode(protocol, &c, serial)
}

#[tokio::test]
async fn gt06_family_over_tcp_every_packet_stored_answered_and_its_clock_converted() {
    let s = TestServer::start().await;
    let pid = person(&s).await;
    let imei = "864717003664467";
    let d = device(&s, json!({"imei": imei, "kind": "ankle_bracelet", "person_id": pid})).await;
    let did = d["id"].as_str().expect("id").to_owned();
    let mut tcp = TcpStream::connect(s.running.gt06_addr).await.expect("connect");

    // The device's clock runs in UTC−4 (0x190A) and says so at login.
    tcp.write_all(&gt06_login(imei, 0x190A, 1)).await.expect("login");
    assert_eq!(read_exact(&mut tcp, 10).await, gt06::encode(gt06::LOGIN, &[], 1));
    let utc_now = Utc::now().with_nanosecond(0).expect("second");
    let local = |secs_ago: i64| utc_now - Span::hours(4) - Span::seconds(secs_ago);

    // Every location type, in both frame forms; none is answered.
    let mut gps_lbs_2 = gps_block(local(50), HOME.moved(0.0, 40.0), true);
    gps_lbs_2.extend_from_slice(&CELL);
    gps_lbs_2.extend_from_slice(&[0x01, 0x00, 0x00]);
    let mut gps_lbs_4g = gps_block(local(40), HOME.moved(0.0, 50.0), true);
    gps_lbs_4g.extend_from_slice(&[
        0x02, 0xD4, 0x02, 0, 0, 0x91, 0x2E, 0, 0, 0, 0, 0x07, 0x18, 0x79, 0x8D, 0, 0x0E, 0,
    ]);
    let mut with_cell = gps_block(local(60), HOME.moved(0.0, 30.0), true);
    with_cell.extend_from_slice(&CELL);
    let frames = [
        gt06::encode(gt06::GPS, &gps_block(local(70), HOME.moved(0.0, 20.0), true), 2),
        gt06::encode(gt06::LOCATION, &with_cell, 3),
        gt06::encode(gt06::GPS_LBS_2, &gps_lbs_2, 4),
        gt06::encode(gt06::GPS_LBS_4G, &gps_lbs_4g, 5),
        gt06::encode_long(gt06::GPS_LBS_2, &gps_block(local(30), HOME.moved(0.0, 60.0), true), 6),
    ];
    for f in &frames {
        tcp.write_all(f).await.expect("location");
    }
    nothing_more(&mut tcp).await;
    // An alarm with the battery at 85 %, then a heartbeat at level 2, are each echoed.
    tcp.write_all(&gt06_alarm(gt06::ALARM_2, local(20), 0x44, 85, 0, 7)).await.expect("alarm");
    assert_eq!(read_exact(&mut tcp, 10).await, gt06::encode(gt06::ALARM_2, &[], 7));
    // The time request is answered with the server's UTC time.
    tcp.write_all(&gt06::encode(gt06::TIME_REQUEST, &[], 8)).await.expect("time");
    let answer = read_exact(&mut tcp, 16).await;
    assert_eq!(&answer[..4], &[0x78, 0x78, 0x0B, gt06::TIME_REQUEST]);
    let t = Utc
        .with_ymd_and_hms(
            2000 + i32::from(answer[4]),
            answer[5].into(),
            answer[6].into(),
            answer[7].into(),
            answer[8].into(),
            answer[9].into(),
        )
        .single()
        .expect("a time");
    assert!((t - Utc::now()).num_seconds().abs() <= 5, "UTC, not the device's zone: {t}");
    // Information (0x94) and a type the server does not know: counted; the unknown one echoed.
    tcp.write_all(&gt06::encode_long(gt06::INFO, &[0x00, 0x04, 0xE6], 9)).await.expect("info");
    tcp.write_all(&gt06::encode(0x7E, &[1, 2, 3], 10)).await.expect("unknown");
    assert_eq!(read_exact(&mut tcp, 10).await, gt06::encode(0x7E, &[], 10));

    // Six places, at the times the device meant (its clock + 4 h).
    let positions: Vec<Value> =
        s.get(&s.admin_token, &format!("/positions?device_id={did}")).await.json().await.expect("positions");
    assert_eq!(positions.len(), 6, "{positions:#?}");
    let times: Vec<DateTime<Utc>> =
        positions.iter().map(|p| p["fix_time"].as_str().expect("time").parse().expect("rfc3339")).collect();
    let expected: Vec<DateTime<Utc>> =
        [70, 60, 50, 40, 30, 20].iter().map(|s| utc_now - Span::seconds(*s)).collect();
    assert_eq!(times, expected);

    // The alarm packet's battery is the device's; a heartbeat later moves it.
    let d: Value = s.get(&s.admin_token, &format!("/devices/{did}")).await.json().await.expect("device");
    assert_eq!(d["battery_pct"], 85.0);
    assert!(d["last_contact"].is_string());
    let heartbeat = [0x40, 2, 4, 0, 2];
    tcp.write_all(&gt06::encode(gt06::HEARTBEAT, &heartbeat, 11)).await.expect("heartbeat");
    assert_eq!(read_exact(&mut tcp, 10).await, gt06::encode(gt06::HEARTBEAT, &[], 11));
    eventually("the heartbeat's battery on the device", || async {
        let d: Value = s.get(&s.admin_token, &format!("/devices/{did}")).await.json().await.expect("device");
        d["battery_pct"] == 10.0
    })
    .await;

    let counted = counters(&s, imei).await;
    let count_of = |what: &str| {
        counted
            .iter()
            .find(|c| c["what"].as_str().is_some_and(|w| w.starts_with(what)))
            .map(|c| c["count"].clone())
    };
    assert_eq!(count_of("informação 0x94/0x00 sem uso"), Some(json!(1)), "{counted:#?}");
    assert_eq!(count_of("tipo 0x7E não suportado"), Some(json!(1)), "{counted:#?}");

    // The strap removed (status field 7) on a bracelet: an alarm; the field back to 0 restores it.
    tcp.write_all(&gt06_alarm(gt06::ALARM, local(5), 0x7C, 6, 0, 12)).await.expect("strap");
    assert_eq!(read_exact(&mut tcp, 10).await, gt06::encode(gt06::ALARM, &[], 12));
    let strap = alarms(&s).await.into_iter().find(|a| a["kind"] == "strap_cut").expect("strap alarm");
    assert_eq!(strap["subject"]["id"], pid.as_str());
    tcp.write_all(&gt06_alarm(gt06::ALARM, local(1), 0x44, 6, 0, 13)).await.expect("closed");
    assert_eq!(read_exact(&mut tcp, 10).await, gt06::encode(gt06::ALARM, &[], 13));
    let strap: Value = s
        .get(&s.admin_token, &format!("/alarms/{}", strap["id"].as_str().expect("id")))
        .await
        .json()
        .await
        .expect("a");
    assert_eq!(strap["state"]["state"], "restored", "{strap}");
    s.running.shutdown().await;
}

#[tokio::test]
async fn a_vehicle_trackers_gt06_tamper_code_is_counted_not_an_integrity_alarm() {
    let s = TestServer::start().await;
    let imei = "864717003664468";
    device(&s, json!({"imei": imei, "kind": "vehicle_tracker"})).await;
    let mut tcp = TcpStream::connect(s.running.gt06_addr).await.expect("connect");
    tcp.write_all(&gt06_login(imei, 0x0000, 1)).await.expect("login");
    read_exact(&mut tcp, 10).await;
    let now = Utc::now().with_nanosecond(0).expect("second");
    tcp.write_all(&gt06_alarm(gt06::ALARM_2, now, 0x44, 6, 0x13, 2)).await.expect("tamper code");
    read_exact(&mut tcp, 10).await;
    // SOS on the vehicle's panic button is raised, even in a packet of the same second and place
    // as the one before (not stored twice as a place, but read).
    tcp.write_all(&gt06_alarm(gt06::ALARM_2, now, 0x44, 6, 0x01, 3)).await.expect("sos");
    read_exact(&mut tcp, 10).await;
    let all = alarms(&s).await;
    assert!(all.iter().all(|a| a["kind"] != "tamper" && a["kind"] != "strap_cut"), "{all:#?}");
    assert!(all.iter().any(|a| a["kind"] == "panic"), "{all:#?}");
    let counted = counters(&s, imei).await;
    assert!(
        counted.iter().any(|c| c["what"] == "gt06_alarm 0x13 sem significado no modelo rastreador-veicular"),
        "{counted:#?}"
    );
    s.running.shutdown().await;
}

fn record(at: DateTime<Utc>, priority: u8, io: Vec<(u16, u64)>) -> Record {
    Record {
        time: at,
        priority,
        at: HOME,
        altitude_m: 90,
        angle_deg: 0,
        satellites: 9,
        speed_kmh: 0,
        event_io: 0,
        io: io.into_iter().map(|(id, v)| (id, IoValue::Int(v))).collect(),
    }
}

async fn teltonika_session(s: &TestServer, imei: &str) -> TcpStream {
    let mut tcp = TcpStream::connect(s.running.teltonika_addr).await.expect("connect");
    let mut hello = 15u16.to_be_bytes().to_vec();
    hello.extend_from_slice(imei.as_bytes());
    tcp.write_all(&hello).await.expect("imei");
    assert_eq!(read_exact(&mut tcp, 1).await, vec![1]);
    tcp
}

async fn send(tcp: &mut TcpStream, codec: u8, records: Vec<Record>) {
    let n = records.len() as u32;
    tcp.write_all(&teltonika::encode(&Packet { codec, records, ..Packet::default() })).await.expect("packet");
    assert_eq!(read_exact(tcp, 4).await, n.to_be_bytes().to_vec());
}

/// 9.19, III-1.37: whether an IO is a strap is the device model's to say. An FMB vehicle tracker
/// with EYE sensors sends 23.5 °C on IO 10800–10803 and raises nothing; the same values from a
/// bracelet built to Atalaia's profile are strap, body, installation and tamper.
#[tokio::test]
async fn req_9_19_integrity_inputs_are_read_by_the_devices_model() {
    let s = TestServer::start().await;
    let now = Utc::now().with_nanosecond(0).expect("second");
    let eye = || (10_800..=10_803).map(|id| (id, 2_350)).collect::<Vec<_>>();

    device(&s, json!({"imei": "356307042441101", "kind": "vehicle_tracker"})).await;
    let mut fmb = teltonika_session(&s, "356307042441101").await;
    send(&mut fmb, teltonika::CODEC8E, vec![record(now, 0, eye())]).await;
    // Its general alarm input (236) is the panic button.
    send(&mut fmb, teltonika::CODEC8E, vec![record(now + Span::seconds(1), 1, vec![(236, 1)])]).await;

    // A bracelet registered with the vehicle model is read as one too.
    let pid = person(&s).await;
    device(
        &s,
        json!({"imei": "356307042441102", "kind": "ankle_bracelet", "person_id": pid,
                      "model": "rastreador-veicular"}),
    )
    .await;
    let mut as_vehicle = teltonika_session(&s, "356307042441102").await;
    send(&mut as_vehicle, teltonika::CODEC16, vec![record(now, 0, eye())]).await;
    let all = alarms(&s).await;
    let integrity = ["strap_cut", "body_not_detected", "wrong_installation", "tamper"];
    assert!(all.iter().all(|a| !integrity.contains(&a["kind"].as_str().unwrap_or(""))), "{all:#?}");
    assert_eq!(all.iter().filter(|a| a["kind"] == "panic").count(), 1, "{all:#?}");

    // A bracelet of the default model: the same ids are its integrity inputs (Codec 16).
    let other = person(&s).await;
    device(&s, json!({"imei": "356307042441103", "kind": "ankle_bracelet", "person_id": other})).await;
    let mut bracelet = teltonika_session(&s, "356307042441103").await;
    send(&mut bracelet, teltonika::CODEC16, vec![record(now, 0, vec![(10_800, 1), (10_803, 1)])]).await;
    let all = alarms(&s).await;
    for kind in ["strap_cut", "tamper"] {
        assert!(
            all.iter().any(|a| a["kind"] == kind && a["subject"]["id"] == other.as_str()),
            "{kind}: {all:#?}"
        );
    }

    // A Codec 13 message and keep-alive bytes: nothing answered, the message counted.
    bracelet.write_all(&[teltonika::PING]).await.expect("ping");
    let mut codec13 = vec![0, 0, 0, 0, 0, 0, 0, 0x24];
    let data: Vec<u8> = [
        &[0x0D, 0x01, 0x06, 0, 0, 0, 0x1C, 0x64, 0x2B, 0x3A, 0xD1][..],
        b"GTSL|6|1|0|12749884|1|\r\n",
        &[0x01],
    ]
    .concat();
    codec13.extend_from_slice(&data);
    codec13.extend_from_slice(&u32::from(teltonika::crc16_ibm(&data)).to_be_bytes());
    bracelet.write_all(&codec13).await.expect("codec 13");
    nothing_more(&mut bracelet).await;
    eventually("the Codec 13 message counted", || async {
        counters(&s, "356307042441103")
            .await
            .iter()
            .any(|c| c["what"].as_str().is_some_and(|w| w.starts_with("codec 13")))
    })
    .await;

    // A model nobody defined is refused at registration, in Portuguese.
    let r = s
        .post(
            &s.admin_token,
            "/devices",
            &json!({"imei": "356307042441104", "kind": "ankle_bracelet", "model": "xyz"}),
        )
        .await;
    let problem = expect_problem(r, 422, "validation").await;
    assert!(
        problem["errors"][0]["message"]
            .as_str()
            .expect("message")
            .contains("Modelo de dispositivo desconhecido")
    );
    let models: Vec<Value> = s.get(&s.admin_token, "/device-models").await.json().await.expect("models");
    assert!(models.iter().any(|m| m["id"] == "tornozeleira-atalaia"));
    s.running.shutdown().await;
}

/// 9.37: OsmAnd times by magnitude (seconds after 2038 are seconds) and plausibility (0 and −1
/// say nothing about when: no position, counted); a report with only cell towers is contact at
/// the last known place.
#[tokio::test]
async fn req_9_37_osmand_times_by_magnitude_and_plausibility_and_cell_only_contact() {
    // The server's clock in 2040: the device's seconds are past 2^31.
    let clock =
        Arc::new(ManualClock::new(Utc.with_ymd_and_hms(2040, 6, 1, 12, 0, 0).single().expect("time")));
    let s = TestServer::start_at(clock.clone(), |_| {}).await;
    let pid = person(&s).await;
    let d = device(&s, json!({"imei": "osm-1", "kind": "ankle_bracelet", "person_id": pid})).await;
    let did = d["id"].as_str().expect("id").to_owned();
    let fix = Utc.with_ymd_and_hms(2040, 6, 1, 11, 59, 30).single().expect("time");
    assert_eq!(
        s.osmand(&format!("id=osm-1&lat=-8.7612&lon=-63.9004&timestamp={}", fix.timestamp())).await.status(),
        200
    );
    for bad in ["0", "-1", "946684799"] {
        let r = s.osmand(&format!("id=osm-1&lat=-8.7&lon=-63.9&timestamp={bad}&batt=50")).await;
        assert_eq!(r.status(), 200, "accepted as contact, so the device does not resend it forever");
    }
    let positions: Vec<Value> =
        s.get(&s.admin_token, &format!("/positions?device_id={did}")).await.json().await.expect("positions");
    assert_eq!(positions.len(), 1, "{positions:#?}");
    assert_eq!(positions[0]["fix_time"].as_str().map(|t| t.parse::<DateTime<Utc>>().expect("t")), Some(fix));
    let counted = counters(&s, "osm-1").await;
    assert_eq!(counted[0]["what"], "horário implausível (antes de 2000): posição descartada");
    assert_eq!(counted[0]["count"], 3);

    // Cell towers only: 200, no place, the device's contact moves.
    clock.advance(chrono::Duration::minutes(2));
    let r = s.osmand("id=osm-1&cell=724,5,1234,5678&batt=49").await;
    assert_eq!(r.status(), 200);
    let d: Value = s.get(&s.admin_token, &format!("/devices/{did}")).await.json().await.expect("device");
    assert_eq!(d["last_contact"].as_str().map(|t| t.parse::<DateTime<Utc>>().expect("t")), Some(clock.now()));
    assert_eq!(d["battery_pct"], 49.0);
    let positions: Vec<Value> =
        s.get(&s.admin_token, &format!("/positions?device_id={did}")).await.json().await.expect("positions");
    assert_eq!(positions.len(), 1);
    s.running.shutdown().await;
}
