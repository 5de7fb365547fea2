//! Notifications by e-mail and SMS through the outbox (16.2.7, 16.2.31, 27.10.9), against a real
//! SMTP server (aiosmtpd from Debian's python3-aiosmtpd, STARTTLS required, certificate from
//! rcgen) and a real HTTP SMS gateway on 127.0.0.1; phone calls logged on the alarm.

use atalaia_core::ManualClock;
use atalaia_core::auth::Role;
use atalaia_tests::smtp::{Sink, body_text, header};
use atalaia_tests::{TestServer, expect_problem};
use chrono::SubsecRound;
use serde_json::{Value, json};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// A monitored person wearing an OsmAnd bracelet; returns the person's id.
async fn person_with_bracelet(s: &TestServer, imei: &str) -> String {
    let p = s
        .post(
            &s.admin_token,
            "/persons",
            &json!({"name": "Fulano de Tal", "record": "0001", "regime": "open"}),
        )
        .await;
    assert_eq!(p.status(), 201);
    let person = p.json::<Value>().await.expect("person")["id"].as_str().expect("id").to_owned();
    let d = s
        .post(
            &s.admin_token,
            "/devices",
            &json!({"imei": imei, "kind": "ankle_bracelet", "person_id": person}),
        )
        .await;
    assert_eq!(d.status(), 201);
    person
}

async fn alarms_of(s: &TestServer, token: &str, kind: &str) -> Vec<Value> {
    let all: Value = s.get(token, "/alarms").await.json().await.expect("alarms");
    all.as_array().expect("array").iter().filter(|a| a["kind"] == kind).cloned().collect()
}

async fn wait_alarm(s: &TestServer, token: &str, kind: &str) -> Value {
    for _ in 0..200 {
        if let Some(a) = alarms_of(s, token, kind).await.into_iter().next() {
            return a;
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    panic!("no {kind} alarm");
}

async fn notifications(s: &TestServer) -> Vec<Value> {
    let list: Value = s.get(&s.admin_token, "/notifications").await.json().await.expect("notifications");
    list.as_array().expect("array").clone()
}

#[tokio::test]
async fn email_goes_out_over_starttls_and_a_restart_mid_send_delivers_it_exactly_once() {
    let sink = Sink::start();
    let dir = tempfile::tempdir().expect("tempdir");
    let clock = Arc::new(ManualClock::new(chrono::Utc::now().trunc_subsecs(0)));
    let s = TestServer::start_in(dir.path(), clock.clone(), sink.smtp_config()).await;
    let gestor = s.user_token("gestor", Role::MonitoringAdmin).await;
    let op = s.user_token("operador", Role::MonitoringOperator).await;

    // 16.2.7: administrators define who is told automatically.
    let r = s
        .put(
            &gestor,
            "/notification-rules/Plant%C3%A3o",
            &json!({"trigger": "raised", "min_severity": "critical", "email": ["plantao@sejus.test"]}),
        )
        .await;
    assert_eq!(r.status(), 200);
    person_with_bracelet(&s, "861000000000001").await;
    let r = s.osmand("id=861000000000001&lat=-8.76&lon=-63.90&alarm=strapCut").await;
    assert_eq!(r.status(), 200);
    let alarm = wait_alarm(&s, &op, "strap_cut").await;
    let alarm_id = alarm["id"].as_str().expect("id").to_owned();

    let first = sink.wait_for(1).await;
    let m = &first[0];
    assert_eq!(header(m, "X-Sink-TLS"), Some("yes"), "STARTTLS before the message: {m}");
    assert_eq!(header(m, "X-Sink-Rcpt"), Some("plantao@sejus.test"));
    assert!(m.contains("Rompimento da cinta"), "{m}");
    assert!(m.contains("Fulano de Tal"), "{m}");
    // Who, where (the fix that raised it, with a map link), when (saying the zone) and the link
    // that opens it at the console (16.2.7, 27.10.9).
    let body = body_text(m);
    let lines: Vec<&str> = body.lines().collect();
    assert!(lines.contains(&"Pessoa: Fulano de Tal"), "{body}");
    assert!(lines.iter().any(|l| l.starts_with("Posição: -8.76000, -63.90000 em ")), "{body}");
    assert!(
        lines.contains(
            &"Mapa: https://www.openstreetmap.org/?mlat=-8.76000&mlon=-63.90000#map=17/-8.76000/-63.90000"
        ),
        "{body}"
    );
    assert!(
        lines
            .iter()
            .any(|l| l.starts_with("Ocorrido em: ") && l.ends_with(" (UTC-03:00, America/Sao_Paulo)")),
        "{body}"
    );
    assert!(lines.contains(&format!("Abrir na console: atalaia://alarme/{alarm_id}").as_str()), "{body}");
    assert!(header(m, "From").is_some_and(|f| f.contains("central@atalaia.test")), "{m}");
    let rule_mail = notifications(&s).await;
    assert_eq!(rule_mail.len(), 1);
    assert_eq!(rule_mail[0]["rule"], "Plantão");
    assert_eq!(rule_mail[0]["alarm_id"], alarm_id.as_str());
    let rule_mail_id = rule_mail[0]["id"].as_str().expect("id").to_owned();
    assert_eq!(header(m, "Message-ID"), Some(format!("<{rule_mail_id}@atalaia>").as_str()));
    for _ in 0..100 {
        if notifications(&s).await[0]["state"] == "sent" {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert_eq!(notifications(&s).await[0]["state"], "sent");
    let alarm: Value = s.get(&op, &format!("/alarms/{alarm_id}")).await.json().await.expect("alarm");
    assert_eq!(alarm["contacts"][0]["channel"], "email");
    assert_eq!(alarm["contacts"][0]["rule"], "Plantão");

    // The SMTP server hangs mid-transaction while the operator's e-mail is being sent, and the
    // backend restarts right then.
    sink.stall(true);
    let r = s.post(&op, &format!("/alarms/{alarm_id}/actions"), &json!({"action": "claim"})).await;
    assert_eq!(r.status(), 200);
    let r = s
        .post(
            &op,
            &format!("/alarms/{alarm_id}/actions"),
            &json!({"action": "notify", "channel": "email", "to": "juiz@tjro.test",
                    "text": "Rompimento da cinta às 03h; equipe a caminho."}),
        )
        .await;
    assert_eq!(r.status(), 200);
    for _ in 0..200 {
        if sink.mail_dir().join("stalled").exists() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    assert!(sink.mail_dir().join("stalled").exists(), "the send reached the SMTP server");
    s.running.shutdown().await;
    sink.stall(false);
    assert_eq!(sink.messages().len(), 1, "nothing was accepted during the stall");

    // Past the attempt's lease, the restarted server delivers it — once — and never resends the first.
    clock.advance(chrono::Duration::seconds(31));
    let s = TestServer::start_in(dir.path(), clock.clone(), sink.smtp_config()).await;
    let both = sink.wait_for(2).await;
    let manual = &both[1];
    assert_eq!(header(manual, "X-Sink-Rcpt"), Some("juiz@tjro.test"));
    assert!(manual.contains("equipe a caminho"), "{manual}");
    for _ in 0..4 {
        clock.advance(chrono::Duration::minutes(40));
        tokio::time::sleep(Duration::from_millis(1_100)).await;
    }
    let all = sink.messages();
    assert_eq!(all.len(), 2, "each message exactly once");
    let ids: Vec<&str> = all.iter().filter_map(|m| header(m, "Message-ID")).collect();
    assert_eq!(ids.len(), 2);
    assert_ne!(ids[0], ids[1]);
    let list = notifications(&s).await;
    assert_eq!(list.len(), 2);
    assert!(list.iter().all(|n| n["state"] == "sent"), "{list:?}");
    let retried = list.iter().find(|n| n["to"] == "juiz@tjro.test").expect("manual e-mail");
    assert_eq!(retried["attempts"], 2, "one interrupted attempt, one delivery");
    assert!(retried["requested_by"].is_string());
    s.running.shutdown().await;
}

/// What the gateway saw: Authorization, Idempotency-Key and the JSON body.
type SmsRequest = (Option<String>, Option<String>, Value);

#[derive(Clone, Default)]
struct Gateway {
    requests: Arc<Mutex<Vec<SmsRequest>>>,
    fail_first: Arc<Mutex<u32>>,
}

async fn gateway(
    State(g): axum::extract::State<Gateway>,
    headers: axum::http::HeaderMap,
    body: axum::Json<Value>,
) -> axum::http::StatusCode {
    let h = |n: &str| headers.get(n).and_then(|v| v.to_str().ok()).map(str::to_owned);
    g.requests.lock().expect("lock").push((h("authorization"), h("idempotency-key"), body.0));
    let mut fail = g.fail_first.lock().expect("lock");
    if *fail > 0 {
        *fail -= 1;
        return axum::http::StatusCode::SERVICE_UNAVAILABLE;
    }
    axum::http::StatusCode::ACCEPTED
}

use axum::extract::State;

#[tokio::test]
async fn an_escalated_alarm_goes_out_by_sms_and_a_failing_gateway_is_retried() {
    let g = Gateway { fail_first: Arc::new(Mutex::new(1)), ..Gateway::default() };
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let addr = listener.local_addr().expect("addr");
    let app = axum::Router::new().route("/sms", axum::routing::post(gateway)).with_state(g.clone());
    tokio::spawn(async move { axum::serve(listener, app).await });

    let clock = Arc::new(ManualClock::new(chrono::Utc::now().trunc_subsecs(0)));
    let s = TestServer::start_at(clock.clone(), |c| {
        c.ack_target_minutes = 2;
        c.sms_url = Some(format!("http://{addr}/sms"));
        c.sms_token = Some("segredo".into());
    })
    .await;
    let gestor = s.user_token("gestor", Role::MonitoringAdmin).await;
    let op = s.user_token("operador", Role::MonitoringOperator).await;
    let r = s
        .put(
            &gestor,
            "/notification-rules/sem-resposta",
            &json!({"trigger": "escalated", "min_severity": "low", "kinds": ["tamper"],
                    "sms": ["+55 (69) 99999-0000"]}),
        )
        .await;
    assert_eq!(r.status(), 200);
    let rule: Value = r.json().await.expect("rule");
    assert_eq!(rule["sms"], json!(["+5569999990000"]), "stored in E.164");
    person_with_bracelet(&s, "861000000000002").await;
    s.osmand("id=861000000000002&lat=-8.76&lon=-63.90&alarm=tampering").await;
    let alarm = wait_alarm(&s, &op, "tamper").await;
    tokio::time::sleep(Duration::from_millis(1_500)).await;
    assert!(g.requests.lock().expect("lock").is_empty(), "a raised alarm does not match an escalation rule");

    clock.advance(chrono::Duration::minutes(2));
    let mut sent = Vec::new();
    for _ in 0..200 {
        sent = g.requests.lock().expect("lock").clone();
        if !sent.is_empty() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    assert_eq!(sent.len(), 1, "the escalation sends one SMS (refused by the gateway)");
    // The refused attempt is retried after 30 seconds.
    tokio::time::sleep(Duration::from_millis(1_200)).await;
    assert_eq!(g.requests.lock().expect("lock").len(), 1, "not before the retry delay");
    clock.advance(chrono::Duration::seconds(30));
    for _ in 0..200 {
        if g.requests.lock().expect("lock").len() == 2 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    let requests = g.requests.lock().expect("lock").clone();
    assert_eq!(requests.len(), 2);
    let (auth, key, body) = &requests[1];
    assert_eq!(auth.as_deref(), Some("Bearer segredo"));
    assert_eq!(key, &requests[0].1, "the retry carries the same idempotency key");
    assert_eq!(body["to"], "+5569999990000");
    let text = body["text"].as_str().expect("text");
    assert!(text.starts_with("Atalaia: SEM RESPOSTA: Violação do dispositivo"), "{text}");
    assert!(text.contains("Fulano de Tal"), "{text}");
    for _ in 0..100 {
        if notifications(&s).await[0]["state"] == "sent" {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let n = &notifications(&s).await[0];
    assert_eq!(n["state"], "sent");
    assert_eq!(n["attempts"], 2);
    assert_eq!(n["alarm_id"], alarm["id"]);
    s.running.shutdown().await;
}

#[tokio::test]
async fn phone_calls_are_logged_and_bad_contacts_refused_in_portuguese() {
    let s = TestServer::start().await;
    let op = s.user_token("operador", Role::MonitoringOperator).await;
    person_with_bracelet(&s, "861000000000003").await;
    s.osmand("id=861000000000003&lat=-8.76&lon=-63.90&alarm=strapCut").await;
    let alarm = wait_alarm(&s, &op, "strap_cut").await;
    let path = format!("/alarms/{}/actions", alarm["id"].as_str().expect("id"));

    let r =
        s.post(&op, &path, &json!({"action": "phone_call", "to": "Delegado de plantão", "note": ""})).await;
    let body = expect_problem(r, 422, "validation").await;
    assert!(body["errors"][0]["message"].as_str().expect("msg").contains("Registre o que foi tratado"));
    let r = s
        .post(
            &op,
            &path,
            &json!({"action": "phone_call", "to": "Delegado de plantão (69) 3216-0000",
                    "note": "Informado do rompimento; viatura enviada ao endereço."}),
        )
        .await;
    assert_eq!(r.status(), 200);
    let a: Value = r.json().await.expect("alarm");
    assert_eq!(a["contacts"][0]["channel"], "phone");
    assert!(a["contacts"][0]["by"].is_string(), "author kept");
    assert_eq!(a["contacts"][0]["text"], "Informado do rompimento; viatura enviada ao endereço.");

    // Nothing configured to send SMS here: the operator is told, nothing is queued.
    let r = s
        .post(&op, &path, &json!({"action": "notify", "channel": "sms", "to": "69 9999", "text": "x"}))
        .await;
    let body = expect_problem(r, 422, "validation").await;
    let messages: Vec<&str> =
        body["errors"].as_array().expect("errors").iter().filter_map(|e| e["message"].as_str()).collect();
    assert!(messages.iter().any(|m| m.contains("Telefone inválido")), "{messages:?}");
    assert!(messages.iter().any(|m| m.contains("não está configurado")), "{messages:?}");
    assert!(notifications(&s).await.is_empty());

    // Rules are checked too.
    let gestor = s.user_token("gestor", Role::MonitoringAdmin).await;
    let r = s
        .put(
            &gestor,
            "/notification-rules/x",
            &json!({"trigger": "raised", "min_severity": "low", "email": ["sem-arroba"]}),
        )
        .await;
    let body = expect_problem(r, 422, "validation").await;
    assert!(body["errors"][0]["message"].as_str().expect("msg").contains("E-mail inválido"));
    let r = s
        .put(
            &op,
            "/notification-rules/x",
            &json!({"trigger": "raised", "min_severity": "low", "email": ["a@b.br"]}),
        )
        .await;
    expect_problem(r, 403, "forbidden").await;

    let audit: Value = s.get(&s.admin_token, "/audit?action=alarm.call").await.json().await.expect("audit");
    assert_eq!(audit.as_array().expect("array").len(), 1, "{audit}");
    s.running.shutdown().await;
}

/// A Nominatim-compatible geocoder on 127.0.0.1 (the documented `/reverse?format=jsonv2` answer):
/// records the points it was asked about.
async fn geocoder(asked: Arc<Mutex<Vec<(String, String)>>>) -> std::net::SocketAddr {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let addr = listener.local_addr().expect("addr");
    let reverse =
        move |axum::extract::Query(q): axum::extract::Query<std::collections::HashMap<String, String>>| {
            let asked = asked.clone();
            async move {
                let point =
                    (q.get("lat").cloned().unwrap_or_default(), q.get("lon").cloned().unwrap_or_default());
                asked.lock().expect("lock").push(point);
                assert_eq!(q.get("format").map(String::as_str), Some("jsonv2"));
                axum::Json(json!({"place_id": 1, "lat": q.get("lat"), "lon": q.get("lon"),
                "display_name": "Rua Almirante Barroso, 1500, Centro, Porto Velho - RO, 76801-000, Brasil"}))
            }
        };
    let app = axum::Router::new().route("/reverse", axum::routing::get(reverse));
    tokio::spawn(async move { axum::serve(listener, app).await });
    addr
}

/// 16.2.7, 27.10.9: with the central's geocoder configured, the e-mail names the street address
/// of the place where the alarm happened (looked up as it leaves, never holding up the alarm), and
/// the outbox keeps the text that was sent.
#[tokio::test]
async fn req_16_2_7_the_email_names_the_street_address_of_the_place() {
    let sink = Sink::start();
    let asked = Arc::new(Mutex::new(Vec::new()));
    let geo = geocoder(asked.clone()).await;
    let smtp = sink.smtp_config();
    let s = TestServer::start_with(move |c| {
        smtp(c);
        c.geocoder_url = Some(format!("http://{geo}"));
        c.timezone = chrono_tz::America::Porto_Velho;
    })
    .await;
    let r = s
        .put(
            &s.admin_token,
            "/notification-rules/Plant%C3%A3o",
            &json!({"trigger": "raised", "min_severity": "critical", "email": ["plantao@sejus.test"]}),
        )
        .await;
    assert_eq!(r.status(), 200);
    person_with_bracelet(&s, "861000000000003").await;
    let r = s.osmand("id=861000000000003&lat=-8.761234&lon=-63.900456&accuracy=7&alarm=strapCut").await;
    assert_eq!(r.status(), 200);
    let mail = sink.wait_for(1).await;
    let body = body_text(&mail[0]);
    let lines: Vec<&str> = body.lines().collect();
    assert!(
        lines.contains(&"Endereço: Rua Almirante Barroso, 1500, Centro, Porto Velho - RO, 76801-000, Brasil"),
        "{body}"
    );
    assert!(
        lines.iter().any(|l| l.starts_with("Posição: -8.76123, -63.90046 (±7 m) em ")
            && l.ends_with("(UTC-04:00, America/Porto_Velho)")),
        "{body}"
    );
    assert_eq!(*asked.lock().expect("lock"), vec![("-8.761234".to_owned(), "-63.900456".to_owned())]);
    let mut stored = Vec::new();
    for _ in 0..100 {
        stored = notifications(&s).await;
        if stored[0]["state"] == "sent" {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let sent = body.replace("\r\n", "\n");
    assert_eq!(stored[0]["body"].as_str().map(str::trim_end), Some(sent.trim_end()), "kept as sent");
    s.running.shutdown().await;
}
