//! The map's picture: everything but text, painted by a thread of its own (`crate::painter`) from
//! a [`Scene`] copied out of the live model. Order, bottom to top: sea and the embedded base map,
//! raster tiles, zones (fill, warning buffer, outline), accuracy circles, trails, the track in
//! playback, occurrences, people (clustered at low zoom), vehicles.
//!
//! Markers are stamped from sprites (`crate::raster`): drawn as paths, thousands of them cost
//! tens of milliseconds of tiny-skia; stamped, about a millisecond for 10,000.

use super::basemap::{self, BaseMap};
use crate::raster::{Layer, Sprite};
use crate::theme;
use atalaia_core::geom::{LatLon, Shape};
use atalaia_core::mercator::{self, TileId, View};
use atalaia_core::monitoring::ZoneKind;
use atalaia_core::samu::Priority;
use iced::widget::image;
use iced::{Color, Point, Vector, color};
use std::collections::HashMap;
use std::sync::Arc;
use tiny_skia::Pixmap;

/// Radius of every marker, centre to edge, in logical pixels.
pub const MARKER_R: f32 = 7.0;
/// People are grouped below this zoom (a city at zoom 12 shows 4,000 bracelets as a few dozen
/// counts); people in alarm are never grouped.
pub const CLUSTER_BELOW_ZOOM: f64 = 15.0;
/// Side of a clustering cell, logical pixels.
const CELL: f32 = 56.0;
/// A cell with fewer people than this shows each of them.
const GROUP_FROM: usize = 4;
const TRAIL: Color = Color { r: 0.25, g: 0.3, b: 0.38, a: 0.45 };

/// One zone as drawn.
#[derive(Debug, Clone)]
pub struct ZoneDraw {
    pub shape: Shape,
    pub kind: ZoneKind,
    pub warning_m: Option<f64>,
    pub selected: bool,
    /// Suspended (III-2.13): drawn grey and dashed, no buffer — it raises nothing.
    pub suspended: bool,
}

/// The style of a zone kind: fill (translucent) and outline.
pub fn zone_colours(kind: ZoneKind) -> (Color, Color) {
    match kind {
        ZoneKind::Inclusion => (Color { a: 0.14, ..theme::GREEN }, theme::GREEN),
        ZoneKind::Exclusion => (Color { a: 0.18, ..theme::RED }, theme::RED),
        ZoneKind::Warning => (Color { a: 0.16, ..theme::YELLOW }, color!(0xb08800)),
        ZoneKind::Continuous => (Color { a: 0.12, ..theme::BLUE }, theme::BLUE),
    }
}

/// Warning buffers (III-2.10) are drawn in this colour around exclusion zones.
pub const BUFFER: Color = Color { r: 0.96, g: 0.62, b: 0.04, a: 0.22 };

/// A track in playback: where the subject went, how much has been played, events along it.
#[derive(Debug, Clone)]
pub struct TrackDraw {
    pub points: Arc<Vec<LatLon>>,
    /// Points up to (excluding) this index have been played.
    pub played: usize,
    pub now: Option<LatLon>,
    pub events: Vec<LatLon>,
    pub colour: Color,
}

/// What the map's picture shows, copied out of the live model for the painting thread.
#[derive(Debug, Clone)]
pub struct Scene {
    pub generation: u64,
    /// The picture's view: the map's view grown by a margin on every side, so a pan shows
    /// painted map while the next picture is on its way.
    pub view: View,
    pub ratio: f32,
    pub tiles: Vec<(TileId, Arc<Pixmap>)>,
    pub zones: Vec<ZoneDraw>,
    /// Last fixes with their accuracy radius, metres.
    pub accuracy: Vec<(LatLon, f64)>,
    pub trails: Vec<Vec<LatLon>>,
    /// Tracks in playback (one, or a group's).
    pub tracks: Vec<TrackDraw>,
    /// Least urgent first: the most urgent (and the unclassified) are drawn last, on top.
    pub occurrences: Vec<(Option<Priority>, Vec<LatLon>)>,
    pub people: Vec<LatLon>,
    /// People with an active alarm, drawn over the others and never grouped.
    pub alarmed: Vec<LatLon>,
    pub vehicles: Vec<(LatLon, Color, f32)>,
    /// Hospitals, bases and cameras.
    pub pois: Vec<(LatLon, super::pois::PoiKind)>,
}

/// A painted picture of the map and what it was painted for.
#[derive(Debug, Clone)]
pub struct Picture {
    pub generation: u64,
    pub view: View,
    pub ratio: f32,
    pub handle: image::Handle,
    /// The same pixels (RGBA, opaque), `width` × `height` device pixels, to cut the visible part
    /// out while the map is dragged.
    pub pixels: bytes::Bytes,
    pub width: u32,
    pub height: u32,
    /// Groups of people drawn as one marker: where, and how many (the count is drawn as text).
    pub clusters: Vec<(LatLon, usize)>,
}

impl Scene {
    /// Paints the picture (on the painting thread).
    pub fn paint(self) -> Option<Picture> {
        let view = self.view;
        let at = |p: LatLon| {
            let (x, y) = view.project(p);
            Point::new(x as f32, y as f32)
        };
        let (w, h) = (view.width as f32, view.height as f32);
        let mut layer = Layer::new(w, h, self.ratio, basemap::SEA)?;
        let scale = layer.scale();
        BaseMap::get().paint(&mut layer, &view);
        paint_tiles(&mut layer, &view, &self.tiles);
        let mpp = mercator::metres_per_pixel(view.center.lat, view.zoom) as f32;
        paint_zones(&mut layer, &self.zones, mpp, at);
        if !self.accuracy.is_empty() {
            let fill = Color { a: 0.10, ..theme::BLUE };
            layer.fill(fill, |b| {
                for (p, metres) in &self.accuracy {
                    let r = *metres as f32 / mpp;
                    if r >= MARKER_R {
                        let c = at(*p);
                        b.push_circle(c.x, c.y, r);
                    }
                }
            });
        }
        layer.stroke(TRAIL, 1.0, |b| {
            for trail in &self.trails {
                for (i, p) in trail.iter().enumerate() {
                    let p = at(*p);
                    if i == 0 { b.move_to(p.x, p.y) } else { b.line_to(p.x, p.y) }
                }
            }
        });
        for track in &self.tracks {
            paint_track(&mut layer, track, scale, at);
        }
        paint_pois(&mut layer, &self.pois, scale, at);
        for (level, points) in &self.occurrences {
            let Some(cross) = Sprite::cross(MARKER_R, 3.0, theme::priority(*level), scale) else { continue };
            for p in points {
                layer.stamp(&cross, at(*p));
            }
        }
        let clusters = if view.zoom < CLUSTER_BELOW_ZOOM {
            paint_clusters(&mut layer, &self.people, scale, at)
        } else {
            if let Some(diamond) = Sprite::diamond(MARKER_R, theme::BLUE, Color::WHITE, scale) {
                for p in &self.people {
                    layer.stamp(&diamond, at(*p));
                }
            }
            Vec::new()
        };
        if let Some(diamond) = Sprite::diamond(MARKER_R + 1.0, theme::RED, Color::WHITE, scale) {
            for p in &self.alarmed {
                layer.stamp(&diamond, at(*p));
            }
        }
        paint_vehicles(&mut layer, &self.vehicles, scale, at);
        let (width, height) = layer.size();
        let pixels = bytes::Bytes::from(layer.into_pixels());
        let handle = image::Handle::from_rgba(width, height, pixels.clone());
        Some(Picture {
            generation: self.generation,
            view,
            ratio: self.ratio,
            handle,
            pixels,
            width,
            height,
            clusters,
        })
    }
}

/// Hospitals: a white disc with a red cross; bases: a dark blue disc with a white ring; cameras:
/// a small grey diamond.
fn paint_pois(
    layer: &mut Layer,
    pois: &[(LatLon, super::pois::PoiKind)],
    scale: f32,
    at: impl Fn(LatLon) -> Point,
) {
    use super::pois::PoiKind;
    let hospital = Sprite::disc(8.0, Color::WHITE, theme::RED, 1.5, scale);
    let cross = Sprite::cross(5.0, 2.5, theme::RED, scale);
    let base = Sprite::disc(7.0, color!(0x1f3a68), Color::WHITE, 2.0, scale);
    let camera = Sprite::diamond(5.5, color!(0x57606a), Color::WHITE, scale);
    for (p, kind) in pois {
        let c = at(*p);
        let sprites: [&Option<Sprite>; 2] = match kind {
            PoiKind::Hospital => [&hospital, &cross],
            PoiKind::Base => [&base, &None],
            PoiKind::Camera => [&camera, &None],
        };
        for s in sprites.into_iter().flatten() {
            layer.stamp(s, c);
        }
    }
}

fn paint_tiles(layer: &mut Layer, view: &View, tiles: &[(TileId, Arc<Pixmap>)]) {
    for (t, pixmap) in tiles {
        // Tile t's north-west corner on screen, and its side at the view's zoom.
        let side = mercator::TILE * (view.zoom - f64::from(t.z)).exp2();
        let (nw, _) = t.bounds();
        let (x, y) = view.project(nw);
        // Columns wrap: pick the copy of the column nearest the view.
        let world = mercator::world_size(view.zoom);
        let x = x - ((x + side / 2.0 - view.width / 2.0) / world).round() * world;
        layer.draw_tile(pixmap, x as f32, y as f32, side as f32);
    }
}

/// Builds a zone's outline path (screen coordinates) into `b`.
pub fn trace_shape(b: &mut tiny_skia::PathBuilder, shape: &Shape, mpp: f32, at: impl Fn(LatLon) -> Point) {
    match shape {
        Shape::Circle { center, radius_m } => {
            let c = at(*center);
            b.push_circle(c.x, c.y, (*radius_m as f32 / mpp).max(1.0));
        }
        Shape::Rectangle { south_west, north_east } => {
            let (a, c) = (at(*south_west), at(*north_east));
            b.move_to(a.x, a.y);
            b.line_to(c.x, a.y);
            b.line_to(c.x, c.y);
            b.line_to(a.x, c.y);
            b.close();
        }
        Shape::Polygon { ring } => {
            for (i, p) in ring.iter().enumerate() {
                let p = at(*p);
                if i == 0 { b.move_to(p.x, p.y) } else { b.line_to(p.x, p.y) }
            }
            b.close();
        }
    }
}

fn paint_zones(layer: &mut Layer, zones: &[ZoneDraw], mpp: f32, at: impl Fn(LatLon) -> Point + Copy) {
    // Warning buffers first, under every zone: the exclusion zone's outline stroked twice the
    // buffer's width with round joins is the set of points within the buffer of its edge.
    for z in zones.iter().filter(|z| !z.suspended) {
        if let (ZoneKind::Exclusion, Some(m)) = (z.kind, z.warning_m) {
            let width = 2.0 * m as f32 / mpp;
            layer.stroke_round(BUFFER, width, |b| trace_shape(b, &z.shape, mpp, at));
            layer.stroke_dashed(color!(0xc77700), 1.2, [6.0, 4.0], |b| {
                grow(b, &z.shape, m as f32 / mpp, mpp, at)
            });
        }
    }
    for z in zones {
        let width = if z.selected { 3.5 } else { 2.0 };
        if z.suspended {
            layer.fill(Color { a: 0.08, ..theme::MUTED }, |b| trace_shape(b, &z.shape, mpp, at));
            layer.stroke_dashed(theme::MUTED, width, [4.0, 4.0], |b| trace_shape(b, &z.shape, mpp, at));
            continue;
        }
        let (fill, line) = zone_colours(z.kind);
        layer.fill(fill, |b| trace_shape(b, &z.shape, mpp, at));
        if z.kind == ZoneKind::Warning {
            layer.stroke_dashed(line, width, [8.0, 5.0], |b| trace_shape(b, &z.shape, mpp, at));
        } else {
            layer.stroke(line, width, |b| trace_shape(b, &z.shape, mpp, at));
        }
    }
}

/// The outer edge of a warning buffer `d` pixels wide: exact for circles and rectangles (rounded
/// corners); for polygons the buffer's fill already shows it, so only circles and rectangles get
/// a dashed edge.
fn grow(b: &mut tiny_skia::PathBuilder, shape: &Shape, d: f32, mpp: f32, at: impl Fn(LatLon) -> Point) {
    match shape {
        Shape::Circle { center, radius_m } => {
            let c = at(*center);
            b.push_circle(c.x, c.y, *radius_m as f32 / mpp + d);
        }
        Shape::Rectangle { south_west, north_east } => {
            let (a, c) = (at(*south_west), at(*north_east));
            let (x0, y0, x1, y1) = (a.x.min(c.x), a.y.min(c.y), a.x.max(c.x), a.y.max(c.y));
            if let Some(r) = tiny_skia::Rect::from_ltrb(x0 - d, y0 - d, x1 + d, y1 + d) {
                b.push_rect(r);
            }
        }
        Shape::Polygon { .. } => {}
    }
}

fn paint_track(layer: &mut Layer, track: &TrackDraw, scale: f32, at: impl Fn(LatLon) -> Point) {
    let line = |b: &mut tiny_skia::PathBuilder, points: &[LatLon]| {
        for (i, p) in points.iter().enumerate() {
            let p = at(*p);
            if i == 0 { b.move_to(p.x, p.y) } else { b.line_to(p.x, p.y) }
        }
    };
    let played = track.played.min(track.points.len());
    // What is still to come, light; what has been played, strong.
    layer.stroke(Color { a: 0.45, ..track.colour }, 3.0, |b| {
        line(b, &track.points[played.saturating_sub(1)..])
    });
    if let Some(now) = track.now {
        layer.stroke_round(track.colour, 4.0, |b| {
            line(b, &track.points[..played]);
            let p = at(now);
            if played == 0 { b.move_to(p.x, p.y) } else { b.line_to(p.x, p.y) }
        });
    } else {
        layer.stroke_round(track.colour, 4.0, |b| line(b, &track.points[..played]));
    }
    if let Some(dot) = Sprite::disc(4.0, Color::WHITE, track.colour, 2.0, scale) {
        for p in track.points.first().iter().chain(track.points.last().iter()) {
            layer.stamp(&dot, at(**p));
        }
    }
    if let Some(event) = Sprite::diamond(6.0, theme::ORANGE, Color::WHITE, scale) {
        for p in &track.events {
            layer.stamp(&event, at(*p));
        }
    }
    if let (Some(now), Some(head)) =
        (track.now, Sprite::disc(MARKER_R + 1.0, track.colour, Color::WHITE, 2.5, scale))
    {
        layer.stamp(&head, at(now));
    }
}

/// Groups people into screen cells: a cell with one person shows the person, a cell with more
/// shows one disc (bigger for more) at their mean position. Returns the groups for the counts.
fn paint_clusters(
    layer: &mut Layer,
    people: &[LatLon],
    scale: f32,
    at: impl Fn(LatLon) -> Point,
) -> Vec<(LatLon, usize)> {
    let mut cells: HashMap<(i32, i32), (usize, f64, f64)> = HashMap::new();
    for p in people {
        let s = at(*p);
        let key = ((s.x / CELL).floor() as i32, (s.y / CELL).floor() as i32);
        let e = cells.entry(key).or_insert((0, 0.0, 0.0));
        e.0 += 1;
        e.1 += p.lat;
        e.2 += p.lon;
    }
    let single = Sprite::diamond(MARKER_R, theme::BLUE, Color::WHITE, scale);
    let discs = [11.0, 14.0, 18.0]
        .map(|r| Sprite::disc(r, Color { a: 0.88, ..theme::BLUE }, Color::WHITE, 2.0, scale));
    let mut out = Vec::new();
    let mut alone: std::collections::HashSet<(i32, i32)> = std::collections::HashSet::new();
    for (key, (n, lat, lon)) in &cells {
        if *n < GROUP_FROM {
            alone.insert(*key);
            continue;
        }
        let (n, lat, lon) = (*n, *lat, *lon);
        let mean = LatLon { lat: lat / n as f64, lon: lon / n as f64 };
        let size = if n < 10 {
            0
        } else if n < 100 {
            1
        } else {
            2
        };
        if let Some(d) = &discs[size] {
            layer.stamp(d, at(mean));
        }
        out.push((mean, n));
    }
    // Cells with a few people show each of them.
    if let Some(s) = &single {
        for p in people {
            let c = at(*p);
            if alone.contains(&((c.x / CELL).floor() as i32, (c.y / CELL).floor() as i32)) {
                layer.stamp(s, c);
            }
        }
    }
    out
}

fn paint_vehicles(
    layer: &mut Layer,
    vehicles: &[(LatLon, Color, f32)],
    scale: f32,
    at: impl Fn(LatLon) -> Point,
) {
    // One sprite and one batch of heading ticks per status colour.
    type Ticks = Vec<(Point, Point)>;
    let mut by_colour: Vec<(Color, Option<Sprite>, Ticks)> = Vec::new();
    for (p, colour, course) in vehicles {
        let c = at(*p);
        let i = match by_colour.iter().position(|(k, _, _)| k == colour) {
            Some(i) => i,
            None => {
                by_colour.push((
                    *colour,
                    Sprite::disc(MARKER_R, *colour, Color::WHITE, 1.5, scale),
                    Vec::new(),
                ));
                by_colour.len() - 1
            }
        };
        let (_, disc, ticks) = &mut by_colour[i];
        if let Some(disc) = disc {
            layer.stamp(disc, c);
        }
        // Heading tick: course is degrees clockwise from north; screen y grows downwards.
        let course = course.to_radians();
        ticks.push((c, c + Vector::new(course.sin(), -course.cos()) * (MARKER_R + 7.0)));
    }
    for (colour, _, lines) in by_colour {
        layer.stroke(colour, 2.5, |b| {
            for (from, to) in lines {
                b.move_to(from.x, from.y);
                b.line_to(to.x, to.y);
            }
        });
    }
}
