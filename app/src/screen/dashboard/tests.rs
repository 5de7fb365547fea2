use super::*;
use atalaia_client::format;
use atalaia_core::auth::Role;

#[test]
fn the_operator_s_layout_is_saved_and_back_at_the_next_login() {
    use atalaia_core::ids::UserId;
    let dir = tempfile::tempdir().expect("dir");
    let user = atalaia_core::wire::UserInfo {
        id: UserId::new(),
        username: "joana".into(),
        display_name: "Joana".into(),
        role: Role::MonitoringOperator,
        profile: None,
        permissions: None,
        active: true,
        unit: None,
    };
    let session = || Session {
        api: atalaia_client::Api::new("http://127.0.0.1:9").expect("client"),
        base: "http://127.0.0.1:9".into(),
        token: "t".into(),
        user: user.clone(),
        site_tz: None,
    };
    let now = Utc::now();
    let mut d = Dashboard::new(session(), now, format::DEFAULT_TZ).with_layout_dir(Some(dir.path()));
    let default = crate::layout::capture(&d.panes);
    // She swaps the map and the alarms (as a drop on the other pane does).
    let panes: Vec<Pane> = d.panes.iter().map(|(p, _)| *p).collect();
    d.panes.swap(panes[0], panes[1]);
    d.layout_dirty = true;
    let _ = d.tick(now);
    let mine = crate::layout::capture(&d.panes);
    assert_ne!(mine, default);

    let again = Dashboard::new(session(), now, format::DEFAULT_TZ).with_layout_dir(Some(dir.path()));
    assert_eq!(crate::layout::capture(&again.panes), mine, "her arrangement came back");
    let other = Dashboard::new(
        Session {
            user: atalaia_core::wire::UserInfo { username: "carlos".into(), ..user.clone() },
            ..session()
        },
        now,
        format::DEFAULT_TZ,
    )
    .with_layout_dir(Some(dir.path()));
    assert_eq!(crate::layout::capture(&other.panes), default, "another operator keeps the default");
}

/// Issue 8: a claim made while the console still believed itself online, whose sending then
/// found no server, is kept in the outbox (surviving the console) and shown as taken so the
/// operator can go on; refused later, the alarm goes back to what the server had.
#[test]
fn a_claim_that_finds_no_server_is_queued_and_shown_taken_then_put_back_when_refused() {
    use atalaia_core::alarm::{Alarm, AlarmKind, AlarmState, Subject};
    use atalaia_core::ids::{PersonId, UserId};
    let data = tempfile::tempdir().expect("dir");
    let user = atalaia_core::wire::UserInfo {
        id: UserId::new(),
        username: "joana".into(),
        display_name: "Joana".into(),
        role: Role::MonitoringOperator,
        profile: None,
        permissions: None,
        active: true,
        unit: None,
    };
    let session = Session {
        api: atalaia_client::Api::new("http://127.0.0.1:9").expect("client"),
        base: "http://127.0.0.1:9".into(),
        token: "t".into(),
        user: user.clone(),
        site_tz: None,
    };
    let now = Utc::now();
    let mut d = Dashboard::new(session, now, format::DEFAULT_TZ).with_offline(Some(data.path()), "central");
    let alarm = Alarm::new(AlarmKind::StrapCut, Subject::Person(PersonId::new()), None, now, now);
    let id = alarm.id;
    let _ = d.update(Message::Live(LiveUpdate::Connected { resumed: false }));
    let snapshot = atalaia_core::wire::Snapshot { seq: 7, alarms: vec![alarm], ..Default::default() };
    let _ = d.update(Message::Live(LiveUpdate::Message(Box::new(
        atalaia_core::wire::LiveMessage::Snapshot(snapshot),
    ))));
    let _ = d.update(Message::Alarmes(alarmes::Message::Claim(id)));
    assert_eq!(d.outbox_counts(), (1, 0));
    assert_eq!(d.model().alarms[&id].state, AlarmState::Open, "online: the server's answer is awaited");
    let queued = outbox::Outbox::open(&atalaia_client::seat::outbox_file(&atalaia_client::seat::dir(
        data.path(),
        "central",
        "joana",
    )))
    .expect("outbox")
    .entries()
    .expect("entries");
    assert_eq!(queued.len(), 1, "on disk before anything was sent");

    let waiting = outbox::Update::Waiting {
        pending: 1,
        reason: "sem conexão".into(),
        retry_in: std::time::Duration::from_secs(1),
    };
    let _ = d.update(Message::Outbox(waiting.clone()));
    assert!(matches!(d.model().alarms[&id].state, AlarmState::Claimed { by, .. } if by == user.id));
    let _ = d.update(Message::Outbox(waiting));
    assert!(d.model().alarms[&id].notes.is_empty(), "applied once");

    let problem = atalaia_core::wire::Problem {
        type_uri: "about:blank".into(),
        title: "Conflito".into(),
        status: 409,
        detail: Some("Alarme já assumido por Ana.".into()),
        code: "conflict".into(),
        errors: Vec::new(),
    };
    let _ = d.update(Message::Outbox(outbox::Update::Conflict {
        entry: Box::new(queued[0].clone()),
        problem: Box::new(problem),
    }));
    assert_eq!(d.model().alarms[&id].state, AlarmState::Open, "back to the server's copy");
    assert_eq!(d.outbox_counts().1, 1, "kept for the operator to decide");
}
