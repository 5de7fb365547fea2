//! API behaviour end to end: validation in Portuguese, malformed bodies, idempotent replays,
//! the claim race, health and the OpenAPI document.

use atalaia_core::alarm::{Alarm, AlarmKind, Subject};
use atalaia_core::auth::Role;
use atalaia_core::ids::{OccurrenceId, PersonId};
use atalaia_tests::{TestServer, expect_problem};
use serde_json::{Value, json};

#[tokio::test]
async fn invalid_calls_get_field_errors_in_portuguese_and_bad_json_a_problem() {
    let s = TestServer::start().await;
    let tarm = s.user_token("tarm", Role::Tarm).await;
    let r = s.post(&tarm, "/occurrences", &json!({"call_type": "atendimento", "caller_phone": "123"})).await;
    let body = expect_problem(r, 422, "validation").await;
    let fields: Vec<&str> =
        body["errors"].as_array().expect("errors").iter().filter_map(|e| e["field"].as_str()).collect();
    assert_eq!(fields, vec!["caller_phone", "address", "municipality", "description"]);
    assert!(body["errors"][0]["message"].as_str().expect("msg").contains("Telefone inválido"));

    let r = s
        .http
        .post(s.url("/occurrences"))
        .bearer_auth(&tarm)
        .header("content-type", "application/json")
        .body("{not json")
        .send()
        .await
        .expect("post");
    expect_problem(r, 400, "bad_request").await;
    let r = s.get(&tarm, "/occurrences/not-an-id").await;
    expect_problem(r, 404, "not_found").await;
    let r = s.get(&tarm, "/no-such-route").await;
    expect_problem(r, 404, "not_found").await;
    s.running.shutdown().await;
}

#[tokio::test]
async fn replaying_a_call_with_its_client_id_does_not_duplicate_it() {
    let s = TestServer::start().await;
    let tarm = s.user_token("tarm", Role::Tarm).await;
    let id = OccurrenceId::new();
    let call = json!({"id": id, "call_type": "atendimento", "caller_phone": "31988887777", "address": "Rua A, 1",
        "municipality": "Belo Horizonte", "description": "Queda"});
    let first = s.post(&tarm, "/occurrences", &call).await;
    assert_eq!(first.status(), 201);
    let first: Value = first.json().await.expect("body");
    let again = s.post(&tarm, "/occurrences", &call).await;
    assert_eq!(again.status(), 200);
    let again: Value = again.json().await.expect("body");
    assert_eq!(first, again);
    let year = chrono::Utc::now().format("%Y").to_string();
    assert_eq!(first["number"], format!("{year}-000001"));
    assert_eq!(first["phase"], "regulation");

    // A prank call is closed at intake (RFS184/RFS185) and the number keeps counting.
    let prank =
        s.post(&tarm, "/occurrences", &json!({"call_type": "trote", "caller_phone": "31988887777"})).await;
    let prank: Value = prank.json().await.expect("body");
    assert_eq!(
        (prank["number"].as_str(), prank["phase"].as_str()),
        (Some(format!("{year}-000002").as_str()), Some("closed"))
    );

    // Earlier calls from the same number, newest first (RFS182).
    let history: Vec<Value> =
        s.get(&tarm, "/occurrences?phone=(31)%2098888-7777").await.json().await.expect("history");
    assert_eq!(history.len(), 2);
    assert_eq!(history[0]["call_type"], "trote");
    s.running.shutdown().await;
}

#[tokio::test]
async fn two_operators_race_for_one_alarm_and_exactly_one_wins() {
    let s = TestServer::start().await;
    let a = s.user_token("op-a", Role::MonitoringOperator).await;
    let b = s.user_token("op-b", Role::MonitoringOperator).await;
    for round in 0..10 {
        let now = chrono::Utc::now();
        let alarm =
            Alarm::new(AlarmKind::InclusionZoneExit, Subject::Person(PersonId::new()), None, now, now);
        let id = alarm.id;
        s.running.state.store.write(move |ctx| ctx.save(&alarm)).await.expect("alarm");
        let claim = json!({"action": "claim"});
        let path = format!("/alarms/{id}/actions");
        let (ra, rb) = tokio::join!(s.post(&a, &path, &claim), s.post(&b, &path, &claim));
        let (sa, sb) = (ra.status().as_u16(), rb.status().as_u16());
        assert!(matches!((sa, sb), (200, 409) | (409, 200)), "round {round}: {sa} {sb}");
        let loser = if sa == 409 { ra } else { rb };
        let body = expect_problem(loser, 409, "conflict").await;
        assert!(body["detail"].as_str().expect("detail").starts_with("Alarme já assumido por Usuário op-"));
    }
    s.running.shutdown().await;
}

#[tokio::test]
async fn health_and_openapi_are_served() {
    let s = TestServer::start().await;
    let h: Value = s.http.get(s.url("/health")).send().await.expect("health").json().await.expect("json");
    assert_eq!(h["status"], "ok");
    let doc: Value =
        s.http.get(s.url("/openapi.json")).send().await.expect("openapi").json().await.expect("json");
    assert!(doc["openapi"].as_str().expect("version").starts_with("3."));
    for path in ["/api/v1/occurrences", "/api/v1/alarms/{id}/actions", "/api/v1/auth/login", "/api/v1/zones"]
    {
        assert!(doc["paths"][path].is_object(), "{path} documented");
    }
    assert!(doc["components"]["schemas"]["LiveMessage"].is_object());
    assert!(doc["components"]["securitySchemes"]["bearer"].is_object());
    s.running.shutdown().await;
}

#[tokio::test]
async fn demo_seed_and_simulator_over_real_osmand() {
    use atalaia_backend::{seed, sim};
    let s = TestServer::start().await;
    let opts = seed::DemoOptions { seed: 11, bracelets: 12, ambulances: 6 };
    assert!(seed::demo(&s.running.state.store, opts, chrono_tz::America::Porto_Velho).await.expect("seed"));
    assert!(
        !seed::demo(&s.running.state.store, opts, chrono_tz::America::Porto_Velho)
            .await
            .expect("second seed is a no-op")
    );
    let cfg = sim::SimConfig {
        seed: 11,
        bracelets: 12,
        ambulances: 6,
        interval: std::time::Duration::from_millis(50),
        step_s: 6.0,
        osmand_url: s.running.osmand_url(),
        rounds: Some(3),
    };
    let stats = sim::run(cfg).await;
    assert_eq!(stats, sim::SimStats { sent: 54, accepted: 54, refused: 0, failed: 0 });
    let sup = s.login("supervisor", seed::DEMO_PASSWORD).await.token;
    let positions: Vec<Value> = s.get(&sup, "/positions?limit=1000").await.json().await.expect("positions");
    assert_eq!(positions.len(), 54, "every fix of every unit is stored");
    let vehicles: Vec<Value> = s.get(&sup, "/vehicles").await.json().await.expect("vehicles");
    assert_eq!(vehicles.len(), 6);
    assert!(vehicles.iter().all(|v| v["telemetry"]["fix_time"].is_string()), "every ambulance reported");
    s.running.shutdown().await;
}

#[tokio::test]
async fn creates_with_a_known_client_id_return_the_stored_record_instead_of_overwriting() {
    let s = TestServer::start().await;
    let id = atalaia_core::ids::ZoneId::new();
    let zone = json!({"id": id, "name": "Casa", "kind": "inclusion", "group": "Regional I",
        "shape": {"type": "circle", "center": {"lat": -8.76, "lon": -63.9}, "radius_m": 100.0}});
    let first = s.post(&s.admin_token, "/zones", &zone).await;
    assert_eq!(first.status(), 201);
    let first: Value = first.json().await.expect("zone");
    let mut changed = zone.clone();
    changed["name"] = json!("Outro nome");
    let replay = s.post(&s.admin_token, "/zones", &changed).await;
    assert_eq!(replay.status(), 200);
    let replay: Value = replay.json().await.expect("zone");
    assert_eq!(replay, first, "stored record returned unchanged");
    s.running.shutdown().await;
}

/// 16.2.6, III-2.10 (issue 7): a zone drawn on the map is changed in place — same id, same
/// creation time, new shape and buffer; an operator may not; a bad shape or an unknown zone gets
/// a Portuguese problem.
#[tokio::test]
async fn a_zone_edited_on_the_map_is_replaced_in_place() {
    let s = TestServer::start().await;
    let id = atalaia_core::ids::ZoneId::new();
    let zone = json!({"id": id, "name": "Escola", "kind": "exclusion", "group": "Regional I",
        "shape": {"type": "circle", "center": {"lat": -8.76, "lon": -63.9}, "radius_m": 100.0}});
    let created: Value = s.post(&s.admin_token, "/zones", &zone).await.json().await.expect("zone");
    let mut edited = zone.clone();
    edited["shape"] = json!({"type": "polygon", "ring": [
        {"lat": -8.76, "lon": -63.91}, {"lat": -8.76, "lon": -63.89}, {"lat": -8.775, "lon": -63.90}]});
    edited["warning_m"] = json!(250.0);
    let resp = s.put(&s.admin_token, &format!("/zones/{id}"), &edited).await;
    assert_eq!(resp.status(), 200);
    let saved: Value = resp.json().await.expect("zone");
    assert_eq!(saved["id"], created["id"]);
    assert_eq!(saved["created_at"], created["created_at"]);
    assert_eq!(saved["shape"]["type"], "polygon");
    assert_eq!(saved["warning_m"], 250.0);
    let stored: Value = s.get(&s.admin_token, &format!("/zones/{id}")).await.json().await.expect("zone");
    assert_eq!(stored, saved);

    let op = s.user_token("op", Role::MonitoringOperator).await;
    assert_eq!(s.put(&op, &format!("/zones/{id}"), &edited).await.status(), 403);
    let mut bad = edited.clone();
    bad["shape"] = json!({"type": "circle", "center": {"lat": -8.76, "lon": -63.9}, "radius_m": -5.0});
    let problem =
        expect_problem(s.put(&s.admin_token, &format!("/zones/{id}"), &bad).await, 422, "validation").await;
    assert!(
        problem["errors"][0]["message"].as_str().expect("message").starts_with("Geometria inválida"),
        "{problem}"
    );
    let other = atalaia_core::ids::ZoneId::new();
    let mut unknown = edited.clone();
    unknown["id"] = json!(other);
    expect_problem(s.put(&s.admin_token, &format!("/zones/{other}"), &unknown).await, 404, "not_found").await;
    // The id in the body must be the one in the path.
    expect_problem(s.put(&s.admin_token, &format!("/zones/{other}"), &edited).await, 422, "validation").await;
    s.running.shutdown().await;
}

#[tokio::test]
async fn an_operator_cannot_act_on_an_alarm_it_may_not_see_and_a_replayed_claim_is_harmless() {
    let s = TestServer::start().await;
    let op = s.user_token("op", Role::MonitoringOperator).await;
    let now = chrono::Utc::now();
    let samu = Alarm::new(AlarmKind::PriorityAlert, Subject::Occurrence(OccurrenceId::new()), None, now, now);
    let mon = Alarm::new(AlarmKind::StrapCut, Subject::Person(PersonId::new()), None, now, now);
    let (samu_id, mon_id) = (samu.id, mon.id);
    s.running
        .state
        .store
        .write(move |ctx| {
            ctx.save(&samu)?;
            ctx.save(&mon)
        })
        .await
        .expect("alarms");
    let claim = json!({"action": "claim"});
    expect_problem(s.post(&op, &format!("/alarms/{samu_id}/actions"), &claim).await, 404, "not_found").await;
    assert_eq!(s.post(&op, &format!("/alarms/{mon_id}/actions"), &claim).await.status(), 200);
    let again = s.post(&op, &format!("/alarms/{mon_id}/actions"), &claim).await;
    assert_eq!(again.status(), 200, "the holder's replayed claim is not a conflict");
    s.running.shutdown().await;
}

#[tokio::test]
async fn occurrence_numbers_follow_the_site_calendar_not_utc() {
    use atalaia_core::ManualClock;
    use chrono::TimeZone;
    // 02:30 UTC on 1 January 2027 is still 22:30 on 31 December 2026 in Porto Velho (UTC-4).
    let t = chrono::Utc.with_ymd_and_hms(2027, 1, 1, 2, 30, 0).single().expect("valid");
    let clock = std::sync::Arc::new(ManualClock::new(t));
    let s = TestServer::start_at(clock.clone(), |c| c.timezone = chrono_tz::America::Porto_Velho).await;
    let call = json!({"call_type": "trote", "caller_phone": "69992221111"});
    let occ: Value = s.post(&s.admin_token, "/occurrences", &call).await.json().await.expect("json");
    assert_eq!(occ["number"], "2026-000001");
    clock.advance(chrono::Duration::hours(2)); // 00:30 on 1 January 2027 in Porto Velho
    let occ: Value = s.post(&s.admin_token, "/occurrences", &call).await.json().await.expect("json");
    assert_eq!(occ["number"], "2027-000001", "numbering restarts on the local new year");
    s.running.shutdown().await;
}

#[tokio::test]
async fn group_rules_are_validated_in_portuguese_and_replace_the_previous_set() {
    // III-2.25: rules (restrictions) per group.
    let s = TestServer::start().await;
    let admin = s.user_token("gestor", Role::MonitoringAdmin).await;
    let operator = s.user_token("operador", Role::MonitoringOperator).await;
    let path = "/group-rules/Frente%20de%20trabalho";
    let r =
        s.put(&admin, path, &json!({"disabled": ["strap_cut", "encounter"], "signal_timeout_s": 5})).await;
    let body = expect_problem(r, 422, "validation").await;
    let messages: Vec<&str> =
        body["errors"].as_array().expect("errors").iter().filter_map(|e| e["message"].as_str()).collect();
    assert_eq!(messages.len(), 2, "{messages:?}");
    assert!(messages[0].contains("\"Rompimento da cinta\" não pode ser desativado"), "{}", messages[0]);
    assert!(messages[1].contains("entre 1 minuto e 24 horas"), "{}", messages[1]);
    expect_problem(s.get(&admin, path).await, 404, "not_found").await;
    expect_problem(s.put(&operator, path, &json!({})).await, 403, "forbidden").await;

    let mut ws = s.live(&operator, None).await;
    atalaia_tests::next_message(&mut ws).await; // snapshot
    let r = s
        .put(
            &admin,
            path,
            &json!({"disabled": ["encounter", "common_place", "encounter"], "signal_timeout_s": 120}),
        )
        .await;
    assert_eq!(r.status(), 200);
    let stored: Value = r.json().await.expect("body");
    assert_eq!(stored["group"], "Frente de trabalho");
    assert_eq!(stored["disabled"], json!(["common_place", "encounter"]));
    assert_eq!(stored["signal_timeout_s"], 120);
    match atalaia_tests::next_message(&mut ws).await {
        atalaia_core::wire::LiveMessage::Event(e) => {
            assert!(
                matches!(e.body, atalaia_core::wire::EventBody::GroupRules(ref g) if g.group == "Frente de trabalho")
            );
        }
        other => panic!("expected the rules on the live feed, got {other:?}"),
    }
    // A PUT replaces the whole set.
    let r = s.put(&admin, path, &json!({"zone_dwell_s": 60})).await;
    assert_eq!(r.status(), 200);
    let list: Value = s.get(&operator, "/group-rules").await.json().await.expect("list");
    assert_eq!(list.as_array().expect("array").len(), 1);
    assert_eq!(list[0]["disabled"], json!([]));
    assert_eq!(list[0]["zone_dwell_s"], 60);
    assert!(list[0].get("signal_timeout_s").is_none());
    // People and zones are filed under the same trimmed name, so the rules reach them.
    let person = s
        .post(
            &admin,
            "/persons",
            &json!({"name": "P", "record": "1", "regime": "open", "group": " Frente de trabalho  "}),
        )
        .await;
    assert_eq!(person.status(), 201);
    let person: Value = person.json().await.expect("person");
    assert_eq!(person["group"], "Frente de trabalho");
    s.running.shutdown().await;
}

#[tokio::test]
async fn an_unclaimed_alarm_escalates_to_the_supervisors_after_the_target() {
    // 27.9: response within 5 minutes, here configured to 3; both domains escalate.
    use atalaia_core::ManualClock;
    use atalaia_core::ids::OccurrenceId;
    use atalaia_core::wire::{EventBody, LiveMessage};
    use chrono::SubsecRound;
    let t0 = chrono::Utc::now().trunc_subsecs(0);
    let clock = std::sync::Arc::new(ManualClock::new(t0));
    let s = TestServer::start_at(clock.clone(), |c| c.ack_target_minutes = 3).await;
    let op = s.user_token("operador", Role::MonitoringOperator).await;
    let supervisor = s.user_token("supervisor", Role::Supervisor).await;
    let unclaimed = Alarm::new(AlarmKind::StrapCut, Subject::Person(PersonId::new()), None, t0, t0);
    let taken = Alarm::new(AlarmKind::Tamper, Subject::Person(PersonId::new()), None, t0, t0);
    // (A prioritisation alert: a call over time would be restored by the fleet check, its call not being in intake.)
    let samu = Alarm::new(AlarmKind::PriorityAlert, Subject::Occurrence(OccurrenceId::new()), None, t0, t0);
    let (unclaimed_id, taken_id, samu_id) = (unclaimed.id, taken.id, samu.id);
    s.running
        .state
        .store
        .write(move |ctx| {
            ctx.save(&unclaimed)?;
            ctx.save(&taken)?;
            ctx.save(&samu)
        })
        .await
        .expect("alarms");
    clock.advance(chrono::Duration::minutes(1));
    let r = s.post(&op, &format!("/alarms/{taken_id}/actions"), &json!({"action": "claim"})).await;
    assert_eq!(r.status(), 200);
    let mut ws = s.live(&supervisor, None).await;
    let LiveMessage::Snapshot(_) = atalaia_tests::next_message(&mut ws).await else { panic!("snapshot") };
    // Still within the target: the once-a-second tick escalates nothing.
    clock.advance(chrono::Duration::seconds(110));
    tokio::time::sleep(std::time::Duration::from_millis(1_300)).await;
    clock.advance(chrono::Duration::seconds(10)); // 3 minutes after raising
    let mut escalated = std::collections::HashSet::new();
    while escalated.len() < 2 {
        let msg =
            tokio::time::timeout(std::time::Duration::from_secs(5), atalaia_tests::next_message(&mut ws))
                .await
                .expect("escalations within the next ticks");
        if let LiveMessage::Event(e) = msg
            && let EventBody::Alarm(a) = e.body
        {
            let at = a.escalated_at.unwrap_or_else(|| panic!("{:?} changed without escalating", a.kind));
            assert_eq!(at, t0 + chrono::Duration::minutes(3));
            escalated.insert(a.id);
        }
    }
    assert_eq!(escalated, [unclaimed_id, samu_id].into_iter().collect());
    let taken: Value = s.get(&op, &format!("/alarms/{taken_id}")).await.json().await.expect("alarm");
    assert!(taken.get("escalated_at").is_none(), "an alarm someone holds does not escalate");

    // Claimed late: the response time is on the alarm.
    clock.advance(chrono::Duration::minutes(1));
    let r = s.post(&op, &format!("/alarms/{unclaimed_id}/actions"), &json!({"action": "claim"})).await;
    assert_eq!(r.status(), 200);
    let a: Alarm = s.get(&op, &format!("/alarms/{unclaimed_id}")).await.json().await.expect("alarm");
    assert_eq!(a.time_to_acknowledge(), Some(chrono::Duration::minutes(4)));
    assert_eq!(a.escalated_at, Some(t0 + chrono::Duration::minutes(3)));
    s.running.shutdown().await;
}

#[tokio::test]
async fn every_operation_lands_in_the_audit_trail_and_the_chain_verifies() {
    // 16.3.2.10 / 16.2.17: logins (also failed ones), user administration, alarm handling and
    // configuration changes, with author and time, searchable by auditors only.
    let s = TestServer::start().await;
    let op = s.user_token("operadora", Role::MonitoringOperator).await;
    let auditor = s.user_token("auditor", Role::Auditor).await;
    expect_problem(s.try_login("operadora", "errada").await, 401, "bad_credentials").await;
    expect_problem(s.try_login("ninguem", "x").await, 401, "bad_credentials").await;
    let now = chrono::Utc::now();
    let alarm = Alarm::new(AlarmKind::StrapCut, Subject::Person(PersonId::new()), None, now, now);
    let id = alarm.id;
    s.running.state.store.write(move |ctx| ctx.save(&alarm)).await.expect("alarm");
    let path = format!("/alarms/{id}/actions");
    assert_eq!(s.post(&op, &path, &json!({"action": "claim"})).await.status(), 200);
    let close = json!({"action": "close", "outcome": "handled", "note": "Contato feito; cinta substituída."});
    assert_eq!(s.post(&op, &path, &close).await.status(), 200);

    expect_problem(s.get(&op, "/audit").await, 403, "forbidden").await;
    let trail: Vec<Value> = s.get(&auditor, "/audit?limit=100").await.json().await.expect("trail");
    let actions: Vec<(String, String)> = trail
        .iter()
        .rev()
        .map(|e| {
            (e["username"].as_str().unwrap_or("").to_owned(), e["action"].as_str().unwrap_or("").to_owned())
        })
        .collect();
    let expected = [
        ("sistema", "user.create"), // the first administrator
        ("admin", "login"),
        ("admin", "user.create"), // operadora
        ("operadora", "login"),
        ("admin", "user.create"), // auditor
        ("auditor", "login"),
        ("operadora", "login.failed"),
        ("(desconhecido)", "login.failed"), // the typed name is not kept
        ("operadora", "alarm.claim"),
        ("operadora", "alarm.close"),
    ];
    let expected: Vec<(String, String)> =
        expected.iter().map(|(u, a)| (u.to_string(), a.to_string())).collect();
    assert_eq!(actions, expected);
    let close_entry = &trail[0];
    assert_eq!(close_entry["target"], id.to_string());
    assert!(close_entry["detail"].as_str().expect("detail").contains("cinta substituída"));
    let by_target: Vec<Value> =
        s.get(&auditor, &format!("/audit?target={id}")).await.json().await.expect("search");
    assert_eq!(by_target.len(), 2);
    let check: Value = s.get(&auditor, "/audit/verify").await.json().await.expect("verify");
    assert_eq!(check, json!({"entries": 10, "intact": true, "first_broken": null}));
    s.running.shutdown().await;
}

#[tokio::test]
async fn users_change_their_password_and_the_report_shows_policy_compliance_and_accesses() {
    // III-2.23 (change at any time), 16.3.2.3 (periodic change policy and its proof), 16.3.2.4
    // (enabled users and their accesses).
    use atalaia_core::ManualClock;
    let clock = std::sync::Arc::new(ManualClock::new(chrono::Utc::now()));
    let s = TestServer::start_at(clock.clone(), |c| c.password_max_age_days = 90).await;
    s.user_token("ana", Role::MonitoringOperator).await;
    s.user_token("auditoria", Role::Auditor).await;
    // Sessions last 12 hours: everyone signs in again after the 91 days.
    clock.advance(chrono::Duration::days(91));
    let login = s.login("ana", "password-123").await;
    assert!(login.password_expired, "91 days old with a 90-day policy");
    let ana = login.token;
    let other_session = s.login("ana", "password-123").await.token;
    let auditor = s.login("auditoria", "password-123").await.token;

    let change = |current: &str, new: &str| json!({"current_password": current, "new_password": new});
    let r = s.post(&ana, "/auth/password", &change("errada", "outra-senha-forte")).await;
    let body = expect_problem(r, 422, "validation").await;
    assert_eq!(body["errors"][0]["field"], "current_password");
    assert_eq!(body["errors"][0]["message"], "Senha atual incorreta.");
    let r = s.post(&ana, "/auth/password", &change("password-123", "ANA")).await;
    let body = expect_problem(r, 422, "validation").await;
    assert!(body["errors"][0]["message"].as_str().expect("msg").contains("ao menos"));
    let r = s.post(&ana, "/auth/password", &change("password-123", "password-123")).await;
    let body = expect_problem(r, 422, "validation").await;
    assert_eq!(body["errors"][0]["message"], "A nova senha deve ser diferente da atual.");

    let report: Vec<Value> = s.get(&auditor, "/users/report").await.json().await.expect("report");
    let line = report.iter().find(|l| l["username"] == "ana").expect("ana");
    assert_eq!(line["password_compliant"], false);
    assert_eq!(line["password_age_days"], 91);

    assert_eq!(
        s.post(&ana, "/auth/password", &change("password-123", "nova-senha-2026")).await.status(),
        204
    );
    assert_eq!(s.get(&ana, "/auth/me").await.status(), 200, "this session goes on");
    expect_problem(s.get(&other_session, "/auth/me").await, 401, "unauthorized").await;
    expect_problem(s.try_login("ana", "password-123").await, 401, "bad_credentials").await;
    assert!(!s.login("ana", "nova-senha-2026").await.password_expired);

    let report: Vec<Value> = s.get(&auditor, "/users/report?days=30").await.json().await.expect("report");
    let line = report.iter().find(|l| l["username"] == "ana").expect("ana");
    assert_eq!(line["password_compliant"], true);
    assert_eq!(line["password_age_days"], 0);
    assert_eq!(line["active"], true);
    // In the last 30 days: two logins with the old password, one with the new; one refused.
    assert_eq!(
        (line["logins_in_period"].as_u64(), line["failed_logins_in_period"].as_u64()),
        (Some(3), Some(1))
    );
    assert!(line["last_login_at"].is_string());
    let admin = s.login("admin", atalaia_tests::ADMIN_PASSWORD).await.token;
    let admin: Vec<Value> = s.get(&admin, "/users/report").await.json().await.expect("admin sees it");
    assert_eq!(admin.len(), report.len());
    expect_problem(s.get(&ana, "/users/report").await, 403, "forbidden").await;
    let trail: Vec<Value> =
        s.get(&auditor, "/audit?username=ana&action=password.change").await.json().await.expect("audit");
    assert_eq!(trail.len(), 1, "the change is proven in the audit trail");
    s.running.shutdown().await;
}

#[tokio::test]
async fn a_procedure_is_followed_step_by_step_and_the_alarm_closed_with_a_note() {
    // 16.2.7 / III-2.11: administrators define the steps per alarm kind and group; operators
    // tick them; every action is kept with author and time.
    let s = TestServer::start().await;
    let admin = s.user_token("gestor", Role::MonitoringAdmin).await;
    let op = s.user_token("operador", Role::MonitoringOperator).await;
    let generic = json!({"steps": ["Ligar para o monitorado", "Registrar a ocorrência"]});
    let for_group =
        json!({"group": "art217", "steps": ["Ligar para o monitorado", "Avisar a escola", "Acionar a PM"]});
    expect_problem(s.put(&op, "/procedures/exclusion_zone_entry", &generic).await, 403, "forbidden").await;
    expect_problem(s.put(&admin, "/procedures/no_such_kind", &generic).await, 404, "not_found").await;
    let r = s.put(&admin, "/procedures/exclusion_zone_entry", &json!({"steps": ["  "]})).await;
    expect_problem(r, 422, "validation").await;
    let r = s.put(&admin, "/procedures/exclusion_zone_entry", &json!({"group": "*", "steps": ["a"]})).await;
    expect_problem(r, 422, "validation").await;
    assert_eq!(s.put(&admin, "/procedures/exclusion_zone_entry", &generic).await.status(), 200);
    assert_eq!(s.put(&admin, "/procedures/exclusion_zone_entry", &for_group).await.status(), 200);
    let listed: Vec<Value> = s.get(&op, "/procedures").await.json().await.expect("list");
    assert_eq!(listed.len(), 2);

    let person =
        |group: Option<&str>| json!({"name": "P", "record": "1", "regime": "semi_open", "group": group});
    let in_group: Value = s.post(&admin, "/persons", &person(Some("art217"))).await.json().await.expect("p");
    let no_group: Value = s.post(&admin, "/persons", &person(None)).await.json().await.expect("p");
    let alarm_for = |p: &Value| {
        let id: PersonId = serde_json::from_value(p["id"].clone()).expect("id");
        let now = chrono::Utc::now();
        Alarm::new(AlarmKind::ExclusionZoneEntry, Subject::Person(id), None, now, now)
    };
    let (a, b) = (alarm_for(&in_group), alarm_for(&no_group));
    let (a_id, b_id) = (a.id, b.id);
    s.running
        .state
        .store
        .write(move |ctx| {
            ctx.save(&a)?;
            ctx.save(&b)
        })
        .await
        .expect("alarms");

    let act = |id: atalaia_core::ids::AlarmId, body: Value| {
        let (s, op) = (&s, op.clone());
        async move { s.post(&op, &format!("/alarms/{id}/actions"), &body).await }
    };
    assert_eq!(act(a_id, json!({"action": "claim"})).await.status(), 200);
    let skip = json!({"action": "close", "outcome": "handled", "note": "Resolvido."});
    let body = expect_problem(act(a_id, skip).await, 409, "conflict").await;
    assert!(body["detail"].as_str().expect("detail").contains("inicie-o"), "the procedure cannot be skipped");
    let started: Value = act(a_id, json!({"action": "start_procedure"})).await.json().await.expect("alarm");
    let steps: Vec<&str> =
        started["steps"].as_array().expect("steps").iter().filter_map(|s| s["text"].as_str()).collect();
    assert_eq!(
        steps,
        ["Ligar para o monitorado", "Avisar a escola", "Acionar a PM"],
        "the group's procedure"
    );
    assert_eq!(act(a_id, json!({"action": "complete_step", "index": 0})).await.status(), 200);
    let close = json!({"action": "close", "outcome": "handled", "note": "Escola avisada, PM no local."});
    let body = expect_problem(act(a_id, close.clone()).await, 409, "conflict").await;
    assert!(body["detail"].as_str().expect("detail").contains("falta(m) 2"), "{body}");
    expect_problem(act(a_id, json!({"action": "complete_step", "index": 9})).await, 422, "validation").await;
    for i in 1..3 {
        assert_eq!(act(a_id, json!({"action": "complete_step", "index": i})).await.status(), 200);
    }
    let closed: Value = act(a_id, close).await.json().await.expect("closed");
    assert_eq!(closed["state"]["state"], "closed");
    assert!(
        closed["steps"]
            .as_array()
            .expect("steps")
            .iter()
            .all(|s| s["done_by"].is_string() && s["done_at"].is_string())
    );

    assert_eq!(act(b_id, json!({"action": "claim"})).await.status(), 200);
    let started: Value = act(b_id, json!({"action": "start_procedure"})).await.json().await.expect("alarm");
    assert_eq!(started["steps"].as_array().expect("steps").len(), 2, "everyone else: the generic procedure");

    let trail: Vec<Value> =
        s.get(&s.admin_token, &format!("/audit?target={a_id}")).await.json().await.expect("audit");
    let actions: Vec<&str> = trail.iter().rev().filter_map(|e| e["action"].as_str()).collect();
    assert_eq!(
        actions,
        ["alarm.claim", "alarm.procedure", "alarm.step", "alarm.step", "alarm.step", "alarm.close"]
    );
    s.running.shutdown().await;
}

/// Issue 8: a command named by an `Idempotency-Key` is applied once; a resend gets the first
/// answer back (marked as a replay) and changes nothing; a key names one command only.
#[tokio::test]
async fn a_command_resent_with_its_idempotency_key_is_applied_once_and_answered_the_same() {
    let s = TestServer::start().await;
    let op = s.user_token("op", Role::MonitoringOperator).await;
    let now = chrono::Utc::now();
    let alarm = Alarm::new(AlarmKind::StrapCut, Subject::Person(PersonId::new()), None, now, now);
    let id = alarm.id;
    s.running.state.store.write(move |ctx| ctx.save(&alarm)).await.expect("alarm");
    let path = format!("/alarms/{id}/actions");
    let keyed = |key: &str, path: &str, body: Value| {
        let req = s.http.post(s.url(path)).bearer_auth(&op).header("Idempotency-Key", key).json(&body);
        async move { req.send().await.expect("POST") }
    };
    let claim_key = uuid::Uuid::now_v7().to_string();
    let first = keyed(&claim_key, &path, json!({"action": "claim"})).await;
    assert_eq!(first.status(), 200);
    assert!(first.headers().get("idempotency-replayed").is_none());
    let first: Value = first.json().await.expect("alarm");

    let note_key = uuid::Uuid::now_v7().to_string();
    let note = json!({"action": "note", "text": "Monitorado não atende."});
    let noted = keyed(&note_key, &path, note.clone()).await;
    assert_eq!(noted.status(), 200);
    let noted: Value = noted.json().await.expect("alarm");
    for _ in 0..3 {
        let again = keyed(&note_key, &path, note.clone()).await;
        assert_eq!(again.status(), 200);
        assert_eq!(
            again.headers().get("idempotency-replayed").map(|v| v.to_str().expect("ascii")),
            Some("true")
        );
        let again: Value = again.json().await.expect("alarm");
        assert_eq!(again, noted, "the original answer, byte for byte the same record");
    }
    let replayed_claim: Value =
        keyed(&claim_key, &path, json!({"action": "claim"})).await.json().await.expect("a");
    assert_eq!(replayed_claim, first, "the claim's own answer, not today's state");

    let now: Value = s.get(&op, "/alarms").await.json().await.expect("alarms");
    let stored = now.as_array().expect("list").iter().find(|a| a["id"] == json!(id)).expect("alarm").clone();
    let notes = stored["notes"]
        .as_array()
        .expect("notes")
        .iter()
        .filter(|e| e.to_string().contains("não atende"))
        .count();
    assert_eq!(notes, 1, "one note however often it was sent: {stored}");

    // The same key for another command is refused, and a malformed key too.
    let r = keyed(&note_key, "/zones", json!({"name": "Z"})).await;
    let body = expect_problem(r, 422, "validation").await;
    assert!(body.to_string().contains("outro comando"), "{body}");
    // A key is its user's: someone else sending it learns nothing and changes nothing.
    let other = s.user_token("outro", Role::MonitoringOperator).await;
    let r =
        s.http.post(s.url(&path)).bearer_auth(&other).header("Idempotency-Key", &note_key).json(&note).send();
    expect_problem(r.await.expect("POST"), 422, "validation").await;
    // Without a session: refused by the handler, no key kept or replayed.
    let r = s.http.post(s.url(&path)).header("Idempotency-Key", &note_key).json(&note).send();
    expect_problem(r.await.expect("POST"), 401, "unauthorized").await;
    expect_problem(keyed("x", &path, note.clone()).await, 400, "bad_request").await;
    // A refusal is an answer too: the same command sent again gets it again, unchanged.
    let refused_key = uuid::Uuid::now_v7().to_string();
    let empty = json!({"action": "note", "text": ""});
    let first = expect_problem(keyed(&refused_key, &path, empty.clone()).await, 422, "validation").await;
    let again = keyed(&refused_key, &path, empty).await;
    assert_eq!(again.headers().get("idempotency-replayed").map(|v| v.to_str().expect("ascii")), Some("true"));
    assert_eq!(expect_problem(again, 422, "validation").await, first);
    s.running.shutdown().await;
}
