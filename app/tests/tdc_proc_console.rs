//! TDC-PROC at the console (issue 21): the macroprocess the tender's evaluator watches, done only
//! with the keys and clicks of the people who do it — a TARM, a regulator, a fleet controller,
//! each at their own console against one real embedded server — starting from a call nobody
//! seeded. Each step checks what the server recorded.
//!
//! Steps 1–5, 11 and 13 are here, with the conduct (part of 9); 6–8 and 10 are the crew's
//! (tests/tests/tdc_proc.rs drives them through the crew API), and the rest of 9 and 12 need the
//! occurrence detail still to be built at the console.
//!
//! Run with `ICED_TEST_BACKEND=tiny-skia` (no GPU, no X server).

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use atalaia_core::geom::LatLon;
use atalaia_core::samu::fleet::Candidate;
use atalaia_core::samu::{
    DemandType, Dispatch, Occurrence, OccurrencePhase, Priority, RequestType, VehicleKind,
};
use iced::keyboard::key::Named;
use iced_test::instruction::Key;
use std::time::{Duration, Instant};
use support::{Call, Console, api_as, block, demo_server, kiosk};

const PHONE: &str = "(31) 96666-1111";
const COMPLAINT: &str = "Dor torácica súbita com sudorese";

/// A screenshot for the docs; the console's last use (iced_test 0.14's emulator cannot go on
/// after one).
fn snapshot<P>(ui: &mut Console<P>, name: &str)
where
    P: iced_test::program::Program<Theme = iced::Theme> + 'static,
{
    if std::env::var("ATALAIA_UI_SNAPSHOT").is_ok() {
        ui.screenshot(name);
    }
}

#[test]
fn tdc_proc_steps_1_to_5_11_and_13_through_the_console_with_a_usb_replaced_by_a_usa() {
    let (_dir, server) = demo_server();
    let supervisor = block(api_as(&server.base_url, "supervisor"));
    let occurrence = |api: &atalaia_client::Api| -> Option<Occurrence> {
        let all: Vec<Occurrence> = block(api.get("/occurrences")).unwrap();
        all.into_iter().find(|o| o.caller_phone == PHONE)
    };

    // 1. The TARM registers the call from the external caller: keys only, the place typed, one
    //    victim added with F3.
    let mut tarm = Console::start(atalaia_console::application(kiosk(&server.base_url, "tarm")));
    tarm.wait_for("Conectado", Duration::from_secs(20));
    tarm.type_call(&Call {
        phone: PHONE,
        caller: "Carlos Mendes",
        municipality: "Belo Horizonte",
        street: "Rua da Bahia",
        number: "1148",
        coordinates: "-19,9191 -43,9386",
    });
    tarm.type_text(COMPLAINT);
    tarm.function_key(Named::F3);
    tarm.type_text("Carlos Mendes");
    tarm.key(Key::Enter);
    tarm.type_text("58");
    for _ in 0..3 {
        tarm.key(Key::Enter);
    }
    tarm.type_text("dor no peito irradiando para o braço esquerdo");
    tarm.key(Key::Enter);
    tarm.key(Key::Enter);
    let deadline = Instant::now() + Duration::from_secs(10);
    let registered = loop {
        if let Some(o) = occurrence(&supervisor) {
            break o;
        }
        assert!(Instant::now() < deadline, "never registered: {}", tarm.screenshot("tdc-1").display());
        tarm.settle(Duration::from_millis(100));
    };
    tarm.wait_for(&format!("Ocorrência {} registrada", registered.number), Duration::from_secs(10));
    assert_eq!(registered.location, Some(LatLon { lat: -19.9191, lon: -43.9386 }));
    assert_eq!(registered.address, "Rua da Bahia, 1148");
    assert_eq!(registered.victims.len(), 1);
    assert_eq!(registered.victims[0].age_years, Some(58));
    // 2. Routed to the regulator by the registration itself.
    assert_eq!(registered.phase, OccurrencePhase::Regulation);
    assert!(registered.handed_off_at.is_some());
    snapshot(&mut tarm, "console-tdc-1-chamada");
    drop(tarm);

    // 3. The regulator records the demand and request type (3a), classifies it (3c) and asks
    //    for a USB (3d, 3e).
    let mut reg = Console::start(atalaia_console::application(kiosk(&server.base_url, "regulador")));
    reg.wait_for("Conectado", Duration::from_secs(20));
    reg.wait_for(COMPLAINT, Duration::from_secs(10));
    reg.click(COMPLAINT);
    reg.wait_for("Ainda não regulada.", Duration::from_secs(5));
    reg.click("Clínica");
    reg.click("Atendimento pré-hospitalar");
    reg.click("Vermelha");
    reg.click("USB");
    reg.click("Registrar regulação (Enter)");
    reg.wait_for("Regulação registrada.", Duration::from_secs(10));
    let o = occurrence(&supervisor).unwrap();
    assert_eq!((o.priority, o.resource), (Some(Priority::Emergency), Some(VehicleKind::Usb)));
    assert_eq!((o.demand_type, o.request_type), (Some(DemandType::Clinical), Some(RequestType::PreHospital)));
    assert_eq!(o.ambulance_needed, Some(true));

    // 4–5. The fleet controller sees the call with the free USBs nearest to it and their travel
    //      time, and commits the first.
    let fleet = block(api_as(&server.base_url, "frota"));
    let recommended = |kind: VehicleKind| -> Candidate {
        let nearest: Vec<Candidate> =
            block(fleet.get(&format!("/occurrences/{}/recommendation", o.id))).unwrap();
        let first = nearest.into_iter().next().expect("a free vehicle in the demo fleet");
        assert_eq!(first.kind, kind, "the type the regulator chose");
        first
    };
    let mut fleet_ui = Console::start(atalaia_console::application(kiosk(&server.base_url, "frota")));
    fleet_ui.wait_for("Conectado", Duration::from_secs(20));
    fleet_ui.wait_for(COMPLAINT, Duration::from_secs(10));
    fleet_ui.click(COMPLAINT);
    let usb = recommended(VehicleKind::Usb);
    fleet_ui.wait_for(&atalaia_console::text::distance_eta(usb.road_m, usb.eta_s), Duration::from_secs(10));
    fleet_ui.click(&atalaia_console::text::dispatch_button(&usb.code));
    fleet_ui.wait_for(&atalaia_console::text::dispatched(&usb.code), Duration::from_secs(10));
    let dispatches: Vec<Dispatch> = block(fleet.get("/dispatches")).unwrap();
    let first = dispatches
        .iter()
        .find(|d| d.occurrence_id == o.id && d.vehicle_id == usb.vehicle_id)
        .unwrap_or_else(|| panic!("the dispatch reached the server: {dispatches:?}"));
    assert!(first.active);

    // 3e. The regulator redefines it to a USA — the cursor goes to the reason, and Tab walks on to
    //     the guidance given to the caller (3f), the conduct (9) and the destination (11).
    reg.click("USA");
    reg.click("Registrar regulação (Enter)");
    reg.wait_for(atalaia_console::text::REASON_REQUIRED, Duration::from_secs(5));
    reg.type_text("Sinais de infarto: suporte avançado");
    reg.key(Key::Tab);
    reg.key(Key::Tab);
    reg.type_text("Manter o paciente sentado e em repouso");
    reg.key(Key::Tab);
    reg.type_text("AAS 200 mg mastigado; monitorar");
    reg.key(Key::Tab);
    reg.type_text("Hospital João XXIII");
    reg.key(Key::Enter);
    reg.wait_for("Regulação registrada.", Duration::from_secs(10));
    let o = occurrence(&supervisor).unwrap();
    assert_eq!(o.resource, Some(VehicleKind::Usa), "redefined to a USA");
    let change = o.history.iter().rfind(|c| c.field == "resource").expect("the change is kept");
    assert_eq!((change.from.as_deref(), change.to.as_str()), (Some("usb"), "usa"));
    assert_eq!(change.reason, "Sinais de infarto: suporte avançado");
    assert_eq!(o.orientation, "Manter o paciente sentado e em repouso");
    assert_eq!(o.conduct, "AAS 200 mg mastigado; monitorar");
    assert_eq!(o.destination, "Hospital João XXIII");

    // 5 again (RFS054). The fleet controller refreshes the nearest vehicles: USAs now, each
    //    offered in place of the USB on its way; the first goes, the USB is released.
    fleet_ui.click(atalaia_console::text::REFRESH);
    let usa = recommended(VehicleKind::Usa);
    let substitute = atalaia_console::text::substitute_button(&usb.code, &usa.code);
    fleet_ui.wait_for(&substitute, Duration::from_secs(10));
    fleet_ui.click(&substitute);
    fleet_ui.wait_for(&atalaia_console::text::dispatched(&usa.code), Duration::from_secs(10));
    snapshot(&mut fleet_ui, "console-tdc-5-despacho");
    let of_call: Vec<Dispatch> = block(fleet.get(&format!("/dispatches?occurrence_id={}", o.id))).unwrap();
    assert!(of_call.iter().any(|d| d.vehicle_id == usa.vehicle_id && d.active), "{of_call:?}");
    assert!(
        of_call.iter().any(|d| d.vehicle_id == usb.vehicle_id && !d.active),
        "the USB released: {of_call:?}"
    );
    drop(fleet_ui);

    // 13. Care has ended: the regulator closes the call with its reason — the cursor goes to it —
    //     and the ambulance is released.
    reg.click(atalaia_console::text::CLOSE_OCCURRENCE);
    reg.type_text("Paciente entregue no Hospital João XXIII");
    reg.key(Key::Enter);
    reg.wait_for(&atalaia_console::text::occurrence_closed(&o.number), Duration::from_secs(10));
    snapshot(&mut reg, "console-tdc-13-encerramento");
    let closed = occurrence(&supervisor).unwrap();
    assert_eq!(closed.phase, OccurrencePhase::Closed);
    assert_eq!(
        closed.closure.as_ref().map(|c| c.reason.as_str()),
        Some("Paciente entregue no Hospital João XXIII")
    );
    let of_call: Vec<Dispatch> = block(fleet.get(&format!("/dispatches?occurrence_id={}", o.id))).unwrap();
    assert!(of_call.iter().all(|d| !d.active), "every vehicle released: {of_call:?}");
}
