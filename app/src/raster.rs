//! Software raster for the map's busy layers (issue 6, frame time): thousands of markers are not
//! drawn as vector paths one frame after another but *stamped* — each kind of marker is drawn once,
//! anti-aliased, into a small sprite, and copied wherever a marker goes. Lines (grid, trails,
//! headings) go through tiny-skia. The result is one opaque picture the map shows as an image.
//!
//! Drawn as paths, 4,000 people and 1,000 calls cost ~18 ms a frame in tiny-skia (scan conversion
//! of every diamond and its outline); stamped, they cost well under a millisecond (see
//! docs/BENCHMARKS.md, console frame time).

use iced::widget::image;
use iced::{Color, Point};
use tiny_skia::{FillRule, Paint, PathBuilder, Pixmap, Stroke, Transform};

fn paint(colour: Color) -> Paint<'static> {
    let mut paint = Paint::default();
    paint.set_color_rgba8(
        (colour.r * 255.0).round() as u8,
        (colour.g * 255.0).round() as u8,
        (colour.b * 255.0).round() as u8,
        (colour.a * 255.0).round() as u8,
    );
    paint.anti_alias = true;
    paint
}

/// A marker drawn once: premultiplied RGBA pixels centred on the marker's position.
#[derive(Debug, Clone)]
pub struct Sprite {
    pixmap: Pixmap,
    half: i32,
}

impl Sprite {
    /// A sprite of the path `shape` (centred on the origin, in logical pixels), filled and
    /// optionally outlined, at `scale` device pixels per logical pixel.
    fn draw(shape: &tiny_skia::Path, fill: Color, outline: Option<(Color, f32)>, scale: f32) -> Option<Self> {
        let b = shape.bounds();
        let reach = b.left().abs().max(b.right().abs()).max(b.top().abs()).max(b.bottom().abs());
        let pad = outline.map_or(0.0, |(_, w)| w) + 1.0;
        let half = ((reach + pad) * scale).ceil() as i32;
        let side = (2 * half + 1) as u32;
        let mut pixmap = Pixmap::new(side, side)?;
        let at = half as f32 + 0.5;
        let transform = Transform::from_scale(scale, scale).post_translate(at, at);
        pixmap.fill_path(shape, &paint(fill), FillRule::Winding, transform, None);
        if let Some((colour, width)) = outline {
            let stroke = Stroke { width, ..Stroke::default() };
            pixmap.stroke_path(shape, &paint(colour), &stroke, transform, None);
        }
        Some(Self { pixmap, half })
    }

    /// A diamond (a square on its corner) `r` logical pixels from centre to corner.
    pub fn diamond(r: f32, fill: Color, outline: Color, scale: f32) -> Option<Self> {
        let mut b = PathBuilder::new();
        b.move_to(0.0, -r);
        b.line_to(r, 0.0);
        b.line_to(0.0, r);
        b.line_to(-r, 0.0);
        b.close();
        Self::draw(&b.finish()?, fill, Some((outline, 1.0)), scale)
    }

    /// A disc of radius `r` with an outline.
    pub fn disc(r: f32, fill: Color, outline: Color, outline_w: f32, scale: f32) -> Option<Self> {
        let shape = PathBuilder::from_circle(0.0, 0.0, r)?;
        Self::draw(&shape, fill, Some((outline, outline_w)), scale)
    }

    /// A plus sign `r` from centre to tip, strokes `width` wide.
    pub fn cross(r: f32, width: f32, colour: Color, scale: f32) -> Option<Self> {
        let h = width / 2.0;
        let mut b = PathBuilder::new();
        b.push_rect(tiny_skia::Rect::from_ltrb(-r, -h, r, h)?);
        b.push_rect(tiny_skia::Rect::from_ltrb(-h, -r, h, r)?);
        Self::draw(&b.finish()?, colour, None, scale)
    }

    pub fn size(&self) -> (u32, u32) {
        (self.pixmap.width(), self.pixmap.height())
    }
}

/// `v / 255`, rounded, for `v` up to 255 × 255.
fn div255(v: u32) -> u8 {
    ((v + 128 + ((v + 128) >> 8)) >> 8) as u8
}

/// An opaque picture of the map being built, in device pixels; drawing calls take logical pixels.
#[derive(Debug)]
pub struct Layer {
    pixmap: Pixmap,
    scale: f32,
}

impl Layer {
    /// A `width` × `height` (logical) picture filled with `background`, at `scale` device pixels
    /// per logical pixel. `None` for an empty size.
    pub fn new(width: f32, height: f32, scale: f32, background: Color) -> Option<Self> {
        let w = (width * scale).round().max(0.0) as u32;
        let h = (height * scale).round().max(0.0) as u32;
        let mut pixmap = Pixmap::new(w, h)?;
        let opaque = Color { a: 1.0, ..background };
        pixmap.fill(tiny_skia::Color::from_rgba(opaque.r, opaque.g, opaque.b, 1.0)?);
        Some(Self { pixmap, scale })
    }

    pub fn scale(&self) -> f32 {
        self.scale
    }

    /// Strokes lines built by `build` (logical coordinates) `width` logical pixels wide.
    pub fn stroke(&mut self, colour: Color, width: f32, build: impl FnOnce(&mut PathBuilder)) {
        let mut b = PathBuilder::new();
        build(&mut b);
        let Some(path) = b.finish() else { return };
        let stroke = Stroke { width, ..Stroke::default() };
        self.pixmap.stroke_path(
            &path,
            &paint(colour),
            &stroke,
            Transform::from_scale(self.scale, self.scale),
            None,
        );
    }

    /// Fills the closed shapes built by `build` (logical coordinates).
    pub fn fill(&mut self, colour: Color, build: impl FnOnce(&mut PathBuilder)) {
        let mut b = PathBuilder::new();
        build(&mut b);
        let Some(path) = b.finish() else { return };
        let t = Transform::from_scale(self.scale, self.scale);
        self.pixmap.fill_path(&path, &paint(colour), FillRule::Winding, t, None);
    }

    /// Strokes with a dash pattern (`[on, off]`, logical pixels).
    pub fn stroke_dashed(
        &mut self,
        colour: Color,
        width: f32,
        dash: [f32; 2],
        build: impl FnOnce(&mut PathBuilder),
    ) {
        let mut b = PathBuilder::new();
        build(&mut b);
        let Some(path) = b.finish() else { return };
        let stroke = Stroke {
            width,
            dash: tiny_skia::StrokeDash::new(dash.to_vec(), 0.0),
            line_join: tiny_skia::LineJoin::Round,
            ..Stroke::default()
        };
        let t = Transform::from_scale(self.scale, self.scale);
        self.pixmap.stroke_path(&path, &paint(colour), &stroke, t, None);
    }

    /// Strokes with round joins and caps (a buffer drawn as a wide outline).
    pub fn stroke_round(&mut self, colour: Color, width: f32, build: impl FnOnce(&mut PathBuilder)) {
        let mut b = PathBuilder::new();
        build(&mut b);
        let Some(path) = b.finish() else { return };
        let stroke = Stroke {
            width,
            line_join: tiny_skia::LineJoin::Round,
            line_cap: tiny_skia::LineCap::Round,
            ..Stroke::default()
        };
        let t = Transform::from_scale(self.scale, self.scale);
        self.pixmap.stroke_path(&path, &paint(colour), &stroke, t, None);
    }

    /// Draws a raster tile with its top-left corner at (`x`, `y`) and `side` logical pixels on a
    /// side, scaled (bilinear) unless it lands pixel for pixel.
    pub fn draw_tile(&mut self, tile: &Pixmap, x: f32, y: f32, side: f32) {
        let k = side * self.scale / tile.width().max(1) as f32;
        let (dx, dy) = (x * self.scale, y * self.scale);
        let exact = (k - 1.0).abs() < 1e-4 && dx.fract().abs() < 1e-3 && dy.fract().abs() < 1e-3;
        let quality =
            if exact { tiny_skia::FilterQuality::Nearest } else { tiny_skia::FilterQuality::Bilinear };
        let pattern = tiny_skia::Pattern::new(
            tile.as_ref(),
            tiny_skia::SpreadMode::Pad,
            quality,
            1.0,
            Transform::from_row(k, 0.0, 0.0, k, dx, dy),
        );
        let paint = Paint { shader: pattern, anti_alias: false, ..Paint::default() };
        let side = side * self.scale;
        if let Some(rect) = tiny_skia::Rect::from_xywh(
            dx.round(),
            dy.round(),
            (dx + side).round() - dx.round(),
            (dy + side).round() - dy.round(),
        ) {
            self.pixmap.fill_rect(rect, &paint, Transform::identity(), None);
        }
    }

    /// Copies `sprite` centred on `at` (logical), blending it over what is there; the centre is
    /// snapped to the nearest device pixel. Parts outside the picture are cut off.
    pub fn stamp(&mut self, sprite: &Sprite, at: Point) {
        let (w, h) = (self.pixmap.width() as i32, self.pixmap.height() as i32);
        let (sw, sh) = (sprite.pixmap.width() as i32, sprite.pixmap.height() as i32);
        let x0 = (at.x * self.scale).floor() as i32 - sprite.half;
        let y0 = (at.y * self.scale).floor() as i32 - sprite.half;
        // Visible part of the sprite, in sprite coordinates.
        let (sx0, sy0) = ((-x0).max(0), (-y0).max(0));
        let (sx1, sy1) = ((w - x0).min(sw), (h - y0).min(sh));
        if sx0 >= sx1 || sy0 >= sy1 {
            return;
        }
        let src = sprite.pixmap.data();
        let dst = self.pixmap.data_mut();
        let span = (sx1 - sx0) as usize * 4;
        for sy in sy0..sy1 {
            let s = (sy * sw + sx0) as usize * 4;
            let d = ((y0 + sy) * w + x0 + sx0) as usize * 4;
            for (d, s) in dst[d..d + span].chunks_exact_mut(4).zip(src[s..s + span].chunks_exact(4)) {
                match s[3] {
                    0 => {}
                    255 => d.copy_from_slice(s),
                    a => {
                        let keep = 255 - u32::from(a);
                        for k in 0..4 {
                            d[k] = s[k].saturating_add(div255(u32::from(d[k]) * keep));
                        }
                    }
                }
            }
        }
    }

    /// The colour of the device pixel at (`x`, `y`), for tests.
    pub fn pixel(&self, x: u32, y: u32) -> Option<[u8; 4]> {
        let p = self.pixmap.pixel(x, y)?;
        Some([p.red(), p.green(), p.blue(), p.alpha()])
    }

    pub fn size(&self) -> (u32, u32) {
        (self.pixmap.width(), self.pixmap.height())
    }

    /// The picture's pixels, RGBA, opaque (so premultiplied or not is the same).
    pub fn into_pixels(self) -> Vec<u8> {
        self.pixmap.take()
    }

    /// The picture as an image for iced. Every pixel is opaque (the background is), so the
    /// premultiplied pixels are also the straight RGBA iced expects.
    pub fn into_handle(self) -> image::Handle {
        let (w, h) = self.size();
        image::Handle::from_rgba(w, h, self.pixmap.take())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const BG: Color = Color::WHITE;
    const BLUE: Color = Color { r: 0.0, g: 0.0, b: 1.0, a: 1.0 };

    #[test]
    fn a_stamped_diamond_is_blue_inside_white_outlined_and_background_around() {
        let mut layer = Layer::new(40.0, 30.0, 1.0, BG).expect("layer");
        let diamond = Sprite::diamond(7.0, BLUE, Color::BLACK, 1.0).expect("sprite");
        layer.stamp(&diamond, Point::new(20.0, 15.0));
        assert_eq!(layer.pixel(20, 15), Some([0, 0, 255, 255]), "centre is the fill");
        assert_eq!(layer.pixel(20 + 7, 15).map(|p| p[2] < 128), Some(true), "tip is the dark outline");
        assert_eq!(layer.pixel(20 + 7, 15 + 7), Some([255, 255, 255, 255]), "corner box is background");
        assert_eq!(layer.pixel(2, 2), Some([255, 255, 255, 255]));
    }

    #[test]
    fn stamps_at_the_edges_are_cut_not_wrapped_or_panicking() {
        let mut layer = Layer::new(20.0, 20.0, 1.0, BG).expect("layer");
        let disc = Sprite::disc(6.0, BLUE, BLUE, 1.0, 1.0).expect("sprite");
        for at in [(0.0, 0.0), (19.9, 19.9), (-3.0, 10.0), (25.0, 10.0), (-100.0, -100.0), (10.0, 1e9)] {
            layer.stamp(&disc, Point::new(at.0, at.1));
        }
        assert_eq!(layer.pixel(0, 0), Some([0, 0, 255, 255]));
        assert_eq!(layer.pixel(19, 19), Some([0, 0, 255, 255]));
        // The left-edge stamp at x = -3 reaches x = 2 but not the right edge of the row.
        assert_eq!(layer.pixel(1, 10), Some([0, 0, 255, 255]));
        assert_eq!(layer.pixel(10, 10), Some([255, 255, 255, 255]), "nothing wrapped round");
    }

    #[test]
    fn half_transparent_edges_blend_with_what_is_below() {
        let mut layer = Layer::new(30.0, 30.0, 1.0, Color::BLACK).expect("layer");
        let red = Color { r: 1.0, g: 0.0, b: 0.0, a: 1.0 };
        let disc = Sprite::disc(8.0, red, red, 1.0, 1.0).expect("sprite");
        layer.stamp(&disc, Point::new(15.0, 15.0));
        // Some pixel on the rim is neither black nor full red, and stays opaque.
        let rim: Vec<_> =
            (0..30).filter_map(|x| layer.pixel(x, 15)).filter(|p| p[0] > 10 && p[0] < 245).collect();
        assert!(!rim.is_empty(), "anti-aliased rim");
        assert!(rim.iter().all(|p| p[3] == 255 && p[1] == 0 && p[2] == 0), "{rim:?}");
    }

    #[test]
    fn scale_two_doubles_the_picture_and_the_sprites() {
        let layer = Layer::new(40.0, 30.0, 2.0, BG).expect("layer");
        assert_eq!(layer.size(), (80, 60));
        let one = Sprite::diamond(7.0, BLUE, Color::WHITE, 1.0).expect("sprite");
        let two = Sprite::diamond(7.0, BLUE, Color::WHITE, 2.0).expect("sprite");
        assert!(two.size().0 >= 2 * one.size().0 - 2, "{:?} vs {:?}", two.size(), one.size());
        assert!(Layer::new(0.0, 30.0, 1.0, BG).is_none(), "an empty map has no picture");
    }

    #[test]
    fn the_handle_carries_the_device_pixels() {
        let layer = Layer::new(10.0, 5.0, 1.5, BG).expect("layer");
        let handle = layer.into_handle();
        match handle {
            image::Handle::Rgba { width, height, ref pixels, .. } => {
                assert_eq!((width, height), (15, 8));
                assert_eq!(pixels.len(), 15 * 8 * 4);
                assert!(pixels.iter().all(|&b| b == 255));
            }
            other => panic!("unexpected handle {other:?}"),
        }
    }
}
