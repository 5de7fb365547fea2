//! The fleet map: a plain canvas map (no tiles yet; the slippy map with MBTiles is a later issue)
//! of one region at a time. It draws a lat/lon grid with a scale bar, vehicles as circles coloured
//! by status with a heading tick and their call sign, monitored people's last fix as diamonds (red
//! while they have an active alarm), open occurrences with a location as crosses, and short trails.
//!
//! The projection is equirectangular with a cos(lat) correction: at ±0.12° around a city centre its
//! distortion is far below a marker's size.
//!
//! Everything but text is one picture (`Scene` → `Picture`): markers stamped from sprites, lines
//! through tiny-skia, painted by a thread of its own (`crate::painter`) whenever the live data
//! changed, so a centre's 4,000 people never cost the interface thread a frame. Labels (call
//! signs, grid degrees, scale) are drawn over it by the canvas.

use crate::painter::Painter;
use crate::pane::Ctx;
use crate::raster::{Layer, Sprite};
use crate::text as pt;
use crate::theme;
use atalaia_client::LiveModel;
use atalaia_core::alarm::Subject;
use atalaia_core::geom::LatLon;
use atalaia_core::ids::PersonId;
use atalaia_core::samu::Priority;
use iced::mouse;
use iced::widget::canvas::{self, Cache, Frame, Path, Stroke};
use iced::widget::{button, column, container, row, space, text};
use iced::{
    Center, Color, Element, Fill, Font, Pixels, Point, Rectangle, Renderer, Size, Subscription, Theme,
    Vector, color,
};
use std::cell::{Cell, RefCell};
use std::collections::HashSet;
use std::sync::Arc;

/// Metres per degree of latitude (mean), enough for a scale bar.
const METRES_PER_DEGREE: f64 = 111_320.0;
const BACKGROUND: Color = color!(0xeef1f4);
const GRID: Color = color!(0xc9d1d9);
const LABEL: Color = color!(0x57606a);
const TRAIL: Color = Color { r: 0.25, g: 0.3, b: 0.38, a: 0.45 };
const FONT: Font = Font::with_name("Fira Sans");

/// The regions the demo and the first sites cover.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Region {
    BeloHorizonte,
    PortoVelho,
}

impl Region {
    pub const ALL: [Region; 2] = [Region::BeloHorizonte, Region::PortoVelho];

    pub fn label(self) -> &'static str {
        match self {
            Region::BeloHorizonte => pt::BELO_HORIZONTE,
            Region::PortoVelho => pt::PORTO_VELHO,
        }
    }

    pub fn view(self) -> Viewport {
        match self {
            Region::BeloHorizonte => {
                Viewport { center: LatLon { lat: -19.92, lon: -43.94 }, half_span_deg: 0.07 }
            }
            Region::PortoVelho => {
                Viewport { center: LatLon { lat: -8.76, lon: -63.90 }, half_span_deg: 0.06 }
            }
        }
    }
}

/// What part of the world the canvas shows: a centre and the half-height in degrees of latitude.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Viewport {
    pub center: LatLon,
    pub half_span_deg: f64,
}

impl Viewport {
    /// Pixels per degree of latitude for a canvas of `size`, fitting the span in the smaller side.
    pub fn scale(&self, size: Size) -> f64 {
        f64::from(size.width.min(size.height).max(1.0)) / (2.0 * self.half_span_deg)
    }

    /// Equirectangular projection with the longitude shrunk by cos(latitude of the centre).
    pub fn project(&self, size: Size, p: LatLon) -> Point {
        let k = self.scale(size);
        let cos = self.center.lat.to_radians().cos();
        let x = f64::from(size.width) / 2.0 + (p.lon - self.center.lon) * cos * k;
        let y = f64::from(size.height) / 2.0 - (p.lat - self.center.lat) * k;
        Point::new(x as f32, y as f32)
    }

    /// The inverse of [`Viewport::project`].
    pub fn unproject(&self, size: Size, p: Point) -> LatLon {
        let k = self.scale(size);
        let cos = self.center.lat.to_radians().cos().max(1e-6);
        LatLon {
            lat: self.center.lat - (f64::from(p.y) - f64::from(size.height) / 2.0) / k,
            lon: self.center.lon + (f64::from(p.x) - f64::from(size.width) / 2.0) / (k * cos),
        }
    }

    /// Ground metres per screen pixel.
    pub fn metres_per_pixel(&self, size: Size) -> f64 {
        METRES_PER_DEGREE / self.scale(size)
    }
}

/// A round scale-bar length (1, 2 or 5 × 10ⁿ metres) no longer than `max_metres`.
pub fn nice_length(max_metres: f64) -> f64 {
    if max_metres.is_nan() || max_metres <= 0.0 {
        return 0.0;
    }
    let base = 10f64.powf(max_metres.log10().floor());
    [5.0, 2.0, 1.0].into_iter().map(|m| m * base).find(|l| *l <= max_metres).unwrap_or(base)
}

pub struct State {
    region: Region,
    cache: Cache,
    /// Device pixels per logical pixel of the interface, for the map's picture.
    pixel_ratio: f32,
    /// Bumped whenever what the picture shows changes (live data, region, scale).
    generation: Cell<u64>,
    /// The generation last handed to the painter.
    requested: Cell<u64>,
    /// The newest picture, kept across redraws until a newer one replaces it.
    picture: RefCell<Option<Picture>>,
    /// Paints pictures off the interface thread; without it (no thread could be started) the
    /// picture is painted in the frame, as before.
    painter: Option<Painter<Scene, Picture>>,
    /// What the operator selected elsewhere (an occurrence, an alarm), ringed on the map.
    focus: Option<Focus>,
}

/// A place the map points out: where and what.
#[derive(Debug, Clone, PartialEq)]
pub struct Focus {
    pub at: LatLon,
    pub label: String,
}

impl Default for State {
    fn default() -> Self {
        let painter = Painter::new("atalaia-map", Scene::paint)
            .map_err(|e| tracing::warn!("map painting thread: {e}; painting in the frame"))
            .ok();
        Self {
            region: Region::BeloHorizonte,
            cache: Cache::new(),
            pixel_ratio: 1.0,
            generation: Cell::new(1),
            requested: Cell::new(0),
            picture: RefCell::new(None),
            painter,
            focus: None,
        }
    }
}

/// A painted picture of the map and what it was painted for.
#[derive(Debug, Clone)]
pub struct Picture {
    generation: u64,
    size: Size,
    ratio: f32,
    view: Viewport,
    handle: iced::widget::image::Handle,
}

impl Picture {
    /// Whether the picture shows this region at this size: a picture of another region (just
    /// switched, or focused elsewhere) is never shown under the new one's labels.
    fn fits(&self, size: Size, ratio: f32, view: &Viewport) -> bool {
        self.size == size && (self.ratio - ratio).abs() < 1e-3 && self.view == *view
    }
}

impl State {
    /// Monitoring-only roles work in the monitoring central's city; everyone else starts on the
    /// SAMU fleet.
    pub fn for_role(role: atalaia_core::auth::Role) -> Self {
        use atalaia_core::auth::Permission;
        let monitoring_only = role.can(Permission::PersonRead) && !role.can(Permission::OccurrenceRead);
        let region = if monitoring_only { Region::PortoVelho } else { Region::BeloHorizonte };
        Self { region, ..Self::default() }
    }

    /// The interface was scaled (Ctrl+= / Ctrl+-): draw the picture at the new resolution.
    pub fn set_pixel_ratio(&mut self, ratio: f32) {
        if (ratio - self.pixel_ratio).abs() > 1e-3 && ratio > 0.0 {
            self.pixel_ratio = ratio;
            self.invalidate();
        }
    }
}

#[derive(Debug, Clone)]
pub enum Message {
    Region(Region),
    /// The painting thread finished a picture.
    Painted,
}

/// Identity of the painter's wake-up subscription (one per painter).
struct PainterReady(Arc<tokio::sync::Notify>);

impl std::hash::Hash for PainterReady {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        Arc::as_ptr(&self.0).hash(state);
    }
}

impl State {
    pub fn update(&mut self, message: Message) {
        match message {
            Message::Region(r) => {
                self.region = r;
                self.invalidate();
            }
            Message::Painted => {
                let Some(done) = self.painter.as_ref().and_then(Painter::take) else { return };
                let mut current = self.picture.borrow_mut();
                // A picture painted in the frame meanwhile may be newer than this one, or of the
                // same data at the size the map has now.
                let better = current.as_ref().is_none_or(|c| {
                    c.generation < done.picture.generation
                        || (c.generation == done.picture.generation
                            && done.picture.fits(c.size, c.ratio, &c.view))
                });
                if better {
                    *current = Some(done.picture);
                    self.cache.clear();
                }
            }
        }
    }

    /// How many changes of the live data the picture on screen is behind (0: up to date;
    /// `None` before the first picture).
    pub fn picture_lag(&self) -> Option<u64> {
        let shown = self.picture.borrow().as_ref()?.generation;
        Some(self.generation.get().saturating_sub(shown))
    }

    /// Wakes the console when the painting thread has finished a picture.
    pub fn subscription(&self) -> Subscription<Message> {
        let Some(painter) = &self.painter else { return Subscription::none() };
        Subscription::run_with(PainterReady(painter.ready()), |ready| {
            iced::futures::stream::unfold(Arc::clone(&ready.0), |ready| async move {
                ready.notified().await;
                Some((Message::Painted, ready))
            })
        })
    }

    pub fn region(&self) -> Region {
        self.region
    }

    /// Points out `focus` on the map: the region that holds it is shown and the place ringed.
    pub fn focus(&mut self, focus: Focus) {
        let distance = |r: Region| {
            let c = r.view().center;
            (c.lat - focus.at.lat).powi(2) + (c.lon - focus.at.lon).powi(2)
        };
        if let Some(nearest) = Region::ALL.into_iter().min_by(|a, b| distance(*a).total_cmp(&distance(*b))) {
            self.region = nearest;
        }
        self.focus = Some(focus);
        self.invalidate();
    }

    /// The focused subject moved: the ring follows, the region stays.
    pub fn move_focus(&mut self, focus: Focus) {
        if self.focus.as_ref() != Some(&focus) {
            self.focus = Some(focus);
            self.cache.clear();
        }
    }

    pub fn clear_focus(&mut self) {
        if self.focus.take().is_some() {
            self.cache.clear();
        }
    }

    pub fn focused(&self) -> Option<&Focus> {
        self.focus.as_ref()
    }

    /// The live model changed: draw again on the next frame (labels at once, the picture as soon
    /// as the painter has it).
    pub fn invalidate(&self) {
        self.generation.set(self.generation.get() + 1);
        self.cache.clear();
    }

    /// The picture for a map of `size`: the newest painted one if it fits; a new one is asked
    /// for when it is out of date. Painted here and now only when nothing fits yet (the first
    /// frame, a resize) or there is no painting thread.
    fn picture(&self, size: Size, model: &LiveModel) -> Option<iced::widget::image::Handle> {
        let generation = self.generation.get();
        let ratio = self.pixel_ratio;
        let scene = || Scene::of(model, size, ratio, self.region.view(), generation);
        let mut current = self.picture.borrow_mut();
        let view = self.region.view();
        let fits = current.as_ref().is_some_and(|p| p.fits(size, ratio, &view));
        match &self.painter {
            Some(painter) if fits => {
                if current.as_ref().is_some_and(|p| p.generation < generation)
                    && self.requested.get() < generation
                {
                    self.requested.set(generation);
                    painter.request(generation, scene());
                }
            }
            _ => {
                if !fits || current.as_ref().is_some_and(|p| p.generation < generation) {
                    *current = scene().paint();
                }
            }
        }
        current.as_ref().filter(|p| p.fits(size, ratio, &view)).map(|p| p.handle.clone())
    }

    pub fn view<'a>(&'a self, ctx: &Ctx<'a>) -> Element<'a, Message> {
        let model = ctx.model;
        let region = self.region;
        // No card around the map: its picture paints the background and frame itself (a bordered
        // container under it would fill the whole map area once more every frame). In a short
        // pane (large text, RNF06) the map keeps the space: the legend goes first, then the
        // region buttons.
        iced::widget::responsive(move |size| {
            let map = canvas::Canvas::new(MapProgram { state: self, model }).width(Fill).height(Fill);
            let mut c = column![].spacing(6).padding(8);
            if size.height >= 200.0 {
                let regions = Region::ALL.into_iter().map(|r| {
                    button(text(r.label()).size(theme::SMALL))
                        .padding([4, 10])
                        .style(theme::toggle(r == region))
                        .on_press(Message::Region(r))
                        .into()
                });
                c = c.push(row(regions).spacing(6));
            }
            c = c.push(map);
            if size.height >= 360.0 {
                c = c.push(legend());
            }
            c.into()
        })
        .into()
    }
}

fn legend<'a>() -> Element<'a, Message> {
    // Swatches are drawn, not glyphs: the embedded font has no geometric-shape symbols.
    let item = |c: Color, round: bool, label: &'a str| {
        let swatch = container(space()).width(10).height(10).style(move |_: &Theme| container::Style {
            background: Some(c.into()),
            border: iced::Border::default().rounded(if round { 5 } else { 1 }),
            ..container::Style::default()
        });
        row![swatch, text(label).size(theme::SMALL).color(theme::MUTED)].spacing(4).align_y(Center).into()
    };
    let cross = row![
        text("+").size(theme::TEXT).color(theme::RED),
        text(pt::LEGEND_OCCURRENCE).size(theme::SMALL).color(theme::MUTED)
    ]
    .spacing(4)
    .align_y(Center)
    .into();
    row([
        item(theme::GREEN, true, pt::LEGEND_FREE),
        item(theme::ORANGE, true, pt::LEGEND_BUSY),
        item(theme::RED, true, pt::LEGEND_SCENE),
        item(theme::BLUE, false, pt::LEGEND_PERSON),
        item(theme::RED, false, pt::LEGEND_PERSON_ALARM),
        cross,
    ])
    .spacing(14)
    .wrap()
    .into()
}

struct MapProgram<'a> {
    state: &'a State,
    model: &'a LiveModel,
}

impl<Message> canvas::Program<Message> for MapProgram<'_> {
    type State = ();

    fn draw(
        &self,
        _state: &(),
        renderer: &Renderer,
        _theme: &Theme,
        bounds: Rectangle,
        _cursor: mouse::Cursor,
    ) -> Vec<canvas::Geometry> {
        let view = self.state.region.view();
        let geometry = self.state.cache.draw(renderer, bounds.size(), |frame| {
            let size = frame.size();
            if let Some(picture) = self.state.picture(size, self.model) {
                // Drawn pixel for pixel: no filtering needed (and bilinear sampling costs ~2 ms a frame).
                frame.draw_image(
                    Rectangle::with_size(size),
                    canvas::Image::new(picture).filter_method(iced::widget::image::FilterMethod::Nearest),
                );
            }
            grid_labels(frame, &view);
            vehicle_labels(frame, &view, self.model);
            draw_scale(frame, &view);
            if let Some(focus) = &self.state.focus {
                draw_focus(frame, &view, focus);
            }
        });
        vec![geometry]
    }
}

fn label(frame: &mut Frame, content: String, at: Point, size: f32, color: Color) {
    frame.fill_text(canvas::Text {
        content,
        position: at,
        color,
        size: Pixels(size),
        font: FONT,
        ..canvas::Text::default()
    });
}

/// Grid lines of one direction: each line's degrees and where it crosses the screen (y or x).
type GridLines = Vec<(f64, f32)>;

/// The parallels and meridians every 0.05° across the map: (latitude, y) and (longitude, x).
fn grid_lines(size: Size, view: &Viewport) -> (GridLines, GridLines) {
    let top_left = view.unproject(size, Point::ORIGIN);
    let bottom_right = view.unproject(size, Point::new(size.width, size.height));
    let step = 0.05;
    let mut parallels = Vec::new();
    let mut lat = (bottom_right.lat / step).ceil() * step;
    while lat <= top_left.lat {
        parallels.push((lat, view.project(size, LatLon { lat, lon: view.center.lon }).y));
        lat += step;
    }
    let mut meridians = Vec::new();
    let mut lon = (top_left.lon / step).ceil() * step;
    while lon <= bottom_right.lon {
        meridians.push((lon, view.project(size, LatLon { lat: view.center.lat, lon }).x));
        lon += step;
    }
    (parallels, meridians)
}

/// A ring round the selected place, dark outside and yellow inside so it shows on any marker,
/// with what it is beside it.
fn draw_focus(frame: &mut Frame, view: &Viewport, focus: &Focus) {
    let c = view.project(frame.size(), focus.at);
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

fn grid_labels(frame: &mut Frame, view: &Viewport) {
    let (parallels, meridians) = grid_lines(frame.size(), view);
    for (lat, y) in parallels {
        label(frame, format!("{lat:.2}°"), Point::new(4.0, y + 2.0), 11.0, LABEL);
    }
    for (lon, x) in meridians {
        label(frame, format!("{lon:.2}°"), Point::new(x + 3.0, 4.0), 11.0, LABEL);
    }
}

fn draw_scale(frame: &mut Frame, view: &Viewport) {
    let size = frame.size();
    let mpp = view.metres_per_pixel(size);
    let metres = nice_length(mpp * 120.0);
    if metres <= 0.0 {
        return;
    }
    let px = (metres / mpp) as f32;
    // Bottom-right, clear of the latitude labels on the left edge.
    let (x, y) = (size.width - px - 16.0, size.height - 14.0);
    let stroke = Stroke::default().with_color(LABEL).with_width(2.0);
    frame.stroke(&Path::line(Point::new(x, y), Point::new(x + px, y)), stroke);
    for end in [x, x + px] {
        frame.stroke(&Path::line(Point::new(end, y - 5.0), Point::new(end, y)), stroke);
    }
    label(frame, pt::scale_label(metres), Point::new(x, y - 18.0), 12.0, LABEL);
}

/// What the map's picture shows, copied out of the live model so the painting thread can draw
/// it: everything but text — background, grid, trails, occurrences, people and vehicles.
#[derive(Debug, Clone)]
pub struct Scene {
    generation: u64,
    size: Size,
    ratio: f32,
    view: Viewport,
    trails: Vec<Vec<LatLon>>,
    /// Least urgent first: the most urgent (and the unclassified) are drawn last, on top.
    occurrences: Vec<(Option<Priority>, Vec<LatLon>)>,
    people: Vec<LatLon>,
    /// People with an active alarm, drawn over the others.
    alarmed: Vec<LatLon>,
    vehicles: Vec<(LatLon, Color, f32)>,
}

/// Radius of every marker, centre to edge, in logical pixels.
const MARKER_R: f32 = 7.0;

/// Above this many trails on the map only the ones that matter are drawn: vehicles and people in
/// alarm. Thousands of trails are noise to an operator (and cost ~260 ms a frame on tiny-skia).
pub const ALL_TRAILS_UP_TO: usize = 300;

impl Scene {
    pub fn of(model: &LiveModel, size: Size, ratio: f32, view: Viewport, generation: u64) -> Self {
        let in_alarm = people_in_alarm(model);
        let person_of = |p: &atalaia_core::monitoring::Position| {
            p.person_id.or_else(|| model.devices.get(&p.device_id).and_then(|d| d.person_id))
        };
        let moving = model.trails.values().filter(|t| t.len() > 1);
        let all = moving.clone().count() <= ALL_TRAILS_UP_TO;
        let trails = moving
            .filter(|t| {
                all || t.back().is_some_and(|last| {
                    last.vehicle_id.is_some() || person_of(last).is_some_and(|p| in_alarm.contains(&p))
                })
            })
            .map(|t| t.iter().map(|p| p.at).collect())
            .collect();
        let queue = model.regulation_queue();
        let occurrences = [
            Some(Priority::NotUrgent),
            Some(Priority::LessUrgent),
            Some(Priority::Urgent),
            Some(Priority::VeryUrgent),
            Some(Priority::Emergency),
            None,
        ]
        .into_iter()
        .map(|level| {
            (level, queue.iter().filter(|o| o.priority == level).filter_map(|o| o.location).collect())
        })
        .collect();
        let (mut people, mut alarmed) = (Vec::new(), Vec::new());
        for trail in model.trails.values() {
            let Some(last) = trail.back() else { continue };
            match person_of(last) {
                Some(p) if in_alarm.contains(&p) => alarmed.push(last.at),
                Some(_) => people.push(last.at),
                None => {}
            }
        }
        let vehicles = model
            .vehicles
            .values()
            .filter_map(|v| {
                let at = vehicle_position(model, v)?;
                Some((at, theme::vehicle_status(v.status), v.telemetry.course_deg as f32))
            })
            .collect();
        Self { generation, size, ratio, view, trails, occurrences, people, alarmed, vehicles }
    }

    /// Paints the picture. Markers are stamped from sprites (`crate::raster`): drawn as paths,
    /// 4,000 people and 1,000 calls took ~18 ms of tiny-skia a frame; stamped, well under one.
    pub fn paint(self) -> Option<Picture> {
        let (size, view) = (self.size, &self.view);
        let at = |p: LatLon| view.project(size, p);
        let mut layer = Layer::new(size.width, size.height, self.ratio, BACKGROUND)?;
        let scale = layer.scale();
        let (parallels, meridians) = grid_lines(size, view);
        layer.stroke(GRID, 1.0, |b| {
            for (_, y) in parallels {
                b.move_to(0.0, y);
                b.line_to(size.width, y);
            }
            for (_, x) in meridians {
                b.move_to(x, 0.0);
                b.line_to(x, size.height);
            }
        });
        layer.stroke(TRAIL, 1.0, |b| {
            for trail in &self.trails {
                for (i, p) in trail.iter().enumerate() {
                    let p = at(*p);
                    if i == 0 { b.move_to(p.x, p.y) } else { b.line_to(p.x, p.y) }
                }
            }
        });
        for (level, points) in &self.occurrences {
            let Some(cross) = Sprite::cross(MARKER_R, 3.0, theme::priority(*level), scale) else { continue };
            for p in points {
                layer.stamp(&cross, at(*p));
            }
        }
        for (points, colour) in [(&self.people, theme::BLUE), (&self.alarmed, theme::RED)] {
            let Some(diamond) = Sprite::diamond(MARKER_R, colour, Color::WHITE, scale) else { continue };
            for p in points {
                layer.stamp(&diamond, at(*p));
            }
        }
        // One sprite and one batch of heading ticks per status colour.
        type Ticks = Vec<(Point, Point)>;
        let mut by_colour: Vec<(Color, Option<Sprite>, Ticks)> = Vec::new();
        for (p, colour, course) in &self.vehicles {
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
        layer.stroke(GRID, 1.0, |b| {
            let (w, h) = (size.width - 0.5, size.height - 0.5);
            b.move_to(0.5, 0.5);
            b.line_to(w, 0.5);
            b.line_to(w, h);
            b.line_to(0.5, h);
            b.close();
        });
        Some(Picture {
            generation: self.generation,
            size,
            ratio: self.ratio,
            view: self.view,
            handle: layer.into_handle(),
        })
    }
}

/// People with an active alarm about them (directly or through their device).
pub fn people_in_alarm(model: &LiveModel) -> HashSet<PersonId> {
    model
        .alarms
        .values()
        .filter(|a| a.is_active())
        .filter_map(|a| match a.subject {
            Subject::Person(p) => Some(p),
            Subject::Device(d) => model.devices.get(&d).and_then(|d| d.person_id),
            Subject::Vehicle(_) | Subject::Occurrence(_) => None,
        })
        .collect()
}

pub fn vehicle_position(model: &LiveModel, v: &atalaia_core::samu::Vehicle) -> Option<LatLon> {
    v.telemetry.position.or_else(|| v.device_id.and_then(|d| model.last_position(d)).map(|p| p.at))
}

/// Where each vehicle is on the map, if it is known.
fn vehicle_points<'a>(
    model: &'a LiveModel,
    view: &'a Viewport,
    size: Size,
) -> impl Iterator<Item = (&'a atalaia_core::samu::Vehicle, Point)> + 'a {
    model.vehicles.values().filter_map(move |v| Some((v, view.project(size, vehicle_position(model, v)?))))
}

fn vehicle_labels(frame: &mut Frame, view: &Viewport, model: &LiveModel) {
    for (v, c) in vehicle_points(model, view, frame.size()) {
        label(frame, v.code.clone(), Point::new(c.x + MARKER_R + 3.0, c.y - 6.0), 12.0, color!(0x1f2328));
    }
}

#[cfg(test)]
mod role_tests {
    use super::*;
    use atalaia_core::auth::Role;

    #[test]
    fn monitoring_roles_open_on_porto_velho_samu_roles_on_belo_horizonte() {
        assert_eq!(State::for_role(Role::MonitoringOperator).region, Region::PortoVelho);
        assert_eq!(State::for_role(Role::MonitoringAdmin).region, Region::PortoVelho);
        assert_eq!(State::for_role(Role::FleetController).region, Region::BeloHorizonte);
        assert_eq!(State::for_role(Role::Supervisor).region, Region::BeloHorizonte);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SIZE: Size = Size { width: 800.0, height: 600.0 };

    #[test]
    fn centre_projects_to_the_middle_and_north_is_up() {
        let v = Region::BeloHorizonte.view();
        let c = v.project(SIZE, v.center);
        assert!((c.x - 400.0).abs() < 1e-3 && (c.y - 300.0).abs() < 1e-3);
        let north = v.project(SIZE, LatLon { lat: v.center.lat + 0.05, lon: v.center.lon });
        let east = v.project(SIZE, LatLon { lat: v.center.lat, lon: v.center.lon + 0.05 });
        assert!(north.y < c.y && (north.x - c.x).abs() < 1e-3);
        assert!(east.x > c.x && (east.y - c.y).abs() < 1e-3);
    }

    #[test]
    fn span_fits_the_smaller_side_and_longitude_is_shrunk() {
        let v = Region::PortoVelho.view();
        let top = v.project(SIZE, LatLon { lat: v.center.lat + v.half_span_deg, lon: v.center.lon });
        assert!(top.y.abs() < 1e-3, "the span fills the height: {top:?}");
        let dx = v.project(SIZE, LatLon { lat: v.center.lat, lon: v.center.lon + 0.1 }).x - 400.0;
        let dy = 300.0 - v.project(SIZE, LatLon { lat: v.center.lat + 0.1, lon: v.center.lon }).y;
        let expected = v.center.lat.to_radians().cos() as f32;
        assert!((dx / dy - expected).abs() < 1e-3);
    }

    #[test]
    fn unproject_inverts_project() {
        for region in Region::ALL {
            let v = region.view();
            for p in [LatLon { lat: -19.9, lon: -43.9 }, LatLon { lat: -8.7, lon: -63.95 }] {
                let back = v.unproject(SIZE, v.project(SIZE, p));
                assert!((back.lat - p.lat).abs() < 1e-4 && (back.lon - p.lon).abs() < 1e-4, "{back:?}");
            }
        }
    }

    #[test]
    fn scale_bar_lengths_are_round() {
        for (max, want) in [(120.0, 100.0), (260.0, 200.0), (999.0, 500.0), (4300.0, 2000.0), (0.0, 0.0)] {
            assert_eq!(nice_length(max), want, "{max}");
        }
    }
}
