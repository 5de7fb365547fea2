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
    ui.click("Motivo (desbloqueio, desativação ou reativação)");
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
