//! The operations dashboard: a status strip (who, link state, last `seq`, clock) over a pane grid
//! with the four panes. It owns the live model, feeds it from the live subscription, and performs
//! the network effects the panes ask for through their `Event`s.

use crate::alert;
use crate::pane::{Ctx, Kind, alarmes, atendimento, mapa, regulacao};
use crate::screen::Session;
use crate::screen::wall;
use crate::text as pt;
use crate::theme;
use atalaia_client::live::Resume;
use atalaia_client::outbox::{self, Command, Outbox};
use atalaia_client::{ApiError, LiveModel, LiveUpdate, cache, format, seat};
use atalaia_core::auth::{Permission, Role};
use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use iced::widget::pane_grid::{self, Axis, Configuration, Pane};
use iced::widget::{button, column, container, row, space, text};
use iced::{Center, Color, Element, Fill, Subscription, Task};
use std::collections::HashMap;
use std::hash::{Hash, Hasher};
use std::path::PathBuf;
use std::sync::Arc;

/// State of the live link as the status strip shows it.
#[derive(Debug, Clone, PartialEq)]
pub enum Link {
    Connecting,
    Connected,
    /// No link since `since` (lost then, or never made since the console started); retrying at
    /// `at`.
    Reconnecting {
        since: DateTime<Utc>,
        at: DateTime<Utc>,
    },
}

/// The operator's offline seat (issue 8): the cache the panes start from, and the outbox every
/// command goes through.
struct OfflineSeat {
    dir: PathBuf,
    outbox: Outbox,
    outbox_file: PathBuf,
    /// Cuts the outbox sender's wait short (a new command, the link back).
    wake: Arc<tokio::sync::Notify>,
    writer: cache::Writer,
    /// Commands waiting for the server.
    pending: usize,
    /// Commands the server refused, kept until the operator decides.
    conflicts: Vec<outbox::Entry>,
    show_conflicts: bool,
    /// The outbox file could not be used (disk full, damaged file).
    error: Option<String>,
}

pub struct Dashboard {
    session: Session,
    model: LiveModel,
    now: DateTime<Utc>,
    tz: Tz,
    link: Link,
    panes: pane_grid::State<Kind>,
    focus: Option<Pane>,
    atendimento: atendimento::State,
    regulacao: regulacao::State,
    /// The occurrence and the alarm the map last followed (see `follow_selection`).
    followed: (Option<atalaia_core::ids::OccurrenceId>, Option<atalaia_core::ids::AlarmId>),
    /// Whether the map follows the alarm (selected last) rather than the occurrence.
    follow_alarm: bool,
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
    /// When this dashboard started (the link is "lost since" then until it first connects).
    started: DateTime<Utc>,
    /// How old the data shown is: the last live message, or the cache's save time at start.
    data_at: Option<DateTime<Utc>>,
    /// Where the live feed resumes (the cached model's `seq` and database).
    resume: Option<Resume>,
    offline: Option<OfflineSeat>,
    /// The alarm card a device command was sent from, by command id.
    command_alarm: HashMap<uuid::Uuid, atalaia_core::ids::AlarmId>,
    /// Alarms changed here while offline, as the server last had them: put back when the server
    /// refuses the change.
    /// (as the server had it, as this seat shows it).
    optimistic: HashMap<atalaia_core::ids::AlarmId, (atalaia_core::alarm::Alarm, atalaia_core::alarm::Alarm)>,
    /// Outbox commands already shown as done here (see `work_offline`).
    applied_locally: std::collections::HashSet<uuid::Uuid>,
    /// The "Sobre" box is open.
    about: bool,
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
    Mapa(mapa::Message),
    Alarmes(alarmes::Message),
    /// The outbox sender's report.
    Outbox(outbox::Update),
    /// A command sent at once (a console without an offline seat) was answered.
    Sent(uuid::Uuid, Box<Command>, Result<serde_json::Value, ApiError>),
    Conflicts(ConflictAction),
    /// The "Sobre" box: version, server, licence.
    About,
    Logout,
}

/// What the operator does with the list of refused commands.
#[derive(Debug, Clone)]
pub enum ConflictAction {
    Toggle,
    Discard(uuid::Uuid),
    /// Send it again, as a new command.
    Retry(uuid::Uuid),
}

/// What the root must do.
#[derive(Debug, Clone, PartialEq)]
pub enum Event {
    /// The server no longer accepts the token.
    SessionExpired,
    LoggedOut,
}

/// A sensible first arrangement per role: call takers and regulators get the SAMU panes wider;
/// monitoring-only roles get just the map and the alarms, since they can neither take calls nor
/// see the regulation queue (the layout is the operator's to change afterwards).
pub fn default_layout(role: Role) -> Configuration<Kind> {
    let split = |axis, ratio, a, b| Configuration::Split {
        axis,
        ratio,
        a: Box::new(Configuration::Pane(a)),
        b: Box::new(Configuration::Pane(b)),
    };
    if !role.can(Permission::OccurrenceRead) {
        return split(Axis::Vertical, 0.55, Kind::Mapa, Kind::Alarmes);
    }
    let samu_side = match role {
        Role::Tarm | Role::Regulator | Role::FleetController | Role::Crew => 0.55,
        _ => 0.5,
    };
    // Call takers need the whole form in view; regulators and fleet controllers work in the
    // queue (an occurrence opens there with its form or its vehicles); others mostly watch it.
    let intake = match role {
        Role::Regulator | Role::FleetController => 0.28,
        _ if role.can(Permission::OccurrenceCreate) => 0.62,
        _ => 0.4,
    };
    Configuration::Split {
        axis: Axis::Vertical,
        ratio: samu_side,
        a: Box::new(split(Axis::Horizontal, intake, Kind::Atendimento, Kind::Regulacao)),
        b: Box::new(split(Axis::Horizontal, 0.6, Kind::Mapa, Kind::Alarmes)),
    }
}

#[cfg(test)]
mod layout_tests {
    use super::*;

    fn panes(c: &Configuration<Kind>, out: &mut Vec<Kind>) {
        match c {
            Configuration::Pane(k) => out.push(*k),
            Configuration::Split { a, b, .. } => {
                panes(a, out);
                panes(b, out);
            }
        }
    }

    #[test]
    fn monitoring_operators_get_map_and_alarms_samu_roles_all_four() {
        let mut v = Vec::new();
        panes(&default_layout(Role::MonitoringOperator), &mut v);
        assert_eq!(v, vec![Kind::Mapa, Kind::Alarmes]);
        for role in [Role::Tarm, Role::Supervisor, Role::FleetController] {
            let mut v = Vec::new();
            panes(&default_layout(role), &mut v);
            assert_eq!(v, vec![Kind::Atendimento, Kind::Regulacao, Kind::Mapa, Kind::Alarmes], "{role:?}");
        }
    }
}

/// Identity of the live subscription: a new server or token starts a new one, nothing else does.
struct LiveKey {
    base: String,
    token: String,
    /// Read when the subscription starts only (not part of its identity).
    resume: Option<Resume>,
    cache: Option<cache::Writer>,
}

/// Identity of the outbox sender: one per session and outbox file.
struct PumpKey {
    api: atalaia_client::Api,
    token: String,
    path: PathBuf,
    wake: Arc<tokio::sync::Notify>,
}

impl Hash for PumpKey {
    fn hash<H: Hasher>(&self, state: &mut H) {
        "atalaia-outbox".hash(state);
        self.token.hash(state);
        self.path.hash(state);
    }
}

impl Hash for LiveKey {
    fn hash<H: Hasher>(&self, state: &mut H) {
        "atalaia-live".hash(state);
        self.base.hash(state);
        self.token.hash(state);
    }
}

impl Dashboard {
    pub fn new(session: Session, now: DateTime<Utc>, tz: Tz) -> Self {
        let panes = pane_grid::State::with_configuration(default_layout(session.user.role));
        let mut mapa = mapa::State::for_role(session.user.role);
        mapa.set_now(now);
        Self {
            session,
            model: LiveModel::default(),
            now,
            tz,
            link: Link::Connecting,
            panes,
            focus: None,
            atendimento: atendimento::State::default(),
            regulacao: regulacao::State::default(),
            followed: (None, None),
            follow_alarm: false,
            mapa,
            alarmes: alarmes::State::default(),
            sound: alert::Sound::default(),
            alert: alert::assess([], now),
            window_focused: true,
            wall: false,
            layout_file: None,
            layout_dirty: false,
            started: now,
            data_at: None,
            resume: None,
            offline: None,
            command_alarm: HashMap::new(),
            optimistic: HashMap::new(),
            applied_locally: std::collections::HashSet::new(),
            about: false,
        }
    }

    /// Starts from this user's cache under `data_dir` (what the panes showed last time, with its
    /// age) and sends every command through the outbox there. `server` names the server the seat
    /// belongs to.
    pub fn with_offline(mut self, data_dir: Option<&std::path::Path>, server: &str) -> Self {
        let Some(data_dir) = data_dir else { return self };
        let dir = seat::dir(data_dir, server, &self.session.user.username);
        match self.open_seat(dir) {
            Ok(seat) => self.offline = Some(seat),
            Err(error) => {
                tracing::error!(%error, "offline seat unavailable; commands go straight to the server")
            }
        }
        self
    }

    fn open_seat(&mut self, dir: PathBuf) -> Result<OfflineSeat, String> {
        std::fs::create_dir_all(&dir).map_err(|e| format!("{}: {e}", dir.display()))?;
        let cache = cache::Cache::open(&seat::cache_file(&dir)).map_err(|e| e.to_string())?;
        match cache.load() {
            Ok(Some(cached)) => {
                tracing::info!(seq = cached.model.seq, saved_at = %cached.saved_at, "starting from the offline cache");
                self.model = cached.model;
                self.data_at = Some(cached.saved_at);
                self.resume = Some(Resume { seq: self.model.seq, instance: self.model.instance.clone() });
                self.alarmes.forget_ended(&self.model);
                self.mapa.invalidate();
                self.refresh_alert();
            }
            Ok(None) => {}
            // Rewritten whole by the first snapshot.
            Err(error) => tracing::warn!(%error, "offline cache unreadable; starting empty"),
        }
        let writer = cache::Writer::spawn(cache, self.model.clone(), None).map_err(|e| e.to_string())?;
        let outbox_file = seat::outbox_file(&dir);
        let outbox = Outbox::open(&outbox_file).map_err(|e| e.to_string())?;
        let entries = outbox.entries().map_err(|e| e.to_string())?;
        let (conflicts, pending): (Vec<_>, Vec<_>) =
            entries.into_iter().partition(|e| matches!(e.state, outbox::State::Conflict { .. }));
        Ok(OfflineSeat {
            dir,
            outbox,
            outbox_file,
            wake: Arc::new(tokio::sync::Notify::new()),
            writer,
            pending: pending.len(),
            show_conflicts: !conflicts.is_empty(),
            conflicts,
            error: None,
        })
    }

    /// Commands waiting for the server, and commands it refused.
    pub fn outbox_counts(&self) -> (usize, usize) {
        self.offline.as_ref().map_or((0, 0), |o| (o.pending, o.conflicts.len()))
    }

    /// How old the data shown is, when it is not live.
    pub fn data_at(&self) -> Option<DateTime<Utc>> {
        self.data_at
    }

    /// Issues an operator's command: into the outbox (durably, before anything else) when this
    /// seat has one, straight to the server otherwise. The answer reaches the pane that asked
    /// through [`Dashboard::answered`].
    fn issue(&mut self, command: Command, from_alarm: Option<atalaia_core::ids::AlarmId>) -> Task<Message> {
        let online = self.link == Link::Connected;
        let Some(o) = self.offline.as_mut() else {
            let (api, id) = (self.session.api.clone(), uuid::Uuid::now_v7());
            if let Some(alarm) = from_alarm {
                self.command_alarm.insert(id, alarm);
            }
            let sent = command.clone();
            return Task::perform(
                async move {
                    let (method, path, body) = sent.request().map_err(|e| ApiError::Decode(e.to_string()))?;
                    api.command(method, &path, &body, id).await.map(|(answer, _)| answer)
                },
                move |r| Message::Sent(id, Box::new(command.clone()), r),
            );
        };
        let entry = match o.outbox.enqueue(command.clone(), &command.describe(), self.now) {
            Ok(entry) => entry,
            Err(error) => {
                // Not on disk: the operator must know it was not taken.
                tracing::error!(%error, "command not queued");
                let said = pt::queue_failed(&error.to_string());
                o.error = Some(said.clone());
                let id = uuid::Uuid::now_v7();
                if let Some(alarm) = from_alarm {
                    self.command_alarm.insert(id, alarm);
                }
                return self.answered(id, &command, Err(ApiError::Local(said)), false);
            }
        };
        o.pending += 1;
        o.wake.notify_one();
        if let Some(alarm) = from_alarm {
            self.command_alarm.insert(entry.id, alarm);
        }
        if online {
            return Task::none();
        }
        // Offline: the operator goes on working from what was just recorded.
        match &command {
            Command::CreateOccurrence(new) => {
                let id = new.id.unwrap_or_default();
                self.update(Message::Atendimento(atendimento::Message::Queued(id))).0
            }
            Command::AlarmAction { alarm, action } => self.work_offline(entry.id, *alarm, action),
            _ => Task::none(),
        }
    }

    /// Shows an alarm action waiting in the outbox as done, so the operator can go on with the
    /// alarm (once per command).
    fn work_offline(
        &mut self,
        command: uuid::Uuid,
        alarm: atalaia_core::ids::AlarmId,
        action: &atalaia_core::wire::AlarmAction,
    ) -> Task<Message> {
        if !self.applied_locally.insert(command) {
            return Task::none();
        }
        match self.apply_locally(alarm, action) {
            Some(changed) => {
                self.update(Message::Alarmes(alarmes::Message::Done(alarm, Ok(Box::new(changed))))).0
            }
            None => Task::none(),
        }
    }

    /// The alarm as the server will have it once `action` is applied, for working offline; the
    /// server's copy is kept to put back if it refuses. `None` when it cannot be foreseen.
    fn apply_locally(
        &mut self,
        id: atalaia_core::ids::AlarmId,
        action: &atalaia_core::wire::AlarmAction,
    ) -> Option<atalaia_core::alarm::Alarm> {
        use atalaia_core::wire::AlarmAction;
        let (me, now) = (self.session.user.id, self.now);
        let before = self.model.alarms.get(&id)?.clone();
        let mut a = before.clone();
        let done = match action {
            AlarmAction::Claim => a.claim(me, now),
            AlarmAction::CompleteStep { index } => a.complete_step(me, now, *index),
            AlarmAction::Note { text } => a.add_note(me, now, text),
            AlarmAction::Close { outcome, note } => a.close(me, now, *outcome, note),
            // The procedure's steps and the message's delivery are the server's to say.
            AlarmAction::StartProcedure | AlarmAction::Notify { .. } | AlarmAction::PhoneCall { .. } => {
                return None;
            }
        };
        done.ok()?;
        self.optimistic.entry(id).or_insert_with(|| (before, a.clone())).1 = a.clone();
        Some(a)
    }

    /// Routes a command's answer (or refusal) to the pane that issued it.
    /// `replayed`: the server had applied it already and this is its first answer, which may be
    /// older than what the feed brought since — the seat's current copy is shown instead.
    fn answered(
        &mut self,
        id: uuid::Uuid,
        command: &Command,
        result: Result<serde_json::Value, ApiError>,
        replayed: bool,
    ) -> Task<Message> {
        fn decode<T: serde::de::DeserializeOwned>(
            r: Result<serde_json::Value, ApiError>,
        ) -> Result<T, ApiError> {
            r.and_then(|v| serde_json::from_value(v).map_err(|e| ApiError::Decode(e.to_string())))
        }
        self.applied_locally.remove(&id);
        let result = match result {
            // Applied, but the server stopped before it kept its answer: what the feed brought
            // stands for it, and the pane is released either way.
            Ok(serde_json::Value::Null) => {
                self.current(command).ok_or_else(|| ApiError::Local(pt::APPLIED_WITHOUT_ANSWER.to_owned()))
            }
            Ok(answer) if replayed => Ok(self.current(command).unwrap_or(answer)),
            other => other,
        };
        let message = match command {
            Command::CreateOccurrence(new) => Message::Atendimento(atendimento::Message::Submitted(
                new.id.unwrap_or_default(),
                Box::new(decode(result)),
            )),
            Command::Regulate { occurrence, .. } => {
                Message::Regulacao(regulacao::Message::Regulated(*occurrence, decode(result).map(Box::new)))
            }
            Command::Dispatch(new) => Message::Regulacao(regulacao::Message::Dispatched(
                new.occurrence_id,
                decode(result).map(Box::new),
            )),
            Command::AlarmAction { alarm, .. } => {
                let shown = self.optimistic.remove(alarm);
                if let (Err(_), Some((before, shown))) = (&result, shown)
                    && self.model.alarms.get(alarm) == Some(&shown)
                {
                    // The server refused what this seat showed as done: back to the server's
                    // copy (unless the feed has brought a newer one meanwhile).
                    self.model.alarms.insert(*alarm, before);
                    self.mapa.invalidate();
                    self.refresh_alert();
                }
                Message::Alarmes(alarmes::Message::Done(*alarm, decode(result).map(Box::new)))
            }
            Command::DeviceCommand { .. } => {
                let Some(alarm) = self.command_alarm.remove(&id) else { return Task::none() };
                Message::Alarmes(alarmes::Message::CommandSent(alarm, decode(result).map(Box::new)))
            }
            Command::SaveZone { zone, .. } => {
                Message::Mapa(mapa::Message::Zone(mapa::zones::Message::Saved(
                    zone.id.unwrap_or_default(),
                    decode(result).map(Box::new).map_err(|e| crate::text::api_error(&e)),
                )))
            }
        };
        self.update(message).0
    }

    /// The record a command is about, as this seat has it now.
    fn current(&self, command: &Command) -> Option<serde_json::Value> {
        let m = &self.model;
        let value = match command {
            Command::CreateOccurrence(new) => serde_json::to_value(m.occurrences.get(&new.id?)?),
            Command::Regulate { occurrence, .. } => serde_json::to_value(m.occurrences.get(occurrence)?),
            Command::Dispatch(new) => serde_json::to_value(m.dispatches.get(&new.id?)?),
            Command::AlarmAction { alarm, .. } => serde_json::to_value(m.alarms.get(alarm)?),
            Command::DeviceCommand { command, .. } => serde_json::to_value(m.commands.get(&command.id?)?),
            Command::SaveZone { zone, .. } => serde_json::to_value(m.zones.get(&zone.id?)?),
        };
        value.ok()
    }

    fn outbox_update(&mut self, update: outbox::Update) -> Task<Message> {
        let Some(o) = self.offline.as_mut() else { return Task::none() };
        let task = match update {
            outbox::Update::Delivered { entry, answer, replayed } => {
                tracing::info!(id = %entry.id, label = %entry.label, replayed, "command delivered");
                o.error = None;
                self.answered(entry.id, &entry.command, Ok(answer), replayed)
            }
            outbox::Update::Conflict { entry, problem } => {
                tracing::warn!(id = %entry.id, label = %entry.label, detail = ?problem.detail, "command refused");
                let mut kept = (*entry).clone();
                kept.state = outbox::State::Conflict { problem: (*problem).clone() };
                o.conflicts.push(kept);
                // Shown at once: the operator must see what happened and decide.
                o.show_conflicts = true;
                self.answered(entry.id, &entry.command, Err(ApiError::Problem(problem)), false)
            }
            outbox::Update::Waiting { pending, reason, retry_in } => {
                tracing::info!(pending, %reason, ?retry_in, "commands waiting for the server");
                o.pending = pending;
                // Commands sent just before the link dropped: the call taker goes on with the
                // next call, the operator with the alarm.
                let alarm_actions: Vec<_> = o
                    .outbox
                    .entries()
                    .unwrap_or_default()
                    .into_iter()
                    .filter_map(|e| match e.command {
                        Command::AlarmAction { alarm, action } if e.state == outbox::State::Pending => {
                            Some((e.id, alarm, action))
                        }
                        _ => None,
                    })
                    .collect();
                let mut tasks: Vec<Task<Message>> = alarm_actions
                    .into_iter()
                    .map(|(id, alarm, action)| self.work_offline(id, alarm, &action))
                    .collect();
                if let Some(id) = self.atendimento.submitting() {
                    tasks.push(self.update(Message::Atendimento(atendimento::Message::Queued(id))).0);
                }
                Task::batch(tasks)
            }
            outbox::Update::Idle => Task::none(),
            outbox::Update::Unauthorized => {
                tracing::warn!("outbox: session refused; commands wait for the next login");
                Task::none()
            }
            outbox::Update::Failed(error) => {
                tracing::error!(%error, "outbox unusable");
                o.error = Some(pt::outbox_trouble(&error));
                Task::none()
            }
        };
        if let Some(o) = self.offline.as_mut() {
            match o.outbox.pending_count() {
                Ok(n) => o.pending = n,
                Err(e) => o.error = Some(pt::outbox_trouble(&e.to_string())),
            }
        }
        task
    }

    fn conflicts(&mut self, action: ConflictAction) {
        let Some(o) = self.offline.as_mut() else { return };
        let result = match action {
            ConflictAction::Toggle => {
                o.show_conflicts = !o.show_conflicts;
                Ok(())
            }
            ConflictAction::Discard(id) => o.outbox.discard(id).map(|()| o.conflicts.retain(|e| e.id != id)),
            ConflictAction::Retry(id) => o.outbox.retry(id, self.now).map(|again| {
                o.conflicts.retain(|e| e.id != id);
                if again.is_some() {
                    o.pending += 1;
                    o.wake.notify_one();
                }
            }),
        };
        if let Err(e) = result {
            o.error = Some(e.to_string());
        }
        if o.conflicts.is_empty() {
            o.show_conflicts = false;
        }
    }

    /// Map tiles, tile caches and geocoder (`atalaia --tiles-street …`).
    pub fn with_map(mut self, config: &mapa::Config) -> Self {
        self.mapa.configure(config, self.tz);
        self
    }

    /// Keeps this user's pane layout in `dir`, starting from the one saved last time.
    pub fn with_layout_dir(mut self, dir: Option<&std::path::Path>) -> Self {
        let Some(dir) = dir else { return self };
        let path = crate::layout::file(dir, &self.session.user.username);
        let default = default_layout(self.session.user.role);
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
            self.model.alarms.values().filter(|_| self.session.user.role.can(Permission::AlarmHandle));
        self.alert = alert::assess(alarms, self.now);
        if !self.wall {
            self.sound.set(self.alert.sound);
        }
    }

    pub fn session(&self) -> &Session {
        &self.session
    }

    pub fn model(&self) -> &LiveModel {
        &self.model
    }

    /// The interface scale (Ctrl+= / Ctrl+-), for the map's picture.
    pub fn set_scale(&mut self, scale: f32) {
        self.mapa.set_pixel_ratio(scale);
    }

    /// Selecting an occurrence or an alarm points it out on the map (where it is known); the
    /// one selected last leads, the other takes over when it is put away, and the ring follows
    /// its subject as new fixes arrive. Nothing selected (or nothing with a place): no ring.
    fn follow_selection(&mut self) {
        let now = (self.regulacao.open(), self.alarmes.selected());
        let changed = now != self.followed;
        if changed {
            let (was_occ, was_alarm) = std::mem::replace(&mut self.followed, now);
            self.follow_alarm = if now.1.is_some() && now.1 != was_alarm {
                true
            } else if now.0.is_some() && now.0 != was_occ {
                false
            } else {
                now.1.is_some()
            };
        }
        let occurrence = |d: &Self| {
            now.0
                .and_then(|id| d.model.occurrences.get(&id))
                .and_then(|o| Some(mapa::Focus { at: o.location?, label: o.number.clone() }))
        };
        let alarm = |d: &Self| now.1.and_then(|id| d.alarm_focus(id));
        let target = if self.follow_alarm { alarm(self) } else { occurrence(self) };
        match target {
            // A new selection shows its region; a moving subject only moves the ring.
            Some(f) if changed => self.mapa.focus(f),
            Some(f) => self.mapa.move_focus(f),
            None => self.mapa.clear_focus(),
        }
    }

    /// Where an alarm is: its person's or device's last fix, its vehicle, its occurrence.
    fn alarm_focus(&self, id: atalaia_core::ids::AlarmId) -> Option<mapa::Focus> {
        use atalaia_core::alarm::Subject;
        let a = self.model.alarms.get(&id)?;
        let last_of_person = |p| {
            self.model
                .devices
                .values()
                .filter(|d| d.person_id == Some(p))
                .filter_map(|d| self.model.last_position(d.id))
                .max_by_key(|fix| fix.fix_time)
                .map(|fix| fix.at)
        };
        let (at, name) = match a.subject {
            Subject::Person(p) => (last_of_person(p)?, self.model.persons.get(&p).map(|p| p.name.clone())),
            Subject::Device(d) => {
                let device = self.model.devices.get(&d);
                let person = device.and_then(|d| d.person_id).and_then(|p| self.model.persons.get(&p));
                (self.model.last_position(d)?.at, person.map(|p| p.name.clone()))
            }
            Subject::Vehicle(v) => {
                let v = self.model.vehicles.get(&v)?;
                (mapa::vehicle_position(&self.model, v)?, Some(v.code.clone()))
            }
            Subject::Occurrence(o) => {
                let o = self.model.occurrences.get(&o)?;
                (o.location?, Some(o.number.clone()))
            }
        };
        let kind = atalaia_core::text::alarm_kind(a.kind);
        Some(mapa::Focus { at, label: name.map_or_else(|| kind.to_owned(), |n| format!("{n} · {kind}")) })
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
        &self.link
    }

    pub fn tick(&mut self, now: DateTime<Utc>) {
        self.now = now;
        self.mapa.set_now(now);
        // Once a second, not per live event: the ring follows a moving subject and leaves an
        // ended alarm without a device scan on every fix of a busy centre.
        self.follow_selection();
        self.save_layout();
        self.refresh_alert();
    }

    pub fn subscription(&self) -> Subscription<Message> {
        let key = LiveKey {
            base: self.session.base.clone(),
            token: self.session.token.clone(),
            resume: self.resume.clone(),
            cache: self.offline.as_ref().map(|o| o.writer.clone()),
        };
        let live = Subscription::run_with(key, |k| {
            atalaia_client::live::subscribe_from(
                k.base.clone(),
                k.token.clone(),
                k.resume.clone(),
                k.cache.clone(),
            )
        })
        .map(Message::Live);
        let pump = self.offline.as_ref().map(|o| {
            let key = PumpKey {
                api: self.session.api.clone(),
                token: self.session.token.clone(),
                path: o.outbox_file.clone(),
                wake: o.wake.clone(),
            };
            Subscription::run_with(key, |k| outbox::pump(k.api.clone(), k.path.clone(), k.wake.clone()))
                .map(Message::Outbox)
        });
        Subscription::batch([live, self.mapa.subscription().map(Message::Mapa)].into_iter().chain(pump))
    }

    pub fn update(&mut self, message: Message) -> (Task<Message>, Option<Event>) {
        let ctx = Ctx { model: &self.model, now: self.now, tz: self.tz, user: &self.session.user };
        match message {
            Message::Live(update) => return (Task::none(), self.live(update)),
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
            Message::Atendimento(m) => {
                let (task, event) = self.atendimento.update(m, &ctx);
                let effect = match event {
                    Some(atendimento::Event::Register(new)) => {
                        self.issue(Command::CreateOccurrence(new), None)
                    }
                    None => Task::none(),
                };
                return (Task::batch([task.map(Message::Atendimento), effect]), None);
            }
            Message::Regulacao(m) => {
                let event = self.regulacao.update(m, &ctx);
                self.follow_selection();
                let effect = match event {
                    Some(regulacao::Event::Regulate(id, up)) => {
                        return (self.issue(Command::Regulate { occurrence: id, update: *up }, None), None);
                    }
                    Some(regulacao::Event::Recommend(id)) => {
                        let api = self.session.api.clone();
                        Task::perform(async move { api.recommendation(id).await }, move |r| {
                            regulacao::Message::Recommended(id, r)
                        })
                    }
                    Some(regulacao::Event::Dispatch(new)) => {
                        return (self.issue(Command::Dispatch(*new), None), None);
                    }
                    Some(regulacao::Event::Updated(o)) => {
                        // The feed will confirm it; showing it now keeps the form and the queue
                        // in step with what the server answered — unless the feed already brought
                        // something newer (the answer and the feed travel separately).
                        let newer =
                            self.model.occurrences.get(&o.id).is_some_and(|m| m.updated_at > o.updated_at);
                        if !newer {
                            self.model.occurrences.insert(o.id, *o);
                            self.mapa.invalidate();
                        }
                        Task::none()
                    }
                    None => Task::none(),
                };
                return (effect.map(Message::Regulacao), None);
            }
            Message::Mapa(m) => {
                if let mapa::Message::Zone(mapa::zones::Message::Saved(_, Ok(zone))) = &m {
                    // The feed will confirm it; the map shows it at once.
                    self.model.zones.insert(zone.id, (**zone).clone());
                }
                let ctx = Ctx { model: &self.model, now: self.now, tz: self.tz, user: &self.session.user };
                let (task, event) = self.mapa.update(m, &ctx);
                let effect = match event {
                    Some(mapa::Event::SaveZone(new, existing)) => {
                        let saved = self.issue(Command::SaveZone { zone: *new, existing }, None);
                        return (Task::batch([task.map(Message::Mapa), saved]), None);
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
                        self.model.alarms.insert(alarm.id, *alarm);
                        self.mapa.invalidate();
                        self.refresh_alert();
                        Task::none()
                    }
                    Some(alarmes::Event::Sent(command)) => {
                        self.model.commands.insert(command.id, *command);
                        Task::none()
                    }
                    None => Task::none(),
                };
                return (Task::batch([task, effect]).map(Message::Alarmes), None);
            }
            Message::Outbox(update) => return (self.outbox_update(update), None),
            Message::Sent(id, command, result) => return (self.answered(id, &command, result, false), None),
            Message::Conflicts(action) => self.conflicts(action),
            Message::About => self.about = !self.about,
            Message::Logout => {
                self.save_layout();
                if let Some(o) = &self.offline {
                    // The server ends this session: a later login without the server needs a new one.
                    seat::forget(&o.dir);
                }
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
        match update {
            LiveUpdate::Connected { resumed } => {
                tracing::info!(resumed, "live feed connected");
                self.link = Link::Connected;
                // The server is back: the outbox goes now, not at the end of its wait.
                if let Some(o) = &self.offline {
                    o.wake.notify_one();
                }
            }
            LiveUpdate::Message(message) => {
                self.data_at = Some(Utc::now());
                let applied = self.model.apply(*message);
                self.alarmes.forget_ended(&self.model);
                if !applied.stale {
                    self.mapa.invalidate();
                }
                if !applied.new_alarms.is_empty() {
                    tracing::info!(count = applied.new_alarms.len(), "new alarms");
                    self.notify_desktop(&applied.new_alarms);
                }
                self.refresh_alert();
            }
            LiveUpdate::Disconnected { reason, retry_in } => {
                tracing::warn!(%reason, ?retry_in, "live feed lost");
                let retry =
                    chrono::Duration::from_std(retry_in).unwrap_or_else(|_| chrono::Duration::seconds(10));
                let since = match self.link {
                    Link::Reconnecting { since, .. } => since,
                    Link::Connecting => self.started,
                    Link::Connected => Utc::now(),
                };
                self.link = Link::Reconnecting { since, at: Utc::now() + retry };
            }
            LiveUpdate::Unauthorized => return Some(Event::SessionExpired),
        }
        None
    }

    /// A desktop notification per new alarm that asks for one, when the console is in the background.
    fn notify_desktop(&self, new: &[atalaia_core::ids::AlarmId]) {
        if self.window_focused || self.wall || !self.session.user.role.can(Permission::AlarmHandle) {
            return;
        }
        for a in new.iter().filter_map(|id| self.model.alarms.get(id)) {
            if alert::unattended(a) && alert::policy(a.kind, a.severity).desktop {
                alert::desktop::send(alert::desktop::Notice {
                    summary: pt::desktop_summary(atalaia_core::text::alarm_kind(a.kind)),
                    body: format!(
                        "{} — {} — {}",
                        atalaia_core::text::severity(a.severity),
                        alarmes::subject_name(&self.model, &a.subject),
                        format::day_time(a.raised_at, self.tz)
                    ),
                    severity: a.severity,
                });
            }
        }
    }

    pub fn view(&self) -> Element<'_, Message> {
        let ctx = Ctx { model: &self.model, now: self.now, tz: self.tz, user: &self.session.user };
        if self.wall {
            let map = self.mapa.wall_view(&self.model).map(Message::Mapa);
            return wall::view(&ctx, link_status(&self.link, self.now, self.tz), map);
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

    /// A count next to the title of the queue panes.
    fn badge(&self, kind: Kind) -> Option<Element<'_, Message>> {
        let (n, colour) = match kind {
            Kind::Regulacao => (self.model.regulation_queue().len(), theme::ORANGE),
            Kind::Alarmes => (self.model.alarm_queue().len(), theme::RED),
            Kind::Atendimento | Kind::Mapa => return None,
        };
        (n > 0).then(|| {
            container(text(n.to_string()).size(theme::SMALL))
                .padding([0, 7])
                .style(theme::chip(colour))
                .into()
        })
    }

    /// The flashing banner while severe alarms wait for an operator: it alternates every second
    /// between a solid and an outlined red (or orange) bar, and says how many and what to press.
    fn view_banner(&self) -> Option<Element<'_, Message>> {
        let worst = self.alert.worst?;
        let colour = theme::severity(worst);
        let lit = self.now.timestamp() % 2 == 0;
        let label = pt::alert_banner(self.alert.banner, &atalaia_core::text::severity(worst).to_lowercase());
        Some(
            container(text(label).size(theme::TITLE))
                .padding([8, 14])
                .width(Fill)
                .style(theme::flashing(colour, lit))
                .into(),
        )
    }

    fn view_header(&self) -> Element<'_, Message> {
        let user = &self.session.user;
        let (mut parts, colour) = link_parts(&self.link, self.now, self.tz);
        if let (false, Some(at)) = (self.link == Link::Connected, self.data_at) {
            parts.push(pt::data_from(&format::since(at, self.now, self.tz)));
        }
        // One text per part (each readable on its own), joined by middle dots.
        let status = row(parts.into_iter().enumerate().map(|(i, part)| {
            let part = if i == 0 { part } else { format!(" · {part}") };
            text(part).size(theme::TEXT).color(colour).into()
        }));
        let strip = row![
            text(pt::APP_NAME).size(theme::HEADING),
            text(format!("{} · {}", user.display_name, atalaia_core::text::role(user.role)))
                .size(theme::TEXT),
            space::horizontal(),
            status,
        ]
        .extend(self.outbox_chips())
        .extend(self.sound_chip())
        // Fixed, right-aligned slots for what changes every second: the header does not reflow.
        .push(
            text(pt::last_seq(self.model.seq))
                .size(theme::SMALL)
                .color(theme::MUTED)
                .width(110)
                .align_x(iced::alignment::Horizontal::Right),
        )
        .push(
            text(format::datetime(self.now, self.tz))
                .size(theme::TITLE)
                .width(190)
                .align_x(iced::alignment::Horizontal::Right),
        )
        .push(
            button(text(pt::ABOUT).size(theme::SMALL))
                .padding([4, 10])
                .style(button::secondary)
                .on_press(Message::About),
        )
        .push(
            button(text(pt::LOGOUT).size(theme::SMALL))
                .padding([4, 10])
                .style(button::secondary)
                .on_press(Message::Logout),
        )
        .spacing(18)
        .align_y(Center)
        // At large text sizes (RNF06) the strip wraps onto a second line instead of pushing the
        // clock and "Sair" off the window.
        .wrap()
        .vertical_spacing(4);
        container(strip).padding([8, 14]).width(Fill).style(theme::header).into()
    }

    /// "3 comandos na fila" while commands wait for the server, and "2 recusados" (a button that
    /// opens the list) when the server refused some.
    fn outbox_chips(&self) -> Vec<Element<'_, Message>> {
        let Some(o) = &self.offline else { return Vec::new() };
        let mut chips = Vec::new();
        if o.pending > 0 {
            chips.push(
                container(text(pt::pending_commands(o.pending)).size(theme::SMALL))
                    .padding([2, 8])
                    .style(theme::banner(theme::ORANGE))
                    .into(),
            );
        }
        if let Some(error) = &o.error {
            chips.push(
                container(text(error.as_str()).size(theme::SMALL))
                    .padding([2, 8])
                    .style(theme::banner(theme::RED))
                    .into(),
            );
        }
        if !o.conflicts.is_empty() {
            chips.push(
                button(text(pt::refused_commands(o.conflicts.len())).size(theme::SMALL))
                    .padding([2, 8])
                    .style(button::danger)
                    .on_press(Message::Conflicts(ConflictAction::Toggle))
                    .into(),
            );
        }
        chips
    }

    /// The commands the server refused, each with why, when it was issued, and the operator's
    /// two choices.
    fn view_conflicts(&self) -> Option<Element<'_, Message>> {
        let o = self.offline.as_ref().filter(|o| o.show_conflicts && !o.conflicts.is_empty())?;
        let rows = o.conflicts.iter().map(|e| {
            let why = match &e.state {
                outbox::State::Conflict { problem } => {
                    ApiError::Problem(Box::new(problem.clone())).user_message()
                }
                outbox::State::Pending => String::new(),
            };
            row![
                column![
                    row![
                        text(e.label.as_str()).size(theme::TEXT),
                        text(pt::issued_at(e.queued_at, self.now, self.tz))
                            .size(theme::SMALL)
                            .color(theme::MUTED),
                    ]
                    .spacing(8)
                    .align_y(Center),
                    text(why).size(theme::SMALL).color(theme::RED),
                ]
                .spacing(2)
                .width(Fill),
                button(text(pt::RESEND).size(theme::SMALL))
                    .padding([4, 10])
                    .style(button::secondary)
                    .on_press(Message::Conflicts(ConflictAction::Retry(e.id))),
                button(text(pt::DISCARD).size(theme::SMALL))
                    .padding([4, 10])
                    .style(button::secondary)
                    .on_press(Message::Conflicts(ConflictAction::Discard(e.id))),
            ]
            .spacing(10)
            .align_y(Center)
            .into()
        });
        let head = row![
            text(pt::CONFLICTS_TITLE).size(theme::TITLE).width(Fill),
            button(text(pt::HIDE).size(theme::SMALL))
                .padding([4, 10])
                .style(button::secondary)
                .on_press(Message::Conflicts(ConflictAction::Toggle)),
        ]
        .align_y(Center);
        Some(
            container(column![head].extend(rows).spacing(8))
                .padding([8, 14])
                .width(Fill)
                .style(theme::banner(theme::RED))
                .into(),
        )
    }

    /// Which Atalaia this is and where it works.
    fn view_about(&self) -> Option<Element<'_, Message>> {
        if !self.about {
            return None;
        }
        let lines = column![
            text(pt::about_title(env!("CARGO_PKG_VERSION"))).size(theme::TITLE),
            text(pt::ABOUT_WHAT).size(theme::TEXT),
            text(pt::about_server(&self.session.base)).size(theme::SMALL).color(theme::MUTED),
            text(pt::about_licence(env!("CARGO_PKG_LICENSE"))).size(theme::SMALL).color(theme::MUTED),
        ]
        .spacing(4)
        .width(Fill);
        let close = button(text(pt::HIDE).size(theme::SMALL))
            .padding([4, 10])
            .style(button::secondary)
            .on_press(Message::About);
        Some(
            container(row![lines, close].align_y(Center))
                .padding([8, 14])
                .width(Fill)
                .style(theme::banner(theme::BLUE))
                .into(),
        )
    }

    /// "Som indisponível" when the seat cannot sound (hover-free: the reason is in the log and
    /// on the chip), so nobody relies on a tone that will not come.
    fn sound_chip(&self) -> Option<Element<'_, Message>> {
        if self.wall || !self.session.user.role.can(Permission::AlarmHandle) {
            return None;
        }
        match self.sound.status() {
            alert::sound::Status::Ready(_) => None,
            alert::sound::Status::Unavailable(_) => Some(
                container(text(pt::SOUND_OFF).size(theme::SMALL))
                    .padding([2, 8])
                    .style(theme::banner(theme::YELLOW))
                    .into(),
            ),
        }
    }

    /// Only the shortcuts this user can actually use.
    fn view_footer(&self) -> Element<'_, Message> {
        let role = self.session.user.role;
        let hints: Vec<&str> = [
            (role.can(Permission::OccurrenceCreate), pt::HINT_REGISTER),
            (role.can(Permission::AlarmHandle), pt::HINT_CLAIM),
            (true, pt::HINT_TAB),
        ]
        .into_iter()
        .filter_map(|(shown, hint)| shown.then_some(hint))
        .collect();
        container(text(hints.join(" · ")).size(theme::SMALL).color(theme::MUTED)).padding([2, 14]).into()
    }
}

/// The status strip's link text and colour.
pub fn link_status(link: &Link, now: DateTime<Utc>, tz: Tz) -> (String, Color) {
    let (parts, colour) = link_parts(link, now, tz);
    (parts.join(" · "), colour)
}

/// The link's state in parts (since when it is down, when it is tried again), and its colour.
fn link_parts(link: &Link, now: DateTime<Utc>, tz: Tz) -> (Vec<String>, Color) {
    match link {
        Link::Connecting => (vec![pt::CONNECTING.to_owned()], theme::YELLOW),
        Link::Connected => (vec![pt::CONNECTED.to_owned()], theme::GREEN),
        Link::Reconnecting { since, at } => {
            // Round up so the countdown never shows 0 s while still waiting.
            let ms = (*at - now).num_milliseconds().max(0);
            let parts =
                vec![pt::offline_since(&format::since(*since, now, tz)), pt::retry_in((ms + 999) / 1000)];
            (parts, theme::ORANGE)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn the_operator_s_layout_is_saved_and_back_at_the_next_login() {
        use atalaia_core::ids::UserId;
        let dir = tempfile::tempdir().expect("dir");
        let user = atalaia_core::wire::UserInfo {
            id: UserId::new(),
            username: "joana".into(),
            display_name: "Joana".into(),
            role: Role::MonitoringOperator,
        };
        let session = || Session {
            api: atalaia_client::Api::new("http://127.0.0.1:9").expect("client"),
            base: "http://127.0.0.1:9".into(),
            token: "t".into(),
            user: user.clone(),
        };
        let now = Utc::now();
        let mut d = Dashboard::new(session(), now, format::DEFAULT_TZ).with_layout_dir(Some(dir.path()));
        let default = crate::layout::capture(&d.panes);
        // She swaps the map and the alarms (as a drop on the other pane does).
        let panes: Vec<Pane> = d.panes.iter().map(|(p, _)| *p).collect();
        d.panes.swap(panes[0], panes[1]);
        d.layout_dirty = true;
        d.tick(now);
        let mine = crate::layout::capture(&d.panes);
        assert_ne!(mine, default);

        let again = Dashboard::new(session(), now, format::DEFAULT_TZ).with_layout_dir(Some(dir.path()));
        assert_eq!(crate::layout::capture(&again.panes), mine, "her arrangement came back");
        let other = Dashboard::new(
            Session {
                user: atalaia_core::wire::UserInfo { username: "carlos".into(), ..user.clone() },
                ..session()
            },
            now,
            format::DEFAULT_TZ,
        )
        .with_layout_dir(Some(dir.path()));
        assert_eq!(crate::layout::capture(&other.panes), default, "another operator keeps the default");
    }

    /// Issue 8: a claim made while the console still believed itself online, whose sending then
    /// found no server, is kept in the outbox (surviving the console) and shown as taken so the
    /// operator can go on; refused later, the alarm goes back to what the server had.
    #[test]
    fn a_claim_that_finds_no_server_is_queued_and_shown_taken_then_put_back_when_refused() {
        use atalaia_core::alarm::{Alarm, AlarmKind, AlarmState, Subject};
        use atalaia_core::ids::{PersonId, UserId};
        let data = tempfile::tempdir().expect("dir");
        let user = atalaia_core::wire::UserInfo {
            id: UserId::new(),
            username: "joana".into(),
            display_name: "Joana".into(),
            role: Role::MonitoringOperator,
        };
        let session = Session {
            api: atalaia_client::Api::new("http://127.0.0.1:9").expect("client"),
            base: "http://127.0.0.1:9".into(),
            token: "t".into(),
            user: user.clone(),
        };
        let now = Utc::now();
        let mut d =
            Dashboard::new(session, now, format::DEFAULT_TZ).with_offline(Some(data.path()), "central");
        let alarm = Alarm::new(AlarmKind::StrapCut, Subject::Person(PersonId::new()), None, now, now);
        let id = alarm.id;
        let _ = d.update(Message::Live(LiveUpdate::Connected { resumed: false }));
        let snapshot = atalaia_core::wire::Snapshot { seq: 7, alarms: vec![alarm], ..Default::default() };
        let _ = d.update(Message::Live(LiveUpdate::Message(Box::new(
            atalaia_core::wire::LiveMessage::Snapshot(snapshot),
        ))));
        let _ = d.update(Message::Alarmes(alarmes::Message::Claim(id)));
        assert_eq!(d.outbox_counts(), (1, 0));
        assert_eq!(d.model.alarms[&id].state, AlarmState::Open, "online: the server's answer is awaited");
        let queued = Outbox::open(&seat::outbox_file(&seat::dir(data.path(), "central", "joana")))
            .expect("outbox")
            .entries()
            .expect("entries");
        assert_eq!(queued.len(), 1, "on disk before anything was sent");

        let waiting = outbox::Update::Waiting {
            pending: 1,
            reason: "sem conexão".into(),
            retry_in: std::time::Duration::from_secs(1),
        };
        let _ = d.update(Message::Outbox(waiting.clone()));
        assert!(matches!(d.model.alarms[&id].state, AlarmState::Claimed { by, .. } if by == user.id));
        let _ = d.update(Message::Outbox(waiting));
        assert!(d.model.alarms[&id].notes.is_empty() && d.optimistic.len() == 1, "applied once");

        let problem = atalaia_core::wire::Problem {
            type_uri: "about:blank".into(),
            title: "Conflito".into(),
            status: 409,
            detail: Some("Alarme já assumido por Ana.".into()),
            code: "conflict".into(),
            errors: Vec::new(),
        };
        let _ = d.update(Message::Outbox(outbox::Update::Conflict {
            entry: Box::new(queued[0].clone()),
            problem: Box::new(problem),
        }));
        assert_eq!(d.model.alarms[&id].state, AlarmState::Open, "back to the server's copy");
        assert_eq!(d.outbox_counts().1, 1, "kept for the operator to decide");
    }

    #[test]
    fn link_status_counts_down() {
        let now = Utc.with_ymd_and_hms(2026, 11, 22, 13, 0, 0).single().expect("valid");
        let at = now + chrono::Duration::milliseconds(2500);
        let since = now - chrono::Duration::minutes(7);
        let tz = format::DEFAULT_TZ;
        assert_eq!(
            link_status(&Link::Reconnecting { since, at }, now, tz).0,
            "Sem conexão desde 09:53 · nova tentativa em 3s"
        );
        assert_eq!(
            link_status(&Link::Reconnecting { since, at }, at + chrono::Duration::seconds(1), tz).0,
            "Sem conexão desde 09:53 · nova tentativa em 0s"
        );
        // Lost yesterday: the day is said too.
        let since = now - chrono::Duration::hours(30);
        assert_eq!(
            link_status(&Link::Reconnecting { since, at }, now, tz).0,
            "Sem conexão desde 21/11 04:00 · nova tentativa em 3s"
        );
        assert_eq!(link_status(&Link::Connected, now, tz).0, "Conectado");
    }
}
