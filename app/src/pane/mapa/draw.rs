//! Drawing helpers of the map's overlay: labels (call signs, place names, counts, a track's
//! times), the focus ring, the popup, the zone being edited and the scale bar.

use super::popup::{picked_at, popup_lines};
use super::track::MEMBER_COLOURS;
use super::viewport::screen;
use super::{Focus, Picked, Picture, basemap, pois, scene, track, vehicle_position, zones};
use crate::text as pt;
use crate::theme;
use atalaia_client::{LiveModel, format};
use atalaia_core::geom::{LatLon, Shape};
use atalaia_core::mercator::{self, View};
use basemap::BaseMap;
use iced::widget::canvas::{self, Frame, Path, Stroke};
use iced::{Color, Font, Pixels, Point, Rectangle, Size, color};

pub(super) const LABEL: Color = color!(0x3d4450);
const FONT: Font = Font::with_name("Fira Sans");

/// A round scale-bar length (1, 2 or 5 × 10ⁿ metres) no longer than `max_metres`.
pub fn nice_length(max_metres: f64) -> f64 {
    if max_metres.is_nan() || max_metres <= 0.0 {
        return 0.0;
    }
    let base = 10f64.powf(max_metres.log10().floor());
    [5.0, 2.0, 1.0].into_iter().map(|m| m * base).find(|l| *l <= max_metres).unwrap_or(base)
}

pub(super) fn label(frame: &mut Frame, content: String, at: Point, size: f32, color: Color) {
    frame.fill_text(canvas::Text {
        content,
        position: at,
        color,
        size: Pixels(size),
        font: FONT,
        ..canvas::Text::default()
    });
}

/// A label on a white halo box, so it reads over tiles and markers.
pub(super) fn boxed(
    frame: &mut Frame,
    content: String,
    at: Point,
    size: f32,
    fg: Color,
    bg: Color,
) -> Rectangle {
    let w = size * 0.56 * content.chars().count() as f32 + 8.0;
    let r = Rectangle::new(Point::new(at.x - 4.0, at.y - 2.0), Size::new(w, size + 6.0));
    frame.fill_rectangle(r.position(), r.size(), bg);
    label(frame, content, at, size, fg);
    r
}

pub(super) fn inside(size: Size, p: Point, pad: f32) -> bool {
    p.x >= -pad && p.y >= -pad && p.x <= size.width + pad && p.y <= size.height + pad
}

/// Counts on the groups of people (positions from the picture, moved to the current view).
pub(super) fn cluster_counts(frame: &mut Frame, v: &View, p: &Picture) {
    for (at, n) in &p.clusters {
        let c = screen(v, *at);
        if !inside(frame.size(), c, 0.0) {
            continue;
        }
        let content = n.to_string();
        let w = 7.0 * content.len() as f32;
        label(frame, content, Point::new(c.x - w / 2.0, c.y - 7.0), 12.0, Color::WHITE);
    }
}

/// State initials at low zoom, municipality seats closer in (capitals first), never overlapping.
pub(super) fn place_labels(frame: &mut Frame, v: &View) {
    let map = BaseMap::get();
    let size = frame.size();
    let mut taken: Vec<Rectangle> = Vec::new();
    // Capitals first, then the other seats: every dot is drawn, a name only where it fits.
    let shown = |seat: &basemap::Seat| seat.capital && v.zoom >= 4.0 || v.zoom >= 9.0;
    let mut seats: Vec<&basemap::Seat> = map.seats.iter().filter(|s| shown(s)).collect();
    seats.sort_by_key(|s| !s.capital);
    for seat in seats {
        let c = screen(v, seat.at());
        if !inside(size, c, 0.0) {
            continue;
        }
        frame.fill(&Path::circle(c, if seat.capital { 3.0 } else { 2.2 }), color!(0x3d4450));
        let size_px = if seat.capital { 12.0 } else { 11.0 };
        let w = size_px * 0.56 * seat.name.chars().count() as f32;
        let r = Rectangle::new(Point::new(c.x + 4.0, c.y - 7.0), Size::new(w, size_px + 2.0));
        if taken.iter().any(|t| t.intersects(&r)) {
            continue;
        }
        taken.push(r);
        label(frame, seat.name.clone(), Point::new(c.x + 5.0, c.y - 7.0), size_px, color!(0x3d4450));
    }
    // State initials at country zoom, where they do not cover a name.
    if v.zoom < 7.5 {
        for s in &map.states {
            let c = screen(v, s.label_at);
            let at = Point::new(c.x - 8.0, c.y - 6.0);
            let r = Rectangle::new(at, Size::new(16.0, 12.0));
            if inside(size, c, 0.0) && !taken.iter().any(|t| t.intersects(&r)) {
                label(frame, s.uf.clone(), at, 11.0, color!(0x7d7490));
            }
        }
    }
}

/// Names of hospitals, bases and cameras from street zoom in, never overlapping.
pub(super) fn poi_labels(frame: &mut Frame, v: &View, pois: &[pois::Poi]) {
    if v.zoom < 13.0 {
        return;
    }
    let size = frame.size();
    let mut taken: Vec<Rectangle> = Vec::new();
    for p in pois {
        let c = screen(v, p.at);
        if !inside(size, c, 0.0) {
            continue;
        }
        let at = Point::new(c.x + 9.0, c.y + 2.0);
        let r = Rectangle::new(at, Size::new(6.2 * p.name.chars().count() as f32, 13.0));
        if taken.iter().any(|t| t.intersects(&r)) {
            continue;
        }
        taken.push(r);
        label(frame, p.name.clone(), at, 11.0, color!(0x57606a));
    }
}

pub(super) fn vehicle_labels(frame: &mut Frame, v: &View, model: &LiveModel) {
    let size = frame.size();
    let mut taken: Vec<Rectangle> = Vec::new();
    let mut vehicles: Vec<_> = model
        .vehicles
        .values()
        .filter_map(|veh| Some((veh, screen(v, vehicle_position(model, veh)?))))
        .collect();
    vehicles.sort_by(|a, b| a.0.code.cmp(&b.0.code));
    for (veh, c) in vehicles {
        if !inside(size, c, 0.0) {
            continue;
        }
        let at = Point::new(c.x + scene::MARKER_R + 3.0, c.y - 6.0);
        let r = Rectangle::new(at, Size::new(6.8 * veh.code.chars().count() as f32, 13.0));
        // Overlapping call signs are left out (the marker stays; a click tells which it is).
        if taken.iter().any(|t| t.intersects(&r)) {
            continue;
        }
        taken.push(r);
        label(frame, veh.code.clone(), at, 12.0, color!(0x1f2328));
    }
}

pub(super) fn track_labels(frame: &mut Frame, v: &View, t: &track::Playback, tz: chrono_tz::Tz) {
    for m in &t.marks {
        let c = screen(v, m.place);
        if inside(frame.size(), c, 0.0) {
            let content = format!("{} {}", format::time(m.at, tz), m.label);
            boxed(
                frame,
                content,
                Point::new(c.x + 9.0, c.y - 8.0),
                11.0,
                color!(0x7a3a00),
                Color { a: 0.85, ..Color::WHITE },
            );
        }
    }
    if !t.fixes.is_empty()
        && let Some(p) = t.position_at(t.now)
    {
        let c = screen(v, p);
        boxed(
            frame,
            format::time(t.now, tz),
            Point::new(c.x + 11.0, c.y + 6.0),
            12.0,
            Color::WHITE,
            theme::PURPLE,
        );
    }
    for (i, m) in t.members.iter().enumerate() {
        if let Some(p) = m.position_at(t.now) {
            let c = screen(v, p);
            let colour = MEMBER_COLOURS[i % MEMBER_COLOURS.len()];
            boxed(frame, m.name.clone(), Point::new(c.x + 11.0, c.y + 6.0), 12.0, Color::WHITE, colour);
        }
    }
}

/// A ring round the selected place, dark outside and yellow inside so it shows on any marker,
/// with what it is beside it.
pub(super) fn draw_focus(frame: &mut Frame, v: &View, focus: &Focus) {
    let c = screen(v, focus.at);
    let ring = Path::circle(c, 16.0);
    frame.stroke(&ring, Stroke::default().with_color(color!(0x1f2328)).with_width(6.0));
    frame.stroke(&ring, Stroke::default().with_color(theme::YELLOW).with_width(3.0));
    let at = Point::new(c.x + 20.0, c.y - 22.0);
    frame.fill_rectangle(
        Point::new(at.x - 3.0, at.y - 2.0),
        Size::new(8.0 * focus.label.chars().count() as f32 + 6.0, 19.0),
        color!(0x1f2328),
    );
    label(frame, focus.label.clone(), at, 13.0, theme::YELLOW);
}

pub(super) fn draw_popup(
    frame: &mut Frame,
    v: &View,
    model: &LiveModel,
    pois: &[pois::Poi],
    p: Picked,
    tz: chrono_tz::Tz,
) {
    let Some(at) = picked_at(model, pois, p) else { return };
    let c = screen(v, at);
    if !matches!(p, Picked::Zone(_)) {
        frame.stroke(&Path::circle(c, 12.0), Stroke::default().with_color(color!(0x1f2328)).with_width(2.5));
    }
    let lines = popup_lines(model, pois, p, tz);
    let width = lines.iter().map(|l| l.chars().count()).max().unwrap_or(0) as f32 * 7.0 + 16.0;
    let height = lines.len() as f32 * 17.0 + 10.0;
    let size = frame.size();
    // Beside the marker, kept inside the map.
    let x = (c.x + 16.0).min(size.width - width - 4.0).max(4.0);
    let y = (c.y - height - 10.0).max(4.0).min(size.height - height - 4.0);
    let r = Path::rectangle(Point::new(x, y), Size::new(width, height));
    frame.fill(&r, Color { a: 0.96, ..Color::WHITE });
    frame.stroke(&r, Stroke::default().with_color(color!(0x8c959f)).with_width(1.0));
    for (i, l) in lines.into_iter().enumerate() {
        let (sz, col) = if i == 0 { (13.0, color!(0x1f2328)) } else { (12.0, color!(0x57606a)) };
        label(frame, l, Point::new(x + 8.0, y + 5.0 + 17.0 * i as f32), sz, col);
    }
}

/// The zone being drawn: its shape with the rubber band to the cursor, vertices and handles.
pub(super) fn draw_editor(frame: &mut Frame, v: &View, e: &zones::Editor, cursor: Option<LatLon>) {
    let mpp = mercator::metres_per_pixel(v.center.lat, v.zoom) as f32;
    let (fill, line) = scene::zone_colours(e.kind);
    if let Some(shape) = e.shape(cursor) {
        let path = Path::new(|b| match &shape {
            Shape::Circle { center, radius_m } => b.circle(screen(v, *center), *radius_m as f32 / mpp),
            Shape::Rectangle { south_west, north_east } => {
                let (a, c) = (screen(v, *south_west), screen(v, *north_east));
                b.rectangle(
                    Point::new(a.x.min(c.x), a.y.min(c.y)),
                    Size::new((c.x - a.x).abs(), (c.y - a.y).abs()),
                );
            }
            Shape::Polygon { ring } => {
                for (i, p) in ring.iter().enumerate() {
                    let p = screen(v, *p);
                    if i == 0 { b.move_to(p) } else { b.line_to(p) }
                }
                if e.closed {
                    b.close();
                }
            }
        });
        if e.closed || e.tool != zones::Tool::Polygon {
            frame.fill(&path, fill);
        }
        frame.stroke(&path, Stroke::default().with_color(line).with_width(2.5));
    }
    for (i, p) in e.points.iter().enumerate() {
        let c = screen(v, *p);
        let r = if i == 0 && !e.closed { 6.0 } else { 5.0 };
        frame.fill(&Path::circle(c, r), Color::WHITE);
        frame.stroke(&Path::circle(c, r), Stroke::default().with_color(line).with_width(2.0));
    }
    if !e.closed {
        boxed(
            frame,
            e.tool.hint(e.points.len()).to_owned(),
            Point::new(10.0, 10.0),
            13.0,
            Color::WHITE,
            color!(0x1f2328),
        );
    }
}

pub(super) fn draw_scale(frame: &mut Frame, v: &View) {
    let size = frame.size();
    let mpp = mercator::metres_per_pixel(v.center.lat, v.zoom);
    let metres = nice_length(mpp * 120.0);
    if metres <= 0.0 {
        return;
    }
    let px = (metres / mpp) as f32;
    let (x, y) = (size.width - px - 16.0, size.height - 14.0);
    frame.fill_rectangle(
        Point::new(x - 6.0, y - 22.0),
        Size::new(px + 12.0, 30.0),
        Color { a: 0.75, ..Color::WHITE },
    );
    let stroke = Stroke::default().with_color(LABEL).with_width(2.0);
    frame.stroke(&Path::line(Point::new(x, y), Point::new(x + px, y)), stroke);
    for end in [x, x + px] {
        frame.stroke(&Path::line(Point::new(end, y - 5.0), Point::new(end, y)), stroke);
    }
    label(frame, pt::scale_label(metres), Point::new(x, y - 18.0), 12.0, LABEL);
}
