//! The console's embedded mode, as `atalaia --demo` and a first-run workstation start it: a real
//! backend on 127.0.0.1 in a background runtime, a fresh demo with the simulator moving devices,
//! and a first-run administrator whose password is kept (owner-only) and offered until changed.

use atalaia_backend::embedded::start_in_background;
use atalaia_client::{Api, LiveModel, LiveUpdate, subscribe};
use atalaia_core::wire::{EventBody, LiveMessage};
use futures_util::StreamExt;
use std::time::Duration;

#[tokio::test]
async fn demo_mode_serves_a_fresh_dataset_with_moving_devices() {
    let dir = tempfile::tempdir().expect("tempdir");
    let data = dir.path().to_path_buf();
    let embedded = tokio::task::spawn_blocking(move || start_in_background(data, true))
        .await
        .expect("join")
        .expect("embedded backend starts");
    assert!(embedded.base_url.starts_with("http://127.0.0.1:"));
    let (user, password) = embedded.demo_login.clone().expect("demo credentials offered");
    let api = Api::new(&embedded.base_url).expect("client");
    let session = api.login(&user, &password).await.expect("demo login");

    let mut feed = Box::pin(subscribe(embedded.base_url.clone(), session.token));
    let mut model = LiveModel::default();
    let mut moved = 0;
    let deadline = tokio::time::Instant::now() + Duration::from_secs(20);
    while moved < 10 {
        let update = tokio::time::timeout_at(deadline, feed.next()).await.expect("simulator reports in time");
        if let Some(LiveUpdate::Message(msg)) = update {
            if let LiveMessage::Event(e) = msg.as_ref()
                && matches!(e.body, EventBody::Position(_))
            {
                moved += 1;
            }
            model.apply(*msg);
        }
    }
    assert!(model.vehicles.len() >= 10, "demo fleet");
    assert_eq!(model.regulation_queue().len(), 5, "demo calls waiting for regulation");
    assert_eq!(model.alarm_queue().len(), 5, "demo alarms");
}

#[tokio::test]
async fn first_run_offers_the_generated_admin_until_the_database_exists() {
    let dir = tempfile::tempdir().expect("tempdir");
    let data = dir.path().to_path_buf();
    let embedded = tokio::task::spawn_blocking(move || start_in_background(data, false))
        .await
        .expect("join")
        .expect("embedded backend starts");
    let (user, password) = embedded.demo_login.clone().expect("first-run credentials offered");
    assert_eq!(user, "admin");
    assert!(password.len() >= 12);
    let file = dir.path().join("first-run-admin-password.txt");
    assert_eq!(std::fs::read_to_string(&file).expect("kept"), password);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        assert_eq!(std::fs::metadata(&file).expect("meta").permissions().mode() & 0o777, 0o600);
    }
    let api = Api::new(&embedded.base_url).expect("client");
    let session = api.login(&user, &password).await.expect("first-run login");
    assert_eq!(session.user.role, atalaia_core::auth::Role::Admin);
}
