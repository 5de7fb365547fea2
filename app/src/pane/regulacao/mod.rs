//! The regulation queue (RFS034): every open occurrence, most urgent first, then longest waiting,
//! as the live model orders it. Unclassified calls show a grey chip: nobody has looked at them yet.
//! Each row's timer turns yellow at three quarters of its priority's waiting limit and red past
//! it; the queue filters by origin (own municipalities or conveniados, RFS183) and priority.
//!
//! Selecting a row opens the occurrence: the regulator's form (stage, priority, resource,
//! conduct, reason; RFS124, RFS126) with the history of every change (RFS129, RFS131), and for the
//! fleet controller the free vehicles nearest to it with their ETA, each one click from dispatch
//! (TDC-PROC 4–5).

mod detail;
mod form;

pub use detail::Tab;

use crate::pane::{Ctx, ficha};
use crate::text as pt;
use crate::theme;
use atalaia_client::regulation::Refusal;
use atalaia_client::{ApiError, format};
use atalaia_core::auth::Permission;
use atalaia_core::ids::{DispatchId, OccurrenceId, VehicleId};
use atalaia_core::samu::fleet::Candidate;
use atalaia_core::samu::queue::{Filter, Origin, Wait, is_conveniado, wait_state};
use atalaia_core::samu::{Dispatch, Occurrence, OccurrencePhase, Priority, VehicleKind};
use atalaia_core::wire::{NewDispatch, RegulationUpdate};
use chrono::{DateTime, Utc};
use iced::widget::text::Wrapping;
use iced::widget::{button, column, container, mouse_area, row, scrollable, space, text};
use iced::{Center, Color, Element, Fill, Task};

/// How often the nearest vehicles of the open occurrence are asked for again.
pub const REFRESH_EVERY: chrono::Duration = chrono::Duration::seconds(15);

/// The closing reason's field (focused when the closing box opens).
pub const CLOSE_REASON_ID: &str = "regulacao-encerramento";

/// The reason field of the regulator's form (focused when a change needs its reason).
pub const REASON_ID: &str = "regulacao-motivo";
use std::collections::{HashMap, HashSet};

/// Height of one queue row and the gap below it: rows have a fixed height so only the rows in view
/// are built (a centre's queue can hold a thousand calls; building them all cost ~0.5 s a frame).
pub const ROW_H: f32 = 52.0;
pub const GAP: f32 = 6.0;
/// Width of the waiting-time column ("aguarda 01:02:03").
const TIMER_W: f32 = 136.0;
/// Rows built beyond the visible ones, above and below, so fast scrolling never shows a gap.
const OVERSCAN: usize = 4;

#[derive(Debug)]
struct Detail {
    id: OccurrenceId,
    form: form::Form,
    /// The last answer: an error to fix, or what was done.
    notice: Option<Result<String, String>>,
    /// Nearest free vehicles (fleet controller): none asked yet, or the answer.
    candidates: Option<Result<Vec<Candidate>, String>>,
    /// When the nearest vehicles were last asked for, and for which vehicle type.
    asked: Option<(DateTime<Utc>, Option<VehicleKind>)>,
    /// The reason being typed to close the occurrence (the closing box is open).
    closing: Option<String>,
    /// The outcome chosen in the closing box (RFS036).
    outcome: Option<String>,
    /// What the detail shows: the regulation, the record's timeline, or the chat with the crew.
    tab: Tab,
    /// The occurrence's record and conversation.
    ficha: ficha::State,
}

impl Detail {
    fn new(id: OccurrenceId, o: Option<&Occurrence>) -> Self {
        Self {
            id,
            form: o.map(form::Form::of).unwrap_or_default(),
            notice: None,
            candidates: None,
            asked: None,
            closing: None,
            outcome: None,
            tab: Tab::default(),
            ficha: ficha::State::new(id),
        }
    }
}

#[derive(Debug)]
pub struct State {
    selected: Option<OccurrenceId>,
    /// Scroll offset of the list, from the last scroll event (its height comes from the layout).
    scroll_y: f32,
    filter: Filter,
    detail: Option<Detail>,
    /// Requests on their way, per occurrence: they outlive the detail view, so closing and
    /// reopening an occurrence cannot send a second regulation or a second vehicle.
    regulating: HashSet<OccurrenceId>,
    /// Per occurrence: the vehicle being sent (and the dispatch it replaces), and the id it goes
    /// with.
    dispatching: HashMap<OccurrenceId, ((VehicleId, Option<DispatchId>), DispatchId)>,
    /// The id a dispatch that failed was sent with: sending the same vehicle again replays it,
    /// so a dispatch the server stored before the answer was lost is never made twice.
    retry: HashMap<(OccurrenceId, (VehicleId, Option<DispatchId>)), DispatchId>,
    /// An answer that came back after its occurrence was closed in the pane.
    notice: Option<Result<String, String>>,
    /// The last submit needs a reason: the cursor goes to its field.
    ask_reason: bool,
    /// The list shows the occurrences closed in the last day instead of the queue.
    filter_closed: bool,
    /// The centre's outcomes a call is closed with (RFS036); none read yet.
    outcomes: Option<Vec<String>>,
    /// The closing box just opened: the cursor goes to its reason.
    ask_closing: bool,
}

impl Default for State {
    fn default() -> Self {
        Self {
            selected: None,
            scroll_y: 0.0,
            filter: Filter::default(),
            detail: None,
            regulating: HashSet::new(),
            dispatching: HashMap::new(),
            retry: HashMap::new(),
            notice: None,
            ask_reason: false,
            filter_closed: false,
            outcomes: None,
            ask_closing: false,
        }
    }
}

#[derive(Debug, Clone)]
pub enum Message {
    Selected(OccurrenceId),
    Scrolled {
        offset_y: f32,
    },
    Origin(Origin),
    Priority(Option<Option<Priority>>),
    Back,
    /// The regulator's form.
    Form(form::Message),
    Regulated(OccurrenceId, Result<Box<Occurrence>, ApiError>),
    /// Open the box that closes the occurrence (TDC-PROC 13).
    Close,
    CloseReason(String),
    /// One of the centre's outcomes chosen (again: unchosen) in the closing box (RFS036).
    Outcome(String),
    ConfirmClose,
    CancelClose,
    /// The server's answer to the closure.
    Closed(OccurrenceId, Result<Box<Occurrence>, ApiError>),
    Refresh,
    Recommended(OccurrenceId, Result<Vec<Candidate>, ApiError>),
    Dispatch(VehicleId),
    /// Commit this vehicle in place of the one on this dispatch (a USB replaced by a USA,
    /// RFS054).
    Substitute(VehicleId, DispatchId),
    /// Commit a vehicle busy on another occurrence to this one as well (RFS062).
    Additional(VehicleId),
    Dispatched(OccurrenceId, Result<Box<Dispatch>, ApiError>),
    /// Show another part of the open occurrence.
    Tab(Tab),
    /// The record of this occurrence (dropped if another one is open by then).
    Ficha(OccurrenceId, ficha::Message),
    /// Show the closed occurrences of the last day instead of the queue (to append to one,
    /// RFS133).
    ShowClosed(bool),
}

/// What the dashboard must do for the pane.
#[derive(Debug)]
pub enum Event {
    Regulate(OccurrenceId, Box<RegulationUpdate>),
    Recommend(OccurrenceId),
    Dispatch(Box<NewDispatch>),
    /// The server's answer: show it at once (the feed confirms it).
    Updated(Box<Occurrence>),
    /// Close the occurrence with this reason; its vehicles are released.
    Close(OccurrenceId, String),
    /// What the open occurrence's record needs.
    Ficha(ficha::Event),
}

/// The rows to build for a list of `n` rows scrolled to `offset_y` in a viewport `height` tall:
/// the index range, and the blank space above and below it.
pub fn window(n: usize, offset_y: f32, height: f32) -> (std::ops::Range<usize>, f32, f32) {
    let pitch = ROW_H + GAP;
    let first = ((offset_y.max(0.0) / pitch) as usize).saturating_sub(OVERSCAN).min(n);
    let shown = (height.max(0.0) / pitch).ceil() as usize + 2 * OVERSCAN;
    let last = (first + shown).min(n);
    (first..last, first as f32 * pitch, (n - last) as f32 * pitch)
}

impl State {
    pub fn update(&mut self, message: Message, ctx: &Ctx<'_>) -> (Task<Message>, Option<Event>) {
        // Where the cursor goes when a tab opens: the message to the crew; on a closed call, the
        // addendum (the only thing left to write there, RFS133).
        let mut focus: Option<&'static str> = None;
        let event = match message {
            Message::Ficha(id, m) => match self.detail.as_mut().filter(|d| d.id == id) {
                Some(d) => {
                    let (task, event) = d.ficha.update(m, ctx);
                    let event = match event {
                        Some(ficha::Event::Updated(o)) => Some(Event::Updated(o)),
                        other => other.map(Event::Ficha),
                    };
                    return (task.map(move |m| Message::Ficha(id, m)), event.or_else(|| self.ficha_due(ctx)));
                }
                None => None,
            },
            Message::Tab(tab) => {
                if let Some(d) = self.detail.as_mut() {
                    let closed =
                        ctx.model.occurrences.get(&d.id).is_some_and(|o| o.phase == OccurrencePhase::Closed);
                    focus = match tab {
                        _ if tab == d.tab => None,
                        Tab::Chat => Some(ficha::DRAFT_ID),
                        Tab::Record if closed => Some(ficha::ADDENDUM_ID),
                        _ => None,
                    };
                    d.tab = tab;
                }
                self.ficha_due(ctx)
            }
            // The record of a call just opened is read at once (others wait for the clock).
            Message::Selected(id) => self.handle(Message::Selected(id), ctx).or_else(|| self.ficha_due(ctx)),
            other => self.handle(other, ctx),
        };
        if let (Some(Event::Recommend(id)), Some(d)) = (&event, self.detail.as_mut())
            && d.id == *id
        {
            d.asked = Some((ctx.now, ctx.model.occurrences.get(id).and_then(|o| o.resource)));
        }
        // A change of what was decided needs its reason: the cursor goes where it is written.
        let task = if std::mem::take(&mut self.ask_reason) {
            iced::widget::operation::focus(iced::widget::Id::new(REASON_ID))
        } else if std::mem::take(&mut self.ask_closing) {
            iced::widget::operation::focus(iced::widget::Id::new(CLOSE_REASON_ID))
        } else if let Some(id) = focus {
            iced::widget::operation::focus(iced::widget::Id::new(id))
        } else {
            Task::none()
        };
        (task, event)
    }

    fn handle(&mut self, message: Message, ctx: &Ctx<'_>) -> Option<Event> {
        match message {
            Message::Selected(id) => {
                self.selected = Some(id);
                self.notice = None;
                if self.detail.as_ref().is_some_and(|d| d.id == id) {
                    return None;
                }
                self.detail = Some(Detail::new(id, ctx.model.occurrences.get(&id)));
                let open = ctx.model.occurrences.get(&id).is_some_and(|o| o.phase != OccurrencePhase::Closed);
                if open && ctx.user.can(Permission::OccurrenceDispatch) {
                    return Some(Event::Recommend(id));
                }
            }
            Message::Scrolled { offset_y } => self.scroll_y = offset_y,
            Message::ShowClosed(on) => {
                self.filter_closed = on;
                self.scroll_y = 0.0;
            }
            // Handled in `update`.
            Message::Tab(_) | Message::Ficha(..) => {}
            Message::Origin(o) => self.filter.origin = o,
            Message::Priority(p) => self.filter.priority = p,
            Message::Back => self.detail = None,
            Message::Refresh => {
                if let Some(d) = &mut self.detail {
                    d.candidates = None;
                    return Some(Event::Recommend(d.id));
                }
            }
            Message::Recommended(id, result) => {
                if let Some(d) = self.detail.as_mut().filter(|d| d.id == id) {
                    d.candidates = Some(result.map_err(|e| e.user_message()));
                }
            }
            Message::Dispatch(vehicle) => return self.dispatch(ctx, vehicle, None, false),
            Message::Substitute(vehicle, replaces) => {
                return self.dispatch(ctx, vehicle, Some(replaces), false);
            }
            Message::Additional(vehicle) => return self.dispatch(ctx, vehicle, None, true),
            Message::Dispatched(id, result) => {
                let sent = self.dispatching.remove(&id);
                let notice = match &result {
                    Ok(dispatch) => {
                        if let Some((what, _)) = sent {
                            self.retry.remove(&(id, what));
                        }
                        Ok(pt::dispatched(&dispatch.vehicle_code))
                    }
                    Err(e) => Err(e.user_message()),
                };
                let Some(d) = self.detail.as_mut().filter(|d| d.id == id) else {
                    self.notice = Some(labelled(notice, ctx, id));
                    return None;
                };
                d.notice = Some(notice);
                if result.is_ok() {
                    d.candidates = None;
                    return Some(Event::Recommend(id));
                }
            }
            Message::Form(m) => return self.form(m, ctx),
            Message::Close => {
                let may = ctx.user.can(Permission::OccurrenceRegulate)
                    || ctx.user.can(Permission::OccurrenceDispatch);
                if let Some(d) = self.detail.as_mut().filter(|_| may) {
                    d.closing = Some(String::new());
                    self.ask_closing = true;
                }
            }
            Message::CloseReason(r) => {
                if let Some(c) = self.detail.as_mut().and_then(|d| d.closing.as_mut()) {
                    *c = r;
                }
            }
            Message::Outcome(o) => {
                if let Some(d) = self.detail.as_mut().filter(|d| d.closing.is_some()) {
                    d.outcome = if d.outcome.as_deref() == Some(o.as_str()) { None } else { Some(o) };
                    self.ask_closing = true;
                }
            }
            Message::CancelClose => {
                if let Some(d) = self.detail.as_mut() {
                    d.closing = None;
                    d.outcome = None;
                }
            }
            Message::ConfirmClose => {
                let d = self.detail.as_mut()?;
                let reason = closing_reason(d.outcome.as_deref(), d.closing.as_deref()?);
                if reason.is_empty() {
                    d.notice = Some(Err(pt::CLOSE_REASON_REQUIRED.to_owned()));
                    return None;
                }
                if !self.regulating.insert(d.id) {
                    return None;
                }
                d.notice = None;
                return Some(Event::Close(d.id, reason));
            }
            Message::Closed(id, result) => {
                self.regulating.remove(&id);
                return match result {
                    Ok(o) => {
                        // Closed calls leave the queue: back to it, with what was done.
                        if self.detail.as_ref().is_some_and(|d| d.id == id) {
                            self.detail = None;
                        }
                        self.notice = Some(Ok(pt::occurrence_closed(&o.number)));
                        Some(Event::Updated(o))
                    }
                    Err(e) => {
                        match self.detail.as_mut().filter(|d| d.id == id) {
                            Some(d) => d.notice = Some(Err(e.user_message())),
                            None => self.notice = Some(labelled(Err(e.user_message()), ctx, id)),
                        }
                        None
                    }
                };
            }
            Message::Regulated(id, result) => {
                self.regulating.remove(&id);
                let (notice, regulated) = match result {
                    Ok(o) => (Ok(pt::REGULATED.to_owned()), Some(o)),
                    Err(e) => (Err(e.user_message()), None),
                };
                match self.detail.as_mut().filter(|d| d.id == id) {
                    Some(d) => {
                        // The form starts again from the occurrence as the server has it now.
                        if let Some(o) = &regulated {
                            d.form = form::Form::of(o);
                        }
                        d.notice = Some(notice);
                    }
                    None => self.notice = Some(labelled(notice, ctx, id)),
                }
                return regulated.map(Event::Updated);
            }
        }
        None
    }

    /// The nearest vehicles again, for the fleet controller: every [`REFRESH_EVERY`] while the
    /// occurrence is open (vehicles move, ETAs change), and at once when the regulator changed
    /// the vehicle type asked for. The list shown stays until the new one arrives.
    pub fn refresh_due(&mut self, ctx: &Ctx<'_>) -> Option<Event> {
        if !ctx.user.can(Permission::OccurrenceDispatch) {
            return None;
        }
        let d = self.detail.as_mut()?;
        if self.dispatching.contains_key(&d.id) {
            return None;
        }
        let o = ctx.model.occurrences.get(&d.id)?;
        // A closed call needs no vehicle.
        if o.phase == OccurrencePhase::Closed {
            return None;
        }
        let wanted = o.resource;
        let due = d.asked.is_none_or(|(at, kind)| kind != wanted || ctx.now - at >= REFRESH_EVERY);
        if !due {
            return None;
        }
        d.asked = Some((ctx.now, wanted));
        Some(Event::Recommend(d.id))
    }

    /// What the open occurrence's record needs now (its folder, photos, read receipts).
    fn ficha_due(&mut self, ctx: &Ctx<'_>) -> Option<Event> {
        let d = self.detail.as_mut()?;
        d.ficha.due(ctx, d.tab == Tab::Chat).map(Event::Ficha)
    }

    /// What is due on the dashboard's clock: the nearest vehicles again, or what the record
    /// needs.
    pub fn due(&mut self, ctx: &Ctx<'_>) -> Option<Event> {
        self.refresh_due(ctx).or_else(|| self.ficha_due(ctx))
    }

    /// Commits `vehicle` to the open occurrence (in place of the vehicle of `replaces`), once at
    /// a time; a retry of the same vehicle is the same dispatch.
    fn dispatch(
        &mut self,
        ctx: &Ctx<'_>,
        vehicle: VehicleId,
        replaces: Option<DispatchId>,
        additional: bool,
    ) -> Option<Event> {
        let d = self.detail.as_mut()?;
        if self.dispatching.contains_key(&d.id) || !ctx.user.can(Permission::OccurrenceDispatch) {
            return None;
        }
        // A substitution and a plain dispatch of the same vehicle are different commands.
        let id = *self.retry.entry((d.id, (vehicle, replaces))).or_default();
        self.dispatching.insert(d.id, ((vehicle, replaces), id));
        d.notice = None;
        let new =
            NewDispatch { id: Some(id), occurrence_id: d.id, vehicle_id: vehicle, replaces, additional };
        Some(Event::Dispatch(Box::new(new)))
    }

    /// The regulator's form: a change, or the regulation to send (or why it is not sent).
    fn form(&mut self, message: form::Message, ctx: &Ctx<'_>) -> Option<Event> {
        let d = self.detail.as_mut()?;
        let o = ctx.model.occurrences.get(&d.id)?;
        match d.form.update(message, o)? {
            form::Event::Regulate(up) => {
                if self.regulating.contains(&d.id) || !ctx.user.can(Permission::OccurrenceRegulate) {
                    return None;
                }
                self.regulating.insert(d.id);
                d.notice = None;
                Some(Event::Regulate(d.id, up))
            }
            form::Event::Refused(why) => {
                let said = match why {
                    Refusal::Nothing => pt::NOTHING_TO_REGULATE.to_owned(),
                    Refusal::ReasonRequired => {
                        // A change of what was decided needs its reason: the cursor goes there.
                        self.ask_reason = true;
                        pt::REASON_REQUIRED.to_owned()
                    }
                    Refusal::Invalid(message) => message,
                };
                d.notice = Some(Err(said));
                None
            }
        }
    }

    /// The open call's record is read again at the next clock tick (after a reconnection).
    pub fn reload_record(&mut self) {
        if let Some(d) = self.detail.as_mut() {
            d.ficha.reload();
        }
    }

    pub fn needs_outcomes(&self) -> bool {
        self.outcomes.is_none()
    }

    pub fn set_outcomes(&mut self, outcomes: Vec<String>) {
        self.outcomes = Some(outcomes);
    }

    pub fn selected(&self) -> Option<OccurrenceId> {
        self.selected
    }

    /// The occurrence open in detail, if any.
    pub fn open(&self) -> Option<OccurrenceId> {
        self.detail.as_ref().map(|d| d.id)
    }

    pub fn view<'a>(&'a self, ctx: &Ctx<'a>) -> Element<'a, Message> {
        if let Some(d) = &self.detail
            && let Some(o) = ctx.model.occurrences.get(&d.id)
        {
            return self.view_detail(d, o, ctx);
        }
        let queue: Vec<&Occurrence> = if self.filter_closed {
            ctx.model.recently_closed()
        } else {
            ctx.model.regulation_queue().into_iter().filter(|o| self.filter.keeps(o)).collect()
        };
        let filters = column![
            self.view_filters(),
            // Fixed slot: answers about occurrences closed in the pane meanwhile.
            crate::pane::slot(self.notice.as_ref().map(detail::notice)),
        ];
        if queue.is_empty() {
            return column![
                filters,
                container(
                    text(if self.filter_closed { pt::NO_CLOSED } else { pt::EMPTY_QUEUE })
                        .size(theme::TITLE)
                        .color(theme::MUTED)
                )
                .center(Fill)
            ]
            .into();
        }
        let count = text(pt::queue_count(queue.len())).size(theme::SMALL).color(theme::MUTED);
        let ctx = *ctx;
        column![
            filters,
            container(count).padding([2, 10]),
            // A narrow pane (large text, RNF06) gets compact rows: number and colour on the left,
            // the timer on the right, the complaint left for the detail view.
            iced::widget::responsive(move |size| {
                let compact = size.width < 520.0;
                // The rows in view, from the list's real height (iced reports no scroll when the
                // pane grows and the content comes to fit); never past the list's end.
                let height = size.height.max(1.0);
                let max_offset = (queue.len() as f32 * (ROW_H + GAP) - height).max(0.0);
                let (range, above, below) = window(queue.len(), self.scroll_y.min(max_offset), height);
                let rows = queue[range].iter().map(|o| self.view_row(o, &ctx, compact));
                let list = column![space().height(above), column(rows).spacing(GAP), space().height(below)];
                scrollable(container(list).padding([0, 10]))
                    .on_scroll(|v| Message::Scrolled { offset_y: v.absolute_offset().y })
                    .height(Fill)
                    .into()
            })
        ]
        .into()
    }

    fn view_filters(&self) -> Element<'_, Message> {
        let origin = [
            (Origin::All, pt::ORIGIN_ALL),
            (Origin::Own, pt::ORIGIN_OWN),
            (Origin::Conveniado, pt::ORIGIN_CONVENIADO),
        ]
        .into_iter()
        .map(|(o, label)| toggle(label, self.filter.origin == o, Message::Origin(o)));
        let levels = [
            None,
            Some(None),
            Some(Some(Priority::Emergency)),
            Some(Some(Priority::VeryUrgent)),
            Some(Some(Priority::Urgent)),
            Some(Some(Priority::LessUrgent)),
            Some(Some(Priority::NotUrgent)),
        ];
        let priority = levels.into_iter().map(|level| {
            let label = match level {
                None => pt::PRIORITY_ALL,
                Some(None) => pt::UNCLASSIFIED_SHORT,
                Some(Some(p)) => pt::priority_short(p),
            };
            toggle(label, self.filter.priority == level, Message::Priority(level))
        });
        // One wrapping row: in a narrow pane (large text) the colours flow onto the next line.
        let closed = toggle(pt::SHOW_CLOSED, self.filter_closed, Message::ShowClosed(!self.filter_closed));
        let buttons: Vec<Element<'_, Message>> = origin
            .chain(std::iter::once(space().width(12).into()))
            .chain(priority)
            .chain([space().width(12).into(), closed])
            .collect();
        container(row(buttons).spacing(4).wrap().vertical_spacing(4)).padding([6, 10]).into()
    }

    fn view_row<'a>(&self, o: &'a Occurrence, ctx: &Ctx<'a>, compact: bool) -> Element<'a, Message> {
        let waited = (ctx.now - o.created_at).num_seconds();
        let colour = match wait_state(waited, o.priority) {
            Wait::Within => None,
            Wait::Near => Some(theme::YELLOW),
            Wait::Over => Some(theme::RED),
        };
        let timer = text(pt::waiting(
            &format::elapsed(o.created_at, ctx.now),
            wait_state(waited, o.priority) == Wait::Over,
        ))
        .size(theme::TEXT)
        .width(TIMER_W)
        .align_x(iced::alignment::Horizontal::Right);
        let timer = match colour {
            Some(c) => timer.color(c),
            None => timer,
        };
        let (body, pad) = if compact {
            let body = row![
                column![text(o.number.as_str()).size(theme::TEXT), priority_chip(o.priority)].spacing(2),
                space::horizontal(),
                timer.width(iced::Shrink),
            ]
            .spacing(8);
            (body, 2)
        } else {
            let place =
                if is_conveniado(o) { pt::conveniado(&o.municipality) } else { o.municipality.clone() };
            let body = row![
                text(o.number.as_str()).size(theme::TEXT).width(110),
                priority_chip(o.priority),
                column![
                    text(place).size(theme::TEXT).wrapping(Wrapping::None),
                    text(o.description.as_str())
                        .size(theme::SMALL)
                        .color(theme::MUTED)
                        .wrapping(Wrapping::None),
                ]
                .spacing(2)
                .width(Fill)
                .clip(true),
                // A fixed, right-aligned slot: the row does not reflow every second as the digits
                // change width (and only the timer needs redrawing).
                timer,
            ]
            .spacing(10);
            (body, 6)
        };
        let card = container(body.align_y(Center))
            .padding([pad, 10])
            .width(Fill)
            .height(ROW_H)
            .align_y(Center)
            .style(theme::row(self.selected == Some(o.id)));
        mouse_area(card).on_press(Message::Selected(o.id)).into()
    }
}

/// The reason a call is closed with: the outcome chosen and what was typed, either alone
/// ("Óbito — constatado pelo médico da USA"); empty when neither was given.
pub fn closing_reason(outcome: Option<&str>, typed: &str) -> String {
    match (outcome.map(str::trim).filter(|o| !o.is_empty()), typed.trim()) {
        (Some(o), "") => o.to_owned(),
        (Some(o), t) => format!("{o} — {t}"),
        (None, t) => t.to_owned(),
    }
}

/// An answer about an occurrence no longer open in the pane, with its number.
fn labelled(notice: Result<String, String>, ctx: &Ctx<'_>, id: OccurrenceId) -> Result<String, String> {
    let number = ctx.model.occurrences.get(&id).map_or_else(String::new, |o| format!("{}: ", o.number));
    notice.map(|m| format!("{number}{m}")).map_err(|m| format!("{number}{m}"))
}

/// A choice that shows whether it is on.
pub(super) fn toggle<'a, M: Clone + 'a>(label: &'a str, active: bool, on_press: M) -> Element<'a, M> {
    button(text(label).size(theme::SMALL))
        .padding([4, 10])
        .style(theme::toggle(active))
        .on_press(on_press)
        .into()
}

/// A priority choice in its own colour: solid when chosen, outlined otherwise.
pub(super) fn priority_button(
    p: Priority,
    chosen: bool,
) -> impl Fn(&iced::Theme, button::Status) -> button::Style {
    move |theme, status| {
        let c = theme::priority(Some(p));
        let base = button::secondary(theme, status);
        if chosen {
            button::Style {
                background: Some(c.into()),
                text_color: theme::on(c),
                border: iced::Border { color: Color::WHITE, width: 2.0, radius: 4.into() },
                ..base
            }
        } else {
            button::Style { border: iced::Border { color: c, width: 2.0, radius: 4.into() }, ..base }
        }
    }
}

/// The coloured priority chip; its label says the colour in words, never colour alone.
pub fn priority_chip<'a, M: 'a>(p: Option<Priority>) -> Element<'a, M> {
    let label = p.map_or(pt::UNCLASSIFIED, atalaia_core::text::priority);
    container(text(label).size(theme::SMALL)).padding([2, 8]).style(theme::chip(theme::priority(p))).into()
}

#[cfg(test)]
mod tests;
