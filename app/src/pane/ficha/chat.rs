//! The conversation with the crew (TDC-PROC 10; RFS044, RFS045, RFS048): the crew's messages on
//! the left, the central's on the right, each with when it was delivered and read; the configured
//! questions one click away; the field keeps what was typed until the server has it.

use super::{Message, State};
use crate::pane::Ctx;
use crate::theme;
use atalaia_client::format;
use atalaia_client::record;
use atalaia_core::samu::care;
use atalaia_core::samu::{Occurrence, OccurrencePhase};
use iced::Element;
use iced::widget::{button, column, container, row, space, text, text_input};

/// The message field (the chat tab puts the cursor there).
pub const DRAFT_ID: &str = "ficha-chat";
const DRAFT_HINT: &str = "Mensagem para a equipe (Enter envia)";
const SEND: &str = "Enviar";
const CANNED: &str = "Perguntas prontas:";
const EMPTY: &str = "Nenhuma mensagem com a equipe ainda.";
const LOADING: &str = "Lendo a conversa…";
const CLOSED: &str = "Ocorrência encerrada: a conversa fica registrada, sem novas mensagens.";

fn receipt(m: &care::Message, ctx: &Ctx<'_>) -> String {
    match m.read_at {
        Some(at) => {
            format!("entregue {} · lida {}", format::time(m.delivered_at, ctx.tz), format::time(at, ctx.tz))
        }
        None => format!("entregue {} · não lida", format::time(m.delivered_at, ctx.tz)),
    }
}

impl State {
    pub fn view_chat<'a>(&'a self, o: &'a Occurrence, ctx: &Ctx<'a>) -> Element<'a, Message> {
        let mut body = column![].spacing(8);
        body = body.push(crate::pane::slot(self.notice.as_ref().map(|n| super::timeline::banner(n))));
        let Some(Ok(folder)) = &self.folder else {
            let said: Element<'a, Message> = match &self.folder {
                Some(Err(e)) => text(e.as_str()).size(theme::TEXT).color(theme::RED).into(),
                _ => text(LOADING).size(theme::TEXT).color(theme::MUTED).into(),
            };
            return body.push(said).into();
        };
        let live = ctx.model.messages.get(&self.id).map_or(&[][..], Vec::as_slice);
        let messages = record::conversation(&folder.messages, live);
        if messages.is_empty() {
            body = body.push(text(EMPTY).size(theme::TEXT).color(theme::MUTED));
        }
        for m in messages {
            let crew = m.from_crew();
            let head = format!("{} · {}", m.from_name, format::time(m.sent_at, ctx.tz));
            let bubble = container(
                column![
                    text(head).size(theme::SMALL).color(theme::MUTED),
                    text(m.text.clone()).size(theme::TEXT),
                    text(receipt(m, ctx)).size(theme::SMALL).color(if m.read_at.is_some() {
                        theme::GREEN
                    } else {
                        theme::MUTED
                    }),
                ]
                .spacing(2),
            )
            .padding([6, 10])
            .max_width(520)
            .style(theme::card);
            body = body.push(if crew {
                row![bubble, space::horizontal()]
            } else {
                row![space::horizontal(), bubble]
            });
        }
        if !super::may_write_to_crew(ctx) {
            return body.into();
        }
        if o.phase == OccurrencePhase::Closed {
            // The server takes no more messages on a closed call: say so instead of a field.
            return body.push(text(CLOSED).size(theme::TEXT).color(theme::MUTED)).into();
        }
        if !folder.canned.is_empty() {
            let canned = folder.canned.iter().map(|c| {
                button(text(c.as_str()).size(theme::SMALL))
                    .padding([3, 10])
                    .style(button::secondary)
                    .on_press_maybe(self.sending.is_none().then(|| Message::Canned(c.clone())))
                    .into()
            });
            let list: Vec<Element<'a, Message>> =
                std::iter::once(text(CANNED).size(theme::SMALL).color(theme::MUTED).into())
                    .chain(canned)
                    .collect();
            body = body.push(row(list).spacing(6).wrap().vertical_spacing(4));
        }
        let sending = self.sending.is_some();
        body = body.push(super::send_row(
            text_input(DRAFT_HINT, &self.draft).id(iced::widget::Id::new(DRAFT_ID)).on_input(Message::Draft),
            SEND,
            Message::Send,
            sending,
        ));
        body.into()
    }
}
