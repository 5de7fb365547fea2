//! Profiles defined at run time (issue 22 item 3; 16.2.14, RFS169–171): an administrator makes
//! two profiles that split every permission between them, gives each to a user, and every route
//! of the API — all of them, checked against the OpenAPI document — answers each user exactly
//! as its profile says: 403 problem+json without the permission, anything else with it. A change
//! to a profile applies at the user's next request; the permission reports say the same.

use atalaia_core::alarm::{Alarm, AlarmKind, Subject};
use atalaia_core::auth::Permission::{self, *};
use atalaia_core::ids::PersonId;
use atalaia_core::wire::LiveMessage;
use atalaia_tests::{TestServer, expect_problem, next_message};
use serde_json::{Value, json};
use std::collections::BTreeSet;

/// What a route asks of its caller.
#[derive(Debug, Clone, Copy)]
enum Needs {
    /// Nobody needs to log in.
    Public,
    /// Any logged-in user.
    User,
    One(Permission),
    /// Any of these.
    Any(&'static [Permission]),
    /// All of these.
    All(&'static [Permission]),
}

impl Needs {
    fn met_by(self, granted: &[Permission]) -> bool {
        match self {
            Needs::Public | Needs::User => true,
            Needs::One(p) => granted.contains(&p),
            Needs::Any(ps) => ps.iter().any(|p| granted.contains(p)),
            Needs::All(ps) => ps.iter().all(|p| granted.contains(p)),
        }
    }
}

enum Body {
    None,
    Json(Value),
    File(&'static str, Vec<u8>),
}

struct Route {
    method: &'static str,
    /// The path as the OpenAPI document names it.
    template: &'static str,
    path: String,
    body: Body,
    needs: Needs,
}

const RECORD: &[Permission] = &[CrewAct, OccurrenceRegulate];

/// The kinds of seat of the two profiles: what a user may do comes from the profile, never from
/// the seat (a supervisor's and a call taker's seats alike).
const BASES: [&str; 2] = ["supervisor", "tarm"];

/// Records every route works on, made fresh for each user (a route may change them).
struct Fixtures {
    occurrence: String,
    vehicle: String,
    device: String,
    person: String,
    zone: String,
    alarm: String,
    user: String,
}

async fn fixtures(s: &TestServer, n: usize) -> Fixtures {
    let admin = &s.admin_token;
    let id = |v: Value| v["id"].as_str().expect("id").to_owned();
    let post = |path: &'static str, body: Value| async move {
        s.post(admin, path, &body).await.json::<Value>().await.expect(path)
    };
    let occurrence = id(post(
        "/occurrences",
        json!({"call_type": "atendimento", "caller_phone": "(31) 98888-7777",
        "address": "Rua A, 1", "municipality": "Belo Horizonte", "description": "Dor no peito"}),
    )
    .await);
    let vehicle =
        id(post("/vehicles", json!({"code": format!("USB-{n}"), "kind": "usb", "municipality": "BH"})).await);
    let device =
        id(post("/devices", json!({"imei": format!("86499900000{n:04}"), "kind": "ankle_bracelet"})).await);
    let person = id(post("/persons", json!({"name": "Ivo", "record": "1", "regime": "open"})).await);
    let zone = id(post(
        "/zones",
        json!({"name": "Casa", "kind": "inclusion", "group": "g",
        "shape": {"type": "circle", "center": {"lat": -8.76, "lon": -63.9}, "radius_m": 100.0}}),
    )
    .await);
    let user = id(post(
        "/users",
        json!({"username": format!("outro{n}"), "display_name": "Outro", "role": "tarm",
        "password": "password-123"}),
    )
    .await);
    let now = chrono::Utc::now();
    let alarm = Alarm::new(AlarmKind::StrapCut, Subject::Person(PersonId::new()), None, now, now);
    let alarm_id = alarm.id.to_string();
    s.running.state.store.write(move |ctx| ctx.save(&alarm)).await.expect("alarm");
    Fixtures { occurrence, vehicle, device, person, zone, alarm: alarm_id, user }
}

fn routes(f: &Fixtures, n: usize) -> Vec<Route> {
    let (o, v, d, p, z, a, u) = (&f.occurrence, &f.vehicle, &f.device, &f.person, &f.zone, &f.alarm, &f.user);
    let x = uuid::Uuid::now_v7();
    let (from, to) = ("2026-01-01T00:00:00Z", "2026-02-01T00:00:00Z");
    let r = |method, template, path: String, body, needs| Route { method, template, path, body, needs };
    let j = Body::Json;
    vec![
        r("GET", "/api/v1/health", "/health".into(), Body::None, Needs::Public),
        r("GET", "/api/v1/openapi.json", "/openapi.json".into(), Body::None, Needs::Public),
        r(
            "POST",
            "/api/v1/auth/login",
            "/auth/login".into(),
            j(json!({"username": "x", "password": "y"})),
            Needs::Public,
        ),
        r("GET", "/api/v1/auth/me", "/auth/me".into(), Body::None, Needs::User),
        r(
            "POST",
            "/api/v1/auth/password",
            "/auth/password".into(),
            j(json!({"current_password": "wrong-one", "new_password": "another-password-1"})),
            Needs::User,
        ),
        r("GET", "/api/v1/live", "/live".into(), Body::None, Needs::User),
        r("GET", "/api/v1/users", "/users".into(), Body::None, Needs::One(UserAdmin)),
        r(
            "POST",
            "/api/v1/users",
            "/users".into(),
            j(json!({"username": format!("novo{n}"), "display_name": "N",
            "role": "crew", "password": "password-123"})),
            Needs::One(UserAdmin),
        ),
        r(
            "POST",
            "/api/v1/users/{id}/unlock",
            format!("/users/{u}/unlock"),
            j(json!({"reason": "x"})),
            Needs::One(UserAdmin),
        ),
        r(
            "GET",
            "/api/v1/users/report",
            "/users/report".into(),
            Body::None,
            Needs::Any(&[UserAdmin, AuditRead]),
        ),
        r("GET", "/api/v1/profiles", "/profiles".into(), Body::None, Needs::One(UserAdmin)),
        r(
            "POST",
            "/api/v1/profiles",
            "/profiles".into(),
            j(json!({"id": format!("p{n}"), "name": "P", "base": "tarm",
            "permissions": []})),
            Needs::One(UserAdmin),
        ),
        r(
            "PUT",
            "/api/v1/profiles/{id}",
            "/profiles/nenhum".into(),
            j(json!({"name": "P", "base": "tarm",
            "permissions": []})),
            Needs::One(UserAdmin),
        ),
        r(
            "GET",
            "/api/v1/profiles/{id}/report",
            "/profiles/tarm/report".into(),
            Body::None,
            Needs::One(UserAdmin),
        ),
        r(
            "PUT",
            "/api/v1/users/{id}/profile",
            format!("/users/{u}/profile"),
            j(json!({"profile": "crew"})),
            Needs::One(UserAdmin),
        ),
        r(
            "GET",
            "/api/v1/users/{id}/permissions",
            format!("/users/{u}/permissions"),
            Body::None,
            Needs::One(UserAdmin),
        ),
        // SAMU
        r("GET", "/api/v1/occurrences", "/occurrences".into(), Body::None, Needs::One(OccurrenceRead)),
        r(
            "POST",
            "/api/v1/occurrences",
            "/occurrences".into(),
            j(json!({"call_type": "atendimento",
            "caller_phone": "(31) 98888-7777", "address": "Rua B, 2", "municipality": "Belo Horizonte",
            "description": "Queda"})),
            Needs::One(OccurrenceCreate),
        ),
        r(
            "GET",
            "/api/v1/occurrences/{id}",
            format!("/occurrences/{o}"),
            Body::None,
            Needs::One(OccurrenceRead),
        ),
        // The call went to regulation as it was registered: a regulator or the fleet closes it
        // (in intake it would be the call taker).
        r(
            "POST",
            "/api/v1/occurrences/{id}/close",
            format!("/occurrences/{o}/close"),
            j(json!({"reason": "Trote"})),
            Needs::Any(&[OccurrenceRegulate, OccurrenceDispatch]),
        ),
        r("GET", "/api/v1/intake-rules", "/intake-rules".into(), Body::None, Needs::One(OccurrenceRead)),
        r("GET", "/api/v1/panel", "/panel".into(), Body::None, Needs::One(OccurrenceRead)),
        r(
            "GET",
            "/api/v1/occurrences/{id}/recommendation",
            format!("/occurrences/{o}/recommendation"),
            Body::None,
            Needs::All(&[OccurrenceRead, VehicleRead]),
        ),
        r(
            "POST",
            "/api/v1/occurrences/{id}/regulation",
            format!("/occurrences/{o}/regulation"),
            j(json!({"stage": "primary"})),
            Needs::One(OccurrenceRegulate),
        ),
        r(
            "POST",
            "/api/v1/occurrences/{id}/addenda",
            format!("/occurrences/{o}/addenda"),
            j(json!({"text": "x"})),
            Needs::Any(&[OccurrenceCreate, OccurrenceRegulate, OccurrenceDispatch, CrewAct]),
        ),
        r(
            "POST",
            "/api/v1/occurrences/{id}/records",
            format!("/occurrences/{o}/records"),
            j(json!({"victim": 1, "notes": "x"})),
            Needs::Any(RECORD),
        ),
        r(
            "POST",
            "/api/v1/occurrences/{id}/attachments",
            format!("/occurrences/{o}/attachments?kind=document"),
            Body::File("text/plain", b"x".to_vec()),
            Needs::Any(RECORD),
        ),
        r(
            "GET",
            "/api/v1/attachments/{id}",
            format!("/attachments/{x}"),
            Body::None,
            Needs::One(OccurrenceRead),
        ),
        r(
            "GET",
            "/api/v1/occurrences/{id}/messages",
            format!("/occurrences/{o}/messages"),
            Body::None,
            Needs::One(OccurrenceRead),
        ),
        r(
            "POST",
            "/api/v1/occurrences/{id}/messages",
            format!("/occurrences/{o}/messages"),
            j(json!({"text": "x"})),
            Needs::Any(RECORD),
        ),
        r(
            "POST",
            "/api/v1/messages/{id}/read",
            format!("/messages/{x}/read"),
            j(json!({})),
            Needs::Any(RECORD),
        ),
        r(
            "GET",
            "/api/v1/samu/canned-messages",
            "/samu/canned-messages".into(),
            Body::None,
            Needs::One(OccurrenceRead),
        ),
        r(
            "GET",
            "/api/v1/occurrences/{id}/report.pdf",
            format!("/occurrences/{o}/report.pdf"),
            Body::None,
            Needs::One(OccurrenceRead),
        ),
        r(
            "POST",
            "/api/v1/occurrences/{id}/consents",
            format!("/occurrences/{o}/consents"),
            j(json!({"victim": 1, "consented": false, "term": x})),
            Needs::One(CrewAct),
        ),
        r(
            "POST",
            "/api/v1/occurrences/{id}/transfers",
            format!("/occurrences/{o}/transfers"),
            j(json!({"victim": 1, "from_dispatch": x, "to_dispatch": uuid::Uuid::now_v7(), "reason": "x"})),
            Needs::Any(&[CrewAct, OccurrenceDispatch]),
        ),
        r(
            "PUT",
            "/api/v1/crew/vehicle",
            "/crew/vehicle".into(),
            j(json!({"vehicle_id": v})),
            Needs::One(CrewAct),
        ),
        r("GET", "/api/v1/crew/vehicle", "/crew/vehicle".into(), Body::None, Needs::One(CrewAct)),
        r("GET", "/api/v1/vehicles", "/vehicles".into(), Body::None, Needs::One(VehicleRead)),
        r(
            "POST",
            "/api/v1/vehicles",
            "/vehicles".into(),
            j(json!({"code": format!("USA-{n}"), "kind": "usa",
            "municipality": "BH"})),
            Needs::One(VehicleWrite),
        ),
        r("GET", "/api/v1/vehicles/{id}", format!("/vehicles/{v}"), Body::None, Needs::One(VehicleRead)),
        r(
            "POST",
            "/api/v1/vehicles/{id}/status",
            format!("/vehicles/{v}/status"),
            j(json!({"status": "at_base"})),
            Needs::Any(&[VehicleWrite, CrewAct]),
        ),
        r(
            "GET",
            "/api/v1/vehicles/{id}/assignments",
            format!("/vehicles/{v}/assignments"),
            Body::None,
            Needs::One(OccurrenceRead),
        ),
        r("GET", "/api/v1/dispatches", "/dispatches".into(), Body::None, Needs::One(OccurrenceRead)),
        r(
            "POST",
            "/api/v1/dispatches",
            "/dispatches".into(),
            j(json!({"occurrence_id": o, "vehicle_id": v})),
            Needs::One(OccurrenceDispatch),
        ),
        r(
            "POST",
            "/api/v1/dispatches/{id}/ack",
            format!("/dispatches/{x}/ack"),
            j(json!({})),
            Needs::One(CrewAct),
        ),
        r(
            "POST",
            "/api/v1/dispatches/{id}/status",
            format!("/dispatches/{x}/status"),
            j(json!({"status": "en_route"})),
            Needs::Any(&[CrewAct, OccurrenceDispatch]),
        ),
        r(
            "POST",
            "/api/v1/dispatches/{id}/alerts",
            format!("/dispatches/{x}/alerts"),
            j(json!({"kind": "need_support"})),
            Needs::One(CrewAct),
        ),
        r(
            "POST",
            "/api/v1/occurrences/{id}/handoff",
            format!("/occurrences/{o}/handoff"),
            j(json!({})),
            Needs::One(OccurrenceCreate),
        ),
        // Monitoring
        r("GET", "/api/v1/persons", "/persons".into(), Body::None, Needs::One(PersonRead)),
        r(
            "POST",
            "/api/v1/persons",
            "/persons".into(),
            j(json!({"name": "X", "record": "1", "regime": "open"})),
            Needs::One(PersonWrite),
        ),
        r("GET", "/api/v1/persons/{id}", format!("/persons/{p}"), Body::None, Needs::One(PersonRead)),
        r(
            "PUT",
            "/api/v1/persons/{id}",
            format!("/persons/{p}"),
            j(json!({"name": "Ivo R", "record": "1", "regime": "open"})),
            Needs::One(PersonWrite),
        ),
        r(
            "GET",
            "/api/v1/persons/{id}/history",
            format!("/persons/{p}/history"),
            Body::None,
            Needs::One(PersonRead),
        ),
        r(
            "PUT",
            "/api/v1/persons/{id}/photo",
            format!("/persons/{p}/photo"),
            Body::File("image/png", b"no".to_vec()),
            Needs::One(PersonWrite),
        ),
        r(
            "GET",
            "/api/v1/persons/{id}/photo",
            format!("/persons/{p}/photo"),
            Body::None,
            Needs::One(PersonRead),
        ),
        r("GET", "/api/v1/devices", "/devices".into(), Body::None, Needs::One(DeviceRead)),
        r(
            "POST",
            "/api/v1/devices",
            "/devices".into(),
            j(json!({"imei": format!("86499800000{n:04}"),
            "kind": "ankle_bracelet", "state": "stock"})),
            Needs::One(DeviceWrite),
        ),
        r("GET", "/api/v1/devices/{id}", format!("/devices/{d}"), Body::None, Needs::One(DeviceRead)),
        r(
            "POST",
            "/api/v1/devices/{id}/state",
            format!("/devices/{d}/state"),
            j(json!({"action": "lost", "reason": "x"})),
            Needs::One(DeviceWrite),
        ),
        r(
            "GET",
            "/api/v1/devices/{id}/commands",
            format!("/devices/{d}/commands"),
            Body::None,
            Needs::One(DeviceRead),
        ),
        r(
            "POST",
            "/api/v1/devices/{id}/commands",
            format!("/devices/{d}/commands"),
            j(json!({"kind": {"type": "report_interval", "seconds": 60}})),
            Needs::One(DeviceWrite),
        ),
        r(
            "POST",
            "/api/v1/devices/{id}/commands",
            format!("/devices/{d}/commands"),
            j(json!({"kind": {"type": "alert", "visual": true, "vibration": false, "sound": false}})),
            Needs::One(AlarmHandle),
        ),
        r("GET", "/api/v1/device-models", "/device-models".into(), Body::None, Needs::One(DeviceRead)),
        r("GET", "/api/v1/ingest/rejects", "/ingest/rejects".into(), Body::None, Needs::One(DeviceRead)),
        r("GET", "/api/v1/ingest/unhandled", "/ingest/unhandled".into(), Body::None, Needs::One(DeviceRead)),
        r("GET", "/api/v1/zones", "/zones".into(), Body::None, Needs::One(ZoneRead)),
        r(
            "POST",
            "/api/v1/zones",
            "/zones".into(),
            j(json!({"name": "Casa", "kind": "inclusion", "group": "g",
            "shape": {"type": "circle", "center": {"lat": -8.76, "lon": -63.9}, "radius_m": 100.0}})),
            Needs::One(ZoneWrite),
        ),
        r("GET", "/api/v1/zones/{id}", format!("/zones/{z}"), Body::None, Needs::One(ZoneRead)),
        r(
            "PUT",
            "/api/v1/zones/{id}",
            format!("/zones/{z}"),
            j(json!({"name": "Casa 2", "kind": "inclusion", "group": "g",
            "shape": {"type": "circle", "center": {"lat": -8.76, "lon": -63.9}, "radius_m": 100.0}})),
            Needs::One(ZoneWrite),
        ),
        r(
            "POST",
            "/api/v1/zones/{id}/state",
            format!("/zones/{z}/state"),
            j(json!({"action": "suspend", "reason": "x"})),
            Needs::One(ZoneWrite),
        ),
        r("GET", "/api/v1/group-rules", "/group-rules".into(), Body::None, Needs::One(PersonRead)),
        r("GET", "/api/v1/group-rules/{group}", "/group-rules/g".into(), Body::None, Needs::One(PersonRead)),
        r(
            "PUT",
            "/api/v1/group-rules/{group}",
            "/group-rules/g".into(),
            j(json!({"disabled": ["encounter"]})),
            Needs::One(ManageRules),
        ),
        r("GET", "/api/v1/positions", "/positions".into(), Body::None, Needs::One(PositionRead)),
        r(
            "GET",
            "/api/v1/investigations/presence",
            format!(
                "/investigations/presence?person_id={p}&lat=-8.7&lon=-63.9&radius_m=100&from={from}&to={to}"
            ),
            Body::None,
            Needs::One(PositionRead),
        ),
        r(
            "GET",
            "/api/v1/investigations/nearby",
            format!("/investigations/nearby?lat=-8.7&lon=-63.9&radius_m=100&from={from}&to={to}"),
            Body::None,
            Needs::One(PositionRead),
        ),
        r(
            "GET",
            "/api/v1/investigations/tracks",
            format!("/investigations/tracks?person_id={p}&from={from}&to={to}"),
            Body::None,
            Needs::One(PositionRead),
        ),
        r(
            "GET",
            "/api/v1/investigations/encounters",
            format!("/investigations/encounters?person_id={p}&from={from}&to={to}"),
            Body::None,
            Needs::One(PositionRead),
        ),
        r(
            "GET",
            "/api/v1/investigations/common-places",
            format!("/investigations/common-places?person_id={p}&from={from}&to={to}"),
            Body::None,
            Needs::One(PositionRead),
        ),
        // Alarms, audit, reports
        r("GET", "/api/v1/alarms", "/alarms".into(), Body::None, Needs::Any(&[AlarmRead, OccurrenceRead])),
        r(
            "GET",
            "/api/v1/alarms/{id}",
            format!("/alarms/{a}"),
            Body::None,
            Needs::Any(&[AlarmRead, OccurrenceRead]),
        ),
        r(
            "POST",
            "/api/v1/alarms/{id}/actions",
            format!("/alarms/{a}/actions"),
            j(json!({"action": "note", "text": "x"})),
            Needs::One(AlarmHandle),
        ),
        r("GET", "/api/v1/procedures", "/procedures".into(), Body::None, Needs::One(AlarmRead)),
        r(
            "PUT",
            "/api/v1/procedures/{kind}",
            "/procedures/strap_cut".into(),
            j(json!({"steps": ["Ligar"]})),
            Needs::One(ManageRules),
        ),
        r("GET", "/api/v1/notifications", "/notifications".into(), Body::None, Needs::One(AlarmRead)),
        r(
            "GET",
            "/api/v1/notification-rules",
            "/notification-rules".into(),
            Body::None,
            Needs::One(AlarmRead),
        ),
        r(
            "PUT",
            "/api/v1/notification-rules/{name}",
            "/notification-rules/plantao".into(),
            j(json!({"trigger": "raised", "min_severity": "critical", "email": ["plantao@sejus.test"]})),
            Needs::One(ManageRules),
        ),
        r("GET", "/api/v1/audit", "/audit".into(), Body::None, Needs::One(AuditRead)),
        r("GET", "/api/v1/audit/verify", "/audit/verify".into(), Body::None, Needs::One(AuditRead)),
        r(
            "GET",
            "/api/v1/reports/{kind}",
            format!("/reports/events-per-person?from={from}&to={to}"),
            Body::None,
            Needs::One(AlarmRead),
        ),
        r("GET", "/api/v1/export/events", "/export/events".into(), Body::None, Needs::One(AuditRead)),
        // Last: it ends the session.
        r("POST", "/api/v1/auth/logout", "/auth/logout".into(), j(json!({})), Needs::User),
    ]
}

async fn call(s: &TestServer, token: &str, route: &Route) -> reqwest::Response {
    let url = s.url(&route.path);
    let req = match route.method {
        "GET" => s.http.get(url),
        "POST" => s.http.post(url),
        "PUT" => s.http.put(url),
        other => panic!("method {other}"),
    };
    let req = req.bearer_auth(token);
    let req = match &route.body {
        Body::None => req,
        Body::Json(v) => req.json(v),
        Body::File(ct, bytes) => req.header("content-type", *ct).body(bytes.clone()),
    };
    req.send().await.expect("request")
}

/// Every route, as `user` with `granted`: 403 problem+json exactly where the profile lacks what
/// the route needs.
async fn walk(s: &TestServer, n: usize, username: &str, granted: &[Permission]) {
    let token = s.login(username, "password-123").await.token;
    let f = fixtures(s, n).await;
    for route in routes(&f, n) {
        let resp = call(s, &token, &route).await;
        let status = resp.status().as_u16();
        if route.needs.met_by(granted) {
            assert_ne!(status, 403, "{username} {} {} is granted by {granted:?}", route.method, route.path);
            assert!(status < 500, "{username} {} {}: {status}", route.method, route.path);
            // Still logged in (a wrong password is the answer of the two routes that check one).
            if !matches!(route.needs, Needs::Public) && route.template != "/api/v1/auth/password" {
                assert_ne!(status, 401, "{username} {} {}", route.method, route.path);
            }
        } else {
            assert_eq!(
                status, 403,
                "{username} {} {} is not granted by {granted:?}",
                route.method, route.path
            );
            let body = expect_problem(resp, 403, "forbidden").await;
            assert_eq!(body["detail"], "Seu perfil não tem permissão para esta operação.");
        }
    }
}

#[tokio::test]
async fn rfs169_a_profile_made_at_run_time_grants_exactly_its_permissions_route_by_route() {
    let s = TestServer::start().await;
    let admin = s.admin_token.clone();

    // The table covers every route the server documents.
    let doc: Value =
        s.http.get(s.url("/openapi.json")).send().await.expect("doc").json().await.expect("json");
    let documented: BTreeSet<(String, String)> = doc["paths"]
        .as_object()
        .expect("paths")
        .iter()
        .flat_map(|(path, ops)| {
            ops.as_object().expect("ops").keys().map(move |m| (m.to_uppercase(), path.clone()))
        })
        .collect();
    let f = fixtures(&s, 0).await;
    let table: BTreeSet<(String, String)> =
        routes(&f, 0).iter().map(|r| (r.method.to_owned(), r.template.to_owned())).collect();
    let missing: Vec<_> = documented.difference(&table).collect();
    assert!(missing.is_empty(), "routes without a line in the table: {missing:?}");
    assert!(documented.len() >= 89, "{} routes documented", documented.len());

    // Two profiles splitting every permission between them.
    let half = |parity: usize| -> Vec<Permission> {
        Permission::ALL.into_iter().enumerate().filter(|(i, _)| i % 2 == parity).map(|(_, p)| p).collect()
    };
    let halves = [half(0), half(1)];
    for (n, granted) in halves.iter().enumerate() {
        let id = format!("metade-{n}");
        let r = s
            .post(
                &admin,
                "/profiles",
                &json!({"id": id, "name": format!("Metade {n}"), "base": BASES[n], "permissions": granted}),
            )
            .await;
        assert_eq!(r.status(), 201);
        let user: Value = s
            .post(
                &admin,
                "/users",
                &json!({"username": format!("metade{n}"), "display_name": format!("Metade {n}"),
                "role": "tarm", "password": "password-123"}),
            )
            .await
            .json()
            .await
            .expect("user");
        let uid = user["id"].as_str().expect("id");
        let given: Value = s
            .put(&admin, &format!("/users/{uid}/profile"), &json!({"profile": id}))
            .await
            .json()
            .await
            .expect("assigned");
        assert_eq!((given["profile"].as_str(), given["role"].as_str()), (Some(id.as_str()), Some(BASES[n])));
        // The reports say the same as the routes (RFS171).
        let report: Value =
            s.get(&admin, &format!("/users/{uid}/permissions")).await.json().await.expect("report");
        let said: Vec<Permission> = report["permissions"]
            .as_array()
            .expect("lines")
            .iter()
            .filter(|l| l["granted"] == true)
            .map(|l| serde_json::from_value(l["permission"].clone()).expect("permission"))
            .collect();
        assert_eq!(&said, granted);
        let by_profile: Value =
            s.get(&admin, &format!("/profiles/{id}/report")).await.json().await.expect("report");
        assert_eq!(by_profile["users"][0]["username"], format!("metade{n}"));
        walk(&s, n + 1, &format!("metade{n}"), granted).await;
    }

    // A change applies at the next request, without a new login; the audit trail says what changed.
    let token = s.login("metade1", "password-123").await.token;
    expect_problem(s.get(&token, "/procedures").await, 403, "forbidden").await;
    let mut more = halves[1].clone();
    more.push(AlarmRead);
    let r = s
        .put(&admin, "/profiles/metade-1", &json!({"name": "Metade 1", "base": "tarm", "permissions": more}))
        .await;
    assert_eq!(r.status(), 200);
    assert_eq!(s.get(&token, "/procedures").await.status(), 200);
    let audit: Value = s.get(&admin, "/audit?action=profile.update").await.json().await.expect("audit");
    assert_eq!(audit[0]["detail"], "concedidas: Consultar alarmes; retiradas: —");
    // A seeded profile is kept as shipped.
    let r =
        s.put(&admin, "/profiles/tarm", &json!({"name": "TARM", "base": "tarm", "permissions": []})).await;
    expect_problem(r, 409, "conflict").await;
}

/// A user administrator cannot give anyone — themselves included — more than their own profile
/// allows; a profile changed under an open live feed ends it (what it streamed was chosen by the
/// old permissions); a profile's new kind of seat reaches its users.
#[tokio::test]
async fn rfs170_a_user_administrator_grants_only_what_they_hold_and_changes_apply_to_open_feeds() {
    let s = TestServer::start().await;
    let admin = s.admin_token.clone();
    let mk = |id: &str, base: &str, permissions: Vec<Permission>| json!({"id": id, "name": id, "base": base, "permissions": permissions});
    assert_eq!(
        s.post(&admin, "/profiles", &mk("gestor", "monitoring_admin", vec![UserAdmin, PersonRead]))
            .await
            .status(),
        201
    );
    let mut ids = Vec::new();
    for name in ["gestor", "outro"] {
        let u: Value = s
            .post(&admin, "/users", &json!({"username": name, "display_name": name, "role": "monitoring_operator", "password": "password-123"}))
            .await
            .json()
            .await
            .expect("user");
        ids.push(u["id"].as_str().expect("id").to_owned());
    }
    let r = s.put(&admin, &format!("/users/{}/profile", ids[0]), &json!({"profile": "gestor"})).await;
    assert_eq!(r.status(), 200);
    let gestor = s.login("gestor", "password-123").await.token;

    // Beyond their own profile: refused, whichever way it is tried.
    let r = s.post(&gestor, "/profiles", &mk("amplo", "monitoring_admin", vec![PersonRead, AuditRead])).await;
    let body = expect_problem(r, 422, "validation").await;
    assert_eq!(
        body["errors"][0]["message"],
        "Você não pode conceder o que seu próprio perfil não permite: Consultar a auditoria."
    );
    expect_problem(
        s.put(&gestor, &format!("/users/{}/profile", ids[1]), &json!({"profile": "admin"})).await,
        409,
        "conflict",
    )
    .await;
    expect_problem(
        s.put(&gestor, &format!("/users/{}/profile", ids[0]), &json!({"profile": "gestor"})).await,
        409,
        "conflict",
    )
    .await;
    let r = s
        .post(
            &gestor,
            "/users",
            &json!({"username": "novo", "display_name": "Novo", "role": "admin", "password": "password-123"}),
        )
        .await;
    expect_problem(r, 422, "validation").await;
    // Within it: allowed.
    assert_eq!(
        s.post(&gestor, "/profiles", &mk("consulta", "monitoring_operator", vec![PersonRead])).await.status(),
        201
    );
    assert_eq!(
        s.put(&gestor, &format!("/users/{}/profile", ids[1]), &json!({"profile": "consulta"})).await.status(),
        200
    );

    // An open feed of "outro" ends when its profile changes; its new kind of seat is its role.
    let outro = s.login("outro", "password-123").await.token;
    let mut ws = s.live(&outro, None).await;
    assert!(matches!(next_message(&mut ws).await, LiveMessage::Snapshot(_)));
    let r = s
        .put(
            &gestor,
            "/profiles/consulta",
            &json!({"name": "Consulta", "base": "supervisor", "permissions": []}),
        )
        .await;
    assert_eq!(r.status(), 200);
    let closed = tokio::time::timeout(std::time::Duration::from_secs(12), async {
        use futures_util::StreamExt;
        loop {
            match ws.next().await {
                None | Some(Err(_)) => return None,
                Some(Ok(tokio_tungstenite::tungstenite::Message::Close(frame))) => {
                    return frame.map(|f| u16::from(f.code));
                }
                Some(Ok(_)) => {}
            }
        }
    })
    .await
    .expect("closed within the re-check interval");
    assert_eq!(closed, Some(1008));
    let me: Value = s.get(&outro, "/auth/me").await.json().await.expect("me");
    assert_eq!(me["role"], "supervisor");
    assert_eq!(me["permissions"], json!([]));
}
