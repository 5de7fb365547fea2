//! The console's client layer against a real server: login, a call registered with field errors
//! first, the live subscription delivering a snapshot then deltas into the live model, and logout
//! ending the session for both REST and the live feed.

use atalaia_client::{Api, ApiError, LiveModel, LiveUpdate, subscribe};
use atalaia_core::auth::Role;
use atalaia_core::samu::CallType;
use atalaia_core::wire::{LiveMessage, NewOccurrence};
use atalaia_tests::TestServer;
use futures_util::StreamExt;
use std::time::Duration;

async fn next(stream: &mut (impl futures_util::Stream<Item = LiveUpdate> + Unpin)) -> LiveUpdate {
    tokio::time::timeout(Duration::from_secs(10), stream.next())
        .await
        .expect("update in time")
        .expect("stream open")
}

#[tokio::test]
async fn console_client_registers_a_call_and_follows_the_feed() {
    let s = TestServer::start().await;
    s.user_token("tarm", Role::Tarm).await;
    let api = Api::new(&s.running.base_url()).expect("client");
    let session = api.login("tarm", "password-123").await.expect("login");
    let api = api.with_token(session.token.clone());
    assert!(!format!("{api:?}{session:?}").contains(&session.token), "token never in Debug output");

    let mut feed = Box::pin(subscribe(s.running.base_url(), session.token.clone()));
    assert_eq!(next(&mut feed).await, LiveUpdate::Connected { resumed: false });
    let mut model = LiveModel::default();
    let LiveUpdate::Message(first) = next(&mut feed).await else { panic!("snapshot expected") };
    assert!(matches!(*first, LiveMessage::Snapshot(_)));
    model.apply(*first);

    let mut call = NewOccurrence {
        id: None,
        call_type: CallType::Atendimento,
        caller_name: "Maria".into(),
        caller_phone: "31988887777".into(),
        address: String::new(),
        municipality: "Belo Horizonte".into(),
        location: None,
        description: "Dispneia".into(),
        extra_phones: Vec::new(),
        victims: Vec::new(),
        call_started_at: None,
        hand_off: true,
    };
    match api.create_occurrence(&call).await {
        Err(ApiError::Problem(p)) => {
            assert_eq!(p.status, 422);
            assert_eq!(p.errors[0].field, "address");
            assert_eq!(p.errors[0].message, "Endereço é obrigatório.");
        }
        other => panic!("expected a validation problem, got {other:?}"),
    }
    call.address = "Rua Guajajaras, 40".into();
    let occ = api.create_occurrence(&call).await.expect("registered");

    let LiveUpdate::Message(msg) = next(&mut feed).await else { panic!("event expected") };
    model.apply(*msg);
    assert_eq!(
        model.regulation_queue().first().map(|o| o.id),
        Some(occ.id),
        "the call reaches the queue live"
    );

    api.logout().await.expect("logout");
    match api.create_occurrence(&call).await {
        Err(ApiError::Problem(p)) => assert_eq!(p.code, "unauthorized"),
        other => panic!("expected 401 after logout, got {other:?}"),
    }
    let mut dead = Box::pin(subscribe(s.running.base_url(), session.token));
    assert_eq!(next(&mut dead).await, LiveUpdate::Unauthorized);
    s.running.shutdown().await;
}

#[tokio::test]
async fn live_link_reports_a_lost_server_and_keeps_retrying() {
    let s = TestServer::start().await;
    let base = s.running.base_url();
    let mut feed = Box::pin(subscribe(base, s.admin_token.clone()));
    assert_eq!(next(&mut feed).await, LiveUpdate::Connected { resumed: false });
    assert!(matches!(next(&mut feed).await, LiveUpdate::Message(_)));
    s.running.shutdown().await;
    match next(&mut feed).await {
        LiveUpdate::Disconnected { retry_in, .. } => assert!(retry_in <= Duration::from_secs(10)),
        other => panic!("expected a disconnection, got {other:?}"),
    }
    // The link keeps trying (and reporting) instead of ending the stream.
    assert!(matches!(next(&mut feed).await, LiveUpdate::Disconnected { .. }));
}
