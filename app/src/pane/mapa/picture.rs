//! The map's picture on screen: the newest one the painting thread (`crate::painter`) finished,
//! the job it was last given, the generation of the live data it shows, and the caches of the two
//! canvases drawn from it. A frame asks for a new picture only when the painter is idle and the
//! one on screen is out of date; it paints one itself only when there is none of the map's size.

use super::canvas::Crop;
use super::{Picture, Scene};
use crate::painter::Painter;
use atalaia_core::mercator::View;
use iced::widget::canvas::Cache;
use std::cell::{Cell, RefCell};

pub(super) struct Painting {
    /// The picture (an image) and what is drawn over it (shapes and text) are two canvases in a
    /// stack: within one layer iced draws images over shapes, which would hide rings and handles.
    pub(super) under: Cache,
    pub(super) overlay: Cache,
    /// The visible part of the picture cut out for the last frame: which picture, where.
    pub(super) crop: RefCell<Option<Crop>>,
    /// Device pixels per logical pixel of the interface, for the map's picture.
    pub(super) pixel_ratio: f32,
    /// Bumped whenever what the picture shows changes (live data, layers, tiles, selection).
    generation: Cell<u64>,
    /// The last job handed to the painter.
    requested: RefCell<Option<(u64, View)>>,
    /// The newest picture, kept across redraws until a newer one replaces it.
    pub(super) picture: RefCell<Option<Picture>>,
    pub(super) painter: Option<Painter<Scene, Picture>>,
}

impl Painting {
    pub(super) fn new() -> Self {
        let painter = Painter::new("atalaia-map", Scene::paint)
            .map_err(|e| tracing::warn!("map painting thread: {e}; painting in the frame"))
            .ok();
        Self {
            under: Cache::new(),
            overlay: Cache::new(),
            crop: RefCell::new(None),
            pixel_ratio: 1.0,
            generation: Cell::new(1),
            requested: RefCell::new(None),
            picture: RefCell::new(None),
            painter,
        }
    }

    pub(super) fn generation(&self) -> u64 {
        self.generation.get()
    }

    /// What the picture shows changed: draw again on the next frame (labels at once, the picture
    /// as soon as the painter has it).
    pub(super) fn invalidate(&self) {
        self.generation.set(self.generation.get() + 1);
        self.overlay.clear();
    }

    /// How many changes of the live data the picture on screen is behind (0: up to date;
    /// `None` before the first picture).
    pub(super) fn lag(&self) -> Option<u64> {
        let shown = self.picture.borrow().as_ref()?.generation;
        Some(self.generation.get().saturating_sub(shown))
    }

    /// Whether the picture on screen is the one for `want` (the picture's view) and the current
    /// data.
    pub(super) fn settled(&self, want: View) -> bool {
        self.picture
            .borrow()
            .as_ref()
            .is_some_and(|p| p.generation >= self.generation.get() && p.view == want)
    }

    /// The painting thread finished a picture: it replaces the one on screen if it is of the
    /// picture's size for `want` and newer.
    pub(super) fn painted(&self, want: View) {
        let Some(done) = self.painter.as_ref().and_then(Painter::take) else {
            // Nothing came (a job failed): the same job may be asked for again.
            *self.requested.borrow_mut() = None;
            return;
        };
        let mut current = self.picture.borrow_mut();
        // A picture painted in the frame meanwhile may be newer than this one.
        let fits = |p: &Picture| {
            (p.view.width - want.width).abs() < 0.5
                && (p.view.height - want.height).abs() < 0.5
                && (p.ratio - self.pixel_ratio).abs() < 1e-3
        };
        // A picture of another size (painted before a resize) never replaces one that fits.
        let better = fits(&done.picture)
            && current.as_ref().is_none_or(|c| {
                c.generation < done.picture.generation
                    || (c.generation == done.picture.generation && c.view != done.picture.view)
            });
        if better {
            *current = Some(done.picture);
            self.under.clear();
        }
    }

    /// The picture to show for `want` (the picture's view): the newest painted one (it may be of
    /// a slightly different view: the frame moves and scales it into place); a new one, of the
    /// scene `scene` builds for a generation, is asked for when it is out of date. Painted here
    /// and now only when there is none of this size yet (the first frame, a resize, a new
    /// interface scale) or no painting thread.
    pub(super) fn current(&self, want: View, scene: impl FnOnce(u64) -> Scene) -> Option<Picture> {
        let generation = self.generation.get();
        let mut current = self.picture.borrow_mut();
        let same_size = |p: &Picture| {
            (p.view.width - want.width).abs() < 0.5
                && (p.view.height - want.height).abs() < 0.5
                && (p.ratio - self.pixel_ratio).abs() < 1e-3
        };
        let up_to_date = |p: &Picture| same_size(p) && p.generation >= generation && p.view == want;
        match &self.painter {
            Some(painter) if current.as_ref().is_some_and(same_size) => {
                // While the painter is busy a newer job would only replace this one: it is asked
                // for when the picture in progress arrives (building a scene of 10,000 markers
                // every frame of a drag would cost the frame several milliseconds).
                if !current.as_ref().is_some_and(up_to_date)
                    && *self.requested.borrow() != Some((generation, want))
                    && painter.idle()
                {
                    *self.requested.borrow_mut() = Some((generation, want));
                    painter.request(generation, scene(generation));
                }
            }
            _ => {
                if !current.as_ref().is_some_and(up_to_date) {
                    *current = scene(generation).paint();
                    self.under.clear();
                }
            }
        }
        current.clone().filter(same_size)
    }
}
