//! The dashboard's panes. Each one owns its `State`, takes `Message`s (what happened), and asks the
//! dashboard for effects through an `Event` (what the parent must do), halloy-style. They all read
//! the live model through [`Ctx`] and never talk to the network themselves.

pub mod alarmes;
pub mod atendimento;
pub mod mapa;
pub mod regulacao;

use atalaia_client::LiveModel;
use atalaia_core::wire::UserInfo;
use chrono::{DateTime, Utc};
use chrono_tz::Tz;

/// What every pane may read while updating or drawing.
#[derive(Clone, Copy)]
pub struct Ctx<'a> {
    pub model: &'a LiveModel,
    /// The dashboard's clock (ticks every second), so views are pure functions of state.
    pub now: DateTime<Utc>,
    pub tz: Tz,
    pub user: &'a UserInfo,
}

/// The four kinds of pane the grid arranges.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    Atendimento,
    Regulacao,
    Mapa,
    Alarmes,
}

impl Kind {
    pub fn title(self) -> &'static str {
        match self {
            Kind::Atendimento => crate::text::PANE_ATENDIMENTO,
            Kind::Regulacao => crate::text::PANE_REGULACAO,
            Kind::Mapa => crate::text::PANE_MAPA,
            Kind::Alarmes => crate::text::PANE_ALARMES,
        }
    }
}

/// A place in a column that is there whether or not it shows something. Widget state (the text
/// cursor above all) is matched by position and widget type: a notice appearing above a form as a
/// different widget than the empty space it replaces took the cursor out of the form.
pub fn slot<'a, M: 'a>(content: Option<iced::Element<'a, M>>) -> iced::Element<'a, M> {
    match content {
        Some(c) => iced::widget::container(c).into(),
        None => iced::widget::container(iced::widget::space().height(0)).into(),
    }
}
