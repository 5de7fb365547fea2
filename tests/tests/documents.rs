//! Documents on a monitored person's record (8.11.1–8.11.4, III-2.7), over real sockets: the
//! console's own client attaches them, the server keeps each file as sent and known by its bytes,
//! lists them newest first, serves them to who may read people, and audits each attaching and
//! each opening (RFS179).

use atalaia_client::Api;
use atalaia_core::auth::Role;
use atalaia_core::monitoring::documents::{DocumentKind, NewDocument};
use atalaia_tests::{TestServer, expect_problem};
use serde_json::{Value, json};

fn pdf(marker: &str) -> Vec<u8> {
    format!("%PDF-1.4\n1 0 obj << /Title ({marker}) >> endobj\ntrailer << >>\n%%EOF\n").into_bytes()
}

#[tokio::test]
async fn d8_11_1_court_decisions_and_terms_are_kept_on_the_record_served_as_sent_and_each_opening_audited() {
    let s = TestServer::start().await;
    let admin = s.admin_token.clone();
    let person: Value = s
        .post(&admin, "/persons", &json!({"name": "Rui Tavares", "record": "0001-21", "regime": "open"}))
        .await
        .json()
        .await
        .expect("person");
    let pid = person["id"].as_str().expect("id").to_owned();
    let api = Api::new(&s.running.base_url()).expect("client").with_token(admin.clone());
    let person_id = pid.parse().expect("person id");

    let decision = NewDocument {
        kind: DocumentKind::CourtDecision,
        title: "Decisão de inclusão — 12/03/2026".into(),
        file_name: "decisão inclusão.pdf".into(),
    };
    let first = api.add_document(person_id, &decision, pdf("inclusao")).await.expect("attached");
    assert_eq!(
        (first.content_type.as_str(), first.by.as_str(), first.size),
        ("application/pdf", "Administrador", pdf("inclusao").len() as u64)
    );
    assert_eq!(first.title, "Decisão de inclusão — 12/03/2026", "accents and dashes arrive whole");
    // The same file again is the same document, answered 200 (not a second one).
    let again = api.add_document(person_id, &decision, pdf("inclusao")).await.expect("again");
    assert_eq!(again.id, first.id);
    let term = NewDocument {
        kind: DocumentKind::Commitment,
        title: "Termo assinado na instalação".into(),
        file_name: "termo.pdf".into(),
    };
    let second = api.add_document(person_id, &term, pdf("termo")).await.expect("term");

    let list: Vec<Value> =
        s.get(&admin, &format!("/persons/{pid}/documents")).await.json().await.expect("list");
    let ids: Vec<&str> = list.iter().map(|d| d["id"].as_str().expect("id")).collect();
    assert_eq!(ids, [second.id.to_string(), first.id.to_string()], "newest first, the repeat not listed");
    assert_eq!(list[1]["kind"], "court_decision");

    // Served as sent, never as something a browser would run.
    let r = s.get(&admin, &format!("/persons/{pid}/documents/{}", first.id)).await;
    assert_eq!(r.status(), 200);
    assert_eq!(r.headers()["content-type"], "application/pdf");
    assert_eq!(r.headers()["x-content-type-options"], "nosniff");
    assert!(r.headers()["content-disposition"].to_str().expect("ascii").starts_with("attachment"));
    assert_eq!(r.bytes().await.expect("bytes").to_vec(), pdf("inclusao"));

    // What is not a document, a missing title, a stranger's document: refused, in Portuguese.
    let refusal = |r: Value| r["errors"][0]["message"].as_str().unwrap_or_default().to_owned();
    let program = NewDocument { file_name: "decisao.pdf".into(), ..decision.clone() };
    let err = api.add_document(person_id, &program, b"MZ\x90\x00 not a pdf".to_vec()).await.expect_err("exe");
    assert!(format!("{err:?}").contains("PDF"), "{err:?}");
    let no_title = s
        .http
        .post(s.url(&format!("/persons/{pid}/documents?kind=other&title=%20&file_name=a.pdf")))
        .bearer_auth(&admin)
        .body(pdf("x"))
        .send()
        .await
        .expect("POST");
    assert!(refusal(expect_problem(no_title, 422, "validation").await).contains("título"));
    let other: Value = s
        .post(&admin, "/persons", &json!({"name": "Ana Lima", "record": "0002-21", "regime": "open"}))
        .await
        .json()
        .await
        .expect("other");
    let stranger = format!("/persons/{}/documents/{}", other["id"].as_str().expect("id"), first.id);
    expect_problem(s.get(&admin, &stranger).await, 404, "not_found").await;
    let nobody = format!("/persons/{}/documents", atalaia_core::ids::PersonId::new());
    expect_problem(s.get(&admin, &nobody).await, 404, "not_found").await;
    let list: Vec<Value> =
        s.get(&admin, &format!("/persons/{pid}/documents")).await.json().await.expect("list");
    assert_eq!(list.len(), 2, "nothing refused was kept");

    // An operator reads them but does not attach; a call taker does not even list them.
    let operator = s.user_token("operador", Role::MonitoringOperator).await;
    assert_eq!(s.get(&operator, &format!("/persons/{pid}/documents/{}", second.id)).await.status(), 200);
    let op_api = Api::new(&s.running.base_url()).expect("client").with_token(operator.clone());
    let denied = op_api.add_document(person_id, &term, pdf("outro")).await.expect_err("operator");
    assert!(format!("{denied:?}").contains("forbidden"), "{denied:?}");
    let tarm = s.user_token("tarm", Role::Tarm).await;
    expect_problem(s.get(&tarm, &format!("/persons/{pid}/documents")).await, 403, "forbidden").await;

    // Who attached what and who opened it, in the audit trail.
    let audit: Vec<Value> = s.get(&admin, "/audit?kind=person&limit=100").await.json().await.expect("audit");
    let count = |action: &str, user: &str| {
        audit.iter().filter(|e| e["action"] == action && e["username"] == user && e["target"] == pid).count()
    };
    assert_eq!(count("person.document", "admin"), 2);
    assert_eq!(count("person.document.view", "admin"), 1);
    assert_eq!(count("person.document.view", "operador"), 1);
}
