//! The patched software renderer (vendor/iced_tiny_skia, PATCHED.md) draws what the published one
//! does. Two properties, over frames of a small UI that has what the console has — clipped
//! scrollable lists, texts sticking out of their clip, an opaque picture and a translucent one,
//! moving and changing every frame:
//!
//! - redrawing only the changed regions into the window kept from the last frame (the clip mask
//!   set rectangle by rectangle, never cleared whole) gives, frame after frame, the same pixels as
//!   the published renderer (which clears the whole mask every time);
//! - an opaque picture copied row by row lands byte for byte where tiny-skia's own pipeline puts
//!   it;
//! - rounded, bordered boxes and a still picture that a redrawn region cuts through (drawn by the
//!   patch into a scratch copy of the cut, or copied only inside it) come out the same too.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use iced::advanced::clipboard;
use iced::advanced::renderer::{self, Headless};
use iced::widget::{column, container, image, row, scrollable, stack, text};
use iced::{Element, Event, Font, Length, Pixels, Size, Theme, mouse};
use iced_test::runtime::UserInterface;
use iced_test::runtime::user_interface::Cache;
use iced_tiny_skia::graphics::damage;

const W: u32 = 640;
const H: u32 = 320;

fn picture(frame: u32, alpha: u8) -> image::Handle {
    let (w, h) = (120u32, 90u32);
    let pixels = (0..w * h)
        .flat_map(|i| {
            let (x, y) = (i % w, i / w);
            [(x * 2 + frame * 13) as u8, (y * 3) as u8, (frame * 40) as u8, alpha]
        })
        .collect::<Vec<u8>>();
    image::Handle::from_rgba(w, h, pixels)
}

/// A box with a background, a border of `width` and corners of `radius`.
fn boxed(radius: f32, width: f32) -> impl Fn(&Theme) -> container::Style {
    move |_| container::Style {
        background: Some(iced::Color::from_rgb(0.16, 0.22, 0.30).into()),
        border: iced::Border { color: iced::Color::from_rgb(0.5, 0.6, 0.7), width, radius: radius.into() },
        ..container::Style::default()
    }
}

/// Frame `f`: its list scrolled, its pictures moved and repainted, its texts changed.
fn view(f: u32) -> Element<'static, ()> {
    let rows = (0..30).map(|i| {
        text(format!("linha {i} · quadro {f} · um texto longo que passa da borda da coluna"))
            .size(14)
            .wrapping(iced::widget::text::Wrapping::None)
            .into()
    });
    let list =
        scrollable(column(rows.collect::<Vec<_>>()).spacing(2)).height(Length::Fixed(200.0)).width(200);
    // Half-pixel steps too: the published renderer truncates an image's origin to whole pixels.
    let offset = (f * 7 % 40) as f32 + if f % 2 == 1 { 0.5 } else { 0.0 };
    column![
        text(format!("relógio 03:{:02}:{:02}", f / 60, f % 60)).size(18),
        // A wide rounded, bordered box (at fractional places) with a small text changing inside:
        // the redrawn region cuts through its background and border, and through the pill's.
        container(
            row![
                text(format!("quadro {f:02}")).size(13),
                text("fixo, dentro da moldura arredondada").size(13),
                container(text(format!("{}", f * 3)).size(12)).padding([2.5, 7.0]).style(boxed(9.0, 2.0)),
                // A border thicker than twice its corners: the published code's own path.
                container(text(format!("borda {}", f * 7)).size(12))
                    .padding([2.0, 6.0])
                    .width(120)
                    .style(boxed(2.0, 6.0)),
            ]
            .spacing(8)
        )
        .padding([3.5, 9.0])
        .width(Length::Fill)
        .style(boxed(6.0, 1.0)),
        row![
            container(list).clip(true).width(200),
            column![
                iced::widget::space().height(offset),
                row![iced::widget::space().width(offset), image(picture(f, 255))],
            ]
            .width(170),
            image(picture(f + 1, 128)).width(Length::Fixed(100.0)),
            // A still opaque picture under a changing text: the redrawn region cuts it.
            stack![image(picture(99, 255)), text(format!("sobre {f}")).size(12)],
            // One more opaque picture, at a fractional place, drawn at its size from a smaller box.
            column![
                iced::widget::space().height(10.5 + offset / 3.0),
                container(image(picture(f + 2, 255)).content_fit(iced::ContentFit::None))
                    .width(70.5)
                    .height(55.5)
                    .clip(true),
            ],
        ]
        .spacing(4),
    ]
    .into()
}

struct Window {
    renderer: iced::Renderer,
    cache: Option<Cache>,
}

impl Window {
    fn new() -> Self {
        let renderer = iced_test::futures::futures::executor::block_on(<iced::Renderer as Headless>::new(
            Font::DEFAULT,
            Pixels(14.0),
            Some("tiny-skia"),
        ))
        .expect("tiny-skia renderer");
        Self { renderer, cache: Some(Cache::default()) }
    }

    /// Lays out and draws frame `f`; answers the layers it produced.
    fn frame(&mut self, f: u32) -> Vec<iced_tiny_skia::Layer> {
        let theme = Theme::Dark;
        let size = Size::new(W as f32, H as f32);
        let mut ui = UserInterface::build(view(f), size, self.cache.take().unwrap(), &mut self.renderer);
        let _ = ui.update(
            &[Event::Window(iced::window::Event::RedrawRequested(std::time::Instant::now()))],
            mouse::Cursor::Unavailable,
            &mut self.renderer,
            &mut clipboard::Null,
            &mut Vec::new(),
        );
        ui.draw(
            &mut self.renderer,
            &theme,
            &renderer::Style { text_color: theme.palette().text },
            mouse::Cursor::Unavailable,
        );
        self.cache = Some(ui.into_cache());
        self.tiny().layers().to_vec()
    }

    fn tiny(&mut self) -> &mut iced_tiny_skia::Renderer {
        let iced_test::renderer::fallback::Renderer::Secondary(tiny) = &mut self.renderer else {
            panic!("not the tiny-skia renderer");
        };
        tiny
    }

    fn rasterise(&mut self, pixels: &mut [u8], mask: &mut tiny_skia::Mask, damage: &[iced::Rectangle]) {
        let viewport = iced_tiny_skia::graphics::Viewport::with_physical_size(Size::new(W, H), 1.0);
        let background = Theme::Dark.palette().background;
        let mut pixmap = tiny_skia::PixmapMut::from_bytes(pixels, W, H).unwrap();
        self.tiny().draw(&mut pixmap, mask, &viewport, damage, background);
    }
}

/// Frames 0..12 drawn as a window draws them — the first whole, each next one only where its
/// layers changed, into the pixels and the clip mask kept from the frame before — by the patched
/// renderer or, with `unpatched`, exactly as the published crate draws. Each frame's pixels, and
/// how many frames redrew only part of the window.
fn frames(unpatched: bool) -> (Vec<Vec<u8>>, usize) {
    iced_tiny_skia::draw_unpatched(unpatched);
    let full = iced::Rectangle::with_size(Size::new(W as f32, H as f32));
    let mut window = Window::new();
    let mut kept = vec![0u8; (W * H * 4) as usize];
    let mut mask = tiny_skia::Mask::new(W, H).unwrap();
    let mut last: Option<Vec<iced_tiny_skia::Layer>> = None;
    let (mut shots, mut partial) = (Vec::new(), 0);
    for f in 0..12 {
        let layers = window.frame(f);
        let damage = match &last {
            Some(last) => damage::group(
                damage::diff(last, &layers, |l| vec![l.bounds], iced_tiny_skia::Layer::damage),
                full,
            ),
            None => vec![full],
        };
        if damage.iter().map(|r| r.area()).sum::<f32>() < full.area() {
            partial += 1;
        }
        window.rasterise(&mut kept, &mut mask, &damage);
        last = Some(layers);
        shots.push(kept.clone());
    }
    iced_tiny_skia::draw_unpatched(false);
    (shots, partial)
}

#[test]
fn frames_redrawn_region_by_region_come_out_as_the_published_renderer_draws_them() {
    let (patched, partial) = frames(false);
    let (published, _) = frames(true);
    assert!(partial >= 8, "most frames redrew only part of the window ({partial})");
    for (f, (a, b)) in patched.iter().zip(&published).enumerate() {
        // A box cut by a redrawn region is rasterised within the cut, and tiny-skia's
        // anti-aliasing rounds a cut edge a little differently: its edge pixels may differ by
        // at most 2/255 in a channel. Everything else is the same byte for byte.
        let (mut differing, mut worst) = (0, 0);
        for (x, y) in a.chunks(4).zip(b.chunks(4)).filter(|(x, y)| x != y) {
            differing += 1;
            worst = x.iter().zip(y).map(|(p, q)| p.abs_diff(*q)).max().unwrap_or(0).max(worst);
        }
        assert!(worst <= 2, "frame {f}: a channel differs by {worst}/255 from the published renderer's");
        assert!(
            differing < (W * H / 200) as usize,
            "frame {f}: {differing} pixels differ from the published renderer's (edge pixels of boxes only)"
        );
    }
}

#[test]
fn an_opaque_picture_lands_byte_for_byte_where_the_pipeline_puts_it() {
    // tiny-skia's own drawing of the same picture (premultiplied, in iced's byte order).
    let handle = picture(3, 255);
    let iced::advanced::image::Handle::Rgba { width, height, pixels, .. } = &handle else { panic!() };
    let mut source = tiny_skia::Pixmap::new(*width, *height).unwrap();
    for (i, px) in pixels.chunks(4).enumerate() {
        let c = tiny_skia::ColorU8::from_rgba(px[2], px[1], px[0], px[3]).premultiply();
        source.data_mut()[i * 4..i * 4 + 4].copy_from_slice(&[c.red(), c.green(), c.blue(), c.alpha()]);
    }
    let mut expected = tiny_skia::Pixmap::new(W, H).unwrap();
    expected.draw_pixmap(
        37,
        21,
        source.as_ref(),
        &tiny_skia::PixmapPaint::default(),
        tiny_skia::Transform::identity(),
        None,
    );

    // The renderer's: the picture alone on a transparent window at (37, 21).
    let mut window = Window::new();
    let probe = |_: u32| -> Element<'static, ()> {
        column![
            iced::widget::space().height(21),
            row![iced::widget::space().width(37), image(handle.clone())]
        ]
        .into()
    };
    let size = Size::new(W as f32, H as f32);
    let ui = UserInterface::build(probe(0), size, Cache::default(), &mut window.renderer);
    let mut ui = ui;
    ui.draw(
        &mut window.renderer,
        &Theme::Dark,
        &renderer::Style { text_color: iced::Color::WHITE },
        mouse::Cursor::Unavailable,
    );
    let mut got = vec![0u8; (W * H * 4) as usize];
    let mut mask = tiny_skia::Mask::new(W, H).unwrap();
    let viewport = iced_tiny_skia::graphics::Viewport::with_physical_size(Size::new(W, H), 1.0);
    let mut pixmap = tiny_skia::PixmapMut::from_bytes(&mut got, W, H).unwrap();
    window.tiny().draw(
        &mut pixmap,
        &mut mask,
        &viewport,
        &[iced::Rectangle::with_size(size)],
        iced::Color::TRANSPARENT,
    );
    let differing = got.chunks(4).zip(expected.data().chunks(4)).filter(|(a, b)| a != b).count();
    let drawn = got.chunks(4).filter(|p| p[3] != 0).count();
    assert_eq!(drawn, 120 * 90, "the picture was drawn");
    assert_eq!(
        differing, 0,
        "{differing} pixels of the copied picture differ from tiny-skia's drawing of it"
    );
}
