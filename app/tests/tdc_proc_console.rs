//! TDC-PROC at the console (issue 21): the macroprocess the tender's evaluator watches, done only
//! with the keys and clicks of the people who do it — a TARM, a regulator, a fleet controller,
//! each at their own console against one real embedded server — starting from a call nobody
//! seeded. Each step checks what the server recorded.
//!
//! Steps 1–5 and 9–13 are the console's; 6–8 and the crew's half of 10 are driven through the crew
//! API here, as the crew's tablet does (tests/tests/tdc_proc.rs covers that API on its own).
//! Files the regulator opens go to a program that notes them instead of a desktop viewer.
//!
//! Run with `ICED_TEST_BACKEND=tiny-skia` (no GPU, no X server).

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use atalaia_console::BootConfig;
use atalaia_core::geom::LatLon;
use atalaia_core::ids::{OccurrenceId, VehicleId};
use atalaia_core::samu::care::{AttachmentInfo, Message};
use atalaia_core::samu::fleet::Candidate;
use atalaia_core::samu::{
    DemandType, Dispatch, Occurrence, OccurrencePhase, Priority, RequestType, VehicleKind,
};
use iced_test::instruction::Key;
use serde_json::{Value, json};
use std::path::PathBuf;
use std::time::{Duration, Instant};
use support::{Call, Console, api_as, block, demo_server, kiosk};

const PHONE: &str = "(31) 96666-1111";
const COMPLAINT: &str = "Dor torácica súbita com sudorese";
const CARE_NOTES: &str = "Dor precordial há 40 min, sudorese; ECG com supra de ST em parede inferior";
const CREW_QUESTION: &str = "Supra de ST no ECG. Seguimos para o João XXIII?";
const GUIDANCE: &str = "Sim, sigam para o João XXIII; hemodinâmica avisada";
const ADDENDUM: &str = "Hospital informou angioplastia realizada às 05:10";

/// The crew's tablet, as far as the test needs it: its user, signed in to a vehicle.
struct Crew {
    base: String,
    token: String,
}

impl Crew {
    fn sign_in(base: &str, vehicle: VehicleId) -> Self {
        let api = atalaia_client::Api::new(base).unwrap();
        let login = block(api.login("equipe", atalaia_backend::seed::DEMO_PASSWORD)).unwrap();
        let crew = Self { base: base.to_owned(), token: login.token };
        let _: Value = crew.put("/crew/vehicle", json!({ "vehicle_id": vehicle }));
        crew
    }

    fn send<T: serde::de::DeserializeOwned>(
        &self,
        req: impl FnOnce(&reqwest::Client, String) -> reqwest::RequestBuilder,
        path: &str,
    ) -> T {
        let url = format!("{}/api/v1{path}", self.base);
        block(async {
            let http = reqwest::Client::new();
            let resp = req(&http, url).bearer_auth(&self.token).send().await.unwrap();
            let status = resp.status();
            let body = resp.bytes().await.unwrap();
            assert!(status.is_success(), "{path}: {status} {}", String::from_utf8_lossy(&body));
            serde_json::from_slice(&body).unwrap()
        })
    }

    fn post<T: serde::de::DeserializeOwned>(&self, path: &str, body: Value) -> T {
        self.send(|h, url| h.post(url).json(&body), path)
    }

    fn put<T: serde::de::DeserializeOwned>(&self, path: &str, body: Value) -> T {
        self.send(|h, url| h.put(url).json(&body), path)
    }

    fn upload(
        &self,
        o: OccurrenceId,
        kind: &str,
        name: &str,
        content_type: &str,
        bytes: Vec<u8>,
    ) -> AttachmentInfo {
        let path = format!("/occurrences/{o}/attachments?kind={kind}&name={name}&victim=1");
        self.send(|h, url| h.post(url).header("content-type", content_type).body(bytes), &path)
    }
}

/// A photo as a tablet's camera makes it: a 1280×960 JPEG.
fn jpeg() -> Vec<u8> {
    let picture = image::RgbImage::from_fn(1280, 960, |x, y| image::Rgb([(x / 5) as u8, (y / 4) as u8, 140]));
    let mut out = std::io::Cursor::new(Vec::new());
    picture.write_to(&mut out, image::ImageFormat::Jpeg).unwrap();
    out.into_inner()
}

/// Half a second of a 440 Hz tone, as a WAV file.
fn wav() -> Vec<u8> {
    let spec = hound::WavSpec {
        channels: 1,
        sample_rate: 8000,
        bits_per_sample: 16,
        sample_format: hound::SampleFormat::Int,
    };
    let mut out = std::io::Cursor::new(Vec::new());
    let mut w = hound::WavWriter::new(&mut out, spec).unwrap();
    for i in 0..4000 {
        let v = (i as f32 * 440.0 * std::f32::consts::TAU / 8000.0).sin();
        w.write_sample((v * 12_000.0) as i16).unwrap();
    }
    w.finalize().unwrap();
    out.into_inner()
}

/// Where the regulator's console saves files, and a program in place of the desktop's viewer
/// that notes each file it is asked to open.
struct Files {
    _root: tempfile::TempDir,
    dir: PathBuf,
    opener: PathBuf,
    log: PathBuf,
}

impl Files {
    fn new() -> Self {
        let root = tempfile::tempdir().unwrap();
        let dir = root.path().join("Documentos");
        let log = root.path().join("abertos.txt");
        let opener = root.path().join("abrir.sh");
        std::fs::write(&opener, format!("#!/bin/sh\nprintf '%s\\n' \"$1\" >> '{}'\n", log.display()))
            .unwrap();
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(&opener, std::fs::Permissions::from_mode(0o755)).unwrap();
        }
        Self { _root: root, dir, opener, log }
    }

    fn config(&self) -> atalaia_client::record::Files {
        atalaia_client::record::Files { dir: self.dir.clone(), open_with: Some(self.opener.clone()) }
    }

    /// The files opened so far, in order (the opener runs on its own: wait for it a moment).
    fn opened(&self) -> Vec<PathBuf> {
        let read = || std::fs::read_to_string(&self.log).unwrap_or_default();
        let deadline = Instant::now() + Duration::from_secs(5);
        let mut last = read();
        loop {
            std::thread::sleep(Duration::from_millis(100));
            let now = read();
            if (now == last && !now.is_empty()) || Instant::now() > deadline {
                return now.lines().map(PathBuf::from).collect();
            }
            last = now;
        }
    }
}

/// A screenshot of the call's `tab` as a second regulator console shows it (iced_test's emulator
/// cannot go on after a screenshot, so each one is a console of its own).
fn look(base: &str, closed: bool, tab: &str, name: &str) {
    let tall = iced::Size::new(1366.0, 1500.0);
    let mut ui = Console::start_sized(atalaia_console::application(kiosk(base, "regulador")), tall);
    ui.wait_for("Conectado", Duration::from_secs(20));
    if closed {
        ui.click(atalaia_console::text::SHOW_CLOSED);
    }
    ui.click(COMPLAINT);
    ui.click(tab);
    wait_for_absence(&mut ui, &[atalaia_console::text::LOADING]);
    ui.settle(Duration::from_millis(500));
    snapshot(&mut ui, name);
}

fn wait_until(within: Duration, mut done: impl FnMut() -> bool) {
    let deadline = Instant::now() + within;
    while !done() {
        assert!(Instant::now() < deadline, "never happened");
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// Waits until none of `texts` shows (a photo still loading, or one that failed).
fn wait_for_absence<P>(ui: &mut Console<P>, texts: &[&str])
where
    P: iced_test::program::Program<Theme = iced::Theme> + 'static,
{
    let deadline = Instant::now() + Duration::from_secs(10);
    while texts.iter().any(|t| ui.sees(t)) {
        assert!(
            Instant::now() < deadline,
            "{texts:?} still shows: {}",
            ui.screenshot("absence-failed").display()
        );
        ui.settle(Duration::from_millis(100));
    }
}

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
fn tdc_proc_steps_1_to_5_and_9_to_13_through_the_console_then_rfs133_after_closure() {
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
    tarm.add_victim("Carlos Mendes", "58", "dor no peito irradiando para o braço esquerdo");
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
    let files = Files::new();
    let mut reg = Console::start(atalaia_console::application(BootConfig {
        files: files.config(),
        ..kiosk(&server.base_url, "regulador")
    }));
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

    // 6–8. The crew (driven through the crew API, as its tablet does): signs in to the USA,
    //      confirms receipt, goes, arrives, records vital signs, a photo and an audio note, and
    //      asks the regulation a question.
    let crew = Crew::sign_in(&server.base_url, usa.vehicle_id);
    let on_call: Vec<Dispatch> = block(fleet.get(&format!("/dispatches?occurrence_id={}", o.id))).unwrap();
    let usa_dispatch = on_call.iter().find(|d| d.vehicle_id == usa.vehicle_id && d.active).unwrap().id;
    crew.post::<Value>(&format!("/dispatches/{usa_dispatch}/ack"), json!({}));
    crew.post::<Value>(&format!("/dispatches/{usa_dispatch}/status"), json!({"status": "en_route"}));
    crew.post::<Value>(&format!("/dispatches/{usa_dispatch}/status"), json!({"status": "on_scene"}));
    crew.post::<Value>(
        &format!("/occurrences/{}/records", o.id),
        json!({"victim": 1, "vitals": {"sbp": 90, "dbp": 60, "hr": 112, "spo2": 93},
               "glasgow": {"eye": 4, "verbal": 5, "motor": 6}, "notes": CARE_NOTES}),
    );
    let photo = crew.upload(o.id, "photo", "ecg.jpg", "image/jpeg", jpeg());
    let audio = crew.upload(o.id, "audio", "relato.wav", "audio/wav", wav());
    crew.post::<Value>(&format!("/occurrences/{}/messages", o.id), json!({"text": CREW_QUESTION}));

    // 9. The regulator consults the crew's entries — the care record, the photo shown, the audio
    //    played by the system's player — in the occurrence's record.
    reg.click(atalaia_console::text::TAB_RECORD);
    reg.wait_for(
        &format!(
            "Atendimento, vítima 1 (Equipe USA-01): PA 90/60 · FC 112 · SpO2 93% · Glasgow 15 — {CARE_NOTES}"
        ),
        Duration::from_secs(10),
    );
    reg.wait_for(
        &format!("Foto de Equipe USA-01, vítima 1: ecg.jpg ({} KB)", photo.size.div_ceil(1024)),
        Duration::from_secs(5),
    );
    wait_for_absence(&mut reg, &[atalaia_console::text::LOADING, "Foto ilegível"]);
    reg.wait_for(&format!("{}: chegou ao local", usa.code), Duration::from_secs(5));
    reg.click("Ouvir");
    let saved = files.dir.join(atalaia_client::record::attachment_name(&o.number, &audio));
    reg.wait_for(&format!("Aberto no programa do sistema: {}", saved.display()), Duration::from_secs(10));
    assert_eq!(files.opened(), std::slice::from_ref(&saved));
    assert_eq!(std::fs::read(&saved).unwrap(), wav(), "the audio as the crew recorded it");

    // 10. The chat: the crew's question shows as new; opening the conversation sends its read
    //     receipt; the regulator answers with the keyboard and with a configured answer; the
    //     crew's reading of the answer shows at the console.
    reg.wait_for(&atalaia_console::text::tab_chat(1), Duration::from_secs(10));
    reg.click(&atalaia_console::text::tab_chat(1));
    reg.wait_for(CREW_QUESTION, Duration::from_secs(5));
    let chat = |api: &atalaia_client::Api| -> Vec<Message> {
        block(api.get(&format!("/occurrences/{}/messages", o.id))).unwrap()
    };
    wait_until(Duration::from_secs(10), || {
        chat(&supervisor).iter().any(|m| m.text == CREW_QUESTION && m.read_at.is_some())
    });
    reg.type_text(GUIDANCE);
    reg.key(Key::Enter);
    wait_until(Duration::from_secs(10), || {
        chat(&supervisor).iter().any(|m| m.text == GUIDANCE && !m.from_crew())
    });
    let answer = chat(&supervisor).into_iter().find(|m| m.text == GUIDANCE).unwrap();
    let tz = atalaia_client::format::DEFAULT_TZ;
    let delivered = atalaia_client::format::time(answer.delivered_at, tz);
    reg.wait_for(&format!("entregue {delivered} · não lida"), Duration::from_secs(5));
    reg.click("Ciente. Prossiga.");
    wait_until(Duration::from_secs(10), || {
        chat(&supervisor).iter().any(|m| m.text == "Ciente. Prossiga." && m.canned)
    });
    let read: Message = crew.post(&format!("/messages/{}/read", answer.id), json!({}));
    let read_at = atalaia_client::format::time(read.read_at.unwrap(), tz);
    reg.wait_for(&format!("entregue {delivered} · lida {read_at}"), Duration::from_secs(10));

    if std::env::var("ATALAIA_UI_SNAPSHOT").is_ok() {
        look(&server.base_url, false, &atalaia_console::text::tab_chat(0), "console-ocorrencia-chat");
    }

    // 12. The attendance report for the destination unit's reception: saved, and opened with the
    //     system's PDF viewer.
    reg.click(atalaia_console::text::TAB_RECORD);
    reg.click("Salvar relatório");
    let pdf = files.dir.join(format!("ocorrencia-{}.pdf", o.number));
    reg.wait_for(&format!("Salvo em {}", pdf.display()), Duration::from_secs(10));
    assert!(std::fs::read(&pdf).unwrap().starts_with(b"%PDF-"), "{}", pdf.display());
    reg.click("Abrir relatório");
    reg.wait_for(&format!("Aberto no programa do sistema: {}", pdf.display()), Duration::from_secs(10));
    assert_eq!(files.opened(), [saved, pdf]);
    reg.click(atalaia_console::text::TAB_REGULATION);

    // 13. Care has ended: the regulator closes the call with its outcome and reason — the cursor
    //     goes to it — and the ambulance is released.
    //     The outcome is one of the centre's (RFS036); what is typed completes it.
    reg.click(atalaia_console::text::CLOSE_OCCURRENCE);
    reg.click("Atendimento concluído com remoção");
    reg.type_text("Paciente entregue no Hospital João XXIII");
    reg.key(Key::Enter);
    reg.wait_for(&atalaia_console::text::occurrence_closed(&o.number), Duration::from_secs(10));
    let closed = occurrence(&supervisor).unwrap();
    assert_eq!(closed.phase, OccurrencePhase::Closed);
    assert_eq!(
        closed.closure.as_ref().map(|c| c.reason.as_str()),
        Some("Atendimento concluído com remoção — Paciente entregue no Hospital João XXIII")
    );
    let of_call: Vec<Dispatch> = block(fleet.get(&format!("/dispatches?occurrence_id={}", o.id))).unwrap();
    assert!(of_call.iter().all(|d| !d.active), "every vehicle released: {of_call:?}");

    // RFS133. Something learnt after closure is appended from the closed calls of the day; the
    //         record keeps what was there.
    reg.click(atalaia_console::text::SHOW_CLOSED);
    reg.click(COMPLAINT);
    reg.click(atalaia_console::text::TAB_RECORD);
    reg.type_text(ADDENDUM);
    reg.key(Key::Enter);
    reg.wait_for("Complemento acrescentado ao registro.", Duration::from_secs(10));
    reg.wait_for(&format!("Complemento de Dr. Paulo Lima: {ADDENDUM}"), Duration::from_secs(10));
    let after = occurrence(&supervisor).unwrap();
    assert_eq!(after.addenda.iter().map(|a| a.text.as_str()).collect::<Vec<_>>(), [ADDENDUM]);
    assert_eq!((after.phase, after.closure), (OccurrencePhase::Closed, closed.closure));
    snapshot(&mut reg, "console-tdc-13-complemento");

    // The record and the chat as the regulator saw them (for the docs).
    if std::env::var("ATALAIA_UI_SNAPSHOT").is_ok() {
        look(&server.base_url, true, atalaia_console::text::TAB_RECORD, "console-ocorrencia-registro");
    }
}
