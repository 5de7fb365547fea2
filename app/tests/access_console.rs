//! Profiles and users at the console (16.2.14, RFS169–171; issue 22 "users cannot be
//! deactivated"): an administrator defines a profile by its permissions, registers someone with
//! it, and later takes that person's access away with the reason — against a real embedded
//! server, which grants exactly those permissions, forces the first password's change and
//! refuses the deactivated login.
//!
//! Run with `ICED_TEST_BACKEND=tiny-skia` (no GPU, no X server).

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use atalaia_core::auth::{Permission, Profile};
use atalaia_core::wire::UserInfo;
use std::time::Duration;
use support::{Console, api_as, block, demo_server, kiosk};

const PROFILE: &str = "Consulta de cadastros";

#[test]
fn rfs169_rfs170_an_administrator_defines_a_profile_registers_a_user_with_it_and_deactivates_them() {
    let (_dir, server) = demo_server();
    let admin = block(api_as(&server.base_url, "admin"));
    let mut ui = Console::start(atalaia_console::application(kiosk(&server.base_url, "admin")));
    ui.wait_for("Conectado", Duration::from_secs(20));
    ui.click("Cadastros");
    ui.click("Perfis");
    ui.wait_for("Novo perfil", Duration::from_secs(10));

    // A profile: its name, the kind of seat (an operator's, as offered), exactly two permissions.
    ui.click("Novo perfil");
    ui.settle(Duration::from_millis(300));
    ui.type_text(PROFILE);
    ui.wait_for("Identificador: consulta-de-cadastros", Duration::from_secs(5));
    ui.click("Salvar perfil");
    ui.wait_for("Marque ao menos uma permissão.", Duration::from_secs(5));
    ui.click(Permission::PersonRead.label());
    ui.click(Permission::ZoneRead.label());
    ui.click("Salvar perfil");
    ui.wait_for(
        &format!("Perfil {PROFILE} salvo; vale para seus usuários desde já."),
        Duration::from_secs(10),
    );
    let profiles: Vec<Profile> = block(admin.get("/profiles")).unwrap();
    let saved = profiles.iter().find(|p| p.id == "consulta-de-cadastros").expect("on the server");
    assert_eq!(saved.permissions, [Permission::PersonRead, Permission::ZoneRead]);
    assert!(!saved.builtin);
    assert_eq!(saved.base, atalaia_core::auth::Role::MonitoringOperator);

    // Someone registered with it: a first password they must change.
    ui.click("Usuários");
    ui.wait_for("Novo usuário", Duration::from_secs(10));
    ui.click("Novo usuário");
    ui.settle(Duration::from_millis(300));
    ui.type_text("Paula Nery");
    ui.click("ex.: paula.nery");
    ui.type_text("paula.nery");
    ui.click("ao menos 8 caracteres");
    ui.type_text("inicial-2026");
    ui.click("Cadastrar usuário");
    ui.wait_for("Escolha o perfil do usuário.", Duration::from_secs(5));
    ui.click(PROFILE);
    ui.click("Cadastrar usuário");
    ui.wait_for("Paula Nery cadastrado; troca a senha no primeiro acesso.", Duration::from_secs(10));
    let users: Vec<UserInfo> = block(admin.get("/users")).unwrap();
    let paula = users.iter().find(|u| u.username == "paula.nery").expect("registered").clone();
    assert_eq!(paula.profile.as_deref(), Some("consulta-de-cadastros"));
    assert_eq!(paula.permissions.as_deref(), Some(&[Permission::PersonRead, Permission::ZoneRead][..]));
    let api = atalaia_client::Api::new(&server.base_url).unwrap();
    let login = block(api.login("paula.nery", "inicial-2026")).unwrap();
    assert!(login.must_change_password, "a password someone else chose is changed at the first access");

    // Her access taken away, with the reason; the account stays.
    ui.click("Buscar por nome, processo, grupo, IMEI, chip…");
    ui.type_text("paula");
    ui.click("Paula Nery");
    ui.click("Desativar acesso");
    ui.wait_for("Informe o motivo da desativação.", Duration::from_secs(5));
    ui.click("Motivo (desbloqueio, desativação, reativação ou unidade)");
    ui.type_text("Transferida para outra central");
    ui.click("Desativar acesso");
    ui.wait_for(
        "Acesso de Paula Nery desativado; as sessões abertas foram encerradas.",
        Duration::from_secs(10),
    );
    ui.wait_for("Reativar acesso", Duration::from_secs(10));
    assert!(block(api.login("paula.nery", "inicial-2026")).is_err(), "the deactivated login is refused");
    let users: Vec<UserInfo> = block(admin.get("/users")).unwrap();
    assert!(!users.iter().find(|u| u.username == "paula.nery").unwrap().active);

    // The profile again: what it grants, ready to be corrected.
    ui.click("Perfis");
    ui.wait_for(PROFILE, Duration::from_secs(10));
    ui.click(PROFILE);
    ui.wait_for("Corrigir perfil", Duration::from_secs(5));
    ui.screenshot("console-perfis");
}

/// RFS177: an administrator binds the operator to "Regional I" at the console, with the reason;
/// the operator's console then lists only that region's people — the server sends no other.
#[test]
fn rfs177_an_administrator_binds_an_operator_to_a_unit_and_her_console_shows_that_units_people_only() {
    let (_dir, server) = demo_server();
    let admin = block(api_as(&server.base_url, "admin"));
    let everyone: Vec<atalaia_core::monitoring::Person> = block(admin.get("/persons")).unwrap();
    let (ours, theirs): (Vec<_>, Vec<_>) =
        everyone.iter().partition(|p| p.region.as_deref() == Some("Regional I"));
    assert!(!ours.is_empty() && !theirs.is_empty(), "the demo has people in several regions");

    let mut ui = Console::start(atalaia_console::application(kiosk(&server.base_url, "admin")));
    ui.wait_for("Conectado", Duration::from_secs(20));
    ui.click("Cadastros");
    ui.click("Usuários");
    ui.wait_for("Joana Rocha", Duration::from_secs(10));
    ui.click("Joana Rocha");
    ui.wait_for("Unidade: Central (todas as unidades)", Duration::from_secs(5));
    ui.click("Nova unidade (ex.: Regional I; vazio: central)");
    ui.type_text("Regional I");
    ui.click("Mudar unidade");
    ui.wait_for("Informe o motivo da mudança de unidade.", Duration::from_secs(5));
    ui.click("Motivo (desbloqueio, desativação, reativação ou unidade)");
    ui.type_text("Lotada na Regional I (portaria 12/2026)");
    ui.click("Mudar unidade");
    ui.wait_for("Joana Rocha agora é da unidade: Regional I.", Duration::from_secs(10));
    ui.wait_for("Unidade: Regional I", Duration::from_secs(5));
    let users: Vec<UserInfo> = block(admin.get("/users")).unwrap();
    let joana = users.iter().find(|u| u.username == "operador").unwrap();
    assert_eq!(joana.unit.as_deref(), Some("Regional I"));
    let trail: Vec<atalaia_core::wire::AuditEntry> = block(admin.get("/audit?action=user.unit")).unwrap();
    assert!(trail[0].detail.contains("portaria 12/2026"), "{trail:?}");
    if std::env::var("ATALAIA_UI_SNAPSHOT").is_ok() {
        ui.screenshot("console-usuarios-unidade");
    }

    // Her console: the unit's people, and no one else's.
    let mut op = Console::start(atalaia_console::application(kiosk(&server.base_url, "operador")));
    op.wait_for("Conectado", Duration::from_secs(20));
    op.click("Cadastros");
    op.wait_for(&format!("{} pessoa(s)", ours.len()), Duration::from_secs(10));
    op.type_text(&ours[0].record);
    op.wait_for(&ours[0].name, Duration::from_secs(5));
    for _ in ours[0].record.chars() {
        op.key(iced_test::instruction::Key::Backspace);
    }
    // By record number: the demo has namesakes in several regions.
    for p in &theirs {
        if op.sees(&p.record) {
            let png = op.screenshot("unit-leak");
            panic!("{} is of {:?} (screen: {})", p.name, p.region, png.display());
        }
    }
}
