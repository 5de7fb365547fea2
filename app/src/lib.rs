//! Atalaia's operator console (iced 0.14): the login and dashboard screens, the four panes (call
//! taking, regulation queue, fleet map, alarms), the operator theme and the Portuguese text
//! catalog. Everything without a UI (REST, live feed, live model) lives in `atalaia-client`.
//!
//! A library so the headless UI tests in `tests/` can build the same views the binary shows.

pub mod alert;
pub mod app;
pub mod keys;
pub mod layout;
pub mod painter;
pub mod pane;
pub mod raster;
pub mod screen;
pub mod text;
pub mod theme;

pub use app::{App, BootConfig, Message};

/// The console as an iced application: what `main` runs in a window and what the end-to-end UI
/// tests run in `iced_test`'s emulator.
pub fn application(
    config: BootConfig,
) -> iced::Application<impl iced::Program<State = App, Message = Message, Theme = iced::Theme>> {
    // The wall display opens full screen at a wall's usual 1080p (the size stands when no window
    // manager honours full screen, e.g. a kiosk X server); consoles open at a laptop's size.
    let window = if config.wall {
        iced::window::Settings {
            size: iced::Size::new(1920.0, 1080.0),
            fullscreen: true,
            decorations: false,
            ..iced::window::Settings::default()
        }
    } else {
        iced::window::Settings { size: iced::Size::new(1366.0, 820.0), ..iced::window::Settings::default() }
    };
    // The renderer is iced's choice: wgpu, then tiny-skia; ICED_BACKEND=tiny-skia forces software.
    iced::application(move || App::boot(config.clone()), App::update, App::view)
        .window(window)
        .title(App::title)
        .subscription(App::subscription)
        .theme(App::theme)
        .scale_factor(App::scale_factor)
        .settings(iced::Settings {
            id: Some("atalaia".to_owned()),
            default_text_size: iced::Pixels(theme::TEXT),
            ..iced::Settings::default()
        })
        // The font is embedded (feature `fira-sans`): machines without system fonts still show text.
        .default_font(iced::Font::with_name("Fira Sans"))
}
