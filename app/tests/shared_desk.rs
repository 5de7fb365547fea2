//! The operator and the administrator at once (Anexo III 2.14, 2.18, 2.19): one alarm reaches
//! both seats; the operator takes it and annotates it while the administrator corrects the
//! person's record — neither blocks the other, each sees the other's work as it lands; the
//! administrator reads every note with its author on the alarm's card and, once closed, on the
//! person's record with the closing note. Two consoles against one real embedded server.
//!
//! Run with `ICED_TEST_BACKEND=tiny-skia` (no GPU, no X server).

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use atalaia_core::alarm::{Alarm, AlarmState};
use atalaia_core::monitoring::Regime;
use iced_test::instruction::Key;
use std::time::Duration;
use support::{Console, api_as, block, demo_server, kiosk, report, until_tamper_alarm, wait_until, wearer};

const NAME: &str = "Wellington Paiva Dias";
const IMEI: &str = "864999000000214";
const NOTE: &str = "Liguei para o monitorado: diz que bateu a perna na cama.";
const CLOSING: &str = "Cinta íntegra na vistoria da equipe.";

#[test]
fn iii_2_14_iii_2_18_iii_2_19_operator_and_administrator_work_one_alarm_at_once_and_see_each_others_work() {
    let (_dir, server) = demo_server();
    let admin_api = block(api_as(&server.base_url, "admmon"));
    let (person, _) = wearer(&admin_api, NAME, "0002140-19.2026.8.22.0001", Regime::SemiOpen, IMEI);
    let mut op = Console::start(atalaia_console::application(kiosk(&server.base_url, "operador")));
    let mut adm = Console::start(atalaia_console::application(kiosk(&server.base_url, "admmon")));
    op.wait_for("Conectado", Duration::from_secs(20));
    adm.wait_for("Conectado", Duration::from_secs(20));

    // III-2.18: the alarm reaches the central's seat and the administrator's.
    report(&server, IMEI, "lat=-8.7612&lon=-63.9004&accuracy=8&batt=76&alarm=tampering");
    let operator_api = block(api_as(&server.base_url, "operador"));
    until_tamper_alarm(&operator_api, person.id);
    op.wait_for(NAME, Duration::from_secs(10));
    adm.wait_for(NAME, Duration::from_secs(10));

    // The operator takes it and writes what the call found.
    op.click(NAME);
    op.click("Assumir (F9)");
    op.wait_for("Assumido por Joana Rocha (você)", Duration::from_secs(10));
    op.type_text(NOTE);
    op.key(Key::Enter);
    let alarm_of = || -> Option<Alarm> {
        let all: Vec<Alarm> = block(admin_api.get(&format!("/alarms?subject={}", person.id))).unwrap();
        all.into_iter().next()
    };
    wait_until(|| alarm_of().filter(|a| !a.notes.is_empty()));

    // III-2.14: the administrator's card names who holds it and shows the note with its author.
    adm.click(NAME);
    adm.wait_for("Assumido por Joana Rocha", Duration::from_secs(10));
    adm.wait_for(NOTE, Duration::from_secs(10));

    // III-2.19: meanwhile the administrator corrects the person's record; the operator's card
    // follows, and the operator closes the alarm undisturbed.
    adm.click("Cadastros");
    adm.click("Buscar por nome, processo, grupo, IMEI, chip…");
    adm.type_text("Wellington");
    adm.click(NAME);
    adm.click("Corrigir cadastro");
    adm.click("Informe o responsável");
    adm.type_text("Rafael Costa");
    adm.key(Key::Enter);
    op.wait_for("Responsável: Rafael Costa", Duration::from_secs(10));
    op.click(&format!("{} (Alt+2)", atalaia_core::text::outcome(atalaia_core::alarm::Outcome::FalseAlarm)));
    op.type_text(CLOSING);
    op.key(Key::Enter);
    wait_until(|| alarm_of().filter(|a| matches!(a.state, AlarmState::Closed { .. })));

    // The person's record: the closed alarm, who closed it, the note and its author, the closing.
    adm.wait_for("Alarmes e anotações", Duration::from_secs(10));
    let closed = alarm_of().unwrap();
    let tz = atalaia_client::format::DEFAULT_TZ;
    let names = block(admin_api.get::<Vec<atalaia_core::wire::UserName>>("/users/names")).unwrap();
    let model = atalaia_client::LiveModel {
        names: names.into_iter().map(|n| (n.id, n.display_name)).collect(),
        ..atalaia_client::LiveModel::default()
    };
    let me: atalaia_core::wire::UserInfo = block(admin_api.get("/auth/me")).unwrap();
    let lines = atalaia_client::admin::alarm_lines(&closed, &model, &me, tz);
    assert!(lines[0].contains("encerrado por Joana Rocha"), "{lines:?}");
    for line in &lines {
        adm.wait_for(line, Duration::from_secs(10));
    }
    assert!(lines.iter().any(|l| l.ends_with(&format!("Joana Rocha: {NOTE}"))), "{lines:?}");
    assert_eq!(lines.last().unwrap(), &format!("Nota de encerramento: {CLOSING}"));

    // 16.2.12: days later the administrator records what was done about it, on the closed alarm.
    adm.click("Registrar providência");
    adm.click("Registrar");
    adm.wait_for("Escolha a providência.", Duration::from_secs(5));
    adm.click("Ofício enviado");
    adm.click("O que foi feito (nº do ofício, a quem, o que o monitorado disse…)");
    adm.type_text("Ofício 212/2026 ao juízo da VEP");
    adm.key(Key::Enter);
    adm.wait_for("Providência registrada: Ofício enviado.", Duration::from_secs(5));
    let recorded = wait_until(|| alarm_of().filter(|a| a.notes.iter().any(|n| n.measure.is_some())));
    let measure = recorded.notes.iter().find(|n| n.measure.is_some()).unwrap();
    assert_eq!(measure.measure, Some(atalaia_core::alarm::Measure::Letter));
    assert_eq!(measure.by, me.id, "recorded by the administrator");
    let line = atalaia_client::admin::alarm_lines(&recorded, &model, &me, tz)[2].clone();
    assert!(line.ends_with("Rafael Costa: Ofício enviado — Ofício 212/2026 ao juízo da VEP"), "{line}");
    adm.wait_for(&line, Duration::from_secs(10));
    let audit: Vec<atalaia_core::wire::AuditEntry> =
        block(admin_api.get("/audit?action=alarm.record")).unwrap();
    assert_eq!(audit[0].detail, "Ofício enviado: Ofício 212/2026 ao juízo da VEP");
    adm.screenshot("console-cadastro-alarmes-anotacoes");
}
