use crate::core::image as raster;
use crate::core::{Rectangle, Size};
use crate::graphics;

use rustc_hash::{FxHashMap, FxHashSet};
use std::cell::RefCell;
use std::collections::hash_map;

#[derive(Debug)]
pub struct Pipeline {
    cache: RefCell<Cache>,
}

impl Pipeline {
    pub fn new() -> Self {
        Self {
            cache: RefCell::new(Cache::default()),
        }
    }

    pub fn load(
        &self,
        handle: &raster::Handle,
    ) -> Result<raster::Allocation, raster::Error> {
        let mut cache = self.cache.borrow_mut();
        let image = cache.allocate(handle)?;

        #[allow(unsafe_code)]
        Ok(unsafe {
            raster::allocate(handle, Size::new(image.width(), image.height()))
        })
    }

    pub fn dimensions(&self, handle: &raster::Handle) -> Option<Size<u32>> {
        let mut cache = self.cache.borrow_mut();
        let image = cache.allocate(handle).ok()?;

        Some(Size::new(image.width(), image.height()))
    }

    pub fn draw(
        &mut self,
        handle: &raster::Handle,
        filter_method: raster::FilterMethod,
        bounds: Rectangle,
        opacity: f32,
        pixels: &mut tiny_skia::PixmapMut<'_>,
        transform: tiny_skia::Transform,
        clip_mask: Option<&tiny_skia::Mask>,
    ) {
        let mut cache = self.cache.borrow_mut();

        if cache.allocate(handle).is_err() {
            return;
        }
        let opaque = cache.is_opaque(handle);
        let Ok(image) = cache.allocate(handle) else {
            return;
        };

        let width_scale = bounds.width / image.width() as f32;
        let height_scale = bounds.height / image.height() as f32;

        let transform = transform.pre_scale(width_scale, height_scale);

        // Atalaia patch (see PATCHED.md): an opaque image shown pixel for pixel is copied row by
        // row — tiny-skia has no sprite blitter and blends every pixel through its floating-point
        // pipeline. A clip mask set by `adjust_clip_mask` holds one rectangle: the copy is cut
        // to it.
        let clip = match clip_mask {
            None => Some([0, 0, pixels.width(), pixels.height()]),
            Some(mask) => crate::engine::clip_pixels(mask),
        };

        if let Some(clip) = clip
            && opaque
            && !crate::engine::UNPATCHED.get()
            && opacity >= 1.0
            && (transform.is_identity() || transform.is_translate())
            && width_scale == 1.0
            && height_scale == 1.0
            && transform.tx.fract() == 0.0
            && transform.ty.fract() == 0.0
        {
            // Where `draw_pixmap` below puts it: its origin is truncated to whole pixels.
            blit_opaque(
                pixels,
                clip,
                image,
                i64::from(bounds.x as i32) + transform.tx as i64,
                i64::from(bounds.y as i32) + transform.ty as i64,
            );
            return;
        }

        let quality = match filter_method {
            raster::FilterMethod::Linear => tiny_skia::FilterQuality::Bilinear,
            raster::FilterMethod::Nearest => tiny_skia::FilterQuality::Nearest,
        };

        pixels.draw_pixmap(
            (bounds.x / width_scale) as i32,
            (bounds.y / height_scale) as i32,
            image,
            &tiny_skia::PixmapPaint {
                quality,
                opacity,
                ..Default::default()
            },
            transform,
            clip_mask,
        );
    }

    pub fn trim_cache(&mut self) {
        self.cache.borrow_mut().trim();
    }
}

/// Copies the rows of `image` that fall inside `pixels` and `clip` (`[x0, y0, x1, y1)`) to
/// `(x, y)`: what source-over through a rectangular clip does for a fully opaque image (both are
/// premultiplied, in the same byte order).
fn blit_opaque(
    pixels: &mut tiny_skia::PixmapMut<'_>,
    clip: [u32; 4],
    image: tiny_skia::PixmapRef<'_>,
    x: i64,
    y: i64,
) {
    let dw = i64::from(pixels.width());
    let [cx0, cy0, cx1, cy1] = clip.map(i64::from);
    let (cx1, cy1) = (cx1.min(dw), cy1.min(i64::from(pixels.height())));
    let (sw, sh) = (i64::from(image.width()), i64::from(image.height()));
    let (x0, x1) = (x.max(cx0), (x + sw).min(cx1));
    let (y0, y1) = (y.max(cy0), (y + sh).min(cy1));
    if x0 >= x1 || y0 >= y1 {
        return;
    }
    let src = image.data();
    let dst = pixels.data_mut();
    let len = ((x1 - x0) * 4) as usize;
    for row in y0..y1 {
        let s = (((row - y) * sw + (x0 - x)) * 4) as usize;
        let d = ((row * dw + x0) * 4) as usize;
        dst[d..d + len].copy_from_slice(&src[s..s + len]);
    }
}

#[derive(Debug, Default)]
struct Cache {
    entries: FxHashMap<raster::Id, Option<Entry>>,
    hits: FxHashSet<raster::Id>,
    /// A buffer of an image dropped from the cache, to hold the next one (Atalaia patch).
    spare: Option<Vec<u32>>,
}

impl Cache {
    pub fn allocate(
        &mut self,
        handle: &raster::Handle,
    ) -> Result<tiny_skia::PixmapRef<'_>, raster::Error> {
        let id = handle.id();

        if let hash_map::Entry::Vacant(entry) = self.entries.entry(id) {
            let image = match graphics::image::load(handle) {
                Ok(image) => image,
                Err(error) => {
                    let _ = entry.insert(None);

                    return Err(error);
                }
            };

            if image.width() == 0 || image.height() == 0 {
                return Err(raster::Error::Empty);
            }

            // Atalaia patch (see PATCHED.md): the buffer of an image dropped from the cache is
            // used again (a picture a few megabytes large arrives every few frames; fresh memory
            // is zeroed page by page by the kernel), and opaque pixels skip premultiplication
            // (it leaves them as they are).
            let length = image.width() as usize * image.height() as usize;
            let mut buffer = match self.spare.take() {
                // Only for an image of about its size: a small icon does not keep megabytes.
                Some(mut spare)
                    if spare.capacity() >= length && spare.capacity() <= 2 * length =>
                {
                    spare.clear();
                    spare
                }
                other => {
                    self.spare = other;
                    Vec::with_capacity(length)
                }
            };
            let mut opaque = true;

            buffer.extend(image.as_raw()[..length * 4].chunks_exact(4).map(|pixel| {
                let [r, g, b, a] = [pixel[0], pixel[1], pixel[2], pixel[3]];

                if a == u8::MAX {
                    u32::from_ne_bytes([b, g, r, a])
                } else {
                    opaque = false;

                    bytemuck::cast(
                        tiny_skia::ColorU8::from_rgba(b, g, r, a).premultiply(),
                    )
                }
            }));

            let _ = entry.insert(Some(Entry {
                width: image.width(),
                height: image.height(),
                pixels: buffer,
                opaque,
            }));
        }

        let _ = self.hits.insert(id);

        Ok(self
            .entries
            .get(&id)
            .unwrap()
            .as_ref()
            .map(|entry| {
                tiny_skia::PixmapRef::from_bytes(
                    bytemuck::cast_slice(&entry.pixels),
                    entry.width,
                    entry.height,
                )
                .expect("Build pixmap from image bytes")
            })
            .expect("Image should be allocated"))
    }

    /// Whether every pixel of the (allocated) image is opaque.
    fn is_opaque(&self, handle: &raster::Handle) -> bool {
        matches!(self.entries.get(&handle.id()), Some(Some(entry)) if entry.opaque)
    }

    fn trim(&mut self) {
        let hits = &self.hits;
        let spare = &mut self.spare;

        self.entries.retain(|key, entry| {
            let keep = hits.contains(key);

            // The largest buffer dropped is kept for the next image (Atalaia patch).
            if !keep
                && let Some(entry) = entry.take()
                && spare
                    .as_ref()
                    .is_none_or(|s| s.capacity() < entry.pixels.capacity())
            {
                *spare = Some(entry.pixels);
            }

            keep
        });
        self.hits.clear();
    }
}

#[derive(Debug)]
struct Entry {
    width: u32,
    height: u32,
    pixels: Vec<u32>,
    /// Every pixel's alpha is 255 (Atalaia patch).
    opaque: bool,
}
