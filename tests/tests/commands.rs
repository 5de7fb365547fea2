//! Downlink commands over real sockets (16.2.15, III-2.20, III-2.27): an operator queues an alert
//! for a bracelet through the API; the device receives it in its own protocol's command form —
//! OsmAnd reply, GT06 online command, Teltonika Codec 12 — even without a GNSS fix, and its
//! answer marks the command acknowledged. Commands queued while a device is away go out when it
//! reconnects.

use atalaia_backend::ingest::gt06::{self, Frame, Framer};
use atalaia_backend::ingest::teltonika;
use atalaia_core::auth::Role;
use atalaia_tests::{TestServer, expect_problem};
use serde_json::{Value, json};
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

async fn device(s: &TestServer, imei: &str) -> String {
    let d = s.post(&s.admin_token, "/devices", &json!({"imei": imei, "kind": "ankle_bracelet"})).await;
    assert_eq!(d.status(), 201);
    d.json::<Value>().await.expect("device")["id"].as_str().expect("id").to_owned()
}

async fn queue(s: &TestServer, token: &str, device: &str, kind: Value) -> Value {
    let r = s.post(token, &format!("/devices/{device}/commands"), &json!({ "kind": kind })).await;
    assert_eq!(r.status(), 202);
    r.json().await.expect("command")
}

async fn state_of(s: &TestServer, device: &str, id: &str) -> Value {
    let list: Value =
        s.get(&s.admin_token, &format!("/devices/{device}/commands")).await.json().await.expect("list");
    list.as_array().expect("array").iter().find(|c| c["id"] == id).expect("command listed")["state"].clone()
}

async fn eventually(s: &TestServer, device: &str, id: &str, state: &str) -> Value {
    for _ in 0..100 {
        let st = state_of(s, device, id).await;
        if st["state"] == state {
            return st;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    panic!("command {id} never reached {state}: {:?}", state_of(s, device, id).await);
}

fn alert() -> Value {
    json!({"type": "alert", "visual": true, "vibration": true, "sound": false})
}

#[tokio::test]
async fn osmand_device_gets_the_alert_in_its_reply_and_acknowledges_it_without_a_fix() {
    let s = TestServer::start().await;
    let dev = device(&s, "777000000000001").await;
    let op = s.user_token("operadora", Role::MonitoringOperator).await;
    let cmd = queue(&s, &op, &dev, alert()).await;
    assert_eq!(cmd["state"]["state"], "queued");
    let tag = cmd["tag"].as_u64().expect("tag");

    // A report without a GNSS fix still carries the command back.
    let r = s.osmand("id=777000000000001&lat=-8.76&lon=-63.9&valid=false").await;
    assert_eq!(r.status(), 200);
    assert_eq!(r.text().await.expect("body"), format!("{tag} ALERT,1,1,0#\n"));
    eventually(&s, &dev, cmd["id"].as_str().expect("id"), "sent").await;

    let r = s.osmand(&format!("id=777000000000001&lat=-8.76&lon=-63.9&ack={tag}")).await;
    assert_eq!(r.status(), 200);
    assert_eq!(r.text().await.expect("body"), "", "nothing left to send");
    eventually(&s, &dev, cmd["id"].as_str().expect("id"), "acknowledged").await;
    s.running.shutdown().await;
}

fn gt06_login(imei: &str) -> Vec<u8> {
    let padded = format!("0{imei}");
    let bcd: Vec<u8> =
        (0..8).map(|i| u8::from_str_radix(&padded[i * 2..i * 2 + 2], 16).expect("hex")).collect();
    gt06::encode(gt06::LOGIN, &bcd, 1)
}

async fn next_gt06(tcp: &mut TcpStream, framer: &mut Framer) -> Frame {
    let mut buf = [0u8; 512];
    loop {
        if let Some(f) = framer.next_frame() {
            return f.expect("valid frame");
        }
        let n = tokio::time::timeout(Duration::from_secs(5), tcp.read(&mut buf))
            .await
            .expect("in time")
            .expect("read");
        assert!(n > 0, "server closed");
        framer.push(&buf[..n]);
    }
}

#[tokio::test]
async fn gt06_device_receives_queued_and_live_commands_and_replies() {
    let s = TestServer::start().await;
    let imei = "777000000000002";
    let dev = device(&s, imei).await;
    let op = s.user_token("operadora", Role::MonitoringOperator).await;
    // Queued while the device is away.
    let first = queue(&s, &op, &dev, alert()).await;

    let mut tcp = TcpStream::connect(s.running.gt06_addr).await.expect("connect");
    tcp.write_all(&gt06_login(imei)).await.expect("login");
    let mut framer = Framer::default();
    assert_eq!(next_gt06(&mut tcp, &mut framer).await.protocol, gt06::LOGIN, "login acknowledged first");
    let cmd = next_gt06(&mut tcp, &mut framer).await;
    assert_eq!(cmd.protocol, gt06::COMMAND);
    let flag = u32::from_be_bytes([cmd.content[1], cmd.content[2], cmd.content[3], cmd.content[4]]);
    assert_eq!(u64::from(flag), first["tag"].as_u64().expect("tag"));
    assert_eq!(&cmd.content[5..cmd.content.len() - 2], b"ALERT,1,1,0#");
    eventually(&s, &dev, first["id"].as_str().expect("id"), "sent").await;

    // Queued while connected: delivered at once, no report needed.
    let admin_interval =
        queue(&s, &s.admin_token, &dev, json!({"type": "report_interval", "seconds": 30})).await;
    let cmd2 = next_gt06(&mut tcp, &mut framer).await;
    assert_eq!(&cmd2.content[5..cmd2.content.len() - 2], b"TIMER,30#");

    tcp.write_all(&gt06::encode_command_reply(flag, "ALERT OK", 2)).await.expect("reply");
    let acked = eventually(&s, &dev, first["id"].as_str().expect("id"), "acknowledged").await;
    assert_eq!(acked["reply"], "ALERT OK");
    assert_eq!(state_of(&s, &dev, admin_interval["id"].as_str().expect("id")).await["state"], "sent");
    s.running.shutdown().await;
}

#[tokio::test]
async fn teltonika_device_receives_a_codec12_command_and_its_response_acknowledges_it() {
    let s = TestServer::start().await;
    let imei = "777000000000003";
    let dev = device(&s, imei).await;
    let mut tcp = TcpStream::connect(s.running.teltonika_addr).await.expect("connect");
    let mut hello = (imei.len() as u16).to_be_bytes().to_vec();
    hello.extend_from_slice(imei.as_bytes());
    tcp.write_all(&hello).await.expect("hello");
    let mut one = [0u8; 1];
    tcp.read_exact(&mut one).await.expect("accepted");
    assert_eq!(one[0], 1);

    let cmd = queue(&s, &s.admin_token, &dev, json!({"type": "report_interval", "seconds": 15})).await;
    let expected = teltonika::encode_command("TIMER,15#");
    let mut got = vec![0u8; expected.len()];
    tokio::time::timeout(Duration::from_secs(5), tcp.read_exact(&mut got))
        .await
        .expect("in time")
        .expect("read");
    assert_eq!(got, expected);
    eventually(&s, &dev, cmd["id"].as_str().expect("id"), "sent").await;

    tcp.write_all(&teltonika::encode_response("TIMER OK")).await.expect("response");
    let acked = eventually(&s, &dev, cmd["id"].as_str().expect("id"), "acknowledged").await;
    assert_eq!(acked["reply"], "TIMER OK");
    s.running.shutdown().await;
}

#[tokio::test]
async fn bad_commands_are_refused_with_clear_problems() {
    let s = TestServer::start().await;
    let dev = device(&s, "777000000000004").await;
    let path = format!("/devices/{dev}/commands");
    let body = json!({"kind": {"type": "report_interval", "seconds": 10}});
    let p = expect_problem(s.post(&s.admin_token, &path, &body).await, 422, "validation").await;
    assert!(p.to_string().contains("15 s e 3 min"), "{p}");
    let none = json!({"kind": {"type": "alert", "visual": false, "vibration": false, "sound": false}});
    expect_problem(s.post(&s.admin_token, &path, &none).await, 422, "validation").await;
    let tarm = s.user_token("tarm", Role::Tarm).await;
    expect_problem(s.post(&tarm, &path, &json!({"kind": alert()})).await, 403, "forbidden").await;
    // An operator may alert the wearer but not reconfigure the device.
    let op = s.user_token("operadora", Role::MonitoringOperator).await;
    let interval = json!({"kind": {"type": "report_interval", "seconds": 60}});
    expect_problem(s.post(&op, &path, &interval).await, 403, "forbidden").await;
    let unknown = format!("/devices/{}/commands", atalaia_core::ids::DeviceId::new());
    expect_problem(s.post(&s.admin_token, &unknown, &json!({"kind": alert()})).await, 404, "not_found").await;
    s.running.shutdown().await;
}
