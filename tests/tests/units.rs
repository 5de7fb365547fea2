//! Horizontal security (RFS177), over real sockets: a professional bound to an organisational
//! unit ("Regional I") reaches the monitored people of that region and what concerns them —
//! records, devices, fixes, zones, alarms, documents, reports, investigations, the live feed —
//! and nothing of the people of another region, not even that they exist; a central
//! administrator reaches everyone and moves people and professionals between units.

use atalaia_core::wire::LiveMessage;
use atalaia_tests::{TestServer, expect_problem, next_message};
use serde_json::{Value, json};
use std::time::Duration;

const OURS: &str = "Regional I";
const THEIRS: &str = "Regional II";
const IMEI_A: &str = "777000000017701";
const IMEI_B: &str = "777000000017702";

struct Monitored {
    person: String,
    device: String,
    zone: String,
    alarm: String,
}

/// A person of `region` wearing `imei`, with an exclusion zone, a fix, a tamper alarm and a
/// document — everything a unit could learn about them.
async fn monitored(s: &TestServer, name: &str, region: &str, imei: &str) -> Monitored {
    let admin = &s.admin_token;
    let body = json!({"name": name, "record": format!("0{imei}"), "regime": "semi_open", "region": region});
    let p: Value = s.post(admin, "/persons", &body).await.json().await.expect("person");
    let person = p["id"].as_str().expect("id").to_owned();
    let d: Value = s
        .post(admin, "/devices", &json!({"imei": imei, "kind": "ankle_bracelet", "person_id": person}))
        .await
        .json()
        .await
        .expect("device");
    let zone = json!({"name": format!("Casa da vítima de {name}"), "kind": "exclusion", "person_id": person,
        "shape": {"type": "circle", "center": {"lat": -8.70, "lon": -63.80}, "radius_m": 200.0}});
    let z: Value = s.post(admin, "/zones", &zone).await.json().await.expect("zone");
    let now = chrono::Utc::now().timestamp();
    let r =
        s.osmand(&format!("id={imei}&lat=-8.76&lon=-63.9&timestamp={now}&accuracy=5&alarm=tampering")).await;
    assert_eq!(r.status(), 200);
    let mut alarm = None;
    for _ in 0..200 {
        let list: Value =
            s.get(admin, &format!("/alarms?subject={person}")).await.json().await.expect("alarms");
        alarm = list.as_array().and_then(|l| l.first()).map(|a| a["id"].as_str().expect("id").to_owned());
        if alarm.is_some() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    let doc = s
        .http
        .post(s.url(&format!(
            "/persons/{person}/documents?kind=court_decision&title=Decis%C3%A3o&file_name=d.pdf"
        )))
        .bearer_auth(admin)
        .body(format!("%PDF-1.4 {name}").into_bytes())
        .send()
        .await
        .expect("POST");
    assert_eq!(doc.status(), 201);
    Monitored {
        person,
        device: d["id"].as_str().expect("id").to_owned(),
        zone: z["id"].as_str().expect("id").to_owned(),
        alarm: alarm.expect("a tamper alarm"),
    }
}

/// A professional of `unit` with `role`, logged in.
async fn professional(s: &TestServer, username: &str, role: &str, unit: Option<&str>) -> String {
    let new = json!({"username": username, "display_name": format!("Agente {username}"), "role": role,
        "password": "password-123", "unit": unit});
    let r = s.post(&s.admin_token, "/users", &new).await;
    assert_eq!(r.status(), 201, "{}", r.text().await.unwrap_or_default());
    s.settle(username).await;
    s.login(username, "password-123").await.token
}

#[tokio::test]
async fn rfs177_a_unit_reaches_its_regions_people_and_nothing_of_another_regions() {
    let s = TestServer::start().await;
    let a = monitored(&s, "Amaro Lins", OURS, IMEI_A).await;
    let b = monitored(&s, "Bruno Teles", THEIRS, IMEI_B).await;
    let agent = professional(&s, "agente1", "monitoring_admin", Some(" regional i")).await;
    let me: Value = s.get(&agent, "/auth/me").await.json().await.expect("me");
    assert_eq!(me["unit"], "regional i");

    // Every read: B is nowhere, not even in a list; A is where expected.
    let day = chrono::Utc::now();
    let period = format!(
        "from={}&to={}",
        (day - chrono::Duration::hours(1)).format("%Y-%m-%dT%H:%M:%SZ"),
        (day + chrono::Duration::hours(1)).format("%Y-%m-%dT%H:%M:%SZ")
    );
    let reads = [
        "/persons".to_owned(),
        "/devices".into(),
        "/zones".into(),
        "/positions".into(),
        "/alarms".into(),
        "/notifications".into(),
        format!("/reports/events-per-person?{period}"),
        format!("/reports/events-per-supervisor?{period}"),
        format!("/reports/handling-times?{period}"),
        format!("/investigations/nearby?lat=-8.76&lon=-63.9&radius_m=500&{period}"),
        format!("/investigations/encounters?person_id={}&{period}", a.person),
        format!("/investigations/common-places?person_id={}&{period}&min_minutes=5", a.person),
        "/audit?limit=1000".into(),
    ];
    for path in &reads {
        let r = s.get(&agent, path).await;
        let status = r.status();
        let body = r.text().await.expect("body");
        assert!(status.is_success(), "{path}: {status} {body}");
        for secret in [&b.person, &b.device, &b.zone, &b.alarm, "Bruno Teles", IMEI_B] {
            assert!(!body.contains(secret), "{path} shows {secret} of another unit: {body}");
        }
    }
    for (path, mine) in
        [("/persons", &a.person), ("/devices", &a.device), ("/zones", &a.zone), ("/alarms", &a.alarm)]
    {
        let body = s.get(&agent, path).await.text().await.expect("body");
        assert!(body.contains(mine.as_str()), "{path} lacks the unit's own {mine}");
    }

    // The unit's fixes are chosen before the limit: another unit's older fixes do not crowd
    // them out.
    let old = chrono::Utc::now().timestamp() - 3_600;
    let r = s.osmand(&format!("id={IMEI_B}&lat=-8.76&lon=-63.9&timestamp={old}&accuracy=5")).await;
    assert_eq!(r.status(), 200);
    let oldest: Value = s.get(&s.admin_token, "/positions?limit=1").await.json().await.expect("positions");
    assert_eq!(oldest[0]["person_id"].as_str(), Some(b.person.as_str()), "the central's oldest is B's");
    let first: Value = s.get(&agent, "/positions?limit=1").await.json().await.expect("positions");
    assert_eq!(first[0]["person_id"].as_str(), Some(a.person.as_str()), "{first}");

    // One record of another unit is "not found", whether read or written.
    let p = &b.person;
    for path in [
        format!("/persons/{p}"),
        format!("/persons/{p}/history"),
        format!("/persons/{p}/photo"),
        format!("/persons/{p}/documents"),
        format!("/devices/{}", b.device),
        format!("/devices/{}/commands", b.device),
        format!("/zones/{}", b.zone),
        format!("/alarms/{}", b.alarm),
        format!("/reports/track?person_id={p}&{period}"),
        format!("/investigations/tracks?person_id={p}&{period}"),
        format!("/investigations/presence?person_id={p}&lat=-8.76&lon=-63.9&radius_m=100&{period}"),
    ] {
        expect_problem(s.get(&agent, &path).await, 404, "not_found").await;
    }
    let b_positions: Value =
        s.get(&agent, &format!("/positions?person_id={p}")).await.json().await.expect("positions");
    assert_eq!(b_positions, json!([]));
    let edit = json!({"name": "Bruno", "record": "1", "regime": "open", "region": OURS});
    expect_problem(s.put(&agent, &format!("/persons/{p}"), &edit).await, 404, "not_found").await;
    let claim = json!({"action": "claim"});
    expect_problem(s.post(&agent, &format!("/alarms/{}/actions", b.alarm), &claim).await, 404, "not_found")
        .await;
    let lift = json!({"action": "suspend", "reason": "teste"});
    expect_problem(s.post(&agent, &format!("/zones/{}/state", b.zone), &lift).await, 404, "not_found").await;
    let zone = json!({"name": "Z", "kind": "exclusion", "person_id": p,
        "shape": {"type": "circle", "center": {"lat": -8.7, "lon": -63.8}, "radius_m": 200.0}});
    expect_problem(s.post(&agent, "/zones", &zone).await, 404, "not_found").await;
    let alert = json!({"kind": {"type": "alert", "visual": true, "vibration": false, "sound": false}});
    expect_problem(
        s.post(&agent, &format!("/devices/{}/commands", b.device), &alert).await,
        404,
        "not_found",
    )
    .await;
    expect_problem(s.get(&agent, "/export/events").await, 403, "forbidden").await;

    // A replayed registration with another unit's id does not answer that record.
    let replay = json!({"id": p, "name": "X", "record": "1", "regime": "open"});
    expect_problem(s.post(&agent, "/persons", &replay).await, 404, "not_found").await;
    // What holds in every region is the central's: rules, procedures, notifications, group zones,
    // shared profiles, the devices' raw traffic.
    let rule = json!({"trigger": "raised", "min_severity": "low", "email": ["eu@sejus.test"]});
    for (path, body) in [
        ("/notification-rules/minha", rule),
        ("/procedures/tamper", json!({"steps": ["Ligar"]})),
        ("/group-rules/Semiaberto", json!({"disabled": ["encounter"]})),
    ] {
        expect_problem(s.put(&agent, path, &body).await, 403, "forbidden").await;
    }
    let group_zone = json!({"name": "Escola", "kind": "exclusion", "group": "Semiaberto",
        "shape": {"type": "circle", "center": {"lat": -8.7, "lon": -63.8}, "radius_m": 200.0}});
    expect_problem(s.post(&agent, "/zones", &group_zone).await, 403, "forbidden").await;
    let profile =
        json!({"id": "consulta", "name": "Consulta", "base": "supervisor", "permissions": ["person_read"]});
    expect_problem(s.post(&agent, "/profiles", &profile).await, 403, "forbidden").await;
    expect_problem(s.get(&agent, "/ingest/rejects").await, 403, "forbidden").await;

    // The unit's own: registered in its region, corrected, never moved out of it.
    let r =
        s.post(&agent, "/persons", &json!({"name": "Caio Dantas", "record": "0009", "regime": "open"})).await;
    let c: Value = r.json().await.expect("person");
    assert_eq!(c["region"], "regional i", "the unit's region when none is said");
    let elsewhere = json!({"name": "Davi", "record": "0010", "regime": "open", "region": THEIRS});
    let refused = expect_problem(s.post(&agent, "/persons", &elsewhere).await, 422, "validation").await;
    assert!(
        refused["errors"][0]["message"].as_str().unwrap_or_default().contains("sua unidade"),
        "{refused}"
    );
    let away = json!({"name": "Amaro Lins", "record": format!("0{IMEI_A}"), "regime": "semi_open", "region": THEIRS});
    expect_problem(s.put(&agent, &format!("/persons/{}", a.person), &away).await, 422, "validation").await;
    assert_eq!(s.get(&agent, &format!("/persons/{}/documents", a.person)).await.status(), 200);

    // The central sees both units; its audit search finds what the unit's people did.
    let all: Value = s.get(&s.admin_token, "/persons").await.json().await.expect("persons");
    assert_eq!(all.as_array().expect("array").len(), 3);
    let by_unit: Vec<Value> =
        s.get(&s.admin_token, "/audit?unit=REGIONAL%20I&limit=500").await.json().await.expect("audit");
    assert!(!by_unit.is_empty() && by_unit.iter().all(|e| e["username"] == "agente1"), "{by_unit:?}");
}

#[tokio::test]
async fn rfs177_the_live_feed_follows_a_person_transferred_between_units_and_a_change_of_unit_ends_it() {
    let s = TestServer::start().await;
    let a = monitored(&s, "Amaro Lins", OURS, IMEI_A).await;
    let b = monitored(&s, "Bruno Teles", THEIRS, IMEI_B).await;
    let agent = professional(&s, "agente2", "monitoring_operator", Some(OURS)).await;
    let mut ws = s.live(&agent, None).await;
    let LiveMessage::Snapshot(snap) = next_message(&mut ws).await else { panic!("a snapshot first") };
    let persons: Vec<String> = snap.persons.iter().map(|p| p.id.to_string()).collect();
    assert_eq!(persons, std::slice::from_ref(&a.person));
    assert!(snap.alarms.iter().all(|x| x.id.to_string() != b.alarm) && snap.alarms.len() == 1);
    assert!(snap.devices.iter().all(|d| d.id.to_string() != b.device));
    assert!(snap.positions.iter().all(|p| p.device_id.to_string() != b.device));
    assert!(snap.zones.iter().all(|z| z.id.to_string() != b.zone));

    // B's fix is not streamed; A's is.
    // Each fix newer than the last (only a device's newest position is a live event).
    let start = chrono::Utc::now().timestamp();
    let fix =
        |imei: &str, dt: i64| format!("id={imei}&lat=-8.761&lon=-63.901&timestamp={}&accuracy=5", start + dt);
    assert_eq!(s.osmand(&fix(IMEI_B, 2)).await.status(), 200);
    assert_eq!(s.osmand(&fix(IMEI_A, 2)).await.status(), 200);
    let mut streamed = Vec::new();
    loop {
        match next_message(&mut ws).await {
            LiveMessage::Event(e) => {
                let json = serde_json::to_string(&e.body).expect("json");
                assert!(!json.contains(&b.person) && !json.contains(&b.device), "B streamed: {json}");
                streamed.push(json.clone());
                if json.contains(&a.device) && e.body.kind() == "position" {
                    break;
                }
            }
            LiveMessage::Snapshot(_) => panic!("no resynchronisation expected"),
        }
    }

    // B transferred to the unit by the central: the record arrives, then B's fixes.
    let body =
        json!({"name": "Bruno Teles", "record": format!("0{IMEI_B}"), "regime": "semi_open", "region": OURS});
    assert_eq!(s.put(&s.admin_token, &format!("/persons/{}", b.person), &body).await.status(), 200);
    assert_eq!(s.osmand(&fix(IMEI_B, 4)).await.status(), 200);
    let (mut got_person, mut got_fix) = (false, false);
    while !(got_person && got_fix) {
        if let LiveMessage::Event(e) = next_message(&mut ws).await {
            let json = serde_json::to_string(&e.body).expect("json");
            got_person |= e.body.kind() == "person" && json.contains(&b.person);
            got_fix |= e.body.kind() == "position" && json.contains(&b.device);
        }
    }

    // The professional moved to the central by an administrator: the feed ends (it streamed
    // what the unit reached); the change is audited with the reason.
    let users: Value = s.get(&s.admin_token, "/users").await.json().await.expect("users");
    let id =
        users.as_array().expect("array").iter().find(|u| u["username"] == "agente2").expect("user")["id"]
            .as_str()
            .expect("id")
            .to_owned();
    let r = s
        .put(&s.admin_token, &format!("/users/{id}/unit"), &json!({"unit": null, "reason": "Remanejada"}))
        .await;
    assert_eq!(r.status(), 200);
    let closed = tokio::time::timeout(Duration::from_secs(15), atalaia_tests::until_closed(&mut ws)).await;
    assert!(closed.expect("the feed ends within the session recheck").is_some());
    let trail: Value = s.get(&s.admin_token, "/audit?action=user.unit").await.json().await.expect("audit");
    assert!(trail[0]["detail"].as_str().unwrap_or_default().contains("Remanejada"), "{trail}");
    let everyone: Value = s.get(&agent, "/persons").await.json().await.expect("persons");
    assert_eq!(everyone.as_array().expect("array").len(), 2, "the central reaches everyone");
}

#[tokio::test]
async fn rfs177_an_administrator_of_a_unit_keeps_that_units_professionals_only() {
    let s = TestServer::start().await;
    let chief = professional(&s, "chefe1", "admin", Some(OURS)).await;
    professional(&s, "colega2", "monitoring_operator", Some(THEIRS)).await;
    let users: Value = s.get(&chief, "/users").await.json().await.expect("users");
    let names: Vec<&str> =
        users.as_array().expect("array").iter().filter_map(|u| u["username"].as_str()).collect();
    assert_eq!(names, ["chefe1"], "only the unit's professionals");
    // Whoever the chief registers is of the chief's unit; another unit or the central is refused.
    let new = json!({"username": "novo1", "display_name": "Novo", "role": "monitoring_operator", "password": "password-123"});
    let made: Value = s.post(&chief, "/users", &new).await.json().await.expect("user");
    assert_eq!(made["unit"], OURS);
    let other = json!({"username": "novo2", "display_name": "Novo", "role": "monitoring_operator",
        "password": "password-123", "unit": THEIRS});
    expect_problem(s.post(&chief, "/users", &other).await, 403, "forbidden").await;
    let central = json!({"unit": null, "reason": "x"});
    let id = made["id"].as_str().expect("id");
    expect_problem(s.put(&chief, &format!("/users/{id}/unit"), &central).await, 403, "forbidden").await;
}
