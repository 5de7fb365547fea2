//! The occurrence open in the regulation pane: its facts, the last answer, the regulator's form,
//! the nearest free vehicles for the fleet controller and the history of the regulation.

use super::{Detail, Message, State, priority_chip, toggle};
use crate::pane::Ctx;
use crate::text as pt;
use crate::theme;
use atalaia_client::format;
use atalaia_core::auth::Permission;
use atalaia_core::ids::{DispatchId, VehicleId};
use atalaia_core::samu::Occurrence;
use atalaia_core::samu::queue::{Wait, is_conveniado, wait_state, waiting_limit_s};
use iced::widget::{button, column, container, row, scrollable, space, text, text_input};
use iced::{Center, Element, Fill};

/// The parts of an open occurrence.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Tab {
    /// The regulator's form, the fleet controller's vehicles, the history of the regulation.
    #[default]
    Regulation,
    /// Everything that happened, the crew's entries and files, the report, addenda.
    Record,
    /// The conversation with the crew.
    Chat,
}

impl State {
    pub(super) fn view_detail<'a>(
        &'a self,
        d: &'a Detail,
        o: &'a Occurrence,
        ctx: &Ctx<'a>,
    ) -> Element<'a, Message> {
        let waited = (ctx.now - o.created_at).num_seconds();
        let may_close =
            ctx.user.can(Permission::OccurrenceRegulate) || ctx.user.can(Permission::OccurrenceDispatch);
        // Closing is the occurrence's own action: beside its number, its reason right under it.
        let open = o.phase != atalaia_core::samu::OccurrencePhase::Closed;
        let close = (may_close && open && d.closing.is_none()).then(|| {
            button(text(pt::CLOSE_OCCURRENCE).size(theme::SMALL))
                .padding([4, 10])
                .style(button::secondary)
                .on_press(Message::Close)
        });
        let head =
            row![
                button(text(pt::BACK_TO_QUEUE).size(theme::SMALL))
                    .padding([4, 10])
                    .style(button::secondary)
                    .on_press(Message::Back),
                text(o.number.as_str()).size(theme::TITLE),
                priority_chip(o.priority),
                space::horizontal(),
                match &o.closure {
                    // A closed call waits for nobody: when it was closed instead.
                    Some(c) => text(pt::closed_at(&format::day_time(c.at, ctx.tz)))
                        .size(theme::TEXT)
                        .color(theme::MUTED),
                    None => text(pt::waiting_limit(
                        &format::elapsed(o.created_at, ctx.now),
                        waiting_limit_s(o.priority) / 60
                    ))
                    .size(theme::TEXT)
                    .color(match wait_state(waited, o.priority) {
                        Wait::Within => theme::MUTED,
                        Wait::Near => theme::YELLOW,
                        Wait::Over => theme::RED,
                    }),
                },
            ]
            .push(close)
            .spacing(10)
            .align_y(Center);
        let place = if is_conveniado(o) { pt::conveniado(&o.municipality) } else { o.municipality.clone() };
        let facts = column![
            text(pt::caller_line(&o.caller_name, &o.caller_phone)).size(theme::TEXT),
            text(format!("{} — {}", o.address, place)).size(theme::TEXT),
            text(o.description.as_str()).size(theme::TEXT).color(theme::MUTED),
            text(pt::current_regulation(
                o.resource.map(atalaia_core::text::vehicle_kind),
                o.conduct.as_str()
            ))
            .size(theme::SMALL)
            .color(theme::MUTED),
        ]
        .spacing(4);
        let unread = d.ficha.unread(ctx);
        let tabs = row![
            toggle(pt::TAB_REGULATION, d.tab == Tab::Regulation, Message::Tab(Tab::Regulation)),
            toggle(pt::TAB_RECORD, d.tab == Tab::Record, Message::Tab(Tab::Record)),
            button(text(pt::tab_chat(unread)).size(theme::SMALL))
                .padding([4, 10])
                .style({
                    // New messages from the crew while the chat is not in view: it says so.
                    let (warn, active) = (unread > 0 && d.tab != Tab::Chat, d.tab == Tab::Chat);
                    move |t, s| if warn { button::warning(t, s) } else { theme::toggle(active)(t, s) }
                })
                .on_press(Message::Tab(Tab::Chat)),
        ]
        .spacing(4);
        let mut body = column![head, tabs].spacing(10);
        if let Some(reason) = d.closing.as_deref().filter(|_| may_close) {
            let outcomes = self.outcomes.as_deref().unwrap_or_default();
            body = body.push(view_closing(
                reason,
                outcomes,
                d.outcome.as_deref(),
                self.regulating.contains(&d.id),
            ));
        }
        body = body.push(facts);
        let id = d.id;
        match d.tab {
            Tab::Record => {
                body = body.push(d.ficha.view_record(o, ctx).map(move |m| Message::Ficha(id, m)));
                return scrollable(body.padding(10)).height(Fill).into();
            }
            Tab::Chat => {
                body = body.push(d.ficha.view_chat(o, ctx).map(move |m| Message::Ficha(id, m)));
                return scrollable(body.padding(10)).anchor_bottom().height(Fill).into();
            }
            Tab::Regulation => {}
        }
        // Fixed slot for the last answer: a message appearing must not move the cursor.
        body = body.push(crate::pane::slot(d.notice.as_ref().map(notice)));
        if ctx.user.can(Permission::OccurrenceRegulate) && open {
            body = body.push(d.form.view(o, self.regulating.contains(&d.id)).map(Message::Form));
        }
        if ctx.user.can(Permission::OccurrenceDispatch) && open {
            let replaceable = replaceable(o, ctx);
            let sending = self.dispatching.get(&d.id).map(|((v, _), _)| *v);
            body = body.push(view_candidates(d, sending, replaceable));
            body = body.push(view_busy(o, ctx, sending));
        }
        body = body.push(crate::pane::slot(view_regulators(o, ctx)));
        body = body.push(view_history(o, ctx));
        scrollable(body.padding(10)).height(Fill).into()
    }
}

/// The answer to the operator's last request: green when done, red with the reason otherwise.
pub(super) fn notice(n: &Result<String, String>) -> Element<'_, Message> {
    let (msg, c) = match n {
        Ok(m) => (m.as_str(), theme::GREEN),
        Err(m) => (m.as_str(), theme::RED),
    };
    container(text(msg).size(theme::TEXT)).padding([6, 10]).width(Fill).style(theme::banner(c)).into()
}

/// The free vehicles nearest the occurrence, with ETA, each a click from dispatch.
/// Closing the occurrence once care has ended (TDC-PROC 13): a reason, then confirm.
/// The centre's outcomes (RFS036) are one click each; what is typed completes the chosen one.
fn view_closing<'a>(
    reason: &'a str,
    outcomes: &'a [String],
    chosen: Option<&str>,
    sending: bool,
) -> Element<'a, Message> {
    let field = row![
        text_input(pt::CLOSE_REASON_HINT, reason)
            .id(iced::widget::Id::new(super::CLOSE_REASON_ID))
            .on_input(Message::CloseReason)
            .on_submit(Message::ConfirmClose)
            .size(theme::TEXT)
            .width(Fill),
        button(text(if sending { pt::SENDING } else { pt::CONFIRM_CLOSE }).size(theme::SMALL))
            .padding([4, 10])
            .style(button::danger)
            .on_press_maybe((!sending).then_some(Message::ConfirmClose)),
        button(text(pt::CANCEL).size(theme::SMALL))
            .padding([4, 10])
            .style(button::secondary)
            .on_press(Message::CancelClose),
    ]
    .spacing(8)
    .align_y(Center);
    if outcomes.is_empty() {
        return field.into();
    }
    let chips =
        outcomes.iter().map(|o| toggle(o.as_str(), chosen == Some(o.as_str()), Message::Outcome(o.clone())));
    let head: Element<'a, Message> = text(pt::OUTCOME).size(theme::SMALL).color(theme::MUTED).into();
    column![row(std::iter::once(head).chain(chips)).spacing(4).wrap().vertical_spacing(4), field]
        .spacing(6)
        .into()
}

/// The occurrence's active dispatch whose vehicle is not the type the regulator now asks for
/// (RFS054: a USB sent, the call redefined to a USA): its id and vehicle code.
fn replaceable(o: &Occurrence, ctx: &Ctx<'_>) -> Option<(DispatchId, String)> {
    let wanted = o.resource?;
    ctx.model
        .dispatches
        .values()
        .filter(|d| d.occurrence_id == o.id && d.active)
        .find(|d| ctx.model.vehicles.get(&d.vehicle_id).is_some_and(|v| v.kind != wanted))
        .map(|d| (d.id, d.vehicle_code.clone()))
}

fn view_candidates(
    d: &Detail,
    dispatching: Option<VehicleId>,
    replaceable: Option<(DispatchId, String)>,
) -> Element<'_, Message> {
    let title = row![
        text(pt::RECOMMENDED).size(theme::TITLE),
        space::horizontal(),
        button(text(pt::REFRESH).size(theme::SMALL))
            .padding([4, 10])
            .style(button::secondary)
            .on_press(Message::Refresh),
    ]
    .align_y(Center);
    let body: Element<'_, Message> = match &d.candidates {
        None => text(pt::LOADING).size(theme::TEXT).color(theme::MUTED).into(),
        Some(Err(e)) => text(e.as_str()).size(theme::TEXT).color(theme::RED).into(),
        Some(Ok(list)) if list.is_empty() => {
            text(pt::NO_FREE_VEHICLE).size(theme::TEXT).color(theme::YELLOW).into()
        }
        Some(Ok(list)) => column(list.iter().take(5).map(|c| {
            let busy = dispatching.is_some();
            let label = if dispatching == Some(c.vehicle_id) {
                pt::SENDING.to_owned()
            } else {
                pt::dispatch_button(&c.code)
            };
            // A vehicle of the wrong type on its way: this one goes in its place (RFS054); or as
            // one more vehicle for the call (RFS062).
            let substitute = replaceable.as_ref().map(|(dispatch, old)| {
                button(text(pt::substitute_button(old, &c.code)).size(theme::SMALL))
                    .padding([4, 10])
                    .on_press_maybe((!busy).then_some(Message::Substitute(c.vehicle_id, *dispatch)))
            });
            row![
                text(c.code.as_str()).size(theme::TEXT).width(90),
                text(atalaia_core::text::vehicle_kind(c.kind))
                    .size(theme::SMALL)
                    .color(theme::MUTED)
                    .width(60),
                text(pt::distance_eta(c.road_m, c.eta_s)).size(theme::TEXT).width(Fill),
            ]
            .push(substitute)
            .push(
                button(text(label).size(theme::SMALL))
                    .padding([4, 10])
                    .style(if replaceable.is_some() { button::secondary } else { button::primary })
                    .on_press_maybe((!busy).then_some(Message::Dispatch(c.vehicle_id))),
            )
            .spacing(8)
            .align_y(Center)
            .into()
        }))
        .spacing(6)
        .into(),
    };
    column![title, body].spacing(6).into()
}

/// Vehicles busy on other calls, nearest first, each one click from taking this call as well
/// once done (RFS062); only while nothing is on its way to it from the free list.
fn view_busy<'a>(o: &'a Occurrence, ctx: &Ctx<'a>, sending: Option<VehicleId>) -> Element<'a, Message> {
    let Some(at) = o.location else { return space().height(0).into() };
    let on_this: Vec<VehicleId> =
        ctx.model.dispatches.values().filter(|d| d.occurrence_id == o.id).map(|d| d.vehicle_id).collect();
    let busy = atalaia_core::samu::fleet::recommend_busy(
        ctx.model.vehicles.values().filter(|v| !on_this.contains(&v.id)),
        at,
        o.resource,
    );
    if busy.is_empty() {
        return space().height(0).into();
    }
    let rows = busy.into_iter().take(3).map(|c| {
        let label = if sending == Some(c.vehicle_id) {
            pt::SENDING.to_owned()
        } else {
            pt::additional_button(&c.code)
        };
        row![
            text(c.code.clone()).size(theme::TEXT).width(90),
            text(atalaia_core::text::vehicle_status(c.status))
                .size(theme::SMALL)
                .color(theme::MUTED)
                .width(110),
            text(pt::distance_eta(c.road_m, c.eta_s)).size(theme::TEXT).width(Fill),
            button(text(label).size(theme::SMALL))
                .padding([4, 10])
                .style(button::secondary)
                .on_press_maybe(sending.is_none().then_some(Message::Additional(c.vehicle_id))),
        ]
        .spacing(8)
        .align_y(Center)
        .into()
    });
    column![
        text(pt::BUSY_NEAREST).size(theme::SMALL).color(theme::MUTED),
        column(rows.collect::<Vec<Element<'a, Message>>>()).spacing(6)
    ]
    .spacing(6)
    .into()
}

/// Who regulates this call (RFS131): on a multi-victim occurrence several regulators work on it at
/// once, each seeing the others and what they last did. Shown once a second one is there.
fn view_regulators<'a>(o: &'a Occurrence, ctx: &Ctx<'a>) -> Option<Element<'a, Message>> {
    let regulators = atalaia_client::regulation::regulators(o);
    if regulators.len() < 2 {
        return None;
    }
    let lines = regulators.into_iter().map(|r| {
        let stage =
            r.stage.map(atalaia_core::text::regulator_stage).map(|s| format!(" ({s})")).unwrap_or_default();
        text(pt::regulator_line(
            &r.name,
            &stage,
            r.changes,
            &pt::field_label(&r.last_field),
            &format::hour_minute(r.last, ctx.tz),
        ))
        .size(theme::SMALL)
        .into()
    });
    Some(
        column![
            text(pt::REGULATORS).size(theme::TITLE),
            column(lines.collect::<Vec<Element<'a, Message>>>()).spacing(2)
        ]
        .spacing(6)
        .into(),
    )
}

/// Every change to the regulation, oldest first, with who, when, as which regulator and why.
fn view_history<'a>(o: &'a Occurrence, ctx: &Ctx<'a>) -> Element<'a, Message> {
    let rows: Vec<Element<'a, Message>> = o
        .history
        .iter()
        .map(|c| {
            text(pt::change_line(
                &format::day_time(c.at, ctx.tz),
                &c.by_name,
                c.stage.map(atalaia_core::text::regulator_stage),
                &pt::field_label(&c.field),
                c.from.as_deref().map(|v| pt::field_value(&c.field, v)).as_deref(),
                &pt::field_value(&c.field, &c.to),
                &c.reason,
            ))
            .size(theme::SMALL)
            .into()
        })
        .collect();
    let body: Element<'a, Message> = if rows.is_empty() {
        text(pt::NO_HISTORY).size(theme::SMALL).color(theme::MUTED).into()
    } else {
        column(rows).spacing(4).into()
    };
    column![text(pt::HISTORY).size(theme::TITLE), body].spacing(6).into()
}
