//! The fleet map: a plain canvas map (no tiles yet; the slippy map with MBTiles is a later issue)
//! of one region at a time. It draws a lat/lon grid with a scale bar, vehicles as circles coloured
//! by status with a heading tick and their call sign, monitored people's last fix as diamonds (red
//! while they have an active alarm), open occurrences with a location as crosses, and short trails.
//!
//! The projection is equirectangular with a cos(lat) correction: at ±0.12° around a city centre its
//! distortion is far below a marker's size.

use crate::pane::Ctx;
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
    Center, Color, Element, Fill, Font, Pixels, Point, Rectangle, Renderer, Size, Theme, Vector, color,
};
use std::collections::HashSet;

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
}

impl Default for State {
    fn default() -> Self {
        Self { region: Region::BeloHorizonte, cache: Cache::new() }
    }
}

impl State {
    /// Monitoring-only roles work in the monitoring central's city; everyone else starts on the
    /// SAMU fleet.
    pub fn for_role(role: atalaia_core::auth::Role) -> Self {
        use atalaia_core::auth::Permission;
        let monitoring_only = role.can(Permission::PersonRead) && !role.can(Permission::OccurrenceRead);
        let region = if monitoring_only { Region::PortoVelho } else { Region::BeloHorizonte };
        Self { region, cache: Cache::new() }
    }
}

#[derive(Debug, Clone)]
pub enum Message {
    Region(Region),
}

impl State {
    pub fn update(&mut self, message: Message) {
        match message {
            Message::Region(r) => {
                self.region = r;
                self.cache.clear();
            }
        }
    }

    pub fn region(&self) -> Region {
        self.region
    }

    /// The live model changed: draw again on the next frame.
    pub fn invalidate(&self) {
        self.cache.clear();
    }

    pub fn view<'a>(&'a self, ctx: &Ctx<'a>) -> Element<'a, Message> {
        let regions = Region::ALL.into_iter().map(|r| {
            button(text(r.label()).size(theme::SMALL))
                .padding([4, 10])
                .style(theme::toggle(r == self.region))
                .on_press(Message::Region(r))
                .into()
        });
        let map = canvas::Canvas::new(MapProgram { state: self, model: ctx.model }).width(Fill).height(Fill);
        column![
            row(regions).spacing(6),
            container(map).width(Fill).height(Fill).style(theme::card),
            legend(),
        ]
        .spacing(6)
        .padding(8)
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
            frame.fill_rectangle(Point::ORIGIN, frame.size(), BACKGROUND);
            draw_grid(frame, &view);
            draw_trails(frame, &view, self.model);
            draw_occurrences(frame, &view, self.model);
            draw_people(frame, &view, self.model);
            draw_vehicles(frame, &view, self.model);
            draw_scale(frame, &view);
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

fn draw_grid(frame: &mut Frame, view: &Viewport) {
    let size = frame.size();
    let top_left = view.unproject(size, Point::ORIGIN);
    let bottom_right = view.unproject(size, Point::new(size.width, size.height));
    let step = 0.05;
    let stroke = Stroke::default().with_color(GRID).with_width(1.0);
    let mut lat = (bottom_right.lat / step).ceil() * step;
    while lat <= top_left.lat {
        let y = view.project(size, LatLon { lat, lon: view.center.lon }).y;
        frame.stroke(&Path::line(Point::new(0.0, y), Point::new(size.width, y)), stroke);
        label(frame, format!("{lat:.2}°"), Point::new(4.0, y + 2.0), 11.0, LABEL);
        lat += step;
    }
    let mut lon = (top_left.lon / step).ceil() * step;
    while lon <= bottom_right.lon {
        let x = view.project(size, LatLon { lat: view.center.lat, lon }).x;
        frame.stroke(&Path::line(Point::new(x, 0.0), Point::new(x, size.height)), stroke);
        label(frame, format!("{lon:.2}°"), Point::new(x + 3.0, 4.0), 11.0, LABEL);
        lon += step;
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

/// Whether a marker at `p` (radius `r`) shows on a frame of `size`.
fn visible(size: Size, p: Point, r: f32) -> bool {
    p.x >= -r && p.y >= -r && p.x <= size.width + r && p.y <= size.height + r
}

// Markers are batched: one path per colour holds every marker of that colour, so thousands of
// markers cost a handful of fills and strokes instead of thousands (4,000 people and 1,000 calls
// drew in ~560 ms one by one on tiny-skia; see docs/BENCHMARKS.md).

/// Above this many trails on the map only the ones that matter are drawn: vehicles and people in
/// alarm. Thousands of trails are noise to an operator (and cost ~260 ms a frame on tiny-skia).
pub const ALL_TRAILS_UP_TO: usize = 300;

fn draw_trails(frame: &mut Frame, view: &Viewport, model: &LiveModel) {
    let size = frame.size();
    let stroke = Stroke::default().with_color(TRAIL).with_width(1.5);
    let moving = model.trails.values().filter(|t| t.len() > 1);
    let all = moving.clone().count() <= ALL_TRAILS_UP_TO;
    let alarmed = if all { HashSet::new() } else { people_in_alarm(model) };
    let path = Path::new(|b| {
        for trail in moving {
            let Some(last) = trail.back() else { continue };
            let person =
                last.person_id.or_else(|| model.devices.get(&last.device_id).and_then(|d| d.person_id));
            if !all && last.vehicle_id.is_none() && !person.is_some_and(|p| alarmed.contains(&p)) {
                continue;
            }
            for (i, p) in trail.iter().enumerate() {
                let pt = view.project(size, p.at);
                if i == 0 { b.move_to(pt) } else { b.line_to(pt) }
            }
        }
    });
    frame.stroke(&path, stroke);
}

fn draw_occurrences(frame: &mut Frame, view: &Viewport, model: &LiveModel) {
    let size = frame.size();
    let r = 7.0;
    // Least urgent first: the most urgent (and the unclassified) are drawn last, on top.
    let levels = [
        Some(Priority::NotUrgent),
        Some(Priority::LessUrgent),
        Some(Priority::Urgent),
        Some(Priority::VeryUrgent),
        Some(Priority::Emergency),
        None,
    ];
    let queue = model.regulation_queue();
    for level in levels {
        let mut any = false;
        let path = Path::new(|b| {
            for o in queue.iter().filter(|o| o.priority == level) {
                let Some(at) = o.location else { continue };
                let c = view.project(size, at);
                if !visible(size, c, r) {
                    continue;
                }
                any = true;
                b.move_to(Point::new(c.x - r, c.y));
                b.line_to(Point::new(c.x + r, c.y));
                b.move_to(Point::new(c.x, c.y - r));
                b.line_to(Point::new(c.x, c.y + r));
            }
        });
        if any {
            frame.stroke(&path, Stroke::default().with_color(theme::priority(level)).with_width(3.0));
        }
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

fn draw_people(frame: &mut Frame, view: &Viewport, model: &LiveModel) {
    let size = frame.size();
    let alarmed = people_in_alarm(model);
    let r = 7.0;
    let mut calm = Vec::new();
    let mut alarm = Vec::new();
    for trail in model.trails.values() {
        let Some(last) = trail.back() else { continue };
        let Some(person) =
            last.person_id.or_else(|| model.devices.get(&last.device_id).and_then(|d| d.person_id))
        else {
            continue;
        };
        let c = view.project(size, last.at);
        if visible(size, c, r) {
            if alarmed.contains(&person) { alarm.push(c) } else { calm.push(c) }
        }
    }
    let diamonds = |points: &[Point]| {
        Path::new(|b| {
            for c in points {
                b.move_to(Point::new(c.x, c.y - r));
                b.line_to(Point::new(c.x + r, c.y));
                b.line_to(Point::new(c.x, c.y + r));
                b.line_to(Point::new(c.x - r, c.y));
                b.close();
            }
        })
    };
    // People in alarm last, on top of the others.
    for (points, colour) in [(&calm, theme::BLUE), (&alarm, theme::RED)] {
        if points.is_empty() {
            continue;
        }
        let path = diamonds(points);
        frame.fill(&path, colour);
        frame.stroke(&path, Stroke::default().with_color(Color::WHITE).with_width(1.0));
    }
}

fn draw_vehicles(frame: &mut Frame, view: &Viewport, model: &LiveModel) {
    let size = frame.size();
    for v in model.vehicles.values() {
        let position =
            v.telemetry.position.or_else(|| v.device_id.and_then(|d| model.last_position(d)).map(|p| p.at));
        let Some(at) = position else { continue };
        let c = view.project(size, at);
        let r = 7.0;
        let colour = theme::vehicle_status(v.status);
        let circle = Path::circle(c, r);
        frame.fill(&circle, colour);
        frame.stroke(&circle, Stroke::default().with_color(Color::WHITE).with_width(1.5));
        // Heading tick: course is degrees clockwise from north; screen y grows downwards.
        let course = (v.telemetry.course_deg as f32).to_radians();
        let tip = c + Vector::new(course.sin(), -course.cos()) * (r + 7.0);
        frame.stroke(&Path::line(c, tip), Stroke::default().with_color(colour).with_width(2.5));
        label(frame, v.code.clone(), Point::new(c.x + r + 3.0, c.y - 6.0), 12.0, color!(0x1f2328));
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
