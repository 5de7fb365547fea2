//! The zones list of the administration screen (III-2.13, 16.2.6; issue 22 item 2): a monitoring
//! administrator finds a person's zones by the person's name, reads one's shape, curfew and
//! history, suspends it and lifts it with the reason the form requires, filters the lifted ones,
//! and goes from a zone in force to the map with it selected — against a real embedded server.
//! An operator reads the same list and history and is offered no change.
//!
//! Run with `ICED_TEST_BACKEND=tiny-skia` (no GPU, no X server).

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use atalaia_core::geom::LatLon;
use atalaia_core::monitoring::{Person, Regime, Zone};
use iced_test::instruction::Key;
use std::time::Duration;
use support::{Console, api_as, block, demo_server, exclusion_zone, kiosk, wait_until, wearer};

const PERSON: &str = "Gilberto Amaral Neves";
const SCHOOL: &str = "Escola Municipal Castelo Branco";
const HOME: &str = "Residência da vítima Marta";

/// A zone of `person` with a 100 m warning buffer, centred south of the demo's city centre.
fn zone(admin: &atalaia_client::Api, name: &str, person: &Person, lat: f64, radius_m: f64) -> Zone {
    exclusion_zone(admin, name, person.id, LatLon { lat, lon: -63.8900 }, radius_m, Some(100.0))
}

#[test]
fn iii_2_13_zones_are_listed_with_their_history_suspended_lifted_and_shown_on_the_map() {
    let (_dir, server) = demo_server();
    let admin = block(api_as(&server.base_url, "admmon"));
    let (person, _) =
        wearer(&admin, PERSON, "0007788-13.2026.8.22.0001", Regime::ProtectiveMeasure, "864999000077881");
    let school = zone(&admin, SCHOOL, &person, -8.7550, 250.0);
    let home = zone(&admin, HOME, &person, -8.7650, 1_500.0);
    let stored = |id| -> Zone { block(admin.get(&format!("/zones/{id}"))).unwrap() };
    let until = |id, ok: &dyn Fn(&Zone) -> bool| wait_until(|| Some(stored(id)).filter(|z| ok(z)));

    let mut ui = Console::start(atalaia_console::application(kiosk(&server.base_url, "admmon")));
    ui.wait_for("Conectado", Duration::from_secs(20));
    ui.click("Cadastros");
    ui.click("Zonas");
    // The person's zones, found by the person's name.
    ui.click("Buscar por nome, processo, grupo, IMEI, chip…");
    ui.type_text("gilberto");
    ui.wait_for("Todas (2)", Duration::from_secs(5));
    ui.click(SCHOOL);
    ui.wait_for("Círculo de raio 250 m · faixa de alerta de 100 m", Duration::from_secs(5));
    ui.wait_for("Vale sempre", Duration::from_secs(5));
    ui.wait_for(&format!("Rafael Costa — Cadastrada: “{SCHOOL}”"), Duration::from_secs(10));

    // Suspended with its reason (Enter confirms); the history says who and why.
    ui.click("Suspender");
    ui.wait_for("Confirmar suspensão", Duration::from_secs(5));
    ui.type_text("Viagem autorizada pelo juízo até 10/12");
    ui.key(Key::Enter);
    until(school.id, &|z| !z.active && z.lifted.is_none());
    ui.wait_for("Rafael Costa — Suspensa: Viagem autorizada pelo juízo até 10/12", Duration::from_secs(10));
    assert!(ui.sees("Reativar") && !ui.sees("Suspender"), "{}", ui.screenshot("suspended").display());

    // Lifted: nothing is sent without a reason.
    ui.click("Revogar");
    ui.click("Confirmar revogação");
    ui.wait_for("Motivo é obrigatório.", Duration::from_secs(5));
    assert!(stored(school.id).lifted.is_none(), "nothing was sent without a reason");
    ui.type_text("Medida revogada por decisão judicial de 05/12/2026");
    ui.click("Confirmar revogação");
    let lifted = until(school.id, &|z| z.lifted.is_some());
    assert_eq!(lifted.lifted.expect("lift").reason, "Medida revogada por decisão judicial de 05/12/2026");
    ui.wait_for(
        "Rafael Costa — Revogada: Medida revogada por decisão judicial de 05/12/2026",
        Duration::from_secs(10),
    );
    // A lifted zone is only read, and not on the map.
    assert!(
        !ui.sees("Reativar") && !ui.sees("Revogar") && !ui.sees("Ver no mapa"),
        "{}",
        ui.screenshot("lifted").display()
    );

    // The standing filter: only the lifted one, then all again.
    ui.wait_for("Em vigor (1)", Duration::from_secs(5));
    ui.click("Revogadas (1)");
    ui.wait_for(SCHOOL, Duration::from_secs(5));
    assert!(!ui.sees(HOME), "{}", ui.screenshot("filter").display());
    ui.click("Todas (2)");
    ui.wait_for(HOME, Duration::from_secs(5));
    if std::env::var("ATALAIA_UI_SNAPSHOT").is_ok() {
        // The picture: the suspended-then-lifted zone's story beside the list.
        ui.screenshot("console-cadastros-zonas");
        return;
    }
    ui.click(HOME);
    ui.wait_for("Círculo de raio 1,5 km · faixa de alerta de 100 m", Duration::from_secs(5));

    // From the list to the map: the screen closes and the zone is selected there.
    ui.click("Ver no mapa");
    ui.wait_for(&format!("Zona {HOME} · Exclusão · em vigor"), Duration::from_secs(5));
    assert!(ui.sees("Editar zona"), "{}", ui.screenshot("on-the-map").display());
    assert!(stored(home.id).active);
}

#[test]
fn iii_2_13_an_operator_reads_zones_and_their_history_but_changes_none() {
    let (_dir, server) = demo_server();
    let admin = block(api_as(&server.base_url, "admmon"));
    let person: Person =
        block(admin.get("/persons")).map(|p: Vec<Person>| p[0].clone()).expect("a demo person");
    let z = zone(&admin, SCHOOL, &person, -8.7550, 250.0);
    let change = atalaia_core::wire::ZoneStateChange {
        action: atalaia_core::monitoring::ZoneAction::Suspend,
        reason: "Mudança de endereço em andamento".into(),
    };
    let _: Zone = block(admin.post(&format!("/zones/{}/state", z.id), &change)).expect("suspended");

    let mut ui = Console::start(atalaia_console::application(kiosk(&server.base_url, "operador")));
    ui.wait_for("Conectado", Duration::from_secs(20));
    ui.click("Cadastros");
    ui.click("Zonas");
    ui.click("Buscar por nome, processo, grupo, IMEI, chip…");
    ui.type_text("castelo");
    ui.wait_for("Suspensas (1)", Duration::from_secs(5));
    ui.click(SCHOOL);
    ui.wait_for("Rafael Costa — Suspensa: Mudança de endereço em andamento", Duration::from_secs(10));
    assert!(
        ui.sees("Ver no mapa") && !ui.sees("Reativar") && !ui.sees("Revogar"),
        "{}",
        ui.screenshot("operator").display()
    );
}
