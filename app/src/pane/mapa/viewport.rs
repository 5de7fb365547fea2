//! Where the map looks: its centre and zoom, the region last chosen, the size of the last frame,
//! and the last fit asked for (a region, a selection), redone when the map's size changes until
//! the operator moves the map. Panned by dragging or the arrow keys, zoomed with the wheel at the
//! cursor, `+`/`-` or the buttons; "Ajustar" fits the view to the map's selection.

use crate::text as pt;
use atalaia_core::geom::LatLon;
use atalaia_core::mercator::{self, View};
use iced::{Point, Size};
use std::cell::Cell;

/// Closest zoom fit-to-selection goes to (a street, not a doorstep).
const FIT_MAX_ZOOM: f64 = 16.0;

/// The regions the demo and the first sites cover, and the whole country.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Region {
    Brasil,
    BeloHorizonte,
    PortoVelho,
}

impl Region {
    pub const ALL: [Region; 3] = [Region::Brasil, Region::BeloHorizonte, Region::PortoVelho];

    pub fn label(self) -> &'static str {
        match self {
            Region::Brasil => "Brasil",
            Region::BeloHorizonte => pt::BELO_HORIZONTE,
            Region::PortoVelho => pt::PORTO_VELHO,
        }
    }

    /// South-west and north-east corners of what the region button shows.
    pub fn bounds(self) -> (LatLon, LatLon) {
        match self {
            Region::Brasil => (LatLon { lat: -33.8, lon: -74.0 }, LatLon { lat: 5.3, lon: -34.8 }),
            Region::BeloHorizonte => {
                (LatLon { lat: -19.99, lon: -44.03 }, LatLon { lat: -19.85, lon: -43.86 })
            }
            Region::PortoVelho => (LatLon { lat: -8.82, lon: -63.97 }, LatLon { lat: -8.70, lon: -63.83 }),
        }
    }

    fn contains(self, p: LatLon) -> bool {
        let (sw, ne) = self.bounds();
        (sw.lat..=ne.lat).contains(&p.lat) && (sw.lon..=ne.lon).contains(&p.lon)
    }
}

pub(crate) struct State {
    center: LatLon,
    zoom: f64,
    /// The region last chosen (its button is lit while the view is still on it).
    region: Region,
    /// The canvas size at the last frame, logical pixels (views and fits need it).
    size: Cell<Size>,
    /// The last fit asked for (a region, a selection): redone when the map's size changes,
    /// until the operator moves the map.
    fit_pending: Cell<Option<(LatLon, LatLon)>>,
    /// A view the frame settled on (a refit at a new size), taken over at the next update.
    settle: Cell<Option<(LatLon, f64)>>,
}

impl Default for State {
    fn default() -> Self {
        Self {
            center: LatLon { lat: 0.0, lon: 0.0 },
            zoom: 4.0,
            region: Region::BeloHorizonte,
            size: Cell::new(Size::new(800.0, 600.0)),
            fit_pending: Cell::new(None),
            settle: Cell::new(None),
        }
    }
}

#[derive(Debug, Clone)]
pub enum Message {
    Region(Region),
    /// Dragged by this much (logical pixels).
    Pan(f32, f32),
    /// Zoom by `by` levels keeping the place under `at` where it is.
    Zoom {
        by: f64,
        at: Point,
    },
    ZoomIn,
    ZoomOut,
    Fit,
}

/// What the map does when the view changed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Event {
    /// The view moved: what was drawn for the old one is out of date.
    Moved,
    /// The operator dragged the map: moved, and a track in playback stops dragging the view back.
    Dragged,
    /// "Ajustar": the map fits the view to what is selected ([`State::fit`]), or to the region.
    Fit,
}

impl State {
    pub fn update(&mut self, message: Message) -> Option<Event> {
        match message {
            Message::Region(r) => self.show_region(r),
            Message::Pan(dx, dy) => {
                self.center = self.view_now().panned(f64::from(dx), f64::from(dy)).center;
                // A manual pan ends the fit (and a track's following, see `Event::Dragged`).
                self.fit_pending.set(None);
                return Some(Event::Dragged);
            }
            Message::Zoom { by, at } => self.zoom_at(self.zoom + by, at),
            Message::ZoomIn => self.zoom_at(self.zoom.floor() + 1.0, self.middle()),
            Message::ZoomOut => self.zoom_at(self.zoom.ceil() - 1.0, self.middle()),
            Message::Fit => return Some(Event::Fit),
        }
        Some(Event::Moved)
    }

    /// Takes over the view the frame settled on (a refit at a new size), before anything else
    /// changes the view. True when there was one (the picture on screen is placed anew).
    pub(super) fn take_settle(&mut self) -> bool {
        let Some((center, zoom)) = self.settle.take() else { return false };
        self.center = center;
        self.zoom = zoom;
        true
    }

    pub fn region(&self) -> Region {
        self.region
    }

    /// The map's view at its current size.
    pub fn view_now(&self) -> View {
        let s = self.size.get();
        let (center, zoom) = self.settle.get().unwrap_or((self.center, self.zoom));
        View { center, zoom, width: f64::from(s.width), height: f64::from(s.height) }
    }

    pub fn zoom(&self) -> f64 {
        self.zoom
    }

    pub(super) fn show_region(&mut self, r: Region) {
        self.region = r;
        let (sw, ne) = r.bounds();
        self.fit(sw, ne);
    }

    /// Fits the view to the box (now, or at the first frame if the map has no size yet).
    pub(super) fn fit(&mut self, sw: LatLon, ne: LatLon) {
        let s = self.size.get();
        let v = View::fit(sw, ne, f64::from(s.width), f64::from(s.height), 24.0, FIT_MAX_ZOOM);
        self.center = v.center;
        self.zoom = v.zoom;
        self.fit_pending.set(Some((sw, ne)));
    }

    /// The view centred on `at` at `zoom` (a fit asked for before is forgotten).
    pub(super) fn center_on(&mut self, at: LatLon, zoom: f64) {
        self.center = at;
        self.zoom = zoom;
        self.fit_pending.set(None);
    }

    /// Points out `at`: the region it lies in is lit, and the view moves to it unless it is
    /// already in view, close enough. True when the view moved.
    pub(super) fn point_out(&mut self, at: LatLon) -> bool {
        if let Some(r) = Region::ALL.into_iter().skip(1).find(|r| r.contains(at)) {
            self.region = r;
        }
        let v = self.view_now();
        let (x, y) = v.project(at);
        let inside = x > 24.0 && y > 24.0 && x < v.width - 24.0 && y < v.height - 24.0;
        if !inside || self.zoom < 11.0 {
            self.center_on(at, self.zoom.max(13.0));
            return true;
        }
        false
    }

    /// The frame draws the map at `size`. A fit computed for another size is redone for this one:
    /// the view it settles on is taken over at the next update.
    pub(super) fn resize(&self, size: Size) {
        if self.size.get() != size {
            self.size.set(size);
            if let Some((sw, ne)) = self.fit_pending.get() {
                // The fit was computed for another size: keep what it meant to show.
                let v = View::fit(sw, ne, f64::from(size.width), f64::from(size.height), 24.0, FIT_MAX_ZOOM);
                // Interior mutability: the view is state the frame may settle on its first draw.
                self.settle.set(Some((v.center, v.zoom)));
            }
        }
    }

    fn middle(&self) -> Point {
        let s = self.size.get();
        Point::new(s.width / 2.0, s.height / 2.0)
    }

    fn zoom_at(&mut self, zoom: f64, at: Point) {
        let v = self.view_now().zoomed_at(
            zoom.clamp(2.0, f64::from(mercator::MAX_ZOOM)),
            f64::from(at.x),
            f64::from(at.y),
        );
        self.center = v.center;
        self.zoom = v.zoom;
        self.fit_pending.set(None);
    }
}

/// Where `p` is on the map at `v`.
pub(super) fn screen(v: &View, p: LatLon) -> Point {
    let (x, y) = v.project(p);
    Point::new(x as f32, y as f32)
}

/// South-west and north-east corners of the points, if any.
pub(super) fn bounds_of(points: &[LatLon]) -> Option<(LatLon, LatLon)> {
    let first = points.first()?;
    let (mut sw, mut ne) = (*first, *first);
    for p in points {
        sw = LatLon { lat: sw.lat.min(p.lat), lon: sw.lon.min(p.lon) };
        ne = LatLon { lat: ne.lat.max(p.lat), lon: ne.lon.max(p.lon) };
    }
    Some((sw, ne))
}
