//! The administration screen at the console (issue 22 item 2; Anexo III 2.7, 2.12): a monitoring
//! administrator registers a person and two bracelets into stock, fits one on the person, sees
//! that the person is no longer offered for a second bracelet, and swaps the bracelet for the
//! spare when it breaks — against a real embedded server, which ends with the same story.
//!
//! Run with `ICED_TEST_BACKEND=tiny-skia` (no GPU, no X server).

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use atalaia_core::monitoring::{Device, DeviceState, Person};
use iced_test::instruction::Key;
use std::time::Duration;
use support::{Console, api_as, block, demo_server, kiosk};

const NAME: &str = "Ivo Rangel Souza";
const RECORD: &str = "0004512-12.2026.8.22.0001";
const FIRST: &str = "864999000000412";
const SPARE: &str = "864999000000413";

fn device(admin: &atalaia_client::Api, imei: &str) -> Device {
    let all: Vec<Device> = block(admin.get("/devices")).unwrap();
    all.into_iter().find(|d| d.imei == imei).unwrap_or_else(|| panic!("{imei} not on the server"))
}

#[test]
fn iii_2_12_an_administrator_registers_fits_and_swaps_a_bracelet_at_the_console() {
    let (_dir, server) = demo_server();
    let admin = block(api_as(&server.base_url, "admmon"));
    let mut ui = Console::start(atalaia_console::application(kiosk(&server.base_url, "admmon")));
    ui.wait_for("Conectado", Duration::from_secs(20));
    ui.click("Cadastros");
    ui.wait_for("Pessoas", Duration::from_secs(5));

    // A new person: the cursor goes to the name; Enter registers.
    ui.click("Novo cadastro");
    ui.wait_for("Cadastrar", Duration::from_secs(5));
    // Each form's focus task runs before anything is typed (a busy machine lags behind the view).
    ui.settle(Duration::from_millis(300));
    ui.key(Key::Enter);
    ui.wait_for("Nome é obrigatório.", Duration::from_secs(5));
    ui.type_text(NAME);
    ui.click("Número do processo");
    ui.type_text(RECORD);
    ui.key(Key::Enter);
    ui.wait_for("Nenhum dispositivo ativo.", Duration::from_secs(10));
    let people: Vec<Person> = block(admin.get("/persons")).unwrap();
    let person = people.iter().find(|p| p.name == NAME).expect("registered on the server").clone();
    assert_eq!(person.record, RECORD);

    // Two bracelets into stock.
    ui.click("Dispositivos");
    for imei in [FIRST, SPARE] {
        ui.click("Novo dispositivo");
        ui.wait_for("Cadastrar em estoque", Duration::from_secs(5));
        ui.settle(Duration::from_millis(300));
        ui.type_text(imei);
        ui.key(Key::Enter);
        ui.wait_for("Sem mudanças desde o cadastro.", Duration::from_secs(10));
        assert_eq!(device(&admin, imei).state, DeviceState::Stock);
    }

    // The first one fitted on the person (the demo's 56 devices filtered out by the search).
    ui.click("Buscar por nome, processo, grupo, IMEI, chip…");
    ui.type_text("86499900000041");
    ui.wait_for("2 dispositivo(s)", Duration::from_secs(5));
    ui.click(FIRST);
    ui.click("Ativar / instalar");
    ui.settle(Duration::from_millis(300));
    ui.type_text("rangel");
    let choice = format!("{NAME} ({RECORD})");
    ui.click(&choice);
    ui.wait_for(&format!("Escolhido: {NAME}"), Duration::from_secs(5));
    ui.key(Key::Enter);
    ui.wait_for(&format!("Portador: {NAME}"), Duration::from_secs(10));
    let fitted = device(&admin, FIRST);
    assert_eq!((fitted.state, fitted.person_id), (DeviceState::Active, Some(person.id)));

    // Someone who wears a bracelet is not offered for another one.
    ui.click(SPARE);
    ui.click("Ativar / instalar");
    ui.settle(Duration::from_millis(300));
    ui.type_text("rangel");
    assert!(!ui.sees(&choice), "a person with an active bracelet is not offered a second one");
    ui.click("Cancelar");

    // The bracelet breaks: replaced by the spare, with the reason.
    ui.click(FIRST);
    ui.click("Substituir");
    ui.click(&format!("{SPARE} · em estoque"));
    ui.click("Confirmar");
    ui.wait_for("Motivo é obrigatório.", Duration::from_secs(5));
    ui.type_text("Bateria não carrega");
    ui.key(Key::Enter);
    ui.wait_for("Reparado / achado", Duration::from_secs(10));
    let (old, spare) = (device(&admin, FIRST), device(&admin, SPARE));
    assert_eq!((old.state, old.person_id), (DeviceState::Defective, None));
    assert_eq!((spare.state, spare.person_id), (DeviceState::Active, Some(person.id)));
    assert_eq!(old.history.last().map(|s| s.reason.as_str()), Some("Bateria não carrega"));

    // III-2.27: a discreet alert to the wearer (only the bracelet's light), from the device.
    ui.click(SPARE);
    ui.click(atalaia_console::text::CMD_DISCREET);
    let spare_id = device(&admin, SPARE).id;
    let sent: Vec<atalaia_core::command::DeviceCommand> = support::wait_until(|| {
        let c: Vec<atalaia_core::command::DeviceCommand> =
            block(admin.get(&format!("/devices/{spare_id}/commands"))).unwrap();
        (!c.is_empty()).then_some(c)
    });
    assert_eq!(
        sent[0].kind,
        atalaia_core::command::CommandKind::Alert { visual: true, vibration: false, sound: false }
    );
    ui.wait_for(
        &atalaia_console::text::command_line(
            atalaia_console::text::CMD_DISCREET,
            &atalaia_client::format::time(sent[0].created_at, atalaia_client::format::DEFAULT_TZ),
            atalaia_console::text::COMMAND_QUEUED,
        ),
        Duration::from_secs(10),
    );

    // The person's record tells the same story.
    ui.click("Pessoas");
    ui.click(NAME);
    ui.wait_for(&format!("Tornozeleira {SPARE} — ativo"), Duration::from_secs(5));

    ui.click("Dispositivos");
    ui.click(FIRST);
    ui.wait_for("Reparado / achado", Duration::from_secs(5));
    if std::env::var("ATALAIA_UI_SNAPSHOT").is_ok() {
        ui.screenshot("console-cadastros-dispositivos");
    }
}

/// A 480 × 640 picture (a face-sized gradient: enough to see it is shown, scaled, the right way up).
fn portrait() -> Vec<u8> {
    let img = image::RgbImage::from_fn(480, 640, |x, y| {
        let d = ((x as i32 - 240).pow(2) + (y as i32 - 260).pow(2)) as f32;
        if d < 150.0_f32.powi(2) { image::Rgb([224, 172, 105]) } else { image::Rgb([40, 70, (y / 3) as u8]) }
    });
    let mut out = std::io::Cursor::new(Vec::new());
    img.write_to(&mut out, image::ImageFormat::Png).unwrap();
    out.into_inner()
}

#[test]
fn iii_2_21_an_administrator_sends_a_persons_photo_from_the_console_and_it_is_shown() {
    let (dir, server) = demo_server();
    let admin = block(api_as(&server.base_url, "admmon"));
    let person: Person = block(admin.post(
        "/persons",
        &atalaia_core::wire::NewPerson {
            id: None,
            name: "Rosa Amélia Lima".into(),
            record: "0007781-21.2026.8.22.0001".into(),
            regime: atalaia_core::monitoring::Regime::HouseArrest,
            group: Some("Regional Norte".into()),
            region: None,
            responsible: Some("Defensoria Pública".into()),
            linked_person: None,
            personal: Default::default(),
            revision: Default::default(),
        },
    ))
    .unwrap();
    let (good, bad) = (dir.path().join("rosa.png"), dir.path().join("rosa.txt"));
    std::fs::write(&good, portrait()).unwrap();
    std::fs::write(&bad, "não é uma foto").unwrap();

    let mut ui = Console::start(atalaia_console::application(kiosk(&server.base_url, "admmon")));
    ui.wait_for("Conectado", Duration::from_secs(20));
    ui.click("Cadastros");
    ui.wait_for("Pessoas", Duration::from_secs(5));
    ui.type_text("rosa amelia");
    ui.click("Rosa Amélia Lima");
    ui.wait_for("sem foto", Duration::from_secs(5));

    // A file that is not a photo is refused before anything is sent.
    ui.click("Arquivo da foto (JPEG ou PNG) — ou arraste-o para a janela");
    ui.type_text(&bad.display().to_string());
    ui.key(Key::Enter);
    ui.wait_for("O arquivo não é uma foto JPEG ou PNG.", Duration::from_secs(5));
    for _ in bad.display().to_string().chars() {
        ui.key(Key::Backspace);
    }
    ui.type_text(&good.display().to_string());
    ui.key(Key::Enter);
    ui.wait_for("Foto enviada.", Duration::from_secs(10));
    let stored: Person = block(admin.get(&format!("/persons/{}", person.id))).unwrap();
    let photo = stored.photo.expect("the server has the photo");
    assert_eq!((photo.width, photo.height, photo.by.as_str()), (480, 640, "Rafael Costa"));
    let bytes = block(admin.get_bytes(&format!("/persons/{}/photo", person.id))).unwrap();
    assert_eq!(bytes, std::fs::read(&good).unwrap(), "stored as sent");
    ui.wait_for(
        &format!(
            "Foto de {} por Rafael Costa (480 × 640)",
            atalaia_client::format::day_time(photo.at, atalaia_client::format::DEFAULT_TZ)
        ),
        Duration::from_secs(5),
    );
    // Shown, not "loading": the console fetched it (an audited viewing).
    ui.settle(Duration::from_millis(500));
    assert!(!ui.sees("Carregando foto…") && !ui.sees("sem foto"), "the photo replaced the initials");
    let auditor = block(api_as(&server.base_url, "auditor"));
    let views: Vec<atalaia_core::wire::AuditEntry> =
        block(auditor.get("/audit?action=person.photo.view&limit=10")).unwrap();
    assert!(views.iter().any(|e| e.target == person.id.to_string() && e.username == "admmon"));
    if std::env::var("ATALAIA_UI_SNAPSHOT").is_ok() {
        ui.screenshot("console-cadastro-foto");
    }
}

/// RFS173, RFS174: an auditor searches the trail at the console by text and kind of action and
/// reads who did what, from which address and by which route.
#[test]
fn rfs173_an_auditor_searches_the_audit_trail_at_the_console() {
    let (_dir, server) = demo_server();
    let admin = block(api_as(&server.base_url, "admmon"));
    let person: Person = block(admin.post(
        "/persons",
        &atalaia_core::wire::NewPerson {
            id: None,
            name: "Teodoro Vilas Boas".into(),
            record: "0008801-33.2026.8.22.0001".into(),
            regime: atalaia_core::monitoring::Regime::Open,
            group: None,
            region: None,
            responsible: None,
            linked_person: None,
            personal: Default::default(),
            revision: Default::default(),
        },
    ))
    .unwrap();

    let mut ui = Console::start(atalaia_console::application(kiosk(&server.base_url, "auditor")));
    ui.wait_for("Conectado", Duration::from_secs(20));
    ui.click("Cadastros");
    ui.click("Auditoria");
    ui.wait_for("Buscar", Duration::from_secs(5));
    // A kind of action: the logins, each with its address and route.
    ui.click("person, zone, login…");
    ui.type_text("login");
    ui.key(Key::Enter);
    ui.wait_for("POST /api/v1/auth/login", Duration::from_secs(10));
    assert!(ui.sees("auditor"), "this console's own login is there");
    // Text as anyone would type it (case, accents), with the kind still set: nothing.
    ui.click("Nome, processo, placa, o que foi feito…");
    ui.type_text("teodoro vilas");
    ui.key(Key::Enter);
    ui.wait_for("Nenhum registro encontrado.", Duration::from_secs(10));
    // The kind cleared (Tab to it, past the user): the registration, who, from where, how.
    ui.key(Key::Tab);
    ui.key(Key::Tab);
    for _ in "login".chars() {
        ui.key(Key::Backspace);
    }
    ui.key(Key::Enter);
    ui.wait_for("1 registro(s)", Duration::from_secs(10));
    assert!(ui.sees("person.create"));
    assert!(ui.sees("admmon"));
    assert!(ui.sees("127.0.0.1"));
    assert!(ui.sees("POST /api/v1/persons"));
    assert!(ui.sees(&format!("{} — Teodoro Vilas Boas", person.id)));
    if std::env::var("ATALAIA_UI_SNAPSHOT").is_ok() {
        ui.screenshot("console-auditoria");
    }
}

/// RFS170, RFS171: an administrator reads a user's permission report, gives them another
/// profile and lifts a login block with the reason — at the console, against a real server.
#[test]
fn rfs170_an_administrator_gives_a_profile_and_unlocks_a_user_at_the_console() {
    let (_dir, server) = demo_server();
    let admin = block(api_as(&server.base_url, "admin"));
    // A profile defined at run time: looking people and the audit up, nothing else.
    let made: atalaia_core::auth::Profile = block(admin.post(
        "/profiles",
        &serde_json::json!({"id": "consulta-geral", "name": "Consulta geral", "base": "monitoring_operator",
            "permissions": ["person_read", "audit_read"]}),
    ))
    .unwrap();
    assert_eq!(made.permissions.len(), 2);
    let mut ui = Console::start(atalaia_console::application(kiosk(&server.base_url, "admin")));
    ui.wait_for("Conectado", Duration::from_secs(20));
    ui.click("Cadastros");
    ui.click("Usuários");
    ui.wait_for("Joana Rocha", Duration::from_secs(10));
    ui.click("Joana Rocha");
    // The report: what the operator's profile grants and what it does not.
    ui.wait_for("✓ Tratar alarmes", Duration::from_secs(5));
    assert!(ui.sees("— Consultar a auditoria"));
    ui.click("Consulta geral");
    ui.wait_for("Joana Rocha agora tem o perfil Consulta geral.", Duration::from_secs(10));
    ui.wait_for("✓ Consultar a auditoria", Duration::from_secs(10));
    assert!(ui.sees("— Tratar alarmes"), "exactly the profile's permissions");
    let users: Vec<atalaia_core::wire::UserInfo> = block(admin.get("/users")).unwrap();
    let joana = users.iter().find(|u| u.username == "operador").unwrap();
    assert_eq!(joana.profile.as_deref(), Some("consulta-geral"));
    assert_eq!(
        joana.permissions.as_deref(),
        Some(&[atalaia_core::auth::Permission::PersonRead, atalaia_core::auth::Permission::AuditRead][..])
    );

    // A login block lifted, with the reason in the audit trail.
    ui.click("Desbloquear login");
    ui.wait_for("Informe o motivo do desbloqueio.", Duration::from_secs(5));
    ui.click("Motivo (desbloqueio, desativação, reativação ou unidade)");
    ui.type_text("Confirmado por telefone com a operadora");
    ui.click("Desbloquear login");
    ui.wait_for("Login desbloqueado.", Duration::from_secs(10));
    let audit: Vec<atalaia_core::wire::AuditEntry> = block(admin.get("/audit?action=user.unlock")).unwrap();
    assert!(audit[0].detail.starts_with("Confirmado por telefone com a operadora"), "{:?}", audit[0]);
    if std::env::var("ATALAIA_UI_SNAPSHOT").is_ok() {
        ui.wait_for("Desbloquear login", Duration::from_secs(5));
        ui.settle(Duration::from_millis(500));
        ui.screenshot("console-usuarios-perfis");
    }
}
