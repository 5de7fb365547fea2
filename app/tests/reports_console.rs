//! Reports at the console (16.2.10, III-2.15): a monitoring administrator asks for the events
//! per monitored person over a period typed in the site's time, gets the PDF saved where the
//! operator's files go and opened with the system's program, then a person's track for that
//! period — refused until the person is chosen — saved as CSV and shown on the map. Against a
//! real embedded server; the files are checked for what the server says.
//!
//! Run with `ICED_TEST_BACKEND=tiny-skia` (no GPU, no X server).

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use atalaia_core::monitoring::Regime;
use std::time::Duration;
use support::{Console, api_as, block, demo_server, kiosk, report, until_tamper_alarm, wearer};

const NAME: &str = "Heitor Vasconcelos";
const IMEI: &str = "864999000000215";

#[test]
fn iii_2_15_an_administrator_saves_the_events_report_and_a_track_and_sees_the_track_on_the_map() {
    let files = tempfile::tempdir().unwrap();
    let opened = files.path().join("aberto.txt");
    let opener = files.path().join("abrir.sh");
    std::fs::write(&opener, format!("#!/bin/sh\necho \"$1\" >> {}\n", opened.display())).unwrap();
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&opener, std::fs::Permissions::from_mode(0o755)).unwrap();
    let (_dir, server) = demo_server();
    let admin = block(api_as(&server.base_url, "admmon"));
    let (person, _) = wearer(&admin, NAME, "0002150-15.2026.8.22.0001", Regime::SemiOpen, IMEI);
    report(&server, IMEI, "lat=-8.7612&lon=-63.9004&accuracy=8&batt=76&alarm=tampering");
    until_tamper_alarm(&admin, person.id);
    report(&server, IMEI, "lat=-8.7620&lon=-63.9010&accuracy=8&batt=75");

    let config = atalaia_console::BootConfig {
        files: atalaia_client::record::Files {
            dir: files.path().join("docs"),
            open_with: Some(opener.clone()),
        },
        ..kiosk(&server.base_url, "admmon")
    };
    let mut ui = Console::start(atalaia_console::application(config));
    ui.wait_for("Conectado", Duration::from_secs(20));
    ui.click("Cadastros");
    ui.click("Relatórios");
    ui.wait_for("Eventos por monitorado", Duration::from_secs(5));
    ui.settle(Duration::from_millis(300));
    let tz = atalaia_client::format::DEFAULT_TZ;
    let start = (chrono::Utc::now() - chrono::Duration::hours(2))
        .with_timezone(&tz)
        .format("%d/%m/%Y %H:%M")
        .to_string();

    // Events per person over the last two hours, as PDF: saved, then opened.
    ui.click("Salvar PDF");
    ui.wait_for("Início: use dd/mm/aaaa hh:mm (por exemplo 01/11/2026 00:00).", Duration::from_secs(5));
    ui.click("Início: dd/mm/aaaa hh:mm");
    ui.type_text(&start);
    ui.click("Salvar PDF");
    let docs = files.path().join("docs");
    let pdf = support::wait_until(|| {
        std::fs::read_dir(&docs)
            .ok()?
            .filter_map(Result::ok)
            .map(|e| e.path())
            .find(|p| p.extension().is_some_and(|x| x == "pdf"))
    });
    let name = pdf.file_name().unwrap().to_string_lossy().to_string();
    assert!(name.starts_with("relatorio-eventos-por-monitorado-"), "{name}");
    let text = String::from_utf8_lossy(&std::fs::read(&pdf).unwrap()).to_string();
    assert!(text.starts_with("%PDF"), "a PDF");
    ui.wait_for(&format!("Salvo em {}", pdf.display()), Duration::from_secs(10));
    ui.click("Abrir");
    let said = support::wait_until(|| std::fs::read_to_string(&opened).ok().filter(|s| !s.is_empty()));
    assert_eq!(said.trim(), pdf.display().to_string(), "the system's program got the saved file");

    // The person's track: refused until the person is chosen, then saved as CSV.
    ui.click("Trajeto do monitorado");
    ui.click("Salvar CSV");
    ui.wait_for("Escolha o monitorado do trajeto.", Duration::from_secs(5));
    ui.click("Monitorado: digite o nome");
    ui.type_text("Heitor");
    ui.click(&format!("{NAME} (0002150-15.2026.8.22.0001)"));
    ui.click("Salvar CSV");
    let csv = support::wait_until(|| {
        std::fs::read_dir(&docs)
            .ok()?
            .filter_map(Result::ok)
            .map(|e| e.path())
            .find(|p| p.extension().is_some_and(|x| x == "csv"))
    });
    let rows = std::fs::read_to_string(&csv).unwrap();
    assert!(rows.contains("-8,762") || rows.contains("-8.762"), "the fixes of the track: {rows}");
    ui.wait_for(&format!("Salvo em {}", csv.display()), Duration::from_secs(10));

    // And on the map: back to the panel, the track played back over the period.
    ui.click("Ver trajeto no mapa");
    ui.wait_for(&format!("Trajeto: {NAME}"), Duration::from_secs(10));
    ui.screenshot("console-relatorio-trajeto-no-mapa");
}
