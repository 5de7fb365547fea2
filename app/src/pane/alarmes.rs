//! Active alarms of both domains, most severe first, then oldest (the live model's order). An
//! operator takes an alarm with "Assumir"; exactly one operator can hold it, and when the server
//! refuses (someone else was faster) its Portuguese message is shown on the row.

use crate::pane::Ctx;
use crate::text as pt;
use crate::theme;
use atalaia_client::LiveModel;
use atalaia_client::{ApiError, format};
use atalaia_core::alarm::{Alarm, AlarmState, Subject};
use atalaia_core::auth::Permission;
use atalaia_core::ids::{AlarmId, UserId};
use iced::widget::{button, column, container, row, scrollable, space, text};
use iced::{Center, Element, Fill, Task};
use std::collections::{HashMap, HashSet};

#[derive(Debug, Default)]
pub struct State {
    claiming: HashSet<AlarmId>,
    /// The server's refusal per alarm, shown until the next attempt.
    refusals: HashMap<AlarmId, String>,
}

#[derive(Debug, Clone)]
pub enum Message {
    Claim(AlarmId),
    /// F9: take the first open alarm of the queue.
    ClaimNext,
    Claimed(AlarmId, Result<Box<Alarm>, ApiError>),
}

#[derive(Debug, Clone)]
pub enum Event {
    /// Send `AlarmAction::Claim` for this alarm.
    Claim(AlarmId),
    /// The server accepted; the dashboard stores the new state without waiting for the feed.
    Updated(Box<Alarm>),
}

impl State {
    pub fn update(&mut self, message: Message, ctx: &Ctx<'_>) -> (Task<Message>, Option<Event>) {
        let event = match message {
            Message::Claim(id) => self.claim(id, ctx),
            Message::ClaimNext => {
                let next = ctx
                    .model
                    .alarm_queue()
                    .into_iter()
                    .find(|a| a.state == AlarmState::Open && !self.claiming.contains(&a.id))
                    .map(|a| a.id);
                next.and_then(|id| self.claim(id, ctx))
            }
            Message::Claimed(id, result) => {
                self.claiming.remove(&id);
                match result {
                    Ok(alarm) => Some(Event::Updated(alarm)),
                    Err(error) => {
                        tracing::warn!(%id, %error, "alarm claim refused");
                        self.refusals.insert(id, pt::claim_failed(&pt::api_error(&error)));
                        None
                    }
                }
            }
        };
        (Task::none(), event)
    }

    fn claim(&mut self, id: AlarmId, ctx: &Ctx<'_>) -> Option<Event> {
        if !ctx.user.role.can(Permission::AlarmHandle) || !self.claiming.insert(id) {
            return None;
        }
        self.refusals.remove(&id);
        Some(Event::Claim(id))
    }

    pub fn view<'a>(&'a self, ctx: &Ctx<'a>) -> Element<'a, Message> {
        let queue = ctx.model.alarm_queue();
        if queue.is_empty() {
            return container(text(pt::NO_ALARMS).size(theme::TITLE).color(theme::MUTED)).center(Fill).into();
        }
        let rows = queue.into_iter().map(|a| self.view_row(a, ctx));
        scrollable(column(rows).spacing(6).padding(10)).height(Fill).into()
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
        if let Some(refusal) = self.refusals.get(&a.id) {
            info = info.push(text(refusal.as_str()).size(theme::SMALL).color(theme::RED));
        }

        let mut line = row![container(space()).width(6).height(44).style(theme::bar(colour)), info]
            .spacing(10)
            .align_y(Center);
        if a.state == AlarmState::Open && ctx.user.role.can(Permission::AlarmHandle) {
            let busy = self.claiming.contains(&a.id);
            let label = if busy { pt::CLAIMING } else { pt::CLAIM };
            line = line.push(
                button(text(label).size(theme::TEXT))
                    .padding([6, 14])
                    .style(button::primary)
                    .on_press_maybe((!busy).then_some(Message::Claim(a.id))),
            );
        }
        container(line).padding([4, 8]).width(Fill).style(theme::row(false)).into()
    }
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
        pt::ANOTHER_OPERATOR.to_owned()
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

    #[test]
    fn claim_next_takes_the_most_severe_open_alarm_once() {
        let now = Utc::now();
        let low = Alarm::new(AlarmKind::LateData, Subject::Person(PersonId::new()), None, now, now);
        let crit = Alarm::new(AlarmKind::StrapCut, Subject::Person(PersonId::new()), None, now, now);
        let model = model_with(vec![low.clone(), crit.clone()]);
        let u = UserInfo {
            id: UserId::new(),
            username: "op".into(),
            display_name: "Op".into(),
            role: Role::MonitoringOperator,
        };
        let ctx = Ctx { model: &model, now, tz: format::DEFAULT_TZ, user: &u };
        let mut s = State::default();
        assert!(matches!(s.update(Message::ClaimNext, &ctx).1, Some(Event::Claim(id)) if id == crit.id));
        assert!(matches!(s.update(Message::ClaimNext, &ctx).1, Some(Event::Claim(id)) if id == low.id));
        assert!(s.update(Message::Claim(crit.id), &ctx).1.is_none(), "no second request in flight");
    }

    #[test]
    fn a_refusal_is_kept_for_the_row() {
        let now = Utc::now();
        let a = Alarm::new(AlarmKind::StrapCut, Subject::Person(PersonId::new()), None, now, now);
        let model = model_with(vec![a.clone()]);
        let u = UserInfo {
            id: UserId::new(),
            username: "op".into(),
            display_name: "Op".into(),
            role: Role::Supervisor,
        };
        let ctx = Ctx { model: &model, now, tz: format::DEFAULT_TZ, user: &u };
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
        let _ = s.update(Message::Claimed(a.id, Err(refusal)), &ctx);
        assert_eq!(s.refusals[&a.id], "Não foi possível assumir: Alarme já assumido por outro operador.");
        assert!(!s.claiming.contains(&a.id), "the row can be tried again");
        assert_eq!(subject_name(&model, &a.subject), pt::UNKNOWN_SUBJECT);
    }

    #[test]
    fn state_labels_name_the_holder() {
        let now = Utc::now();
        let model = LiveModel::default();
        let me = UserInfo {
            id: UserId::new(),
            username: "op".into(),
            display_name: "Bia".into(),
            role: Role::Supervisor,
        };
        let ctx = Ctx { model: &model, now, tz: format::DEFAULT_TZ, user: &me };
        assert_eq!(state_label(&AlarmState::Open, &ctx), "Aberto");
        assert_eq!(state_label(&AlarmState::Claimed { by: me.id, at: now }, &ctx), "Assumido por Bia (você)");
        assert_eq!(
            state_label(&AlarmState::Claimed { by: UserId::new(), at: now }, &ctx),
            "Assumido por outro operador"
        );
    }
}
