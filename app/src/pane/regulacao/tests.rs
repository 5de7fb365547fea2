use super::form;
use super::*;
use atalaia_client::regulation::default_stage;
use atalaia_core::ids::UserId;
use atalaia_core::samu::OccurrencePhase;
use atalaia_core::samu::RegulatorStage;
use atalaia_core::wire::UserInfo;
use chrono::{DateTime, TimeZone, Utc};

fn occ(priority: Option<Priority>, municipality: &str, regional: bool) -> Occurrence {
    let at = Utc.with_ymd_and_hms(2026, 11, 22, 13, 0, 0).single().expect("time");
    let mut o = Occurrence {
        municipality: municipality.into(),
        description: "Dor torácica".into(),
        priority,
        ..atalaia_client::fixtures::occurrence(OccurrenceId::new(), at)
    };
    if regional {
        o.alerts.push(atalaia_core::samu::IntakeAlert::RegionalMunicipality {
            municipality: municipality.into(),
        });
    }
    o
}

/// A seat of `role` whose live model holds `o`.
fn seat(
    role: atalaia_core::auth::Role,
    o: &Occurrence,
) -> (atalaia_client::LiveModel, atalaia_core::wire::UserInfo) {
    let mut model = atalaia_client::LiveModel::default();
    model.occurrences.insert(o.id, o.clone());
    let user = atalaia_core::wire::UserInfo {
        id: UserId::new(),
        username: "u".into(),
        display_name: "Dra. Ana".into(),
        role,
        profile: None,
        permissions: None,
        active: true,
        unit: None,
    };
    (model, user)
}

#[test]
fn the_form_refuses_an_empty_regulation_and_a_change_without_reason() {
    let mut o = occ(Some(Priority::Urgent), "Belo Horizonte", false);
    let id = o.id;
    let (model, user) = seat(atalaia_core::auth::Role::Regulator, &o);
    let now = Utc::now();
    let ctx = Ctx {
        model: &model,
        now,
        tz: format::DEFAULT_TZ,
        user: &user,
        photos: crate::photos::Photos::none(),
    };
    let mut s = State::default();
    // A regulator is not offered vehicles: opening the call reads its record.
    assert!(matches!(
        s.update(Message::Selected(id), &ctx).1,
        Some(Event::Ficha(ficha::Event::Load(loaded))) if loaded == id
    ));
    assert!(s.update(Message::Form(form::Message::Submit), &ctx).1.is_none());
    assert_eq!(
        s.detail.as_ref().and_then(|d| d.notice.clone()),
        Some(Err(pt::NOTHING_TO_REGULATE.to_owned()))
    );
    // Yellow was decided: red needs a reason.
    let _ = s.update(Message::Form(form::Message::Priority(Priority::Emergency)), &ctx).1;
    assert!(s.update(Message::Form(form::Message::Submit), &ctx).1.is_none());
    assert_eq!(s.detail.as_ref().and_then(|d| d.notice.clone()), Some(Err(pt::REASON_REQUIRED.to_owned())));
    let _ = s.update(Message::Form(form::Message::Reason("piora do quadro".into())), &ctx).1;
    match s.update(Message::Form(form::Message::Submit), &ctx).1 {
        Some(Event::Regulate(sent, up)) => {
            assert_eq!(sent, id);
            assert_eq!(up.priority, Some(Priority::Emergency));
            assert_eq!(up.reason, "piora do quadro");
            assert_eq!(up.stage, RegulatorStage::Primary);
        }
        other => panic!("expected a regulation, got {other:?}"),
    }
    // A second Enter while it is on its way sends nothing more.
    assert!(s.update(Message::Form(form::Message::Submit), &ctx).1.is_none());
    // The answer clears the form; the occurrence's next regulation is the secondary's.
    o.priority = Some(Priority::Emergency);
    o.history.push(atalaia_core::samu::Change {
        at: now,
        by: user.id,
        by_name: "Dra. Ana".into(),
        stage: Some(RegulatorStage::Primary),
        field: "priority".into(),
        from: Some("urgent".into()),
        to: "emergency".into(),
        reason: "piora do quadro".into(),
    });
    assert!(matches!(
        s.update(Message::Regulated(id, Ok(Box::new(o.clone()))), &ctx).1,
        Some(Event::Updated(_))
    ));
    assert_eq!(default_stage(&o), RegulatorStage::Secondary);
}

#[test]
fn a_fleet_controller_is_offered_vehicles_and_dispatches_once() {
    let o = occ(Some(Priority::Emergency), "Belo Horizonte", false);
    let id = o.id;
    let (model, user) = seat(atalaia_core::auth::Role::FleetController, &o);
    let ctx = Ctx {
        model: &model,
        now: Utc::now(),
        tz: format::DEFAULT_TZ,
        user: &user,
        photos: crate::photos::Photos::none(),
    };
    let mut s = State::default();
    assert!(matches!(s.update(Message::Selected(id), &ctx).1, Some(Event::Recommend(i)) if i == id));
    let vehicle = VehicleId::new();
    assert!(
        matches!(s.update(Message::Dispatch(vehicle), &ctx).1, Some(Event::Dispatch(d)) if d.vehicle_id == vehicle && d.occurrence_id == id)
    );
    assert!(s.update(Message::Dispatch(VehicleId::new()), &ctx).1.is_none(), "one dispatch at a time");
    // A fleet controller cannot regulate: Enter in the form sends nothing.
    let _ = s.update(Message::Form(form::Message::Priority(Priority::Urgent)), &ctx).1;
    assert!(s.update(Message::Form(form::Message::Submit), &ctx).1.is_none());
}

#[test]
fn answers_outlive_the_detail_and_a_failed_dispatch_is_retried_with_its_id() {
    let o = occ(Some(Priority::Emergency), "Belo Horizonte", false);
    let (id, number) = (o.id, o.number.clone());
    let (model, user) = seat(atalaia_core::auth::Role::FleetController, &o);
    let ctx = Ctx {
        model: &model,
        now: Utc::now(),
        tz: format::DEFAULT_TZ,
        user: &user,
        photos: crate::photos::Photos::none(),
    };
    let mut s = State::default();
    let _ = s.update(Message::Selected(id), &ctx).1;
    let vehicle = VehicleId::new();
    let Some(Event::Dispatch(first)) = s.update(Message::Dispatch(vehicle), &ctx).1 else {
        panic!("dispatch")
    };
    // Closed and reopened while the dispatch is on its way: no second vehicle.
    let _ = s.update(Message::Back, &ctx).1;
    let _ = s.update(Message::Selected(id), &ctx).1;
    assert!(s.update(Message::Dispatch(VehicleId::new()), &ctx).1.is_none());
    let _ = s.update(Message::Back, &ctx).1;
    // The failure comes back with the detail closed: it is shown on the list, with the number.
    let lost = ApiError::Network("timeout".into());
    let _ = s.update(Message::Dispatched(id, Err(lost.clone())), &ctx).1;
    assert_eq!(s.notice, Some(Err(format!("{number}: {}", lost.user_message()))));
    // Sending the same vehicle again replays the same dispatch id.
    let _ = s.update(Message::Selected(id), &ctx).1;
    let Some(Event::Dispatch(again)) = s.update(Message::Dispatch(vehicle), &ctx).1 else { panic!("retry") };
    assert_eq!(again.id, first.id, "a retry must be idempotent on the server");
}

#[test]
fn history_values_read_as_people_say_them() {
    assert_eq!(pt::field_value("priority", "emergency"), "Vermelha");
    assert_eq!(pt::field_value("resource", "usa"), "USA");
    assert_eq!(pt::field_value("demand_type", "clinical"), "Clínica");
    assert_eq!(pt::field_value("request_type", "pre_hospital"), "Atendimento pré-hospitalar");
    assert_eq!(
        pt::field_value("external_support", r#"["Corpo de Bombeiros","Defesa Civil"]"#),
        "Corpo de Bombeiros, Defesa Civil"
    );
    assert_eq!(pt::field_value("conduct", "O2 e monitorização"), "O2 e monitorização");
    assert_eq!(pt::distance_eta(2_800.0, 252), "2,8 km · 5 min");
}

#[test]
fn only_the_rows_in_view_are_built() {
    let pitch = ROW_H + GAP;
    // Top of a thousand rows, 580 px of viewport: 10 visible + overscan below.
    let (r, above, below) = window(1000, 0.0, 580.0);
    assert_eq!(r, 0..18);
    assert_eq!(above, 0.0);
    assert!((below - 982.0 * pitch).abs() < 1e-3);
    // Scrolled to row 500: rows 496..514 and the right blank space around them.
    let (r, above, below) = window(1000, 500.0 * pitch, 580.0);
    assert_eq!(r, 496..514);
    assert!((above + below + r.len() as f32 * pitch - 1000.0 * pitch).abs() < 1e-2);
    // Short lists and past-the-end offsets.
    assert_eq!(window(3, 0.0, 580.0).0, 0..3);
    assert_eq!(window(3, 10_000.0, 580.0).0, 3..3);
    assert_eq!(window(0, 0.0, 580.0).0, 0..0);
}

#[test]
fn issue_21_the_nearest_vehicles_are_asked_again_as_time_passes_and_when_the_type_changes() {
    let mut o = occ(Some(Priority::Emergency), "Belo Horizonte", false);
    o.resource = Some(atalaia_core::samu::VehicleKind::Usb);
    let (mut model, user) = seat(atalaia_core::auth::Role::FleetController, &o);
    let t0 = Utc::now();
    fn at<'a>(model: &'a atalaia_client::LiveModel, user: &'a UserInfo, now: DateTime<Utc>) -> Ctx<'a> {
        Ctx { model, now, tz: format::DEFAULT_TZ, user, photos: crate::photos::Photos::none() }
    }
    let mut s = State::default();
    assert!(matches!(s.update(Message::Selected(o.id), &at(&model, &user, t0)).1, Some(Event::Recommend(_))));
    assert!(s.refresh_due(&at(&model, &user, t0 + chrono::Duration::seconds(5))).is_none(), "just asked");
    assert!(
        matches!(s.refresh_due(&at(&model, &user, t0 + REFRESH_EVERY)), Some(Event::Recommend(id)) if id == o.id)
    );
    assert!(s.refresh_due(&at(&model, &user, t0 + REFRESH_EVERY)).is_none(), "once");
    // The regulator redefines it to a USA: asked at once.
    o.resource = Some(atalaia_core::samu::VehicleKind::Usa);
    model.occurrences.insert(o.id, o.clone());
    assert!(s.refresh_due(&at(&model, &user, t0 + REFRESH_EVERY + chrono::Duration::seconds(1))).is_some());
    // A regulator is never offered vehicles.
    let (model, user) = seat(atalaia_core::auth::Role::Regulator, &o);
    let mut s = State::default();
    let ctx = Ctx {
        model: &model,
        now: t0,
        tz: format::DEFAULT_TZ,
        user: &user,
        photos: crate::photos::Photos::none(),
    };
    let _ = s.update(Message::Selected(o.id), &ctx);
    let later = Ctx { now: t0 + REFRESH_EVERY * 2, ..ctx };
    assert!(s.refresh_due(&later).is_none());
}

#[test]
fn rfs036_the_outcome_chosen_and_what_was_typed_make_the_closing_reason() {
    assert_eq!(closing_reason(Some("Óbito"), "  constatado pela USA "), "Óbito — constatado pela USA");
    assert_eq!(closing_reason(Some("Trote"), "  "), "Trote");
    assert_eq!(closing_reason(None, " Paciente entregue "), "Paciente entregue");
    assert_eq!(closing_reason(None, "  "), "");
}

#[test]
fn rfs133_a_closed_call_opened_to_append_asks_for_no_vehicles() {
    let mut o = occ(Some(Priority::Urgent), "Belo Horizonte", false);
    o.phase = OccurrencePhase::Closed;
    o.location = Some(atalaia_core::geom::LatLon { lat: -19.92, lon: -43.94 });
    let (model, user) = seat(atalaia_core::auth::Role::FleetController, &o);
    let ctx = Ctx {
        model: &model,
        now: Utc::now(),
        tz: format::DEFAULT_TZ,
        user: &user,
        photos: crate::photos::Photos::none(),
    };
    let mut s = State::default();
    let opened = s.update(Message::Selected(o.id), &ctx).1;
    assert!(!matches!(opened, Some(Event::Recommend(_))), "{opened:?}");
    let later = Ctx { now: ctx.now + REFRESH_EVERY * 2, ..ctx };
    assert!(!matches!(s.due(&later), Some(Event::Recommend(_))));
}
