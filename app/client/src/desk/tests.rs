use super::*;
use crate::fixtures::occurrence;
use atalaia_core::alarm::{Alarm, AlarmKind, AlarmState, Subject};
use atalaia_core::auth::Role;
use atalaia_core::ids::{PersonId, UserId};
use atalaia_core::samu::CallType;
use atalaia_core::wire::{LiveMessage, NewOccurrence, Problem, Snapshot};

fn user() -> UserInfo {
    UserInfo {
        id: UserId::new(),
        username: "joana".into(),
        display_name: "Joana".into(),
        role: Role::MonitoringOperator,
        profile: None,
        permissions: None,
        active: true,
        unit: None,
    }
}

fn snapshot(d: &mut Desk, snap: Snapshot, now: DateTime<Utc>) {
    let live = d.live(LiveUpdate::Message(Box::new(LiveMessage::Snapshot(snap))), now);
    assert!(live.applied && live.changed);
}

fn refusal(detail: &str) -> Problem {
    Problem {
        type_uri: "about:blank".into(),
        title: "Conflito".into(),
        status: 409,
        detail: Some(detail.into()),
        code: "conflict".into(),
        errors: Vec::new(),
    }
}

fn new_call() -> NewOccurrence {
    NewOccurrence {
        id: Some(OccurrenceId::new()),
        call_type: CallType::Atendimento,
        caller_name: "Ana".into(),
        caller_phone: "(31) 98888-7777".into(),
        address: String::new(),
        municipality: "Belo Horizonte".into(),
        location: None,
        description: "Queda".into(),
        extra_phones: Vec::new(),
        victims: Vec::new(),
        call_started_at: None,
        hand_off: true,
    }
}

fn waiting() -> outbox::Update {
    outbox::Update::Waiting {
        pending: 1,
        reason: "sem conexão".into(),
        retry_in: std::time::Duration::from_secs(1),
    }
}

/// Issue 8: a claim made while the desk still believed itself online, whose sending then found no
/// server, is kept in the outbox (surviving the console) and shown as taken so the operator can
/// go on; refused later, the alarm goes back to what the server had, and the refusal stays for
/// the operator to decide.
#[test]
fn a_claim_that_finds_no_server_is_queued_and_shown_taken_then_put_back_when_refused() {
    let data = tempfile::tempdir().expect("dir");
    let me = user();
    let now = Utc::now();
    let mut d = Desk::new(me.clone(), now);
    assert_eq!(d.open_seat(data.path(), "central"), Ok(false), "no cache yet");
    let alarm = Alarm::new(AlarmKind::StrapCut, Subject::Person(PersonId::new()), None, now, now);
    let id = alarm.id;
    let _ = d.live(LiveUpdate::Connected { resumed: false }, now);
    snapshot(&mut d, Snapshot { seq: 7, alarms: vec![alarm], ..Default::default() }, now);

    let claim = Command::AlarmAction { alarm: id, action: AlarmAction::Claim };
    assert!(
        matches!(d.issue(claim, None, now), Issued::Shown(s) if s.is_empty()),
        "online: the answer comes"
    );
    assert_eq!(d.outbox_counts(), (1, 0));
    assert_eq!(d.model().alarms[&id].state, AlarmState::Open, "online: the server's answer is awaited");
    let file = Outbox::open(&seat::outbox_file(&seat::dir(data.path(), "central", "joana"))).expect("outbox");
    let queued = file.entries().expect("entries");
    assert_eq!(queued.len(), 1, "on disk before anything was sent");

    let shown = d.outbox_update(waiting(), now);
    assert!(matches!(&shown[..], [Show::AlarmDone(a), Show::Waiting] if a.id == id));
    assert!(matches!(d.model().alarms[&id].state, AlarmState::Claimed { by, .. } if by == me.id));
    let again = d.outbox_update(waiting(), now);
    assert!(matches!(&again[..], [Show::Waiting]), "applied once: {again:?}");

    // The sender records the refusal, then reports it.
    let problem = refusal("Alarme já assumido por Ana.");
    file.conflict(queued[0].id, &problem).expect("recorded");
    let shown = d.outbox_update(
        outbox::Update::Conflict { entry: Box::new(queued[0].clone()), problem: Box::new(problem) },
        now,
    );
    match &shown[..] {
        [Show::Answer(Routed::Alarm { alarm, result: Err(e), reverted: true })] => {
            assert_eq!(*alarm, id);
            assert_eq!(e.user_message(), "Alarme já assumido por Ana.");
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(d.model().alarms[&id].state, AlarmState::Open, "back to the server's copy");
    assert_eq!(d.outbox_counts().1, 1, "kept for the operator to decide");
    assert!(d.shown_conflicts().is_some(), "and shown at once");

    // Sent again as a new command: it waits again, the list closes.
    d.conflicts(ConflictAction::Retry(queued[0].id), now);
    assert_eq!(d.outbox_counts(), (1, 0));
    assert!(d.shown_conflicts().is_none());
}

/// A refusal arriving after the feed already brought a newer copy leaves the newer copy.
#[test]
fn a_refusal_does_not_put_back_over_what_the_feed_brought_since() {
    let data = tempfile::tempdir().expect("dir");
    let now = Utc::now();
    let mut d = Desk::new(user(), now);
    d.open_seat(data.path(), "central").expect("seat");
    let alarm = Alarm::new(AlarmKind::StrapCut, Subject::Person(PersonId::new()), None, now, now);
    let id = alarm.id;
    snapshot(&mut d, Snapshot { seq: 1, alarms: vec![alarm.clone()], ..Default::default() }, now);
    // Offline from the start: the claim is shown at once.
    let claim = Command::AlarmAction { alarm: id, action: AlarmAction::Claim };
    assert!(
        matches!(d.issue(claim.clone(), None, now), Issued::Shown(s) if matches!(&s[..], [Show::AlarmDone(_)]))
    );
    // Ana's claim arrives on the feed.
    let mut hers = alarm;
    hers.claim(UserId::new(), now).expect("claim");
    snapshot(&mut d, Snapshot { seq: 2, alarms: vec![hers.clone()], ..Default::default() }, now);
    let routed =
        d.answered(Uuid::now_v7(), &claim, Err(ApiError::Problem(Box::new(refusal("Já assumido.")))), false);
    assert!(matches!(routed, Some(Routed::Alarm { reverted: false, .. })));
    assert_eq!(d.model().alarms[&id], hers);
}

/// Issue 8: a call registered while the server is away is shown queued, so the call taker goes
/// on with the next call; a cache written by the seat comes back at the next start.
#[test]
fn a_call_registered_offline_is_queued_and_the_seat_starts_from_its_cache() {
    let data = tempfile::tempdir().expect("dir");
    let now = Utc::now();
    let mut d = Desk::new(user(), now);
    d.open_seat(data.path(), "central").expect("seat");
    let call = new_call();
    let id = call.id.expect("id");
    match d.issue(Command::CreateOccurrence(call), None, now) {
        Issued::Shown(s) => assert!(matches!(&s[..], [Show::CallQueued(q)] if *q == id)),
        other => panic!("{other:?}"),
    }
    assert_eq!(d.outbox_counts(), (1, 0));
    assert!(d.outbox_source().is_some() && d.live_source().1.is_some());
}

/// Without a seat a command is sent at once; the answer of a device command goes back to the
/// alarm card it was sent from, and an answer the server applied but did not keep (null) stands
/// for the record the feed brought — or says so in Portuguese.
#[test]
fn without_a_seat_commands_go_at_once_and_answers_find_their_screen() {
    use atalaia_core::command::CommandKind;
    let now = Utc::now();
    let mut d = Desk::new(user(), now);
    let alarm = AlarmId::new();
    let command = Command::DeviceCommand {
        device: atalaia_core::ids::DeviceId::new(),
        command: atalaia_core::wire::NewCommand {
            id: Some(atalaia_core::ids::CommandId::new()),
            kind: CommandKind::ReportInterval { seconds: 60 },
        },
    };
    let Issued::Send(sent) = d.issue(command.clone(), Some(alarm), now) else { panic!("sent at once") };
    match d.answered(sent, &command, Err(ApiError::Network("recusada".into())), false) {
        Some(Routed::DeviceCommand(a, Err(_))) => assert_eq!(a, alarm),
        other => panic!("{other:?}"),
    }
    assert!(d.answered(sent, &command, Err(ApiError::Network("x".into())), false).is_none(), "answered once");

    let call = new_call();
    let id = call.id.expect("id");
    let create = Command::CreateOccurrence(call);
    match d.answered(Uuid::now_v7(), &create, Ok(serde_json::Value::Null), false) {
        Some(Routed::Registered(o, r)) => {
            assert_eq!(o, id);
            assert_eq!(r.expect_err("nothing to show").user_message(), APPLIED_WITHOUT_ANSWER);
        }
        other => panic!("{other:?}"),
    }
    let known = occurrence(id, now);
    snapshot(&mut d, Snapshot { seq: 3, occurrences: vec![known.clone()], ..Default::default() }, now);
    match d.answered(Uuid::now_v7(), &create, Ok(serde_json::Value::Null), false) {
        Some(Routed::Registered(_, r)) => assert_eq!(r.expect("the feed's copy").number, known.number),
        other => panic!("{other:?}"),
    }
    // A replayed first answer older than the feed: the seat's copy is given.
    let mut old = known.clone();
    old.number = "2026-000000".into();
    let replayed = serde_json::to_value(&old).expect("json");
    match d.answered(Uuid::now_v7(), &create, Ok(replayed), true) {
        Some(Routed::Registered(_, r)) => assert_eq!(r.expect("copy").number, "2026-000001"),
        other => panic!("{other:?}"),
    }
}

/// The answer to a regulation is shown at once unless the feed brought a newer copy.
#[test]
fn an_answered_occurrence_never_replaces_a_newer_one_from_the_feed() {
    let now = Utc::now();
    let mut d = Desk::new(user(), now);
    let id = OccurrenceId::new();
    let mut newer = occurrence(id, now);
    newer.updated_at = now + chrono::Duration::seconds(5);
    snapshot(&mut d, Snapshot { seq: 1, occurrences: vec![newer.clone()], ..Default::default() }, now);
    assert!(!d.answered_occurrence(occurrence(id, now)));
    assert_eq!(d.model().occurrences[&id].updated_at, newer.updated_at);
    let mut newest = newer.clone();
    newest.updated_at = now + chrono::Duration::seconds(9);
    assert!(d.answered_occurrence(newest));
}

/// The link is "lost since" the desk started until it first connects, then since it was lost.
#[test]
fn the_link_says_since_when_it_is_down() {
    let t0 = Utc::now();
    let mut d = Desk::new(user(), t0);
    let t1 = t0 + chrono::Duration::seconds(30);
    let lost = |d: &mut Desk, at| {
        let update =
            LiveUpdate::Disconnected { reason: "x".into(), retry_in: std::time::Duration::from_secs(2) };
        let _ = d.live(update, at);
    };
    lost(&mut d, t1);
    assert_eq!(d.link(), &Link::Reconnecting { since: t0, at: t1 + chrono::Duration::seconds(2) });
    assert!(!d.live(LiveUpdate::Connected { resumed: true }, t1).applied, "nothing to apply");
    assert_eq!(d.link(), &Link::Connected);
    let t2 = t1 + chrono::Duration::seconds(60);
    lost(&mut d, t2);
    lost(&mut d, t2 + chrono::Duration::seconds(3));
    assert!(matches!(d.link(), Link::Reconnecting { since, .. } if *since == t2));
    assert!(d.live(LiveUpdate::Unauthorized, t2).unauthorized);
}
