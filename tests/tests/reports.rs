//! Reports (16.2.10) in CSV and PDF, and the BI export of the event history (16.2.21), from
//! alarms raised by real OsmAnd reports. The PDF is read back with poppler's `pdftotext`
//! (Debian poppler-utils), as a person opening it would see it.

use atalaia_core::auth::Role;
use atalaia_tests::{TestServer, expect_problem, pdf_text};
use chrono::{TimeZone, Utc};
use serde_json::{Value, json};
use std::time::Duration;

async fn person(s: &TestServer, name: &str, responsible: &str, imei: &str) -> String {
    let r = s
        .post(
            &s.admin_token,
            "/persons",
            &json!({"name": name, "record": format!("P-{imei}"), "regime": "open", "responsible": responsible}),
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

async fn wait_alarms(s: &TestServer, n: usize) -> Vec<Value> {
    for _ in 0..200 {
        let all: Value = s.get(&s.admin_token, "/alarms").await.json().await.expect("alarms");
        if all.as_array().expect("array").len() >= n {
            return all.as_array().expect("array").clone();
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    panic!("expected {n} alarms");
}

async fn download(s: &TestServer, token: &str, path: &str) -> (String, Vec<u8>) {
    let r = s.get(token, path).await;
    assert_eq!(r.status(), 200, "{path}");
    let mime = r.headers()["content-type"].to_str().expect("mime").to_owned();
    let disposition = r.headers()["content-disposition"].to_str().expect("disposition").to_owned();
    assert!(disposition.starts_with("attachment; filename=\"atalaia-"), "{disposition}");
    (mime, r.bytes().await.expect("body").to_vec())
}

/// RFC 4180 with `;`: quoted fields may hold `;`, `""` and line breaks.
fn csv_rows(bytes: &[u8]) -> Vec<Vec<String>> {
    let text = String::from_utf8(bytes.to_vec()).expect("utf8");
    let text = text.strip_prefix('\u{feff}').expect("BOM for spreadsheets");
    let (mut rows, mut row, mut field) = (Vec::new(), Vec::new(), String::new());
    let mut chars = text.chars().peekable();
    let mut quoted = false;
    while let Some(c) = chars.next() {
        match (quoted, c) {
            (true, '"') if chars.peek() == Some(&'"') => {
                chars.next();
                field.push('"');
            }
            (true, '"') => quoted = false,
            (true, c) => field.push(c),
            (false, '"') => quoted = true,
            (false, ';') => row.push(std::mem::take(&mut field)),
            (false, '\r') => {}
            (false, '\n') => {
                row.push(std::mem::take(&mut field));
                rows.push(std::mem::take(&mut row));
            }
            (false, c) => field.push(c),
        }
    }
    rows
}

#[tokio::test]
async fn reports_come_out_as_csv_and_pdf_and_the_history_as_json_lines() {
    let s = TestServer::start().await;
    let op = s.user_token("operadora", Role::MonitoringOperator).await;
    let joao = person(&s, "João Conceição", "Supervisora Dora", "863000000000001").await;
    person(&s, "Maria Araújo", "Supervisor Carlos", "863000000000002").await;
    let t = Utc::now().timestamp();
    s.osmand(&format!("id=863000000000001&lat=-8.76&lon=-63.90&timestamp={t}&alarm=strapCut")).await;
    s.osmand(&format!("id=863000000000002&lat=-8.77&lon=-63.91&timestamp={t}&alarm=tampering")).await;
    let alarms = wait_alarms(&s, 2).await;
    let strap = alarms.iter().find(|a| a["kind"] == "strap_cut").expect("strap cut");
    let path = format!("/alarms/{}/actions", strap["id"].as_str().expect("id"));
    assert_eq!(s.post(&op, &path, &json!({"action": "claim"})).await.status(), 200);
    let r = s
        .post(
            &op,
            &path,
            &json!({"action": "close", "outcome": "forwarded", "note": "Polícia acionada; ofício nº 12"}),
        )
        .await;
    assert_eq!(r.status(), 200);

    let from = Utc.timestamp_opt(t - 3600, 0).single().expect("from").to_rfc3339();
    let to = Utc.timestamp_opt(t + 3600, 0).single().expect("to").to_rfc3339();
    let period = format!("from={}&to={}", urlencode(&from), urlencode(&to));

    // Events per person (16.2.10), CSV.
    let (mime, body) = download(&s, &op, &format!("/reports/events-per-person?{period}")).await;
    assert_eq!(mime, "text/csv; charset=utf-8");
    let rows = csv_rows(&body);
    assert_eq!(rows[0][0], "Pessoa");
    assert_eq!(rows.len(), 3, "{rows:?}");
    assert_eq!(rows[1][0], "João Conceição", "sorted by person");
    assert_eq!(rows[1][4], "Rompimento da cinta");
    assert_eq!(rows[1][9], "Encaminhado");
    assert_eq!(rows[1][10], "Polícia acionada; ofício nº 12", "quoted, not split: {rows:?}");
    assert!(!rows[1][8].is_empty(), "response time of the claimed alarm");
    assert_eq!(rows[2][0], "Maria Araújo");
    assert_eq!(rows[2][9], "Aberto");
    let only = csv_rows(
        &download(&s, &op, &format!("/reports/events-per-person?{period}&person_id={joao}")).await.1,
    );
    assert_eq!(only.len(), 2);

    // The same as PDF, read back as text.
    let (mime, pdf) = download(&s, &op, &format!("/reports/events-per-person?{period}&format=pdf")).await;
    assert_eq!(mime, "application/pdf");
    if let Some(out) = std::env::var_os("ATALAIA_SAVE_PDF") {
        std::fs::write(out, &pdf).expect("save the PDF for a look");
    }
    let text = pdf_text(&pdf);
    for expected in [
        "Eventos por pessoa monitorada",
        "João Conceição",
        "Maria Araújo",
        "Rompimento da cinta",
        "Página 1 de 1",
    ] {
        assert!(text.contains(expected), "{expected:?} missing from the PDF:\n{text}");
    }

    // Events per responsible supervisor.
    let rows = csv_rows(&download(&s, &op, &format!("/reports/events-per-supervisor?{period}")).await.1);
    assert_eq!(rows.len(), 3, "{rows:?}");
    let carlos = rows.iter().find(|r| r[0] == "Supervisor Carlos").expect("Carlos");
    assert_eq!(
        (carlos[1].as_str(), carlos[2].as_str(), carlos[7].as_str()),
        ("1", "1", "1"),
        "one open alarm"
    );
    let dora = rows.iter().find(|r| r[0] == "Supervisora Dora").expect("Dora");
    assert_eq!(dora[6], "1", "forwarded");
    let text =
        pdf_text(&download(&s, &op, &format!("/reports/events-per-supervisor?{period}&format=pdf")).await.1);
    assert!(
        text.contains("Eventos por supervisor responsável") && text.contains("Supervisora Dora"),
        "{text}"
    );

    // Handling times per kind.
    let rows = csv_rows(&download(&s, &op, &format!("/reports/handling-times?{period}")).await.1);
    let strap_row = rows.iter().find(|r| r[0] == "Rompimento da cinta").expect("row");
    assert_eq!((strap_row[1].as_str(), strap_row[2].as_str(), strap_row[7].as_str()), ("1", "1", "1"));
    assert_eq!(strap_row[5], "100", "claimed within the 5-minute target");

    // Track of a person.
    let rows = csv_rows(&download(&s, &op, &format!("/reports/track?{period}&person_id={joao}")).await.1);
    assert_eq!(rows[0], ["Data e hora", "Latitude", "Longitude"]);
    assert_eq!(rows.len(), 2);
    assert_eq!(rows[1][1], "-8.760000");

    // Refusals in Portuguese.
    let r = s.get(&op, &format!("/reports/events-per-person?{period}&format=xml")).await;
    expect_problem(r, 422, "validation").await;
    let r = s.get(&op, &format!("/reports/track?{period}")).await;
    let body = expect_problem(r, 422, "validation").await;
    assert!(body["errors"][0]["message"].as_str().expect("msg").contains("Informe a pessoa"));
    expect_problem(s.get(&op, &format!("/reports/nada?{period}")).await, 404, "not_found").await;
    let tarm = s.user_token("tarm", Role::Tarm).await;
    expect_problem(s.get(&tarm, &format!("/reports/events-per-person?{period}")).await, 403, "forbidden")
        .await;

    // BI export (16.2.21): JSON Lines of the event log, resumable.
    expect_problem(s.get(&op, "/export/events").await, 403, "forbidden").await;
    let auditor = s.user_token("auditora", Role::Auditor).await;
    let r = s.get(&auditor, "/export/events?kinds=alarm").await;
    assert_eq!(r.status(), 200);
    assert_eq!(r.headers()["content-type"], "application/x-ndjson");
    let lines: Vec<Value> = r
        .text()
        .await
        .expect("body")
        .lines()
        .map(|l| serde_json::from_str(l).expect("each line is JSON"))
        .collect();
    assert!(lines.len() >= 4, "raised, claimed and closed alarm events: {}", lines.len());
    assert!(lines.iter().all(|l| l["kind"] == "alarm" && l["body"]["type"] == "alarm"));
    assert!(lines.windows(2).all(|w| w[0]["seq"].as_u64() < w[1]["seq"].as_u64()));
    let after = lines[1]["seq"].as_u64().expect("seq");
    let rest: String = s
        .get(&auditor, &format!("/export/events?kinds=alarm&since={after}"))
        .await
        .text()
        .await
        .expect("rest");
    assert_eq!(rest.lines().count(), lines.len() - 2);
    let all: String = s.get(&auditor, "/export/events?limit=3").await.text().await.expect("all");
    assert_eq!(all.lines().count(), 3);

    // Every export is audited.
    let audit: Value =
        s.get(&s.admin_token, "/audit?action=report.events-per-person").await.json().await.expect("audit");
    assert_eq!(audit.as_array().expect("audit").len(), 3, "two CSV and one PDF");
    assert!(audit[0]["detail"].as_str().expect("detail").contains("pdf"));
    let audit: Value =
        s.get(&s.admin_token, "/audit?action=export.events").await.json().await.expect("audit");
    assert_eq!(audit.as_array().expect("audit").len(), 3);
    s.running.shutdown().await;
}

fn urlencode(s: &str) -> String {
    s.replace('+', "%2B").replace(':', "%3A")
}
