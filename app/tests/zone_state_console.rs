//! Zones that live, at the console (III-2.13, issue 22 item 1): a monitoring administrator finds
//! a zone by its name on the map, suspends it (a judge allowed a trip), resumes it, and lifts it
//! when the court removes the restriction — each time with the reason, which the form requires —
//! against a real embedded server; the server has each state and the lift's author and reason.
//!
//! Run with `ICED_TEST_BACKEND=tiny-skia` (no GPU, no X server).

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use atalaia_core::geom::{LatLon, Shape};
use atalaia_core::monitoring::{Regime, Zone, ZoneKind};
use atalaia_core::wire::NewZone;
use iced_test::instruction::Key;
use std::time::{Duration, Instant};
use support::{Console, api_as, block, demo_server, exclusion_zone, kiosk, wait_until, wearer};

const ZONE: &str = "Escola Municipal Castelo Branco";

#[test]
fn iii_2_13_a_zone_is_suspended_resumed_and_lifted_at_the_console_with_its_reason() {
    let (_dir, server) = demo_server();
    let admin = block(api_as(&server.base_url, "admmon"));
    let (person, _) = wearer(
        &admin,
        "Gilberto Amaral Neves",
        "0007788-13.2026.8.22.0001",
        Regime::ProtectiveMeasure,
        "864999000077881",
    );
    let zone = exclusion_zone(&admin, ZONE, person.id, LatLon { lat: -8.7550, lon: -63.8900 }, 250.0, None);
    let stored = || -> Zone { block(admin.get(&format!("/zones/{}", zone.id))).unwrap() };
    let until = |ok: &dyn Fn(&Zone) -> bool| wait_until(|| Some(stored()).filter(|z| ok(z)));

    let mut ui = Console::start(atalaia_console::application(kiosk(&server.base_url, "admmon")));
    ui.wait_for("Conectado", Duration::from_secs(20));
    // Found by its name on the map's search: chosen, it is selected with its actions.
    ui.click("Buscar endereço ou coordenada");
    ui.type_text("Castelo Branco");
    ui.key(Key::Enter);
    ui.wait_for(&format!("Zona {ZONE} · zona"), Duration::from_secs(5));
    ui.click(&format!("Zona {ZONE} · zona"));
    ui.wait_for(&format!("Zona {ZONE} · Exclusão · em vigor"), Duration::from_secs(5));

    // Suspended, with its reason.
    ui.click("Suspender");
    ui.wait_for("Confirmar suspensão", Duration::from_secs(5));
    ui.type_text("Viagem autorizada pelo juízo até 10/12");
    ui.key(Key::Enter);
    ui.wait_for(&format!("Zona \"{ZONE}\" suspensa."), Duration::from_secs(10));
    until(&|z| !z.active && z.lifted.is_none());
    ui.wait_for(&format!("Zona {ZONE} · Exclusão · suspensa"), Duration::from_secs(5));

    // Resumed.
    ui.click("Reativar");
    ui.type_text("Retorno da viagem");
    ui.click("Confirmar reativação");
    ui.wait_for(&format!("Zona \"{ZONE}\" reativada."), Duration::from_secs(10));
    until(&|z| z.active);
    ui.wait_for(&format!("Zona {ZONE} · Exclusão · em vigor"), Duration::from_secs(5));

    // Lifted: the reason is required, in Portuguese, and nothing is sent without it.
    ui.click("Revogar");
    ui.wait_for("Confirmar revogação", Duration::from_secs(5));
    ui.click("Confirmar revogação");
    ui.wait_for("Motivo é obrigatório.", Duration::from_secs(5));
    assert!(stored().active, "nothing was sent without a reason");
    ui.type_text("Medida revogada por decisão judicial de 05/12/2026");
    ui.click("Confirmar revogação");
    ui.wait_for(&format!("Zona \"{ZONE}\" revogada."), Duration::from_secs(10));
    let lifted = until(&|z| z.lifted.is_some());
    let lift = lifted.lifted.expect("lift");
    assert!(!lifted.active);
    assert_eq!(
        (lift.by.as_str(), lift.reason.as_str()),
        ("Rafael Costa", "Medida revogada por decisão judicial de 05/12/2026")
    );
    // A lifted zone is only read: no more actions on it.
    ui.wait_for(&format!("Zona {ZONE} · Exclusão · revogada"), Duration::from_secs(5));
    assert!(
        !ui.sees("Editar zona") && !ui.sees("Reativar") && !ui.sees("Suspender"),
        "{}",
        ui.screenshot("lifted").display()
    );
    if std::env::var("ATALAIA_UI_SNAPSHOT").is_ok() {
        ui.screenshot("console-zona-revogada");
    }
}

/// 27.18.6.1: a curfew written at the console as people write it ("seg-sex 20:00-06:00"), a
/// wrong day named in Portuguese before anything is sent; the server keeps the windows, and the
/// map's popup says when the zone is in force (`docs/screenshots/console-zona-horario.png`).
#[test]
fn req_27_18_6_1_a_zones_curfew_is_written_at_the_console() {
    let (_dir, server) = demo_server();
    let admin = block(api_as(&server.base_url, "admmon"));
    let zone: Zone = block(admin.post(
        "/zones",
        &NewZone {
            id: None,
            name: "Residência de Gilberto".into(),
            kind: ZoneKind::Inclusion,
            shape: Shape::Circle { center: LatLon { lat: -8.7570, lon: -63.8950 }, radius_m: 150.0 },
            person_id: None,
            group: Some("Recolhimento noturno".into()),
            schedule: None,
            warning_m: None,
        },
    ))
    .expect("zone");
    let mut ui = Console::start(atalaia_console::application(kiosk(&server.base_url, "admmon")));
    ui.wait_for("Conectado", Duration::from_secs(20));
    ui.click("Buscar endereço ou coordenada");
    ui.type_text("Residência de Gilberto");
    ui.key(Key::Enter);
    ui.click("Zona Residência de Gilberto · zona");
    ui.click("Editar zona");
    ui.click("Horário (vazio: sempre) — ex.: seg-sex 20:00-06:00");
    ui.type_text("feriado 20:00-06:00");
    ui.click("Salvar zona");
    ui.wait_for(
        "Dia \"feriado\" não reconhecido: use seg, ter, qua, qui, sex, sáb, dom ou todos.",
        Duration::from_secs(5),
    );
    ui.click("feriado 20:00-06:00");
    for _ in "feriado 20:00-06:00".chars() {
        ui.key(Key::Backspace);
    }
    ui.type_text("seg-sex 20:00-06:00; sáb,dom 14:00-06:00");
    ui.click("Salvar zona");
    let deadline = Instant::now() + Duration::from_secs(10);
    let saved = loop {
        let z: Zone = block(admin.get(&format!("/zones/{}", zone.id))).unwrap();
        if z.schedule.is_some() {
            break z;
        }
        assert!(
            Instant::now() < deadline,
            "the schedule never reached the server: {}",
            ui.screenshot("curfew").display()
        );
        std::thread::sleep(Duration::from_millis(100));
    };
    let windows = saved.schedule.unwrap().windows;
    assert_eq!(windows[0].days, [1, 2, 3, 4, 5]);
    assert_eq!((windows[1].days.as_slice(), windows[1].start.as_str()), (&[6u8, 7][..], "14:00"));
    ui.wait_for("Zona \"Residência de Gilberto\" salva.", Duration::from_secs(10));
    // The map's popup (drawn on the map, not a widget) says "vigora seg-sex 20:00-06:00; …".
    if std::env::var("ATALAIA_UI_SNAPSHOT").is_ok() {
        ui.screenshot("console-zona-horario");
    }
}
