#![allow(clippy::unwrap_used)]

use super::*;
use crate::fixtures::occurrence;
use atalaia_core::auth::Role;
use atalaia_core::ids::{AttachmentId, DispatchId, UserId, VehicleId};
use atalaia_core::samu::care::{AttachmentKind, Vitals};
use atalaia_core::samu::{PhaseTimes, VehicleStatus};
use atalaia_core::wire::{EventBody, LiveEvent, LiveMessage};
use chrono::{Duration, TimeZone};

fn t(min: i64) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 12, 6, 3, 0, 0).unwrap() + Duration::minutes(min)
}

fn message(o: OccurrenceId, min: i64, role: Role, text: &str) -> Message {
    Message {
        id: MessageId::new(),
        occurrence_id: o,
        from: UserId::new(),
        from_name: if role == Role::Crew { "Equipe USA-01".into() } else { "Dra. Regina".into() },
        from_role: role,
        text: text.into(),
        canned: false,
        sent_at: t(min),
        delivered_at: t(min),
        read_at: None,
        read_by: None,
    }
}

fn dispatch(o: OccurrenceId, min: i64, active: bool) -> Dispatch {
    Dispatch {
        id: DispatchId::new(),
        occurrence_id: o,
        vehicle_id: VehicleId::new(),
        vehicle_code: "USA-01".into(),
        committed_at: t(min),
        committed_by: UserId::new(),
        active,
        status: VehicleStatus::Committed,
        additional: false,
        times: PhaseTimes::default(),
        stretcher: None,
        ended: None,
        eta_s: Some(420),
        reported: Default::default(),
    }
}

fn live(model: &mut LiveModel, seq: u64, body: EventBody) {
    model.apply(LiveMessage::Event(LiveEvent { seq, at: t(0), body }));
}

#[test]
fn rfs055_the_record_puts_the_call_its_regulation_every_phase_and_the_crews_entries_in_time_order() {
    let mut o = occurrence(OccurrenceId::new(), t(0));
    o.call_started_at = Some(t(-2));
    o.handed_off_at = Some(t(1));
    o.history.push(Change {
        at: t(3),
        by: UserId::new(),
        by_name: "Dra. Regina".into(),
        stage: None,
        field: "priority".into(),
        from: None,
        to: "emergency".into(),
        reason: String::new(),
    });
    o.records.push(CareRecord {
        victim: 1,
        at: t(20),
        by: UserId::new(),
        by_name: "Enf. Paulo".into(),
        vitals: Vitals { hr: Some(110), ..Vitals::default() },
        glasgow: None,
        glasgow_total: None,
        trauma_score: None,
        notes: "Fratura exposta de tíbia".into(),
    });
    o.attachments.push(AttachmentInfo {
        id: AttachmentId::new(),
        kind: AttachmentKind::Photo,
        content_type: "image/jpeg".into(),
        name: "perna.jpg".into(),
        size: 10,
        sha256: String::new(),
        victim: Some(1),
        by: UserId::new(),
        by_name: "Enf. Paulo".into(),
        at: t(21),
    });
    o.closure = Some(Closure { at: t(90), by: UserId::new(), reason: "Atendimento concluído".into() });
    o.addenda.push(Addendum {
        at: t(120),
        by: UserId::new(),
        by_name: "Dra. Regina".into(),
        text: "Óbito".into(),
    });
    let mut d = dispatch(o.id, 5, false);
    d.times.acknowledged = Some(t(6));
    d.times.on_scene = Some(t(15));
    d.times.released = Some(t(80));
    let chat = message(o.id, 22, Role::Crew, "Vítima consciente");
    let dispatches = [d];
    let list = timeline(&o, &dispatches, &[&chat]);
    let kinds: Vec<String> = list
        .iter()
        .map(|(_, e)| match e {
            Entry::Call(_) => "call".into(),
            Entry::HandedOff => "handoff".into(),
            Entry::Change(c) => format!("change {}", c.field),
            Entry::Phase(_, p) => format!("{p:?}"),
            Entry::Care(_) => "care".into(),
            Entry::Attachment(a) => format!("file {}", a.name),
            Entry::Message(m) => format!("chat {}", m.text),
            Entry::Closure(_) => "closed".into(),
            Entry::Addendum(a) => format!("addendum {}", a.text),
            other => format!("{other:?}"),
        })
        .collect();
    assert_eq!(
        kinds,
        [
            "call",
            "handoff",
            "change priority",
            "Committed",
            "Acknowledged",
            "OnScene",
            "care",
            "file perna.jpg",
            "chat Vítima consciente",
            "Released",
            "closed",
            "addendum Óbito"
        ]
    );
    assert!(list.windows(2).all(|w| w[0].0 <= w[1].0));
    // The call timer's start is when the call began, not when it was saved.
    assert_eq!(list[0].0, t(-2));
}

#[test]
fn rfs045_a_message_read_after_it_was_loaded_shows_read_and_is_listed_once() {
    let o = OccurrenceId::new();
    let first = message(o, 1, Role::Crew, "Chegamos");
    let mut read = first.clone();
    read.read_at = Some(t(2));
    let later = message(o, 3, Role::Regulator, "Levem ao HPS");
    // The folder read before the receipt; the feed brought the receipt and a new message.
    let loaded = vec![first.clone()];
    let feed = vec![read.clone(), later.clone()];
    let merged = conversation(&loaded, &feed);
    assert_eq!(merged, vec![&read, &later]);
    // The other way round (the folder read after the feed's copy) keeps the receipt too.
    let merged = conversation(&feed, &loaded);
    assert_eq!(merged, vec![&read, &later]);
    assert!(unread_from_crew(&merged).is_empty());
    assert_eq!(unread_from_crew(&[&first, &later]), vec![first.id]);
}

#[test]
fn rfs045_the_feed_keeps_each_occurrences_messages_in_sending_order_and_replaces_a_read_one() {
    let mut model = LiveModel::default();
    let o = OccurrenceId::new();
    let late = message(o, 5, Role::Crew, "Saindo do local");
    let early = message(o, 1, Role::Crew, "No local");
    live(&mut model, 1, EventBody::Message(late.clone()));
    live(&mut model, 2, EventBody::Message(early.clone()));
    let mut read = early.clone();
    read.read_at = Some(t(6));
    live(&mut model, 3, EventBody::Message(read.clone()));
    assert_eq!(model.messages[&o], vec![read, late]);
}

#[test]
fn rfs055_the_record_lists_dispatches_that_ended_with_what_the_feed_said_last() {
    let mut model = LiveModel::default();
    let o = OccurrenceId::new();
    let usb = dispatch(o, 2, true);
    let other = dispatch(OccurrenceId::new(), 1, true);
    // The folder was read while the USB was on its way.
    let loaded = vec![usb.clone(), other.clone()];
    let mut replaced = usb.clone();
    replaced.active = false;
    replaced.times.released = Some(t(9));
    let usa = dispatch(o, 8, true);
    live(&mut model, 1, EventBody::Dispatch(replaced.clone()));
    live(&mut model, 2, EventBody::Dispatch(usa.clone()));
    assert_eq!(dispatches(&model, o, &loaded), vec![replaced.clone(), usa.clone()]);
    assert!(model.ended_dispatches.contains_key(&usb.id) && !model.dispatches.contains_key(&usb.id));
}

#[test]
fn rfs026_files_are_named_after_their_occurrence_and_saved_whole() {
    assert_eq!(report_name("2026-000123"), "ocorrencia-2026-000123.pdf");
    assert_eq!(safe_name("../../etc/passwd"), "_.._etc_passwd");
    assert_eq!(safe_name("foto da perna 1.jpg"), "foto_da_perna_1.jpg");
    assert_eq!(safe_name(""), "arquivo");
    let dir = tempfile::tempdir().unwrap();
    let inner = dir.path().join("Atalaia");
    let files = Files { dir: inner.clone(), open_with: None };
    let path = files.save("ocorrencia-1.pdf", b"%PDF-1.7 ...").unwrap();
    assert_eq!(path, inner.join("ocorrencia-1.pdf"));
    assert_eq!(std::fs::read(&path).unwrap(), b"%PDF-1.7 ...");
    // Nothing half-written is left beside it.
    assert_eq!(std::fs::read_dir(&inner).unwrap().count(), 1);
}

#[test]
fn rfs053_a_transfer_names_a_victim_of_the_call_and_two_of_its_vehicles_the_second_still_on_it() {
    let mut o = occurrence(OccurrenceId::new(), t(0));
    let usb = dispatch(o.id, 1, true);
    let usa = dispatch(o.id, 2, true);
    let mut gone = dispatch(o.id, 0, false);
    gone.vehicle_code = "USB-09".into();
    let elsewhere = dispatch(OccurrenceId::new(), 0, true);
    let all = [usb.clone(), usa.clone(), gone.clone(), elsewhere.clone()];
    let mut d = TransferDraft::default();
    assert_eq!(d.to_new(&o, &all), Err("Escolha a vítima transferida.".into()));
    d.victim = Some(2);
    assert_eq!(d.to_new(&o, &all), Err("A ocorrência não tem a vítima 2.".into()));
    d.victim = Some(1);
    d.from = Some(usb.id);
    d.to = Some(usb.id);
    assert!(d.to_new(&o, &all).unwrap_err().contains("duas diferentes"));
    d.to = Some(gone.id);
    assert!(d.to_new(&o, &all).unwrap_err().contains("deve estar empenhada"));
    d.to = Some(elsewhere.id);
    assert!(d.to_new(&o, &all).unwrap_err().contains("deve estar empenhada"));
    d.to = Some(usa.id);
    assert_eq!(d.to_new(&o, &all), Err("Diga o motivo da transferência.".into()));
    d.reason = "  USA com suporte avançado  ".into();
    let new = d.to_new(&o, &all).unwrap();
    assert_eq!(
        (new.victim, new.from_dispatch, new.to_dispatch, new.reason.as_str()),
        (1, usb.id, usa.id, "USA com suporte avançado")
    );
    // With victims registered, their numbers.
    o.victims = vec![];
    assert_eq!(TransferDraft::victims(&o), [1]);
}

#[test]
fn rfs025_an_attachment_is_saved_under_its_own_name_with_an_extension_from_its_type_and_only_media_open() {
    let file = |kind, content_type: &str, name: &str| AttachmentInfo {
        id: AttachmentId::new(),
        kind,
        content_type: content_type.into(),
        name: name.into(),
        size: 1,
        sha256: String::new(),
        victim: None,
        by: UserId::new(),
        by_name: "Equipe".into(),
        at: t(0),
    };
    let a = file(AttachmentKind::Audio, "audio/wav", "relato.wav");
    let b = file(AttachmentKind::Audio, "audio/wav", "relato.wav");
    let (na, nb) = (attachment_name("2026-000001", &a), attachment_name("2026-000001", &b));
    assert_ne!(na, nb, "two files of one name never overwrite each other");
    assert!(na.starts_with("2026-000001-") && na.ends_with("-relato.wav"), "{na}");
    assert!(openable(&a));
    // What the uploader called it does not decide what runs.
    let trap = file(AttachmentKind::Document, "application/octet-stream", "laudo.bat");
    assert!(!openable(&trap));
    assert!(attachment_name("2026-000001", &trap).ends_with("-laudo.bin"));
    let disguised = file(AttachmentKind::Photo, "image/jpeg", "foto.exe");
    assert!(attachment_name("2026-000001", &disguised).ends_with("-foto.jpg"));
    assert!(!openable(&file(AttachmentKind::Photo, "text/html", "x.html")));
    assert!(openable(&file(AttachmentKind::Document, "application/pdf", "termo.pdf")));
}

#[test]
fn rfs133_closed_calls_by_when_they_were_closed_and_a_new_snapshot_forgets_what_it_no_longer_carries() {
    use atalaia_core::samu::OccurrencePhase;
    use atalaia_core::wire::Snapshot;
    let mut model = LiveModel::default();
    let closed = |min_closed: i64, min_updated: i64| {
        let mut o = occurrence(OccurrenceId::new(), t(0));
        o.phase = OccurrencePhase::Closed;
        o.closure = Some(Closure { at: t(min_closed), by: UserId::new(), reason: "ok".into() });
        o.updated_at = t(min_updated);
        o
    };
    // The first closed earlier but got an addendum later: it stays below.
    let (early, late) = (closed(10, 90), closed(20, 20));
    let kept = early.clone();
    let msg = message(kept.id, 5, Role::Crew, "ok");
    let gone = message(OccurrenceId::new(), 5, Role::Crew, "de uma ocorrência antiga");
    live(&mut model, 1, EventBody::Message(msg.clone()));
    live(&mut model, 2, EventBody::Message(gone.clone()));
    let snapshot = Snapshot { seq: 3, occurrences: vec![early.clone(), late.clone()], ..Snapshot::default() };
    model.apply(LiveMessage::Snapshot(snapshot));
    assert_eq!(model.recently_closed().iter().map(|o| o.id).collect::<Vec<_>>(), [late.id, early.id]);
    assert_eq!(model.messages.get(&kept.id), Some(&vec![msg]));
    assert!(!model.messages.contains_key(&gone.occurrence_id), "a call the snapshot no longer carries");
}
