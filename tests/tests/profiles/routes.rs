//! Every route of the API with what it needs and a body it accepts (shared by the profile
//! tests: a route missing here fails them against the OpenAPI document).

use atalaia_core::alarm::{Alarm, AlarmKind, Subject};
use atalaia_core::auth::Permission::{self, *};
use atalaia_core::ids::PersonId;
use atalaia_tests::TestServer;
use serde_json::{Value, json};

/// What a route asks of its caller.
#[derive(Debug, Clone, Copy)]
pub enum Needs {
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
    pub fn met_by(self, granted: &[Permission]) -> bool {
        match self {
            Needs::Public | Needs::User => true,
            Needs::One(p) => granted.contains(&p),
            Needs::Any(ps) => ps.iter().any(|p| granted.contains(p)),
            Needs::All(ps) => ps.iter().all(|p| granted.contains(p)),
        }
    }
}

pub enum Body {
    None,
    Json(Value),
    File(&'static str, Vec<u8>),
}

pub struct Route {
    pub method: &'static str,
    /// The path as the OpenAPI document names it.
    pub template: &'static str,
    pub path: String,
    pub body: Body,
    pub needs: Needs,
}

const RECORD: &[Permission] = &[CrewAct, OccurrenceRegulate];

/// Records every route works on, made fresh for each user (a route may change them).
pub struct Fixtures {
    occurrence: String,
    vehicle: String,
    device: String,
    person: String,
    zone: String,
    alarm: String,
    user: String,
}

pub async fn fixtures(s: &TestServer, n: usize) -> Fixtures {
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

pub fn routes(f: &Fixtures, n: usize) -> Vec<Route> {
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
        r("GET", "/api/v1/users/names", "/users/names".into(), Body::None, Needs::User),
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
            "/api/v1/users/{id}/active",
            format!("/users/{u}/active"),
            j(json!({"active": true, "reason": "x"})),
            Needs::One(UserAdmin),
        ),
        r(
            "PUT",
            "/api/v1/users/{id}/unit",
            format!("/users/{u}/unit"),
            j(json!({"unit": null, "reason": "x"})),
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
        r("GET", "/api/v1/crew/vehicles", "/crew/vehicles".into(), Body::None, Needs::One(CrewAct)),
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
        r(
            "POST",
            "/api/v1/persons/{id}/documents",
            format!("/persons/{p}/documents?kind=other&title=T&file_name=t.pdf"),
            Body::File("application/pdf", b"not a pdf".to_vec()),
            Needs::One(PersonWrite),
        ),
        r(
            "GET",
            "/api/v1/persons/{id}/documents",
            format!("/persons/{p}/documents"),
            Body::None,
            Needs::One(PersonRead),
        ),
        r(
            "GET",
            "/api/v1/persons/{id}/documents/{doc}",
            format!("/persons/{p}/documents/{}", uuid::Uuid::now_v7()),
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
            "GET",
            "/api/v1/zones/{id}/history",
            format!("/zones/{z}/history"),
            Body::None,
            Needs::One(ZoneRead),
        ),
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

pub async fn call(s: &TestServer, token: &str, route: &Route) -> reqwest::Response {
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
