//! People's records that live, at the console (III-2.7, issue 22 item 1): a monitoring
//! administrator corrects the record of the person on an alarm card — the name misspelt at
//! registration, the responsible missing — against a real embedded server; the card shows the
//! corrected record, the server has it with its history, and a record without a name is refused
//! in Portuguese before anything is sent.
//!
//! Run with `ICED_TEST_BACKEND=tiny-skia` (no GPU, no X server).

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use atalaia_core::monitoring::{Person, Regime};
use atalaia_core::wire::AuditEntry;
use iced_test::instruction::Key;
use std::time::Duration;
use support::{Console, api_as, block, demo_server, kiosk, report, until_tamper_alarm, wearer};

const MISSPELT: &str = "Joao Batista Ferreira";
const NAME: &str = "João Batista Ferreira";
const IMEI: &str = "864999000000027";

#[test]
fn iii_2_7_an_administrator_corrects_a_persons_record_from_the_alarm_card() {
    let (_dir, server) = demo_server();
    let admin = block(api_as(&server.base_url, "admmon"));
    let (person, _) = wearer(&admin, MISSPELT, "0009911-27.2026.8.22.0001", Regime::SemiOpen, IMEI);
    report(&server, IMEI, "lat=-8.7612&lon=-63.9004&accuracy=8&batt=60&alarm=tampering");
    until_tamper_alarm(&admin, person.id);

    let mut ui = Console::start(atalaia_console::application(kiosk(&server.base_url, "admmon")));
    ui.wait_for("Conectado", Duration::from_secs(20));
    ui.wait_for(MISSPELT, Duration::from_secs(10));
    ui.click(MISSPELT);
    ui.wait_for("Editar cadastro", Duration::from_secs(5));
    ui.click("Editar cadastro");
    ui.wait_for("Corrigir cadastro", Duration::from_secs(5));
    // The cursor is in the name: rewritten, then the missing responsible, Enter saves.
    for _ in MISSPELT.chars() {
        ui.key(Key::Backspace);
    }
    ui.type_text(NAME);
    ui.click("Informe o responsável");
    ui.type_text("Defensoria Pública de Rondônia");
    ui.key(Key::Enter);
    ui.wait_for(
        &atalaia_console::text::responsible(Some("Defensoria Pública de Rondônia")),
        Duration::from_secs(10),
    );
    ui.wait_for(NAME, Duration::from_secs(5));
    assert!(!ui.sees("Corrigir cadastro"), "the form closed with the server's answer");

    let stored: Person = block(admin.get(&format!("/persons/{}", person.id))).unwrap();
    assert_eq!(
        (stored.name.as_str(), stored.responsible.as_deref()),
        (NAME, Some("Defensoria Pública de Rondônia"))
    );
    assert_eq!(stored.created_at, person.created_at);
    let history: Vec<AuditEntry> = block(admin.get(&format!("/persons/{}/history", person.id))).unwrap();
    assert_eq!(history[0].action, "person.update");
    assert_eq!(history[0].username, "admmon");
    assert!(history[0].detail.contains(&format!("Nome: {MISSPELT} → {NAME}")), "{}", history[0].detail);

    // A record without a name is refused on the form; nothing is sent.
    ui.click("Editar cadastro");
    ui.wait_for("Corrigir cadastro", Duration::from_secs(5));
    for _ in NAME.chars() {
        ui.key(Key::Backspace);
    }
    ui.key(Key::Enter);
    ui.wait_for("Nome é obrigatório.", Duration::from_secs(5));
    let again: Person = block(admin.get(&format!("/persons/{}", person.id))).unwrap();
    assert_eq!(again.name, NAME, "nothing was sent");
    if std::env::var("ATALAIA_UI_SNAPSHOT").is_ok() {
        ui.screenshot("console-cadastro-pessoa");
    }
}

/// 27.16.1: a protected victim is linked at the console to the aggressor whose approach raises
/// an alarm — chosen by typing the name, shown on both records — and her identification
/// (III-2.21, 16.2.16) written in the same correction.
#[test]
fn req_27_16_1_an_administrator_links_a_victim_to_her_aggressor_at_the_console() {
    let (_dir, server) = demo_server();
    let admin = block(api_as(&server.base_url, "admmon"));
    let (aggressor, _) = wearer(
        &admin,
        "Otacílio Brandão",
        "0001611-27.2026.8.22.0001",
        Regime::ProtectiveMeasure,
        "864999000000216",
    );
    let (victim, _) =
        wearer(&admin, "Marta Brandão", "0001611-27.2026.8.22.0002", Regime::Victim, "864999000000217");
    let mut ui = Console::start(atalaia_console::application(kiosk(&server.base_url, "admmon")));
    ui.wait_for("Conectado", Duration::from_secs(20));
    ui.click("Cadastros");
    ui.click("Buscar por nome, processo, grupo, IMEI, chip…");
    ui.type_text("Brandão");
    ui.click("Marta Brandão");
    ui.wait_for("Sem vínculo com vítima ou agressor", Duration::from_secs(5));
    ui.click("Corrigir cadastro");
    ui.click("Nome do agressor");
    ui.type_text("Otac");
    ui.click("Otacílio Brandão (0001611-27.2026.8.22.0001)");
    // III-2.21, 16.2.16: her identification in the same correction.
    ui.click("000.000.000-00");
    ui.type_text("529.982.247-25");
    ui.click("dd/mm/aaaa");
    ui.type_text("07/03/1988");
    ui.click("Salvar cadastro");
    ui.wait_for("Agressor vinculado: Otacílio Brandão", Duration::from_secs(10));
    let stored: Person = block(admin.get(&format!("/persons/{}", victim.id))).unwrap();
    assert_eq!(stored.linked_person, Some(aggressor.id));
    assert_eq!(stored.personal.cpf.as_deref(), Some("52998224725"));
    let today = chrono::Utc::now().with_timezone(&atalaia_client::format::DEFAULT_TZ).date_naive();
    let shown = atalaia_client::admin::personal_lines(&stored.personal, today);
    assert!(shown[0].starts_with("CPF 529.982.247-25 · nascido(a) em 07/03/1988 ("), "{shown:?}");
    ui.wait_for(&shown[0], Duration::from_secs(5));
    // The aggressor's record names whom they are kept away from.
    ui.click("Otacílio Brandão");
    ui.wait_for("Vítima(s) protegida(s): Marta Brandão", Duration::from_secs(5));
}
