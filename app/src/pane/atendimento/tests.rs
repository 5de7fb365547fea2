#![allow(clippy::unwrap_used)]
use super::*;
use atalaia_client::LiveModel;
use atalaia_client::format;
use atalaia_core::auth::Role;
use atalaia_core::ids::UserId;
use atalaia_core::samu::OccurrencePhase;
use atalaia_core::wire::{Problem, UserInfo};

fn user(role: Role) -> UserInfo {
    UserInfo {
        id: UserId::new(),
        username: "tarm1".into(),
        display_name: "Ana".into(),
        role,
        profile: None,
        permissions: None,
        active: true,
        unit: None,
    }
}

fn occurrence(id: OccurrenceId, number: &str) -> Occurrence {
    let now = Utc::now();
    Occurrence::new(
        id,
        number.into(),
        CallType::Atendimento,
        String::new(),
        "31988887777".into(),
        "Rua A, 10".into(),
        "Belo Horizonte".into(),
        None,
        "dor no peito".into(),
        OccurrencePhase::Regulation,
        UserId::new(),
        now,
    )
}

fn fill(s: &mut State, ctx: &Ctx<'_>) {
    for m in [
        Message::Phone("(31) 98888-7777".into()),
        Message::Address("Rua A, 10".into()),
        Message::Municipality("Belo Horizonte".into()),
        Message::Description("dor no peito".into()),
    ] {
        let _ = s.update(m, ctx);
    }
}

#[test]
fn invalid_form_shows_errors_and_sends_nothing() {
    let (model, u) = (LiveModel::default(), user(Role::Tarm));
    let ctx = Ctx {
        model: &model,
        now: Utc::now(),
        tz: format::DEFAULT_TZ,
        user: &u,
        photos: crate::photos::Photos::none(),
    };
    let mut s = State::default();
    let (_, event) = s.update(Message::Submit, &ctx);
    assert!(event.is_none());
    assert_eq!(s.outcome, Some(Outcome::Failed(pt::FIX_ERRORS.into())));
    assert!(s.error(&s.draft().1, "caller_phone").is_some());
}

#[test]
fn valid_form_emits_register_once_and_resets_on_success() {
    let (model, u) = (LiveModel::default(), user(Role::Tarm));
    let ctx = Ctx {
        model: &model,
        now: Utc::now(),
        tz: format::DEFAULT_TZ,
        user: &u,
        photos: crate::photos::Photos::none(),
    };
    let mut s = State::default();
    fill(&mut s, &ctx);
    assert_eq!(s.started_at, Some(ctx.now), "timer starts with the first keystroke");
    let Some(Event::Register(new)) = s.update(Message::Submit, &ctx).1 else { panic!("no event") };
    assert!(s.update(Message::Submit, &ctx).1.is_none(), "no double submit while in flight");
    let id = new.id.unwrap();
    let _ = s.update(Message::Submitted(id, Box::new(Ok(occurrence(id, "2026-000123")))), &ctx);
    assert_eq!(s.outcome, Some(Outcome::Registered("2026-000123".into())));
    assert!(s.form.phone.is_empty());
    assert_ne!(s.draft_id, id, "next call gets a fresh id");
}

#[test]
fn server_field_errors_show_and_retry_keeps_the_id() {
    let (model, u) = (LiveModel::default(), user(Role::Tarm));
    let ctx = Ctx {
        model: &model,
        now: Utc::now(),
        tz: format::DEFAULT_TZ,
        user: &u,
        photos: crate::photos::Photos::none(),
    };
    let mut s = State::default();
    fill(&mut s, &ctx);
    let Some(Event::Register(first)) = s.update(Message::Submit, &ctx).1 else { panic!("no event") };
    let problem = Problem {
        type_uri: "about:blank".into(),
        title: "Dados inválidos".into(),
        status: 422,
        detail: None,
        code: "validation".into(),
        errors: vec![FieldError::new("municipality", "Município fora da área da central.")],
    };
    let _ = s.update(
        Message::Submitted(first.id.unwrap(), Box::new(Err(ApiError::Problem(Box::new(problem))))),
        &ctx,
    );
    assert_eq!(s.error(&[], "municipality").as_deref(), Some("Município fora da área da central."));
    let Some(Event::Register(second)) = s.update(Message::Submit, &ctx).1 else { panic!("no event") };
    assert_eq!(first.id, second.id);
    let _ = s.update(Message::Municipality("Contagem".into()), &ctx);
    assert!(s.error(&[], "municipality").is_none(), "editing the field clears the server's error");
}

#[test]
fn roles_without_permission_cannot_register() {
    let (model, u) = (LiveModel::default(), user(Role::MonitoringOperator));
    let ctx = Ctx {
        model: &model,
        now: Utc::now(),
        tz: format::DEFAULT_TZ,
        user: &u,
        photos: crate::photos::Photos::none(),
    };
    let mut s = State::default();
    fill(&mut s, &ctx);
    assert!(s.update(Message::Submit, &ctx).1.is_none());
}

fn ctx_for<'a>(model: &'a LiveModel, u: &'a UserInfo) -> Ctx<'a> {
    Ctx { model, now: Utc::now(), tz: format::DEFAULT_TZ, user: u, photos: crate::photos::Photos::none() }
}

#[test]
fn rfs115_the_map_follows_the_calls_place_as_it_is_typed_taken_and_cleared() {
    let (model, u) = (LiveModel::default(), user(Role::Tarm));
    let ctx = ctx_for(&model, &u);
    let mut s = State::default();
    fill(&mut s, &ctx);
    let (_, e) = s.update(Message::Coordinates("-19,9191".into()), &ctx);
    assert!(e.is_none(), "half-typed: nothing to show yet");
    let (_, e) = s.update(Message::Coordinates("-19,9191 -43,9386".into()), &ctx);
    let at = LatLon { lat: -19.9191, lon: -43.9386 };
    assert!(matches!(e, Some(Event::Place(Some(p))) if p == at));
    let (_, e) = s.update(Message::Description("dor no peito forte".into()), &ctx);
    assert!(e.is_none(), "shown once");
    let Some(Event::Register(new)) = s.update(Message::Submit, &ctx).1 else { panic!("registered") };
    assert_eq!(new.location, Some(at), "the call carries its place to the server");
    assert_eq!(new.address, "Rua A, 10");
    let picked = LatLon { lat: -19.95, lon: -43.90 };
    let mut s = State::default();
    let (_, e) = s.update(Message::Place(picked, PlaceSource::Map), &ctx);
    assert!(matches!(e, Some(Event::Place(Some(p))) if p == picked));
    let (_, e) = s.update(Message::ClearPlace, &ctx);
    assert!(matches!(e, Some(Event::Place(None))));
}

#[test]
fn rfs029_victims_are_added_filled_and_removed_and_their_errors_named() {
    let (model, u) = (LiveModel::default(), user(Role::Tarm));
    let ctx = ctx_for(&model, &u);
    let mut s = State::default();
    fill(&mut s, &ctx);
    for _ in 0..2 {
        let _ = s.update(Message::AddVictim, &ctx);
    }
    let _ = s.update(Message::Victim(0, VictimField::Name("Maria".into())), &ctx);
    let _ = s.update(Message::Victim(0, VictimField::Sex(SexOption(Sex::Female))), &ctx);
    let _ = s.update(Message::Victim(0, VictimField::Age("67".into())), &ctx);
    let _ = s.update(Message::Victim(1, VictimField::Cpf("529.982.247-24".into())), &ctx);
    assert!(s.update(Message::Submit, &ctx).1.is_none(), "a wrong CPF stops the call");
    assert!(s.error(&s.draft().1, "victims[1].cpf").unwrap().starts_with("CPF inválido"));
    let _ = s.update(Message::RemoveVictim(1), &ctx);
    let Some(Event::Register(new)) = s.update(Message::Submit, &ctx).1 else { panic!("registered") };
    assert_eq!(new.victims.len(), 1);
    assert_eq!((new.victims[0].name.as_str(), new.victims[0].age_years), ("Maria", Some(67)));
}

#[test]
fn rfs182_an_earlier_calls_data_is_taken_with_one_click() {
    let mut model = LiveModel::default();
    let mut earlier = occurrence(OccurrenceId::new(), "2026-000007");
    earlier.location = Some(LatLon { lat: -19.93, lon: -43.93 });
    model.occurrences.insert(earlier.id, earlier.clone());
    let u = user(Role::Tarm);
    let ctx = ctx_for(&model, &u);
    let mut s = State::default();
    let _ = s.update(Message::Phone("(31) 98888-7777".into()), &ctx);
    let (_, e) = s.update(Message::Reuse(earlier.id), &ctx);
    assert!(matches!(e, Some(Event::Place(Some(_)))), "its place shows on the map");
    let _ = s.update(Message::Description("nova queda".into()), &ctx);
    let Some(Event::Register(new)) = s.update(Message::Submit, &ctx).1 else { panic!("registered") };
    assert_eq!(new.address, "Rua A, 10");
    assert_eq!(new.municipality, "Belo Horizonte");
    assert_eq!(new.location, earlier.location);
}

#[test]
fn rfs003_rfs033_the_centres_rules_stay_with_the_form_from_call_to_call() {
    let (model, u) = (LiveModel::default(), user(Role::Tarm));
    let ctx = ctx_for(&model, &u);
    let mut s = State::default();
    assert!(s.needs_rules());
    let rules = IntakeRules {
        ddds: vec![31],
        regional_municipalities: Vec::new(),
        call_overtime_s: 180,
        outcomes: Vec::new(),
    };
    let _ = s.update(Message::Rules(rules.clone()), &ctx);
    fill(&mut s, &ctx);
    let Some(Event::Register(new)) = s.update(Message::Submit, &ctx).1 else { panic!("registered") };
    let _ = s.update(
        Message::Submitted(new.id.unwrap(), Box::new(Ok(occurrence(new.id.unwrap(), "2026-1")))),
        &ctx,
    );
    assert!(!s.needs_rules(), "kept for the next call");
    assert_eq!(s.rules.as_ref().map(|r| r.alerts("(11) 98888-7777", "")).map(|a| a.len()), Some(1));
}

#[test]
fn rfs030_a_suggested_address_brings_its_own_point_or_none_but_keeps_one_marked_on_the_map() {
    use atalaia_client::intake::KnownAddress;
    let (model, u) = (LiveModel::default(), user(Role::Tarm));
    let ctx = ctx_for(&model, &u);
    let mut s = State::default();
    let a = LatLon { lat: -19.93, lon: -43.93 };
    let known = |address: &str, location| KnownAddress {
        address: address.into(),
        municipality: "Belo Horizonte".into(),
        location,
    };
    let _ = s.update(Message::Suggestion(known("Rua A, 1", Some(a))), &ctx);
    assert_eq!(s.draft().0.location, Some(a));
    let _ = s.update(Message::Suggestion(known("Rua B, 2", None)), &ctx);
    assert_eq!(s.draft().0.location, None, "Rua A's point does not go with Rua B");
    let marked = LatLon { lat: -19.95, lon: -43.90 };
    let _ = s.update(Message::Place(marked, PlaceSource::Map), &ctx);
    let _ = s.update(Message::Suggestion(known("Rua A, 1", Some(a))), &ctx);
    assert_eq!(s.draft().0.location, Some(marked), "a point marked on the map stays");
}

#[test]
fn rfs030_the_geocoder_is_asked_once_typing_pauses_once_per_query_and_old_answers_are_not_shown() {
    let (model, u) = (LiveModel::default(), user(Role::Tarm));
    let ctx = ctx_for(&model, &u);
    let later = Ctx { now: ctx.now + chrono::Duration::seconds(2), ..ctx };
    let mut s = State::default();
    let _ = s.update(Message::Address("Rua da Bahia".into()), &ctx);
    assert!(s.due(&later).is_none(), "no geocoder configured");
    s.set_geocoder(Some("http://127.0.0.1:9".into()));
    assert!(s.due(&ctx).is_none(), "still typing");
    assert!(matches!(s.due(&later), Some(Event::Geocode { query, .. }) if query == "Rua da Bahia"));
    assert!(s.due(&later).is_none(), "once per query");
    let place = atalaia_client::geocoder::Place {
        label: "Rua da Bahia, Belo Horizonte".into(),
        at: LatLon { lat: -19.92, lon: -43.94 },
        street: Some("Rua da Bahia".into()),
        municipality: Some("Belo Horizonte".into()),
    };
    let _ = s.update(Message::Geocoded("Rua da Bahia".into(), Ok(vec![place])), &later);
    assert_eq!(s.geocoded().len(), 1);
    let _ = s.update(Message::Address("Rua da Bahia, 2".into()), &later);
    assert!(s.geocoded().is_empty(), "the answer was for what was typed before");
    // Typing the municipality is typing the query too: it waits for that to pause.
    let _ = s.update(Message::Municipality("Belo Hori".into()), &later);
    assert!(s.due(&later).is_none(), "still typing the municipality");
}
