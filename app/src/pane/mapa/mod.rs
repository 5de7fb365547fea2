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
//!
//! The pane is made of components, halloy style, each owning its state and taking its own
//! `Message`: [`viewport`] (where the map looks), [`zones`] (the zone editor), [`track`]
//! (playback) and [`search`]. Their `update` returns an `Event` the map acts on (draw again,
//! select, move the view, ask the dashboard for something). The rest of the map: `picture` (the
//! picture on screen, the painter, the generation of the data), `layers` (the scene copied out of
//! the live model, what a click hits), `canvas` (the two canvases; mouse and keys), `draw` and
//! `popup` (the overlay), `view` (the widgets around the map).

pub mod basemap;
mod canvas;
mod draw;
mod layers;
mod picture;
pub mod pois;
mod popup;
pub mod scene;
pub mod search;
pub mod tiles;
pub mod track;
mod view;
pub mod viewport;
pub mod zones;

use crate::pane::Ctx;
use atalaia_client::{LiveModel, format};
use atalaia_core::geom::{LatLon, Shape};
use atalaia_core::ids::{DeviceId, OccurrenceId, VehicleId, ZoneId};
use atalaia_core::mercator::View;
use atalaia_core::wire::NewZone;
use basemap::BaseMap;
use chrono::{DateTime, Utc};
pub use draw::nice_length;
use iced::{Point, Size, Subscription, Task};
pub use layers::{ALL_TRAILS_UP_TO, Layer, people_in_alarm, vehicle_position};
use picture::Painting;
use popup::picked_at;
pub use scene::{Picture, Scene};
use std::collections::HashSet;
use std::path::PathBuf;
use std::sync::Arc;
pub use viewport::Region;
use viewport::{bounds_of, screen};

/// The picture is painted this much wider than the map on every side (logical pixels).
pub const MARGIN: f64 = 160.0;
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

pub struct State {
    viewport: viewport::State,
    layers: HashSet<Layer>,
    source: Source,
    street: Option<tiles::Tiles>,
    satellite: Option<tiles::Tiles>,
    /// The picture on screen, the painting thread and the caches of the canvases.
    painting: Painting,
    /// What the operator selected elsewhere (an occurrence, an alarm), ringed on the map.
    focus: Option<Focus>,
    /// What the operator clicked on the map.
    picked: Option<Picked>,
    /// The next click marks a place for the call being taken (RFS115) instead of selecting.
    picking: bool,
    /// The fleet controller may commit vehicles from the map.
    can_dispatch: bool,
    /// The call a vehicle is being chosen for on the map (dispatch from the map).
    dispatch_for: Option<OccurrenceId>,
    /// The zone tools: the editor of the zone being drawn or changed, what the last save said.
    zones: zones::State,
    /// The track played back and the period typed for one.
    track: track::State,
    /// Addresses and coordinates searched, and the place the last search went to.
    search: search::State,
    /// The user's time zone for times in popups and the track bar.
    tz: chrono_tz::Tz,
    /// The dashboard's clock (a track's period ends now).
    now: DateTime<Utc>,
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
        let painting = Painting::new();
        let mut s = Self {
            viewport: viewport::State::default(),
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
            painting,
            focus: None,
            picked: None,
            picking: false,
            can_dispatch: false,
            dispatch_for: None,
            zones: zones::State::default(),
            track: track::State::default(),
            search: search::State::default(),
            tz: format::DEFAULT_TZ,
            now: Utc::now(),
            pois: Vec::new(),
            pois_error: None,
        };
        s.viewport.show_region(Region::BeloHorizonte);
        s.view_changed();
        s
    }
}

#[derive(Debug, Clone)]
pub enum Message {
    /// The painting thread finished a picture.
    Painted,
    /// A tile arrived.
    Tiles,
    /// Where the map looks: region, pan, zoom, fit.
    Viewport(viewport::Message),
    Click(Point),
    /// A double click: zooms in there (or closes the polygon being drawn).
    DoubleClick(Point),
    Layer(Layer),
    Source(Source),
    ClosePopup,
    /// Stop waiting for the click that marks the call's place.
    CancelPick,
    /// Choose on the map the vehicle for this call.
    DispatchFor(OccurrenceId),
    /// Commit this vehicle to this call.
    Dispatch(OccurrenceId, VehicleId),
    CancelDispatch,
    /// Zones drawn and edited.
    Zone(zones::Message),
    /// Tracks played back.
    Track(track::Message),
    /// Addresses and coordinates searched.
    Search(search::Message),
    /// Select this zone and fit the view to it (from the zones list of the administration
    /// screen; a lifted zone is not drawn and is not shown).
    ShowZone(atalaia_core::ids::ZoneId),
}

/// What the dashboard does for the map (it holds the API session).
#[derive(Debug, Clone)]
pub enum Event {
    SaveZone(Box<NewZone>, bool),
    /// Suspend, resume or lift a zone (III-2.13).
    ZoneState(atalaia_core::ids::ZoneId, atalaia_core::wire::ZoneStateChange),
    LoadTrack(track::Subject, DateTime<Utc>, DateTime<Utc>),
    /// The place clicked for the call being taken.
    Picked(LatLon),
    /// Commit the vehicle to the call (chosen on the map).
    Dispatch(OccurrenceId, VehicleId),
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
        Self::allowing(|p| role.can(p))
    }

    /// The map for this user's profile (what it may see and do, not only its role).
    pub fn for_user(user: &atalaia_core::wire::UserInfo) -> Self {
        Self::allowing(|p| user.can(p))
    }

    fn allowing(can: impl Fn(atalaia_core::auth::Permission) -> bool) -> Self {
        use atalaia_core::auth::Permission;
        let monitoring_only = can(Permission::PersonRead) && !can(Permission::OccurrenceRead);
        let mut s = Self::default();
        s.zones.can_edit = can(Permission::ZoneWrite);
        s.can_dispatch = can(Permission::OccurrenceDispatch);
        if can(Permission::PersonRead) {
            s.layers.insert(Layer::Accuracy);
        }
        s.viewport.show_region(if monitoring_only { Region::PortoVelho } else { Region::BeloHorizonte });
        s.view_changed();
        s
    }

    /// Tile sources and geocoder from the console's configuration. A cache that cannot be
    /// opened leaves that source out (logged) and the base map in place.
    pub fn configure(&mut self, config: &Config, tz: chrono_tz::Tz) {
        self.tz = tz;
        self.search.geocoder = config.geocoder.clone().filter(|g| !g.trim().is_empty());
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
        if (ratio - self.painting.pixel_ratio).abs() > 1e-3 && ratio > 0.0 {
            self.painting.pixel_ratio = ratio;
            self.invalidate();
        }
    }

    /// Takes over the view the frame settled on (a refit at a new size), before anything else
    /// changes the view.
    fn take_settle(&mut self) {
        if self.viewport.take_settle() {
            self.painting.under.clear();
        }
    }

    /// The dashboard's clock ticked.
    pub fn set_now(&mut self, now: DateTime<Utc>) {
        self.now = now;
    }

    pub fn region(&self) -> Region {
        self.viewport.region()
    }

    /// The map's view at its current size.
    pub fn view_now(&self) -> View {
        self.viewport.view_now()
    }

    pub fn zoom(&self) -> f64 {
        self.viewport.zoom()
    }

    pub fn picked(&self) -> Option<Picked> {
        self.picked
    }

    pub fn editor(&self) -> Option<&zones::Editor> {
        self.zones.editor.as_ref()
    }

    pub fn playback(&self) -> Option<&track::Playback> {
        self.track.playback.as_ref()
    }

    pub fn found(&self) -> &[search::Found] {
        &self.search.found
    }

    /// The view moved: the picture on screen is placed anew, the overlay drawn again.
    fn view_changed(&self) {
        self.painting.under.clear();
        self.painting.overlay.clear();
    }

    /// What the selection, the focus, the track or the zone being edited covers, for "Ajustar".
    fn selection_bounds(&self, model: &LiveModel) -> Option<(LatLon, LatLon)> {
        let mut points: Vec<LatLon> = Vec::new();
        if let Some(t) = &self.track.playback {
            points.extend(t.all_points());
        } else if let Some(e) = &self.zones.editor {
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
        if self.viewport.point_out(focus.at) {
            self.view_changed();
        }
        self.focus = Some(focus);
        self.invalidate();
    }

    /// The focused subject moved: the ring follows, the view stays.
    pub fn move_focus(&mut self, focus: Focus) {
        if self.focus.as_ref() != Some(&focus) {
            self.focus = Some(focus);
            self.painting.overlay.clear();
        }
    }

    pub fn clear_focus(&mut self) {
        if self.focus.take().is_some() {
            self.painting.overlay.clear();
        }
    }

    pub fn focused(&self) -> Option<&Focus> {
        self.focus.as_ref()
    }

    /// The live model changed: draw again on the next frame (labels at once, the picture as soon
    /// as the painter has it).
    pub fn invalidate(&self) {
        self.painting.invalidate();
    }

    /// How many changes of the live data the picture on screen is behind (0: up to date;
    /// `None` before the first picture).
    pub fn picture_lag(&self) -> Option<u64> {
        self.painting.lag()
    }

    /// The view a picture for the current view is painted for (the map's, with the margin).
    fn picture_view(&self) -> View {
        let v = self.view_now();
        View { width: v.width + 2.0 * MARGIN, height: v.height + 2.0 * MARGIN, ..v }
    }

    /// Whether the picture on screen is the one for the current view and data (tests and
    /// benchmarks wait for it).
    pub fn picture_settled(&self) -> bool {
        self.painting.settled(self.picture_view())
    }

    /// Wakes the console when a picture is painted or a tile arrives; drives playback.
    pub fn subscription(&self) -> Subscription<Message> {
        let mut subs = Vec::new();
        if let Some(p) = &self.painting.painter {
            subs.push(wake(p.ready(), 0));
        }
        for (i, t) in [&self.street, &self.satellite].into_iter().enumerate() {
            if let Some(t) = t {
                subs.push(wake(t.ready(), 1 + i as u8));
            }
        }
        subs.push(self.track.subscription().map(Message::Track));
        Subscription::batch(subs)
    }

    fn tiles(&self) -> Option<&tiles::Tiles> {
        match self.source {
            Source::Base => None,
            Source::Street => self.street.as_ref(),
            Source::Satellite => self.satellite.as_ref(),
        }
    }

    /// The map reads the live model from `ctx`; its clock and time zone are its own ([`set_now`],
    /// [`configure`]), the dashboard's.
    ///
    /// [`set_now`]: State::set_now
    /// [`configure`]: State::configure
    pub fn update(&mut self, message: Message, ctx: &Ctx<'_>) -> (Task<Message>, Option<Event>) {
        let model = ctx.model;
        self.take_settle();
        self.painting.overlay.clear();
        match message {
            Message::Painted => self.painting.painted(self.picture_view()),
            Message::Tiles => self.invalidate(),
            Message::Click(at) if self.picking => {
                self.picking = false;
                let p = self.view_now().unproject(f64::from(at.x), f64::from(at.y));
                self.invalidate();
                return (Task::none(), Some(Event::Picked(p)));
            }
            Message::Click(at) => self.click(at, model),
            Message::CancelPick => {
                self.picking = false;
                self.invalidate();
            }
            Message::DispatchFor(o) => {
                self.dispatch_for = self.can_dispatch.then_some(o);
                self.picked = None;
                self.invalidate();
            }
            Message::CancelDispatch => {
                self.dispatch_for = None;
                self.invalidate();
            }
            Message::Dispatch(o, v) => {
                if !self.can_dispatch {
                    return (Task::none(), None);
                }
                self.dispatch_for = None;
                self.picked = None;
                self.invalidate();
                return (Task::none(), Some(Event::Dispatch(o, v)));
            }
            Message::DoubleClick(at) => {
                if !self.zones.double_click() {
                    self.viewport_update(viewport::Message::Zoom { by: 1.0, at }, model);
                }
            }
            Message::Viewport(m) => self.viewport_update(m, model),
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
            Message::Zone(m) => {
                let picked = match self.picked {
                    Some(Picked::Zone(id)) => Some(id),
                    _ => None,
                };
                match self.zones.update(m, model, picked, &self.view_now()) {
                    Some(zones::Event::Changed) => self.invalidate(),
                    Some(zones::Event::Drawing) => {
                        self.picked = None;
                        self.invalidate();
                    }
                    Some(zones::Event::Saved(id)) => {
                        self.picked = Some(Picked::Zone(id));
                        self.invalidate();
                    }
                    Some(zones::Event::Save(new, existing)) => {
                        return (Task::none(), Some(Event::SaveZone(new, existing)));
                    }
                    Some(zones::Event::ChangeState(id, change)) => {
                        return (Task::none(), Some(Event::ZoneState(id, change)));
                    }
                    Some(zones::Event::AskedReason) => {
                        return (
                            iced::widget::operation::focus(iced::widget::Id::new(zones::REASON_ID)),
                            None,
                        );
                    }
                    None => {}
                }
            }
            Message::Track(m) => {
                match self.track.update(m, model, self.picked, &self.pois, self.now, self.tz) {
                    Some(track::Event::Changed) => self.invalidate(),
                    Some(track::Event::Played) => {
                        self.invalidate();
                        self.follow_track();
                    }
                    Some(track::Event::Load(subject, from, to)) => {
                        self.invalidate();
                        return (Task::none(), Some(Event::LoadTrack(subject, from, to)));
                    }
                    Some(track::Event::Loaded(bounds)) => {
                        if let Some((sw, ne)) = bounds {
                            self.viewport.fit(sw, ne);
                            self.view_changed();
                        }
                        self.invalidate();
                    }
                    None => {}
                }
            }
            Message::ShowZone(zone) => self.show_zone(zone, model),
            Message::Search(m) => {
                let (task, event) = self.search.update(m, model);
                match event {
                    Some(search::Event::Go(_, Some(zone))) if model.zones.contains_key(&zone) => {
                        // The zone's own outline and popup point it out: no search ring too.
                        self.search.searched = None;
                        self.show_zone(zone, model);
                    }
                    Some(search::Event::Go(at, _)) => {
                        self.viewport.center_on(at, self.viewport.zoom().max(15.0));
                        self.view_changed();
                    }
                    None => {}
                }
                return (task.map(Message::Search), None);
            }
        }
        (Task::none(), None)
    }

    /// Selects a zone drawn on the map and fits the view to it.
    fn show_zone(&mut self, zone: atalaia_core::ids::ZoneId, model: &LiveModel) {
        if model.zones.get(&zone).is_none_or(|z| z.lifted.is_some()) {
            return;
        }
        self.picked = Some(Picked::Zone(zone));
        if let Some((sw, ne)) = self.selection_bounds(model) {
            self.viewport.fit(sw, ne);
        }
        self.view_changed();
        self.invalidate();
    }

    /// Hands a message to the view and does what its change asks for.
    fn viewport_update(&mut self, message: viewport::Message, model: &LiveModel) {
        match self.viewport.update(message) {
            Some(viewport::Event::Moved) => self.view_changed(),
            Some(viewport::Event::Dragged) => {
                self.track.follow_off();
                self.view_changed();
            }
            Some(viewport::Event::Fit) => {
                match self.selection_bounds(model) {
                    Some((sw, ne)) => self.viewport.fit(sw, ne),
                    None => self.viewport.show_region(self.viewport.region()),
                }
                self.view_changed();
            }
            None => {}
        }
    }

    /// The view follows the subject in playback when it is about to leave the map; drawn again.
    fn follow_track(&mut self) {
        let Some(t) = &self.track.playback else { return };
        if t.follow
            && let Some(p) = t.position_at(t.now)
        {
            let v = self.view_now();
            let (x, y) = v.project(p);
            // Only when the subject is about to leave the map: a view that jumps at every fix is
            // impossible to read.
            let m = 12.0;
            if x < m || x > v.width - m || y < m || y > v.height - m {
                self.viewport.center_on(p, self.viewport.zoom());
                self.view_changed();
            }
        }
        self.invalidate();
    }

    /// A click on the map: a vertex while drawing, otherwise the nearest thing under it.
    fn click(&mut self, at: Point, model: &LiveModel) {
        let v = self.view_now();
        if self.zones.click(&v, at) {
            return;
        }
        // A group of people: zoom in on it.
        if self.layers.contains(&Layer::People) && self.viewport.zoom() < scene::CLUSTER_BELOW_ZOOM {
            let cluster = self.painting.picture.borrow().as_ref().and_then(|pic| {
                pic.clusters
                    .iter()
                    .map(|(c, _)| (*c, screen(&v, *c)))
                    .find(|(_, s)| s.distance(at) <= 18.0)
                    .map(|(c, _)| c)
            });
            if let Some(c) = cluster {
                self.viewport.center_on(c, (self.viewport.zoom() + 2.0).min(scene::CLUSTER_BELOW_ZOOM));
                self.view_changed();
                return;
            }
        }
        let p = v.unproject(f64::from(at.x), f64::from(at.y));
        self.picked = self.hit(model, &v, at, p);
        self.zones.notice = None;
        self.invalidate();
    }

    /// The next click on the map marks the place of the call being taken (RFS115).
    pub fn start_pick(&mut self) {
        self.picking = true;
        self.invalidate();
    }

    /// The call a vehicle is being chosen for on the map.
    pub fn dispatching_for(&self) -> Option<OccurrenceId> {
        self.dispatch_for
    }

    /// Stop waiting for the click that marks the call's place.
    pub fn cancel_pick(&mut self) {
        self.picking = false;
        self.invalidate();
    }

    /// Whether the map waits for the click that marks the call's place.
    pub fn picking(&self) -> bool {
        self.picking
    }

    /// The scene of the current view as the painting thread would get it (benchmarks).
    pub fn current_scene(&self, model: &LiveModel) -> Scene {
        self.scene(model, self.picture_view(), self.painting.generation())
    }

    /// The picture to show for the map at `size` ([`Painting::current`]).
    fn picture(&self, size: Size, model: &LiveModel) -> Option<Picture> {
        self.viewport.resize(size);
        let want = self.picture_view();
        self.painting.current(want, |generation| self.scene(model, want, generation))
    }
}

fn circle_box(center: LatLon, radius_m: f64) -> [LatLon; 2] {
    [
        center.moved(225.0, radius_m * std::f64::consts::SQRT_2),
        center.moved(45.0, radius_m * std::f64::consts::SQRT_2),
    ]
}

#[cfg(test)]
mod tests;
