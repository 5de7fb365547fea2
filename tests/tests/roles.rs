//! Roles end to end: anonymous → 401, a role without the permission → 403 problem+json, and a
//! walk of the whole role × route matrix against `Role::can`.

use atalaia_core::alarm::{Alarm, AlarmKind, Subject};
use atalaia_core::auth::{Permission, Role};
use atalaia_core::ids::{PersonId, VehicleId};
use atalaia_tests::{TestServer, expect_problem};
use serde_json::{Value, json};

fn zone() -> Value {
    json!({"name": "Casa", "kind": "inclusion", "group": "Regional I", "shape": {"type": "circle", "center": {"lat": -8.76, "lon": -63.9}, "radius_m": 100.0}})
}

fn call() -> Value {
    json!({"call_type": "atendimento", "caller_phone": "(31) 98888-7777", "address": "Rua A, 1", "municipality": "Belo Horizonte", "description": "Dor no peito"})
}

#[tokio::test]
async fn tarm_cannot_create_zones_operator_cannot_create_occurrences_anonymous_gets_401() {
    let s = TestServer::start().await;
    let tarm = s.user_token("tarm1", Role::Tarm).await;
    let op = s.user_token("op1", Role::MonitoringOperator).await;

    let body = expect_problem(s.post(&tarm, "/zones", &zone()).await, 403, "forbidden").await;
    assert_eq!(body["title"], "Acesso negado");
    expect_problem(s.post(&op, "/occurrences", &call()).await, 403, "forbidden").await;

    let anon = s.http.get(s.url("/occurrences")).send().await.expect("anonymous");
    expect_problem(anon, 401, "unauthorized").await;
    let bad_token = s.get("not-a-token", "/occurrences").await;
    expect_problem(bad_token, 401, "unauthorized").await;

    // And the permitted side of the same pair works.
    assert_eq!(s.post(&tarm, "/occurrences", &call()).await.status(), 201);
    s.running.shutdown().await;
}

#[tokio::test]
async fn every_role_against_every_route() {
    let s = TestServer::start().await;
    let now = chrono::Utc::now();
    let alarm = Alarm::new(AlarmKind::StrapCut, Subject::Person(PersonId::new()), None, now, now);
    let alarm_id = alarm.id;
    s.running.state.store.write(move |ctx| ctx.save(&alarm)).await.expect("alarm stored");
    // A SAMU alert (RFS009), which the fleet controller handles too.
    let samu_alarm =
        Alarm::new(AlarmKind::VehicleStationary, Subject::Vehicle(VehicleId::new()), None, now, now);
    let samu_alarm_id = samu_alarm.id;
    s.running.state.store.write(move |ctx| ctx.save(&samu_alarm)).await.expect("alarm stored");
    let occ: Value = s.post(&s.admin_token, "/occurrences", &call()).await.json().await.expect("occurrence");
    let oid = occ["id"].as_str().expect("id").to_owned();
    let v: Value = s
        .post(
            &s.admin_token,
            "/vehicles",
            &json!({"code": "USB-99", "kind": "usb", "municipality": "Belo Horizonte"}),
        )
        .await
        .json()
        .await
        .expect("vehicle");
    let vid = v["id"].as_str().expect("id").to_owned();
    let d: Value = s
        .post(&s.admin_token, "/devices", &json!({"imei": "864999000000001", "kind": "ankle_bracelet"}))
        .await
        .json()
        .await
        .expect("device");
    let did = d["id"].as_str().expect("id").to_owned();

    let mut next_available = true;
    for (i, role) in Role::ALL.into_iter().enumerate() {
        let token = s.user_token(&format!("user{i}"), role).await;
        if role == Role::Crew {
            // A crew acts on the vehicle its tablet is signed in to, and sees that one's work.
            let r = s.put(&token, "/crew/vehicle", &json!({"vehicle_id": vid})).await;
            assert_eq!(r.status(), 200);
        }
        let routes: Vec<(&str, String, Option<Value>, Permission)> = vec![
            ("GET", "/occurrences".into(), None, Permission::OccurrenceRead),
            ("POST", "/occurrences".into(), Some(call()), Permission::OccurrenceCreate),
            ("GET", "/vehicles".into(), None, Permission::VehicleRead),
            (
                "POST",
                "/vehicles".into(),
                Some(json!({"code": format!("USA-{i}"), "kind": "usa", "municipality": "BH"})),
                Permission::VehicleWrite,
            ),
            ("GET", "/persons".into(), None, Permission::PersonRead),
            (
                "POST",
                "/persons".into(),
                Some(json!({"name": "X", "record": "1", "regime": "open"})),
                Permission::PersonWrite,
            ),
            ("GET", "/devices".into(), None, Permission::DeviceRead),
            (
                "POST",
                "/devices".into(),
                Some(json!({"imei": format!("86400000000{i:04}"), "kind": "ankle_bracelet"})),
                Permission::DeviceWrite,
            ),
            ("GET", "/ingest/rejects".into(), None, Permission::DeviceRead),
            ("GET", "/ingest/unhandled".into(), None, Permission::DeviceRead),
            ("GET", "/device-models".into(), None, Permission::DeviceRead),
            ("GET", format!("/devices/{did}/commands"), None, Permission::DeviceRead),
            (
                "POST",
                format!("/devices/{did}/commands"),
                Some(json!({"kind": {"type": "alert", "visual": true, "vibration": false, "sound": false}})),
                Permission::AlarmHandle,
            ),
            (
                "POST",
                format!("/devices/{did}/commands"),
                Some(json!({"kind": {"type": "report_interval", "seconds": 60}})),
                Permission::DeviceWrite,
            ),
            ("GET", "/zones".into(), None, Permission::ZoneRead),
            ("POST", "/zones".into(), Some(zone()), Permission::ZoneWrite),
            ("GET", "/group-rules".into(), None, Permission::PersonRead),
            (
                "PUT",
                format!("/group-rules/grupo-{i}"),
                Some(json!({"disabled": ["encounter"], "signal_timeout_s": 600})),
                Permission::ManageRules,
            ),
            ("GET", "/positions".into(), None, Permission::PositionRead),
            ("GET", "/audit".into(), None, Permission::AuditRead),
            ("GET", "/audit/verify".into(), None, Permission::AuditRead),
            ("GET", "/users".into(), None, Permission::UserAdmin),
            (
                "POST",
                "/users".into(),
                Some(
                    json!({"username": format!("new{i}"), "display_name": "N", "role": "crew", "password": "password-123"}),
                ),
                Permission::UserAdmin,
            ),
            ("GET", "/panel".into(), None, Permission::OccurrenceRead),
            ("GET", "/dispatches".into(), None, Permission::OccurrenceRead),
            ("GET", format!("/vehicles/{vid}/assignments"), None, Permission::OccurrenceRead),
            (
                "POST",
                format!("/occurrences/{oid}/regulation"),
                Some(json!({"stage": "primary"})),
                Permission::OccurrenceRegulate,
            ),
        ];
        for (method, path, body, perm) in routes {
            let resp = match (method, body) {
                ("POST", Some(b)) => s.post(&token, &path, &b).await,
                ("PUT", Some(b)) => s.put(&token, &path, &b).await,
                _ => s.get(&token, &path).await,
            };
            let status = resp.status().as_u16();
            // The regulation panel is not a crew's, whatever its permissions (issue 23).
            let crews_not = role == Role::Crew && path == "/panel";
            if role.can(perm) && !crews_not {
                assert!(status < 400, "{role:?} {method} {path} should be allowed, got {status}");
            } else {
                assert_eq!(status, 403, "{role:?} {method} {path} should be forbidden");
                expect_problem(resp, 403, "forbidden").await;
            }
        }
        // The status of a vehicle outside a dispatch: the fleet controller, and the crew (back at
        // base, stretcher returned); back and forth, as the same state twice is refused.
        let status = if next_available { "available" } else { "at_base" };
        let resp = s.post(&token, &format!("/vehicles/{vid}/status"), &json!({"status": status})).await;
        if role.can(Permission::VehicleWrite) || role.can(Permission::CrewAct) {
            assert_eq!(resp.status(), 200, "{role:?} sets a vehicle {status}");
            next_available = !next_available;
        } else {
            expect_problem(resp, 403, "forbidden").await;
        }
        // An alarm is acted on by those who handle alarms and may see its domain; to the others
        // who handle alarms (a fleet controller and a monitoring alarm, a monitoring operator
        // and a SAMU alert) it does not exist.
        for (id, sees) in [(alarm_id, Permission::AlarmRead), (samu_alarm_id, Permission::OccurrenceRead)] {
            let note = json!({"action": "note", "text": "visto"});
            let status = s.post(&token, &format!("/alarms/{id}/actions"), &note).await.status().as_u16();
            match (role.can(Permission::AlarmHandle), role.can(sees)) {
                (true, true) => assert!(status < 400, "{role:?} should act on alarm {id}, got {status}"),
                (true, false) => assert_eq!(status, 404, "{role:?} must not see alarm {id}"),
                (false, _) => assert_eq!(status, 403, "{role:?} must not act on alarms"),
            }
        }
        let me: Value = s.get(&token, "/auth/me").await.json().await.expect("me");
        assert_eq!(me["role"], serde_json::to_value(role).expect("role"));
    }
    s.running.shutdown().await;
}

#[tokio::test]
async fn repeated_failures_lock_the_account_and_logout_ends_the_session() {
    let s = TestServer::start_with(|c| c.max_failed_logins = 3).await;
    let token = s.user_token("ana", Role::Tarm).await;
    for _ in 0..2 {
        let r = s.try_login("ana", "wrong").await;
        expect_problem(r, 401, "bad_credentials").await;
    }
    let r = s.try_login("ana", "wrong").await;
    expect_problem(r, 429, "account_locked").await;
    let r = s.try_login("ana", "password-123").await;
    expect_problem(r, 429, "account_locked").await;
    // Unknown users get the same answer as a wrong password.
    let r = s.try_login("nobody", "x").await;
    expect_problem(r, 401, "bad_credentials").await;

    assert_eq!(s.get(&token, "/auth/me").await.status(), 200);
    assert_eq!(s.post(&token, "/auth/logout", &json!({})).await.status(), 204);
    expect_problem(s.get(&token, "/auth/me").await, 401, "unauthorized").await;
    s.running.shutdown().await;
}
