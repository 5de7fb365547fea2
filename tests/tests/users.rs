//! Users' access taken away and given back (RFS170, issue 22 "users cannot be deactivated"),
//! over real sockets: a deactivated user's sessions end at once — REST and the live feed — and
//! the login is refused, while the account and its history stay; nobody deactivates themselves
//! or the last user administrator; each change is audited with its reason.

use atalaia_core::auth::Role;
use atalaia_tests::{TestServer, expect_problem, until_closed};
use serde_json::{Value, json};

#[tokio::test]
async fn rfs170_a_deactivated_user_is_out_at_once_the_account_is_kept_and_access_comes_back() {
    let s = TestServer::start().await;
    let token = s.user_token("fulano", Role::MonitoringOperator).await;
    let me: Value = s.get(&token, "/auth/me").await.json().await.expect("me");
    let id = me["id"].as_str().expect("id").to_owned();
    assert_eq!(me["active"], true);
    let mut feed = s.live(&token, None).await;
    let path = format!("/users/{id}/active");

    // A reason is required; then access ends everywhere at once.
    let r = s.post(&s.admin_token, &path, &json!({"active": false, "reason": "  "})).await;
    expect_problem(r, 422, "validation").await;
    let r = s
        .post(&s.admin_token, &path, &json!({"active": false, "reason": "Desligado da central em 07/12"}))
        .await;
    assert_eq!(r.status(), 200);
    let user: Value = r.json().await.expect("user");
    assert_eq!(user["active"], false);
    assert_eq!(s.get(&token, "/auth/me").await.status(), 401, "the open session ended");
    assert!(until_closed(&mut feed).await.is_some(), "the live feed closed");
    assert_eq!(s.try_login("fulano", "password-123").await.status(), 401, "no new login");

    // The account stays, inactive, with the reason in the audit trail.
    let users: Vec<Value> = s.get(&s.admin_token, "/users").await.json().await.expect("users");
    let kept = users.iter().find(|u| u["username"] == "fulano").expect("kept");
    assert_eq!(kept["active"], false);
    let trail: Value =
        s.get(&s.admin_token, "/audit?action=user.deactivate").await.json().await.expect("audit");
    assert!(trail.to_string().contains("fulano: Desligado da central em 07/12"), "{trail}");

    // Nobody takes their own access away, nor the last user administrator's.
    let admin: Value = s.get(&s.admin_token, "/auth/me").await.json().await.expect("me");
    let own = format!("/users/{}/active", admin["id"].as_str().expect("id"));
    let r = s.post(&s.admin_token, &own, &json!({"active": false, "reason": "teste"})).await;
    let body = expect_problem(r, 409, "conflict").await;
    assert!(body.to_string().contains("próprio acesso"), "{body}");
    let second = s.user_token("segundo-admin", Role::Admin).await;
    let r = s.post(&second, &own, &json!({"active": false, "reason": "saída"})).await;
    assert_eq!(r.status(), 200, "another administrator remains");
    let me2: Value = s.get(&second, "/auth/me").await.json().await.expect("me");
    // Only "segundo-admin" administers users now: nobody, not even themselves, can end that.
    let last = format!("/users/{}/active", me2["id"].as_str().expect("id"));
    let r = s.post(&second, &last, &json!({"active": false, "reason": "x"})).await;
    expect_problem(r, 409, "conflict").await;

    // Access given back: the user logs in again.
    let r = s.post(&second, &path, &json!({"active": true, "reason": "Readmitido"})).await;
    assert_eq!(r.status(), 200);
    assert_eq!(s.try_login("fulano", "password-123").await.status(), 200);
}
