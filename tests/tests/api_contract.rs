//! The API's contract (issue 24 item 5): several servers and other systems speak to it, so the
//! OpenAPI document must say exactly what the server does. Every route of the route table (which
//! the profile tests keep complete against the document) is called over a real socket: the status
//! it answers is one the document lists for it, every error is `application/problem+json` with a
//! Portuguese title, and the document says so; parameters are declared where they are read (a
//! query parameter is never a path parameter); the refusals the framework makes before a handler
//! runs — a body that is not JSON, a body over the limit, a method the route does not take, a
//! query that does not parse — are problems too.

// Shared with the profile tests, which use what a route needs; here only its path and body.
#[path = "profiles/routes.rs"]
#[allow(dead_code)]
mod routes;

use atalaia_core::auth::Role;
use atalaia_tests::{TestServer, expect_problem};
use routes::{Body, Needs, call, fixtures, routes};
use serde_json::Value;
use std::collections::BTreeSet;

async fn document(s: &TestServer) -> Value {
    s.http.get(s.url("/openapi.json")).send().await.expect("doc").json().await.expect("json")
}

/// The statuses the document lists for an operation.
fn documented(op: &Value) -> BTreeSet<String> {
    op["responses"].as_object().expect("responses").keys().cloned().collect()
}

#[tokio::test]
async fn issue_24_the_document_declares_each_parameter_where_it_is_read_and_each_error_as_a_problem() {
    let s = TestServer::start().await;
    let doc = document(&s).await;
    let mut operations = 0;
    for (path, ops) in doc["paths"].as_object().expect("paths") {
        let in_template: BTreeSet<String> =
            path.split('{').skip(1).filter_map(|p| p.split('}').next()).map(str::to_owned).collect();
        for (method, op) in ops.as_object().expect("ops") {
            operations += 1;
            let params = op["parameters"].as_array().cloned().unwrap_or_default();
            let in_path: BTreeSet<String> = params
                .iter()
                .filter(|p| p["in"] == "path")
                .map(|p| p["name"].as_str().expect("name").to_owned())
                .collect();
            assert_eq!(in_path, in_template, "{method} {path}: path parameters");
            for p in &params {
                assert!(p["in"] == "path" || p["in"] == "query", "{method} {path}: {p}");
            }
            for (status, response) in op["responses"].as_object().expect("responses") {
                let content = response["content"].as_object().cloned().unwrap_or_default();
                for (media, c) in &content {
                    let problem = c["schema"]["$ref"].as_str().is_some_and(|r| r.ends_with("/Problem"));
                    assert_eq!(
                        problem,
                        media == "application/problem+json",
                        "{method} {path} {status}: {media} {c}"
                    );
                }
                if status.starts_with('4') || status.starts_with('5') {
                    assert!(
                        content.contains_key("application/problem+json"),
                        "{method} {path} {status} is not documented as a problem"
                    );
                }
            }
            let secured = op["security"].as_array().is_some_and(|s| !s.is_empty());
            let statuses = documented(op);
            if secured {
                assert!(
                    statuses.contains("401") && statuses.contains("403"),
                    "{method} {path}: {statuses:?}"
                );
            }
            if !in_template.is_empty() {
                assert!(statuses.contains("404"), "{method} {path}: {statuses:?}");
            }
            if op.get("requestBody").is_some() {
                for st in ["400", "413", "422"] {
                    assert!(statuses.contains(st), "{method} {path}: {st} not in {statuses:?}");
                }
            }
        }
    }
    assert!(operations >= 89, "{operations} operations");
    s.running.shutdown().await;
}

#[tokio::test]
async fn issue_24_every_route_answers_as_documented_and_every_refusal_is_a_problem() {
    let s = TestServer::start().await;
    let doc = document(&s).await;
    let _ = s.user_token("contrato", Role::Admin).await;
    let mut token = s.login("contrato", "password-123").await.token;
    let f = fixtures(&s, 0).await;
    let mut undocumented = Vec::new();
    for route in routes(&f, 0) {
        if route.template == "/api/v1/openapi.json" {
            continue; // the document itself
        }
        let op = &doc["paths"][route.template][route.method.to_lowercase()];
        assert!(op.is_object(), "{} {} is not documented", route.method, route.template);
        let statuses = documented(op);

        // As it is meant to be called.
        let resp = call(&s, &token, &route).await;
        let status = resp.status().as_u16();
        let media = resp.headers().get("content-type").and_then(|v| v.to_str().ok()).unwrap_or("").to_owned();
        if !statuses.contains(&status.to_string()) {
            undocumented
                .push(format!("{} {} answered {status}, documented {statuses:?}", route.method, route.path));
        }
        if status >= 400 {
            assert_eq!(media, "application/problem+json", "{} {}: {status}", route.method, route.path);
        }
        if route.template == "/api/v1/auth/logout" {
            token = s.login("contrato", "password-123").await.token;
        }

        // Without a session.
        if !matches!(route.needs, Needs::Public) {
            let resp = call(&s, "", &route).await;
            expect_problem(resp, 401, "unauthorized").await;
        }

        // A body that is not JSON, and one over the limit.
        if matches!(route.body, Body::Json(_)) && op.get("requestBody").is_some() {
            let url = s.url(&route.path);
            let req = match route.method {
                "POST" => s.http.post(&url),
                _ => s.http.put(&url),
            };
            let resp = req
                .bearer_auth(&token)
                .header("content-type", "application/json")
                .body("{\"name\": ")
                .send()
                .await
                .expect("request");
            assert_eq!(resp.status(), 400, "{} {}", route.method, route.path);
            expect_problem(resp, 400, "bad_request").await;
            let req = match route.method {
                "POST" => s.http.post(&url),
                _ => s.http.put(&url),
            };
            let huge = format!("{{\"name\": \"{}\"}}", "a".repeat(3 << 20));
            let resp = req
                .bearer_auth(&token)
                .header("content-type", "application/json")
                .body(huge)
                .send()
                .await
                .expect("request");
            expect_problem(resp, 413, "too_large").await;
        }
    }
    assert!(
        undocumented.is_empty(),
        "{} answers not in the document:\n{}",
        undocumented.len(),
        undocumented.join("\n")
    );

    // A method the route does not take; a query that does not parse; a path nothing serves.
    let resp = s.http.delete(s.url("/zones")).bearer_auth(&token).send().await.expect("request");
    let body = expect_problem(resp, 405, "method_not_allowed").await;
    assert_eq!(body["title"], "Método não permitido");
    let resp = s.get(&token, &format!("/positions?person_id={}&from=ontem", f_person(&s).await)).await;
    let body = expect_problem(resp, 400, "bad_request").await;
    assert!(
        body["detail"].as_str().is_some_and(|d| d.starts_with("Parâmetros da consulta inválidos")),
        "{body}"
    );
    expect_problem(s.get(&token, "/nada-aqui").await, 404, "not_found").await;
    s.running.shutdown().await;
}

/// Any person's id.
async fn f_person(s: &TestServer) -> String {
    let people: Value = s.get(&s.admin_token, "/persons").await.json().await.expect("persons");
    people[0]["id"].as_str().expect("id").to_owned()
}
