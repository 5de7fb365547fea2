//! One operator's desk apart from its screens: the live model and the link that feeds it, the
//! offline seat (cache and outbox, issue 8), and the bookkeeping of the commands the operator
//! issues — where each goes (the outbox, or straight to the server), what the seat shows while the
//! server is away (an alarm action as done, a call as queued), what it puts back when the server
//! refuses, and which screen each answer belongs to.
//!
//! The console's dashboard holds a [`Desk`], gives it what happens (live updates, outbox reports,
//! commands, answers) and turns what it returns ([`Show`]) into the panes' messages. Nothing here
//! knows about a window, so all of it is tested without one.

use crate::api::{Api, ApiError};
use crate::live::{LiveUpdate, Resume};
use crate::model::LiveModel;
use crate::outbox::{self, Command, Outbox};
use crate::{cache, seat};
use atalaia_core::alarm::Alarm;
use atalaia_core::command::DeviceCommand;
use atalaia_core::ids::{AlarmId, DeviceId, OccurrenceId, PersonId, ZoneId};
use atalaia_core::monitoring::{Device, Person, Zone};
use atalaia_core::samu::{Dispatch, Occurrence};
use atalaia_core::wire::{AlarmAction, UserInfo};
use chrono::{DateTime, Utc};
use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use tokio::sync::Notify;
use uuid::Uuid;

#[cfg(test)]
mod tests;

/// Said when the outbox could not take a command: it was not recorded here.
pub fn queue_failed(error: &str) -> String {
    format!("Comando não gravado neste console: {error}")
}

/// Said while the outbox file cannot be used.
pub fn outbox_trouble(error: &str) -> String {
    format!("Fila de comandos com problema: {error}")
}

pub const APPLIED_WITHOUT_ANSWER: &str =
    "Aplicado no servidor, sem resposta detalhada: os dados chegam pela atualização ao vivo.";

/// State of the live link.
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

/// The operator's offline seat: the cache the panes start from, and the outbox every command
/// goes through.
struct OfflineSeat {
    dir: PathBuf,
    outbox: Outbox,
    outbox_file: PathBuf,
    /// Cuts the outbox sender's wait short (a new command, the link back).
    wake: Arc<Notify>,
    writer: cache::Writer,
    /// Commands waiting for the server.
    pending: usize,
    /// Commands the server refused, kept until the operator decides.
    conflicts: Vec<outbox::Entry>,
    show_conflicts: bool,
    /// The outbox file could not be used (disk full, damaged file).
    error: Option<String>,
}

/// A command's answer (or refusal), for the screen that issued it.
#[derive(Debug)]
pub enum Routed {
    Registered(OccurrenceId, Box<Result<Occurrence, ApiError>>),
    Regulated(OccurrenceId, Result<Box<Occurrence>, ApiError>),
    Closed(OccurrenceId, Result<Box<Occurrence>, ApiError>),
    Dispatched(OccurrenceId, Result<Box<Dispatch>, ApiError>),
    /// `reverted`: the seat showed the action as done and the server refused it, so the alarm is
    /// back to the server's copy.
    Alarm {
        alarm: AlarmId,
        result: Result<Box<Alarm>, ApiError>,
        reverted: bool,
    },
    /// A device command sent from this alarm's card.
    DeviceCommand(AlarmId, Result<Box<DeviceCommand>, ApiError>),
    Zone(ZoneId, Result<Box<Zone>, ApiError>),
    /// A person's record saved from an alarm card or the administration screen.
    Person(PersonId, Result<Box<Person>, ApiError>),
    /// A device registered or moved through its life at the administration screen.
    Device(DeviceId, Result<Box<Device>, ApiError>),
}

/// What the screens must show after something happened at the desk.
#[derive(Debug)]
pub enum Show {
    Answer(Routed),
    /// A new call went into the outbox while the server is away: the call taker goes on.
    CallQueued(OccurrenceId),
    /// An alarm action waiting in the outbox, shown as done so the operator can go on.
    AlarmDone(Box<Alarm>),
    /// The outbox waits for the server: a call being registered is queued.
    Waiting,
}

/// Where an issued command went.
#[derive(Debug)]
pub enum Issued {
    /// No outbox: send it now with this id ([`send`]) and give the answer to [`Desk::answered`].
    Send(Uuid),
    /// Recorded; what to show now (nothing while the link is up: the answer comes).
    Shown(Vec<Show>),
}

/// What a live update changed.
#[derive(Debug, Default, PartialEq)]
pub struct Live {
    /// A message was applied to the model.
    pub applied: bool,
    /// The model changed (draw again).
    pub changed: bool,
    pub new_alarms: Vec<AlarmId>,
    /// The server no longer accepts the session.
    pub unauthorized: bool,
    /// A snapshot replaced the model (after a reconnection): what was read beside it is stale.
    pub reset: bool,
}

/// What the operator does with the list of refused commands.
#[derive(Debug, Clone)]
pub enum ConflictAction {
    Toggle,
    Discard(Uuid),
    /// Send it again, as a new command.
    Retry(Uuid),
}

/// Sends `command` with `id` as its idempotency key, for a desk without an outbox.
pub async fn send(api: Api, id: Uuid, command: Command) -> Result<serde_json::Value, ApiError> {
    let (method, path, body) = command.request().map_err(|e| ApiError::Decode(e.to_string()))?;
    api.command(method, &path, &body, id).await.map(|(answer, _)| answer)
}

pub struct Desk {
    model: LiveModel,
    user: UserInfo,
    link: Link,
    /// When this desk started (the link is "lost since" then until it first connects).
    started: DateTime<Utc>,
    /// How old the data shown is: the last live message, or the cache's save time at start.
    data_at: Option<DateTime<Utc>>,
    /// Where the live feed resumes (the cached model's `seq` and database).
    resume: Option<Resume>,
    offline: Option<OfflineSeat>,
    /// The alarm card a device command was sent from, by command id.
    command_alarm: HashMap<Uuid, AlarmId>,
    /// Alarms changed here while offline: (as the server had it, as this seat shows it), put
    /// back when the server refuses the change.
    optimistic: HashMap<AlarmId, (Alarm, Alarm)>,
    /// Outbox commands already shown as done here (see [`Desk::work_offline`]).
    applied_locally: HashSet<Uuid>,
}

impl Desk {
    pub fn new(user: UserInfo, now: DateTime<Utc>) -> Self {
        Self {
            model: LiveModel { unit: user.unit.clone(), ..LiveModel::default() },
            user,
            link: Link::Connecting,
            started: now,
            data_at: None,
            resume: None,
            offline: None,
            command_alarm: HashMap::new(),
            optimistic: HashMap::new(),
            applied_locally: HashSet::new(),
        }
    }

    /// The server's list of users' names arrived.
    pub fn names_arrived(&mut self, names: Vec<atalaia_core::wire::UserName>) {
        self.model.names = names.into_iter().map(|n| (n.id, n.display_name)).collect();
    }

    pub fn model(&self) -> &LiveModel {
        &self.model
    }

    pub fn link(&self) -> &Link {
        &self.link
    }

    /// How old the data shown is, when it is not live.
    pub fn data_at(&self) -> Option<DateTime<Utc>> {
        self.data_at
    }

    /// Opens this user's seat under `data_dir` for the server `server`: starts from its cache
    /// (what the panes showed last time, with its age) and sends every command through its
    /// outbox. `Ok(true)` when the model came from the cache.
    pub fn open_seat(&mut self, data_dir: &Path, server: &str) -> Result<bool, String> {
        let dir = seat::dir(data_dir, server, &self.user.username);
        std::fs::create_dir_all(&dir).map_err(|e| format!("{}: {e}", dir.display()))?;
        let cache = cache::Cache::open(&seat::cache_file(&dir)).map_err(|e| e.to_string())?;
        let mut loaded = false;
        match cache.load() {
            Ok(Some(cached)) => {
                tracing::info!(seq = cached.model.seq, saved_at = %cached.saved_at, "starting from the offline cache");
                self.model = LiveModel { unit: self.user.unit.clone(), ..cached.model };
                self.data_at = Some(cached.saved_at);
                self.resume = Some(Resume { seq: self.model.seq, instance: self.model.instance.clone() });
                loaded = true;
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
        self.offline = Some(OfflineSeat {
            dir,
            outbox,
            outbox_file,
            wake: Arc::new(Notify::new()),
            writer,
            pending: pending.len(),
            show_conflicts: !conflicts.is_empty(),
            conflicts,
            error: None,
        });
        Ok(loaded)
    }

    /// Where the live feed resumes, and the cache writer it feeds.
    pub fn live_source(&self) -> (Option<Resume>, Option<cache::Writer>) {
        (self.resume.clone(), self.offline.as_ref().map(|o| o.writer.clone()))
    }

    /// The outbox file and the signal that wakes its sender, when this desk has a seat.
    pub fn outbox_source(&self) -> Option<(PathBuf, Arc<Notify>)> {
        self.offline.as_ref().map(|o| (o.outbox_file.clone(), o.wake.clone()))
    }

    /// Commands waiting for the server, and commands it refused.
    pub fn outbox_counts(&self) -> (usize, usize) {
        self.offline.as_ref().map_or((0, 0), |o| (o.pending, o.conflicts.len()))
    }

    /// What went wrong with the outbox, worded for the operator.
    pub fn outbox_error(&self) -> Option<&str> {
        self.offline.as_ref().and_then(|o| o.error.as_deref())
    }

    /// The refused commands when the operator has the list open.
    pub fn shown_conflicts(&self) -> Option<&[outbox::Entry]> {
        self.offline
            .as_ref()
            .filter(|o| o.show_conflicts && !o.conflicts.is_empty())
            .map(|o| &o.conflicts[..])
    }

    /// At logout: the server ends this session, so a later login without the server needs a new
    /// one.
    pub fn forget_seat(&self) {
        if let Some(o) = &self.offline {
            seat::forget(&o.dir);
        }
    }

    /// Issues an operator's command: into the outbox (durably, before anything else) when this
    /// desk has one, to be sent at once otherwise. `from_alarm`: the alarm card a device command
    /// was sent from.
    pub fn issue(&mut self, command: Command, from_alarm: Option<AlarmId>, now: DateTime<Utc>) -> Issued {
        let online = self.link == Link::Connected;
        let Some(o) = self.offline.as_mut() else {
            let id = Uuid::now_v7();
            if let Some(alarm) = from_alarm {
                self.command_alarm.insert(id, alarm);
            }
            return Issued::Send(id);
        };
        let entry = match o.outbox.enqueue(command.clone(), &command.describe(), now) {
            Ok(entry) => entry,
            Err(error) => {
                // Not on disk: the operator must know it was not taken.
                tracing::error!(%error, "command not queued");
                let said = queue_failed(&error.to_string());
                o.error = Some(said.clone());
                let id = Uuid::now_v7();
                if let Some(alarm) = from_alarm {
                    self.command_alarm.insert(id, alarm);
                }
                let routed = self.answered(id, &command, Err(ApiError::Local(said)), false);
                return Issued::Shown(routed.map(Show::Answer).into_iter().collect());
            }
        };
        o.pending += 1;
        o.wake.notify_one();
        if let Some(alarm) = from_alarm {
            self.command_alarm.insert(entry.id, alarm);
        }
        if online {
            return Issued::Shown(Vec::new());
        }
        // Offline: the operator goes on working from what was just recorded.
        let shown = match &command {
            Command::CreateOccurrence(new) => Some(Show::CallQueued(new.id.unwrap_or_default())),
            Command::AlarmAction { alarm, action } => self.work_offline(entry.id, *alarm, action, now),
            _ => None,
        };
        Issued::Shown(shown.into_iter().collect())
    }

    /// An alarm action waiting in the outbox, as done (once per command).
    fn work_offline(
        &mut self,
        command: Uuid,
        alarm: AlarmId,
        action: &AlarmAction,
        now: DateTime<Utc>,
    ) -> Option<Show> {
        if !self.applied_locally.insert(command) {
            return None;
        }
        self.apply_locally(alarm, action, now).map(|a| Show::AlarmDone(Box::new(a)))
    }

    /// The alarm as the server will have it once `action` is applied, for working offline; the
    /// server's copy is kept to put back if it refuses. `None` when it cannot be foreseen.
    fn apply_locally(&mut self, id: AlarmId, action: &AlarmAction, now: DateTime<Utc>) -> Option<Alarm> {
        let me = self.user.id;
        let before = self.model.alarms.get(&id)?.clone();
        let mut a = before.clone();
        let done = match action {
            AlarmAction::Claim => a.claim(me, now),
            AlarmAction::CompleteStep { index } => a.complete_step(me, now, *index),
            AlarmAction::Note { text } => a.add_note(me, now, text),
            AlarmAction::Record { measure, text } => a.record_measure(me, now, *measure, text),
            AlarmAction::Close { outcome, note } => a.close(me, now, *outcome, note),
            // The procedure's steps and the message's delivery are the server's to say.
            AlarmAction::StartProcedure | AlarmAction::Notify { .. } | AlarmAction::PhoneCall { .. } => {
                return None;
            }
        };
        done.ok()?;
        self.optimistic.entry(id).or_insert_with(|| (before, a.clone())).1 = a.clone();
        self.model.alarms.insert(id, a.clone());
        Some(a)
    }

    /// Routes a command's answer (or refusal) to the screen that issued it. `replayed`: the
    /// server had applied it already and this is its first answer, which may be older than what
    /// the feed brought since — the seat's current copy is given instead.
    pub fn answered(
        &mut self,
        id: Uuid,
        command: &Command,
        result: Result<serde_json::Value, ApiError>,
        replayed: bool,
    ) -> Option<Routed> {
        fn decode<T: serde::de::DeserializeOwned>(
            r: Result<serde_json::Value, ApiError>,
        ) -> Result<T, ApiError> {
            r.and_then(|v| serde_json::from_value(v).map_err(|e| ApiError::Decode(e.to_string())))
        }
        self.applied_locally.remove(&id);
        let result = match result {
            // Applied, but the server stopped before it kept its answer: what the feed brought
            // stands for it, and the screen is released either way.
            Ok(serde_json::Value::Null) => {
                self.current(command).ok_or_else(|| ApiError::Local(APPLIED_WITHOUT_ANSWER.to_owned()))
            }
            Ok(answer) if replayed => Ok(self.current(command).unwrap_or(answer)),
            other => other,
        };
        Some(match command {
            Command::CreateOccurrence(new) => {
                Routed::Registered(new.id.unwrap_or_default(), Box::new(decode(result)))
            }
            Command::Regulate { occurrence, .. } => {
                Routed::Regulated(*occurrence, decode(result).map(Box::new))
            }
            Command::CloseOccurrence { occurrence, .. } => {
                Routed::Closed(*occurrence, decode(result).map(Box::new))
            }
            Command::Dispatch(new) => Routed::Dispatched(new.occurrence_id, decode(result).map(Box::new)),
            Command::AlarmAction { alarm, .. } => {
                let shown = self.optimistic.remove(alarm);
                let mut reverted = false;
                if let (Err(_), Some((before, shown))) = (&result, shown)
                    && self.model.alarms.get(alarm) == Some(&shown)
                {
                    // The server refused what this seat showed as done: back to the server's
                    // copy (unless the feed has brought a newer one meanwhile).
                    self.model.alarms.insert(*alarm, before);
                    reverted = true;
                }
                Routed::Alarm { alarm: *alarm, result: decode(result).map(Box::new), reverted }
            }
            Command::DeviceCommand { .. } => {
                let alarm = self.command_alarm.remove(&id)?;
                Routed::DeviceCommand(alarm, decode(result).map(Box::new))
            }
            Command::SaveZone { zone, .. } => {
                Routed::Zone(zone.id.unwrap_or_default(), decode(result).map(Box::new))
            }
            Command::ZoneState { zone, .. } => Routed::Zone(*zone, decode(result).map(Box::new)),
            Command::UpdatePerson { person, .. } => Routed::Person(*person, decode(result).map(Box::new)),
            Command::CreatePerson(body) => {
                Routed::Person(body.id.unwrap_or_default(), decode(result).map(Box::new))
            }
            Command::CreateDevice(body) => {
                Routed::Device(body.id.unwrap_or_default(), decode(result).map(Box::new))
            }
            Command::DeviceState { device, .. } => Routed::Device(*device, decode(result).map(Box::new)),
        })
    }

    /// The record a command is about, as this seat has it now.
    fn current(&self, command: &Command) -> Option<serde_json::Value> {
        let m = &self.model;
        let value = match command {
            Command::CreateOccurrence(new) => serde_json::to_value(m.occurrences.get(&new.id?)?),
            Command::Regulate { occurrence, .. } | Command::CloseOccurrence { occurrence, .. } => {
                serde_json::to_value(m.occurrences.get(occurrence)?)
            }
            Command::Dispatch(new) => serde_json::to_value(m.dispatches.get(&new.id?)?),
            Command::AlarmAction { alarm, .. } => serde_json::to_value(m.alarms.get(alarm)?),
            Command::DeviceCommand { command, .. } => serde_json::to_value(m.commands.get(&command.id?)?),
            Command::SaveZone { zone, .. } => serde_json::to_value(m.zones.get(&zone.id?)?),
            Command::ZoneState { zone, .. } => serde_json::to_value(m.zones.get(zone)?),
            Command::UpdatePerson { person, .. } => serde_json::to_value(m.persons.get(person)?),
            Command::CreatePerson(body) => serde_json::to_value(m.persons.get(&body.id?)?),
            Command::CreateDevice(body) => serde_json::to_value(m.devices.get(&body.id?)?),
            Command::DeviceState { device, .. } => serde_json::to_value(m.devices.get(device)?),
        };
        value.ok()
    }

    /// The outbox sender's report.
    pub fn outbox_update(&mut self, update: outbox::Update, now: DateTime<Utc>) -> Vec<Show> {
        let Some(o) = self.offline.as_mut() else { return Vec::new() };
        let shown = match update {
            outbox::Update::Delivered { entry, answer, replayed } => {
                tracing::info!(id = %entry.id, label = %entry.label, replayed, "command delivered");
                o.error = None;
                self.answered(entry.id, &entry.command, Ok(answer), replayed)
                    .map(Show::Answer)
                    .into_iter()
                    .collect()
            }
            outbox::Update::Conflict { entry, problem } => {
                tracing::warn!(id = %entry.id, label = %entry.label, detail = ?problem.detail, "command refused");
                let mut kept = (*entry).clone();
                kept.state = outbox::State::Conflict { problem: (*problem).clone() };
                o.conflicts.push(kept);
                // Shown at once: the operator must see what happened and decide.
                o.show_conflicts = true;
                let refusal = Err(ApiError::Problem(problem));
                self.answered(entry.id, &entry.command, refusal, false)
                    .map(Show::Answer)
                    .into_iter()
                    .collect()
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
                let mut shown: Vec<Show> = alarm_actions
                    .into_iter()
                    .filter_map(|(id, alarm, action)| self.work_offline(id, alarm, &action, now))
                    .collect();
                shown.push(Show::Waiting);
                shown
            }
            outbox::Update::Idle => Vec::new(),
            outbox::Update::Unauthorized => {
                tracing::warn!("outbox: session refused; commands wait for the next login");
                Vec::new()
            }
            outbox::Update::Failed(error) => {
                tracing::error!(%error, "outbox unusable");
                o.error = Some(outbox_trouble(&error));
                Vec::new()
            }
        };
        if let Some(o) = self.offline.as_mut() {
            match o.outbox.pending_count() {
                Ok(n) => o.pending = n,
                Err(e) => o.error = Some(outbox_trouble(&e.to_string())),
            }
        }
        shown
    }

    /// The operator's decision on a refused command.
    pub fn conflicts(&mut self, action: ConflictAction, now: DateTime<Utc>) {
        let Some(o) = self.offline.as_mut() else { return };
        let result = match action {
            ConflictAction::Toggle => {
                o.show_conflicts = !o.show_conflicts;
                Ok(())
            }
            ConflictAction::Discard(id) => o.outbox.discard(id).map(|()| o.conflicts.retain(|e| e.id != id)),
            ConflictAction::Retry(id) => o.outbox.retry(id, now).map(|again| {
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

    /// A live update: the link's state, or a message applied to the model.
    pub fn live(&mut self, update: LiveUpdate, now: DateTime<Utc>) -> Live {
        match update {
            LiveUpdate::Connected { resumed } => {
                tracing::info!(resumed, "live feed connected");
                self.link = Link::Connected;
                // The server is back: the outbox goes now, not at the end of its wait.
                if let Some(o) = &self.offline {
                    o.wake.notify_one();
                }
                Live::default()
            }
            LiveUpdate::Message(message) => {
                self.data_at = Some(now);
                let applied = self.model.apply(*message);
                if !applied.new_alarms.is_empty() {
                    tracing::info!(count = applied.new_alarms.len(), "new alarms");
                }
                Live {
                    applied: true,
                    changed: !applied.stale,
                    new_alarms: applied.new_alarms,
                    unauthorized: false,
                    reset: applied.reset,
                }
            }
            LiveUpdate::Disconnected { reason, retry_in } => {
                tracing::warn!(%reason, ?retry_in, "live feed lost");
                let retry =
                    chrono::Duration::from_std(retry_in).unwrap_or_else(|_| chrono::Duration::seconds(10));
                let since = match self.link {
                    Link::Reconnecting { since, .. } => since,
                    Link::Connecting => self.started,
                    Link::Connected => now,
                };
                self.link = Link::Reconnecting { since, at: now + retry };
                Live::default()
            }
            LiveUpdate::Unauthorized => Live { unauthorized: true, ..Live::default() },
        }
    }

    /// An occurrence as the server just answered it: shown now (the feed will confirm it) unless
    /// the feed already brought something newer — the answer and the feed travel separately.
    /// `true` when shown.
    pub fn answered_occurrence(&mut self, o: Occurrence) -> bool {
        let newer = self.model.occurrences.get(&o.id).is_some_and(|m| m.updated_at > o.updated_at);
        if !newer {
            self.model.occurrences.insert(o.id, o);
        }
        !newer
    }

    /// An alarm as the server just answered it: shown now (sparing the operator a second click,
    /// silencing the tone at once when it was just taken); the feed will confirm it.
    pub fn answered_alarm(&mut self, a: Alarm) {
        self.model.alarms.insert(a.id, a);
    }

    /// A device command as the server just recorded it.
    pub fn answered_command(&mut self, c: DeviceCommand) {
        self.model.commands.insert(c.id, c);
    }

    /// A zone as the server just saved it: the map shows it at once.
    pub fn answered_zone(&mut self, z: Zone) {
        self.model.zones.insert(z.id, z);
    }
}
