//! The map (issue 7): a slippy Web-Mercator map on the iced canvas (seed 003 16.2.4–16.2.6,
//! 16.2.11, 16.2.22–16.2.26, III-2.8–III-2.10; seed 004 RFS114–RFS122).
//!
//! - Pan by dragging or the arrow keys, zoom with the wheel at the cursor, double-click, `+`/`-`
//!   or the buttons; a scale bar and the coordinates under the cursor; "Ajustar" fits the view
//!   to the selection (or to the region).
//! - Under everything the embedded base map of Brazil ([`basemap`]); over it the street or
//!   satellite tiles when a source is configured or an operator pack imported ([`tiles`]).
//! - Layers, each toggled: vehicles (status colour, heading, call sign), monitored people
//!   (grouped with counts below zoom 15; people in alarm never grouped), occurrences, zones
//!   (inclusion / exclusion / warning buffer), accuracy circles, trails. A click selects and a
//!   popup says what it is.
//! - Zones drawn and edited on the map ([`zones`]), tracks played back ([`track`]), addresses
//!   and coordinates searched ([`search`]).
//!
//! Everything but text is one picture painted by a thread of its own ([`scene`],
//! `crate::painter`), a margin wider than the map: while the operator drags, the frame only moves
//! the last picture, and the next one (with what the drag uncovered) arrives a few milliseconds
//! later. Text (call signs, counts, place names, popup, scale) is drawn by the canvas over it.

pub mod basemap;
pub mod pois;
pub mod scene;
pub mod search;
pub mod tiles;
pub mod track;
pub mod zones;

use crate::painter::Painter;
use crate::pane::Ctx;
use crate::text as pt;
use crate::theme;
use atalaia_client::{LiveModel, format};
use atalaia_core::alarm::Subject;
use atalaia_core::geom::{LatLon, Shape};
use atalaia_core::ids::{DeviceId, OccurrenceId, PersonId, VehicleId, ZoneId};
use atalaia_core::mercator::{self, View};
use atalaia_core::monitoring::{Position, Zone, ZoneKind};
use atalaia_core::samu::Priority;
use atalaia_core::wire::NewZone;
use basemap::BaseMap;
use chrono::{DateTime, Duration, Utc};
use iced::keyboard::{self, Key, key::Named};
use iced::mouse;
use iced::widget::canvas::{self, Cache, Frame, Path, Stroke};
use iced::widget::{button, column, container, row, slider, space, text, text_input};
use iced::{
    Center, Color, Element, Fill, Font, Pixels, Point, Rectangle, Renderer, Size, Subscription, Task, Theme,
    color,
};
pub use scene::{Picture, Scene};
use std::cell::{Cell, RefCell};
use std::collections::HashSet;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Instant;

const LABEL: Color = color!(0x3d4450);
const FONT: Font = Font::with_name("Fira Sans");
/// The picture is painted this much wider than the map on every side (logical pixels).
pub const MARGIN: f64 = 160.0;
/// Line colours of a group's members in playback.
const MEMBER_COLOURS: [Color; 6] = [
    color!(0x8e4ec6),
    color!(0x0d74ce),
    color!(0xc2298a),
    color!(0x218358),
    color!(0xcc4e00),
    color!(0x5151cd),
];
/// Closest zoom fit-to-selection goes to (a street, not a doorstep).
const FIT_MAX_ZOOM: f64 = 16.0;
/// A click this close to a marker (logical pixels) selects it.
const HIT: f32 = 12.0;

/// Where the map's tiles come from and where they are kept (`atalaia --tiles-street …`).
#[derive(Debug, Clone, Default)]
pub struct Config {
    /// XYZ URL template of the street tiles (`https://…/{z}/{x}/{y}.png`).
    pub street_url: Option<String>,
    pub satellite_url: Option<String>,
    /// Attribution the tile provider requires, shown on the map.
    pub street_attribution: String,
    pub satellite_attribution: String,
    /// Directory of the MBTiles caches (`street.mbtiles`, `satellite.mbtiles`); an imported
    /// operator pack lives there too. None: no tiles at all (tests).
    pub tiles_dir: Option<PathBuf>,
    /// Nominatim-compatible geocoder root URL (16.2.5).
    pub geocoder: Option<String>,
    /// GeoJSON file of the site's hospitals, bases and cameras.
    pub pois: Option<PathBuf>,
    /// Show the demo's fictional places when no file is given (`--demo`).
    pub demo_pois: bool,
}

impl Config {
    /// The cache file of a source.
    pub fn cache_file(dir: &std::path::Path, source: Source) -> PathBuf {
        dir.join(match source {
            Source::Satellite => "satellite.mbtiles",
            Source::Street | Source::Base => "street.mbtiles",
        })
    }
}

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

/// The background the map draws on: the embedded base map alone, or tiles over it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Source {
    Base,
    Street,
    Satellite,
}

impl Source {
    fn label(self) -> &'static str {
        match self {
            Source::Base => "Mapa base",
            Source::Street => "Ruas",
            Source::Satellite => "Satélite",
        }
    }
}

/// A layer the operator can switch off.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Layer {
    Vehicles,
    People,
    Occurrences,
    Zones,
    Accuracy,
    Trails,
    Pois,
}

impl Layer {
    pub const ALL: [Layer; 7] = [
        Layer::Vehicles,
        Layer::People,
        Layer::Occurrences,
        Layer::Zones,
        Layer::Pois,
        Layer::Accuracy,
        Layer::Trails,
    ];

    fn label(self) -> &'static str {
        match self {
            Layer::Vehicles => "Viaturas",
            Layer::People => "Monitorados",
            Layer::Occurrences => "Ocorrências",
            Layer::Zones => "Zonas",
            Layer::Accuracy => "Precisão",
            Layer::Trails => "Rastros",
            Layer::Pois => "Pontos de interesse",
        }
    }
}

/// What a click picked on the map.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Picked {
    Vehicle(VehicleId),
    Person(DeviceId),
    Occurrence(OccurrenceId),
    Zone(ZoneId),
    /// The n-th point of interest.
    Poi(usize),
}

/// A place the map points out: where and what.
#[derive(Debug, Clone, PartialEq)]
pub struct Focus {
    pub at: LatLon,
    pub label: String,
}

/// A round scale-bar length (1, 2 or 5 × 10ⁿ metres) no longer than `max_metres`.
pub fn nice_length(max_metres: f64) -> f64 {
    if max_metres.is_nan() || max_metres <= 0.0 {
        return 0.0;
    }
    let base = 10f64.powf(max_metres.log10().floor());
    [5.0, 2.0, 1.0].into_iter().map(|m| m * base).find(|l| *l <= max_metres).unwrap_or(base)
}

/// Above this many trails on the map only the ones that matter are drawn: vehicles and people in
/// alarm. Thousands of trails are noise to an operator (and cost ~260 ms a frame on tiny-skia).
pub const ALL_TRAILS_UP_TO: usize = 300;

pub struct State {
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
    /// When playback last advanced.
    last_frame: Option<Instant>,
    layers: HashSet<Layer>,
    source: Source,
    street: Option<tiles::Tiles>,
    satellite: Option<tiles::Tiles>,
    geocoder: Option<String>,
    /// The picture (an image) and what is drawn over it (shapes and text) are two canvases in a
    /// stack: within one layer iced draws images over shapes, which would hide rings and handles.
    under: Cache,
    overlay: Cache,
    /// The visible part of the picture cut out for the last frame: which picture, where.
    crop: RefCell<Option<Crop>>,
    /// Device pixels per logical pixel of the interface, for the map's picture.
    pixel_ratio: f32,
    /// Bumped whenever what the picture shows changes (live data, layers, tiles, selection).
    generation: Cell<u64>,
    /// The last job handed to the painter.
    requested: RefCell<Option<(u64, View)>>,
    /// The newest picture, kept across redraws until a newer one replaces it.
    picture: RefCell<Option<Picture>>,
    painter: Option<Painter<Scene, Picture>>,
    /// What the operator selected elsewhere (an occurrence, an alarm), ringed on the map.
    focus: Option<Focus>,
    /// What the operator clicked on the map.
    picked: Option<Picked>,
    can_edit_zones: bool,
    editor: Option<zones::Editor>,
    /// Shown after a zone was saved.
    notice: Option<String>,
    track: Option<track::Playback>,
    query: String,
    /// The place the last search went to, ringed until the next search.
    searched: Option<Focus>,
    found: Vec<search::Found>,
    search_note: Option<String>,
    /// The user's time zone for times in popups and the track bar.
    tz: chrono_tz::Tz,
    /// The dashboard's clock (a track's period ends now).
    now: DateTime<Utc>,
    /// The period typed for a track (start, end) and what is wrong with it.
    period: (String, String),
    period_error: Option<String>,
    pois: Vec<pois::Poi>,
    /// Why the site's points of interest could not be read.
    pois_error: Option<String>,
}

impl Default for State {
    fn default() -> Self {
        // The embedded base map (1.1 MB of JSON) is parsed once; off the interface thread, so the
        // first frame does not wait for it (it blocks only if it gets there first).
        let _ = std::thread::Builder::new().name("atalaia-basemap".into()).spawn(|| {
            let _ = BaseMap::get();
        });
        let painter = Painter::new("atalaia-map", Scene::paint)
            .map_err(|e| tracing::warn!("map painting thread: {e}; painting in the frame"))
            .ok();
        let mut s = Self {
            center: LatLon { lat: 0.0, lon: 0.0 },
            zoom: 4.0,
            region: Region::BeloHorizonte,
            size: Cell::new(Size::new(800.0, 600.0)),
            fit_pending: Cell::new(None),
            settle: Cell::new(None),
            last_frame: None,
            layers: [
                Layer::Vehicles,
                Layer::People,
                Layer::Occurrences,
                Layer::Zones,
                Layer::Trails,
                Layer::Pois,
            ]
            .into(),
            source: Source::Base,
            street: None,
            satellite: None,
            geocoder: None,
            under: Cache::new(),
            overlay: Cache::new(),
            crop: RefCell::new(None),
            pixel_ratio: 1.0,
            generation: Cell::new(1),
            requested: RefCell::new(None),
            picture: RefCell::new(None),
            painter,
            focus: None,
            picked: None,
            can_edit_zones: false,
            editor: None,
            notice: None,
            track: None,
            query: String::new(),
            searched: None,
            found: Vec::new(),
            search_note: None,
            tz: format::DEFAULT_TZ,
            now: Utc::now(),
            period: (String::new(), String::new()),
            period_error: None,
            pois: Vec::new(),
            pois_error: None,
        };
        s.show_region(Region::BeloHorizonte);
        s
    }
}

#[derive(Debug, Clone)]
pub enum Message {
    Region(Region),
    /// The painting thread finished a picture.
    Painted,
    /// A tile arrived.
    Tiles,
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
    Click(Point),
    /// A double click: zooms in there (or closes the polygon being drawn).
    DoubleClick(Point),
    Layer(Layer),
    Source(Source),
    ClosePopup,
    // Zones.
    Draw(zones::Tool),
    EditZone,
    Handle(usize, Point),
    RemoveVertex(usize),
    FinishShape,
    UndoVertex,
    CancelDraw,
    ZoneName(String),
    ZoneKind(ZoneKind),
    ZoneWarning(String),
    ZoneGroup(String),
    SaveZone,
    /// The server's answer for the zone with this id (the editor may have moved on to another).
    ZoneSaved(atalaia_core::ids::ZoneId, Result<Box<Zone>, String>),
    // Tracks.
    Track(i64),
    /// Fixes for the track of this subject from this time.
    TrackLoaded(track::Subject, DateTime<Utc>, Result<Vec<Position>, String>),
    /// The picked person's group, every member's track over the last hours.
    GroupTrack(i64),
    /// The period typed for a track: start, end (dd/mm/aaaa hh:mm).
    PeriodFrom(String),
    PeriodTo(String),
    /// The picked subject's track (true: its group's) over the period typed.
    TrackPeriod(bool),
    /// A group's tracks from this time.
    GroupLoaded(track::Subject, DateTime<Utc>, Result<Vec<atalaia_core::investigate::PersonTrack>, String>),
    PlayPause,
    Speed(u32),
    Seek(f32),
    Follow,
    CloseTrack,
    Frame(Instant),
    // Search.
    Query(String),
    Search,
    /// The geocoder's answer to this query.
    Geocoded(String, Result<Vec<search::Found>, String>),
    Go(usize),
}

/// What came back for a track.
enum Answer {
    Fixes(Vec<Position>),
    Group(Vec<atalaia_core::investigate::PersonTrack>),
}

/// What the dashboard does for the map (it holds the API session).
#[derive(Debug, Clone)]
pub enum Event {
    SaveZone(Box<NewZone>, bool),
    LoadTrack(track::Subject, DateTime<Utc>, DateTime<Utc>),
}

/// Identity of a wake-up subscription (the painter's, a tile source's).
struct Wake(Arc<tokio::sync::Notify>, u8);

impl std::hash::Hash for Wake {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        Arc::as_ptr(&self.0).hash(state);
        self.1.hash(state);
    }
}

fn wake(notify: Arc<tokio::sync::Notify>, id: u8) -> Subscription<Message> {
    Subscription::run_with(Wake(notify, id), |w| {
        let message = if w.1 == 0 { Message::Painted } else { Message::Tiles };
        iced::futures::stream::unfold(Arc::clone(&w.0), move |ready| {
            let message = message.clone();
            async move {
                ready.notified().await;
                Some((message, ready))
            }
        })
    })
}

impl State {
    /// Monitoring-only roles work in the monitoring central's city; everyone else starts on the
    /// SAMU fleet. Those allowed to write zones get the drawing tools.
    pub fn for_role(role: atalaia_core::auth::Role) -> Self {
        use atalaia_core::auth::Permission;
        let monitoring_only = role.can(Permission::PersonRead) && !role.can(Permission::OccurrenceRead);
        let mut s = Self { can_edit_zones: role.can(Permission::ZoneWrite), ..Self::default() };
        if role.can(Permission::PersonRead) {
            s.layers.insert(Layer::Accuracy);
        }
        s.show_region(if monitoring_only { Region::PortoVelho } else { Region::BeloHorizonte });
        s
    }

    /// Tile sources and geocoder from the console's configuration. A cache that cannot be
    /// opened leaves that source out (logged) and the base map in place.
    pub fn configure(&mut self, config: &Config, tz: chrono_tz::Tz) {
        self.tz = tz;
        self.geocoder = config.geocoder.clone().filter(|g| !g.trim().is_empty());
        let loaded = match &config.pois {
            Some(file) => std::fs::read_to_string(file)
                .map_err(|e| format!("{}: {e}", file.display()))
                .and_then(|text| pois::parse(&text).map_err(|e| format!("{}: {e}", file.display()))),
            None if config.demo_pois => pois::parse(pois::DEMO),
            None => Ok(Vec::new()),
        };
        match loaded {
            Ok(p) => self.pois = p,
            Err(e) => {
                tracing::warn!("points of interest: {e}");
                self.pois_error = Some(format!("Pontos de interesse não carregados: {e}"));
            }
        }
        let Some(dir) = &config.tiles_dir else { return };
        let open = |source: Source, url: &Option<String>, attribution: &str| {
            let file = Config::cache_file(dir, source);
            let url = url.as_deref().filter(|u| !u.trim().is_empty());
            if url.is_none() && !file.is_file() {
                return None;
            }
            tiles::Tiles::open(url, &file, attribution)
                .map_err(|e| tracing::warn!(file = %file.display(), "map tiles: {e}"))
                .ok()
        };
        self.street = open(Source::Street, &config.street_url, &config.street_attribution);
        self.satellite = open(Source::Satellite, &config.satellite_url, &config.satellite_attribution);
        if self.street.is_some() {
            self.source = Source::Street;
        }
        self.invalidate();
    }

    /// The interface was scaled (Ctrl+= / Ctrl+-): draw the picture at the new resolution.
    pub fn set_pixel_ratio(&mut self, ratio: f32) {
        if (ratio - self.pixel_ratio).abs() > 1e-3 && ratio > 0.0 {
            self.pixel_ratio = ratio;
            self.invalidate();
        }
    }

    /// Takes over the view the frame settled on (a refit at a new size), before anything else
    /// changes the view.
    fn take_settle(&mut self) {
        if let Some((center, zoom)) = self.settle.take() {
            self.center = center;
            self.zoom = zoom;
            self.under.clear();
        }
    }

    /// The dashboard's clock ticked.
    pub fn set_now(&mut self, now: DateTime<Utc>) {
        self.now = now;
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

    pub fn picked(&self) -> Option<Picked> {
        self.picked
    }

    pub fn editor(&self) -> Option<&zones::Editor> {
        self.editor.as_ref()
    }

    pub fn playback(&self) -> Option<&track::Playback> {
        self.track.as_ref()
    }

    pub fn found(&self) -> &[search::Found] {
        &self.found
    }

    fn show_region(&mut self, r: Region) {
        self.region = r;
        let (sw, ne) = r.bounds();
        self.fit(sw, ne);
    }

    /// Fits the view to the box (now, or at the first frame if the map has no size yet).
    fn fit(&mut self, sw: LatLon, ne: LatLon) {
        let s = self.size.get();
        let v = View::fit(sw, ne, f64::from(s.width), f64::from(s.height), 24.0, FIT_MAX_ZOOM);
        self.center = v.center;
        self.zoom = v.zoom;
        self.fit_pending.set(Some((sw, ne)));
        self.view_changed();
    }

    fn view_changed(&self) {
        self.under.clear();
        self.overlay.clear();
    }

    /// What the selection, the focus, the track or the zone being edited covers, for "Ajustar".
    fn selection_bounds(&self, model: &LiveModel) -> Option<(LatLon, LatLon)> {
        let mut points: Vec<LatLon> = Vec::new();
        if let Some(t) = &self.track {
            points.extend(t.all_points());
        } else if let Some(e) = &self.editor {
            points.extend(e.points.iter().copied());
            if let Some(Shape::Circle { center, radius_m }) = e.shape(None) {
                points.extend(circle_box(center, radius_m));
            }
        } else if let Some(p) = self.picked {
            match p {
                Picked::Zone(id) => match model.zones.get(&id).map(|z| &z.shape) {
                    Some(Shape::Circle { center, radius_m }) => points.extend(circle_box(*center, *radius_m)),
                    Some(Shape::Rectangle { south_west, north_east }) => {
                        points.extend([*south_west, *north_east])
                    }
                    Some(Shape::Polygon { ring }) => points.extend(ring.iter().copied()),
                    None => {}
                },
                other => points.extend(picked_at(model, &self.pois, other)),
            }
        } else if let Some(f) = &self.focus {
            points.push(f.at);
        }
        bounds_of(&points)
    }

    /// Points out `focus` on the map: the view moves to it unless it is already in view, and the
    /// place is ringed.
    pub fn focus(&mut self, focus: Focus) {
        self.take_settle();
        if let Some(r) = Region::ALL.into_iter().skip(1).find(|r| r.contains(focus.at)) {
            self.region = r;
        }
        let v = self.view_now();
        let (x, y) = v.project(focus.at);
        let inside = x > 24.0 && y > 24.0 && x < v.width - 24.0 && y < v.height - 24.0;
        if !inside || self.zoom < 11.0 {
            self.center = focus.at;
            self.zoom = self.zoom.max(13.0);
            self.fit_pending.set(None);
            self.view_changed();
        }
        self.focus = Some(focus);
        self.invalidate();
    }

    /// The focused subject moved: the ring follows, the view stays.
    pub fn move_focus(&mut self, focus: Focus) {
        if self.focus.as_ref() != Some(&focus) {
            self.focus = Some(focus);
            self.overlay.clear();
        }
    }

    pub fn clear_focus(&mut self) {
        if self.focus.take().is_some() {
            self.overlay.clear();
        }
    }

    pub fn focused(&self) -> Option<&Focus> {
        self.focus.as_ref()
    }

    /// The live model changed: draw again on the next frame (labels at once, the picture as soon
    /// as the painter has it).
    pub fn invalidate(&self) {
        self.generation.set(self.generation.get() + 1);
        self.overlay.clear();
    }

    /// How many changes of the live data the picture on screen is behind (0: up to date;
    /// `None` before the first picture).
    pub fn picture_lag(&self) -> Option<u64> {
        let shown = self.picture.borrow().as_ref()?.generation;
        Some(self.generation.get().saturating_sub(shown))
    }

    /// The view a picture for the current view is painted for (the map's, with the margin).
    fn picture_view(&self) -> View {
        let v = self.view_now();
        View { width: v.width + 2.0 * MARGIN, height: v.height + 2.0 * MARGIN, ..v }
    }

    /// Whether the picture on screen is the one for the current view and data (tests and
    /// benchmarks wait for it).
    pub fn picture_settled(&self) -> bool {
        let v = self.view_now();
        let want = View { width: v.width + 2.0 * MARGIN, height: v.height + 2.0 * MARGIN, ..v };
        self.picture
            .borrow()
            .as_ref()
            .is_some_and(|p| p.generation >= self.generation.get() && p.view == want)
    }

    /// Wakes the console when a picture is painted or a tile arrives; drives playback.
    pub fn subscription(&self) -> Subscription<Message> {
        let mut subs = Vec::new();
        if let Some(p) = &self.painter {
            subs.push(wake(p.ready(), 0));
        }
        for (i, t) in [&self.street, &self.satellite].into_iter().enumerate() {
            if let Some(t) = t {
                subs.push(wake(t.ready(), 1 + i as u8));
            }
        }
        if self.track.as_ref().is_some_and(|t| t.playing) {
            subs.push(iced::time::every(std::time::Duration::from_millis(100)).map(Message::Frame));
        }
        Subscription::batch(subs)
    }

    fn tiles(&self) -> Option<&tiles::Tiles> {
        match self.source {
            Source::Base => None,
            Source::Street => self.street.as_ref(),
            Source::Satellite => self.satellite.as_ref(),
        }
    }

    pub fn update(&mut self, message: Message, model: &LiveModel) -> (Task<Message>, Option<Event>) {
        self.take_settle();
        self.overlay.clear();
        match message {
            Message::Region(r) => self.show_region(r),
            Message::Painted => {
                let Some(done) = self.painter.as_ref().and_then(Painter::take) else {
                    // Nothing came (a job failed): the same job may be asked for again.
                    *self.requested.borrow_mut() = None;
                    return (Task::none(), None);
                };
                let mut current = self.picture.borrow_mut();
                // A picture painted in the frame meanwhile may be newer than this one.
                let want = self.picture_view();
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
            Message::Tiles => self.invalidate(),
            Message::Pan(dx, dy) => {
                self.center = self.view_now().panned(f64::from(dx), f64::from(dy)).center;
                self.follow_off();
                self.view_changed();
            }
            Message::Zoom { by, at } => self.zoom_at(self.zoom + by, at),
            Message::ZoomIn => self.zoom_at(self.zoom.floor() + 1.0, self.middle()),
            Message::ZoomOut => self.zoom_at(self.zoom.ceil() - 1.0, self.middle()),
            Message::Fit => match self.selection_bounds(model) {
                Some((sw, ne)) => self.fit(sw, ne),
                None => self.show_region(self.region),
            },
            Message::Click(at) => self.click(at, model),
            Message::DoubleClick(at) => match &mut self.editor {
                Some(e) if !e.closed => e.finish(),
                _ => self.zoom_at(self.zoom + 1.0, at),
            },
            Message::Layer(l) => {
                if !self.layers.remove(&l) {
                    self.layers.insert(l);
                }
                self.invalidate();
            }
            Message::Source(s) => {
                self.source = s;
                self.invalidate();
            }
            Message::ClosePopup => {
                self.picked = None;
                self.invalidate();
            }
            Message::Draw(tool) => {
                if self.editor.as_ref().is_some_and(|e| e.saving) {
                    return (Task::none(), None);
                }
                // Another tool keeps what was typed in the form (a new shape, same zone data).
                let mut editor = zones::Editor::new(tool);
                if let Some(old) = self.editor.take() {
                    editor.keep_form(old);
                }
                self.editor = Some(editor);
                self.notice = None;
                self.picked = None;
                self.invalidate();
            }
            Message::EditZone => {
                if let Some(Picked::Zone(id)) = self.picked
                    && let Some(z) = model.zones.get(&id)
                {
                    self.editor = Some(zones::Editor::edit(z));
                    self.notice = None;
                    self.invalidate();
                }
            }
            Message::Handle(i, at) => {
                let p = self.view_now().unproject(f64::from(at.x), f64::from(at.y));
                if let Some(e) = &mut self.editor {
                    e.drag(i, p);
                }
            }
            Message::RemoveVertex(i) => {
                if let Some(e) = &mut self.editor {
                    e.remove(i);
                }
            }
            Message::FinishShape => {
                if let Some(e) = &mut self.editor {
                    e.finish();
                }
            }
            Message::UndoVertex => {
                if let Some(e) = &mut self.editor {
                    e.undo();
                }
            }
            Message::CancelDraw => {
                self.editor = None;
                self.invalidate();
            }
            Message::ZoneName(s) => self.edit(|e| e.name = s),
            Message::ZoneKind(k) => self.edit(|e| e.kind = k),
            Message::ZoneWarning(s) => self.edit(|e| e.warning_m = s),
            Message::ZoneGroup(s) => self.edit(|e| e.group = s),
            Message::SaveZone => {
                let Some(e) = &mut self.editor else { return (Task::none(), None) };
                if e.saving {
                    return (Task::none(), None);
                }
                match e.request() {
                    Ok(new) => {
                        e.saving = true;
                        e.errors.clear();
                        return (Task::none(), Some(Event::SaveZone(Box::new(new), e.zone.is_some())));
                    }
                    Err(errors) => e.errors = errors,
                }
            }
            Message::ZoneSaved(id, result) => {
                // Only the editor of that zone closes or shows the refusal; an answer that arrives
                // late (sent from the outbox) leaves another zone being drawn alone.
                let editing = self.editor.as_mut().filter(|e| e.id == id);
                match (result, editing) {
                    (Ok(zone), Some(_)) => {
                        self.notice = Some(format!("Zona \"{}\" salva.", zone.name));
                        self.editor = None;
                        self.picked = Some(Picked::Zone(zone.id));
                        self.invalidate();
                    }
                    (Ok(zone), None) => {
                        self.notice = Some(format!("Zona \"{}\" salva.", zone.name));
                        self.invalidate();
                    }
                    (Err(why), Some(e)) => {
                        e.saving = false;
                        e.errors = vec![why];
                    }
                    (Err(why), None) => self.notice = Some(why),
                }
            }
            Message::Track(hours) => {
                let (to, from) = (self.now, self.now - Duration::hours(hours));
                return (Task::none(), self.start_track(model, false, from, to));
            }
            Message::GroupTrack(hours) => {
                let (to, from) = (self.now, self.now - Duration::hours(hours));
                return (Task::none(), self.start_track(model, true, from, to));
            }
            Message::PeriodFrom(s) => {
                self.period.0 = s;
                self.period_error = None;
            }
            Message::PeriodTo(s) => {
                self.period.1 = s;
                self.period_error = None;
            }
            Message::TrackPeriod(group) => {
                match track::parse_period(&self.period.0, &self.period.1, self.tz, self.now) {
                    Ok((from, to)) => return (Task::none(), self.start_track(model, group, from, to)),
                    Err(why) => self.period_error = Some(why),
                }
            }
            Message::GroupLoaded(subject, from, result) => {
                self.track_answer(&subject, from, model, result.map(Answer::Group));
            }
            Message::TrackLoaded(subject, from, result) => {
                self.track_answer(&subject, from, model, result.map(Answer::Fixes));
            }
            Message::PlayPause => {
                self.last_frame = None;
                self.with_track(|t| t.toggle());
            }
            Message::Speed(s) => self.with_track(|t| t.speed = s),
            Message::Seek(v) => {
                self.with_track(|t| t.seek(v));
                self.follow_track();
            }
            Message::Follow => {
                self.with_track(|t| t.follow = !t.follow);
                self.follow_track();
            }
            Message::CloseTrack => {
                self.track = None;
                self.invalidate();
            }
            Message::Frame(now) => {
                let last = self.last_frame.replace(now);
                let elapsed = last.map_or(std::time::Duration::ZERO, |l| now.saturating_duration_since(l));
                self.with_track(|t| t.advance(elapsed.min(std::time::Duration::from_millis(500))));
                self.follow_track();
            }
            Message::Query(q) => {
                self.query = q;
                self.search_note = None;
            }
            Message::Search => return (self.search(model), None),
            Message::Geocoded(query, _) if query != self.query.trim() => {}
            Message::Geocoded(_, result) => match result {
                Ok(places) if places.is_empty() && self.found.is_empty() => {
                    self.search_note = Some("Nada encontrado.".into());
                }
                Ok(places) => {
                    self.search_note = None;
                    let known = std::mem::take(&mut self.found);
                    self.found = places.into_iter().chain(known).take(8).collect();
                }
                Err(why) => {
                    self.search_note = Some(if self.found.is_empty() {
                        format!("Nada encontrado entre os endereços conhecidos; {why}.")
                    } else {
                        format!("Mostrando endereços conhecidos; {why}.")
                    });
                }
            },
            Message::Go(i) => {
                if let Some(f) = self.found.get(i).cloned() {
                    self.center = f.at;
                    self.zoom = self.zoom.max(15.0);
                    self.fit_pending.set(None);
                    self.searched = Some(Focus { at: f.at, label: f.label.chars().take(48).collect() });
                    self.found.clear();
                    self.view_changed();
                }
            }
        }
        (Task::none(), None)
    }

    /// Asks for the picked subject's track (or its group's) over the period.
    fn start_track(
        &mut self,
        model: &LiveModel,
        group: bool,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> Option<Event> {
        let (subject, title) = match self.picked? {
            Picked::Person(d) if group => {
                let group =
                    model.devices.get(&d)?.person_id.and_then(|p| model.persons.get(&p))?.group.clone()?;
                (track::Subject::Group(group.clone()), format!("grupo {group}"))
            }
            Picked::Person(d) => {
                let person = model.devices.get(&d).and_then(|d| d.person_id);
                let subject = person.map_or(track::Subject::Device(d), track::Subject::Person);
                (subject, picked_title(model, &self.pois, Picked::Person(d)))
            }
            Picked::Vehicle(v) if !group => {
                let device = model.vehicles.get(&v)?.device_id?;
                (track::Subject::Device(device), picked_title(model, &self.pois, Picked::Vehicle(v)))
            }
            _ => return None,
        };
        self.period_error = None;
        self.track = Some(track::Playback::new(subject.clone(), title, from, to));
        self.invalidate();
        Some(Event::LoadTrack(subject, from, to))
    }

    /// A track (or a group's) arrived: shown, its alarms marked, the view fitted to it. An answer
    /// to an earlier request (another subject or period) is dropped.
    fn track_answer(
        &mut self,
        subject: &track::Subject,
        from: DateTime<Utc>,
        model: &LiveModel,
        answer: Result<Answer, String>,
    ) {
        let Some(t) = self.track.as_mut().filter(|t| t.subject == *subject && t.from == from) else { return };
        match answer {
            Ok(Answer::Fixes(fixes)) => {
                t.loaded(fixes);
                let person = match &t.subject {
                    track::Subject::Person(p) => Some(*p),
                    track::Subject::Device(d) => model.devices.get(d).and_then(|d| d.person_id),
                    track::Subject::Group(_) => None,
                };
                t.mark(track_marks(model, &t.subject, person));
            }
            Ok(Answer::Group(tracks)) => {
                t.loaded_group(tracks);
                let members: Vec<PersonId> = t.members.iter().map(|m| m.person).collect();
                t.mark_members(model.alarms.values().filter_map(|a| {
                    let person = match a.subject {
                        Subject::Person(p) => Some(p),
                        Subject::Device(d) => model.devices.get(&d).and_then(|d| d.person_id),
                        _ => None,
                    }?;
                    members
                        .contains(&person)
                        .then(|| (person, a.source_time, atalaia_core::text::alarm_kind(a.kind).to_owned()))
                }));
            }
            Err(why) => {
                t.loading = false;
                t.error = Some(why);
            }
        }
        if let Some((sw, ne)) = bounds_of(&t.all_points()) {
            self.fit(sw, ne);
        }
        self.invalidate();
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
        self.view_changed();
    }

    /// A manual pan stops the track from dragging the view back.
    fn follow_off(&mut self) {
        self.fit_pending.set(None);
        if let Some(t) = &mut self.track {
            t.follow = false;
        }
    }

    fn follow_track(&mut self) {
        let Some(t) = &self.track else { return };
        if t.follow
            && let Some(p) = t.position_at(t.now)
        {
            let v = self.view_now();
            let (x, y) = v.project(p);
            // Only when the subject is about to leave the map: a view that jumps at every fix is
            // impossible to read.
            let m = 12.0;
            if x < m || x > v.width - m || y < m || y > v.height - m {
                self.center = p;
                self.fit_pending.set(None);
                self.view_changed();
            }
        }
        self.invalidate();
    }

    fn edit(&mut self, f: impl FnOnce(&mut zones::Editor)) {
        if let Some(e) = &mut self.editor {
            f(e);
            e.errors.clear();
            self.invalidate();
        }
    }

    fn with_track(&mut self, f: impl FnOnce(&mut track::Playback)) {
        if let Some(t) = &mut self.track {
            f(t);
            self.invalidate();
        }
    }

    fn search(&mut self, model: &LiveModel) -> Task<Message> {
        let q = self.query.trim().to_owned();
        self.found.clear();
        self.search_note = None;
        if q.is_empty() {
            return Task::none();
        }
        if let Some(at) = search::parse_coordinates(&q) {
            self.found = vec![search::Found {
                label: format!("{:.5}, {:.5}", at.lat, at.lon),
                at,
                source: "coordenada",
            }];
            return Task::done(Message::Go(0));
        }
        self.found = search::known(model, &q, 6);
        match &self.geocoder {
            Some(base) => {
                let asked = q.clone();
                Task::perform(search::geocode(base.clone(), q), move |r| Message::Geocoded(asked.clone(), r))
            }
            None => {
                if self.found.is_empty() {
                    self.search_note = Some("Nada encontrado entre os endereços conhecidos.".into());
                }
                Task::none()
            }
        }
    }

    /// A click on the map: a vertex while drawing, otherwise the nearest thing under it.
    fn click(&mut self, at: Point, model: &LiveModel) {
        let v = self.view_now();
        let p = v.unproject(f64::from(at.x), f64::from(at.y));
        if let Some(e) = &mut self.editor {
            if !e.closed {
                let on_first = e.points.first().is_some_and(|f| {
                    let (x, y) = v.project(*f);
                    (x as f32 - at.x).hypot(y as f32 - at.y) <= HIT
                });
                e.click(p, on_first);
            }
            return;
        }
        // A group of people: zoom in on it.
        if self.layers.contains(&Layer::People) && self.zoom < scene::CLUSTER_BELOW_ZOOM {
            let cluster = self.picture.borrow().as_ref().and_then(|pic| {
                pic.clusters
                    .iter()
                    .map(|(c, _)| (*c, screen(&v, *c)))
                    .find(|(_, s)| s.distance(at) <= 18.0)
                    .map(|(c, _)| c)
            });
            if let Some(c) = cluster {
                self.center = c;
                self.zoom = (self.zoom + 2.0).min(scene::CLUSTER_BELOW_ZOOM);
                self.fit_pending.set(None);
                self.view_changed();
                return;
            }
        }
        self.picked = self.hit(model, &v, at, p);
        self.notice = None;
        self.invalidate();
    }

    fn hit(&self, model: &LiveModel, v: &View, at: Point, p: LatLon) -> Option<Picked> {
        let near = |q: LatLon| {
            let d = screen(v, q).distance(at);
            (d <= HIT).then_some(d)
        };
        let mut best: Option<(f32, Picked)> = None;
        fn consider(best: &mut Option<(f32, Picked)>, d: Option<f32>, what: Picked) {
            if let Some(d) = d
                && best.is_none_or(|(b, _)| d < b)
            {
                *best = Some((d, what));
            }
        }
        if self.layers.contains(&Layer::Vehicles) {
            for veh in model.vehicles.values() {
                consider(&mut best, vehicle_position(model, veh).and_then(near), Picked::Vehicle(veh.id));
            }
        }
        if self.layers.contains(&Layer::Pois) {
            for (i, poi) in self.pois.iter().enumerate() {
                consider(&mut best, near(poi.at), Picked::Poi(i));
            }
        }
        if best.is_some() {
            return best.map(|(_, w)| w);
        }
        if self.layers.contains(&Layer::People) {
            // Below the grouping zoom a click on a group zoomed in above; a click here is on a
            // person drawn alone (or in alarm).
            for (device, trail) in &model.trails {
                let Some(last) = trail.back() else { continue };
                let person = last.person_id.or_else(|| model.devices.get(device).and_then(|d| d.person_id));
                if person.is_none() {
                    continue;
                }
                consider(&mut best, near(last.at), Picked::Person(*device));
            }
        }
        if self.layers.contains(&Layer::Occurrences) {
            for o in model.regulation_queue() {
                consider(&mut best, o.location.and_then(near), Picked::Occurrence(o.id));
            }
        }
        if best.is_some() {
            return best.map(|(_, w)| w);
        }
        if self.layers.contains(&Layer::Zones) {
            // The smallest zone containing the point (nested zones: the inner one).
            let mut zones: Vec<&Zone> =
                model.zones.values().filter(|z| z.active && z.shape.contains(&p)).collect();
            zones.sort_by(|a, b| shape_area(&a.shape).total_cmp(&shape_area(&b.shape)));
            return zones.first().map(|z| Picked::Zone(z.id));
        }
        None
    }

    /// The scene for `view` (the picture's, margin included), copied out of the model.
    fn scene(&self, model: &LiveModel, view: View, generation: u64) -> Scene {
        let on = |l: Layer| self.layers.contains(&l);
        let in_alarm = people_in_alarm(model);
        let person_of =
            |p: &Position| p.person_id.or_else(|| model.devices.get(&p.device_id).and_then(|d| d.person_id));
        let trails = if on(Layer::Trails) {
            let moving = model.trails.values().filter(|t| t.len() > 1);
            let all = moving.clone().count() <= ALL_TRAILS_UP_TO;
            moving
                .filter(|t| {
                    (all && t.back().is_some_and(|l| {
                        if l.vehicle_id.is_some() { on(Layer::Vehicles) } else { on(Layer::People) }
                    })) || t.back().is_some_and(|last| {
                        last.vehicle_id.is_some() && on(Layer::Vehicles)
                            || person_of(last).is_some_and(|p| in_alarm.contains(&p))
                    })
                })
                .map(|t| t.iter().map(|p| p.at).collect())
                .collect()
        } else {
            Vec::new()
        };
        let occurrences = if on(Layer::Occurrences) {
            let queue = model.regulation_queue();
            [
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
            .collect()
        } else {
            Vec::new()
        };
        let (mut people, mut alarmed, mut accuracy) = (Vec::new(), Vec::new(), Vec::new());
        for trail in model.trails.values() {
            let Some(last) = trail.back() else { continue };
            match person_of(last) {
                Some(p) if in_alarm.contains(&p) => alarmed.push(last.at),
                Some(_) if on(Layer::People) => people.push(last.at),
                _ => continue,
            }
            if on(Layer::Accuracy)
                && let Some(m) = last.accuracy_m
            {
                accuracy.push((last.at, m));
            }
        }
        let vehicles = if on(Layer::Vehicles) {
            model
                .vehicles
                .values()
                .filter_map(|v| {
                    Some((
                        vehicle_position(model, v)?,
                        theme::vehicle_status(v.status),
                        v.telemetry.course_deg as f32,
                    ))
                })
                .collect()
        } else {
            Vec::new()
        };
        let editing = self.editor.as_ref().and_then(|e| e.zone);
        let zones = if on(Layer::Zones) {
            let mut z: Vec<scene::ZoneDraw> = model
                .zones
                .values()
                .filter(|z| z.active && Some(z.id) != editing)
                .map(|z| scene::ZoneDraw {
                    shape: z.shape.clone(),
                    kind: z.kind,
                    warning_m: z.warning_m,
                    selected: self.picked == Some(Picked::Zone(z.id)),
                })
                .collect();
            // Large zones under small ones.
            z.sort_by(|a, b| shape_area(&b.shape).total_cmp(&shape_area(&a.shape)));
            z
        } else {
            Vec::new()
        };
        let mut tracks = Vec::new();
        if let Some(t) = &self.track {
            let events: Vec<LatLon> = t.marks.iter().map(|m| m.place).collect();
            if !t.points.is_empty() {
                tracks.push(scene::TrackDraw {
                    points: Arc::clone(&t.points),
                    played: t.played(t.now),
                    now: t.position_at(t.now),
                    events: events.clone(),
                    colour: theme::PURPLE,
                });
            }
            // A group: a colour per member (the events on the first line drawn).
            for (i, m) in t.members.iter().enumerate() {
                tracks.push(scene::TrackDraw {
                    points: Arc::clone(&m.points),
                    played: m.played(t.now),
                    now: m.position_at(t.now),
                    events: if i == 0 && t.points.is_empty() { events.clone() } else { Vec::new() },
                    colour: MEMBER_COLOURS[i % MEMBER_COLOURS.len()],
                });
            }
        }
        let tiles = self.tiles().map(|t| t.for_view(&view)).unwrap_or_default();
        let pois =
            if on(Layer::Pois) { self.pois.iter().map(|p| (p.at, p.kind)).collect() } else { Vec::new() };
        Scene {
            pois,
            generation,
            view,
            ratio: self.pixel_ratio,
            tiles,
            zones,
            accuracy,
            trails,
            tracks,
            occurrences,
            people,
            alarmed,
            vehicles,
        }
    }

    /// The scene of the current view as the painting thread would get it (benchmarks).
    pub fn current_scene(&self, model: &LiveModel) -> Scene {
        let v = self.view_now();
        let want = View { width: v.width + 2.0 * MARGIN, height: v.height + 2.0 * MARGIN, ..v };
        self.scene(model, want, self.generation.get())
    }

    /// The picture to show for the map at `size`: the newest painted one (it may be of a slightly
    /// different view: the frame moves and scales it into place); a new one is asked for when it
    /// is out of date. Painted here and now only when there is none of this size yet (the first
    /// frame, a resize, a new interface scale) or no painting thread.
    fn picture(&self, size: Size, model: &LiveModel) -> Option<Picture> {
        if self.size.get() != size {
            self.size.set(size);
            if let Some((sw, ne)) = self.fit_pending.get() {
                // The fit was computed for another size: keep what it meant to show.
                let v = View::fit(sw, ne, f64::from(size.width), f64::from(size.height), 24.0, FIT_MAX_ZOOM);
                // Interior mutability: the view is state the frame may settle on its first draw.
                self.settle.set(Some((v.center, v.zoom)));
            }
        }
        let v = self.view_now();
        let want = View { width: v.width + 2.0 * MARGIN, height: v.height + 2.0 * MARGIN, ..v };
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
                    painter.request(generation, self.scene(model, want, generation));
                }
            }
            _ => {
                if !current.as_ref().is_some_and(up_to_date) {
                    *current = self.scene(model, want, generation).paint();
                    self.under.clear();
                }
            }
        }
        current.clone().filter(same_size)
    }

    pub fn view<'a>(&'a self, ctx: &Ctx<'a>) -> Element<'a, Message> {
        let (model, tz) = (ctx.model, ctx.tz);
        // No card around the map: its picture paints the background itself. In a short pane
        // (large text, RNF06) the map keeps the space: the bottom bar goes first, then the tools.
        iced::widget::responsive(move |size| {
            let map = self.canvas(model);
            let mut c = column![].spacing(6).padding(8);
            // A pane of the dashboard keeps most of its height for the map: the layer toggles and
            // the legend need a tall pane (the map alone, F11, has them).
            if size.height >= 200.0 {
                c = c.push(self.toolbar(size.height >= 440.0));
            }
            if !self.found.is_empty() || self.search_note.is_some() {
                c = c.push(self.results());
            }
            c = c.push(map);
            let busy = self.editor.is_some()
                || self.track.is_some()
                || self.picked.is_some()
                || self.notice.is_some();
            if size.height >= 440.0 || busy && size.height >= 300.0 {
                c = c.push(self.bottom(model, tz));
            }
            c.into()
        })
        .into()
    }

    /// The wall display's map: no tools (nobody touches a wall), the legend under it.
    pub fn wall_view<'a>(&'a self, model: &'a LiveModel) -> Element<'a, Message> {
        column![self.canvas(model), legend()].spacing(6).padding(8).into()
    }

    /// The map alone, without its tool bars (tests, benchmarks).
    pub fn canvas<'a>(&'a self, model: &'a LiveModel) -> Element<'a, Message> {
        iced::widget::stack![
            canvas::Canvas::new(PictureProgram { state: self, model }).width(Fill).height(Fill),
            canvas::Canvas::new(MapProgram { state: self, model }).width(Fill).height(Fill),
        ]
        .width(Fill)
        .height(Fill)
        .into()
    }

    fn toolbar(&self, tall: bool) -> Element<'_, Message> {
        let small = |label: &'static str| text(label).size(theme::SMALL);
        let toggle = |label: &'static str, on: bool, m: Message| {
            button(small(label)).padding([3, 9]).style(theme::toggle(on)).on_press(m)
        };
        let mut first = row![].spacing(6).align_y(Center);
        for r in Region::ALL {
            first = first.push(toggle(r.label(), r == self.region, Message::Region(r)));
        }
        first = first.push(space().width(8));
        first = first
            .push(button(small("−")).padding([3, 10]).style(button::secondary).on_press(Message::ZoomOut));
        first = first
            .push(button(small("+")).padding([3, 10]).style(button::secondary).on_press(Message::ZoomIn));
        first = first
            .push(button(small("Ajustar")).padding([3, 9]).style(button::secondary).on_press(Message::Fit));
        if self.street.is_some() || self.satellite.is_some() {
            first = first.push(space().width(8));
            for s in [Source::Base, Source::Street, Source::Satellite] {
                let available = match s {
                    Source::Base => true,
                    Source::Street => self.street.is_some(),
                    Source::Satellite => self.satellite.is_some(),
                };
                if available {
                    first = first.push(toggle(s.label(), self.source == s, Message::Source(s)));
                }
            }
        }
        first = first.push(space().width(8));
        first = first.push(
            text_input("Buscar endereço ou coordenada", &self.query)
                .on_input(Message::Query)
                .on_submit(Message::Search)
                .size(theme::SMALL)
                .padding([3, 8])
                .width(260),
        );
        let first = first.wrap();
        if !tall {
            return first.into();
        }
        let mut second = row![small("Camadas:").color(theme::MUTED)].spacing(6).align_y(Center);
        for l in Layer::ALL {
            second = second.push(toggle(l.label(), self.layers.contains(&l), Message::Layer(l)));
        }
        if self.can_edit_zones {
            second = second.push(space().width(8));
            second = second.push(small("Nova zona:").color(theme::MUTED));
            for tool in zones::Tool::ALL {
                let active = self.editor.as_ref().is_some_and(|e| e.tool == tool && e.zone.is_none());
                second = second.push(toggle(tool.label(), active, Message::Draw(tool)));
            }
        }
        column![first, second.wrap()].spacing(6).into()
    }

    fn results(&self) -> Element<'_, Message> {
        let mut r = row![].spacing(6).align_y(Center);
        for (i, f) in self.found.iter().enumerate() {
            let label = format!("{} · {}", f.label.chars().take(60).collect::<String>(), f.source);
            r = r.push(
                button(text(label).size(theme::SMALL))
                    .padding([2, 8])
                    .style(button::secondary)
                    .on_press(Message::Go(i)),
            );
        }
        if let Some(note) = &self.search_note {
            r = r.push(text(note.clone()).size(theme::SMALL).color(theme::ORANGE));
        }
        r.wrap().into()
    }

    /// Below the map: the zone form, the track bar, the selection's actions, or the legend.
    fn bottom<'a>(&'a self, model: &'a LiveModel, tz: chrono_tz::Tz) -> Element<'a, Message> {
        if let Some(e) = &self.editor {
            return self.zone_form(e);
        }
        if let Some(t) = &self.track {
            return self.track_bar(t, tz);
        }
        let mut r = row![].spacing(8).align_y(Center);
        if let Some(p) = self.picked {
            r = r.push(text(picked_title(model, &self.pois, p)).size(theme::SMALL));
            let group = match p {
                Picked::Person(d) => model
                    .devices
                    .get(&d)
                    .and_then(|d| d.person_id)
                    .and_then(|p| model.persons.get(&p))
                    .and_then(|p| p.group.clone()),
                _ => None,
            };
            if group.is_some() {
                r = r.push(
                    button(text("Trajetos do grupo 2 h").size(theme::SMALL))
                        .padding([3, 9])
                        .style(button::secondary)
                        .on_press(Message::GroupTrack(2)),
                );
            }
            if matches!(p, Picked::Person(_) | Picked::Vehicle(_)) {
                r = r.push(
                    button(text("Trajeto 2 h").size(theme::SMALL))
                        .padding([3, 9])
                        .style(button::secondary)
                        .on_press(Message::Track(2)),
                );
                r = r.push(
                    button(text("Trajeto 24 h").size(theme::SMALL))
                        .padding([3, 9])
                        .style(button::secondary)
                        .on_press(Message::Track(24)),
                );
            }
            if matches!(p, Picked::Person(_) | Picked::Vehicle(_)) {
                r = r.push(
                    text_input("de dd/mm/aaaa hh:mm", &self.period.0)
                        .on_input(Message::PeriodFrom)
                        .on_submit(Message::TrackPeriod(false))
                        .size(theme::SMALL)
                        .padding([3, 6])
                        .width(150),
                );
                r = r.push(
                    text_input("até (agora)", &self.period.1)
                        .on_input(Message::PeriodTo)
                        .on_submit(Message::TrackPeriod(false))
                        .size(theme::SMALL)
                        .padding([3, 6])
                        .width(130),
                );
                r = r.push(
                    button(text("Trajeto do período").size(theme::SMALL))
                        .padding([3, 9])
                        .style(button::secondary)
                        .on_press(Message::TrackPeriod(false)),
                );
                if group.is_some() {
                    r = r.push(
                        button(text("Grupo no período").size(theme::SMALL))
                            .padding([3, 9])
                            .style(button::secondary)
                            .on_press(Message::TrackPeriod(true)),
                    );
                }
                if let Some(e) = &self.period_error {
                    r = r.push(text(e.clone()).size(theme::SMALL).color(theme::RED));
                }
            }
            if matches!(p, Picked::Zone(_)) && self.can_edit_zones {
                r = r.push(
                    button(text("Editar zona").size(theme::SMALL))
                        .padding([3, 9])
                        .style(button::secondary)
                        .on_press(Message::EditZone),
                );
            }
            r = r.push(
                button(text("Fechar").size(theme::SMALL))
                    .padding([3, 9])
                    .style(button::text)
                    .on_press(Message::ClosePopup),
            );
        } else {
            r = r.push(legend());
        }
        if let Some(n) = &self.notice {
            r = r.push(text(n.clone()).size(theme::SMALL).color(theme::GREEN));
        }
        if let Some(e) = &self.pois_error {
            r = r.push(text(e.clone()).size(theme::SMALL).color(theme::ORANGE));
        }
        r.wrap().into()
    }

    fn zone_form<'a>(&'a self, e: &'a zones::Editor) -> Element<'a, Message> {
        let small = |s: String| text(s).size(theme::SMALL);
        let title = if e.zone.is_some() { "Editando zona" } else { "Nova zona" };
        let mut top =
            row![small(format!("{title} ({})", e.tool.label().to_lowercase()))].spacing(8).align_y(Center);
        if !e.closed {
            top = top.push(small(e.tool.hint(e.points.len()).to_owned()).color(theme::MUTED));
            if e.tool == zones::Tool::Polygon && e.points.len() >= 3 {
                top = top.push(
                    button(small("Concluir".into()))
                        .padding([3, 9])
                        .style(button::secondary)
                        .on_press(Message::FinishShape),
                );
            }
        } else {
            top = top.push(
                small("Arraste os pontos para ajustar; clique com o botão direito remove um vértice.".into())
                    .color(theme::MUTED),
            );
        }
        let mut kinds = row![].spacing(4);
        for (k, label) in [
            (ZoneKind::Inclusion, "Inclusão"),
            (ZoneKind::Exclusion, "Exclusão"),
            (ZoneKind::Warning, "Advertência"),
        ] {
            kinds = kinds.push(
                button(small(label.into()))
                    .padding([3, 9])
                    .style(theme::toggle(e.kind == k))
                    .on_press(Message::ZoneKind(k)),
            );
        }
        let mut form = row![
            text_input("Nome da zona", &e.name)
                .on_input(Message::ZoneName)
                .size(theme::SMALL)
                .padding([3, 8])
                .width(200),
            kinds,
        ]
        .spacing(8)
        .align_y(Center);
        if e.kind == ZoneKind::Exclusion {
            form = form.push(
                text_input("Faixa de advertência (m)", &e.warning_m)
                    .on_input(Message::ZoneWarning)
                    .size(theme::SMALL)
                    .padding([3, 8])
                    .width(170),
            );
        }
        form = form.push(
            text_input("Grupo", &e.group)
                .on_input(Message::ZoneGroup)
                .size(theme::SMALL)
                .padding([3, 8])
                .width(150),
        );
        let save = if e.saving { "Salvando…" } else { "Salvar zona" };
        let mut save_button = button(small(save.into())).padding([3, 12]).style(button::primary);
        if !e.saving {
            save_button = save_button.on_press(Message::SaveZone);
        }
        form = form.push(save_button);
        form = form.push(
            button(small("Cancelar".into()))
                .padding([3, 9])
                .style(button::text)
                .on_press(Message::CancelDraw),
        );
        let mut c = column![top.wrap(), form.wrap()].spacing(6);
        for err in &e.errors {
            c = c.push(small(err.clone()).color(theme::RED));
        }
        c.into()
    }

    fn track_bar<'a>(&'a self, t: &'a track::Playback, tz: chrono_tz::Tz) -> Element<'a, Message> {
        let small = |s: String| text(s).size(theme::SMALL);
        let period = format!("{} – {}", format::datetime(t.from, tz), format::datetime(t.to, tz));
        let mut top = row![small(format!("Trajeto: {}", t.title)), small(period).color(theme::MUTED)]
            .spacing(10)
            .align_y(Center);
        if t.loading {
            top = top.push(small("Carregando…".into()).color(theme::MUTED));
        } else if let Some(err) = &t.error {
            top = top.push(small(err.clone()).color(theme::RED));
        } else {
            top = top.push(
                small({
                    let plural =
                        |n: usize, one: &str, many: &str| format!("{n} {}", if n == 1 { one } else { many });
                    let fixes = t.fixes.len() + t.members.iter().map(|m| m.points.len()).sum::<usize>();
                    let mut parts = vec![
                        plural(fixes, "posição", "posições"),
                        plural(t.marks.len(), "evento", "eventos"),
                    ];
                    if !t.members.is_empty() {
                        parts.insert(0, plural(t.members.len(), "pessoa", "pessoas"));
                    }
                    parts.join(", ")
                })
                .color(theme::MUTED),
            );
        }
        top = top.push(
            button(small("Fechar trajeto".into()))
                .padding([3, 9])
                .style(button::text)
                .on_press(Message::CloseTrack),
        );
        let play = if t.playing { "Pausar" } else { "Reproduzir" };
        let mut controls = row![
            button(small(play.into())).padding([3, 12]).style(button::primary).on_press(Message::PlayPause),
        ]
        .spacing(6)
        .align_y(Center);
        for s in track::SPEEDS {
            controls = controls.push(
                button(small(format!("{s}×")))
                    .padding([3, 8])
                    .style(theme::toggle(t.speed == s))
                    .on_press(Message::Speed(s)),
            );
        }
        controls = controls.push(slider(0.0..=1000.0, t.progress(), Message::Seek).width(Fill));
        controls = controls.push(small(format::datetime(t.now, tz)));
        controls = controls.push(
            button(small("Seguir".into()))
                .padding([3, 9])
                .style(theme::toggle(t.follow))
                .on_press(Message::Follow),
        );
        column![top.wrap(), controls].spacing(6).into()
    }
}

/// Where `p` is on the map at `v`.
fn screen(v: &View, p: LatLon) -> Point {
    let (x, y) = v.project(p);
    Point::new(x as f32, y as f32)
}

/// South-west and north-east corners of the points, if any.
fn bounds_of(points: &[LatLon]) -> Option<(LatLon, LatLon)> {
    let first = points.first()?;
    let (mut sw, mut ne) = (*first, *first);
    for p in points {
        sw = LatLon { lat: sw.lat.min(p.lat), lon: sw.lon.min(p.lon) };
        ne = LatLon { lat: ne.lat.max(p.lat), lon: ne.lon.max(p.lon) };
    }
    Some((sw, ne))
}

fn circle_box(center: LatLon, radius_m: f64) -> [LatLon; 2] {
    [
        center.moved(225.0, radius_m * std::f64::consts::SQRT_2),
        center.moved(45.0, radius_m * std::f64::consts::SQRT_2),
    ]
}

/// Area for ordering zones (square degrees; only compared with each other).
fn shape_area(s: &Shape) -> f64 {
    match s {
        Shape::Circle { radius_m, .. } => std::f64::consts::PI * (radius_m / 111_320.0).powi(2),
        Shape::Rectangle { south_west, north_east } => {
            (north_east.lat - south_west.lat).abs() * (north_east.lon - south_west.lon).abs()
        }
        Shape::Polygon { ring } => {
            let n = ring.len();
            (0..n)
                .map(|i| {
                    let (a, b) = (ring[i], ring[(i + 1) % n]);
                    a.lon * b.lat - b.lon * a.lat
                })
                .sum::<f64>()
                .abs()
                / 2.0
        }
    }
}

/// Where a picked vehicle, person or occurrence is now.
fn picked_at(model: &LiveModel, pois: &[pois::Poi], p: Picked) -> Option<LatLon> {
    match p {
        Picked::Poi(i) => pois.get(i).map(|p| p.at),
        Picked::Vehicle(v) => vehicle_position(model, model.vehicles.get(&v)?),
        Picked::Person(d) => model.last_position(d).map(|p| p.at),
        Picked::Occurrence(o) => model.occurrences.get(&o)?.location,
        Picked::Zone(z) => Some(model.zones.get(&z)?.shape.anchor()),
    }
}

/// One line naming what was picked.
fn picked_title(model: &LiveModel, pois: &[pois::Poi], p: Picked) -> String {
    match p {
        Picked::Poi(i) => {
            pois.get(i).map_or_else(String::new, |p| format!("{} · {}", p.name, p.kind.label()))
        }
        Picked::Vehicle(v) => model.vehicles.get(&v).map_or_else(String::new, |v| {
            format!("{} · {}", v.code, atalaia_core::text::vehicle_status(v.status))
        }),
        Picked::Person(d) => {
            let person = model.devices.get(&d).and_then(|d| d.person_id).and_then(|p| model.persons.get(&p));
            person.map_or_else(
                || model.devices.get(&d).map_or_else(String::new, |d| format!("Dispositivo {}", d.imei)),
                |p| p.name.clone(),
            )
        }
        Picked::Occurrence(o) => {
            model.occurrences.get(&o).map_or_else(String::new, |o| format!("Ocorrência {}", o.number))
        }
        Picked::Zone(z) => model.zones.get(&z).map_or_else(String::new, |z| {
            format!("Zona {} · {}", z.name, atalaia_core::text::zone_kind(z.kind))
        }),
    }
}

/// The popup's lines for what was picked.
fn popup_lines(model: &LiveModel, pois: &[pois::Poi], p: Picked, tz: chrono_tz::Tz) -> Vec<String> {
    let mut lines = vec![picked_title(model, pois, p)];
    match p {
        Picked::Poi(i) => {
            if let Some(p) = pois.get(i) {
                lines.push(format!("{:.5}, {:.5}", p.at.lat, p.at.lon));
            }
        }
        Picked::Vehicle(id) => {
            if let Some(v) = model.vehicles.get(&id) {
                lines.push(format!("{} · base {}", atalaia_core::text::vehicle_kind(v.kind), v.base));
                lines.push(format!(
                    "{:.0} km/h · {}",
                    v.telemetry.speed_kmh,
                    format::datetime(v.updated_at, tz)
                ));
            }
        }
        Picked::Person(d) => {
            if let Some(fix) = model.last_position(d) {
                lines.push(format!("Última posição {}", format::datetime(fix.fix_time, tz)));
                let mut health = Vec::new();
                if let Some(b) = fix.battery_pct {
                    health.push(format!("bateria {b:.0}%"));
                }
                if let Some(a) = fix.accuracy_m {
                    health.push(format!("precisão {a:.0} m"));
                }
                if !health.is_empty() {
                    lines.push(health.join(" · "));
                }
            }
            let alarms =
                model.alarms.values().filter(|a| a.is_active() && alarm_device(model, a) == Some(d)).count();
            if alarms > 0 {
                lines.push(format!("{alarms} alarme(s) ativo(s)"));
            }
        }
        Picked::Occurrence(id) => {
            if let Some(o) = model.occurrences.get(&id) {
                let level = o.priority.map_or("Sem classificação", atalaia_core::text::priority);
                lines.push(format!("{level} · {}", o.municipality));
                lines.push(o.address.clone());
            }
        }
        Picked::Zone(id) => {
            if let Some(z) = model.zones.get(&id) {
                let owner = z
                    .person_id
                    .and_then(|p| model.persons.get(&p))
                    .map(|p| p.name.clone())
                    .or_else(|| z.group.clone().map(|g| format!("grupo {g}")))
                    .unwrap_or_default();
                lines.push(owner);
                if let Some(m) = z.warning_m {
                    lines.push(format!("faixa de advertência {m:.0} m"));
                }
            }
        }
    }
    lines.retain(|l| !l.is_empty());
    lines
}

/// The device an alarm is about (directly or through its person).
fn alarm_device(model: &LiveModel, a: &atalaia_core::alarm::Alarm) -> Option<DeviceId> {
    match a.subject {
        Subject::Device(d) => Some(d),
        Subject::Person(p) => model.devices.values().find(|d| d.person_id == Some(p)).map(|d| d.id),
        Subject::Vehicle(_) | Subject::Occurrence(_) => None,
    }
}

/// The subject's alarms, as marks for a track.
fn track_marks(
    model: &LiveModel,
    subject: &track::Subject,
    person: Option<PersonId>,
) -> Vec<(DateTime<Utc>, String)> {
    model
        .alarms
        .values()
        .filter(|a| match (a.subject, subject) {
            (Subject::Person(p), _) => Some(p) == person,
            (Subject::Device(d), track::Subject::Device(s)) => d == *s,
            (Subject::Device(d), track::Subject::Person(p)) => {
                model.devices.get(&d).and_then(|d| d.person_id) == Some(*p)
            }
            _ => false,
        })
        .map(|a| (a.source_time, atalaia_core::text::alarm_kind(a.kind).to_owned()))
        .collect()
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
        item(Color { a: 0.5, ..theme::GREEN }, false, "Inclusão"),
        item(Color { a: 0.5, ..theme::RED }, false, "Exclusão"),
        item(scene::BUFFER, false, "Advertência"),
    ])
    .spacing(14)
    .wrap()
    .into()
}

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

struct MapProgram<'a> {
    state: &'a State,
    model: &'a LiveModel,
}

impl MapProgram<'_> {
    fn handle_at(&self, at: Point) -> Option<usize> {
        let e = self.state.editor.as_ref()?;
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
                Some(canvas::Action::publish(Message::RemoveVertex(i)).and_capture())
            }
            canvas::Event::Mouse(mouse::Event::CursorMoved { .. }) => {
                let at = cursor.position_from(bounds.position())?;
                if let Some(i) = g.handle {
                    return Some(canvas::Action::publish(Message::Handle(i, at)).and_capture());
                }
                if let (Some(press), Some(last)) = (g.press, g.last) {
                    if !g.dragging && press.distance(at) < 4.0 {
                        return Some(canvas::Action::capture());
                    }
                    g.dragging = true;
                    g.last = Some(at);
                    return Some(
                        canvas::Action::publish(Message::Pan(at.x - last.x, at.y - last.y)).and_capture(),
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
                Some(canvas::Action::publish(Message::Zoom { by, at }).and_capture())
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
                let drawing = self.state.editor.as_ref().is_some_and(|e| !e.closed);
                let m = match key.as_ref() {
                    Key::Named(Named::ArrowLeft) => Message::Pan(120.0, 0.0),
                    Key::Named(Named::ArrowRight) => Message::Pan(-120.0, 0.0),
                    Key::Named(Named::ArrowUp) => Message::Pan(0.0, 120.0),
                    Key::Named(Named::ArrowDown) => Message::Pan(0.0, -120.0),
                    Key::Character("+" | "=") => Message::ZoomIn,
                    Key::Character("-") => Message::ZoomOut,
                    Key::Named(Named::Enter) if drawing => Message::FinishShape,
                    Key::Named(Named::Backspace) if drawing => Message::UndoVertex,
                    Key::Named(Named::Escape) if self.state.editor.is_some() => Message::CancelDraw,
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
        let picture = state.picture.borrow();
        // While the map moves (the picture on screen is of another view) names and call signs
        // wait: each moving label is a region the window compositor redraws on its own, and a
        // drag with 60 of them took twice the frame budget. They are back with the next picture.
        let still = picture.as_ref().is_some_and(|p| p.view == state.picture_view());
        let base = state.overlay.draw(renderer, size, |frame| {
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
            if let Some(t) = &state.track {
                track_labels(frame, &v, t, state.tz);
            }
            for focus in [&state.searched, &state.focus].into_iter().flatten() {
                draw_focus(frame, &v, focus);
            }
            // The track bar names the subject; a popup would cover the track.
            if let Some(p) = state.picked.filter(|_| state.track.is_none()) {
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
        if let Some(e) = &state.editor {
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
            Some(_) if self.state.editor.as_ref().is_some_and(|e| !e.closed) => mouse::Interaction::Crosshair,
            Some(_) => mouse::Interaction::Pointer,
            None => mouse::Interaction::default(),
        }
    }
}

/// The part of a picture a frame shows, cut out at whole device pixels.
#[derive(Debug, Clone)]
struct Crop {
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
struct PictureProgram<'a> {
    state: &'a State,
    model: &'a LiveModel,
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
        vec![state.under.draw(renderer, size, |frame| {
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
                let mut crop = state.crop.borrow_mut();
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

/// A label on a white halo box, so it reads over tiles and markers.
fn boxed(frame: &mut Frame, content: String, at: Point, size: f32, fg: Color, bg: Color) -> Rectangle {
    let w = size * 0.56 * content.chars().count() as f32 + 8.0;
    let r = Rectangle::new(Point::new(at.x - 4.0, at.y - 2.0), Size::new(w, size + 6.0));
    frame.fill_rectangle(r.position(), r.size(), bg);
    label(frame, content, at, size, fg);
    r
}

fn inside(size: Size, p: Point, pad: f32) -> bool {
    p.x >= -pad && p.y >= -pad && p.x <= size.width + pad && p.y <= size.height + pad
}

/// Counts on the groups of people (positions from the picture, moved to the current view).
fn cluster_counts(frame: &mut Frame, v: &View, p: &Picture) {
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
fn place_labels(frame: &mut Frame, v: &View) {
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
fn poi_labels(frame: &mut Frame, v: &View, pois: &[pois::Poi]) {
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

fn vehicle_labels(frame: &mut Frame, v: &View, model: &LiveModel) {
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

fn track_labels(frame: &mut Frame, v: &View, t: &track::Playback, tz: chrono_tz::Tz) {
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
fn draw_focus(frame: &mut Frame, v: &View, focus: &Focus) {
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

fn draw_popup(
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
fn draw_editor(frame: &mut Frame, v: &View, e: &zones::Editor, cursor: Option<LatLon>) {
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

fn draw_scale(frame: &mut Frame, v: &View) {
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

#[cfg(test)]
mod tests {
    use super::*;
    use atalaia_core::auth::Role;

    #[test]
    fn monitoring_roles_open_on_porto_velho_samu_roles_on_belo_horizonte() {
        assert_eq!(State::for_role(Role::MonitoringOperator).region, Region::PortoVelho);
        assert_eq!(State::for_role(Role::MonitoringAdmin).region, Region::PortoVelho);
        assert_eq!(State::for_role(Role::FleetController).region, Region::BeloHorizonte);
        assert_eq!(State::for_role(Role::Supervisor).region, Region::BeloHorizonte);
        assert!(State::for_role(Role::MonitoringAdmin).can_edit_zones);
        assert!(!State::for_role(Role::MonitoringOperator).can_edit_zones);
    }

    #[test]
    fn scale_bar_lengths_are_round() {
        for (max, want) in [(120.0, 100.0), (260.0, 200.0), (999.0, 500.0), (4300.0, 2000.0), (0.0, 0.0)] {
            assert_eq!(nice_length(max), want, "{max}");
        }
    }

    #[test]
    fn regions_fit_the_map_and_zoom_keeps_the_cursor_place() {
        let mut s = State::for_role(Role::Supervisor);
        s.size.set(Size::new(800.0, 600.0));
        let model = LiveModel::default();
        let _ = s.update(Message::Region(Region::PortoVelho), &model);
        let v = s.view_now();
        for corner in [Region::PortoVelho.bounds().0, Region::PortoVelho.bounds().1] {
            let (x, y) = v.project(corner);
            assert!((0.0..=800.0).contains(&x) && (0.0..=600.0).contains(&y), "({x}, {y})");
        }
        let at = Point::new(200.0, 150.0);
        let before = v.unproject(200.0, 150.0);
        let _ = s.update(Message::Zoom { by: 1.5, at }, &model);
        let (x, y) = s.view_now().project(before);
        assert!((x - 200.0).abs() < 1e-6 && (y - 150.0).abs() < 1e-6);
        assert!((s.zoom() - v.zoom - 1.5).abs() < 1e-9);
        let _ = s.update(Message::Pan(30.0, -20.0), &model);
        let (x2, y2) = s.view_now().project(before);
        assert!((x2 - 230.0).abs() < 1e-6 && (y2 - 130.0).abs() < 1e-6);
    }
}
