//! Active alarms of both domains, most severe first, then oldest (the live model's order), and the
//! card of the selected alarm: who it is about (photo, record, regime, responsible, zones), the
//! device's health strip, the procedure checklist, notes, remote commands to the bracelet with
//! their delivery state, and closing with an outcome and a note.
//!
//! An operator takes an alarm with "Assumir" (or F9 for the next one); exactly one operator can
//! hold it, and when the server refuses (someone else was faster) its Portuguese message is shown.
//! Only the holder may work the alarm; everyone else sees the card read-only.

use crate::pane::Ctx;
use crate::text as pt;
use crate::theme;
use atalaia_client::LiveModel;
use atalaia_client::{ApiError, format};
use atalaia_core::alarm::{Alarm, AlarmState, Outcome, Subject};
use atalaia_core::auth::Permission;
use atalaia_core::command::{CommandKind, DeviceCommand};
use atalaia_core::ids::{AlarmId, DeviceId, UserId};
use atalaia_core::wire::AlarmAction;
use iced::widget::{
    Id, button, checkbox, column, container, mouse_area, responsive, row, rule, scrollable, space, text,
    text_input,
};
use iced::{Center, Element, Fill, FillPortion, Task};
use std::collections::{HashMap, HashSet};

mod person;
pub(crate) use person::person_of;
use person::{device_of, person_card};

/// The note field of the card: focused when the operator takes an alarm.
pub const NOTE_ID: &str = "alarme-anotacao";
/// The closing note field.
pub const CLOSE_NOTE_ID: &str = "alarme-nota-encerramento";

/// A device is "late" when its last contact is older than this (the card's late-data flag).
const LATE_AFTER_S: i64 = 300;

#[derive(Debug, Default)]
pub struct State {
    selected: Option<AlarmId>,
    /// Alarms with a request in flight (one at a time per alarm).
    busy: HashSet<AlarmId>,
    /// The server's refusal per alarm, shown until the next attempt.
    refusals: HashMap<AlarmId, String>,
    note: String,
    close_note: String,
    outcome: Option<Outcome>,
    /// The person's record being corrected from the card (issue 22 item 1).
    editor: Option<crate::form::person::Form>,
}

#[derive(Debug, Clone)]
pub enum Message {
    Select(AlarmId),
    /// Close the card (back to the list in a narrow pane).
    Back,
    Claim(AlarmId),
    /// F9: take the first open alarm of the queue.
    ClaimNext,
    StartProcedure(AlarmId),
    Step(AlarmId, usize),
    NoteChanged(String),
    AddNote(AlarmId),
    CloseNoteChanged(String),
    Outcome(Outcome),
    Close(AlarmId),
    Command(AlarmId, DeviceId, CommandKind),
    /// The server's answer to an action on an alarm.
    Done(AlarmId, Result<Box<Alarm>, ApiError>),
    /// The server's answer to a device command.
    CommandSent(AlarmId, Result<Box<DeviceCommand>, ApiError>),
    /// Correcting the record of the person on the card.
    /// Open the person's record for correction (who may write people).
    EditPerson(atalaia_core::ids::PersonId),
    Person(crate::form::person::Message),
}

#[derive(Debug, Clone)]
pub enum Event {
    /// Send this action about this alarm.
    Act(AlarmId, AlarmAction),
    /// Send a command to the device.
    Command(AlarmId, DeviceId, CommandKind),
    /// The server accepted; the dashboard stores the new state without waiting for the feed.
    Updated(Box<Alarm>),
    Sent(Box<DeviceCommand>),
    /// Save the corrected record of this person.
    SavePerson(atalaia_core::ids::PersonId, Box<atalaia_core::wire::NewPerson>),
}

impl State {
    pub fn selected(&self) -> Option<AlarmId> {
        self.selected
    }

    pub fn update(&mut self, message: Message, ctx: &Ctx<'_>) -> (Task<Message>, Option<Event>) {
        let may = ctx.user.can(Permission::AlarmHandle);
        let held = |id: AlarmId| ctx.model.alarms.get(&id).is_some_and(|a| held_by(a, ctx.user.id));
        match message {
            Message::EditPerson(id) => {
                if let (true, Some(p)) = (ctx.user.can(Permission::PersonWrite), ctx.model.persons.get(&id)) {
                    self.editor = Some(crate::form::person::Form::of(p));
                    return (crate::form::person::Form::focus(), None);
                }
            }
            Message::Person(m) => {
                use crate::form::person::Event as FormEvent;
                match self.editor.as_mut().and_then(|e| e.update(m)) {
                    Some(FormEvent::Save { person, body, .. }) => {
                        return (Task::none(), Some(Event::SavePerson(person, body)));
                    }
                    Some(FormEvent::Closed) => self.editor = None,
                    None => {}
                }
            }
            Message::Select(id) => self.select(Some(id)),
            Message::Back => self.select(None),
            Message::Claim(id) => {
                self.select(Some(id));
                return (Task::none(), self.act(id, AlarmAction::Claim, may));
            }
            Message::ClaimNext => {
                let next = ctx
                    .model
                    .alarm_queue()
                    .into_iter()
                    .find(|a| a.state == AlarmState::Open && !self.busy.contains(&a.id))
                    .map(|a| a.id);
                if let Some(id) = next {
                    self.select(Some(id));
                    return (Task::none(), self.act(id, AlarmAction::Claim, may));
                }
            }
            Message::StartProcedure(id) => {
                return (Task::none(), self.act(id, AlarmAction::StartProcedure, may && held(id)));
            }
            Message::Step(id, index) => {
                return (Task::none(), self.act(id, AlarmAction::CompleteStep { index }, may && held(id)));
            }
            Message::NoteChanged(v) => self.note = v,
            Message::AddNote(id) => {
                let text = self.note.trim().to_owned();
                if text.is_empty() {
                    self.refusals.insert(id, pt::NOTE_EMPTY.to_owned());
                    return (Task::none(), None);
                }
                return (Task::none(), self.act(id, AlarmAction::Note { text }, may && held(id)));
            }
            Message::CloseNoteChanged(v) => self.close_note = v,
            Message::Outcome(o) => {
                // Only on the card of an alarm this operator holds (Alt+1…3 come from anywhere).
                if self.selected.is_some_and(held) {
                    // The closing note is the next thing to write.
                    self.outcome = Some(o);
                    return (iced::widget::operation::focus(Id::new(CLOSE_NOTE_ID)), None);
                }
            }
            Message::Close(id) => {
                let note = self.close_note.trim().to_owned();
                let Some(outcome) = self.outcome else {
                    self.refusals.insert(id, pt::CLOSE_NEEDS_OUTCOME.to_owned());
                    return (Task::none(), None);
                };
                if note.is_empty() {
                    self.refusals.insert(id, pt::CLOSE_NEEDS_NOTE.to_owned());
                    return (Task::none(), None);
                }
                return (Task::none(), self.act(id, AlarmAction::Close { outcome, note }, may && held(id)));
            }
            Message::Command(id, device, kind) => {
                if may && held(id) && self.busy.insert(id) {
                    self.refusals.remove(&id);
                    return (Task::none(), Some(Event::Command(id, device, kind)));
                }
            }
            Message::Done(id, result) => {
                self.busy.remove(&id);
                match result {
                    Ok(alarm) => {
                        let focus = self.after(&alarm);
                        return (focus, Some(Event::Updated(alarm)));
                    }
                    Err(error) => {
                        tracing::warn!(%id, %error, "alarm action refused");
                        self.refusals.insert(id, pt::action_failed(&pt::api_error(&error)));
                    }
                }
            }
            Message::CommandSent(id, result) => {
                self.busy.remove(&id);
                match result {
                    Ok(command) => return (Task::none(), Some(Event::Sent(command))),
                    Err(error) => {
                        self.refusals.insert(id, pt::command_failed(&pt::api_error(&error)));
                    }
                }
            }
        }
        (Task::none(), None)
    }

    /// Opens the card of another alarm (or none): what was typed for the previous one stays out
    /// of it, so one Enter can never close alarm B with alarm A's outcome and note.
    fn select(&mut self, id: Option<AlarmId>) {
        if self.selected != id {
            self.selected = id;
            self.note.clear();
            self.close_note.clear();
            self.outcome = None;
        }
    }

    /// Drops the card when its alarm ended elsewhere (closed on another seat, restored).
    pub fn forget_ended(&mut self, model: &LiveModel) {
        if self.selected.is_some_and(|id| !model.alarms.get(&id).is_some_and(Alarm::is_active)) {
            self.select(None);
        }
    }

    /// Sends `action` unless one is in flight or the operator may not.
    fn act(&mut self, id: AlarmId, action: AlarmAction, allowed: bool) -> Option<Event> {
        if !allowed {
            return None;
        }
        if !self.busy.insert(id) {
            // Say so rather than drop the key press silently.
            self.refusals.insert(id, pt::WAIT_PREVIOUS.to_owned());
            return None;
        }
        self.refusals.remove(&id);
        Some(Event::Act(id, action))
    }

    /// What the card does after the server accepted: clear what was sent, move the cursor on.
    fn after(&mut self, alarm: &Alarm) -> Task<Message> {
        if self.selected != Some(alarm.id) {
            return Task::none();
        }
        match &alarm.state {
            AlarmState::Closed { .. } | AlarmState::Restored { .. } => {
                self.select(None);
                Task::none()
            }
            _ => {
                if alarm.notes.iter().any(|n| n.text == self.note.trim()) {
                    self.note.clear();
                }
                iced::widget::operation::focus(Id::new(NOTE_ID))
            }
        }
    }

    pub fn view<'a>(&'a self, ctx: &Ctx<'a>) -> Element<'a, Message> {
        let queue = ctx.model.alarm_queue();
        if queue.is_empty() {
            return container(text(pt::NO_ALARMS).size(theme::TITLE).color(theme::MUTED)).center(Fill).into();
        }
        let selected = self.selected.and_then(|id| ctx.model.alarms.get(&id)).filter(|a| a.is_active());
        let Some(a) = selected else {
            let rows = queue.into_iter().map(|a| self.view_row(a, ctx));
            return scrollable(column(rows).spacing(6).padding(10)).height(Fill).into();
        };
        let ctx = *ctx;
        // Side by side in a wide pane; the card under a shorter list in a narrow one.
        responsive(move |size| {
            let rows = ctx.model.alarm_queue().into_iter().map(|a| self.view_row(a, &ctx));
            let list = scrollable(column(rows).spacing(6).padding(10)).height(Fill);
            let card = self.view_card(a, &ctx);
            if size.width >= 900.0 {
                row![
                    container(list).width(FillPortion(2)),
                    container(card).width(FillPortion(3)).height(Fill)
                ]
                .spacing(4)
                .into()
            } else {
                // Master–detail in a narrow pane: the card takes the pane, the list is one key away.
                let back = button(text(pt::back_to_list(ctx.model.alarm_queue().len())).size(theme::SMALL))
                    .padding([3, 10])
                    .style(button::secondary)
                    .on_press(Message::Back);
                column![container(back).padding([6, 10]), card].into()
            }
        })
        .into()
    }

    fn view_row<'a>(&'a self, a: &'a Alarm, ctx: &Ctx<'a>) -> Element<'a, Message> {
        let colour = theme::severity(a.severity);
        let mut headline = row![
            container(text(atalaia_core::text::severity(a.severity)).size(theme::SMALL))
                .padding([1, 6])
                .style(theme::chip(colour)),
            text(atalaia_core::text::alarm_kind(a.kind)).size(theme::TEXT),
        ]
        .spacing(8)
        .align_y(Center);
        if a.count > 1 {
            headline = headline.push(text(pt::repeats(a.count)).size(theme::TEXT).color(colour));
        }
        let details = row![
            text(subject_name(ctx.model, &a.subject)).size(theme::SMALL),
            text(format::day_time(a.raised_at, ctx.tz)).size(theme::SMALL).color(theme::MUTED),
            text(state_label(&a.state, ctx)).size(theme::SMALL).color(theme::MUTED),
        ]
        .spacing(12);
        let mut info = column![headline, details].spacing(3).width(Fill);
        if self.selected != Some(a.id)
            && let Some(refusal) = self.refusals.get(&a.id)
        {
            info = info.push(text(refusal.as_str()).size(theme::SMALL).color(theme::RED));
        }

        let mut line = row![container(space()).width(6).height(44).style(theme::bar(colour)), info]
            .spacing(10)
            .align_y(Center);
        if a.state == AlarmState::Open && ctx.user.can(Permission::AlarmHandle) {
            let busy = self.busy.contains(&a.id);
            let label = if busy { pt::CLAIMING } else { pt::CLAIM };
            line = line.push(
                button(text(label).size(theme::TEXT))
                    .padding([6, 14])
                    .style(button::primary)
                    .on_press_maybe((!busy).then_some(Message::Claim(a.id))),
            );
        }
        let card = container(line).padding([4, 8]).width(Fill).style(theme::row(self.selected == Some(a.id)));
        mouse_area(card).on_press(Message::Select(a.id)).into()
    }

    fn view_card<'a>(&'a self, a: &'a Alarm, ctx: &Ctx<'a>) -> Element<'a, Message> {
        let mine = held_by(a, ctx.user.id) && ctx.user.can(Permission::AlarmHandle);
        let busy = self.busy.contains(&a.id);
        let colour = theme::severity(a.severity);
        let mut body = column![
            row![
                container(text(atalaia_core::text::severity(a.severity)).size(theme::SMALL))
                    .padding([2, 8])
                    .style(theme::chip(colour)),
                text(atalaia_core::text::alarm_kind(a.kind)).size(theme::TITLE),
                space::horizontal(),
                text(state_label(&a.state, ctx)).size(theme::SMALL).color(theme::MUTED),
            ]
            .spacing(8)
            .align_y(Center),
            text(pt::alarm_times(
                &format::datetime(a.raised_at, ctx.tz),
                &format::elapsed(a.raised_at, ctx.now),
                a.acknowledged_at.map(|t| format::time(t, ctx.tz)).as_deref(),
            ))
            .size(theme::SMALL)
            .color(theme::MUTED),
        ]
        .spacing(6);
        // Fixed slots: a refusal appearing must not take the cursor out of the note fields below.
        let refusal = self.refusals.get(&a.id).map(|r| {
            container(text(r.as_str()).size(theme::SMALL))
                .padding([4, 8])
                .width(Fill)
                .style(theme::banner(theme::RED))
                .into()
        });
        body = body.push(super::slot(refusal));
        let claim = (a.state == AlarmState::Open && ctx.user.can(Permission::AlarmHandle)).then(|| {
            button(text(pt::CLAIM_F9).size(theme::TEXT))
                .padding([6, 14])
                .style(button::primary)
                .on_press_maybe((!busy).then_some(Message::Claim(a.id)))
                .into()
        });
        body = body.push(super::slot(claim));

        let can_edit = ctx.user.can(Permission::PersonWrite);
        body = body.push(person_card(a, ctx, self.editor.as_ref(), can_edit));

        // Procedure checklist. Each list below is one child of the card, so lists growing or
        // shrinking never move the text fields after them.
        let mut procedure = column![section(pt::PROCEDURE)].spacing(4);
        if a.steps.is_empty() {
            if mine {
                procedure = procedure.push(
                    button(text(pt::START_PROCEDURE).size(theme::SMALL))
                        .style(button::secondary)
                        .on_press_maybe((!busy).then_some(Message::StartProcedure(a.id))),
                );
            } else {
                procedure = procedure.push(text(pt::NO_PROCEDURE_YET).size(theme::SMALL).color(theme::MUTED));
            }
        }
        for (i, step) in a.steps.iter().enumerate() {
            let label = format!("{}. {}", i + 1, step.text);
            let done = step.done_at.is_some();
            let mut cb = checkbox(done).label(label).text_size(theme::SMALL);
            if mine && !done && !busy {
                cb = cb.on_toggle(move |_| Message::Step(a.id, i));
            }
            procedure = procedure.push(cb);
        }
        body = body.push(procedure);

        // Remote commands to the bracelet, with their delivery state.
        let commands_block = device_of(ctx.model, &a.subject).map(|device| {
            use crate::form::commands;
            let buttons = commands::offered(ctx).into_iter().map(|(label, kind)| {
                button(text(label).size(theme::SMALL))
                    .style(button::secondary)
                    .on_press_maybe((mine && !busy).then_some(Message::Command(a.id, device.id, kind)))
                    .into()
            });
            let mut block = column![section(pt::DEVICE_COMMANDS), row(buttons).spacing(6).wrap()].spacing(4);
            for line in commands::recent(ctx, device.id, 3) {
                block = block.push(text(line).size(theme::SMALL).color(theme::MUTED));
            }
            block.into()
        });
        body = body.push(super::slot(commands_block));

        // Notes.
        let mut notes = column![section(pt::NOTES)].spacing(4);
        for n in &a.notes {
            notes = notes.push(
                column![
                    text(format!("{} · {}", format::time(n.at, ctx.tz), operator_name(n.by, ctx)))
                        .size(theme::SMALL)
                        .color(theme::MUTED),
                    text(n.text.as_str()).size(theme::TEXT),
                ]
                .spacing(1),
            );
        }
        body = body.push(notes);
        if mine {
            body = body.push(
                row![
                    text_input(pt::NOTE_PLACEHOLDER, &self.note)
                        .id(Id::new(NOTE_ID))
                        .on_input(Message::NoteChanged)
                        .on_submit(Message::AddNote(a.id))
                        .padding(5)
                        .size(theme::TEXT),
                    button(text(pt::ADD_NOTE).size(theme::SMALL))
                        .style(button::secondary)
                        .on_press_maybe((!busy).then_some(Message::AddNote(a.id))),
                ]
                .spacing(6)
                .align_y(Center),
            );

            // Closing: outcome and a mandatory note.
            body = body.push(section(pt::CLOSING));
            let pick = |o: Outcome, key: &str| {
                button(text(format!("{} ({key})", atalaia_core::text::outcome(o))).size(theme::SMALL))
                    .style(theme::toggle(self.outcome == Some(o)))
                    .on_press(Message::Outcome(o))
            };
            body = body.push(
                row![
                    pick(Outcome::Handled, "Alt+1"),
                    pick(Outcome::FalseAlarm, "Alt+2"),
                    pick(Outcome::Forwarded, "Alt+3")
                ]
                .spacing(6),
            );
            body = body.push(
                row![
                    text_input(pt::CLOSE_NOTE_PLACEHOLDER, &self.close_note)
                        .id(Id::new(CLOSE_NOTE_ID))
                        .on_input(Message::CloseNoteChanged)
                        .on_submit(Message::Close(a.id))
                        .padding(5)
                        .size(theme::TEXT),
                    button(text(pt::CLOSE_ALARM).size(theme::SMALL))
                        .style(button::danger)
                        .on_press_maybe((!busy).then_some(Message::Close(a.id))),
                ]
                .spacing(6)
                .align_y(Center),
            );
        }
        container(scrollable(body.padding([8, 12])).height(Fill)).style(theme::card).height(Fill).into()
    }
}

fn section<'a>(title: &'a str) -> Element<'a, Message> {
    column![rule::horizontal(1), text(title).size(theme::SMALL).color(theme::MUTED)].spacing(4).into()
}

/// Whether `user` holds the alarm (claimed it or is running its procedure).
pub fn held_by(a: &Alarm, user: UserId) -> bool {
    matches!(a.state, AlarmState::Claimed { by, .. } | AlarmState::InProcedure { by, .. } if by == user)
}

/// Who the alarm is about, in words: the monitored person, or the device, vehicle or occurrence.
pub fn subject_name(model: &LiveModel, subject: &Subject) -> String {
    match subject {
        Subject::Person(id) => model.persons.get(id).map(|p| p.name.clone()),
        Subject::Device(id) => model.devices.get(id).map(|d| {
            d.person_id
                .and_then(|p| model.persons.get(&p))
                .map_or_else(|| pt::device_subject(&d.imei), |p| p.name.clone())
        }),
        Subject::Vehicle(id) => model.vehicles.get(id).map(|v| pt::vehicle_subject(&v.code)),
        Subject::Occurrence(id) => model.occurrences.get(id).map(|o| pt::occurrence_subject(&o.number)),
    }
    .unwrap_or_else(|| pt::UNKNOWN_SUBJECT.to_owned())
}

fn operator_name(by: UserId, ctx: &Ctx<'_>) -> String {
    // The live feed carries user ids only; the console knows its own operator's name.
    if by == ctx.user.id {
        format!("{} ({})", ctx.user.display_name, pt::YOU)
    } else {
        ctx.model.name_of(by).unwrap_or(pt::ANOTHER_OPERATOR).to_owned()
    }
}

pub fn state_label(state: &AlarmState, ctx: &Ctx<'_>) -> String {
    match state {
        AlarmState::Open => pt::OPEN.to_owned(),
        AlarmState::Claimed { by, .. } => pt::claimed_by(&operator_name(*by, ctx)),
        AlarmState::InProcedure { by, .. } => pt::in_procedure_by(&operator_name(*by, ctx)),
        // Finished alarms leave the queue; these labels only show in a race with the feed.
        AlarmState::Closed { .. } | AlarmState::Restored { .. } => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use atalaia_client::format;
    use atalaia_core::alarm::AlarmKind;
    use atalaia_core::auth::Role;
    use atalaia_core::ids::PersonId;
    use atalaia_core::wire::{LiveMessage, Snapshot, UserInfo};
    use chrono::Utc;

    fn model_with(alarms: Vec<Alarm>) -> LiveModel {
        let mut m = LiveModel::default();
        m.apply(LiveMessage::Snapshot(Snapshot { seq: 1, alarms, ..Snapshot::default() }));
        m
    }

    fn operator(role: Role) -> UserInfo {
        UserInfo {
            id: UserId::new(),
            username: "op".into(),
            display_name: "Bia".into(),
            role,
            profile: None,
            permissions: None,
            active: true,
            unit: None,
        }
    }

    #[test]
    fn claim_next_takes_the_most_severe_open_alarm_once_and_selects_it() {
        let now = Utc::now();
        let low = Alarm::new(AlarmKind::LateData, Subject::Person(PersonId::new()), None, now, now);
        let crit = Alarm::new(AlarmKind::StrapCut, Subject::Person(PersonId::new()), None, now, now);
        let model = model_with(vec![low.clone(), crit.clone()]);
        let u = operator(Role::MonitoringOperator);
        let ctx = Ctx {
            model: &model,
            now,
            tz: format::DEFAULT_TZ,
            user: &u,
            photos: crate::photos::Photos::none(),
        };
        let mut s = State::default();
        assert!(
            matches!(s.update(Message::ClaimNext, &ctx).1, Some(Event::Act(id, AlarmAction::Claim)) if id == crit.id)
        );
        assert_eq!(s.selected(), Some(crit.id), "the card opens on the alarm taken");
        assert!(
            matches!(s.update(Message::ClaimNext, &ctx).1, Some(Event::Act(id, AlarmAction::Claim)) if id == low.id)
        );
        assert!(s.update(Message::Claim(crit.id), &ctx).1.is_none(), "no second request in flight");
    }

    #[test]
    fn a_refusal_is_kept_and_the_alarm_can_be_tried_again() {
        let now = Utc::now();
        let a = Alarm::new(AlarmKind::StrapCut, Subject::Person(PersonId::new()), None, now, now);
        let model = model_with(vec![a.clone()]);
        let u = operator(Role::Supervisor);
        let ctx = Ctx {
            model: &model,
            now,
            tz: format::DEFAULT_TZ,
            user: &u,
            photos: crate::photos::Photos::none(),
        };
        let mut s = State::default();
        let _ = s.update(Message::Claim(a.id), &ctx);
        let refusal = ApiError::Problem(Box::new(atalaia_core::wire::Problem {
            type_uri: "about:blank".into(),
            title: "Conflito".into(),
            status: 409,
            detail: Some("Alarme já assumido por outro operador.".into()),
            code: "alarm_already_claimed".into(),
            errors: Vec::new(),
        }));
        let _ = s.update(Message::Done(a.id, Err(refusal)), &ctx);
        assert_eq!(s.refusals[&a.id], "Não foi possível: Alarme já assumido por outro operador.");
        assert!(s.update(Message::Claim(a.id), &ctx).1.is_some(), "the alarm can be tried again");
        assert_eq!(subject_name(&model, &a.subject), pt::UNKNOWN_SUBJECT);
    }

    #[test]
    fn only_the_holder_works_the_alarm_and_closing_needs_outcome_and_note() {
        let now = Utc::now();
        let u = operator(Role::MonitoringOperator);
        let mut a = Alarm::new(AlarmKind::Tamper, Subject::Person(PersonId::new()), None, now, now);
        a.state = AlarmState::Claimed { by: UserId::new(), at: now };
        let theirs = model_with(vec![a.clone()]);
        let ctx = Ctx {
            model: &theirs,
            now,
            tz: format::DEFAULT_TZ,
            user: &u,
            photos: crate::photos::Photos::none(),
        };
        let mut s = State::default();
        let _ = s.update(Message::NoteChanged("liguei".into()), &ctx);
        assert!(s.update(Message::AddNote(a.id), &ctx).1.is_none(), "someone else holds it");

        a.state = AlarmState::Claimed { by: u.id, at: now };
        let mine = model_with(vec![a.clone()]);
        let ctx = Ctx {
            model: &mine,
            now,
            tz: format::DEFAULT_TZ,
            user: &u,
            photos: crate::photos::Photos::none(),
        };
        let _ = s.update(Message::Select(a.id), &ctx);
        let _ = s.update(Message::NoteChanged("liguei".into()), &ctx);
        assert!(matches!(
            s.update(Message::AddNote(a.id), &ctx).1,
            Some(Event::Act(_, AlarmAction::Note { text })) if text == "liguei"
        ));
        let _ = s.update(Message::Done(a.id, Ok(Box::new(a.clone()))), &ctx);
        assert!(s.update(Message::Close(a.id), &ctx).1.is_none());
        assert_eq!(s.refusals[&a.id], pt::CLOSE_NEEDS_OUTCOME);
        let _ = s.update(Message::Outcome(Outcome::FalseAlarm), &ctx);
        assert!(s.update(Message::Close(a.id), &ctx).1.is_none());
        assert_eq!(s.refusals[&a.id], pt::CLOSE_NEEDS_NOTE);
        let _ = s.update(Message::CloseNoteChanged("deriva de GPS".into()), &ctx);
        assert!(matches!(
            s.update(Message::Close(a.id), &ctx).1,
            Some(Event::Act(_, AlarmAction::Close { outcome: Outcome::FalseAlarm, note })) if note == "deriva de GPS"
        ));
    }

    #[test]
    fn what_was_typed_for_one_alarm_does_not_follow_to_the_next() {
        let now = Utc::now();
        let u = operator(Role::MonitoringOperator);
        let mut a = Alarm::new(AlarmKind::Tamper, Subject::Person(PersonId::new()), None, now, now);
        a.state = AlarmState::Claimed { by: u.id, at: now };
        let b = Alarm::new(AlarmKind::StrapCut, Subject::Person(PersonId::new()), None, now, now);
        let model = model_with(vec![a.clone(), b.clone()]);
        let ctx = Ctx {
            model: &model,
            now,
            tz: format::DEFAULT_TZ,
            user: &u,
            photos: crate::photos::Photos::none(),
        };
        let mut s = State::default();
        let _ = s.update(Message::Select(a.id), &ctx);
        let _ = s.update(Message::Outcome(Outcome::FalseAlarm), &ctx);
        let _ = s.update(Message::CloseNoteChanged("deriva".into()), &ctx);
        assert_eq!(s.outcome, Some(Outcome::FalseAlarm));
        // F9 takes the next open alarm (the strap cut): its card starts empty.
        let _ = s.update(Message::ClaimNext, &ctx);
        assert_eq!(s.selected(), Some(b.id));
        assert_eq!((s.outcome, s.close_note.as_str()), (None, ""));
        // Alt+2 on a card of an alarm not held does nothing.
        let _ = s.update(Message::Outcome(Outcome::FalseAlarm), &ctx);
        assert_eq!(s.outcome, None);
        // The card closes when its alarm ends elsewhere.
        let mut ended = model.clone();
        ended.alarms.remove(&b.id);
        s.forget_ended(&ended);
        assert_eq!(s.selected(), None);
    }

    #[test]
    fn state_labels_name_the_holder() {
        let now = Utc::now();
        let model = LiveModel::default();
        let me = operator(Role::Supervisor);
        let ctx = Ctx {
            model: &model,
            now,
            tz: format::DEFAULT_TZ,
            user: &me,
            photos: crate::photos::Photos::none(),
        };
        assert_eq!(state_label(&AlarmState::Open, &ctx), "Aberto");
        assert_eq!(state_label(&AlarmState::Claimed { by: me.id, at: now }, &ctx), "Assumido por Bia (você)");
        assert_eq!(
            state_label(&AlarmState::Claimed { by: UserId::new(), at: now }, &ctx),
            "Assumido por outro operador"
        );
    }
}
