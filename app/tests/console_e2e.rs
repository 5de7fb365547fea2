//! The real console, end to end: `iced_test`'s emulator runs the same iced application `main`
//! runs (its tasks, its live-feed subscription, its widget focus), against a real embedded server
//! on 127.0.0.1 with its demo data and a real SQLite file. Input is keystrokes and clicks; what
//! the tests check is what the operator sees and what the server stored.
//!
//! Run with `ICED_TEST_BACKEND=tiny-skia` (no GPU, no X server).

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use atalaia_console::BootConfig;
use atalaia_core::alarm::{Alarm, AlarmKind, AlarmState, Outcome};
use atalaia_core::samu::{Occurrence, OccurrencePhase};
use iced_test::instruction::Key;
use std::time::{Duration, Instant};
use support::{Call, Console, api_as, block, demo_server, kiosk};

/// RFS184/RFS186/RFS115/RFS029, RNF04: a TARM takes a call from the first keystroke to the
/// hand-off to regulation without touching the mouse: the cursor starts on the phone, Tab and
/// Enter walk the form (address, number, the place's coordinates), F3 adds a victim, Enter in the
/// complaint registers and hands off, and the number comes back on screen. The server has the
/// place (so the fleet can be recommended and dispatched) and the victim.
#[test]
fn rfs184_a_call_from_first_keystroke_to_hand_off_with_the_keyboard_only() {
    let (_dir, server) = demo_server();
    let mut ui = Console::start(atalaia_console::application(kiosk(&server.base_url, "tarm")));
    ui.wait_for("Conectado", Duration::from_secs(20));

    // The cursor is on the phone field after login; Tab and Enter walk the form.
    ui.type_call(&Call {
        phone: "(31) 97777-1234",
        caller: "Maria Aparecida",
        municipality: "Belo Horizonte",
        street: "Av. Afonso Pena",
        number: "1212",
        coordinates: "-19,9300 -43,9380",
    });
    assert!(ui.sees("Local no mapa: -19,93000 -43,93800 · digitado"), "the place is read as typed");
    // Enter in the complaint before it is filled: validation in Portuguese, nothing sent.
    ui.key(Key::Enter);
    ui.wait_for("Corrija os campos indicados.", Duration::from_secs(5));
    assert!(ui.sees("Queixa / descrição é obrigatório."), "the missing field is named");
    ui.type_text("Dor no peito há 30 minutos");
    // F3: a victim, the cursor on its name; Enter walks its fields on to the complaint again.
    ui.add_victim("José Ferreira", "54", "dor irradiando para o braço");
    ui.key(Key::Enter);

    let api = block(api_as(&server.base_url, "supervisor"));
    let deadline = Instant::now() + Duration::from_secs(10);
    let occurrence = loop {
        let all: Vec<Occurrence> = block(api.get("/occurrences")).unwrap();
        if let Some(o) = all.into_iter().find(|o| o.caller_phone == "(31) 97777-1234") {
            break o;
        }
        if Instant::now() >= deadline {
            panic!("the call never reached the server: {}", ui.screenshot("not-registered").display());
        }
        ui.settle(Duration::from_millis(100));
    };
    ui.wait_for(&format!("Ocorrência {} registrada", occurrence.number), Duration::from_secs(10));
    assert_eq!(occurrence.phase, OccurrencePhase::Regulation, "handed off to the regulator");
    assert!(occurrence.handed_off_at.is_some());
    assert_eq!(occurrence.caller_name, "Maria Aparecida");
    assert_eq!(occurrence.municipality, "Belo Horizonte");
    assert_eq!(occurrence.address, "Av. Afonso Pena, 1212");
    assert_eq!(occurrence.description, "Dor no peito há 30 minutos");
    assert_eq!(occurrence.location, Some(atalaia_core::geom::LatLon { lat: -19.93, lon: -43.938 }));
    assert_eq!(occurrence.victims.len(), 1);
    assert_eq!(occurrence.victims[0].name, "José Ferreira");
    assert_eq!(occurrence.victims[0].age_years, Some(54));
    assert_eq!(occurrence.victims[0].complaint, "dor irradiando para o braço");
    let started = occurrence.call_started_at.expect("call timer start");
    assert!(started <= occurrence.created_at, "the call timer started at the first keystroke");
    // The live feed brings it into the queue on this seat.
    ui.wait_for(&occurrence.number, Duration::from_secs(10));
    // The form is ready for the next call, cursor on the phone again.
    ui.type_text("31 3333-4444");
    assert!(ui.sees("31 3333-4444"), "the phone field has the focus for the next call");
}

/// 16.2.11, 27.10: a monitoring operator sees the banner for unattended alarms, takes the first
/// alarm of the queue (a bracelet's report over the real OsmAnd port raised one more), writes a
/// note, and closes it as a false alarm with a closing note; the server has the note, the
/// outcome and who did it, and the banner counts one alarm fewer.
#[test]
fn claiming_and_closing_an_alarm_with_a_note() {
    let (_dir, server) = demo_server();
    let imei = atalaia_backend::sim::bracelet_imei(0);
    let url = format!(
        "{}/?id={imei}&lat=-8.7612&lon=-63.9004&timestamp={}&accuracy=8&batt=76&alarm=tampering",
        server.ingest_url,
        chrono::Utc::now().timestamp()
    );
    let status = block(async { reqwest::get(&url).await.unwrap().status() });
    assert!(status.is_success(), "{status}");
    let operator = block(api_as(&server.base_url, "operador"));
    let open_alarms = || -> Vec<Alarm> {
        let mut all: Vec<Alarm> = block(operator.get("/alarms")).unwrap();
        all.retain(Alarm::is_active);
        all.sort_by(atalaia_core::alarm::queue_order);
        all
    };
    let banner = |alarms: &[Alarm]| {
        let a = atalaia_console::alert::assess(alarms, chrono::Utc::now());
        let worst = atalaia_core::text::severity(a.worst.expect("severe alarms wait")).to_lowercase();
        atalaia_console::text::alert_banner(a.banner, &worst)
    };
    let deadline = Instant::now() + Duration::from_secs(10);
    while !open_alarms().iter().any(|a| {
        a.kind == AlarmKind::Tamper && a.raised_at > chrono::Utc::now() - chrono::Duration::seconds(30)
    }) {
        assert!(Instant::now() < deadline, "the tamper report raised no alarm");
        std::thread::sleep(Duration::from_millis(100));
    }

    let mut ui = Console::start(atalaia_console::application(kiosk(&server.base_url, "operador")));
    ui.wait_for("Conectado", Duration::from_secs(20));
    ui.wait_for("Violação do dispositivo", Duration::from_secs(10));
    // The banner asks for attention while alarms wait (the simulator may raise more meanwhile).
    let deadline = Instant::now() + Duration::from_secs(10);
    while !ui.sees(&banner(&open_alarms())) {
        assert!(Instant::now() < deadline, "no banner: {}", ui.screenshot("no-banner").display());
        ui.settle(Duration::from_millis(100));
    }

    // The first "Assumir" is the top of the queue; which alarm that is, the server says after.
    ui.click("Assumir");
    ui.wait_for("Assumido por Joana Rocha (você)", Duration::from_secs(10));
    let me = block(operator.get::<atalaia_core::wire::UserInfo>("/auth/me")).unwrap().id;
    let first = open_alarms()
        .into_iter()
        .find(|a| matches!(a.state, AlarmState::Claimed { by, .. } if by == me))
        .expect("the alarm this seat took");
    // The card of the person: record and the device's health strip (the bracelet reports live).
    assert!(ui.sees("Conexão ativa"), "link state on the health strip: {}", ui.screenshot("card").display());
    // The cursor is in the note field after taking the alarm.
    ui.type_text("Contato telefônico com o monitorado: diz que bateu o tornozelo.");
    ui.key(Key::Enter);
    // The note is on the server (the field's own text would match on screen before it is).
    let deadline = Instant::now() + Duration::from_secs(10);
    while block(operator.get::<Alarm>(&format!("/alarms/{}", first.id))).unwrap().notes.is_empty() {
        assert!(Instant::now() < deadline, "the note never reached the server");
        ui.settle(Duration::from_millis(100));
    }
    ui.wait_for("Contato telefônico com o monitorado: diz que bateu o tornozelo.", Duration::from_secs(10));

    // Choosing the outcome puts the cursor in the closing note.
    ui.click(&format!("{} (Alt+2)", atalaia_core::text::outcome(Outcome::FalseAlarm)));
    ui.type_text("Sem violação: pancada acidental, cinta íntegra.");
    ui.key(Key::Enter);

    let deadline = Instant::now() + Duration::from_secs(10);
    let closed = loop {
        let a: Alarm = block(operator.get(&format!("/alarms/{}", first.id))).unwrap();
        if matches!(a.state, AlarmState::Closed { .. }) {
            break a;
        }
        assert!(
            Instant::now() < deadline,
            "not closed: {:?} {}",
            a.state,
            ui.screenshot("not-closed").display()
        );
        ui.settle(Duration::from_millis(100));
    };
    let AlarmState::Closed { outcome, note, by, .. } = &closed.state else { unreachable!() };
    assert_eq!(*outcome, Outcome::FalseAlarm);
    assert_eq!(note, "Sem violação: pancada acidental, cinta íntegra.");
    assert_eq!(closed.notes.len(), 1);
    assert_eq!(closed.notes[0].text, "Contato telefônico com o monitorado: diz que bateu o tornozelo.");
    assert_eq!(closed.notes[0].by, *by, "the note and the closing by the same operator");
    assert!(closed.acknowledged_at.is_some());
    // Gone from the queue on screen, and the banner counts the rest.
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let rest = open_alarms();
        assert!(rest.iter().all(|a| a.id != first.id));
        if ui.sees(&banner(&rest)) {
            break;
        }
        assert!(Instant::now() < deadline, "banner not updated: {}", ui.screenshot("banner-after").display());
        ui.settle(Duration::from_millis(100));
    }
}

/// TDC-PROC 3–5 at the console: the regulator opens an unclassified call from the queue, gives it
/// red priority and a USA; the server keeps both with who and as which regulator (RFS124,
/// RFS129) and the history shows on screen. Then the fleet controller opens the same call, sees
/// the free vehicles nearest to it with their ETA, and dispatches the first with one click.
#[test]
fn regulating_then_dispatching_from_the_queue() {
    use atalaia_core::samu::{Dispatch, Priority, RegulatorStage, VehicleKind};
    let (_dir, server) = demo_server();
    let api = block(api_as(&server.base_url, "supervisor"));
    let all: Vec<Occurrence> = block(api.get("/occurrences")).unwrap();
    let target = all
        .iter()
        .find(|o| o.priority.is_none() && o.phase == OccurrencePhase::Regulation)
        .expect("an unclassified call");
    let id = target.id;

    let mut ui = Console::start(atalaia_console::application(kiosk(&server.base_url, "regulador")));
    ui.wait_for("Conectado", Duration::from_secs(20));
    ui.wait_for(&target.number, Duration::from_secs(10));
    // The complaint is on the queue's row only (the number is also in the recent-calls list).
    ui.click(&target.description);
    ui.wait_for("Ainda não regulada.", Duration::from_secs(5));
    // Submitting an empty form says what is missing and sends nothing.
    ui.click("Registrar regulação (Enter)");
    ui.wait_for(atalaia_console::text::NOTHING_TO_REGULATE, Duration::from_secs(5));
    ui.click("Vermelha");
    ui.click("USA");
    ui.click("Registrar regulação (Enter)");
    ui.wait_for("Regulação registrada.", Duration::from_secs(10));

    let o: Occurrence = block(api.get(&format!("/occurrences/{id}"))).unwrap();
    assert_eq!(o.priority, Some(Priority::Emergency));
    assert_eq!(o.resource, Some(VehicleKind::Usa));
    let priority = o.history.iter().find(|c| c.field == "priority").expect("priority change kept");
    assert_eq!(priority.by_name, "Dr. Paulo Lima");
    assert_eq!(priority.stage, Some(RegulatorStage::Primary));
    assert_eq!(priority.to, "emergency");
    // The history on screen, as the regulator reads it.
    let line = atalaia_console::text::change_line(
        &atalaia_client::format::day_time(priority.at, atalaia_client::format::DEFAULT_TZ),
        "Dr. Paulo Lima",
        Some("regulador primário"),
        "prioridade",
        None,
        "Vermelha",
        "",
    );
    ui.wait_for(&line, Duration::from_secs(5));
    if std::env::var("ATALAIA_UI_SNAPSHOT").is_ok() {
        ui.screenshot("console-regulacao-regulador");
    }
    drop(ui);

    let mut ui = Console::start(atalaia_console::application(kiosk(&server.base_url, "frota")));
    ui.wait_for("Conectado", Duration::from_secs(20));
    ui.wait_for(&target.number, Duration::from_secs(10));
    // The complaint is on the queue's row only (the number is also in the recent-calls list).
    ui.click(&target.description);
    let fleet = block(api_as(&server.base_url, "frota"));
    let nearest: Vec<atalaia_core::samu::fleet::Candidate> =
        block(fleet.get(&format!("/occurrences/{id}/recommendation"))).unwrap();
    let first = nearest.first().expect("a free USA in the demo fleet");
    assert_eq!(first.kind, VehicleKind::Usa, "the regulator's choice is what is offered");
    ui.wait_for(&atalaia_console::text::distance_eta(first.road_m, first.eta_s), Duration::from_secs(10));
    ui.click(&atalaia_console::text::dispatch_button(&first.code));
    ui.wait_for(&atalaia_console::text::dispatched(&first.code), Duration::from_secs(10));
    if std::env::var("ATALAIA_UI_SNAPSHOT").is_ok() {
        ui.screenshot("console-regulacao-frota");
    }
    let dispatches: Vec<Dispatch> = block(fleet.get("/dispatches")).unwrap();
    assert!(
        dispatches.iter().any(|d| d.occurrence_id == id && d.vehicle_id == first.vehicle_id),
        "the dispatch reached the server: {dispatches:?}"
    );
}

/// A TCP relay between the console and the server, whose cable can be pulled: the console loses
/// the server while everyone else keeps working with it (issue 8).
struct Cable {
    port: u16,
    target: std::net::SocketAddr,
    runtime: tokio::runtime::Runtime,
    cut: Option<tokio::sync::watch::Sender<bool>>,
}

impl Cable {
    fn to(base: &str) -> Self {
        let target = base.trim_start_matches("http://").parse().unwrap();
        let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
        let runtime =
            tokio::runtime::Builder::new_multi_thread().worker_threads(1).enable_all().build().unwrap();
        let mut cable = Self { port, target, runtime, cut: None };
        cable.plug();
        cable
    }

    fn base(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    fn plug(&mut self) {
        let (tx, rx) = tokio::sync::watch::channel(false);
        let listener =
            self.runtime.block_on(tokio::net::TcpListener::bind(("127.0.0.1", self.port))).unwrap();
        let target = self.target;
        self.runtime.spawn(async move {
            let mut stop = rx.clone();
            loop {
                tokio::select! {
                    _ = stop.changed() => return,
                    accepted = listener.accept() => {
                        let Ok((mut inbound, _)) = accepted else { return };
                        let mut stop = rx.clone();
                        tokio::spawn(async move {
                            let Ok(mut outbound) = tokio::net::TcpStream::connect(target).await else { return };
                            tokio::select! {
                                _ = tokio::io::copy_bidirectional(&mut inbound, &mut outbound) => {}
                                _ = stop.changed() => {}
                            }
                        });
                    }
                }
            }
        });
        self.cut = Some(tx);
    }

    /// Every connection dropped, new ones refused.
    fn pull(&mut self) {
        if let Some(cut) = self.cut.take() {
            let _ = cut.send(true);
        }
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// Issue 8 in the console: with its link cut, the operator still takes an alarm and writes a
/// note (both kept in the outbox, the screen showing them done, the header saying since when the
/// link is down and how many commands wait). Meanwhile a supervisor takes every open alarm at the
/// server. When the link is back the note is applied, the claim is refused and shown as a
/// conflict saying who has the alarm, and the operator discards it. A console started afresh
/// while the link is down opens the operator's session from this workstation and shows the
/// cached alarms with their age.
/// `prefix` followed by this minute or the last one on the console's clock (`HH:MM`, site time).
fn this_minute(prefix: &str) -> Vec<String> {
    let now = chrono::Utc::now();
    [now, now - chrono::Duration::minutes(1)]
        .map(|t| {
            format!("{prefix}{}", atalaia_client::format::since(t, now, atalaia_client::format::DEFAULT_TZ))
        })
        .to_vec()
}

#[test]
fn working_offline_then_a_refused_claim_is_shown_and_decided() {
    let (_dir, server) = demo_server();
    let data = tempfile::tempdir().unwrap();
    let mut cable = Cable::to(&server.base_url);
    let relay = cable.base();
    let boot = || BootConfig {
        data_dir: Some(data.path().to_path_buf()),
        seat_server: Some("central".into()),
        ..kiosk(&relay, "operador")
    };
    let mut ui = Console::start(atalaia_console::application(boot()));
    ui.wait_for("Conectado", Duration::from_secs(20));
    ui.wait_for("Assumir", Duration::from_secs(10));
    ui.settle(Duration::from_millis(700)); // the cache writes every 500 ms

    cable.pull();
    ui.wait_for_any(&this_minute("Sem conexão desde "), Duration::from_secs(10));
    ui.click("Assumir");
    ui.wait_for("Assumido por Joana Rocha (você)", Duration::from_secs(5));
    ui.wait_for("1 comando na fila", Duration::from_secs(5));
    ui.type_text("Sem sinal do celular do monitorado; tentando de novo.");
    ui.key(Key::Enter);
    ui.wait_for("2 comandos na fila", Duration::from_secs(5));
    ui.wait_for_any(&this_minute(" · dados de "), Duration::from_secs(5));

    // At the server, the supervisor takes every open alarm.
    let supervisor = block(api_as(&server.base_url, "supervisor"));
    let operator = block(api_as(&server.base_url, "operador"));
    let mut taken = Vec::new();
    for a in block(supervisor.get::<Vec<Alarm>>("/alarms")).unwrap() {
        if a.state == AlarmState::Open {
            block(supervisor.alarm_action(a.id, &atalaia_core::wire::AlarmAction::Claim)).unwrap();
            taken.push(a.id);
        }
    }
    assert!(!taken.is_empty());

    cable.plug();
    ui.wait_for("Conectado", Duration::from_secs(40));
    ui.wait_for("1 comando recusado", Duration::from_secs(20));
    ui.wait_for("Alarme já assumido por Marcos Silva.", Duration::from_secs(5));
    assert!(ui.sees("Assumir alarme"), "{}", ui.screenshot("conflict").display());
    // Nothing left to send once the note is through.
    let deadline = Instant::now() + Duration::from_secs(10);
    while ui.sees("1 comando na fila") || ui.sees("2 comandos na fila") {
        assert!(Instant::now() < deadline, "commands still queued: {}", ui.screenshot("queued").display());
        ui.settle(Duration::from_millis(100));
    }
    // The note went through: on the alarm the console took offline, written once.
    let noted: Vec<Alarm> = block(operator.get::<Vec<Alarm>>("/alarms"))
        .unwrap()
        .into_iter()
        .filter(|a| a.notes.iter().any(|n| n.text.starts_with("Sem sinal do celular")))
        .collect();
    assert_eq!(noted.len(), 1, "one alarm noted");
    assert_eq!(noted[0].notes.len(), 1, "once");
    assert!(taken.contains(&noted[0].id), "the alarm the supervisor has");
    assert!(matches!(noted[0].state, AlarmState::Claimed { .. }));
    ui.settle(Duration::from_millis(700));
    drop(ui);

    // The console is closed before the operator decided. Started again while the link is down,
    // it opens from this workstation's cache, with the refused claim still waiting for her.
    cable.pull();
    let mut ui = Console::start(atalaia_console::application(boot()));
    ui.wait_for_any(&this_minute("Sem conexão desde "), Duration::from_secs(20));
    ui.wait_for_any(&this_minute(" · dados de "), Duration::from_secs(5));
    ui.wait_for("Assumido por outro operador", Duration::from_secs(5));
    ui.wait_for("Alarme já assumido por Marcos Silva.", Duration::from_secs(5));
    if std::env::var("ATALAIA_UI_SNAPSHOT").is_ok() {
        // (iced_test's screenshot leaves the emulator unusable: it is the last step.)
        ui.screenshot("console-offline");
        return;
    }
    ui.click("Descartar");
    ui.settle(Duration::from_millis(300));
    assert!(!ui.sees("1 comando recusado"), "decided: {}", ui.screenshot("decided").display());
    drop(cable);
}
