//! Headless UI tests with `iced_test`'s simulator: the real dashboard and login views, built from a
//! live model filled through the same `update` path the live feed uses (no server, no mock).
//!
//! Run with `ICED_TEST_BACKEND=tiny-skia` so nothing depends on a GPU or Mesa's version. Set
//! `ATALAIA_UI_SNAPSHOT=/some/dir` to also write PNG snapshots of the screens (for a look, or for
//! docs/screenshots/); they are never compared, so fonts or renderer changes cannot fail a test.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use atalaia_client::{Api, LiveUpdate, format};
use atalaia_console::app::{App, BootConfig, Message as AppMessage, Screen, Shortcut};
use atalaia_console::pane::mapa::Region;
use atalaia_console::pane::{alarmes, atendimento, mapa};
use atalaia_console::screen::Session;
use atalaia_console::screen::dashboard::{Dashboard, Message};
use atalaia_console::screen::login;
use atalaia_core::alarm::{Alarm, AlarmKind, Subject};
use atalaia_core::auth::Role;
use atalaia_core::geom::LatLon;
use atalaia_core::ids::{DeviceId, OccurrenceId, PersonId, PositionId, UserId, VehicleId};
use atalaia_core::monitoring::{Device, DeviceKind, DeviceState, Person, Position, Regime};
use atalaia_core::samu::{
    CallType, Occurrence, OccurrencePhase, Priority, Telemetry, Vehicle, VehicleKind, VehicleStatus,
};
use atalaia_core::wire::{LiveMessage, LoginResponse, Snapshot, UserInfo};
use chrono::{DateTime, Duration, TimeZone, Utc};
use iced::{Element, Settings, Size};
use iced_test::Simulator;

const TITLES: [&str; 4] = ["Atendimento", "Fila de regulação", "Mapa da frota", "Alarmes"];

fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 22, 13, 30, 0).single().expect("valid")
}

fn user(role: Role) -> UserInfo {
    UserInfo {
        id: UserId::new(),
        username: "ana".into(),
        display_name: "Ana Souza".into(),
        role,
        profile: None,
        permissions: None,
        active: true,
        unit: None,
    }
}

fn session(role: Role) -> Session {
    let base = "http://127.0.0.1:9".to_owned();
    Session {
        api: Api::new(&base).expect("client"),
        base,
        token: "t".into(),
        user: user(role),
        site_tz: None,
    }
}

fn occurrence(number: &str, priority: Option<Priority>, minutes_ago: i64, municipality: &str) -> Occurrence {
    let created = now() - Duration::minutes(minutes_ago);
    let mut o = Occurrence::new(
        OccurrenceId::new(),
        number.into(),
        CallType::Atendimento,
        "Maria".into(),
        "(31) 98888-7777".into(),
        "Av. Afonso Pena, 1000".into(),
        municipality.into(),
        Some(LatLon { lat: -19.93, lon: -43.93 }),
        "Dor torácica há 30 minutos".into(),
        OccurrencePhase::Regulation,
        UserId::new(),
        created,
    );
    o.priority = priority;
    o
}

/// A small but complete picture: two queued calls, an ambulance, a monitored person with a bracelet
/// fix and an open strap-cut alarm about that person.
fn snapshot() -> (Snapshot, Alarm) {
    let person = Person {
        id: PersonId::new(),
        name: "João da Silva".into(),
        record: "0001234-56.2026.8.22.0001".into(),
        regime: Regime::SemiOpen,
        group: None,
        region: None,
        responsible: None,
        linked_person: None,
        personal: Default::default(),
        revision: Default::default(),
        created_at: now(),
        photo: None,
    };
    let device = Device {
        id: DeviceId::new(),
        imei: "358000000000001".into(),
        kind: DeviceKind::AnkleBracelet,
        state: DeviceState::Active,
        sim1: None,
        sim2: None,
        person_id: Some(person.id),
        vehicle_id: None,
        last_contact: Some(now()),
        battery_pct: Some(80.0),
        model: None,
        report_interval_s: None,
        history: Vec::new(),
        created_at: now(),
    };
    let fix = Position {
        id: PositionId::new(),
        device_id: device.id,
        person_id: Some(person.id),
        vehicle_id: None,
        fix_time: now(),
        recv_time: now(),
        at: LatLon { lat: -19.91, lon: -43.95 },
        speed_kmh: None,
        course_deg: None,
        accuracy_m: Some(8.0),
        altitude_m: None,
        battery_pct: Some(80.0),
        charging: Some(false),
    };
    let vehicle = Vehicle {
        id: VehicleId::new(),
        code: "USA-01".into(),
        kind: VehicleKind::Usa,
        status: VehicleStatus::EnRoute,
        base: "Base Centro".into(),
        municipality: "Belo Horizonte".into(),
        conveniado: false,
        device_id: None,
        telemetry: Telemetry {
            position: Some(LatLon { lat: -19.925, lon: -43.945 }),
            course_deg: 45.0,
            speed_kmh: 48.0,
            ..Telemetry::default()
        },
        updated_at: now(),
        crew: None,
    };
    let mut alarm = Alarm::new(AlarmKind::StrapCut, Subject::Person(person.id), None, now(), now());
    alarm.count = 3;
    let snapshot = Snapshot {
        seq: 42,
        occurrences: vec![
            occurrence("2026-000123", Some(Priority::Emergency), 12, "Belo Horizonte"),
            occurrence("2026-000124", None, 3, "Contagem"),
        ],
        vehicles: vec![vehicle],
        persons: vec![person],
        devices: vec![device],
        zones: Vec::new(),
        alarms: vec![alarm.clone()],
        positions: vec![fix],
        dispatches: Vec::new(),
        instance: String::new(),
    };
    (snapshot, alarm)
}

fn dashboard_with(snapshot: Snapshot, role: Role) -> Dashboard {
    let mut d = Dashboard::new(session(role), now(), format::DEFAULT_TZ);
    let _ = d.update(Message::Live(LiveUpdate::Connected { resumed: false }));
    let _ = d.update(Message::Live(LiveUpdate::Message(Box::new(LiveMessage::Snapshot(snapshot)))));
    d
}

fn simulator<'a, M>(element: impl Into<Element<'a, M>>) -> Simulator<'a, M> {
    Simulator::with_size(Settings::default(), Size::new(1366.0, 820.0), element)
}

/// Writes a PNG of the current screen when `ATALAIA_UI_SNAPSHOT` names a directory.
fn maybe_snapshot<M>(ui: &mut Simulator<'_, M>, name: &str) {
    let Ok(dir) = std::env::var("ATALAIA_UI_SNAPSHOT") else { return };
    let snapshot = ui.snapshot(&atalaia_console::theme::theme()).expect("snapshot");
    let path = std::path::Path::new(&dir).join(name);
    // matches_image writes the file when it is missing; remove old ones so it always rewrites.
    for entry in std::fs::read_dir(&dir).into_iter().flatten().flatten() {
        if entry.file_name().to_string_lossy().starts_with(name) {
            let _ = std::fs::remove_file(entry.path());
        }
    }
    assert!(snapshot.matches_image(&path).expect("write snapshot"));
}

#[test]
fn dashboard_shows_the_four_panes_and_the_queues() {
    let (snapshot, alarm) = snapshot();
    let dashboard = dashboard_with(snapshot, Role::Supervisor);
    let mut ui = simulator(dashboard.view());

    for title in TITLES {
        ui.find(title).unwrap_or_else(|e| panic!("pane title {title:?} missing: {e}"));
    }
    // Status strip.
    ui.find("Conectado").expect("link state");
    ui.find("seq 42").expect("last seq");
    ui.find("Ana Souza · Supervisor").expect("user and role");
    ui.find("22/11/2026 10:30:00").expect("clock in the site's zone");
    // Regulation queue rows: numbers, chips, waiting time.
    ui.find("2026-000123").expect("queued occurrence");
    ui.find("Vermelha — emergência").expect("priority chip");
    ui.find("Sem classificação").expect("unclassified chip");
    // 12 and 3 minutes are past the 2-minute limit of a red call and of an unclassified one:
    // it says so in words as well as in red.
    ui.find("! aguarda 12:00").expect("waiting time over the limit");
    ui.find("! aguarda 03:00").expect("waiting time of the unclassified call");
    // Alarm row: kind, person from the subject, raised time, repeats, state, action.
    ui.find("Rompimento da cinta").expect("alarm kind");
    ui.find("João da Silva").expect("person name");
    ui.find("22/11 10:30:00").expect("raised time");
    ui.find("×3").expect("repeat count");
    ui.find("Aberto").expect("alarm state");
    // Map region switches.
    ui.find("Belo Horizonte").expect("region button");
    ui.find("Porto Velho").expect("region button");
    maybe_snapshot(&mut ui, "dashboard");

    ui.click("Assumir").expect("claim button");
    let claims: Vec<_> = ui
        .into_messages()
        .filter(|m| matches!(m, Message::Alarmes(alarmes::Message::Claim(id)) if *id == alarm.id))
        .collect();
    assert_eq!(claims.len(), 1, "clicking Assumir claims that alarm");
}

#[test]
fn empty_dashboard_says_so_in_portuguese() {
    let dashboard = dashboard_with(Snapshot { seq: 1, ..Snapshot::default() }, Role::Tarm);
    let mut ui = simulator(dashboard.view());
    ui.find("Fila vazia").expect("empty regulation queue");
    ui.find("Nenhum alarme ativo").expect("empty alarm list");
    ui.find("Nenhuma chamada registrada").expect("empty call history");
    ui.find("Registrar e enviar à regulação (Ctrl+Enter)").expect("register button");
}

/// Issue 9: the version is in the "Sobre" box (and in `atalaia --version`).
#[test]
fn the_about_box_gives_the_version_and_the_server() {
    let mut dashboard = dashboard_with(Snapshot { seq: 1, ..Snapshot::default() }, Role::Tarm);
    let mut ui = simulator(dashboard.view());
    assert!(ui.find(format!("Atalaia {}", env!("CARGO_PKG_VERSION")).as_str()).is_err(), "closed at first");
    ui.click("Sobre").expect("about button");
    for m in ui.into_messages().collect::<Vec<_>>() {
        let _ = dashboard.update(m);
    }
    let mut ui = simulator(dashboard.view());
    ui.find(format!("Atalaia {}", env!("CARGO_PKG_VERSION")).as_str()).expect("version");
    ui.find("Servidor: http://127.0.0.1:9").expect("server");
    ui.find("Licença AGPL-3.0-or-later").expect("licence");
}

#[test]
fn registering_with_empty_fields_shows_the_validation_messages() {
    let mut dashboard = dashboard_with(Snapshot { seq: 1, ..Snapshot::default() }, Role::Tarm);
    let mut ui = simulator(dashboard.view());
    ui.click("Registrar e enviar à regulação (Ctrl+Enter)").expect("register button");
    let messages: Vec<_> = ui.into_messages().collect();
    assert!(messages.iter().any(|m| matches!(m, Message::Atendimento(atendimento::Message::Submit))));
    for m in messages {
        let _ = dashboard.update(m);
    }
    let mut ui = simulator(dashboard.view());
    ui.find("Corrija os campos indicados.").expect("form banner");
    ui.find("Telefone do solicitante é obrigatório.").expect("phone error from NewOccurrence::validate");
    ui.find("Endereço é obrigatório.").expect("address error");
    ui.find("Registrar e enviar à regulação (Ctrl+Enter)")
        .expect("button still visible with the errors shown");
    maybe_snapshot(&mut ui, "atendimento-erros");
}

#[test]
fn login_screen_shows_server_failure_and_demo_hint() {
    let failed = login::Login::new(Err("porta 8080 em uso".into()), None);
    let mut ui = simulator(failed.view());
    ui.find("Não foi possível iniciar o servidor local: porta 8080 em uso").expect("startup error");
    ui.find("Entrar").expect("login button");

    let config = BootConfig {
        server: Ok("http://127.0.0.1:8080".into()),
        demo_login: Some(("demo".into(), "demo123".into())),
        demo: true,
        ..BootConfig::default()
    };
    let demo = login::Login::new(config.server.clone(), config.hint());
    let mut ui = simulator(demo.view());
    ui.find("Modo demonstração — usuário: demo  ·  senha: demo123").expect("demo hint");
    ui.find("Servidor: http://127.0.0.1:8080").expect("server line");
    maybe_snapshot(&mut ui, "login");
}

#[test]
fn demo_credentials_are_prefilled_but_a_first_run_password_is_not() {
    let demo = BootConfig {
        server: Ok("http://127.0.0.1:9".into()),
        demo_login: Some(("supervisor".into(), "atalaia-demo".into())),
        demo: true,
        ..BootConfig::default()
    };
    let (app, _) = App::boot(demo.clone());
    let Screen::Login(login) = app.screen() else { panic!("login first") };
    assert_eq!(login.username(), "supervisor");

    let first_run = BootConfig { demo: false, ..demo };
    let (app, _) = App::boot(first_run);
    let Screen::Login(login) = app.screen() else { panic!("login first") };
    assert_eq!(login.username(), "", "the first-run administrator is shown, never typed in for you");
}

#[test]
fn login_switches_to_the_dashboard_and_logout_back() {
    let config = BootConfig { server: Ok("http://127.0.0.1:9".into()), ..BootConfig::default() };
    let (mut app, _) = App::boot(config);
    assert!(matches!(app.screen(), Screen::Login(_)));
    let response = LoginResponse {
        token: "t".into(),
        expires_at: now() + Duration::hours(8),
        user: user(Role::Tarm),
        password_expired: false,
        must_change_password: false,
        site_timezone: None,
    };
    let _ = app.update(AppMessage::Login(login::Message::Answered(Ok(response))));
    assert!(matches!(app.screen(), Screen::Dashboard(_)));
    {
        let mut ui = simulator(app.view());
        for title in TITLES {
            ui.find(title).unwrap_or_else(|e| panic!("pane title {title:?} missing: {e}"));
        }
        ui.find("Conectando…").expect("link state before the feed answers");
    }

    // Ctrl+Enter reaches the call-taking form from anywhere on the dashboard.
    let _ = app.update(AppMessage::Shortcut(Shortcut::Register));
    {
        let mut ui = simulator(app.view());
        ui.find("Corrija os campos indicados.").expect("Ctrl+Enter validated the form");
    }

    let _ = app.update(AppMessage::Dashboard(Message::Live(LiveUpdate::Unauthorized)));
    assert!(matches!(app.screen(), Screen::Login(_)));
    let mut ui = simulator(app.view());
    ui.find("Sua sessão expirou. Entre novamente.").expect("expiry notice");
}

/// The site's time zone is the server's to say: a Porto Velho central's console shows Porto
/// Velho's time without a flag on each workstation — and a workstation that names its own keeps it.
#[test]
fn the_console_shows_times_in_the_sites_zone_as_the_server_says_at_login() {
    let login_as = |workstation: Option<chrono_tz::Tz>, site: Option<&str>| {
        let config =
            BootConfig { server: Ok("http://127.0.0.1:9".into()), tz: workstation, ..BootConfig::default() };
        let (mut app, _) = App::boot(config);
        let response = LoginResponse {
            token: "t".into(),
            expires_at: now() + Duration::hours(8),
            user: user(Role::MonitoringOperator),
            password_expired: false,
            must_change_password: false,
            site_timezone: site.map(str::to_owned),
        };
        let _ = app.update(AppMessage::Login(login::Message::Answered(Ok(response))));
        let Screen::Dashboard(d) = app.screen() else { panic!("logged in") };
        d.tz()
    };
    assert_eq!(login_as(None, Some("America/Porto_Velho")), chrono_tz::America::Porto_Velho);
    assert_eq!(login_as(None, None), chrono_tz::America::Sao_Paulo, "an older server: the default");
    assert_eq!(login_as(None, Some("Lua/Crateras")), chrono_tz::America::Sao_Paulo, "an unknown name");
    assert_eq!(
        login_as(Some(chrono_tz::America::Manaus), Some("America/Porto_Velho")),
        chrono_tz::America::Manaus,
        "the workstation's own setting wins"
    );
}

/// 16.2.7, 27.10.9: the link in a notification e-mail (`atalaia://alarme/ID`) opens the console
/// on that alarm once the operator has logged in — before the live feed has even brought it.
#[test]
fn req_16_2_7_a_notification_link_opens_its_alarm_after_login() {
    let (snapshot, alarm) = snapshot();
    let link = atalaia_core::notify::console_link(alarm.id);
    let config = BootConfig {
        server: Ok("http://127.0.0.1:9".into()),
        open_alarm: atalaia_core::notify::parse_console_link(&link),
        ..BootConfig::default()
    };
    let (mut app, _) = App::boot(config);
    let response = LoginResponse {
        token: "t".into(),
        expires_at: now() + Duration::hours(8),
        user: user(Role::MonitoringOperator),
        password_expired: false,
        must_change_password: false,
        site_timezone: None,
    };
    let _ = app.update(AppMessage::Login(login::Message::Answered(Ok(response))));
    let _ = app.update(AppMessage::Dashboard(Message::Live(LiveUpdate::Connected { resumed: false })));
    let feed = LiveUpdate::Message(Box::new(LiveMessage::Snapshot(snapshot)));
    let _ = app.update(AppMessage::Dashboard(Message::Live(feed)));
    let _ = app.update(AppMessage::Tick);
    let Screen::Dashboard(d) = app.screen() else { panic!("logged in") };
    let focus = d.map().focused().expect("the linked alarm is open and pointed out on the map");
    assert!(focus.label.starts_with("João da Silva · "), "{}", focus.label);
    let mut ui = simulator(app.view());
    ui.find(atalaia_core::text::alarm_kind(alarm.kind)).expect("the alarm's card");
}

#[test]
fn map_region_buttons_switch_the_region() {
    let (snapshot, _) = snapshot();
    let mut dashboard = dashboard_with(snapshot, Role::MonitoringOperator);
    let mut ui = simulator(dashboard.view());
    ui.click("Porto Velho").expect("region button");
    let messages: Vec<_> = ui.into_messages().collect();
    assert!(messages.iter().any(|m| matches!(
        m,
        Message::Mapa(mapa::Message::Viewport(mapa::viewport::Message::Region(Region::PortoVelho)))
    )));
    for m in messages {
        let _ = dashboard.update(m);
    }
    assert_eq!(dashboard.map_region(), Region::PortoVelho);
    let mut ui = simulator(dashboard.view());
    ui.find("Belo Horizonte").expect("the other region is still offered");
    maybe_snapshot(&mut ui, "monitoramento");
}

/// Seed 004 RFS130, seed 003 video wall: the wall display with seeded data shows the KPI tiles,
/// the queue, the map and the open alarms in large type, and long lists page by themselves.
#[test]
fn wall_display_renders_kpis_queue_map_and_alarms() {
    let (mut snapshot, _) = snapshot();
    let mut free = snapshot.vehicles[0].clone();
    free.id = VehicleId::new();
    free.code = "USB-07".into();
    free.kind = VehicleKind::Usb;
    free.status = VehicleStatus::Available;
    snapshot.vehicles.push(free);
    // Twelve more calls: the queue needs two pages at eight rows each.
    for i in 0..12 {
        snapshot.occurrences.push(occurrence(
            &format!("2026-0002{i:02}"),
            Some(Priority::Urgent),
            20 + i,
            "Contagem",
        ));
    }
    let mut dashboard = Dashboard::new(session(Role::Supervisor), now(), format::DEFAULT_TZ).with_wall(true);
    let _ = dashboard.update(Message::Live(LiveUpdate::Connected { resumed: false }));
    let _ = dashboard.update(Message::Live(LiveUpdate::Message(Box::new(LiveMessage::Snapshot(snapshot)))));
    let _ = dashboard.tick(now() + Duration::minutes(5));

    let mut ui = Simulator::with_size(Settings::default(), Size::new(1920.0, 1080.0), dashboard.view());
    ui.find("Atalaia — painel da central").expect("wall title");
    ui.find("22/11/2026 10:35:00").expect("clock, dd/mm/aaaa 24 h in the site's zone");
    ui.find("Chamadas aguardando").expect("calls tile");
    ui.find("14").expect("14 calls waiting");
    ui.find("Viaturas livres").expect("vehicles tile");
    ui.find("USA 0 · USB 1 · Motolância 0 · VIR 0").expect("free vehicles by type");
    ui.find("Alarmes abertos").expect("alarms tile");
    ui.find("1 crítica").expect("open alarms by severity");
    ui.find("Alarme mais antigo sem operador").expect("oldest unclaimed tile");
    ui.find("05:00").expect("the strap cut has waited five minutes");
    ui.find("Fila de regulação").expect("queue panel");
    ui.find("página 1/2").expect("the queue pages by itself");
    ui.find("Rompimento da cinta").expect("alarm row");
    ui.find("sem operador").expect("nobody took it");
    ui.find("Livre").expect("the map's legend");
    assert!(ui.find("Ajustar").is_err(), "no map tools on a wall nobody touches");
    assert!(ui.find("Sair").is_err(), "no buttons an unattended wall would need");
    maybe_snapshot(&mut ui, "wall");
    drop(ui);

    // Ten seconds later the queue shows its second page.
    let _ = dashboard.tick(now() + Duration::minutes(5) + Duration::seconds(10));
    let mut ui = Simulator::with_size(Settings::default(), Size::new(1920.0, 1080.0), dashboard.view());
    ui.find("página 2/2").expect("second page after the cycle");
    assert!(dashboard.sound().current().is_none(), "the wall never sounds");
}

/// Issue 6 item 3: selecting an occurrence in the queue or an alarm in the alarm list points it
/// out on the map — the region that holds it, a ring and what it is — and going back to the
/// list takes the ring away.
#[test]
fn selecting_an_occurrence_or_an_alarm_focuses_the_map() {
    use atalaia_console::pane::regulacao;
    let (snapshot, alarm) = snapshot();
    let occ = snapshot.occurrences[0].clone();
    let snapshot_fix = snapshot.positions[0].clone();
    let fix = snapshot_fix.at;
    let mut d = dashboard_with(snapshot, Role::Supervisor);
    assert_eq!(d.map().focused(), None);

    let _ = d.update(Message::Regulacao(regulacao::Message::Selected(occ.id)));
    assert_eq!(
        d.map().focused(),
        Some(&mapa::Focus { at: occ.location.expect("located"), label: occ.number.clone() })
    );
    assert_eq!(d.map_region(), mapa::Region::BeloHorizonte);

    let _ = d.update(Message::Alarmes(alarmes::Message::Select(alarm.id)));
    let focus = d.map().focused().expect("the alarm is pointed out").clone();
    assert_eq!(focus.at, fix, "the person's last fix");
    assert!(focus.label.starts_with("João da Silva · "), "{}", focus.label);

    // The person moves: at the next tick the ring follows.
    let mut moved = snapshot_fix.clone();
    moved.id = PositionId::new();
    moved.at = LatLon { lat: -19.905, lon: -43.955 };
    moved.fix_time = now() + Duration::seconds(30);
    let event = atalaia_core::wire::LiveEvent {
        seq: 43,
        at: moved.fix_time,
        body: atalaia_core::wire::EventBody::Position(moved.clone()),
    };
    let _ = d.update(Message::Live(LiveUpdate::Message(Box::new(LiveMessage::Event(event)))));
    let _ = d.tick(now() + Duration::seconds(31));
    assert_eq!(d.map().focused().map(|f| f.at), Some(moved.at), "the ring follows the new fix");

    // Putting the alarm away hands the ring back to the occurrence still open.
    let _ = d.update(Message::Alarmes(alarmes::Message::Back));
    assert_eq!(d.map().focused().map(|f| f.label.as_str()), Some(occ.number.as_str()));
    let _ = d.update(Message::Regulacao(regulacao::Message::Back));
    assert_eq!(d.map().focused(), None, "back to the lists: no ring");
}

/// RNF06 item 3: text at 200 % (Ctrl+= up to 2.0 scales the whole interface, so the console lays
/// out in half the logical space: 683 × 410 for its 1366 × 820 window) does not break the
/// layout — the header wraps instead of pushing the clock and "Sair" out of the window, every
/// pane keeps its title, and the queue's timers stay inside their pane.
#[test]
fn at_200_percent_nothing_leaves_the_window() {
    let (snapshot, _) = snapshot();
    for role in [Role::Supervisor, Role::Regulator, Role::Tarm] {
        let dashboard = dashboard_with(snapshot.clone(), role);
        let (w, h) = (1366.0 / 2.0, 820.0 / 2.0);
        let mut ui = Simulator::with_size(Settings::default(), Size::new(w, h), dashboard.view());
        // `scrolls`: inside a scrollable list, so only sideways matters.
        let mut inside = |label: &str, scrolls: bool| {
            let target = ui.find(label).unwrap_or_else(|e| panic!("{role:?}: {label:?} missing: {e}"));
            let b = target.bounds();
            assert!(b.x >= 0.0 && b.x + b.width <= w + 0.5, "{role:?}: {label:?} sticks out sideways: {b:?}");
            assert!(scrolls || b.y + b.height <= h + 0.5, "{role:?}: {label:?} is below the window: {b:?}");
        };
        inside("Sair", false);
        inside("22/11/2026 10:30:00", false);
        for title in TITLES {
            inside(title, false);
        }
        inside("! aguarda 12:00", true);
        maybe_snapshot(&mut ui, &format!("scale-200-{role:?}").to_lowercase());
    }
}

/// RFS115: the TARM marks the call's place on the map: "Marcar no mapa", a click on the map, and
/// the form says where (the map rings it); the call then carries those coordinates.
#[test]
fn rfs115_the_call_place_is_picked_on_the_map() {
    let mut dashboard = dashboard_with(Snapshot { seq: 1, ..Snapshot::default() }, Role::Tarm);
    let mut ui = simulator(dashboard.view());
    ui.click(atalaia_console::text::PICK_ON_MAP).expect("pick button");
    for m in ui.into_messages().collect::<Vec<_>>() {
        let _ = dashboard.update(m);
    }
    assert!(dashboard.map().picking(), "the map waits for the click");
    let mut ui = simulator(dashboard.view());
    ui.find(atalaia_console::text::PICK_CALL_PLACE).expect("the hint over the map");
    // A click in the middle of the map pane (right half, upper part of the window).
    ui.point_at(iced::Point::new(1080.0, 360.0));
    let _ = ui.simulate(iced_test::simulator::click());
    let messages: Vec<_> = ui.into_messages().collect();
    assert!(messages.iter().any(|m| matches!(m, Message::Mapa(mapa::Message::Click(_)))), "{messages:?}");
    for m in messages {
        let _ = dashboard.update(m);
    }
    assert!(!dashboard.map().picking(), "one click, one place");
    let focus = dashboard.map().focused().expect("the call's place is ringed");
    assert_eq!(focus.label, atalaia_console::text::CALL_BEING_TAKEN);
    // Belo Horizonte's region is on the map: the place is near it.
    assert!((focus.at.lat + 19.9).abs() < 0.5 && (focus.at.lon + 43.95).abs() < 0.5, "{:?}", focus.at);
    let mut ui = simulator(dashboard.view());
    ui.find(atalaia_console::text::call_place(focus.at.lat, focus.at.lon, "marcado no mapa").as_str())
        .expect("the form says where");
    maybe_snapshot(&mut ui, "atendimento-local-no-mapa");
}

/// Issue 21 item 3: the fleet controller dispatches from the map — a call picked on the map
/// offers "Escolher viatura no mapa"; a vehicle picked then offers "Despachar USA-01 para …",
/// which commits it (into this console's outbox, on its way to the server).
#[test]
fn a_fleet_controller_dispatches_from_the_map() {
    use atalaia_console::pane::mapa::Picked;
    let data = tempfile::tempdir().expect("dir");
    let (mut snapshot, _) = snapshot();
    snapshot.vehicles[0].status = VehicleStatus::Available;
    let vehicle = snapshot.vehicles[0].clone();
    let mut d = Dashboard::new(session(Role::FleetController), now(), format::DEFAULT_TZ)
        .with_offline(Some(data.path()), "central");
    let _ = d.update(Message::Live(LiveUpdate::Connected { resumed: false }));
    let _ = d.update(Message::Live(LiveUpdate::Message(Box::new(LiveMessage::Snapshot(snapshot)))));
    // The first frame tells the map its size.
    drop(simulator(d.view()));
    let click = |d: &mut Dashboard, at: LatLon| {
        let (x, y) = d.map().view_now().project(at);
        let _ = d.update(Message::Mapa(mapa::Message::Click(iced::Point::new(x as f32, y as f32))));
    };
    click(&mut d, LatLon { lat: -19.93, lon: -43.93 });
    let Some(Picked::Occurrence(call)) = d.map().picked() else {
        panic!("a call picked: {:?}", d.map().picked())
    };
    let number = d.model().occurrences[&call].number.clone();
    let mut ui = simulator(d.view());
    ui.click(atalaia_console::text::CHOOSE_VEHICLE).expect("the call offers its vehicle");
    for m in ui.into_messages().collect::<Vec<_>>() {
        let _ = d.update(m);
    }
    assert_eq!(d.map().dispatching_for(), Some(call));
    {
        let mut ui = simulator(d.view());
        ui.find(atalaia_console::text::choose_vehicle(&number).as_str()).expect("the hint over the map");
    }
    click(&mut d, vehicle.telemetry.position.expect("where"));
    assert_eq!(d.map().picked(), Some(Picked::Vehicle(vehicle.id)));
    let mut ui = simulator(d.view());
    ui.click(atalaia_console::text::dispatch_to("USA-01", &number).as_str()).expect("dispatch button");
    maybe_snapshot(&mut ui, "mapa-despacho");
    for m in ui.into_messages().collect::<Vec<_>>() {
        let _ = d.update(m);
    }
    assert_eq!(d.map().dispatching_for(), None, "done choosing");
    let seat = atalaia_client::seat::dir(data.path(), "central", &user(Role::FleetController).username);
    let queued = atalaia_client::outbox::Outbox::open(&atalaia_client::seat::outbox_file(&seat))
        .expect("outbox")
        .entries()
        .expect("entries");
    assert!(
        queued.iter().any(|e| matches!(&e.command, atalaia_client::outbox::Command::Dispatch(n)
            if n.occurrence_id == call && n.vehicle_id == vehicle.id)),
        "{queued:?}"
    );
}

/// RFS115: a click waited for on the map belongs to the call being typed — a new call (F2 twice,
/// or a registration) or typed coordinates stop the wait.
#[test]
fn rfs115_the_map_stops_waiting_for_the_place_when_the_call_ends() {
    let mut d = dashboard_with(Snapshot { seq: 1, ..Snapshot::default() }, Role::Tarm);
    let _ = d.update(Message::Atendimento(atendimento::Message::Phone("(31) 98888-7777".into())));
    let _ = d.update(Message::Atendimento(atendimento::Message::PickOnMap));
    assert!(d.map().picking());
    let _ = d.update(Message::Atendimento(atendimento::Message::CallerName("Ana".into())));
    assert!(d.map().picking(), "still this call's");
    let _ = d.update(Message::Atendimento(atendimento::Message::Clear));
    let _ = d.update(Message::Atendimento(atendimento::Message::Clear));
    assert!(!d.map().picking(), "the call was discarded");
    let _ = d.update(Message::Atendimento(atendimento::Message::Phone("(31) 98888-7777".into())));
    let _ = d.update(Message::Atendimento(atendimento::Message::PickOnMap));
    let _ = d.update(Message::Atendimento(atendimento::Message::Coordinates("-19,9 -43,9".into())));
    assert!(!d.map().picking(), "typed coordinates win");
}

/// RFS131: on a call two regulators work on, the regulator's detail says who else is there, as
/// which regulator, and what they did last.
#[test]
fn rfs131_a_regulator_sees_the_other_regulators_of_the_call() {
    use atalaia_console::pane::regulacao;
    use atalaia_core::samu::{Change, RegulatorStage};
    let (mut snapshot, _) = snapshot();
    let change = |name: &str, stage, field: &str, min| Change {
        at: now() - Duration::minutes(min),
        by: UserId::new(),
        by_name: name.into(),
        stage: Some(stage),
        field: field.into(),
        from: None,
        to: "emergency".into(),
        reason: String::new(),
    };
    snapshot.occurrences[0].history = vec![
        change("Dra. Helena Dias", RegulatorStage::Primary, "priority", 6),
        change("Dr. Otávio Reis", RegulatorStage::Secondary, "priority", 2),
    ];
    let id = snapshot.occurrences[0].id;
    let mut d = dashboard_with(snapshot, Role::Regulator);
    let _ = d.update(Message::Regulacao(regulacao::Message::Selected(id)));
    let mut ui = simulator(d.view());
    assert!(ui.find("Reguladores nesta ocorrência").is_ok());
    let at = |min| format::hour_minute(now() - Duration::minutes(min), format::DEFAULT_TZ);
    for line in [
        format!("Dr. Otávio Reis (regulador secundário): 1 alteração, a última em prioridade às {}", at(2)),
        format!("Dra. Helena Dias (regulador primário): 1 alteração, a última em prioridade às {}", at(6)),
    ] {
        assert!(ui.find(line.as_str()).is_ok(), "{line}");
    }
}
