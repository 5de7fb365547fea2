//! The operations dashboard: a status strip (who, link state, last `seq`, clock) over a pane grid
//! with the four panes. It owns the live model, feeds it from the live subscription, and performs
//! the network effects the panes ask for through their `Event`s.

use crate::alert;
mod answers;
mod chrome;
mod focus;
mod names;
mod overlays;
mod photos;
mod record;
mod subscription;

use crate::pane::{Ctx, Kind, alarmes, atendimento, mapa, regulacao};
use crate::screen::Session;
use crate::screen::wall;
use crate::text as pt;
use crate::theme;
use atalaia_client::desk::{ConflictAction, Desk, Show};
use atalaia_client::outbox::{self, Command};
use atalaia_client::{ApiError, LiveModel, LiveUpdate};
use atalaia_core::auth::Permission;
pub use chrome::link_status;
use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use iced::widget::pane_grid::{self, Pane};
use iced::widget::{button, column, container, row, text};
use iced::{Element, Fill, Task};

pub use atalaia_client::desk::Link;

pub struct Dashboard {
    session: Session,
    /// The live model, the link, the outbox and the commands in flight (UI-free).
    desk: Desk,
    now: DateTime<Utc>,
    tz: Tz,
    panes: pane_grid::State<Kind>,
    focus: Option<Pane>,
    atendimento: atendimento::State,
    regulacao: regulacao::State,
    /// The occurrence and the alarm the map last followed (see `follow_selection`).
    followed: (Option<atalaia_core::ids::OccurrenceId>, Option<atalaia_core::ids::AlarmId>),
    /// Whether the map follows the alarm (selected last) rather than the occurrence.
    follow_alarm: bool,
    /// The place of the call being taken, shown on the map when nothing else is selected.
    call_place: Option<mapa::Focus>,
    mapa: mapa::State,
    alarmes: alarmes::State,
    sound: alert::Sound,
    /// What the alert policy asks for now (recomputed every tick and live update).
    alert: alert::Assessment,
    /// Whether the console window is in front (desktop notifications only when it is not).
    window_focused: bool,
    /// Supervisor wall display instead of the working panes.
    wall: bool,
    /// This user's saved pane layout, and whether it changed since it was last written.
    layout_file: Option<std::path::PathBuf>,
    layout_dirty: bool,
    /// The "Sobre" box is open.
    about: bool,
    /// Photos of monitored people fetched for the cards.
    photos: crate::photos::Photos,
    /// The voluntary password change, shown instead of the panes while open.
    password: Option<crate::screen::password::Form>,
    /// The administration screen ("Cadastros"), shown instead of the panes while open.
    admin: Option<crate::screen::admin::State>,
    /// Where files taken from a record are saved, and what opens them.
    files: atalaia_client::record::Files,
    /// When users' names were last asked for (again when an alarm names someone unknown).
    names_asked: Option<DateTime<Utc>>,
}

#[derive(Debug, Clone)]
pub enum Message {
    Live(LiveUpdate),
    Resized(pane_grid::ResizeEvent),
    Dragged(pane_grid::DragEvent),
    Clicked(Pane),
    ToggleMaximize(Pane),
    Atendimento(atendimento::Message),
    Regulacao(regulacao::Message),
    /// The centre's intake rules: for the call form, and the outcomes a call is closed with.
    Rules(atalaia_core::samu::intake::IntakeRules),
    /// Every user's name (III-2.14).
    Names(Vec<atalaia_core::wire::UserName>),
    Mapa(mapa::Message),
    Alarmes(alarmes::Message),
    /// The outbox sender's report.
    Outbox(outbox::Update),
    /// A command sent at once (a console without an offline seat) was answered.
    Sent(uuid::Uuid, Box<Command>, Result<serde_json::Value, ApiError>),
    Conflicts(ConflictAction),
    /// The "Sobre" box: version, server, licence.
    About,
    /// Open or close the administration screen.
    Cadastros,
    Admin(crate::screen::admin::Message),
    /// A file dropped on the window (a person's photo, on the administration screen).
    FileDropped(std::path::PathBuf),
    /// Open the voluntary password change (III-2.23).
    Senha,
    Password(crate::screen::password::Message),
    /// A person's photo arrived (scaled for the cards), or why not.
    Photo(uuid::Uuid, Result<atalaia_client::photo::Thumbnail, String>),
    /// The server's answer about a person's record (from the alarm card or the administration
    /// screen; each ignores answers about a form it does not hold).
    PersonSaved(atalaia_core::ids::PersonId, Result<Box<atalaia_core::monitoring::Person>, String>),
    /// The server's answer about a zone: for the map's editor and the zones tab.
    ZoneSaved(atalaia_core::ids::ZoneId, Result<Box<atalaia_core::monitoring::Zone>, String>),
    Logout,
}

/// What the root must do.
#[derive(Debug, Clone, PartialEq)]
pub enum Event {
    /// The server no longer accepts the token.
    SessionExpired,
    LoggedOut,
}

impl Dashboard {
    pub fn new(session: Session, now: DateTime<Utc>, tz: Tz) -> Self {
        let panes = pane_grid::State::with_configuration(crate::layout::default_layout(session.user.role));
        let mut mapa = mapa::State::for_user(&session.user);
        mapa.set_now(now);
        Self {
            desk: Desk::new(session.user.clone(), now),
            session,
            now,
            tz,
            panes,
            focus: None,
            atendimento: atendimento::State::default(),
            regulacao: regulacao::State::default(),
            followed: (None, None),
            follow_alarm: false,
            call_place: None,
            mapa,
            alarmes: alarmes::State::default(),
            sound: alert::Sound::default(),
            alert: alert::assess([], now),
            window_focused: true,
            wall: false,
            layout_file: None,
            layout_dirty: false,
            about: false,
            admin: None,
            password: None,
            photos: crate::photos::Photos::default(),
            files: atalaia_client::record::Files::default(),
            names_asked: None,
        }
    }

    /// Saves the files taken from a record (the report, attachments) here, opened with this.
    pub fn with_files(mut self, files: atalaia_client::record::Files) -> Self {
        self.files = files;
        self
    }

    /// Starts from this user's cache under `data_dir` (what the panes showed last time, with its
    /// age) and sends every command through the outbox there. `server` names the server the seat
    /// belongs to.
    pub fn with_offline(mut self, data_dir: Option<&std::path::Path>, server: &str) -> Self {
        let Some(data_dir) = data_dir else { return self };
        match self.desk.open_seat(data_dir, server) {
            Ok(true) => {
                self.alarmes.forget_ended(self.desk.model());
                self.mapa.invalidate();
                self.refresh_alert();
            }
            Ok(false) => {}
            Err(error) => {
                tracing::error!(%error, "offline seat unavailable; commands go straight to the server")
            }
        }
        self
    }

    /// Commands waiting for the server, and commands it refused.
    pub fn outbox_counts(&self) -> (usize, usize) {
        self.desk.outbox_counts()
    }

    /// How old the data shown is, when it is not live.
    pub fn data_at(&self) -> Option<DateTime<Utc>> {
        self.desk.data_at()
    }

    /// Map tiles, tile caches and geocoder (`atalaia --tiles-street …`).
    pub fn with_map(mut self, config: &mapa::Config) -> Self {
        self.mapa.configure(config, self.tz);
        // The TARM's address suggestions ask the map's geocoder too (RFS030).
        self.atendimento.set_geocoder(config.geocoder.clone());
        self
    }

    /// Keeps this user's pane layout in `dir`, starting from the one saved last time.
    pub fn with_layout_dir(mut self, dir: Option<&std::path::Path>) -> Self {
        let Some(dir) = dir else { return self };
        let path = crate::layout::file(dir, &self.session.user.username);
        let default = crate::layout::default_layout(self.session.user.role);
        if let Some(saved) = crate::layout::load(&path)
            && let Some(config) = crate::layout::restore(&saved, &default)
        {
            self.panes = pane_grid::State::with_configuration(config);
        }
        self.layout_file = Some(path);
        self
    }

    /// Writes the layout if the operator changed it (at most once a second, from the tick).
    fn save_layout(&mut self) {
        if !self.layout_dirty {
            return;
        }
        self.layout_dirty = false;
        let (Some(path), Some(saved)) = (&self.layout_file, crate::layout::capture(&self.panes)) else {
            return;
        };
        if let Err(error) = crate::layout::save(path, &saved) {
            tracing::warn!(%error, path = %path.display(), "pane layout not saved");
        }
    }

    /// Plays the alert tone through this sound output.
    pub fn with_sound(mut self, sound: alert::Sound) -> Self {
        self.sound = sound;
        self
    }

    /// Shows the supervisor wall display instead of the panes. The wall never sounds: it is
    /// watched from across the room, and the operators' seats already ring.
    pub fn with_wall(mut self, wall: bool) -> Self {
        self.wall = wall;
        if wall {
            self.sound = alert::Sound::disabled(pt::SOUND_OFF);
        }
        self
    }

    pub fn set_window_focus(&mut self, focused: bool) {
        self.window_focused = focused;
    }

    pub fn alert(&self) -> &alert::Assessment {
        &self.alert
    }

    pub fn sound(&self) -> &alert::Sound {
        &self.sound
    }

    /// Re-decides what sounds and flashes; silence as soon as every alarm is taken.
    fn refresh_alert(&mut self) {
        // Only seats that can take an alarm are asked to: a TARM or a crew tablet reads SAMU alarms
        // but cannot take them, so it neither rings nor flashes.
        let alarms =
            self.desk.model().alarms.values().filter(|_| self.session.user.can(Permission::AlarmHandle));
        self.alert = alert::assess(alarms, self.now);
        if !self.wall {
            self.sound.set(self.alert.sound);
        }
    }

    /// The time zone every time is shown in.
    pub fn tz(&self) -> Tz {
        self.tz
    }

    pub fn session(&self) -> &Session {
        &self.session
    }

    pub fn model(&self) -> &LiveModel {
        self.desk.model()
    }

    /// The interface scale (Ctrl+= / Ctrl+-), for the map's picture.
    pub fn set_scale(&mut self, scale: f32) {
        self.mapa.set_pixel_ratio(scale);
    }

    pub fn map(&self) -> &mapa::State {
        &self.mapa
    }

    /// F11: the pane of `kind` alone, or every pane again.
    pub fn toggle_alone(&mut self, kind: Kind) {
        if self.wall {
            return;
        }
        if self.panes.maximized().is_some() {
            self.panes.restore();
        } else {
            self.maximize(kind);
        }
    }

    /// Shows the pane of `kind` alone (the maximise button), if the layout has one.
    pub fn maximize(&mut self, kind: Kind) {
        let pane = self.panes.iter().find(|(_, k)| **k == kind).map(|(p, _)| *p);
        if let Some(pane) = pane {
            self.panes.maximize(pane);
        }
    }

    pub fn map_region(&self) -> mapa::Region {
        self.mapa.region()
    }

    pub fn link(&self) -> &Link {
        self.desk.link()
    }

    /// The dashboard's clock, once a second; what it asks for then (the nearest vehicles of the
    /// call open in the queue, as they move).
    pub fn tick(&mut self, now: DateTime<Utc>) -> Task<Message> {
        self.now = now;
        self.mapa.set_now(now);
        // Once a second, not per live event: the ring follows a moving subject and leaves an
        // ended alarm without a device scan on every fix of a busy centre.
        self.follow_selection();
        self.save_layout();
        self.refresh_alert();
        let ctx = Ctx {
            model: self.desk.model(),
            now,
            tz: self.tz,
            user: &self.session.user,
            photos: &self.photos,
        };
        let geocode = match self.atendimento.due(&ctx) {
            Some(atendimento::Event::Geocode { geocoder, query }) => self.geocode(geocoder, query),
            _ => Task::none(),
        };
        let regulation = match self.regulacao.due(&ctx) {
            Some(regulacao::Event::Recommend(id)) => self.recommend(id).map(Message::Regulacao),
            Some(regulacao::Event::Ficha(e)) => self.ficha(e),
            _ => Task::none(),
        };
        Task::batch([geocode, regulation])
    }

    /// Asks the configured geocoder for the street the TARM is typing (RFS030).
    fn geocode(&self, geocoder: String, query: String) -> Task<Message> {
        let asked = query.clone();
        Task::perform(async move { atalaia_client::geocoder::search(&geocoder, &query).await }, move |r| {
            Message::Atendimento(atendimento::Message::Geocoded(asked.clone(), r))
        })
    }

    /// Asks the server for the free vehicles nearest to an occurrence, with their ETA.
    fn recommend(&self, id: atalaia_core::ids::OccurrenceId) -> Task<regulacao::Message> {
        let api = self.session.api.clone();
        Task::perform(async move { api.recommendation(id).await }, move |r| {
            regulacao::Message::Recommended(id, r)
        })
    }

    /// What the dashboard fetches once it is shown, and again after a reconnection: every user's
    /// name; the centre's intake rules for the call form and the closing box while it has none.
    pub fn start(&mut self) -> Task<Message> {
        let user = &self.session.user;
        let form = self.atendimento.needs_rules() && user.can(Permission::OccurrenceCreate);
        let closing = self.regulacao.needs_outcomes()
            && (user.can(Permission::OccurrenceRegulate) || user.can(Permission::OccurrenceDispatch));
        let names = self.fetch_names();
        if !form && !closing {
            return names;
        }
        let api = self.session.api.clone();
        let rules = Task::perform(async move { api.intake_rules().await }, |r| match r {
            Ok(rules) => Some(Message::Rules(rules)),
            Err(error) => {
                tracing::warn!(%error, "intake rules not read; the call form checks without them");
                None
            }
        })
        .and_then(Task::done);
        Task::batch([names, rules])
    }

    pub fn update(&mut self, message: Message) -> (Task<Message>, Option<Event>) {
        let (task, event) = self.handle(message);
        (Task::batch([task, self.fetch_photos()]), event)
    }

    fn handle(&mut self, message: Message) -> (Task<Message>, Option<Event>) {
        let ctx = Ctx {
            model: self.desk.model(),
            now: self.now,
            tz: self.tz,
            user: &self.session.user,
            photos: &self.photos,
        };
        match message {
            Message::Live(update) => {
                let connected = matches!(update, LiveUpdate::Connected { .. });
                let event = self.live(update);
                let task = if connected {
                    self.start()
                } else if self.names_wanted() {
                    self.fetch_names()
                } else {
                    Task::none()
                };
                return (task, event);
            }
            Message::Resized(pane_grid::ResizeEvent { split, ratio }) => {
                self.panes.resize(split, ratio);
                self.layout_dirty = true;
            }
            Message::Dragged(pane_grid::DragEvent::Dropped { pane, target }) => {
                self.panes.drop(pane, target);
                self.layout_dirty = true;
            }
            Message::Dragged(_) => {}
            Message::Clicked(pane) => self.focus = Some(pane),
            Message::ToggleMaximize(pane) => {
                if self.panes.maximized().is_some() {
                    self.panes.restore();
                } else {
                    self.panes.maximize(pane);
                }
            }
            Message::Names(names) => self.desk.names_arrived(names),
            Message::Rules(rules) => {
                self.regulacao.set_outcomes(rules.outcomes.clone());
                return self.update(Message::Atendimento(atendimento::Message::Rules(rules)));
            }
            Message::Atendimento(m) => {
                let (task, event) = self.atendimento.update(m, &ctx);
                // A click waited for on the map belongs to the call being typed: not to the next
                // one, and not once its coordinates were typed.
                let for_this_call = !self.atendimento.is_pristine() && !self.atendimento.typed_coordinates();
                if self.mapa.picking()
                    && !for_this_call
                    && !matches!(event, Some(atendimento::Event::PickOnMap))
                {
                    self.mapa.cancel_pick();
                }
                let effect = match event {
                    Some(atendimento::Event::Register(new)) => {
                        self.issue(Command::CreateOccurrence(new), None)
                    }
                    Some(atendimento::Event::Geocode { geocoder, query }) => self.geocode(geocoder, query),
                    Some(atendimento::Event::PickOnMap) => {
                        self.mapa.start_pick();
                        Task::none()
                    }
                    Some(atendimento::Event::Place(at)) => {
                        // RFS115: the call's place on the map while the TARM takes it.
                        self.call_place =
                            at.map(|at| mapa::Focus { at, label: pt::CALL_BEING_TAKEN.to_owned() });
                        if self.regulacao.open().is_none() && self.alarmes.selected().is_none() {
                            match self.call_place.clone() {
                                Some(f) => self.mapa.focus(f),
                                None => self.mapa.clear_focus(),
                            }
                        }
                        Task::none()
                    }
                    None => Task::none(),
                };
                return (Task::batch([task.map(Message::Atendimento), effect]), None);
            }
            Message::Regulacao(m) => {
                let (task, event) = self.regulacao.update(m, &ctx);
                self.follow_selection();
                let task = task.map(Message::Regulacao);
                let effect = match event {
                    Some(regulacao::Event::Regulate(id, up)) => {
                        let issued = self.issue(Command::Regulate { occurrence: id, update: *up }, None);
                        return (Task::batch([task, issued]), None);
                    }
                    Some(regulacao::Event::Recommend(id)) => self.recommend(id),
                    Some(regulacao::Event::Ficha(e)) => return (Task::batch([task, self.ficha(e)]), None),
                    Some(regulacao::Event::Close(occurrence, reason)) => {
                        let issued = self.issue(Command::CloseOccurrence { occurrence, reason }, None);
                        return (Task::batch([task, issued]), None);
                    }
                    Some(regulacao::Event::Dispatch(new)) => {
                        let issued = self.issue(Command::Dispatch(*new), None);
                        return (Task::batch([task, issued]), None);
                    }
                    Some(regulacao::Event::Updated(o)) => {
                        // The feed will confirm it; showing it now keeps the form and the queue
                        // in step with what the server answered — unless the feed already brought
                        // something newer (the answer and the feed travel separately).
                        if self.desk.answered_occurrence(*o) {
                            self.mapa.invalidate();
                        }
                        Task::none()
                    }
                    None => Task::none(),
                };
                return (Task::batch([task, effect.map(Message::Regulacao)]), None);
            }
            Message::Mapa(m) => {
                if let mapa::Message::Zone(mapa::zones::Message::Saved(_, Ok(zone))) = &m {
                    // The feed will confirm it; the map shows it at once.
                    self.desk.answered_zone((**zone).clone());
                }
                let ctx = Ctx {
                    model: self.desk.model(),
                    now: self.now,
                    tz: self.tz,
                    user: &self.session.user,
                    photos: &self.photos,
                };
                let (task, event) = self.mapa.update(m, &ctx);
                let effect = match event {
                    Some(mapa::Event::Dispatch(occurrence_id, vehicle_id)) => {
                        // Dispatch from the map (issue 21 item 3): the answer reaches the
                        // regulation pane like a dispatch made there.
                        let new = atalaia_core::wire::NewDispatch {
                            id: Some(atalaia_core::ids::DispatchId::new()),
                            occurrence_id,
                            vehicle_id,
                            replaces: None,
                            additional: false,
                        };
                        let issued = self.issue(Command::Dispatch(new), None);
                        return (Task::batch([task.map(Message::Mapa), issued]), None);
                    }
                    Some(mapa::Event::Picked(at)) => {
                        let place = atendimento::Message::Place(at, atalaia_client::intake::PlaceSource::Map);
                        let (shown, _) = self.update(Message::Atendimento(place));
                        return (Task::batch([task.map(Message::Mapa), shown]), None);
                    }
                    Some(mapa::Event::SaveZone(new, existing)) => {
                        let saved = self.issue(Command::SaveZone { zone: *new, existing }, None);
                        return (Task::batch([task.map(Message::Mapa), saved]), None);
                    }
                    Some(mapa::Event::ZoneState(zone, change)) => {
                        let sent = self.issue(Command::ZoneState { zone, change }, None);
                        return (Task::batch([task.map(Message::Mapa), sent]), None);
                    }
                    Some(mapa::Event::LoadTrack(mapa::track::Subject::Group(group), from, to)) => {
                        let api = self.session.api.clone();
                        let asked = mapa::track::Subject::Group(group.clone());
                        Task::perform(async move { api.group_tracks(&group, from, to).await }, move |r| {
                            mapa::Message::Track(mapa::track::Message::GroupLoaded(
                                asked.clone(),
                                from,
                                r.map_err(|e| crate::text::api_error(&e)),
                            ))
                        })
                    }
                    Some(mapa::Event::LoadTrack(subject, from, to)) => {
                        let api = self.session.api.clone();
                        let asked = subject.clone();
                        let (person, device) = match subject {
                            mapa::track::Subject::Person(p) => (Some(p), None),
                            mapa::track::Subject::Device(d) => (None, Some(d)),
                            mapa::track::Subject::Group(_) => (None, None),
                        };
                        Task::perform(
                            async move { api.positions(person, device, from, to).await },
                            move |r| {
                                mapa::Message::Track(mapa::track::Message::Loaded(
                                    asked.clone(),
                                    from,
                                    r.map_err(|e| crate::text::api_error(&e)),
                                ))
                            },
                        )
                    }
                    None => Task::none(),
                };
                return (Task::batch([task, effect]).map(Message::Mapa), None);
            }
            Message::Alarmes(m) => {
                let (task, event) = self.alarmes.update(m, &ctx);
                self.follow_selection();
                let effect = match event {
                    Some(alarmes::Event::Act(id, action)) => {
                        let issued = self.issue(Command::AlarmAction { alarm: id, action }, None);
                        return (Task::batch([task.map(Message::Alarmes), issued]), None);
                    }
                    Some(alarmes::Event::Command(id, device, kind)) => {
                        let command = atalaia_core::wire::NewCommand {
                            id: Some(atalaia_core::ids::CommandId::new()),
                            kind,
                        };
                        let issued = self.issue(Command::DeviceCommand { device, command }, Some(id));
                        return (Task::batch([task.map(Message::Alarmes), issued]), None);
                    }
                    Some(alarmes::Event::Updated(alarm)) => {
                        // The feed will confirm it; showing it now spares the operator a second click
                        // (and silences the tone at once when the alarm was just taken).
                        self.desk.answered_alarm(*alarm);
                        self.mapa.invalidate();
                        self.refresh_alert();
                        Task::none()
                    }
                    Some(alarmes::Event::Sent(command)) => {
                        self.desk.answered_command(*command);
                        Task::none()
                    }
                    Some(alarmes::Event::SavePerson(person, body)) => {
                        let issued = self.issue(Command::UpdatePerson { person, body: *body }, None);
                        return (Task::batch([task.map(Message::Alarmes), issued]), None);
                    }
                    None => Task::none(),
                };
                return (Task::batch([task, effect]).map(Message::Alarmes), None);
            }
            Message::Outbox(update) => {
                let shown = self.desk.outbox_update(update, self.now);
                return (self.show(shown), None);
            }
            Message::Sent(id, command, result) => {
                let routed = self.desk.answered(id, &command, result, false);
                return (self.show(routed.map(Show::Answer).into_iter().collect()), None);
            }
            Message::Conflicts(action) => self.desk.conflicts(action, self.now),
            Message::About => self.about = !self.about,
            Message::Cadastros
            | Message::Admin(_)
            | Message::FileDropped(_)
            | Message::Photo(..)
            | Message::PersonSaved(..)
            | Message::ZoneSaved(..)
            | Message::Senha
            | Message::Password(_) => return self.overlay(message),
            Message::Logout => {
                self.save_layout();
                self.desk.forget_seat();
                // End the server session too; the login screen does not wait for the answer.
                let api = self.session.api.clone();
                let end = Task::future(async move {
                    if let Err(e) = api.logout().await {
                        tracing::warn!(error = %e, "server-side logout failed");
                    }
                })
                .discard();
                return (end, Some(Event::LoggedOut));
            }
        }
        (Task::none(), None)
    }

    fn live(&mut self, update: LiveUpdate) -> Option<Event> {
        let live = self.desk.live(update, Utc::now());
        if live.unauthorized {
            return Some(Event::SessionExpired);
        }
        if !live.applied {
            return None;
        }
        self.alarmes.forget_ended(self.desk.model());
        if live.reset {
            // Reconnected: the open call's record is read again (what ended meanwhile).
            self.regulacao.reload_record();
        }
        if live.changed {
            self.mapa.invalidate();
        }
        if !live.new_alarms.is_empty() {
            self.notify_desktop(&live.new_alarms);
        }
        self.refresh_alert();
        None
    }

    pub fn view(&self) -> Element<'_, Message> {
        let ctx = Ctx {
            model: self.desk.model(),
            now: self.now,
            tz: self.tz,
            user: &self.session.user,
            photos: &self.photos,
        };
        if self.wall {
            let map = self.mapa.wall_view(self.desk.model()).map(Message::Mapa);
            return wall::view(&ctx, link_status(self.desk.link(), self.now, self.tz), map);
        }
        let grid = pane_grid::PaneGrid::new(&self.panes, |pane, kind, maximized| {
            let focused = self.focus == Some(pane);
            let toggle = button(text(if maximized { pt::RESTORE } else { pt::MAXIMIZE }).size(theme::SMALL))
                .padding([2, 8])
                .style(button::secondary)
                .on_press(Message::ToggleMaximize(pane));
            let title = row![text(kind.title()).size(theme::TITLE)].extend(self.badge(*kind)).spacing(8);
            let title_bar = pane_grid::TitleBar::new(title)
                .controls(pane_grid::Controls::new(toggle))
                .padding([6, 10])
                .style(theme::title_bar);
            pane_grid::Content::new(crate::pane::framed(self.view_pane(*kind, &ctx), focused))
                .title_bar(title_bar)
        })
        .spacing(6)
        .on_click(Message::Clicked)
        .on_drag(Message::Dragged)
        .on_resize(10, Message::Resized);

        // The banner's slot is always there (empty when quiet): widget state is matched by
        // position, and a banner appearing must not take the cursor out of the form being typed.
        let banner = crate::pane::slot(self.view_banner());
        let conflicts = crate::pane::slot(self.view_conflicts());
        let about = crate::pane::slot(self.view_about());
        if let Some(body) = self.view_overlay(&ctx) {
            return column![self.view_header(), banner, conflicts, about, body, self.view_footer()].into();
        }
        column![
            self.view_header(),
            banner,
            conflicts,
            about,
            container(grid).padding(6).height(Fill),
            self.view_footer()
        ]
        .into()
    }

    fn view_pane<'a>(&'a self, kind: Kind, ctx: &Ctx<'a>) -> Element<'a, Message> {
        match kind {
            Kind::Atendimento => self.atendimento.view(ctx).map(Message::Atendimento),
            Kind::Regulacao => self.regulacao.view(ctx).map(Message::Regulacao),
            Kind::Mapa => self.mapa.view(ctx).map(Message::Mapa),
            Kind::Alarmes => self.alarmes.view(ctx).map(Message::Alarmes),
        }
    }
}

#[cfg(test)]
mod tests;
