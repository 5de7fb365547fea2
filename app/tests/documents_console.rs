//! Documents on a person's record at the console (8.11.1–8.11.4): a monitoring administrator
//! attaches the court decision to the person's record — told what is missing, refused a file
//! that is no document before anything is sent — sees it listed with who attached it, and opens
//! it with the system's viewer; the server keeps it as sent and audits the opening. Against a
//! real embedded server.
//!
//! Run with `ICED_TEST_BACKEND=tiny-skia` (no GPU, no X server).

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use atalaia_core::monitoring::Person;
use atalaia_core::monitoring::documents::DocumentRef;
use iced_test::instruction::Key;
use std::time::Duration;
use support::{Console, api_as, block, demo_server, kiosk};

const NAME: &str = "Valdir Monteiro Sales";

#[test]
fn d8_11_1_an_administrator_attaches_the_court_decision_and_opens_it_from_the_persons_record() {
    let (dir, server) = demo_server();
    let admin = block(api_as(&server.base_url, "admmon"));
    let person: Person = block(admin.post(
        "/persons",
        &serde_json::json!({"name": NAME, "record": "0009120-33.2026.8.22.0001", "regime": "semi_open"}),
    ))
    .unwrap();
    let decision = dir.path().join("decisao-inclusao.pdf");
    let pdf = b"%PDF-1.4\n1 0 obj << /Title (Decisao de inclusao) >> endobj\ntrailer << >>\n%%EOF\n".to_vec();
    std::fs::write(&decision, &pdf).unwrap();
    let fake = dir.path().join("falso.pdf");
    std::fs::write(&fake, "um texto com nome de PDF").unwrap();
    let opened = dir.path().join("aberto.txt");
    let opener = dir.path().join("abrir.sh");
    std::fs::write(&opener, format!("#!/bin/sh\necho \"$1\" >> {}\n", opened.display())).unwrap();
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&opener, std::fs::Permissions::from_mode(0o755)).unwrap();

    let config = atalaia_console::BootConfig {
        files: atalaia_client::record::Files { dir: dir.path().join("docs"), open_with: Some(opener) },
        ..kiosk(&server.base_url, "admmon")
    };
    let mut ui = Console::start(atalaia_console::application(config));
    ui.wait_for("Conectado", Duration::from_secs(20));
    ui.click("Cadastros");
    ui.wait_for("Pessoas", Duration::from_secs(5));
    ui.type_text("valdir");
    ui.click(NAME);
    ui.wait_for("Nenhum documento anexado.", Duration::from_secs(10));

    // What is missing is said before anything is sent.
    ui.click("Anexar documento");
    ui.wait_for("Escolha o tipo do documento.", Duration::from_secs(5));
    ui.click("Decisão judicial");
    ui.click("Título (ex.: Decisão de inclusão, 12/03/2026)");
    ui.type_text("Decisão de inclusão");
    ui.click("Arquivo (PDF, JPEG ou PNG) — ou arraste um PDF");
    ui.type_text(&fake.display().to_string());
    ui.key(Key::Enter);
    ui.wait_for(
        "O documento deve ser um PDF ou uma imagem JPEG ou PNG (documento digitalizado).",
        Duration::from_secs(5),
    );
    for _ in fake.display().to_string().chars() {
        ui.key(Key::Backspace);
    }
    ui.type_text(&decision.display().to_string());
    ui.key(Key::Enter);
    ui.wait_for("Documento anexado: Decisão de inclusão.", Duration::from_secs(10));

    let kept: Vec<DocumentRef> = block(admin.get(&format!("/persons/{}/documents", person.id))).unwrap();
    assert_eq!(kept.len(), 1, "one document, nothing of the refused file");
    let doc = &kept[0];
    assert_eq!((doc.file_name.as_str(), doc.by.as_str()), ("decisao-inclusao.pdf", "Rafael Costa"));
    let line = atalaia_client::documents::line(doc, atalaia_client::format::DEFAULT_TZ);
    ui.wait_for(&line, Duration::from_secs(5));

    // Opened with the system's viewer, from a copy that is the file as attached.
    ui.click("Abrir");
    let copy = dir.path().join("docs").join(atalaia_client::documents::copy_name(doc));
    ui.wait_for(&format!("Documento aberto (cópia em {}).", copy.display()), Duration::from_secs(10));
    let saved = support::wait_until(|| {
        std::fs::read_to_string(&opened).ok().and_then(|s| s.lines().next().map(std::path::PathBuf::from))
    });
    assert_eq!(saved, copy);
    assert_eq!(std::fs::read(&saved).unwrap(), pdf, "the copy is the file as attached");
    let auditor = block(api_as(&server.base_url, "auditor"));
    let views: Vec<atalaia_core::wire::AuditEntry> =
        block(auditor.get("/audit?action=person.document.view&limit=10")).unwrap();
    assert!(views.iter().any(|e| e.target == person.id.to_string() && e.username == "admmon"));
    if std::env::var("ATALAIA_UI_SNAPSHOT").is_ok() {
        ui.screenshot("console-cadastro-documentos");
    }
}
