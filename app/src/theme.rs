//! The operator theme: a dark, calm palette for long shifts, and the semantic colours every pane
//! shares (risk colours of RFS034 for priorities, alarm severities, vehicle status). Colour is never
//! the only signal: every chip also carries its label.

use atalaia_core::alarm::Severity;
use atalaia_core::samu::{Priority, VehicleStatus};
use iced::theme::Palette;
use iced::widget::{button, container};
use iced::{Background, Border, Color, Theme, color};
use std::sync::LazyLock;

/// Body text size; operators read from about a metre away.
pub const TEXT: f32 = 15.0;
pub const SMALL: f32 = 13.0;
pub const TITLE: f32 = 17.0;
pub const HEADING: f32 = 22.0;

const PALETTE: Palette = Palette {
    background: color!(0x161b22),
    text: color!(0xe6edf3),
    primary: color!(0x4c8bf5),
    success: color!(0x3fb950),
    warning: color!(0xd29922),
    danger: color!(0xf85149),
};

static THEME: LazyLock<Theme> = LazyLock::new(|| Theme::custom("Atalaia", PALETTE));

/// The console's theme (built once; cloning only bumps a reference count).
pub fn theme() -> Theme {
    THEME.clone()
}

/// Black background, white text, saturated accents (F12): for glare, low vision, or the wall.
const CONTRAST: Palette = Palette {
    background: color!(0x000000),
    text: color!(0xffffff),
    primary: color!(0x5ca8ff),
    success: color!(0x3ee07a),
    warning: color!(0xffd000),
    danger: color!(0xff5c5c),
};

static HIGH_CONTRAST: LazyLock<Theme> = LazyLock::new(|| Theme::custom("Atalaia alto contraste", CONTRAST));

pub fn high_contrast() -> Theme {
    HIGH_CONTRAST.clone()
}

pub const RED: Color = color!(0xe5484d);
pub const ORANGE: Color = color!(0xf76b15);
pub const YELLOW: Color = color!(0xffc53d);
pub const GREEN: Color = color!(0x30a46c);
pub const BLUE: Color = color!(0x0090ff);
pub const GREY: Color = color!(0x8b8d98);
pub const PURPLE: Color = color!(0x8e4ec6);
pub const MUTED: Color = color!(0x9da7b3);
pub const DARK_TEXT: Color = color!(0x111418);

/// Risk colour of a regulation priority; grey while nobody has classified the call.
pub fn priority(p: Option<Priority>) -> Color {
    match p {
        Some(Priority::Emergency) => RED,
        Some(Priority::VeryUrgent) => ORANGE,
        Some(Priority::Urgent) => YELLOW,
        Some(Priority::LessUrgent) => GREEN,
        Some(Priority::NotUrgent) => BLUE,
        None => GREY,
    }
}

pub fn severity(s: Severity) -> Color {
    match s {
        Severity::Critical => RED,
        Severity::High => ORANGE,
        Severity::Medium => YELLOW,
        Severity::Low => BLUE,
    }
}

/// Map colour of a vehicle: green free, orange committed/en route, red busy with a patient.
pub fn vehicle_status(s: VehicleStatus) -> Color {
    match s {
        VehicleStatus::Available | VehicleStatus::AtBase => GREEN,
        VehicleStatus::Returning => BLUE,
        VehicleStatus::Committed | VehicleStatus::EnRoute => ORANGE,
        VehicleStatus::OnScene | VehicleStatus::Transporting | VehicleStatus::AtDestination => RED,
        VehicleStatus::StretcherRetained => PURPLE,
        VehicleStatus::Maintenance => GREY,
    }
}

/// Readable text on top of a chip of colour `bg`.
pub fn on(bg: Color) -> Color {
    let luma = 0.299 * bg.r + 0.587 * bg.g + 0.114 * bg.b;
    if luma > 0.55 { DARK_TEXT } else { Color::WHITE }
}

pub fn chip(bg: Color) -> impl Fn(&Theme) -> container::Style {
    move |_| container::Style {
        text_color: Some(on(bg)),
        background: Some(Background::Color(bg)),
        border: Border::default().rounded(4),
        ..container::Style::default()
    }
}

pub fn bar(bg: Color) -> impl Fn(&Theme) -> container::Style {
    move |_| container::Style {
        background: Some(Background::Color(bg)),
        border: Border::default().rounded(2),
        ..container::Style::default()
    }
}

pub fn header(theme: &Theme) -> container::Style {
    let p = theme.extended_palette();
    container::Style {
        background: Some(Background::Color(p.background.weakest.color)),
        border: Border { color: p.background.strong.color, width: 1.0, radius: 0.into() },
        ..container::Style::default()
    }
}

pub fn pane(theme: &Theme) -> container::Style {
    let p = theme.extended_palette();
    container::Style {
        background: Some(Background::Color(p.background.base.color)),
        border: Border { color: p.background.strong.color, width: 1.0, radius: 4.into() },
        ..container::Style::default()
    }
}

pub fn title_bar(theme: &Theme) -> container::Style {
    let p = theme.extended_palette();
    container::Style {
        text_color: Some(p.background.base.text),
        background: Some(Background::Color(p.background.weak.color)),
        border: Border::default().rounded(4),
        ..container::Style::default()
    }
}

/// A list row; `selected` rows are outlined in the primary colour.
pub fn row(selected: bool) -> impl Fn(&Theme) -> container::Style {
    move |theme| {
        let p = theme.extended_palette();
        container::Style {
            background: Some(Background::Color(p.background.weakest.color)),
            border: Border {
                color: if selected { p.primary.base.color } else { p.background.weak.color },
                width: 1.0,
                radius: 4.into(),
            },
            ..container::Style::default()
        }
    }
}

pub fn card(theme: &Theme) -> container::Style {
    let p = theme.extended_palette();
    container::Style {
        background: Some(Background::Color(p.background.weakest.color)),
        border: Border { color: p.background.strong.color, width: 1.0, radius: 6.into() },
        ..container::Style::default()
    }
}

/// Banner for a message of the given colour (errors, confirmations).
pub fn banner(c: Color) -> impl Fn(&Theme) -> container::Style {
    move |_| container::Style {
        text_color: Some(c),
        background: Some(Background::Color(Color { a: 0.12, ..c })),
        border: Border { color: c, width: 1.0, radius: 4.into() },
        ..container::Style::default()
    }
}

/// A flashing banner: solid colour when `lit`, outlined and tinted otherwise.
pub fn flashing(c: Color, lit: bool) -> impl Fn(&Theme) -> container::Style {
    move |_| {
        if lit {
            container::Style {
                text_color: Some(on(c)),
                background: Some(Background::Color(c)),
                border: Border { color: c, width: 2.0, radius: 4.into() },
                ..container::Style::default()
            }
        } else {
            container::Style {
                text_color: Some(Color::WHITE),
                background: Some(Background::Color(Color { a: 0.25, ..c })),
                border: Border { color: c, width: 2.0, radius: 4.into() },
                ..container::Style::default()
            }
        }
    }
}

/// The selected region / toggle button.
pub fn toggle(active: bool) -> impl Fn(&Theme, button::Status) -> button::Style {
    move |theme, status| {
        if active { button::primary(theme, status) } else { button::secondary(theme, status) }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chip_text_stays_readable() {
        assert_eq!(on(YELLOW), DARK_TEXT);
        assert_eq!(on(RED), Color::WHITE);
        assert_eq!(on(BLUE), Color::WHITE);
    }

    #[test]
    fn every_priority_has_a_distinct_colour() {
        let all = [
            Some(Priority::Emergency),
            Some(Priority::VeryUrgent),
            Some(Priority::Urgent),
            Some(Priority::LessUrgent),
            Some(Priority::NotUrgent),
            None,
        ];
        for (i, a) in all.iter().enumerate() {
            for b in &all[i + 1..] {
                assert_ne!(priority(*a), priority(*b), "{a:?} vs {b:?}");
            }
        }
    }
}
