//! Issue 23: the crew's tablet app at `/crew/`, driven in a real headless Chromium (Debian's
//! `chromium`, by playwright-core from `crew-app/e2e/`) against a real server on 127.0.0.1. The
//! page does the crew's part; this side sets the scene up and asserts what the server recorded.

use atalaia_tests::crew::{Scene, de, ok, scenario, scene};
use atalaia_tests::pdf_text;
use serde_json::json;

#[tokio::test]
async fn tdc_proc_6_to_12_rfs015_rfs017_rfs023_rfs024_rfs025_rfs026_rfs053_rfs064_the_crews_part_done_in_the_tablet_app()
 {
    let sc = scene().await;
    let pdf = tempfile::NamedTempFile::new().expect("temp file");
    let out = scenario("tdc_proc.mjs", sc.input(), &[("CREW_PDF", pdf.path().display().to_string())]).await;

    // The shift's sign-in declared who is on board (RFS064): USA-01 without its physician was
    // refused with the server's reason; the vehicle keeps the crew, for the central to see.
    assert_eq!(out["crewRoles"], json!(["Condutor", "Enfermeiro", "Médico"]));
    assert_eq!(out["crewError"], "A USA sai com condutor, enfermeiro e médico: falta médico.");
    let v: atalaia_core::samu::Vehicle =
        de(ok(sc.s.get(&sc.fleet, &format!("/vehicles/{}", sc.vehicle)).await).await);
    let crew = v.crew.expect("crew on board");
    let names: Vec<(&str, &str)> = crew.members.iter().map(|m| (m.role.label(), m.name.as_str())).collect();
    assert_eq!(
        names,
        [("Condutor", "Paulo Mendes"), ("Enfermeiro", "Rita Campos"), ("Médico", "Dra. Lúcia Prado")]
    );
    assert_eq!(crew.by_name, "Usuário equipe");

    // 6. The assignment arrived live, with the address, a red bar and vibration until receipt.
    assert!(out["arrival"].as_str().expect("bar").contains("Praça Sete de Setembro"), "{out}");
    assert_eq!(out["address"], "Praça Sete de Setembro, s/n - Centro");
    assert!(out["vibrated"].as_u64().expect("count") >= 1, "the tablet vibrated: {out}");
    assert_eq!(out["ringingAfterAck"], 0, "receipt silences the alert");
    assert_eq!(out["small"], json!([]), "every control at least 48 × 48 px on the tablet");

    // 7. Every phase stamped by the server, in order (RFS015, RFS055, RFS061).
    let d = sc.dispatch().await;
    assert_eq!(d.id.to_string(), out["dispatch"].as_str().expect("dispatch id"));
    let t = &d.times;
    let chain =
        [t.acknowledged, t.en_route, t.on_scene, t.transporting, t.at_destination, t.stretcher_retained];
    assert!(chain.iter().all(Option::is_some), "{t:?}");
    assert!(chain.windows(2).all(|w| w[0] <= w[1]), "in order: {t:?}");
    let stretcher = d.stretcher.expect("retention");
    assert_eq!(
        (stretcher.unit.as_str(), stretcher.reason.as_str()),
        ("Hospital João XXIII", "Paciente aguardando leito na maca")
    );

    // 8. The form refused SpO₂ 130 before anything was queued; the record has Glasgow and RTS.
    assert_eq!(out["spo2Error"], "Fora do intervalo possível (0 a 100).");
    assert_eq!(out["queuedAfterError"], "Sincronizado");
    assert_eq!(out["scores"], "Glasgow 15 · RTS 7.84");
    let occ = sc.occurrence().await;
    assert_eq!(occ.records.len(), 1);
    let r = &occ.records[0];
    assert_eq!((r.victim, r.glasgow_total, r.trauma_score), (1, Some(15), Some(7.8408)));
    assert_eq!((r.vitals.spo2, r.vitals.hr), (Some(95), Some(112)));
    assert_eq!(r.notes, "Deformidade em coxa direita, sangramento contido.");

    // The photo and the signed term are attached; the consent points at the signature (RFS023).
    let names: Vec<&str> = occ.attachments.iter().map(|a| a.name.as_str()).collect();
    assert_eq!(names, ["cena.png", "termo-vitima-1.png"]);
    assert_eq!(occ.consents.len(), 1);
    let c = &occ.consents[0];
    assert!(c.consented);
    assert_eq!(c.term, Some(occ.attachments[1].id));
    assert_eq!(c.notes, "Assinado pela própria vítima.");
    let signature = ok_bytes(&sc, &format!("/attachments/{}", occ.attachments[1].id)).await;
    let img = image::load_from_memory(&signature).expect("the signature is a PNG");
    let inked = img.to_luma8().pixels().filter(|p| p.0[0] < 128).count();
    assert!(
        inked > 200,
        "the drawn signature, kept across a live redraw, is in the term ({inked} dark pixels)"
    );

    // 10. The canned question was delivered and read; the answer reached the tablet.
    let chat: Vec<atalaia_core::samu::care::Message> =
        de(ok(sc.s.get(&sc.regulator, &format!("/occurrences/{}/messages", sc.occurrence)).await).await);
    assert_eq!(chat.len(), 3, "question, answer, and the note sent while the term was open");
    assert!(chat[0].from_crew() && chat[0].canned && chat[0].text.contains("destino"));
    assert!(chat[1].read_at.is_some(), "the regulator's answer was marked read when shown");
    assert!(out["receipt"].as_str().expect("receipt").contains("lida"), "{out}");

    // Victim 2 moved to USA-02, which joined the occurrence (RFS053).
    assert_eq!(occ.transfers.len(), 1);
    let t = &occ.transfers[0];
    assert_eq!((t.victim, t.from_vehicle.as_str(), t.to_vehicle.as_str()), (2, "USA-01", "USA-02"));
    assert_eq!(t.reason, "Segunda vítima estável, segue na USA-02");

    // "Need support" (RFS001) from the tablet: a double tap raised one alert.
    assert_eq!(occ.crew_alerts.len(), 1);
    assert_eq!(occ.crew_alerts[0].note, "Via interditada, precisamos de apoio do trânsito");

    // 12. The report PDF downloaded in the page carries the care.
    let text = pdf_text(&std::fs::read(pdf.path()).expect("pdf"));
    for expected in ["João Pereira", "Hospital João XXIII", "USA-01"] {
        assert!(text.contains(expected), "{expected} in the report:\n{text}");
    }
    assert_eq!(out["sync"], "Sincronizado");
    sc.s.running.shutdown().await;
}

async fn ok_bytes(sc: &Scene, path: &str) -> Vec<u8> {
    let r = sc.s.http.get(sc.s.url(path)).bearer_auth(&sc.regulator).send().await.expect("get");
    assert!(r.status().is_success());
    r.bytes().await.expect("bytes").to_vec()
}

#[tokio::test]
async fn rfs025_rfs047_offline_twenty_actions_wait_on_the_phone_survive_a_reload_and_are_applied_once_in_order()
 {
    let sc = scene().await;
    ok(sc
        .s
        .post(&sc.fleet, "/dispatches", &json!({"occurrence_id": sc.occurrence, "vehicle_id": sc.vehicle}))
        .await)
    .await;
    let out = scenario("offline.mjs", sc.input(), &[]).await;
    assert_eq!(out["queuedStatus"], "⏳ aguardando");
    assert_eq!(out["waiting"], "Sem conexão · 20 ações aguardando conexão");
    assert_eq!(out["addressOffline"], "Praça Sete de Setembro, s/n - Centro");
    assert_eq!(out["waitingAfterReload"], out["waiting"]);
    assert_eq!(out["synced"], "Sincronizado");
    assert_eq!(out["small"], json!([]), "every control at least 48 × 48 px on the phone");

    let d = sc.dispatch().await;
    let t = &d.times;
    let chain = [t.acknowledged, t.en_route, t.on_scene];
    assert!(chain.iter().all(Option::is_some) && chain.windows(2).all(|w| w[0] <= w[1]), "{t:?}");
    let occ = sc.occurrence().await;
    let notes: Vec<&str> = occ.records.iter().map(|r| r.notes.as_str()).collect();
    assert_eq!(notes, ["Registro 1", "Registro 2"], "each record once, in order");
    assert_eq!(occ.attachments.len(), 1, "the photo once");
    assert_eq!(occ.attachments[0].name, "offline.png");
    assert_eq!(occ.crew_alerts.len(), 1);
    let chat: Vec<atalaia_core::samu::care::Message> =
        de(ok(sc.s.get(&sc.regulator, &format!("/occurrences/{}/messages", sc.occurrence)).await).await);
    let texts: Vec<String> = chat.iter().map(|m| m.text.clone()).collect();
    let expected: Vec<String> = (1..=13).map(|i| format!("Mensagem {i:02}")).collect();
    assert_eq!(texts, expected, "each message once, in order");
    // In the order taken: on scene, record 1, the messages, record 2 (the server's clock).
    assert!(t.on_scene <= Some(occ.records[0].at));
    assert!(occ.records[0].at <= chat[0].sent_at && chat[12].sent_at <= occ.records[1].at);
    sc.s.running.shutdown().await;
}

#[tokio::test]
async fn issue_23_the_server_carries_the_app_gzipped_revalidated_and_locked_to_its_own_origin() {
    let s = atalaia_tests::TestServer::start().await;
    let base = s.running.base_url();
    let plain =
        reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().expect("client");
    let r = plain.get(format!("{base}/crew")).send().await.expect("get");
    assert_eq!(
        (r.status().as_u16(), &r.headers()["location"]),
        (308, &"/crew/".parse::<reqwest::header::HeaderValue>().expect("hv"))
    );

    let r = plain.get(format!("{base}/crew/")).send().await.expect("get");
    assert_eq!(r.status(), 200);
    let h = r.headers().clone();
    assert_eq!(h["content-type"], "text/html; charset=utf-8");
    assert!(h["content-security-policy"].to_str().expect("csp").contains("script-src 'self'"));
    assert_eq!(h["cache-control"], "no-cache");
    assert!(r.text().await.expect("html").contains("<script type=\"module\" src=\"app.js\">"));

    // Gzipped for a browser that takes it; a revalidation with the ETag costs no body.
    let r = plain
        .get(format!("{base}/crew/app.js"))
        .header("accept-encoding", "gzip, br")
        .send()
        .await
        .expect("get");
    assert_eq!(r.headers()["content-encoding"], "gzip");
    let etag = r.headers()["etag"].clone();
    let gz = r.bytes().await.expect("bytes");
    let js =
        plain.get(format!("{base}/crew/app.js")).send().await.expect("get").bytes().await.expect("bytes");
    assert!(gz.len() * 2 < js.len(), "{} gzipped of {}", gz.len(), js.len());
    let r = plain.get(format!("{base}/crew/app.js")).header("if-none-match", etag).send().await.expect("get");
    assert_eq!(r.status(), 304);

    let r = plain.get(format!("{base}/crew/secret.txt")).send().await.expect("get");
    assert_eq!(r.status(), 404);
    assert_eq!(r.headers()["content-type"], "application/problem+json");
    s.running.shutdown().await;
}

#[tokio::test]
async fn iii_2_23_16_3_2_3_a_crew_members_first_access_changes_the_password_on_the_tablet_and_shows_the_sites_time()
 {
    let s = atalaia_tests::TestServer::start_with(|c| c.timezone = chrono_tz::America::Manaus).await;
    let new = json!({"username": "novato", "display_name": "Carlos Souza", "role": "crew", "password": "senha-inicial-1"});
    ok(s.post(&s.admin_token, "/users", &new).await).await;
    let v = ok(s
        .post(
            &s.admin_token,
            "/vehicles",
            &json!({"code": "USB-09", "kind": "usb", "municipality": "Manaus"}),
        )
        .await)
    .await;
    let input = json!({"base": s.running.base_url()});
    let out = scenario("first_access.mjs", input, &[]).await;
    assert_eq!(out["prompt"], "Primeiro acesso: escolha uma senha só sua para continuar.");
    assert_eq!(out["mismatch"], "As duas senhas não conferem.");
    assert_eq!(s.try_login("novato", "senha-inicial-1").await.status(), 401);
    assert_eq!(s.try_login("novato", "senha-nova-123").await.status(), 200);

    // "atualizado HH:MM" in Manaus (UTC−4), whatever the tablet's own zone (São Paulo here).
    let shown = out["updated"].as_str().expect("text");
    let now = chrono::Utc::now().with_timezone(&chrono_tz::America::Manaus);
    let minutes = [now - chrono::Duration::minutes(1), now].map(|t| t.format("%H:%M").to_string());
    assert!(minutes.iter().any(|m| shown.ends_with(&format!("atualizado {m}"))), "{shown} vs {minutes:?}");
    let seated: atalaia_core::samu::Vehicle =
        de(ok(s.get(&s.admin_token, &format!("/vehicles/{}", v["id"].as_str().expect("id"))).await).await);
    assert_eq!(seated.crew.expect("crew").members.len(), 2);
    s.running.shutdown().await;
}

#[tokio::test]
async fn rfs015_reports_a_tablet_sends_late_keep_the_crews_time_beside_the_servers_stamp() {
    use chrono::{Duration, SubsecRound, Utc};
    let t0 = Utc::now().trunc_subsecs(0);
    let clock = std::sync::Arc::new(atalaia_core::ManualClock::new(t0));
    let sc = atalaia_tests::crew::scene_at(clock.clone()).await;
    let crew = sc.s.login("equipe", "password-123").await.token;
    ok(sc.s.put(&crew, "/crew/vehicle", &json!({"vehicle_id": sc.vehicle})).await).await;
    let d = ok(sc
        .s
        .post(&sc.fleet, "/dispatches", &json!({"occurrence_id": sc.occurrence, "vehicle_id": sc.vehicle}))
        .await)
    .await;
    let id = d["id"].as_str().expect("id");
    let at = |s: i64| (t0 + Duration::seconds(s)).to_rfc3339();

    // Receipt on time: the server's stamp alone.
    clock.advance(Duration::seconds(20));
    ok(sc
        .s
        .post(&crew, &format!("/dispatches/{id}/ack?observed_at={}", urlencode(&at(15))), &json!({}))
        .await)
    .await;
    // On the way and on scene without signal; both arrive 12 minutes later, in order.
    clock.advance(Duration::seconds(900));
    for (status, when) in [("en_route", 60), ("on_scene", 200)] {
        let path = format!("/dispatches/{id}/status?observed_at={}", urlencode(&at(when)));
        ok(sc.s.post(&crew, &path, &json!({"status": status})).await).await;
    }
    let d = sc.dispatch().await;
    assert_eq!(d.times.acknowledged, Some(t0 + Duration::seconds(20)));
    assert_eq!(d.reported.acknowledged, None, "on time: nothing beside the stamp");
    assert_eq!(
        (d.times.en_route, d.times.on_scene),
        (Some(t0 + Duration::seconds(920)), Some(t0 + Duration::seconds(920)))
    );
    assert_eq!(
        (d.reported.en_route, d.reported.on_scene),
        (Some(t0 + Duration::seconds(60)), Some(t0 + Duration::seconds(200)))
    );

    // A tablet clock in the future is not believed; a malformed time is refused (problem+json).
    clock.advance(Duration::seconds(100));
    let path = format!("/dispatches/{id}/status?observed_at={}", urlencode(&at(9999)));
    ok(sc.s.post(&crew, &path, &json!({"status": "transporting"})).await).await;
    assert_eq!(sc.dispatch().await.reported.transporting, None);
    let r =
        sc.s.post(
            &crew,
            &format!("/dispatches/{id}/status?observed_at=ontem"),
            &json!({"status": "at_destination"}),
        )
        .await;
    atalaia_tests::expect_problem(r, 400, "bad_request").await;

    // The attendance report tells both.
    let pdf =
        sc.s.http
            .get(sc.s.url(&format!("/occurrences/{}/report.pdf", sc.occurrence)))
            .bearer_auth(&sc.regulator)
            .send()
            .await
            .expect("pdf");
    let text = pdf_text(&pdf.bytes().await.expect("bytes"));
    assert!(text.contains("Informado pela equipe sem sinal"), "{text}");
    sc.s.running.shutdown().await;
}

fn urlencode(s: &str) -> String {
    s.replace('+', "%2B").replace(':', "%3A")
}
