//! The zones tab (III-2.13, 16.2.6): every zone with whose it is, its kind and where it stands;
//! the selected one's shape, curfew and history (who drew, changed, suspended, resumed or lifted
//! it, when and why); suspending, resuming and lifting it with the reason each needs, for who
//! may change zones; and the way to it on the map.

use super::{Event, list_row, muted};
use crate::pane::Ctx;
use crate::theme;
use atalaia_client::outbox::Command;
use atalaia_client::zones::{self, Standing};
use atalaia_core::auth::Permission;
use atalaia_core::ids::ZoneId;
use atalaia_core::monitoring::{Zone, ZoneAction};
use atalaia_core::wire::{AuditEntry, ZoneStateChange};
use iced::widget::{Id, button, column, container, row, scrollable, text, text_input};
use iced::{Element, Fill, FillPortion, Task};

/// The reason field of a suspension, resumption or lifting (the cursor goes there).
pub const REASON_ID: &str = "zona-motivo";

#[derive(Debug, Default)]
pub struct State {
    selected: Option<ZoneId>,
    filter: Filter,
    form: Option<Form>,
    /// The selected zone's history as the server told it (`None` while asked).
    history: Option<(ZoneId, Result<Vec<AuditEntry>, String>)>,
}

/// A suspension, resumption or lifting being confirmed.
#[derive(Debug, Clone)]
struct Form {
    zone: ZoneId,
    action: ZoneAction,
    reason: String,
    saving: bool,
    error: Option<String>,
}

/// Which standings the list shows.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Filter(Option<Standing>);

impl Filter {
    fn label(self) -> &'static str {
        match self.0 {
            None => "Todas",
            Some(Standing::InForce) => "Em vigor",
            Some(Standing::Suspended) => "Suspensas",
            Some(Standing::Lifted) => "Revogadas",
        }
    }
}

const FILTERS: [Filter; 4] = [
    Filter(None),
    Filter(Some(Standing::InForce)),
    Filter(Some(Standing::Suspended)),
    Filter(Some(Standing::Lifted)),
];

#[derive(Debug, Clone)]
pub enum Message {
    Select(ZoneId),
    Filter(Filter),
    Ask(ZoneAction),
    Reason(String),
    Confirm,
    Cancel,
    /// Leave the screen for the map, the zone selected and fitted.
    ShowOnMap(ZoneId),
    /// The server's answer about this zone.
    Saved(ZoneId, Result<Box<Zone>, String>),
    /// The zone's history.
    History(ZoneId, Result<Vec<AuditEntry>, String>),
}

impl State {
    pub fn update(&mut self, m: Message, ctx: &Ctx<'_>) -> (Task<Message>, Option<Event>) {
        match m {
            Message::Select(id) => {
                if self.selected != Some(id) {
                    self.form = None;
                    self.history = None;
                }
                self.selected = Some(id);
                return (Task::none(), Some(Event::ZoneHistory(id)));
            }
            Message::Filter(f) => self.filter = f,
            Message::Ask(action) if ctx.user.can(Permission::ZoneWrite) => {
                let Some(zone) = self.selected.filter(|z| {
                    ctx.model.zones.get(z).is_some_and(|z| z.allowed_actions().contains(&action))
                }) else {
                    return (Task::none(), None);
                };
                self.form = Some(Form { zone, action, reason: String::new(), saving: false, error: None });
                return (iced::widget::operation::focus(Id::new(REASON_ID)), None);
            }
            Message::Ask(_) => {}
            Message::Reason(r) => {
                if let Some(f) = self.form.as_mut().filter(|f| !f.saving) {
                    f.reason = r;
                    f.error = None;
                }
            }
            Message::Confirm => {
                let event = self.confirm();
                // Refused on the form: the cursor goes back to the reason.
                let focus = if self.form.as_ref().is_some_and(|f| f.error.is_some()) {
                    iced::widget::operation::focus(Id::new(REASON_ID))
                } else {
                    Task::none()
                };
                return (focus, event);
            }
            Message::Cancel => self.form = None,
            Message::ShowOnMap(id) => return (Task::none(), Some(Event::ShowZone(id))),
            Message::Saved(id, result) => {
                let Some(form) = self.form.as_mut().filter(|f| f.zone == id) else {
                    return (Task::none(), None);
                };
                match result {
                    Ok(_) => {
                        self.form = None;
                        return (Task::none(), Some(Event::ZoneHistory(id)));
                    }
                    Err(why) => {
                        form.saving = false;
                        form.error = Some(why);
                    }
                }
            }
            Message::History(id, result) => {
                if self.selected == Some(id) {
                    self.history = Some((id, result));
                }
            }
        }
        (Task::none(), None)
    }

    /// The change, checked as the server checks it.
    fn confirm(&mut self) -> Option<Event> {
        let form = self.form.as_mut().filter(|f| !f.saving)?;
        let change = ZoneStateChange { action: form.action, reason: form.reason.trim().to_owned() };
        if let Some(e) = change.validate().into_iter().next() {
            form.error = Some(e.message);
            return None;
        }
        form.saving = true;
        Some(Event::Issue(Box::new(Command::ZoneState { zone: form.zone, change })))
    }

    pub fn view<'a>(&'a self, ctx: &Ctx<'a>, query: &str) -> Element<'a, Message> {
        // Every standing's count among what was typed: "Todas (12)", "Revogadas (3)".
        let matching = zones::zones(ctx.model, query, None);
        let head = row(FILTERS.into_iter().map(|f| {
            let n = matching.iter().filter(|z| f.0.is_none_or(|s| Standing::of(z) == s)).count();
            button(text(format!("{} ({n})", f.label())).size(theme::SMALL))
                .padding([3, 9])
                .style(if f == self.filter { button::primary } else { button::secondary })
                .on_press(Message::Filter(f))
                .into()
        }))
        .spacing(6);
        let found: Vec<&Zone> =
            matching.into_iter().filter(|z| self.filter.0.is_none_or(|s| Standing::of(z) == s)).collect();
        let rows = column(found.iter().map(|z| {
            list_row(
                self.selected == Some(z.id),
                Message::Select(z.id),
                vec![
                    text(z.name.as_str()).size(theme::TEXT).width(FillPortion(3)).into(),
                    text(atalaia_core::text::zone_kind(z.kind))
                        .size(theme::SMALL)
                        .width(FillPortion(1))
                        .into(),
                    standing_chip(Standing::of(z)),
                    text(zones::owner_name(ctx.model, z)).size(theme::SMALL).width(FillPortion(3)).into(),
                ],
            )
        }))
        .spacing(4);
        let list = column![head, scrollable(rows).height(Fill)].spacing(8).width(FillPortion(3));
        let detail: Element<'a, Message> = match self.selected.and_then(|id| ctx.model.zones.get(&id)) {
            Some(z) => self.detail(z, ctx),
            None => muted("Escolha uma zona na lista.".into()).into(),
        };
        row![list, super::detail_card(detail, 2)].spacing(12).height(Fill).into()
    }

    fn detail<'a>(&'a self, z: &'a Zone, ctx: &Ctx<'a>) -> Element<'a, Message> {
        let schedule = z.schedule.as_ref().map_or_else(
            || "Vale sempre".to_owned(),
            |s| format!("Vale: {}", atalaia_client::schedule_text::format(s)),
        );
        let mut col = column![
            row![text(z.name.as_str()).size(theme::TITLE), standing_chip(Standing::of(z))]
                .spacing(10)
                .align_y(iced::Center),
            text(format!("{} · {}", atalaia_core::text::zone_kind(z.kind), zones::owner(ctx.model, z)))
                .size(theme::SMALL),
            text(zones::shape_line(z)).size(theme::SMALL),
            text(schedule).size(theme::SMALL),
            muted(format!("Cadastrada em {}", atalaia_client::format::datetime(z.created_at, ctx.tz))),
        ]
        .spacing(4);
        if z.lifted.is_some() {
            col = col.push(text(zones::state_line(z, ctx.tz)).size(theme::SMALL).color(theme::ORANGE));
        }
        let mut actions = row![].spacing(6);
        if z.lifted.is_none() {
            actions = actions.push(
                button(text("Ver no mapa").size(theme::SMALL))
                    .padding([3, 9])
                    .style(button::secondary)
                    .on_press(Message::ShowOnMap(z.id)),
            );
        }
        if ctx.user.can(Permission::ZoneWrite) && self.form.as_ref().is_none_or(|f| f.zone != z.id) {
            for &a in z.allowed_actions() {
                actions = actions.push(
                    button(text(zones::action_label(a)).size(theme::SMALL))
                        .padding([3, 9])
                        .style(if a == ZoneAction::Lift { button::danger } else { button::secondary })
                        .on_press(Message::Ask(a)),
                );
            }
        }
        col = col.push(actions.wrap());
        if let Some(form) = self.form.as_ref().filter(|f| f.zone == z.id) {
            col = col.push(form_view(form));
        }
        col = col.push(text("Histórico").size(theme::TEXT));
        match self.history.as_ref().filter(|(id, _)| *id == z.id).map(|(_, h)| h) {
            None => col = col.push(muted("Carregando…".into())),
            Some(Err(why)) => col = col.push(text(why.as_str()).size(theme::SMALL).color(theme::RED)),
            Some(Ok(entries)) if entries.is_empty() => {
                col = col.push(muted("Sem registro de mudanças.".into()));
            }
            Some(Ok(entries)) => {
                for e in entries {
                    let (when, what) = zones::history_line(ctx.model, e, &z.name, ctx.tz);
                    col = col.push(
                        row![muted(when).width(150), text(what).size(theme::SMALL).width(Fill)].spacing(8),
                    );
                }
            }
        }
        col.into()
    }
}

fn standing_chip<'a>(s: Standing) -> Element<'a, Message> {
    let colour = match s {
        Standing::InForce => theme::GREEN,
        Standing::Suspended => theme::ORANGE,
        Standing::Lifted => theme::GREY,
    };
    container(text(s.label()).size(theme::SMALL)).padding([1, 6]).style(theme::chip(colour)).into()
}

fn form_view(form: &Form) -> Element<'_, Message> {
    let hint = zones::reason_hint(form.action);
    let confirm_label = if form.saving { "Salvando…" } else { zones::confirm_label(form.action) };
    let mut reason = text_input(hint, &form.reason).id(REASON_ID).size(theme::SMALL).padding([3, 6]);
    let mut confirm = button(text(confirm_label).size(theme::SMALL))
        .padding([3, 9])
        .style(if form.action == ZoneAction::Lift { button::danger } else { button::primary });
    if !form.saving {
        reason = reason.on_input(Message::Reason).on_submit(Message::Confirm);
        confirm = confirm.on_press(Message::Confirm);
    }
    let mut col = column![
        text(zones::action_label(form.action)).size(theme::TEXT),
        reason,
        row![
            confirm,
            button(text("Cancelar").size(theme::SMALL))
                .padding([3, 9])
                .style(button::text)
                .on_press(Message::Cancel)
        ]
        .spacing(8),
    ]
    .spacing(6);
    if let Some(e) = &form.error {
        col = col.push(text(e.as_str()).size(theme::SMALL).color(theme::RED));
    }
    container(col).padding(8).style(theme::row(true)).into()
}
