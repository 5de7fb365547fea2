//! Device truth (issue 22 item 4, Anexo III 2.16): a bracelet that reports without a fix — a
//! heartbeat, a report with an invalid GNSS reading — is in contact, and its battery is what it
//! last said. Against a real embedded server (its OsmAnd port on 127.0.0.1) and the real console.
//!
//! Run with `ICED_TEST_BACKEND=tiny-skia` (no GPU, no X server).

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use atalaia_core::monitoring::{Device, Regime};
use chrono::Utc;
use std::time::{Duration, Instant};
use support::{Console, api_as, block, demo_server, kiosk, report, until_tamper_alarm, wearer};

const NAME: &str = "Teodoro Brandão Quintela";
const IMEI: &str = "864999000000016";

/// III-2.16: after a fix with 76 % battery raised an alarm, the bracelet goes on reporting with
/// no valid fix and 23 % battery. The API's device record has the new battery and a contact
/// newer than the fix; the live feed brings it to the operator's alarm card, which shows 23 %, an
/// active link and the last contact — not the fix's 76 %, not "Sem contato" — and so does a
/// seat that logs in afterwards (the feed's snapshot).
#[test]
fn iii_2_16_a_bracelet_reporting_without_a_fix_shows_its_contact_and_battery_in_the_api_feed_and_card() {
    let (_dir, server) = demo_server();
    let admin = block(api_as(&server.base_url, "admmon"));
    let (person, device) = wearer(&admin, NAME, "0004321-16.2026.8.22.0001", Regime::SemiOpen, IMEI);
    // A fix with the battery at 76 % and a tamper alarm.
    report(&server, IMEI, "lat=-8.7612&lon=-63.9004&accuracy=8&batt=76&alarm=tampering");
    let operator = block(api_as(&server.base_url, "operador"));
    until_tamper_alarm(&operator, person.id);

    let mut ui = Console::start(atalaia_console::application(kiosk(&server.base_url, "operador")));
    ui.wait_for("Conectado", Duration::from_secs(20));
    ui.wait_for(NAME, Duration::from_secs(10));
    ui.click(NAME);
    ui.wait_for("Bateria 76%", Duration::from_secs(10));
    assert!(ui.sees("Conexão ativa"), "{}", ui.screenshot("device-truth-fix").display());

    // Now only reports without a valid fix, the battery at 23 %.
    let before = Utc::now();
    report(&server, IMEI, "lat=-8.7612&lon=-63.9004&valid=false&batt=23");
    let deadline = Instant::now() + Duration::from_secs(10);
    let stored = loop {
        let d: Device = block(operator.get(&format!("/devices/{}", device.id))).unwrap();
        if d.battery_pct == Some(23.0) {
            break d;
        }
        assert!(Instant::now() < deadline, "the battery never reached the device's record: {d:?}");
        std::thread::sleep(Duration::from_millis(100));
    };
    let contact = stored.last_contact.expect("a report without a fix is contact");
    assert!(
        contact >= before - chrono::Duration::seconds(1),
        "contact {contact} is the report's, not the fix's"
    );
    // The fix stays the last place known: no position was made of the invalid reading.
    let positions: Vec<atalaia_core::monitoring::Position> =
        block(operator.get(&format!("/positions?device_id={}", device.id))).unwrap();
    assert!(positions.iter().all(|p| p.battery_pct == Some(76.0)), "{positions:?}");

    // The feed brought the record to the card.
    ui.wait_for("Bateria 23%", Duration::from_secs(10));
    assert!(!ui.sees("Bateria 76%"), "the fix's older battery is gone from the card");
    assert!(ui.sees("Conexão ativa"), "a report without a fix keeps the link active");
    // "Último contato 06/12 16:43:49 (há 00:03)": the report's time, however long ago.
    let day = atalaia_client::format::day_time(contact, atalaia_client::format::DEFAULT_TZ);
    let lines: Vec<String> = (0..30)
        .map(|s| {
            let ago = atalaia_client::format::elapsed(contact, contact + chrono::Duration::seconds(s));
            atalaia_console::text::last_contact(&day, &ago)
        })
        .collect();
    ui.wait_for_any(&lines, Duration::from_secs(5));

    // A seat that logs in now gets the same from the feed's snapshot (whose last fix, with its
    // 76 %, is older than the record's reading).
    let mut late = Console::start(atalaia_console::application(kiosk(&server.base_url, "operador")));
    late.wait_for("Conectado", Duration::from_secs(20));
    late.wait_for(NAME, Duration::from_secs(10));
    late.click(NAME);
    late.wait_for("Bateria 23%", Duration::from_secs(10));
    late.wait_for_any(&lines, Duration::from_secs(5));
}
