//! The regulation queue (RFS034): every open occurrence, most urgent first, then longest waiting,
//! as the live model orders it. Unclassified calls show a grey chip: nobody has looked at them yet.

use crate::pane::Ctx;
use crate::text as pt;
use crate::theme;
use atalaia_client::format;
use atalaia_core::ids::OccurrenceId;
use atalaia_core::samu::{Occurrence, Priority};
use iced::widget::text::Wrapping;
use iced::widget::{column, container, mouse_area, row, scrollable, space, text};
use iced::{Center, Element, Fill};

/// Height of one queue row and the gap below it: rows have a fixed height so only the rows in view
/// are built (a centre's queue can hold a thousand calls; building them all cost ~0.5 s a frame).
pub const ROW_H: f32 = 52.0;
pub const GAP: f32 = 6.0;
/// Width of the waiting-time column ("aguarda 01:02:03").
const TIMER_W: f32 = 128.0;
/// Rows built beyond the visible ones, above and below, so fast scrolling never shows a gap.
const OVERSCAN: usize = 4;

#[derive(Debug)]
pub struct State {
    selected: Option<OccurrenceId>,
    /// Scroll offset and height of the list's viewport, from the last scroll event.
    scroll_y: f32,
    viewport_h: f32,
}

impl Default for State {
    fn default() -> Self {
        // Before the first scroll event, assume a tall screen.
        Self { selected: None, scroll_y: 0.0, viewport_h: 1200.0 }
    }
}

#[derive(Debug, Clone)]
pub enum Message {
    Selected(OccurrenceId),
    Scrolled { offset_y: f32, height: f32 },
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
    pub fn update(&mut self, message: Message) {
        match message {
            Message::Selected(id) => self.selected = Some(id),
            Message::Scrolled { offset_y, height } => {
                self.scroll_y = offset_y;
                self.viewport_h = height;
            }
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
        // The list may have shrunk since the last scroll event (iced sends none when the content
        // comes to fit): never build past its end.
        let max_offset = (queue.len() as f32 * (ROW_H + GAP) - self.viewport_h).max(0.0);
        let (range, above, below) = window(queue.len(), self.scroll_y.min(max_offset), self.viewport_h);
        let rows = queue[range].iter().map(|o| self.view_row(o, ctx));
        let list = column![space().height(above), column(rows).spacing(GAP), space().height(below)];
        column![
            container(count).padding([6, 10]),
            scrollable(container(list).padding([0, 10]))
                .on_scroll(|v| Message::Scrolled {
                    offset_y: v.absolute_offset().y,
                    height: v.bounds().height
                })
                .height(Fill)
        ]
        .into()
    }

    fn view_row<'a>(&self, o: &'a Occurrence, ctx: &Ctx<'a>) -> Element<'a, Message> {
        let body = row![
            text(o.number.as_str()).size(theme::TEXT).width(110),
            priority_chip(o.priority),
            column![
                text(o.municipality.as_str()).size(theme::TEXT).wrapping(Wrapping::None),
                text(o.description.as_str()).size(theme::SMALL).color(theme::MUTED).wrapping(Wrapping::None),
            ]
            .spacing(2)
            .width(Fill)
            .clip(true),
            // A fixed, right-aligned slot: the row does not reflow every second as the digits
            // change width (and only the timer needs redrawing).
            text(pt::waiting(&format::elapsed(o.created_at, ctx.now)))
                .size(theme::TEXT)
                .width(TIMER_W)
                .align_x(iced::alignment::Horizontal::Right),
        ]
        .spacing(10)
        .align_y(Center);
        let card = container(body)
            .padding([6, 10])
            .width(Fill)
            .height(ROW_H)
            .align_y(Center)
            .style(theme::row(self.selected == Some(o.id)));
        mouse_area(card).on_press(Message::Selected(o.id)).into()
    }
}

/// The coloured priority chip; its label says the colour in words, never colour alone.
pub fn priority_chip<'a, M: 'a>(p: Option<Priority>) -> Element<'a, M> {
    let label = p.map_or(pt::UNCLASSIFIED, atalaia_core::text::priority);
    container(text(label).size(theme::SMALL)).padding([2, 8]).style(theme::chip(theme::priority(p))).into()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_rows_in_view_are_built() {
        let pitch = ROW_H + GAP;
        // Top of a thousand rows, 580 px of viewport: 10 visible + overscan below.
        let (r, above, below) = window(1000, 0.0, 580.0);
        assert_eq!(r, 0..18);
        assert_eq!(above, 0.0);
        assert!((below - 982.0 * pitch).abs() < 1e-3);
        // Scrolled to row 500: rows 496..514 and the right blank space around them.
        let (r, above, below) = window(1000, 500.0 * pitch, 580.0);
        assert_eq!(r, 496..514);
        assert!((above + below + r.len() as f32 * pitch - 1000.0 * pitch).abs() < 1e-2);
        // Short lists and past-the-end offsets.
        assert_eq!(window(3, 0.0, 580.0).0, 0..3);
        assert_eq!(window(3, 10_000.0, 580.0).0, 3..3);
        assert_eq!(window(0, 0.0, 580.0).0, 0..0);
    }
}
