//! The regulation queue (RFS034): every open occurrence, most urgent first, then longest waiting,
//! as the live model orders it. Unclassified calls show a grey chip: nobody has looked at them yet.

use crate::pane::Ctx;
use crate::text as pt;
use crate::theme;
use atalaia_client::format;
use atalaia_core::ids::OccurrenceId;
use atalaia_core::samu::{Occurrence, Priority};
use iced::widget::{column, container, mouse_area, row, scrollable, text};
use iced::{Center, Element, Fill};

#[derive(Debug, Default)]
pub struct State {
    selected: Option<OccurrenceId>,
}

#[derive(Debug, Clone)]
pub enum Message {
    Selected(OccurrenceId),
}

impl State {
    pub fn update(&mut self, message: Message) {
        match message {
            Message::Selected(id) => self.selected = Some(id),
        }
    }

    pub fn selected(&self) -> Option<OccurrenceId> {
        self.selected
    }

    pub fn view<'a>(&'a self, ctx: &Ctx<'a>) -> Element<'a, Message> {
        let queue = ctx.model.regulation_queue();
        if queue.is_empty() {
            return container(text(pt::EMPTY_QUEUE).size(theme::TITLE).color(theme::MUTED))
                .center(Fill)
                .into();
        }
        let count = text(pt::queue_count(queue.len())).size(theme::SMALL).color(theme::MUTED);
        let rows = queue.into_iter().map(|o| self.view_row(o, ctx));
        scrollable(column![count, column(rows).spacing(6)].spacing(8).padding(10)).height(Fill).into()
    }

    fn view_row<'a>(&self, o: &'a Occurrence, ctx: &Ctx<'a>) -> Element<'a, Message> {
        let body = row![
            text(o.number.as_str()).size(theme::TEXT).width(110),
            priority_chip(o.priority),
            column![
                text(o.municipality.as_str()).size(theme::TEXT),
                text(o.description.as_str()).size(theme::SMALL).color(theme::MUTED),
            ]
            .spacing(2)
            .width(Fill),
            text(pt::waiting(&format::elapsed(o.created_at, ctx.now))).size(theme::TEXT),
        ]
        .spacing(10)
        .align_y(Center);
        let card =
            container(body).padding([6, 10]).width(Fill).style(theme::row(self.selected == Some(o.id)));
        mouse_area(card).on_press(Message::Selected(o.id)).into()
    }
}

/// The coloured priority chip; its label says the colour in words, never colour alone.
pub fn priority_chip<'a, M: 'a>(p: Option<Priority>) -> Element<'a, M> {
    let label = p.map_or(pt::UNCLASSIFIED, atalaia_core::text::priority);
    container(text(label).size(theme::SMALL)).padding([2, 8]).style(theme::chip(theme::priority(p))).into()
}
