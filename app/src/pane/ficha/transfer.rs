//! Moving a victim from one vehicle of the call to another (RFS053): the fleet controller picks
//! the victim, the vehicle it leaves and the one that takes it (still on the call), and says why.
//! Shown in the record when the call has had two vehicles or more.

use super::{Message, State};
use crate::pane::Ctx;
use crate::theme;
use atalaia_client::record::{self, TransferDraft};
use atalaia_core::auth::Permission;
use atalaia_core::samu::{Occurrence, OccurrencePhase};
use iced::widget::{button, column, row, space, text, text_input};
use iced::{Center, Element};

pub const DONE: &str = "Transferência registrada.";
/// The reason's field: the cursor goes there once the receiving vehicle is chosen.
pub const REASON_ID: &str = "ficha-transferencia-motivo";
const TITLE: &str = "Transferir vítima entre viaturas";
const VICTIM: &str = "Vítima";
const FROM: &str = "Sai";
const TO: &str = "Passa";
const REASON_HINT: &str = "Motivo da transferência";
const SEND: &str = "Transferir vítima";

impl State {
    pub(super) fn view_transfer<'a>(&'a self, o: &'a Occurrence, ctx: &Ctx<'a>) -> Element<'a, Message> {
        let dispatches = record::dispatches(ctx.model, o.id, self.loaded_dispatches());
        let may = ctx.user.can(Permission::OccurrenceDispatch) && o.phase != OccurrencePhase::Closed;
        if !may || dispatches.len() < 2 || !dispatches.iter().any(|d| d.active) {
            return space().height(0).into();
        }
        let d = &self.transfer;
        let victims = TransferDraft::victims(o)
            .into_iter()
            .map(|v| toggle_owned(format!("{VICTIM} {v}"), d.victim == Some(v), Message::TransferVictim(v)));
        let from = dispatches.iter().map(|x| {
            toggle_owned(format!("de {}", x.vehicle_code), d.from == Some(x.id), Message::TransferFrom(x.id))
        });
        let to = dispatches.iter().filter(|x| x.active).map(|x| {
            toggle_owned(format!("para {}", x.vehicle_code), d.to == Some(x.id), Message::TransferTo(x.id))
        });
        let line = |label: &'a str, items: Vec<Element<'a, Message>>| {
            let head: Element<'a, Message> =
                text(label).size(theme::SMALL).color(theme::MUTED).width(80).into();
            row(std::iter::once(head).chain(items)).spacing(4).align_y(Center)
        };
        column![
            text(TITLE).size(theme::TITLE),
            line(VICTIM, victims.collect()),
            line(FROM, from.collect()),
            line(TO, to.collect()),
            super::send_row(
                text_input(REASON_HINT, &d.reason)
                    .id(iced::widget::Id::new(REASON_ID))
                    .on_input(Message::TransferReason),
                SEND,
                Message::Transfer,
                self.transferring,
            ),
        ]
        .spacing(6)
        .into()
    }
}

fn toggle_owned<'a>(label: String, active: bool, on_press: Message) -> Element<'a, Message> {
    button(text(label).size(theme::SMALL))
        .padding([4, 10])
        .style(theme::toggle(active))
        .on_press(on_press)
        .into()
}
