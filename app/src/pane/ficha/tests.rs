use super::*;
use atalaia_client::LiveModel;
use atalaia_core::auth::Role;
use atalaia_core::ids::UserId;
use atalaia_core::wire::UserInfo;
use chrono::{TimeZone, Utc};

fn occurrence() -> Occurrence {
    let at = Utc.with_ymd_and_hms(2026, 12, 6, 3, 0, 0).single().expect("time");
    atalaia_client::fixtures::occurrence(OccurrenceId::new(), at)
}

fn attachment(kind: AttachmentKind, name: &str) -> AttachmentInfo {
    AttachmentInfo {
        id: AttachmentId::new(),
        kind,
        content_type: match kind {
            AttachmentKind::Photo => "image/jpeg",
            AttachmentKind::Audio => "audio/ogg",
            AttachmentKind::Video => "video/mp4",
            AttachmentKind::Document => "application/pdf",
        }
        .into(),
        name: name.into(),
        size: 1,
        sha256: String::new(),
        victim: Some(1),
        by: UserId::new(),
        by_name: "Equipe USA-01".into(),
        at: Utc::now(),
    }
}

fn crew_message(o: OccurrenceId, text: &str) -> care::Message {
    care::Message {
        id: MessageId::new(),
        occurrence_id: o,
        from: UserId::new(),
        from_name: "Equipe USA-01".into(),
        from_role: Role::Crew,
        text: text.into(),
        canned: false,
        sent_at: Utc::now(),
        delivered_at: Utc::now(),
        read_at: None,
        read_by: None,
    }
}

struct Seat {
    model: LiveModel,
    user: UserInfo,
}

impl Seat {
    fn with(o: &Occurrence) -> Self {
        let mut model = LiveModel::default();
        model.occurrences.insert(o.id, o.clone());
        let user = UserInfo {
            id: UserId::new(),
            username: "r".into(),
            display_name: "Dr. Paulo".into(),
            role: Role::Regulator,
            profile: None,
            permissions: None,
            active: true,
            unit: None,
        };
        Self { model, user }
    }

    fn ctx(&self) -> Ctx<'_> {
        Ctx {
            model: &self.model,
            now: Utc::now(),
            tz: atalaia_client::format::DEFAULT_TZ,
            user: &self.user,
            photos: crate::photos::Photos::none(),
        }
    }
}

/// A record whose folder was read (the first thing it asks for).
fn opened(seat: &Seat, id: OccurrenceId, messages: Vec<care::Message>) -> State {
    let mut s = State::new(id);
    assert!(matches!(s.due(&seat.ctx(), false), Some(Event::Load(l)) if l == id));
    let canned = vec!["Ciente. Prossiga.".to_owned()];
    let _ = s.update(Message::Loaded(Ok(Folder { dispatches: vec![], messages, canned })), &seat.ctx());
    s
}

#[test]
fn rfs045_a_message_goes_once_and_a_resend_after_a_failure_is_the_same_message() {
    let o = occurrence();
    let seat = Seat::with(&o);
    let mut s = opened(&seat, o.id, vec![]);
    let _ = s.update(Message::Draft("Sigam para o HPS".into()), &seat.ctx());
    let Some(Event::Send(to, first)) = s.update(Message::Send, &seat.ctx()).1 else { panic!("sent") };
    assert_eq!((to, first.text.as_str(), first.canned), (o.id, "Sigam para o HPS", false));
    // One at a time: neither another press nor a configured answer goes meanwhile.
    assert!(s.update(Message::Send, &seat.ctx()).1.is_none());
    assert!(s.update(Message::Canned("Ciente. Prossiga.".into()), &seat.ctx()).1.is_none());
    let _ = s.update(Message::Sent(Err(ApiError::Network("sem rede".into()))), &seat.ctx());
    assert_eq!(s.draft, "Sigam para o HPS", "nothing typed is lost");
    assert!(matches!(&s.notice, Some(Err(e)) if e.contains("sem rede")), "{:?}", s.notice);
    let Some(Event::Send(_, again)) = s.update(Message::Send, &seat.ctx()).1 else { panic!("resent") };
    assert_eq!(again.id, first.id, "the server stores a resend once");
    let mut stored = crew_message(o.id, "Sigam para o HPS");
    stored.id = again.id.unwrap_or_default();
    stored.from_role = Role::Regulator;
    let _ = s.update(Message::Sent(Ok(stored)), &seat.ctx());
    assert!(s.draft.is_empty());
    // A new message is a new id.
    let Some(Event::Send(_, canned)) = s.update(Message::Canned("Ciente. Prossiga.".into()), &seat.ctx()).1
    else {
        panic!("canned")
    };
    assert!(canned.canned && canned.id != first.id);
}

#[test]
fn rfs045_read_receipts_go_while_the_chat_is_in_view_once_each() {
    let o = occurrence();
    let seat = Seat::with(&o);
    let question = crew_message(o.id, "Qual a unidade de destino?");
    let mut s = opened(&seat, o.id, vec![question.clone()]);
    assert_eq!(s.unread(&seat.ctx()), 1);
    assert!(s.due(&seat.ctx(), false).is_none(), "not read while the chat is not in view");
    assert!(
        matches!(s.due(&seat.ctx(), true), Some(Event::Read(id, ids)) if id == o.id && ids == [question.id])
    );
    assert!(s.due(&seat.ctx(), true).is_none(), "asked once");
    let mut read = question.clone();
    read.read_at = Some(Utc::now());
    let _ = s.update(Message::Marked(Ok(read)), &seat.ctx());
    assert_eq!(s.unread(&seat.ctx()), 0);
}

#[test]
fn tdc_proc_9_each_photo_is_fetched_once_and_other_files_only_when_asked() {
    let mut o = occurrence();
    let photo = attachment(AttachmentKind::Photo, "ferida.jpg");
    o.attachments = vec![photo.clone(), attachment(AttachmentKind::Audio, "relato.ogg")];
    let seat = Seat::with(&o);
    let mut s = opened(&seat, o.id, vec![]);
    assert!(
        matches!(s.due(&seat.ctx(), false), Some(Event::Photos(id, list)) if id == o.id && list == [photo.clone()])
    );
    assert!(s.due(&seat.ctx(), false).is_none());
    // The same file asked twice while the first is on its way goes once.
    let open = Message::File(photo.clone(), true);
    assert!(matches!(s.update(open.clone(), &seat.ctx()).1, Some(Event::File { open: true, .. })));
    assert!(s.update(open.clone(), &seat.ctx()).1.is_none());
    let _ = s.update(Message::Saved(photo.id.to_string(), Err("Disco cheio".into())), &seat.ctx());
    assert!(matches!(&s.notice, Some(Err(e)) if e == "Disco cheio"));
    assert!(s.update(open, &seat.ctx()).1.is_some(), "asked again after the answer");
}

#[test]
fn rfs133_an_empty_addendum_is_refused_and_a_refused_one_keeps_its_text() {
    let o = occurrence();
    let seat = Seat::with(&o);
    let mut s = opened(&seat, o.id, vec![]);
    assert!(s.update(Message::Append, &seat.ctx()).1.is_none());
    assert!(matches!(&s.notice, Some(Err(e)) if e == timeline::ADDENDUM_EMPTY));
    let _ = s.update(Message::Addendum("Óbito às 05:10".into()), &seat.ctx());
    assert!(
        matches!(s.update(Message::Append, &seat.ctx()).1, Some(Event::Append(id, t)) if id == o.id && t == "Óbito às 05:10")
    );
    assert!(s.update(Message::Append, &seat.ctx()).1.is_none(), "once at a time");
    let _ = s.update(Message::Appended(Err(ApiError::Network("sem rede".into()))), &seat.ctx());
    assert_eq!(s.addendum, "Óbito às 05:10");
    assert!(s.update(Message::Append, &seat.ctx()).1.is_some());
}

#[test]
fn tdc_proc_9_a_camera_photo_is_shown_scaled_down_and_a_broken_one_says_so() {
    let picture = ::image::RgbImage::from_fn(1280, 960, |x, _| ::image::Rgb([(x / 5) as u8, 0, 0]));
    let mut jpeg = std::io::Cursor::new(Vec::new());
    picture.write_to(&mut jpeg, ::image::ImageFormat::Jpeg).expect("encode");
    match thumbnail(jpeg.get_ref()).expect("decoded") {
        image::Handle::Rgba { width, height, .. } => assert_eq!((width, height), (THUMB, THUMB * 3 / 4)),
        other => panic!("{other:?}"),
    }
    let broken = thumbnail(&jpeg.get_ref()[..200]).expect_err("truncated");
    assert!(broken.starts_with("Foto ilegível"), "{broken}");
}
