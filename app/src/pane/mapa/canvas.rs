//! The map's two canvases, stacked: the picture (an image, [`PictureProgram`]) and over it what
//! is drawn every frame or kept in the overlay cache — text, rings, the popup, the zone being
//! edited ([`MapProgram`], which also turns mouse and keys into the map's messages).

use super::draw::{
    LABEL, boxed, cluster_counts, draw_editor, draw_focus, draw_popup, draw_scale, place_labels, poi_labels,
    track_labels, vehicle_labels,
};
use super::viewport::{self, screen};
use super::{HIT, Layer, Message, Picture, State, basemap, zones};
use atalaia_client::LiveModel;
use atalaia_core::mercator::View;
use iced::keyboard::{self, Key, key::Named};
use iced::mouse;
use iced::widget::canvas::{self, Frame};
use iced::{Color, Point, Rectangle, Renderer, Size, Theme};
use std::time::Instant;

/// The canvas's own state: an ongoing gesture.
#[derive(Debug, Default)]
pub struct Gesture {
    press: Option<Point>,
    last: Option<Point>,
    dragging: bool,
    handle: Option<usize>,
    last_click: Option<(Point, Instant)>,
    /// The map was clicked last (not a text field or another pane): keys act on it.
    focused: bool,
}

pub(super) struct MapProgram<'a> {
    pub(super) state: &'a State,
    pub(super) model: &'a LiveModel,
}

impl MapProgram<'_> {
    fn handle_at(&self, at: Point) -> Option<usize> {
        let e = self.state.zones.editor.as_ref()?;
        let v = self.state.view_now();
        e.handles().iter().position(|h| screen(&v, *h).distance(at) <= HIT)
    }
}

impl canvas::Program<Message> for MapProgram<'_> {
    type State = Gesture;

    fn update(
        &self,
        g: &mut Gesture,
        event: &canvas::Event,
        bounds: Rectangle,
        cursor: mouse::Cursor,
    ) -> Option<canvas::Action<Message>> {
        let inside = cursor.position_in(bounds);
        match event {
            canvas::Event::Mouse(mouse::Event::ButtonPressed(_)) if inside.is_none() => {
                g.focused = false;
                None
            }
            canvas::Event::Mouse(mouse::Event::ButtonPressed(mouse::Button::Left)) => {
                let at = inside?;
                g.focused = true;
                g.handle = self.handle_at(at);
                g.press = Some(at);
                g.last = Some(at);
                g.dragging = false;
                Some(canvas::Action::capture())
            }
            canvas::Event::Mouse(mouse::Event::ButtonPressed(mouse::Button::Right)) => {
                let i = self.handle_at(inside?)?;
                Some(canvas::Action::publish(Message::Zone(zones::Message::RemoveVertex(i))).and_capture())
            }
            canvas::Event::Mouse(mouse::Event::CursorMoved { .. }) => {
                let at = cursor.position_from(bounds.position())?;
                if let Some(i) = g.handle {
                    return Some(
                        canvas::Action::publish(Message::Zone(zones::Message::Handle(i, at))).and_capture(),
                    );
                }
                if let (Some(press), Some(last)) = (g.press, g.last) {
                    if !g.dragging && press.distance(at) < 4.0 {
                        return Some(canvas::Action::capture());
                    }
                    g.dragging = true;
                    g.last = Some(at);
                    return Some(
                        canvas::Action::publish(Message::Viewport(viewport::Message::Pan(
                            at.x - last.x,
                            at.y - last.y,
                        )))
                        .and_capture(),
                    );
                }
                // Coordinates under the cursor, the rubber band of a shape being drawn.
                inside.map(|_| canvas::Action::request_redraw())
            }
            canvas::Event::Mouse(mouse::Event::ButtonReleased(mouse::Button::Left)) => {
                let press = g.press.take();
                let was_drag = std::mem::take(&mut g.dragging);
                if g.handle.take().is_some() || was_drag {
                    return Some(canvas::Action::capture());
                }
                let at = press?;
                let now = Instant::now();
                let double = g
                    .last_click
                    .is_some_and(|(p, t)| p.distance(at) < 6.0 && now.duration_since(t).as_millis() < 400);
                g.last_click = if double { None } else { Some((at, now)) };
                let m = if double { Message::DoubleClick(at) } else { Message::Click(at) };
                Some(canvas::Action::publish(m).and_capture())
            }
            canvas::Event::Mouse(mouse::Event::WheelScrolled { delta }) => {
                let at = inside?;
                let by = match delta {
                    mouse::ScrollDelta::Lines { y, .. } => f64::from(*y) * 0.5,
                    mouse::ScrollDelta::Pixels { y, .. } => f64::from(*y) / 200.0,
                };
                Some(
                    canvas::Action::publish(Message::Viewport(viewport::Message::Zoom { by, at }))
                        .and_capture(),
                )
            }
            canvas::Event::Keyboard(keyboard::Event::KeyPressed { key, modifiers, .. }) => {
                // Keys act on the map once it was clicked, until something else is: typed into a
                // text field they belong to the field (iced hands every widget every event).
                if !g.focused {
                    return None;
                }
                if modifiers.control() || modifiers.alt() {
                    return None;
                }
                let drawing = self.state.zones.editor.as_ref().is_some_and(|e| !e.closed);
                let m = match key.as_ref() {
                    Key::Named(Named::ArrowLeft) => Message::Viewport(viewport::Message::Pan(120.0, 0.0)),
                    Key::Named(Named::ArrowRight) => Message::Viewport(viewport::Message::Pan(-120.0, 0.0)),
                    Key::Named(Named::ArrowUp) => Message::Viewport(viewport::Message::Pan(0.0, 120.0)),
                    Key::Named(Named::ArrowDown) => Message::Viewport(viewport::Message::Pan(0.0, -120.0)),
                    Key::Character("+" | "=") => Message::Viewport(viewport::Message::ZoomIn),
                    Key::Character("-") => Message::Viewport(viewport::Message::ZoomOut),
                    Key::Named(Named::Enter) if drawing => Message::Zone(zones::Message::Finish),
                    Key::Named(Named::Backspace) if drawing => Message::Zone(zones::Message::Undo),
                    Key::Named(Named::Escape) if self.state.zones.editor.is_some() => {
                        Message::Zone(zones::Message::Cancel)
                    }
                    Key::Named(Named::Escape) if self.state.picked.is_some() => Message::ClosePopup,
                    _ => return None,
                };
                Some(canvas::Action::publish(m).and_capture())
            }
            _ => None,
        }
    }

    fn draw(
        &self,
        _g: &Gesture,
        renderer: &Renderer,
        _theme: &Theme,
        bounds: Rectangle,
        cursor: mouse::Cursor,
    ) -> Vec<canvas::Geometry> {
        let state = self.state;
        let size = bounds.size();
        let v = state.view_now();
        // Borrowed, not cloned: this runs every frame of a drag.
        let picture = state.painting.picture.borrow();
        // While the map moves (the picture on screen is of another view) names and call signs
        // wait: each moving label is a region the window compositor redraws on its own, and a
        // drag with 60 of them took twice the frame budget. They are back with the next picture.
        let still = picture.as_ref().is_some_and(|p| p.view == state.picture_view());
        let base = state.painting.overlay.draw(renderer, size, |frame| {
            if let Some(p) = picture.as_ref().filter(|_| still) {
                cluster_counts(frame, &v, p);
            }
            if still {
                place_labels(frame, &v);
                if state.layers.contains(&Layer::Pois) {
                    poi_labels(frame, &v, &state.pois);
                }
            }
            // Call signs from city zoom in (over the country they would pile up).
            if still && v.zoom >= 9.0 && state.layers.contains(&Layer::Vehicles) {
                vehicle_labels(frame, &v, self.model);
            }
            if let Some(t) = &state.track.playback {
                track_labels(frame, &v, t, state.tz);
            }
            for focus in [&state.search.searched, &state.focus].into_iter().flatten() {
                draw_focus(frame, &v, focus);
            }
            // The track bar names the subject; a popup would cover the track.
            if let Some(p) = state.picked.filter(|_| state.track.playback.is_none()) {
                draw_popup(frame, &v, self.model, &state.pois, p, state.tz);
            }
            draw_scale(frame, &v);
            if let Some(t) = state.tiles()
                && !t.attribution.is_empty()
            {
                boxed(
                    frame,
                    t.attribution.clone(),
                    Point::new(6.0, size.height - 16.0),
                    11.0,
                    LABEL,
                    Color { a: 0.75, ..Color::WHITE },
                );
            }
        });
        // What follows the pointer is drawn every frame, outside the cache.
        let mut live = Frame::new(renderer, size);
        let under = cursor.position_in(bounds).map(|at| (at, v.unproject(f64::from(at.x), f64::from(at.y))));
        if let Some(e) = &state.zones.editor {
            draw_editor(&mut live, &v, e, under.map(|(_, p)| p));
        }
        if let Some((_, p)) = under {
            let readout = format!("{:.5}, {:.5}", p.lat, p.lon);
            boxed(
                &mut live,
                readout,
                Point::new(size.width - 8.0 - 7.0 * 18.0, 6.0),
                12.0,
                LABEL,
                Color { a: 0.85, ..Color::WHITE },
            );
        }
        vec![base, live.into_geometry()]
    }

    fn mouse_interaction(&self, g: &Gesture, bounds: Rectangle, cursor: mouse::Cursor) -> mouse::Interaction {
        if g.dragging || g.handle.is_some() {
            return mouse::Interaction::Grabbing;
        }
        match cursor.position_in(bounds) {
            Some(at) if self.handle_at(at).is_some() => mouse::Interaction::Grab,
            Some(_) if self.state.picking || self.state.zones.editor.as_ref().is_some_and(|e| !e.closed) => {
                mouse::Interaction::Crosshair
            }
            Some(_) => mouse::Interaction::Pointer,
            None => mouse::Interaction::default(),
        }
    }
}

/// The part of a picture a frame shows, cut out at whole device pixels.
#[derive(Debug, Clone)]
pub(super) struct Crop {
    generation: u64,
    view: View,
    at: (i64, i64),
    size: (u32, u32),
    /// The window in pieces: where each goes (logical pixels) and its pixels.
    pieces: Vec<(Rectangle, iced::widget::image::Handle)>,
}

/// Side of the pieces the shown part of the picture is cut into, device pixels: one piece in
/// practice. (Smaller pieces were measured: every piece is a region of its own for the window
/// compositor, and more regions cost more than the masked blending they save.)
const PIECE: u32 = 4096;

/// Cuts the `size` (device pixels) window at `at` out of the picture, in pieces, if it lies
/// inside the picture.
fn cut(
    p: &Picture,
    at: (i64, i64),
    size: (u32, u32),
) -> Option<Vec<(Rectangle, iced::widget::image::Handle)>> {
    let (x, y) = at;
    let (w, h) = size;
    if x < 0
        || y < 0
        || x + i64::from(w) > i64::from(p.width)
        || y + i64::from(h) > i64::from(p.height)
        || w == 0
        || h == 0
    {
        return None;
    }
    let (x, y) = (x as usize, y as usize);
    let stride = p.width as usize * 4;
    let mut pieces = Vec::new();
    for py in (0..h).step_by(PIECE as usize) {
        for px in (0..w).step_by(PIECE as usize) {
            let (pw, ph) = (PIECE.min(w - px) as usize, PIECE.min(h - py) as usize);
            let mut out = Vec::with_capacity(pw * ph * 4);
            for row in y + py as usize..y + py as usize + ph {
                let start = row * stride + (x + px as usize) * 4;
                out.extend_from_slice(&p.pixels[start..start + pw * 4]);
            }
            let r = p.ratio;
            let rect = Rectangle::new(
                Point::new(px as f32 / r, py as f32 / r),
                Size::new(pw as f32 / r, ph as f32 / r),
            );
            pieces.push((rect, iced::widget::image::Handle::from_rgba(pw as u32, ph as u32, out)));
        }
    }
    Some(pieces)
}

/// The picture under the map's overlay.
pub(super) struct PictureProgram<'a> {
    pub(super) state: &'a State,
    pub(super) model: &'a LiveModel,
}

impl canvas::Program<Message> for PictureProgram<'_> {
    type State = ();

    fn draw(
        &self,
        _: &(),
        renderer: &Renderer,
        _theme: &Theme,
        bounds: Rectangle,
        _cursor: mouse::Cursor,
    ) -> Vec<canvas::Geometry> {
        let state = self.state;
        let size = bounds.size();
        let picture = state.picture(size, self.model);
        let v = state.view_now();
        vec![state.painting.under.draw(renderer, size, |frame| {
            let Some(p) = &picture else {
                frame.fill_rectangle(Point::ORIGIN, size, basemap::SEA);
                return;
            };
            // The picture's north-west corner where the current view puts it, scaled by the zoom
            // difference (a pan moves it; a zoom scales it until the next one is painted).
            let k = (v.zoom - p.view.zoom).exp2() as f32;
            let nw = screen(&v, p.view.unproject(0.0, 0.0));
            if (k - 1.0).abs() < 1e-6 {
                // A pan (or nothing): the map's window cut out of the picture at whole device
                // pixels and shown pixel for pixel. Drawn whole, the picture (wider than the map)
                // would be blended through a clip mask over all its area every frame.
                let r = p.ratio;
                let at = ((-nw.x * r).round() as i64, (-nw.y * r).round() as i64);
                let px = ((size.width * r).round() as u32, (size.height * r).round() as u32);
                let mut crop = state.painting.crop.borrow_mut();
                let fits =
                    |c: &Crop| c.generation == p.generation && c.view == p.view && c.at == at && c.size == px;
                if !crop.as_ref().is_some_and(fits) {
                    *crop = cut(p, at, px).map(|pieces| Crop {
                        generation: p.generation,
                        view: p.view,
                        at,
                        size: px,
                        pieces,
                    });
                }
                if let Some(c) = crop.as_ref() {
                    for (rect, handle) in &c.pieces {
                        let image = canvas::Image::new(handle.clone())
                            .filter_method(iced::widget::image::FilterMethod::Nearest);
                        frame.draw_image(*rect, image);
                    }
                    return;
                }
            }
            frame.fill_rectangle(Point::ORIGIN, size, basemap::SEA);
            let filter = if (k - 1.0).abs() < 1e-6 {
                iced::widget::image::FilterMethod::Nearest
            } else {
                iced::widget::image::FilterMethod::Linear
            };
            let rect = Rectangle::new(nw, Size::new(p.view.width as f32 * k, p.view.height as f32 * k));
            frame.draw_image(rect, canvas::Image::new(p.handle.clone()).filter_method(filter));
        })]
    }
}
