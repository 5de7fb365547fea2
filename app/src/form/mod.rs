//! Forms more than one screen opens (the alarm card and the administration screen both correct
//! a person's record). Each is a component: its own `Message`, an `update` that answers with an
//! `Event` for the holder, and a `view`.

pub mod commands;
pub mod person;

use crate::theme;
use atalaia_core::ids::PersonId;
use atalaia_core::monitoring::Person;
use iced::Element;
use iced::widget::{button, row, text};

/// The people whose name, record or group match what was typed (two letters at least), each a
/// button "Name (record)" that chooses them; `keep` leaves out who may not be chosen.
pub fn person_choices<'a, M: Clone + 'a>(
    model: &atalaia_client::LiveModel,
    typed: &str,
    keep: impl Fn(&Person) -> bool,
    choose: impl Fn(PersonId) -> M,
) -> Element<'a, M> {
    if typed.trim().chars().count() < 2 {
        return row![].into();
    }
    let found = atalaia_client::admin::people(model, typed).into_iter().filter(|p| keep(p)).take(8);
    let buttons: Vec<Element<'a, M>> = found
        .map(|p| {
            button(text(format!("{} ({})", p.name, p.record)).size(theme::SMALL))
                .padding([2, 8])
                .style(button::secondary)
                .on_press(choose(p.id))
                .into()
        })
        .collect();
    row(buttons).spacing(6).wrap().into()
}
