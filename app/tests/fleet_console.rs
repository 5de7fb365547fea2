//! Fleet control at the console (issue 21, item 3): a vehicle busy on one call taken for a
//! second one as well (RFS062), and a victim moved from one vehicle of a call to another
//! (RFS053), done with the fleet controller's clicks against a real embedded server; each step
//! checks what the server recorded.
//!
//! Run with `ICED_TEST_BACKEND=tiny-skia` (no GPU, no X server).

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use atalaia_core::samu::fleet::Candidate;
use atalaia_core::samu::{Dispatch, Occurrence};
use iced_test::instruction::Key;
use serde_json::json;
use std::time::{Duration, Instant};
use support::{Console, api_as, block, demo_server, kiosk};

const FIRST: &str = "Queda de moto na Avenida Amazonas";
const SECOND: &str = "Colisão entre dois carros na Avenida do Contorno";

#[test]
fn rfs062_rfs053_a_busy_ambulance_takes_a_second_call_and_a_victim_moves_to_it_at_the_console() {
    let (_dir, server) = demo_server();
    let tarm = block(api_as(&server.base_url, "tarm"));
    let fleet = block(api_as(&server.base_url, "frota"));
    let call = |description: &str, lat: f64| -> Occurrence {
        let body = json!({
            "call_type": "atendimento", "caller_name": "Marta", "caller_phone": "(31) 97777-0000",
            "address": "Avenida Amazonas, 500", "municipality": "Belo Horizonte",
            "location": {"lat": lat, "lon": -43.94}, "description": description, "hand_off": true,
        });
        block(tarm.post("/occurrences", &body)).unwrap()
    };
    let nearest = |o: &Occurrence| -> Candidate {
        let list: Vec<Candidate> =
            block(fleet.get(&format!("/occurrences/{}/recommendation", o.id))).unwrap();
        list.into_iter().next().expect("a free vehicle in the demo fleet")
    };
    // The first call already has its ambulance (set up through the API).
    let first = call(FIRST, -19.925);
    let busy = nearest(&first);
    let body = json!({"occurrence_id": first.id, "vehicle_id": busy.vehicle_id});
    let _: Dispatch = block(fleet.post("/dispatches", &body)).unwrap();
    let second = call(SECOND, -19.93);

    // RFS062. The fleet controller opens the second call: the busy ambulance is offered as one
    // more, and goes.
    let mut ui = Console::start(atalaia_console::application(kiosk(&server.base_url, "frota")));
    ui.wait_for("Conectado", Duration::from_secs(20));
    ui.wait_for(SECOND, Duration::from_secs(10));
    ui.click(SECOND);
    let also = atalaia_console::text::additional_button(&busy.code);
    ui.wait_for(&also, Duration::from_secs(10));
    ui.click(&also);
    ui.wait_for(&atalaia_console::text::dispatched(&busy.code), Duration::from_secs(10));
    let of_second = |api: &atalaia_client::Api| -> Vec<Dispatch> {
        block(api.get(&format!("/dispatches?occurrence_id={}", second.id))).unwrap()
    };
    let additional = of_second(&fleet).into_iter().find(|d| d.vehicle_id == busy.vehicle_id).expect("stored");
    assert!(additional.active && additional.additional, "{additional:?}");
    let on_first: Vec<Dispatch> =
        block(fleet.get(&format!("/dispatches?occurrence_id={}", first.id))).unwrap();
    assert!(on_first.iter().any(|d| d.vehicle_id == busy.vehicle_id && d.active), "still on the first call");

    // A free vehicle goes too.
    let free = nearest(&second);
    ui.wait_for(&atalaia_console::text::dispatch_button(&free.code), Duration::from_secs(10));
    ui.click(&atalaia_console::text::dispatch_button(&free.code));
    ui.wait_for(&atalaia_console::text::dispatched(&free.code), Duration::from_secs(10));

    // RFS053. The victim leaves the free vehicle for the busy one: victim, from, to, then the
    // cursor is in the reason; Enter records it.
    ui.click(atalaia_console::text::TAB_RECORD);
    ui.wait_for("Transferir vítima entre viaturas", Duration::from_secs(10));
    ui.click("Vítima 1");
    ui.click(&format!("de {}", free.code));
    ui.click(&format!("para {}", busy.code));
    ui.type_text("Vítima grave: segue na USA");
    ui.key(Key::Enter);
    ui.wait_for("Transferência registrada.", Duration::from_secs(10));
    let line = format!("Vítima 1 passou de {} para {}: Vítima grave: segue na USA", free.code, busy.code);
    ui.wait_for(&line, Duration::from_secs(10));
    let deadline = Instant::now() + Duration::from_secs(5);
    let stored = loop {
        let o: Occurrence = block(fleet.get(&format!("/occurrences/{}", second.id))).unwrap();
        if !o.transfers.is_empty() || Instant::now() > deadline {
            break o;
        }
        std::thread::sleep(Duration::from_millis(100));
    };
    let t = &stored.transfers[0];
    assert_eq!(
        (t.victim, t.from_vehicle.as_str(), t.to_vehicle.as_str()),
        (1, free.code.as_str(), busy.code.as_str())
    );
    if std::env::var("ATALAIA_UI_SNAPSHOT").is_ok() {
        ui.screenshot("console-frota-adicional-transferencia");
    }
}
