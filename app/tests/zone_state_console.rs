//! Zones that live, at the console (III-2.13, issue 22 item 1): a monitoring administrator finds
//! a zone by its name on the map, suspends it (a judge allowed a trip), resumes it, and lifts it
//! when the court removes the restriction — each time with the reason, which the form requires —
//! against a real embedded server; the server has each state and the lift's author and reason.
//!
//! Run with `ICED_TEST_BACKEND=tiny-skia` (no GPU, no X server).

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use atalaia_core::geom::{LatLon, Shape};
use atalaia_core::monitoring::{Person, Regime, Zone, ZoneKind};
use atalaia_core::wire::{NewPerson, NewZone};
use iced_test::instruction::Key;
use std::time::{Duration, Instant};
use support::{Console, api_as, block, demo_server, kiosk};

const ZONE: &str = "Escola Municipal Castelo Branco";

#[test]
fn iii_2_13_a_zone_is_suspended_resumed_and_lifted_at_the_console_with_its_reason() {
    let (_dir, server) = demo_server();
    let admin = block(api_as(&server.base_url, "admmon"));
    let person: Person = block(admin.post(
        "/persons",
        &NewPerson {
            id: None,
            name: "Gilberto Amaral Neves".into(),
            record: "0007788-13.2026.8.22.0001".into(),
            regime: Regime::ProtectiveMeasure,
            group: None,
            region: None,
            responsible: None,
            linked_person: None,
        },
    ))
    .expect("person");
    let zone: Zone = block(admin.post(
        "/zones",
        &NewZone {
            id: None,
            name: ZONE.into(),
            kind: ZoneKind::Exclusion,
            shape: Shape::Circle { center: LatLon { lat: -8.7550, lon: -63.8900 }, radius_m: 250.0 },
            person_id: Some(person.id),
            group: None,
            schedule: None,
            warning_m: None,
        },
    ))
    .expect("zone");
    let stored = || -> Zone { block(admin.get(&format!("/zones/{}", zone.id))).unwrap() };
    let until = |what: &str, ok: &dyn Fn(&Zone) -> bool| {
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            let z = stored();
            if ok(&z) {
                return z;
            }
            assert!(Instant::now() < deadline, "{what}: {z:?}");
            std::thread::sleep(Duration::from_millis(100));
        }
    };

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
    until("suspended on the server", &|z| !z.active && z.lifted.is_none());
    ui.wait_for(&format!("Zona {ZONE} · Exclusão · suspensa"), Duration::from_secs(5));

    // Resumed.
    ui.click("Reativar");
    ui.type_text("Retorno da viagem");
    ui.click("Confirmar reativação");
    ui.wait_for(&format!("Zona \"{ZONE}\" reativada."), Duration::from_secs(10));
    until("in force again on the server", &|z| z.active);
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
    let lifted = until("lifted on the server", &|z| z.lifted.is_some());
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
