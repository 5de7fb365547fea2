//! Atalaia's operator console (iced 0.14): the login and dashboard screens, the four panes (call
//! taking, regulation queue, fleet map, alarms), the operator theme and the Portuguese text
//! catalog. Everything without a UI (REST, live feed, live model) lives in `atalaia-client`.
//!
//! A library so the headless UI tests in `tests/` can build the same views the binary shows.

pub mod alert;
pub mod app;
pub mod form;
pub mod keys;
pub mod layout;
pub mod painter;
pub mod pane;
pub mod photos;
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
    // The app id (Wayland) / WM_CLASS (X11) the .desktop files name in StartupWMClass.
    #[cfg(target_os = "linux")]
    let window = iced::window::Settings {
        platform_specific: iced::window::settings::PlatformSpecific {
            application_id: "atalaia".to_owned(),
            ..Default::default()
        },
        ..window
    };
    let window = iced::window::Settings { icon: window_icon(), ..window };
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

/// The window's icon: the watchtower of `packaging/icons/atalaia.svg`, drawn at 64 px.
pub fn window_icon() -> Option<iced::window::Icon> {
    const SIZE: u32 = 64;
    let mut pixmap = tiny_skia::Pixmap::new(SIZE, SIZE)?;
    let k = SIZE as f32 / 256.0;
    let fill = |pixmap: &mut tiny_skia::Pixmap, path: Option<tiny_skia::Path>, (r, g, b): (u8, u8, u8)| {
        let mut paint = tiny_skia::Paint::default();
        paint.set_color_rgba8(r, g, b, 255);
        paint.anti_alias = true;
        if let Some(path) = path {
            pixmap.fill_path(
                &path,
                &paint,
                tiny_skia::FillRule::Winding,
                tiny_skia::Transform::identity(),
                None,
            );
        }
    };
    let polygon = |points: &[(f32, f32)]| {
        let mut pb = tiny_skia::PathBuilder::new();
        for (i, (x, y)) in points.iter().enumerate() {
            if i == 0 { pb.move_to(x * k, y * k) } else { pb.line_to(x * k, y * k) }
        }
        pb.close();
        pb.finish()
    };
    let (bg, orange, stone) = ((0x14, 0x20, 0x2e), (0xf2, 0x8c, 0x28), (0xd9, 0xe2, 0xec));
    let rounded = {
        let (r, w) = (48.0 * k, SIZE as f32);
        let mut pb = tiny_skia::PathBuilder::new();
        pb.move_to(r, 0.0);
        pb.line_to(w - r, 0.0);
        pb.quad_to(w, 0.0, w, r);
        pb.line_to(w, w - r);
        pb.quad_to(w, w, w - r, w);
        pb.line_to(r, w);
        pb.quad_to(0.0, w, 0.0, w - r);
        pb.line_to(0.0, r);
        pb.quad_to(0.0, 0.0, r, 0.0);
        pb.close();
        pb.finish()
    };
    fill(&mut pixmap, rounded, bg);
    fill(&mut pixmap, polygon(&[(128.0, 36.0), (56.0, 104.0), (200.0, 104.0)]), orange);
    fill(&mut pixmap, polygon(&[(84.0, 104.0), (172.0, 104.0), (190.0, 216.0), (66.0, 216.0)]), stone);
    fill(&mut pixmap, polygon(&[(112.0, 126.0), (144.0, 126.0), (144.0, 166.0), (112.0, 166.0)]), bg);
    fill(&mut pixmap, polygon(&[(48.0, 214.0), (208.0, 214.0), (208.0, 232.0), (48.0, 232.0)]), orange);
    let rgba: Vec<u8> = pixmap
        .pixels()
        .iter()
        .flat_map(|p| {
            let c = p.demultiply();
            [c.red(), c.green(), c.blue(), c.alpha()]
        })
        .collect();
    iced::window::icon::from_rgba(rgba, SIZE, SIZE).ok()
}

#[cfg(test)]
mod tests {
    /// The window icon is the packaged icon's watchtower: orange roof, light tower, dark window,
    /// transparent outside the rounded corners.
    #[test]
    fn the_window_icon_is_the_watchtower() {
        let (rgba, size) = super::window_icon().expect("icon").into_raw();
        assert_eq!((size.width, size.height), (64, 64));
        let at = |x: usize, y: usize| -> [u8; 4] {
            let i = (y * 64 + x) * 4;
            [rgba[i], rgba[i + 1], rgba[i + 2], rgba[i + 3]]
        };
        assert_eq!(at(0, 0)[3], 0, "corner outside the rounded square");
        assert_eq!(at(32, 20), [0xf2, 0x8c, 0x28, 255], "roof");
        assert_eq!(at(22, 45), [0xd9, 0xe2, 0xec, 255], "tower");
        assert_eq!(at(32, 36), [0x14, 0x20, 0x2e, 255], "window");
    }
}
