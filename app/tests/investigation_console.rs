//! Investigative queries at the console (16.2.18, 16.2.24): a monitoring administrator asks who
//! was near a place during a period, gets the person with the times they were there, and opens
//! that person's track on the map for the period. Against a real embedded server.
//!
//! Run with `ICED_TEST_BACKEND=tiny-skia` (no GPU, no X server).

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use atalaia_core::monitoring::Regime;
use std::time::Duration;
use support::{Console, api_as, block, demo_server, kiosk, report, wearer};

const NAME: &str = "Ulisses Farias Leão";
const IMEI: &str = "864999000000218";

#[test]
fn req_16_2_18_an_administrator_asks_who_was_near_a_place_and_sees_their_track_on_the_map() {
    let (_dir, server) = demo_server();
    let admin = block(api_as(&server.base_url, "admmon"));
    wearer(&admin, NAME, "0002180-18.2026.8.22.0001", Regime::SemiOpen, IMEI);
    // Far from the demo's people: only this bracelet was at the place.
    report(&server, IMEI, "lat=-9.2000&lon=-63.2000&accuracy=8&batt=80");
    report(&server, IMEI, "lat=-9.2004&lon=-63.2003&accuracy=8&batt=80");

    let mut ui = Console::start(atalaia_console::application(kiosk(&server.base_url, "admmon")));
    ui.wait_for("Conectado", Duration::from_secs(20));
    ui.click("Cadastros");
    ui.click("Investigação");
    ui.wait_for("Quem esteve perto de um local", Duration::from_secs(5));
    let tz = atalaia_client::format::DEFAULT_TZ;
    let start = (chrono::Utc::now() - chrono::Duration::hours(1))
        .with_timezone(&tz)
        .format("%d/%m/%Y %H:%M")
        .to_string();
    ui.click("Início: dd/mm/aaaa hh:mm");
    ui.type_text(&start);
    ui.click("Coordenadas: -8,7612 -63,9004");
    ui.type_text("-9,2001 -63,2001");
    ui.click("Consultar");
    ui.wait_for("Raio: informe os metros (ex.: 300).", Duration::from_secs(5));
    ui.click("Raio (m)");
    ui.type_text("300");
    ui.click("Consultar");
    ui.wait_for("1 pessoa(s) no local no período", Duration::from_secs(10));
    let audit: Vec<atalaia_core::wire::AuditEntry> =
        block(admin.get("/audit?action=investigation.nearby")).unwrap();
    assert_eq!(audit.len(), 1, "the query is audited");
    if std::env::var("ATALAIA_UI_SNAPSHOT").is_ok() {
        // A screenshot ends the emulator's use: the docs' picture of the answer.
        ui.screenshot("console-investigacao");
        return;
    }
    ui.click("Ver no mapa");
    ui.wait_for(&format!("Trajeto: {NAME}"), Duration::from_secs(10));
    let audit: Vec<atalaia_core::wire::AuditEntry> =
        block(admin.get("/audit?action=investigation.nearby")).unwrap();
    assert_eq!(audit.len(), 1, "the query is audited");
}
