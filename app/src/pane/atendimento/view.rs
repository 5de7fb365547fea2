//! The call form's widgets: two columns so the whole form fits a half-height pane, Enter walking
//! the fields as Tab does, the complaint last (Enter there registers the call).

use super::{COMPLAINT_ID, PHONE_ID};
use super::{CallTypeOption, Message, Outcome, SexOption, State, VictimField, extra_phone_id, victim_id};
use crate::pane::Ctx;
use crate::text as pt;
use crate::theme;
use atalaia_client::format;
use atalaia_client::intake::{self, PlaceSource};
use atalaia_core::auth::Permission;
use atalaia_core::samu::{CallType, Sex};
use atalaia_core::wire::FieldError;
use iced::widget::{Id, button, column, container, pick_list, row, scrollable, space, text, text_input};
use iced::{Element, Fill, FillPortion};

const CALL_TYPES: [CallTypeOption; 6] = [
    CallTypeOption(CallType::ALL[0]),
    CallTypeOption(CallType::ALL[1]),
    CallTypeOption(CallType::ALL[2]),
    CallTypeOption(CallType::ALL[3]),
    CallTypeOption(CallType::ALL[4]),
    CallTypeOption(CallType::ALL[5]),
];

const SEXES: [SexOption; 3] = [SexOption(Sex::Female), SexOption(Sex::Male), SexOption(Sex::Unknown)];

/// A text field: typing sends `on`, Enter moves to the next field.
fn input<'a>(
    can: bool,
    placeholder: &str,
    value: &str,
    on: impl Fn(String) -> Message + 'a,
) -> iced::widget::TextInput<'a, Message> {
    let input = text_input(placeholder, value).padding(5).size(theme::TEXT);
    let input = if can { input.on_input(on) } else { input };
    input.on_submit_maybe(can.then_some(Message::Next))
}

impl State {
    pub fn view<'a>(&'a self, ctx: &Ctx<'a>) -> Element<'a, Message> {
        let can = ctx.user.can(Permission::OccurrenceCreate);
        let client = if self.attempted { self.draft().1 } else { Vec::new() };
        let f = &self.form;
        let err = |field: &str| self.error(&client, field);

        let (timer, timer_colour) = match self.started_at {
            Some(s) => {
                let elapsed = pt::call_timer(&format::elapsed(s, ctx.now));
                match &self.rules {
                    // RFS033: past the centre's limit the timer says so, in red.
                    Some(r) if r.over_time((ctx.now - s).num_seconds()) => {
                        (pt::over_time(&elapsed, r.call_overtime_s / 60), Some(theme::RED))
                    }
                    _ => (elapsed, None),
                }
            }
            None => (pt::CALL_TIMER_IDLE.to_owned(), None),
        };
        let top = row![
            text(timer).size(theme::TITLE).color_maybe(timer_colour),
            space::horizontal(),
            button(text(pt::NEW_CALL).size(theme::SMALL))
                .on_press_maybe(can.then_some(Message::Clear))
                .style(button::secondary),
        ]
        .spacing(8)
        .align_y(iced::Center);

        let phone = input(can, pt::PHONE_PLACEHOLDER, &f.phone, Message::Phone).id(Id::new(PHONE_ID));
        let call_type = pick_list(&CALL_TYPES[..], Some(CallTypeOption(f.call_type)), Message::CallType)
            .padding(5)
            .text_size(theme::TEXT)
            .width(Fill);
        let form = column![
            row![
                field(pt::PHONE, phone, err("caller_phone")),
                field(pt::CALLER_NAME, input(can, "", &f.caller_name, Message::CallerName), None),
            ]
            .spacing(10),
            row![
                field(pt::CALL_TYPE, call_type, err("call_type")),
                field(
                    pt::MUNICIPALITY,
                    input(can, "", &f.municipality, Message::Municipality),
                    err("municipality")
                ),
            ]
            .spacing(10),
            row![
                container(field(pt::ADDRESS, input(can, "", &f.address, Message::Address), err("address")))
                    .width(FillPortion(5)),
                container(field(pt::NUMBER, input(can, "", &f.number, Message::Number), None))
                    .width(FillPortion(2)),
                container(field(
                    pt::COORDINATES,
                    input(can, pt::COORDINATES_PLACEHOLDER, &f.coordinates, Message::Coordinates),
                    err("location")
                ))
                .width(FillPortion(4)),
            ]
            .spacing(10),
        ]
        .spacing(6)
        .push(self.place_line(can))
        .push(super::super::slot(self.intake_alerts()))
        .push(super::super::slot(suggestions(ctx, &f.address, self.geocoded())))
        .push(field(
            pt::COMPLAINT,
            input(can, pt::COMPLAINT_PLACEHOLDER, &f.description, Message::Description)
                .id(Id::new(COMPLAINT_ID))
                .on_submit_maybe(can.then_some(Message::Submit)),
            err("description"),
        ));

        let label = match (self.is_submitting(), f.call_type) {
            (true, _) => pt::REGISTERING.to_owned(),
            (false, CallType::Atendimento) => pt::REGISTER.to_owned(),
            (false, other) => pt::close_call(atalaia_core::text::call_type(other)),
        };
        let register = button(text(label).size(theme::TEXT))
            .padding([7, 16])
            .style(button::primary)
            .on_press_maybe((can && !self.is_submitting()).then_some(Message::Submit));
        let actions =
            row![text(pt::MANDATORY_NOTE).size(theme::SMALL).color(theme::MUTED).width(Fill), register]
                .spacing(10)
                .align_y(iced::Center);

        // Every part has a fixed slot, present even when empty: widget state is matched by
        // position, and a notice appearing above the form must not take the cursor out of it.
        // The outcome sits above the form: after a registration the form is empty and the number
        // is what the operator reads back to the caller.
        let status = match (&self.outcome, can) {
            (_, false) => Some(notice(pt::CANNOT_REGISTER.to_owned(), theme::MUTED)),
            (Some(Outcome::Registered(number)), true) => {
                Some(notice(pt::occurrence_registered(number), theme::GREEN))
            }
            (Some(Outcome::Queued), true) => Some(notice(pt::CALL_QUEUED.to_owned(), theme::ORANGE)),
            (Some(Outcome::Failed(reason)), true) => Some(notice(reason.clone(), theme::RED)),
            (None, true) => None,
        };
        let body = column![
            top,
            super::super::slot(status),
            form,
            actions,
            self.extras_bar(can),
            self.phones(can, &client),
            self.victims(can, &client),
            super::super::slot(caller_history(ctx, &f.phone, can)),
            text(pt::RECENT_CALLS).size(theme::TITLE),
            recent_calls(ctx),
        ]
        .spacing(10);
        scrollable(container(body).padding([8, 12])).height(Fill).into()
    }

    /// RFS003, RFS007: what the centre's rules say of this number and municipality, as typed.
    fn intake_alerts(&self) -> Option<Element<'_, Message>> {
        let alerts = self.rules.as_ref()?.alerts(&self.form.phone, &self.form.municipality);
        if alerts.is_empty() {
            return None;
        }
        let lines = alerts.iter().map(|a| text(pt::intake_alert(a)).size(theme::TEXT).into());
        Some(
            container(column(lines).spacing(2))
                .padding([4, 10])
                .width(Fill)
                .style(theme::banner(theme::ORANGE))
                .into(),
        )
    }

    /// Where the call's place is now, and where it came from (RFS115: the map shows it).
    fn place_line(&self, can: bool) -> Element<'_, Message> {
        let f = &self.form;
        let (said, colour) = match f.location() {
            Ok(Some(at)) => {
                let source = match (f.coordinates.trim().is_empty(), f.place.map(|p| p.1)) {
                    (false, _) => "digitado",
                    (true, Some(PlaceSource::Known)) => "endereço conhecido",
                    (true, Some(PlaceSource::Map)) => "marcado no mapa",
                    (true, None) => "",
                };
                (pt::call_place(at.lat, at.lon, source), theme::GREEN)
            }
            Ok(None) => (pt::NO_PLACE.to_owned(), theme::MUTED),
            Err(_) => (String::new(), theme::MUTED),
        };
        let pick = button(text(pt::PICK_ON_MAP).size(theme::SMALL))
            .padding([0, 8])
            .style(button::secondary)
            .on_press_maybe(can.then_some(Message::PickOnMap));
        let clear: Option<Element<'_, Message>> =
            (f.place.is_some() || !f.coordinates.is_empty()).then(|| {
                button(text(pt::CLEAR_PLACE).size(theme::SMALL))
                    .padding([0, 8])
                    .style(button::secondary)
                    .on_press_maybe(can.then_some(Message::ClearPlace))
                    .into()
            });
        row![text(said).size(theme::SMALL).color(colour), pick]
            .push(clear)
            .spacing(8)
            .align_y(iced::Center)
            .into()
    }

    /// One line for what a call may have more of: phones (RFS186) and victims (RFS029).
    fn extras_bar(&self, can: bool) -> Element<'_, Message> {
        let add = |label, message| {
            button(text(label).size(theme::SMALL))
                .padding([2, 8])
                .style(button::secondary)
                .on_press_maybe(can.then_some(message))
        };
        let victims = match self.form.victims.len() {
            0 => pt::NO_VICTIMS.to_owned(),
            n => pt::victim_count(n),
        };
        row![
            text(pt::EXTRA_PHONES).size(theme::SMALL).color(theme::MUTED),
            add(pt::ADD_PHONE, Message::AddPhone),
            space().width(16),
            text(pt::VICTIMS).size(theme::SMALL).color(theme::MUTED),
            add(pt::ADD_VICTIM, Message::AddVictim),
            text(victims).size(theme::SMALL).color(theme::MUTED),
        ]
        .spacing(8)
        .align_y(iced::Center)
        .wrap()
        .into()
    }

    /// Further numbers to reach the caller (RFS186).
    /// Further numbers to reach the caller (RFS186).
    fn phones(&self, can: bool, client: &[FieldError]) -> Element<'_, Message> {
        let mut c = column![].spacing(4);
        for (i, p) in self.form.extra_phones.iter().enumerate() {
            let field = input(can, pt::PHONE_PLACEHOLDER, p, move |v| Message::ExtraPhone(i, v))
                .id(extra_phone_id(i));
            let mut r =
                column![row![field, remove(can, Message::RemovePhone(i))].spacing(6).align_y(iced::Center)];
            if let Some(e) = self.error(client, &format!("extra_phones[{i}]")) {
                r = r.push(text(e).size(theme::SMALL).color(theme::RED));
            }
            c = c.push(r);
        }
        c.into()
    }

    /// Each victim with identity and complaint (RFS029); CPF and CNS checked by their digits.
    fn victims(&self, can: bool, client: &[FieldError]) -> Element<'_, Message> {
        let mut c = column![].spacing(6);
        for (i, v) in self.form.victims.iter().enumerate() {
            let err = |f: &str| self.error(client, &format!("victims[{i}].{f}"));
            let on = move |make: fn(String) -> VictimField| move |s: String| Message::Victim(i, make(s));
            let sex =
                pick_list(&SEXES[..], v.sex.map(SexOption), move |s| Message::Victim(i, VictimField::Sex(s)))
                    .padding(5)
                    .text_size(theme::TEXT)
                    .width(Fill);
            let card = column![
                row![
                    text(pt::victim_title(i + 1)).size(theme::TEXT).width(Fill),
                    remove(can, Message::RemoveVictim(i))
                ]
                .align_y(iced::Center),
                row![
                    container(field(
                        pt::VICTIM_NAME,
                        input(can, "", &v.name, on(VictimField::Name)).id(victim_id(i)),
                        None
                    ))
                    .width(FillPortion(3)),
                    container(field(pt::VICTIM_SEX, sex, None)).width(FillPortion(2)),
                    container(field(
                        pt::VICTIM_AGE,
                        input(can, "", &v.age, on(VictimField::Age)),
                        err("age_years")
                    ))
                    .width(FillPortion(1)),
                ]
                .spacing(8),
                row![
                    field(pt::VICTIM_CPF, input(can, "", &v.cpf, on(VictimField::Cpf)), err("cpf")),
                    field(pt::VICTIM_CNS, input(can, "", &v.cns, on(VictimField::Cns)), err("cns")),
                ]
                .spacing(8),
                field(
                    pt::VICTIM_COMPLAINT,
                    input(can, "", &v.complaint, on(VictimField::Complaint))
                        .on_submit_maybe(can.then_some(Message::ToComplaint)),
                    None
                ),
            ]
            .spacing(4);
            c = c.push(container(card).padding([6, 8]).width(Fill).style(theme::card));
        }
        c.into()
    }
}

fn remove<'a>(can: bool, message: Message) -> Element<'a, Message> {
    button(text(pt::REMOVE).size(theme::SMALL))
        .padding([2, 8])
        .style(button::secondary)
        .on_press_maybe(can.then_some(message))
        .into()
}

fn field<'a>(
    label: &'a str,
    input: impl Into<Element<'a, Message>>,
    error: Option<String>,
) -> Element<'a, Message> {
    let mut c =
        column![text(label).size(theme::SMALL).color(theme::MUTED), input.into()].spacing(2).width(Fill);
    if let Some(e) = error {
        c = c.push(text(e).size(theme::SMALL).color(theme::RED));
    }
    c.into()
}

fn notice<'a>(message: String, color: iced::Color) -> Element<'a, Message> {
    container(text(message).size(theme::TEXT)).padding([6, 10]).width(Fill).style(theme::banner(color)).into()
}

/// The caller's earlier calls (RFS182, RFS186), each with its data one click away.
fn caller_history<'a>(ctx: &Ctx<'a>, phone: &str, can: bool) -> Option<Element<'a, Message>> {
    if intake::phone_digits(phone).len() < 10 {
        return None;
    }
    let calls = intake::earlier_calls(ctx.model, phone);
    let colour = if calls.is_empty() { theme::MUTED } else { theme::YELLOW };
    let mut c = column![text(pt::caller_history(calls.len())).size(theme::TEXT).color(colour)].spacing(3);
    for o in calls.into_iter().take(5) {
        let line = format!(
            "{} · {} · {} · {} · {}",
            o.number,
            format::datetime(o.created_at, ctx.tz),
            atalaia_core::text::call_type(o.call_type),
            o.address,
            o.description
        );
        c = c.push(
            row![
                text(line).size(theme::SMALL).width(Fill),
                button(text(pt::REUSE).size(theme::SMALL))
                    .padding([2, 8])
                    .style(button::secondary)
                    .on_press_maybe(can.then_some(Message::Reuse(o.id))),
            ]
            .spacing(8)
            .align_y(iced::Center),
        );
    }
    Some(container(c).padding([6, 10]).width(Fill).style(theme::card).into())
}

/// Known places starting like what the operator typed (RFS030), with their point when known, then
/// what the configured geocoder found for it.
fn suggestions<'a>(
    ctx: &Ctx<'a>,
    typed: &str,
    geocoded: &[intake::KnownAddress],
) -> Option<Element<'a, Message>> {
    let known = intake::address_suggestions(ctx.model, typed);
    if known.is_empty() && geocoded.is_empty() {
        return None;
    }
    let mut r =
        row![text(pt::SUGGESTIONS).size(theme::SMALL).color(theme::MUTED)].spacing(6).align_y(iced::Center);
    let from_geocoder = geocoded.iter().filter(|g| !known.iter().any(|k| k.address == g.address)).cloned();
    let found = known.iter().cloned().map(|k| (k, false)).chain(from_geocoder.map(|g| (g, true)));
    for (known, geocoded) in found {
        let pin = if geocoded {
            pt::FROM_GEOCODER
        } else if known.location.is_some() {
            " · com local"
        } else {
            ""
        };
        let label = format!("{} — {}{pin}", known.address, known.municipality);
        r = r.push(
            button(text(label).size(theme::SMALL))
                .padding([2, 8])
                .style(button::secondary)
                .on_press(Message::Suggestion(known)),
        );
    }
    Some(r.wrap().into())
}

fn recent_calls<'a>(ctx: &Ctx<'a>) -> Element<'a, Message> {
    let calls = ctx.model.recent_calls(8);
    if calls.is_empty() {
        return text(pt::NO_RECENT_CALLS).size(theme::SMALL).color(theme::MUTED).into();
    }
    let rows = calls.into_iter().map(|o| {
        row![
            text(o.number.clone()).size(theme::SMALL),
            text(format::time(o.created_at, ctx.tz)).size(theme::SMALL).color(theme::MUTED),
            text(atalaia_core::text::call_type(o.call_type)).size(theme::SMALL),
            text(o.municipality.clone()).size(theme::SMALL).width(Fill),
            text(o.caller_phone.clone()).size(theme::SMALL).color(theme::MUTED),
        ]
        .spacing(10)
        .into()
    });
    column(rows).spacing(4).into()
}
