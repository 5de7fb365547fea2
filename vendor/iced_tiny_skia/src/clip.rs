//! Atalaia patch (see PATCHED.md): the window-sized clip mask set rectangle by rectangle, what
//! it lets through remembered, and drawing through a rectangular clip by copies instead of
//! through the mask. Kept apart from `engine.rs` so the published code reads as published.

use crate::core::Rectangle;
use crate::core::renderer::Quad;

// Atalaia patch (see PATCHED.md): the clip mask is as large as the window, and iced sets it for
// every layer of every damaged region and for every text or image that sticks out of its bounds
// — each time clearing all of it. At 1920×1080 that was ~30 MB of memset a frame. The mask is only
// ever written here, so it holds exactly the last rectangle set: setting the same rectangle again
// does nothing, and another one clears only the rows and columns the last one covered.
std::thread_local! {
    /// The mask last adjusted (its buffer's address and size) and the rectangle it holds.
    static LAST_CLIP: std::cell::Cell<Option<(usize, u32, u32, [u32; 4])>> =
        const { std::cell::Cell::new(None) };
    /// The pixels that rectangle lets through: `[x0, y0, x1, y1)`.
    static CLIP_PIXELS: std::cell::Cell<[u32; 4]> =
        const { std::cell::Cell::new([0; 4]) };
    /// The scratch buffer of [`within`].
    static SCRATCH: std::cell::RefCell<Vec<u8>> =
        const { std::cell::RefCell::new(Vec::new()) };
    /// Draw as the published crate does (see [`draw_unpatched`]).
    pub(crate) static UNPATCHED: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

fn clip_key(bounds: Rectangle) -> [u32; 4] {
    [
        bounds.x.to_bits(),
        bounds.y.to_bits(),
        bounds.width.to_bits(),
        bounds.height.to_bits(),
    ]
}

/// Atalaia patch: `true` makes this thread draw exactly as the published crate does (whole mask
/// cleared every time, images always through the pipeline) — for tests that compare the two, and
/// to rule the patch out when looking at a drawing fault.
pub fn draw_unpatched(on: bool) {
    UNPATCHED.set(on);
}

pub fn adjust_clip_mask(clip_mask: &mut tiny_skia::Mask, bounds: Rectangle) {
    let (width, height) = (clip_mask.width(), clip_mask.height());
    let key = clip_key(bounds);
    let address = clip_mask.data().as_ptr() as usize;
    let last = LAST_CLIP.get().filter(|_| !UNPATCHED.get());

    match last {
        Some((a, w, h, k)) if a == address && w == width && h == height => {
            // A mask made anew at the address of a dropped one (a resize, a screenshot) is all
            // clear: the rectangle it should hold is not there, so it is set again.
            let [x0, y0, x1, y1] = CLIP_PIXELS.get();
            let holds = x0 >= x1
                || y0 >= y1
                || clip_mask.data()[y0 as usize * width as usize + x0 as usize] == u8::MAX;

            if k == key && holds {
                return;
            }

            // Everything the last (non-antialiased) rectangle fill can have touched.
            let [x, y, bw, bh] = k.map(f32::from_bits);
            let x0 = (x.floor().max(0.0) as usize).min(width as usize);
            let x1 = ((x + bw).ceil().max(0.0) as usize).min(width as usize);
            let y0 = (y.floor().max(0.0) as usize).min(height as usize);
            let y1 = ((y + bh).ceil().max(0.0) as usize).min(height as usize);
            let data = clip_mask.data_mut();

            if x0 < x1 {
                for row in y0..y1 {
                    let start = row * width as usize;
                    data[start + x0..start + x1].fill(0);
                }
            }
        }
        _ => clip_mask.clear(),
    }

    // A rectangle that is not one (empty, not finite) leaves the mask clear, as before.
    LAST_CLIP.set(Some((address, width, height, key)));
    CLIP_PIXELS.set([0; 4]);

    let Some(rect) =
        tiny_skia::Rect::from_xywh(bounds.x, bounds.y, bounds.width, bounds.height)
    else {
        return;
    };

    let path = {
        let mut builder = tiny_skia::PathBuilder::new();
        builder.push_rect(rect);

        builder.finish().unwrap()
    };

    clip_mask.fill_path(
        &path,
        tiny_skia::FillRule::EvenOdd,
        false,
        tiny_skia::Transform::default(),
    );

    CLIP_PIXELS.set(covered(clip_mask, bounds));
}

/// The pixels a rectangle filled without anti-aliasing covers in `mask`: a rectangle of full
/// coverage, at most a pixel inside the one its bounds round out to (`[x0, y0, x1, y1)`).
fn covered(mask: &tiny_skia::Mask, bounds: Rectangle) -> [u32; 4] {
    let (width, height) = (mask.width() as usize, mask.height() as usize);
    let clamp = |v: f32, max: usize| (v.max(0.0) as usize).min(max);
    let x0 = clamp(bounds.x.floor(), width);
    let x1 = clamp((bounds.x + bounds.width).ceil(), width);
    let y0 = clamp(bounds.y.floor(), height);
    let y1 = clamp((bounds.y + bounds.height).ceil(), height);
    let data = mask.data();
    let row = |y: usize| &data[y * width + x0..y * width + x1];

    if x0 >= x1 {
        return [0; 4];
    }

    let Some(top) = (y0..y1).find(|&y| row(y).iter().any(|&m| m != 0)) else {
        return [0; 4];
    };
    let bottom = (top..y1)
        .rev()
        .find(|&y| row(y).iter().any(|&m| m != 0))
        .unwrap_or(top);
    let line = row(top);
    let left = line.iter().position(|&m| m != 0).unwrap_or(0);
    let right = line.iter().rposition(|&m| m != 0).unwrap_or(left);

    debug_assert!(
        (top..=bottom)
            .all(|y| row(y)[left..=right].iter().all(|&m| m == u8::MAX)),
        "a rectangle fill left a clip mask that is not a full rectangle"
    );

    [
        (x0 + left) as u32,
        top as u32,
        (x0 + right + 1) as u32,
        bottom as u32 + 1,
    ]
}

/// Atalaia patch: the pixels `mask` lets through, when it is the mask this thread last set with
/// [`adjust_clip_mask`] (so it holds one rectangle): `[x0, y0, x1, y1)`.
pub(crate) fn clip_pixels(mask: &tiny_skia::Mask) -> Option<[u32; 4]> {
    if UNPATCHED.get() {
        return None;
    }

    let (address, width, height, _) = LAST_CLIP.get()?;

    (address == mask.data().as_ptr() as usize
        && width == mask.width()
        && height == mask.height())
    .then(|| CLIP_PIXELS.get())
}

/// Whether `area` (`[x0, y0, x1, y1)`) cuts through one of the rounded corners of `quad` (at
/// `bounds` on screen): holds part of the square around it, not all of it.
pub(crate) fn cuts_a_corner(
    quad: &Quad,
    scale: f32,
    bounds: Rectangle,
    area: [u32; 4],
) -> bool {
    let [x0, y0, x1, y1] = area.map(|v| v as f32);
    let radii = <[f32; 4]>::from(quad.border.radius);
    let (left, top) = (bounds.x, bounds.y);
    let (right, bottom) = (bounds.x + bounds.width, bounds.y + bounds.height);

    // Top left, top right, bottom right, bottom left, as `Radius` orders them.
    radii.iter().enumerate().any(|(corner, radius)| {
        let r = radius
            .min(quad.bounds.width / 2.0)
            .min(quad.bounds.height / 2.0)
            * scale;

        if r <= 0.0 {
            return false;
        }

        let r = r + 1.0;
        let (cx0, cx1) = if corner == 0 || corner == 3 {
            (left - 1.0, left + r)
        } else {
            (right - r, right + 1.0)
        };
        let (cy0, cy1) = if corner < 2 {
            (top - 1.0, top + r)
        } else {
            (bottom - r, bottom + 1.0)
        };
        let touches = cx0 < x1 && x0 < cx1 && cy0 < y1 && y0 < cy1;
        let holds = x0 <= cx0 && cx1 <= x1 && y0 <= cy0 && cy1 <= y1;

        touches && !holds
    })
}

/// A whole-pixel coordinate past `v` in the direction of `step` (never below 0).
pub(crate) fn outward(v: f32, step: f32) -> u32 {
    let v = if step < 0.0 { v.floor() } else { v.ceil() } + step;

    v.max(0.0) as u32
}

/// Runs `draw` on a scratch copy of the pixels of `area` (`[x0, y0, x1, y1)`, inside `pixels`)
/// and copies the result back: what `draw` paints outside `area` is cut off by the scratch
/// pixmap's own edges — the clip a rectangular mask gives, at no cost per pixel. `draw` also
/// gets a mask letting all of the scratch through: drawing through it blends exactly as drawing
/// through the window's clip mask does (tiny-skia rounds masked and unmasked edges differently).
pub(crate) fn within(
    pixels: &mut tiny_skia::PixmapMut<'_>,
    area: [u32; 4],
    draw: impl FnOnce(&mut tiny_skia::PixmapMut<'_>, &tiny_skia::Mask),
) {
    let [x0, y0, x1, y1] = area;
    let x1 = x1.min(pixels.width());
    let y1 = y1.min(pixels.height());

    if x0 >= x1 || y0 >= y1 {
        return;
    }

    let (w, h) = ((x1 - x0) as usize, (y1 - y0) as usize);
    let stride = pixels.width() as usize * 4;
    let line = w * 4;

    SCRATCH.with_borrow_mut(|scratch| {
        scratch.resize(line * h, 0);

        let data = pixels.data_mut();

        for (r, chunk) in scratch.chunks_exact_mut(line).enumerate() {
            let at = (y0 as usize + r) * stride + x0 as usize * 4;
            chunk.copy_from_slice(&data[at..at + line]);
        }

        let all = tiny_skia::IntSize::from_wh(w as u32, h as u32).and_then(
            |size| tiny_skia::Mask::from_vec(vec![u8::MAX; w * h], size),
        );

        if let (Some(mut scratch), Some(all)) = (
            tiny_skia::PixmapMut::from_bytes(scratch, w as u32, h as u32),
            all,
        ) {
            draw(&mut scratch, &all);
        }

        for (r, chunk) in scratch.chunks_exact(line).enumerate() {
            let at = (y0 as usize + r) * stride + x0 as usize * 4;
            data[at..at + line].copy_from_slice(chunk);
        }
    });
}
