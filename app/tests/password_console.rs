//! The first access of a password someone else chose (issue 22 item 2; Anexo III 2.23,
//! 16.3.2.3): the first-run administrator logs in with the printed password and the console asks
//! for a new one before the dashboard opens; the form refuses what the server would refuse; once
//! changed, the printed password no longer opens a session and the new one does without asking
//! again. Against a real embedded server (not the demo).
//!
//! Run with `ICED_TEST_BACKEND=tiny-skia` (no GPU, no X server).

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use atalaia_client::{Api, ApiError};
use iced_test::instruction::Key;
use std::time::Duration;
use support::{Console, block, kiosk};

const NEW: &str = "minha-senha-propria";

#[test]
fn iii_2_23_the_first_run_administrator_changes_the_printed_password_before_the_console_opens() {
    let dir = tempfile::tempdir().unwrap();
    let server = atalaia_backend::embedded::start_in_background(dir.path().to_path_buf(), false).unwrap();
    let printed = std::fs::read_to_string(dir.path().join("first-run-admin-password.txt")).unwrap();
    let printed = printed.trim();
    let mut config = kiosk(&server.base_url, "admin");
    config.auto_login = Some(("admin".into(), printed.to_owned()));

    let mut ui = Console::start(atalaia_console::application(config));
    ui.wait_for("Troque sua senha", Duration::from_secs(20));
    // The form's focus task runs before anything is typed (a busy machine lags behind the view).
    ui.settle(Duration::from_millis(300));
    assert!(!ui.sees("Conectado"), "the dashboard waits for the new password");
    // The cursor is in the new password (the current one was just typed at login).
    ui.type_text("curta");
    ui.key(Key::Enter);
    ui.wait_for("A nova senha deve ter ao menos 8 caracteres.", Duration::from_secs(5));
    for _ in "curta".chars() {
        ui.key(Key::Backspace);
    }
    ui.type_text(NEW);
    ui.key(Key::Tab);
    ui.type_text("outra-coisa-qualquer");
    ui.key(Key::Enter);
    ui.wait_for("A confirmação não é igual à nova senha.", Duration::from_secs(5));
    for _ in "outra-coisa-qualquer".chars() {
        ui.key(Key::Backspace);
    }
    ui.type_text(NEW);
    ui.key(Key::Enter);
    ui.wait_for("Conectado", Duration::from_secs(20));

    let api = Api::new(&server.base_url).unwrap();
    let old = block(api.login("admin", printed));
    assert!(matches!(old, Err(ApiError::Problem(ref p)) if p.status == 401), "{old:?}");
    let again = block(api.login("admin", NEW)).expect("the new password opens a session");
    assert!(!again.must_change_password, "asked once");
}

/// The forced change cannot be skipped: no way out but a new password (or closing the console).
#[test]
fn iii_2_23_a_forced_change_offers_no_way_around_it() {
    let dir = tempfile::tempdir().unwrap();
    let server = atalaia_backend::embedded::start_in_background(dir.path().to_path_buf(), false).unwrap();
    let printed = std::fs::read_to_string(dir.path().join("first-run-admin-password.txt")).unwrap();
    let mut config = kiosk(&server.base_url, "admin");
    config.auto_login = Some(("admin".into(), printed.trim().to_owned()));
    let mut ui = Console::start(atalaia_console::application(config));
    ui.wait_for("Troque sua senha", Duration::from_secs(20));
    ui.settle(Duration::from_millis(300));
    assert!(!ui.sees("Cancelar") && !ui.sees("Conectado"));
    let me = block(async {
        let api = Api::new(&server.base_url).unwrap();
        api.login("admin", printed.trim()).await
    })
    .unwrap();
    assert!(me.must_change_password, "still to be changed");
    if std::env::var("ATALAIA_UI_SNAPSHOT").is_ok() {
        ui.screenshot("console-senha-primeiro-acesso");
    }
}

/// Anyone changes their password from the header at any time (III-2.23); the wrong current
/// password is refused as the server says it.
#[test]
fn iii_2_23_an_operator_changes_the_password_from_the_header() {
    let (_dir, server) = support::demo_server();
    let mut ui = Console::start(atalaia_console::application(kiosk(&server.base_url, "operador")));
    ui.wait_for("Conectado", Duration::from_secs(20));
    ui.click("Senha");
    ui.wait_for("Trocar senha", Duration::from_secs(5));
    ui.settle(Duration::from_millis(300));
    // The cursor is in the current password.
    ui.type_text("nao-e-esta-senha");
    ui.key(Key::Tab);
    ui.type_text(NEW);
    ui.key(Key::Tab);
    ui.type_text(NEW);
    ui.key(Key::Enter);
    ui.wait_for("Senha atual incorreta.", Duration::from_secs(10));
    // The wrong current password was cleared and the cursor put back there; the new one stays.
    // The focus task that puts it back runs before anything is typed (a loaded machine lags).
    ui.settle(Duration::from_millis(300));
    ui.type_text(atalaia_backend::seed::DEMO_PASSWORD);
    ui.key(Key::Enter);
    ui.wait_for("Senha", Duration::from_secs(10));
    ui.settle(Duration::from_millis(300));
    assert!(!ui.sees("Trocar senha"), "the form closed with the server's answer");
    let api = Api::new(&server.base_url).unwrap();
    block(api.login("operador", NEW)).expect("the new password opens a session");
    assert!(block(api.login("operador", atalaia_backend::seed::DEMO_PASSWORD)).is_err());
}
