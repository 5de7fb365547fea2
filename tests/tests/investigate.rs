//! Investigative queries on a seeded track set sent by real OsmAnd reports (16.2.18,
//! 16.2.22–16.2.28): three people with known movements, and the answers the queries must give.
//!
//! Ana walks from home to a crime scene S (11:00–11:20) and then to a bar B (11:20–12:20); Bruno
//! is 30 m from Ana at S (11:05–11:15) and at the bar (11:40–12:20); Carla passes S at 09:00 and
//! is at Ana's home at 11:00, when Ana is not. Ana and Bruno form the group "Operação Sul".

use atalaia_core::auth::Role;
use atalaia_core::geom::LatLon;
use atalaia_tests::{TestServer, expect_problem};
use chrono::{DateTime, TimeZone, Utc};
use serde_json::{Value, json};

const HOME: LatLon = LatLon { lat: -8.7612, lon: -63.9013 };
const SCENE: LatLon = LatLon { lat: -8.7612, lon: -63.8813 };
const BAR: LatLon = LatLon { lat: -8.7712, lon: -63.8813 };

fn at(h: u32, m: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 10, 1, h, m, 0).single().expect("time")
}

fn q(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

async fn person(s: &TestServer, name: &str, group: Option<&str>, imei: &str) -> String {
    let r = s
        .post(
            &s.admin_token,
            "/persons",
            &json!({"name": name, "record": imei, "regime": "open", "group": group}),
        )
        .await;
    assert_eq!(r.status(), 201);
    let id = r.json::<Value>().await.expect("person")["id"].as_str().expect("id").to_owned();
    let r = s
        .post(&s.admin_token, "/devices", &json!({"imei": imei, "kind": "ankle_bracelet", "person_id": id}))
        .await;
    assert_eq!(r.status(), 201);
    id
}

/// One fix a minute from `from` to `to` (inclusive), moving in a straight line from `a` to `b`.
async fn walk(s: &TestServer, imei: &str, from: DateTime<Utc>, to: DateTime<Utc>, a: LatLon, b: LatLon) {
    let minutes = (to - from).num_minutes();
    for i in 0..=minutes {
        let k = if minutes == 0 { 0.0 } else { i as f64 / minutes as f64 };
        let (lat, lon) = (a.lat + (b.lat - a.lat) * k, a.lon + (b.lon - a.lon) * k);
        let t = (from + chrono::Duration::minutes(i)).timestamp();
        let r = s.osmand(&format!("id={imei}&lat={lat:.7}&lon={lon:.7}&timestamp={t}&accuracy=5")).await;
        assert_eq!(r.status(), 200);
    }
}

async fn get(s: &TestServer, token: &str, path: &str) -> Value {
    let r = s.get(token, path).await;
    assert_eq!(r.status(), 200, "{path}: {:?}", r.text().await);
    r.json().await.expect("json")
}

fn names(list: &Value, field: &str) -> Vec<String> {
    list.as_array().expect("array").iter().map(|x| x[field].as_str().expect("name").to_owned()).collect()
}

#[tokio::test]
async fn the_investigative_queries_answer_the_seeded_tracks() {
    let s = TestServer::start().await;
    let ana = person(&s, "Ana", Some("Operação Sul"), "862000000000001").await;
    let bruno = person(&s, "Bruno", Some("Operação Sul"), "862000000000002").await;
    let carla = person(&s, "Carla", None, "862000000000003").await;
    let near_scene = SCENE.moved(0.0, 30.0);
    walk(&s, "862000000000001", at(10, 0), at(10, 30), HOME, HOME).await;
    walk(&s, "862000000000001", at(10, 31), at(10, 59), HOME, SCENE).await;
    walk(&s, "862000000000001", at(11, 0), at(11, 20), SCENE, SCENE).await;
    walk(&s, "862000000000001", at(11, 21), at(12, 20), BAR, BAR).await;
    walk(&s, "862000000000002", at(11, 5), at(11, 15), near_scene, near_scene).await;
    walk(&s, "862000000000002", at(11, 40), at(12, 20), BAR, BAR).await;
    walk(&s, "862000000000003", at(8, 55), at(9, 5), SCENE, SCENE).await;
    walk(&s, "862000000000003", at(11, 0), at(11, 10), HOME, HOME).await;
    // Let the once-a-second move file the fixes into the archive.
    for _ in 0..100 {
        let filed = s
            .running
            .state
            .store
            .read(|c| atalaia_backend::store::Store::scalar_i64(c, "SELECT COUNT(*) FROM positions_recent"))
            .await
            .expect("count");
        if filed == Some(0) {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    let op = s.user_token("operadora", Role::MonitoringOperator).await;

    // 16.2.18 / 16.2.23: was Ana within 100 m of the scene between 10:00 and 12:00?
    let p = get(
        &s,
        &op,
        &format!(
            "/investigations/presence?person_id={ana}&lat={}&lon={}&radius_m=100&from={}&to={}",
            SCENE.lat,
            SCENE.lon,
            q(at(10, 0)),
            q(at(12, 0))
        ),
    )
    .await;
    assert_eq!(p["name"], "Ana");
    let visits = p["visits"].as_array().expect("visits");
    assert_eq!(visits.len(), 1, "{p}");
    // The walk covers the 2.2 km in 28 minutes: its fix at 10:58 is already 78 m from the scene.
    assert_eq!(visits[0]["from"], q(at(10, 58)));
    assert_eq!(visits[0]["to"], q(at(11, 20)));
    assert_eq!(visits[0]["closest_m"], 0.0);
    let later = get(
        &s,
        &op,
        &format!(
            "/investigations/presence?person_id={ana}&lat={}&lon={}&radius_m=100&from={}&to={}",
            SCENE.lat,
            SCENE.lon,
            q(at(12, 0)),
            q(at(13, 0))
        ),
    )
    .await;
    assert_eq!(later["visits"], json!([]));
    let carla_then = get(
        &s,
        &op,
        &format!(
            "/investigations/presence?person_id={carla}&lat={}&lon={}&radius_m=100&from={}&to={}",
            SCENE.lat,
            SCENE.lon,
            q(at(10, 0)),
            q(at(12, 0))
        ),
    )
    .await;
    assert_eq!(carla_then["visits"], json!([]), "Carla was there at 09:00, outside the period");

    // 16.2.24: who was near the scene?
    let around = |from: DateTime<Utc>, to: DateTime<Utc>| {
        format!(
            "/investigations/nearby?lat={}&lon={}&radius_m=100&from={}&to={}",
            SCENE.lat,
            SCENE.lon,
            q(from),
            q(to)
        )
    };
    let n = get(&s, &op, &around(at(10, 45), at(11, 30))).await;
    assert_eq!(names(&n, "name"), ["Ana", "Bruno"]);
    assert_eq!(n[1]["visits"][0]["from"], q(at(11, 5)));
    assert!((n[1]["visits"][0]["closest_m"].as_f64().expect("m") - 30.0).abs() < 1.0);
    let n = get(&s, &op, &around(at(8, 30), at(9, 30))).await;
    assert_eq!(names(&n, "name"), ["Carla"]);
    assert_eq!(get(&s, &op, &around(at(13, 0), at(14, 0))).await, json!([]));

    // 16.2.26: tracks of a person and of a group.
    let t = get(
        &s,
        &op,
        &format!("/investigations/tracks?person_id={ana}&from={}&to={}", q(at(10, 0)), q(at(12, 20))),
    )
    .await;
    let points = t[0]["points"].as_array().expect("points");
    assert_eq!(points.len(), 141, "one fix a minute, 10:00 to 12:20");
    assert_eq!(points[0]["t"], q(at(10, 0)));
    assert_eq!(points[140]["t"], q(at(12, 20)));
    let g = get(
        &s,
        &op,
        &format!(
            "/investigations/tracks?group=Opera%C3%A7%C3%A3o%20Sul&from={}&to={}",
            q(at(11, 0)),
            q(at(11, 10))
        ),
    )
    .await;
    assert_eq!(names(&g, "name"), ["Ana", "Bruno"]);
    assert_eq!(g[0]["points"].as_array().expect("a").len(), 11);
    assert_eq!(g[1]["points"].as_array().expect("b").len(), 6);

    // 16.2.27: encounters of Ana with anyone — Bruno, at the scene and at the bar, never Carla.
    let e = get(
        &s,
        &op,
        &format!("/investigations/encounters?person_id={ana}&from={}&to={}", q(at(10, 0)), q(at(12, 20))),
    )
    .await;
    assert_eq!(names(&e, "other_name"), ["Bruno"], "{e}");
    let meetings = e[0]["meetings"].as_array().expect("meetings");
    assert_eq!(meetings.len(), 2, "{e}");
    assert_eq!(meetings[0]["from"], q(at(11, 5)));
    assert_eq!(meetings[0]["to"], q(at(11, 15)));
    assert_eq!(meetings[1]["from"], q(at(11, 40)));
    assert_eq!(meetings[1]["to"], q(at(12, 20)));
    assert!((meetings[0]["closest_m"].as_f64().expect("m") - 30.0).abs() < 1.0);
    let e = get(
        &s,
        &op,
        &format!(
            "/investigations/encounters?group=Opera%C3%A7%C3%A3o%20Sul&from={}&to={}",
            q(at(10, 0)),
            q(at(12, 20))
        ),
    )
    .await;
    assert_eq!(e.as_array().expect("pairs").len(), 1, "each pair once: {e}");
    let e = get(
        &s,
        &op,
        &format!("/investigations/encounters?person_id={carla}&from={}&to={}", q(at(8, 0)), q(at(12, 20))),
    )
    .await;
    assert_eq!(e, json!([]), "Carla was at Ana's home only when Ana was not");

    // 16.2.28: common places — the bar, where both stayed at least 30 minutes.
    let c = get(
        &s,
        &op,
        &format!("/investigations/common-places?person_id={ana}&from={}&to={}", q(at(10, 0)), q(at(12, 20))),
    )
    .await;
    assert_eq!(c.as_array().expect("places").len(), 1, "{c}");
    let place = &c[0];
    assert!(
        LatLon {
            lat: place["center"]["lat"].as_f64().expect("lat"),
            lon: place["center"]["lon"].as_f64().expect("lon")
        }
        .distance_m(&BAR)
            < 400.0
    );
    assert_eq!(names(&place["visitors"], "name"), ["Ana", "Bruno"]);
    // Time is counted between fixes of the same hour (as the archive keeps it per hour): Ana's
    // 60 fixes a minute apart give 58 minutes, Bruno's 41 give 39.
    assert_eq!(place["visitors"][0]["minutes"], 58);
    assert_eq!(place["visitors"][1]["minutes"], 39);
    let c = get(
        &s,
        &op,
        &format!(
            "/investigations/common-places?group=Opera%C3%A7%C3%A3o%20Sul&from={}&to={}",
            q(at(10, 0)),
            q(at(12, 20))
        ),
    )
    .await;
    assert_eq!(c.as_array().expect("places").len(), 1, "{c}");
    let c = get(
        &s,
        &op,
        &format!(
            "/investigations/common-places?person_id={bruno}&from={}&to={}&min_minutes=45",
            q(at(10, 0)),
            q(at(12, 20))
        ),
    )
    .await;
    assert_eq!(c, json!([]), "Bruno stayed 40 minutes: under the 45 asked");

    // Bad questions get Portuguese problems; every question is in the audit trail.
    let r = s
        .get(
            &op,
            &format!(
                "/investigations/nearby?lat=-8.7&lon=-63.9&radius_m=9000&from={}&to={}",
                q(at(12, 0)),
                q(at(10, 0))
            ),
        )
        .await;
    let body = expect_problem(r, 422, "validation").await;
    assert_eq!(body["errors"].as_array().expect("errors").len(), 2, "{body}");
    let r = s.get(&op, "/investigations/tracks?from=ontem").await;
    expect_problem(r, 400, "bad_request").await;
    let r = s
        .get(&op, &format!("/investigations/tracks?group=Nenhum&from={}&to={}", q(at(10, 0)), q(at(11, 0))))
        .await;
    expect_problem(r, 404, "not_found").await;
    let tarm = s.user_token("tarm", Role::Tarm).await;
    let r = s.get(&tarm, &around(at(10, 0), at(11, 0))).await;
    expect_problem(r, 403, "forbidden").await;
    let audit = get(&s, &s.admin_token, "/audit?action=investigation.presence").await;
    assert_eq!(audit.as_array().expect("audit").len(), 3);
    assert_eq!(audit[2]["target"], ana.as_str());
    assert_eq!(audit[2]["username"], "operadora");
    let audit = get(&s, &s.admin_token, "/audit?action=investigation.encounters").await;
    assert_eq!(audit.as_array().expect("audit").len(), 3);
    // Opening a person's record or position history is a view of personal data, audited too.
    get(&s, &op, &format!("/persons/{ana}")).await;
    let history = get(&s, &op, &format!("/positions?person_id={ana}&limit=5")).await;
    assert_eq!(history.as_array().expect("positions").len(), 5);
    let audit = get(&s, &s.admin_token, "/audit?username=operadora&limit=2").await;
    assert_eq!(audit[0]["action"], "positions.view");
    assert_eq!(audit[0]["target"], ana.as_str());
    assert_eq!(audit[0]["detail"], "5 posições");
    assert_eq!(audit[1]["action"], "person.view");
    s.running.shutdown().await;
}
