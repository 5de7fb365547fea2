//! The rules an administrator keeps at the console (issue 22 item 2; Anexo III 2.11, 2.25;
//! 16.2.7): a monitoring administrator writes a group's rules, a notification rule and the
//! procedure for a group's tamper alarms — each refused on the form when wrong, as the server
//! would — and an operator handling that group's alarm follows exactly those steps. Against a
//! real embedded server; the server's records are checked too.
//!
//! Run with `ICED_TEST_BACKEND=tiny-skia` (no GPU, no X server).

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use atalaia_core::alarm::{AlarmKind, Procedure};
use atalaia_core::monitoring::{GroupRules, Person, Regime};
use atalaia_core::notify::NotificationRule;
use iced_test::instruction::Key;
use std::time::Duration;
use support::{Console, api_as, block, demo_server, kiosk, report, until_tamper_alarm, wearer};

const GROUP: &str = "Violência doméstica";
const STEPS: [&str; 2] = ["Ligar para o monitorado", "Avisar a vítima e acionar a PM"];
const NAME: &str = "Caio Mendes Arruda";
const IMEI: &str = "864999000000611";

#[test]
fn iii_2_11_iii_2_25_an_administrator_writes_a_groups_rules_and_procedure_and_the_operator_follows_it() {
    let (_dir, server) = demo_server();
    let admin = block(api_as(&server.base_url, "admmon"));
    let mut ui = Console::start(atalaia_console::application(kiosk(&server.base_url, "admmon")));
    ui.wait_for("Conectado", Duration::from_secs(20));
    ui.click("Cadastros");
    ui.click("Regras");
    ui.wait_for("Procedimentos", Duration::from_secs(10));

    // The group's rules (III-2.25): encounters among its people not raised, contact lost after
    // 30 minutes. A threshold the server would refuse is refused on the form.
    ui.click("Regras por grupo");
    ui.click("Nova regra de grupo");
    ui.settle(Duration::from_millis(300));
    ui.type_text(GROUP);
    ui.click("Encontro entre monitorados");
    ui.click("padrão da central");
    ui.type_text("0");
    ui.key(Key::Enter);
    ui.wait_for(
        "O prazo de perda de comunicação deve ficar entre 1 minuto e 24 horas (60 a 86.400 s).",
        Duration::from_secs(5),
    );
    ui.key(Key::Backspace);
    ui.type_text("30");
    ui.key(Key::Enter);
    ui.wait_for(&format!("Regras do grupo {GROUP} salvas; valem desde já."), Duration::from_secs(10));
    let rules: GroupRules =
        block(admin.get(&format!("/group-rules/{}", atalaia_client::api::segment(GROUP)))).unwrap();
    assert_eq!(rules.disabled, [AlarmKind::Encounter]);
    assert_eq!(rules.signal_timeout_s, Some(1800));

    // Who is told (16.2.7): a wrong address named on the form, then the rule saved.
    ui.click("Notificações");
    ui.click("Nova regra de notificação");
    ui.settle(Duration::from_millis(300));
    ui.type_text("Plantão VD");
    ui.click("Violação do dispositivo");
    ui.click(GROUP);
    ui.click("plantao@sejus.gov.br, chefia@sejus.gov.br");
    ui.type_text("plantao.sejus");
    ui.key(Key::Enter);
    ui.wait_for("E-mail inválido: plantao.sejus", Duration::from_secs(5));
    for _ in 0.."plantao.sejus".len() {
        ui.key(Key::Backspace);
    }
    ui.type_text("plantao@sejus.ro.gov.br");
    ui.key(Key::Enter);
    ui.wait_for("Regra de notificação Plantão VD salva.", Duration::from_secs(10));
    let saved: Vec<NotificationRule> = block(admin.get("/notification-rules")).unwrap();
    let rule = saved.iter().find(|r| r.name == "Plantão VD").expect("rule on the server");
    assert_eq!(rule.kinds, [AlarmKind::Tamper]);
    assert_eq!(
        (rule.group.as_deref(), rule.email.as_slice()),
        (Some(GROUP), &["plantao@sejus.ro.gov.br".to_owned()][..])
    );

    // The procedure for the group's tamper alarms (III-2.11): typed step by step with Enter.
    ui.click("Procedimentos");
    ui.click("Novo procedimento");
    ui.click("Salvar procedimento");
    ui.wait_for("Escolha o tipo de alarme.", Duration::from_secs(5));
    ui.click("Violação do dispositivo");
    ui.click("Grupo");
    ui.type_text(GROUP);
    ui.click("Novo passo (Enter adiciona)");
    for step in STEPS {
        ui.type_text(step);
        ui.key(Key::Enter);
    }
    ui.wait_for(&format!("2. {}", STEPS[1]), Duration::from_secs(5));
    ui.click("Salvar procedimento");
    let label = format!("Violação do dispositivo — grupo {GROUP}");
    ui.wait_for(&format!("Procedimento salvo: {label}."), Duration::from_secs(10));
    let procedures: Vec<Procedure> = block(admin.get("/procedures")).unwrap();
    let p = procedures
        .iter()
        .find(|p| p.kind == AlarmKind::Tamper && p.group.as_deref() == Some(GROUP))
        .expect("procedure on the server");
    assert_eq!(p.steps, STEPS);
    // Opened again from the list: what was saved, kind and group fixed.
    ui.wait_for(&label, Duration::from_secs(10));
    ui.click(&label);
    ui.wait_for(&format!("Alarme: {}", "Violação do dispositivo"), Duration::from_secs(5));
    ui.wait_for(&format!("1. {}", STEPS[0]), Duration::from_secs(5));
    ui.screenshot("console-regras-procedimento");

    // A person of the group tampers with the bracelet; the operator follows those steps.
    let (person, _) = wearer(&admin, NAME, "0007311-21.2026.8.22.0001", Regime::ProtectiveMeasure, IMEI);
    let body = atalaia_core::wire::NewPerson {
        id: None,
        name: person.name.clone(),
        record: person.record.clone(),
        regime: person.regime,
        group: Some(GROUP.into()),
        region: None,
        responsible: None,
        linked_person: None,
        personal: Default::default(),
        revision: Default::default(),
    };
    let _: Person = block(admin.put(&format!("/persons/{}", person.id), &body)).unwrap();
    report(&server, IMEI, "lat=-8.7612&lon=-63.9004&accuracy=8&batt=76&alarm=tampering");
    let operator_api = block(api_as(&server.base_url, "operador"));
    until_tamper_alarm(&operator_api, person.id);
    let mut op = Console::start(atalaia_console::application(kiosk(&server.base_url, "operador")));
    op.wait_for("Conectado", Duration::from_secs(20));
    op.wait_for(NAME, Duration::from_secs(10));
    op.click(NAME);
    op.click("Assumir (F9)");
    op.click("Iniciar procedimento");
    op.wait_for(&format!("1. {}", STEPS[0]), Duration::from_secs(10));
    op.wait_for(&format!("2. {}", STEPS[1]), Duration::from_secs(5));
}
