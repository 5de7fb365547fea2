//! Profiles defined at run time (issue 22 item 3; 16.2.14, RFS169–171): an administrator makes
//! two profiles that split every permission between them, gives each to a user, and every route
//! of the API — all of them, checked against the OpenAPI document — answers each user exactly
//! as its profile says: 403 problem+json without the permission, anything else with it. A change
//! to a profile applies at the user's next request; the permission reports say the same.

#[path = "profiles/routes.rs"]
mod routes;

use atalaia_core::auth::Permission::{self, *};
use atalaia_core::wire::LiveMessage;
use atalaia_tests::{TestServer, expect_problem, next_message};
use routes::{Needs, call, fixtures, routes};

/// The kinds of seat of the two profiles: what a user may do comes from the profile, never from
/// the seat (a supervisor's and a call taker's seats alike).
const BASES: [&str; 2] = ["supervisor", "tarm"];
use serde_json::{Value, json};
use std::collections::BTreeSet;

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
        s.settle(&format!("metade{n}")).await;
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
        s.settle(name).await;
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
    let closed = atalaia_tests::until_closed(&mut ws).await;
    assert_eq!(closed, Some(1008));
    let me: Value = s.get(&outro, "/auth/me").await.json().await.expect("me");
    assert_eq!(me["role"], "supervisor");
    assert_eq!(me["permissions"], json!([]));
}
