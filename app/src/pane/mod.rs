//! The dashboard's panes. Each one owns its `State`, takes `Message`s (what happened), and asks the
//! dashboard for effects through an `Event` (what the parent must do), halloy-style. They all read
//! the live model through [`Ctx`] and never talk to the network themselves.

pub mod alarmes;
pub mod atendimento;
pub mod ficha;
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
    /// Photos of monitored people fetched so far.
    pub photos: &'a crate::photos::Photos,
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

/// A pane's body framed by 1-px rules on the left, right and bottom (the title bar closes the
/// top), in the primary colour when the pane has the focus. Rules instead of a bordered
/// container: a container fills its whole area whenever anything inside it changes, and tiny-skia
/// does that through a clip mask once per changed region — with a second's worth of changing
/// timers that was ~3 million masked pixels a frame.
pub fn framed<'a, M: 'a>(body: iced::Element<'a, M>, focused: bool) -> iced::Element<'a, M> {
    use iced::widget::{column, container, row, space};
    use iced::{Fill, Length};
    let rule = move |w: Length, h: Length| {
        container(space()).width(w).height(h).style(move |theme: &iced::Theme| {
            let p = theme.extended_palette();
            let colour = if focused { p.primary.base.color } else { p.background.strong.color };
            container::Style { background: Some(colour.into()), ..container::Style::default() }
        })
    };
    column![
        row![
            rule(Length::Fixed(1.0), Fill),
            container(body).width(Fill).height(Fill),
            rule(Length::Fixed(1.0), Fill)
        ]
        .height(Fill),
        rule(Fill, Length::Fixed(1.0)),
    ]
    .into()
}
