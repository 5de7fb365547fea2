//! Call taking by the TARM (RFS184, RFS186): the intake form with inline validation (the same
//! `NewOccurrence::validate` the server runs, plus the server's own field errors), a call timer,
//! the confirmation with the server-assigned number, and the latest calls.
//!
//! The occurrence id is generated here, once per call, so a retry after a network failure is the
//! same command and the server recognises it instead of creating a duplicate.

use crate::pane::Ctx;
use crate::text as pt;
use crate::theme;
use atalaia_client::{ApiError, format};
use atalaia_core::auth::Permission;
use atalaia_core::ids::OccurrenceId;
use atalaia_core::samu::{CallType, Occurrence};
use atalaia_core::wire::{FieldError, NewOccurrence};
use chrono::{DateTime, Utc};
use iced::widget::{Id, button, column, container, pick_list, row, scrollable, space, text, text_input};
use iced::{Element, Fill, Task};
use std::fmt;

/// The phone field, focused again after each registration so the next call starts at once.
pub const PHONE_ID: &str = "atendimento-telefone";
/// The complaint, the form's last field: Enter there registers the call.
pub const COMPLAINT_ID: &str = "atendimento-queixa";

/// A call type as the pick list shows it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CallTypeOption(pub CallType);

impl fmt::Display for CallTypeOption {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(atalaia_core::text::call_type(self.0))
    }
}

const CALL_TYPES: [CallTypeOption; 6] = [
    CallTypeOption(CallType::ALL[0]),
    CallTypeOption(CallType::ALL[1]),
    CallTypeOption(CallType::ALL[2]),
    CallTypeOption(CallType::ALL[3]),
    CallTypeOption(CallType::ALL[4]),
    CallTypeOption(CallType::ALL[5]),
];

#[derive(Debug, Clone)]
struct Form {
    phone: String,
    caller_name: String,
    call_type: CallType,
    address: String,
    municipality: String,
    description: String,
}

impl Default for Form {
    fn default() -> Self {
        Self {
            phone: String::new(),
            caller_name: String::new(),
            call_type: CallType::Atendimento,
            address: String::new(),
            municipality: String::new(),
            description: String::new(),
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
enum Outcome {
    Registered(String),
    /// Kept in the console's outbox while the server is out of reach (issue 8).
    Queued,
    Failed(String),
}

#[derive(Debug)]
pub struct State {
    form: Form,
    /// Id of the call being taken; kept across retries, renewed after a registration.
    draft_id: OccurrenceId,
    /// When the operator started this call (first keystroke), for the call timer.
    started_at: Option<DateTime<Utc>>,
    /// Client-side errors show only after the first attempt, then follow every keystroke.
    attempted: bool,
    server_errors: Vec<FieldError>,
    submitting: Option<OccurrenceId>,
    outcome: Option<Outcome>,
    /// A first F2 on a call with data asks for a second one before discarding it, until then.
    discard_until: Option<DateTime<Utc>>,
}

impl Default for State {
    fn default() -> Self {
        Self {
            form: Form::default(),
            draft_id: OccurrenceId::new(),
            started_at: None,
            attempted: false,
            server_errors: Vec::new(),
            submitting: None,
            outcome: None,
            discard_until: None,
        }
    }
}

#[derive(Debug, Clone)]
pub enum Message {
    Phone(String),
    CallerName(String),
    CallType(CallTypeOption),
    Address(String),
    Municipality(String),
    Description(String),
    /// Button or Ctrl+Enter.
    Submit,
    /// The server's answer (boxed: a problem with field errors is large).
    Submitted(OccurrenceId, Box<Result<Occurrence, ApiError>>),
    /// The call is in the outbox, waiting for the server.
    Queued(OccurrenceId),
    /// Abandon this call and start a new one.
    Clear,
    /// Enter in a field that is not the last: on to the next one.
    Next,
    /// Take a suggested address (a place already known to the centre, RFS030).
    Suggestion(String, String),
}

/// What the dashboard must do for this pane.
#[derive(Debug, Clone)]
pub enum Event {
    Register(NewOccurrence),
}

impl State {
    pub fn update(&mut self, message: Message, ctx: &Ctx<'_>) -> (Task<Message>, Option<Event>) {
        match message {
            Message::Phone(v) => self.edit(ctx, "caller_phone", |f| f.phone = v),
            Message::CallerName(v) => self.edit(ctx, "caller_name", |f| f.caller_name = v),
            Message::CallType(v) => self.edit(ctx, "call_type", |f| f.call_type = v.0),
            Message::Address(v) => self.edit(ctx, "address", |f| f.address = v),
            Message::Municipality(v) => self.edit(ctx, "municipality", |f| f.municipality = v),
            Message::Description(v) => self.edit(ctx, "description", |f| f.description = v),
            Message::Submit => return (Task::none(), self.submit(ctx)),
            Message::Submitted(id, result) => return (self.submitted(id, *result), None),
            Message::Queued(id) => {
                // Safe on disk and sent when the link returns: the next call can be taken now.
                if self.submitting == Some(id) {
                    *self = State { outcome: Some(Outcome::Queued), ..State::default() };
                    return (iced::widget::operation::focus(Id::new(PHONE_ID)), None);
                }
            }
            Message::Clear => {
                // Never while the call is being sent (its answer would be lost), and a call with
                // data needs a second F2 within 5 s: one stray key must not wipe it.
                if self.is_submitting() {
                    return (Task::none(), None);
                }
                if !self.is_pristine() && self.discard_until.is_none_or(|t| ctx.now > t) {
                    self.discard_until = Some(ctx.now + chrono::Duration::seconds(5));
                    self.outcome = Some(Outcome::Failed(pt::DISCARD_AGAIN.to_owned()));
                    return (Task::none(), None);
                }
                *self = State::default();
                return (iced::widget::operation::focus(Id::new(PHONE_ID)), None);
            }
            Message::Next => return (iced::widget::operation::focus_next(), None),
            Message::Suggestion(address, municipality) => {
                self.edit(ctx, "address", |f| f.address = address);
                self.edit(ctx, "municipality", |f| f.municipality = municipality);
                return (iced::widget::operation::focus(Id::new(COMPLAINT_ID)), None);
            }
        }
        (Task::none(), None)
    }

    fn edit(&mut self, ctx: &Ctx<'_>, field: &str, change: impl FnOnce(&mut Form)) {
        if self.started_at.is_none() {
            self.started_at = Some(ctx.now);
        }
        change(&mut self.form);
        self.server_errors.retain(|e| e.field != field);
    }

    /// The command this form would send now.
    pub fn draft(&self) -> NewOccurrence {
        let f = &self.form;
        NewOccurrence {
            id: Some(self.draft_id),
            call_type: f.call_type,
            caller_name: f.caller_name.trim().to_owned(),
            caller_phone: f.phone.trim().to_owned(),
            address: f.address.trim().to_owned(),
            municipality: f.municipality.trim().to_owned(),
            location: None,
            description: f.description.trim().to_owned(),
            extra_phones: Vec::new(),
            victims: Vec::new(),
            call_started_at: self.started_at,
            hand_off: true,
        }
    }

    fn submit(&mut self, ctx: &Ctx<'_>) -> Option<Event> {
        if self.submitting.is_some() || !ctx.user.role.can(Permission::OccurrenceCreate) {
            return None;
        }
        self.attempted = true;
        let new = self.draft();
        if !new.validate().is_empty() {
            self.outcome = Some(Outcome::Failed(pt::FIX_ERRORS.to_owned()));
            return None;
        }
        self.submitting = new.id;
        self.outcome = None;
        Some(Event::Register(new))
    }

    fn submitted(&mut self, id: OccurrenceId, result: Result<Occurrence, ApiError>) -> Task<Message> {
        if self.submitting != Some(id) {
            return Task::none();
        }
        self.submitting = None;
        match result {
            Ok(occurrence) => {
                tracing::info!(number = %occurrence.number, "occurrence registered");
                *self = State { outcome: Some(Outcome::Registered(occurrence.number)), ..State::default() };
                iced::widget::operation::focus(Id::new(PHONE_ID))
            }
            Err(error) => {
                tracing::warn!(%error, "occurrence registration failed");
                if let ApiError::Problem(problem) = &error {
                    self.server_errors = problem.errors.clone();
                }
                self.outcome = Some(Outcome::Failed(pt::register_failed(&pt::api_error(&error))));
                Task::none()
            }
        }
    }

    /// Nothing typed yet for this call.
    pub fn is_pristine(&self) -> bool {
        self.started_at.is_none()
    }

    /// The call being sent, if any.
    pub fn submitting(&self) -> Option<OccurrenceId> {
        self.submitting
    }

    pub fn is_submitting(&self) -> bool {
        self.submitting.is_some()
    }

    /// The message to show under `field`: the client's rule first, then the server's.
    fn error(&self, client: &[FieldError], field: &str) -> Option<String> {
        client.iter().chain(self.server_errors.iter()).find(|e| e.field == field).map(|e| e.message.clone())
    }

    pub fn view<'a>(&'a self, ctx: &Ctx<'a>) -> Element<'a, Message> {
        let can = ctx.user.role.can(Permission::OccurrenceCreate);
        let client = if self.attempted { self.draft().validate() } else { Vec::new() };
        let f = &self.form;
        // Enter moves to the next field (as Tab does); in the complaint it registers the call.
        let input = |placeholder: &str, value: &str, on: fn(String) -> Message| {
            text_input(placeholder, value)
                .on_input_maybe(can.then_some(on))
                .on_submit_maybe(can.then_some(Message::Next))
                .padding(5)
                .size(theme::TEXT)
        };

        let timer = match self.started_at {
            Some(s) => pt::call_timer(&format::elapsed(s, ctx.now)),
            None => pt::CALL_TIMER_IDLE.to_owned(),
        };
        let top = row![
            text(timer).size(theme::TITLE),
            space::horizontal(),
            button(text(pt::NEW_CALL).size(theme::SMALL))
                .on_press_maybe(can.then_some(Message::Clear))
                .style(button::secondary),
        ]
        .spacing(8)
        .align_y(iced::Center);

        let phone = input(pt::PHONE_PLACEHOLDER, &f.phone, Message::Phone).id(Id::new(PHONE_ID));
        let call_type = pick_list(&CALL_TYPES[..], Some(CallTypeOption(f.call_type)), Message::CallType)
            .padding(5)
            .text_size(theme::TEXT)
            .width(Fill);
        // Two columns so the whole form and its button fit a half-height pane without scrolling.
        let form = column![
            row![
                field(pt::PHONE, phone, self.error(&client, "caller_phone")),
                field(pt::CALLER_NAME, input("", &f.caller_name, Message::CallerName), None),
            ]
            .spacing(10),
            row![
                field(pt::CALL_TYPE, call_type, self.error(&client, "call_type")),
                field(
                    pt::MUNICIPALITY,
                    input("", &f.municipality, Message::Municipality),
                    self.error(&client, "municipality")
                ),
            ]
            .spacing(10),
            field(pt::ADDRESS, input("", &f.address, Message::Address), self.error(&client, "address")),
        ]
        .spacing(6)
        .push(super::slot(suggestions(ctx, &f.address)))
        .push(field(
            pt::COMPLAINT,
            input(pt::COMPLAINT_PLACEHOLDER, &f.description, Message::Description)
                .id(Id::new(COMPLAINT_ID))
                .on_submit_maybe(can.then_some(Message::Submit)),
            self.error(&client, "description"),
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
            super::slot(status),
            form,
            actions,
            super::slot(caller_history(ctx, &f.phone)),
            text(pt::RECENT_CALLS).size(theme::TITLE),
            recent_calls(ctx),
        ]
        .spacing(10);
        scrollable(container(body).padding([8, 12])).height(Fill).into()
    }
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

/// Digits of a phone number without the country code, for matching a caller's earlier calls.
fn phone_digits(raw: &str) -> String {
    let d: String = raw.chars().filter(char::is_ascii_digit).collect();
    match d.strip_prefix("55") {
        Some(rest) if rest.len() >= 10 => rest.to_owned(),
        _ => d,
    }
}

/// Earlier calls from this number (RFS186: the caller's history as soon as the number is known).
pub fn earlier_calls<'a>(ctx: &Ctx<'a>, phone: &str) -> Vec<&'a Occurrence> {
    let digits = phone_digits(phone);
    if digits.len() < 10 {
        return Vec::new();
    }
    let mut calls: Vec<&Occurrence> = ctx
        .model
        .occurrences
        .values()
        .filter(|o| {
            phone_digits(&o.caller_phone) == digits
                || o.extra_phones.iter().any(|p| phone_digits(p) == digits)
        })
        .collect();
    calls.sort_by_key(|o| std::cmp::Reverse(o.created_at));
    calls
}

fn caller_history<'a>(ctx: &Ctx<'a>, phone: &str) -> Option<Element<'a, Message>> {
    let calls = earlier_calls(ctx, phone);
    if phone_digits(phone).len() < 10 {
        return None;
    }
    let mut c = column![text(pt::caller_history(calls.len())).size(theme::TEXT).color(if calls.is_empty() {
        theme::MUTED
    } else {
        theme::YELLOW
    })]
    .spacing(3);
    for o in calls.into_iter().take(5) {
        c = c.push(
            text(format!(
                "{} · {} · {} · {}",
                o.number,
                format::datetime(o.created_at, ctx.tz),
                atalaia_core::text::call_type(o.call_type),
                o.description
            ))
            .size(theme::SMALL),
        );
    }
    Some(container(c).padding([6, 10]).width(Fill).style(theme::card).into())
}

/// Known places starting like what the operator typed (RFS030): the addresses of earlier calls,
/// newest first, at most three.
pub fn address_suggestions(ctx: &Ctx<'_>, typed: &str) -> Vec<(String, String)> {
    let typed = typed.trim().to_lowercase();
    if typed.chars().count() < 3 {
        return Vec::new();
    }
    let mut known: Vec<&Occurrence> = ctx.model.occurrences.values().collect();
    known.sort_by_key(|o| std::cmp::Reverse(o.created_at));
    let mut out: Vec<(String, String)> = Vec::new();
    for o in known {
        let a = o.address.trim();
        if a.to_lowercase().starts_with(&typed)
            && a.to_lowercase() != typed
            && !out.iter().any(|(x, m)| x == a && *m == o.municipality)
        {
            out.push((a.to_owned(), o.municipality.clone()));
            if out.len() == 3 {
                break;
            }
        }
    }
    out
}

fn suggestions<'a>(ctx: &Ctx<'a>, typed: &str) -> Option<Element<'a, Message>> {
    let found = address_suggestions(ctx, typed);
    if found.is_empty() {
        return None;
    }
    let mut r =
        row![text(pt::SUGGESTIONS).size(theme::SMALL).color(theme::MUTED)].spacing(6).align_y(iced::Center);
    for (address, municipality) in found {
        let label = format!("{address} — {municipality}");
        r = r.push(
            button(text(label).size(theme::SMALL))
                .padding([2, 8])
                .style(button::secondary)
                .on_press(Message::Suggestion(address, municipality)),
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

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use atalaia_client::LiveModel;
    use atalaia_core::auth::Role;
    use atalaia_core::ids::UserId;
    use atalaia_core::samu::OccurrencePhase;
    use atalaia_core::wire::{Problem, UserInfo};

    fn user(role: Role) -> UserInfo {
        UserInfo { id: UserId::new(), username: "tarm1".into(), display_name: "Ana".into(), role }
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
        let ctx = Ctx { model: &model, now: Utc::now(), tz: format::DEFAULT_TZ, user: &u };
        let mut s = State::default();
        let (_, event) = s.update(Message::Submit, &ctx);
        assert!(event.is_none());
        assert_eq!(s.outcome, Some(Outcome::Failed(pt::FIX_ERRORS.into())));
        assert!(s.error(&s.draft().validate(), "caller_phone").is_some());
    }

    #[test]
    fn valid_form_emits_register_once_and_resets_on_success() {
        let (model, u) = (LiveModel::default(), user(Role::Tarm));
        let ctx = Ctx { model: &model, now: Utc::now(), tz: format::DEFAULT_TZ, user: &u };
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
        let ctx = Ctx { model: &model, now: Utc::now(), tz: format::DEFAULT_TZ, user: &u };
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
        let ctx = Ctx { model: &model, now: Utc::now(), tz: format::DEFAULT_TZ, user: &u };
        let mut s = State::default();
        fill(&mut s, &ctx);
        assert!(s.update(Message::Submit, &ctx).1.is_none());
    }
}
