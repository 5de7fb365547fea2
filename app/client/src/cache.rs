//! The console's offline cache (issue 8 item 1): what the panes show — occurrences, vehicles,
//! people, devices, zones, alarms, dispatches, device commands and the recent fixes of every
//! device — and the last applied live-feed `seq`, kept in a local SQLite file so a console starts
//! at once from it, with or without a server, and can say how old the data is.
//!
//! Stored as one JSON document per record (the wire types already are the contract with the
//! server), written in one transaction: a crash mid-save leaves the previous copy whole.

use crate::model::LiveModel;
use atalaia_core::monitoring::Position;
use atalaia_core::wire::{EventBody, LiveMessage, Snapshot};
use chrono::{DateTime, Utc};
use rusqlite::{Connection, OptionalExtension, params};
use serde::Serialize;
use serde::de::DeserializeOwned;
use std::collections::{HashSet, VecDeque};
use std::path::Path;
use thiserror::Error;

/// Bumped when the layout of the file changes; an older file is started afresh.
const SCHEMA: i64 = 1;

#[derive(Debug, Error)]
pub enum CacheError {
    #[error("cache local: {0}")]
    Store(#[from] rusqlite::Error),
    #[error("cache local: registro ilegível ({0})")]
    Decode(#[from] serde_json::Error),
}

/// The model as it was last saved, and when.
#[derive(Debug, Clone)]
pub struct Cached {
    pub model: LiveModel,
    pub saved_at: DateTime<Utc>,
}

pub struct Cache {
    conn: Connection,
}

impl std::fmt::Debug for Cache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Cache").finish_non_exhaustive()
    }
}

/// The kinds of record kept, as stored in the `kind` column.
const KINDS: [&str; 9] =
    ["occurrence", "vehicle", "person", "device", "zone", "alarm", "dispatch", "command", "fix"];

impl Cache {
    /// Opens (creating if needed) the cache file. A file of another schema version is emptied.
    pub fn open(path: &Path) -> Result<Self, CacheError> {
        let conn = crate::sqlite::open(path, |conn| {
            conn.pragma_update(None, "journal_mode", "WAL")?;
            conn.pragma_update(None, "synchronous", "NORMAL")?;
            let version: i64 = conn.pragma_query_value(None, "user_version", |r| r.get(0))?;
            if version != SCHEMA {
                conn.execute_batch("DROP TABLE IF EXISTS records; DROP TABLE IF EXISTS meta;")?;
            }
            conn.execute_batch(
                "CREATE TABLE IF NOT EXISTS records (kind TEXT NOT NULL, id TEXT NOT NULL, body TEXT NOT NULL,
                     PRIMARY KEY (kind, id)) WITHOUT ROWID;
                 CREATE TABLE IF NOT EXISTS meta (name TEXT PRIMARY KEY, value TEXT NOT NULL);",
            )?;
            conn.pragma_update(None, "user_version", SCHEMA)
        })?;
        Ok(Self { conn })
    }

    /// Replaces the stored copy with `model`, in one transaction.
    pub fn save(&mut self, model: &LiveModel, now: DateTime<Utc>) -> Result<(), CacheError> {
        let tx = self.conn.transaction()?;
        tx.execute("DELETE FROM records", [])?;
        {
            let mut insert = tx.prepare("INSERT INTO records (kind, id, body) VALUES (?1, ?2, ?3)")?;
            let mut put =
                |kind: &str, id: String, body: String| insert.execute(params![kind, id, body]).map(|_| ());
            fn each<'a, T: Serialize + 'a>(
                put: &mut impl FnMut(&str, String, String) -> rusqlite::Result<()>,
                kind: &str,
                items: impl Iterator<Item = (String, &'a T)>,
            ) -> Result<(), CacheError> {
                for (id, item) in items {
                    put(kind, id, serde_json::to_string(item)?)?;
                }
                Ok(())
            }
            each(&mut put, KINDS[0], model.occurrences.iter().map(|(k, v)| (k.to_string(), v)))?;
            each(&mut put, KINDS[1], model.vehicles.iter().map(|(k, v)| (k.to_string(), v)))?;
            each(&mut put, KINDS[2], model.persons.iter().map(|(k, v)| (k.to_string(), v)))?;
            each(&mut put, KINDS[3], model.devices.iter().map(|(k, v)| (k.to_string(), v)))?;
            each(&mut put, KINDS[4], model.zones.iter().map(|(k, v)| (k.to_string(), v)))?;
            each(&mut put, KINDS[5], model.alarms.iter().map(|(k, v)| (k.to_string(), v)))?;
            each(&mut put, KINDS[6], model.dispatches.iter().map(|(k, v)| (k.to_string(), v)))?;
            each(&mut put, KINDS[7], model.commands.iter().map(|(k, v)| (k.to_string(), v)))?;
            // A device's recent fixes as one record, oldest first.
            each(&mut put, KINDS[8], model.trails.iter().map(|(k, v)| (k.to_string(), v)))?;
        }
        write_meta(&tx, model, now)?;
        tx.commit()?;
        Ok(())
    }

    /// Writes the records `changed` names as they now are in `model` (deleting those it no longer
    /// has) and the model's `seq`, in one transaction.
    pub fn save_changes(
        &mut self,
        model: &LiveModel,
        changed: &HashSet<Changed>,
        now: DateTime<Utc>,
    ) -> Result<(), CacheError> {
        let tx = self.conn.transaction()?;
        {
            let mut upsert =
                tx.prepare_cached("INSERT OR REPLACE INTO records (kind, id, body) VALUES (?1, ?2, ?3)")?;
            let mut delete = tx.prepare_cached("DELETE FROM records WHERE kind = ?1 AND id = ?2")?;
            for c in changed {
                let (kind, id, body) = match c {
                    Changed::Occurrence(id) => (KINDS[0], id.to_string(), json(model.occurrences.get(id))?),
                    Changed::Vehicle(id) => (KINDS[1], id.to_string(), json(model.vehicles.get(id))?),
                    Changed::Person(id) => (KINDS[2], id.to_string(), json(model.persons.get(id))?),
                    Changed::Device(id) => (KINDS[3], id.to_string(), json(model.devices.get(id))?),
                    Changed::Zone(id) => (KINDS[4], id.to_string(), json(model.zones.get(id))?),
                    Changed::Alarm(id) => (KINDS[5], id.to_string(), json(model.alarms.get(id))?),
                    Changed::Dispatch(id) => (KINDS[6], id.to_string(), json(model.dispatches.get(id))?),
                    Changed::Command(id) => (KINDS[7], id.to_string(), json(model.commands.get(id))?),
                    Changed::Fixes(id) => (KINDS[8], id.to_string(), json(model.trails.get(id))?),
                };
                match body {
                    Some(body) => upsert.execute(params![kind, id, body])?,
                    None => delete.execute(params![kind, id])?,
                };
            }
        }
        write_meta(&tx, model, now)?;
        tx.commit()?;
        Ok(())
    }

    fn all<T: DeserializeOwned>(&self, kind: &str) -> Result<Vec<T>, CacheError> {
        let mut stmt = self.conn.prepare("SELECT body FROM records WHERE kind = ?1")?;
        let rows = stmt.query_map([kind], |r| r.get::<_, String>(0))?;
        let mut out = Vec::new();
        for body in rows {
            out.push(serde_json::from_str(&body?)?);
        }
        Ok(out)
    }

    fn meta(&self, name: &str) -> Result<Option<String>, CacheError> {
        Ok(self.conn.query_row("SELECT value FROM meta WHERE name = ?1", [name], |r| r.get(0)).optional()?)
    }

    /// The stored model, or `None` when nothing was ever saved.
    pub fn load(&self) -> Result<Option<Cached>, CacheError> {
        let (Some(seq), Some(saved_at)) = (self.meta("seq")?, self.meta("saved_at")?) else {
            return Ok(None);
        };
        let seq: u64 = seq.parse().unwrap_or(0);
        let saved_at =
            DateTime::parse_from_rfc3339(&saved_at).map(|t| t.with_timezone(&Utc)).unwrap_or_default();
        let trails: Vec<VecDeque<Position>> = self.all(KINDS[8])?;
        let snapshot = Snapshot {
            seq,
            instance: self.meta("instance")?.unwrap_or_default(),
            occurrences: self.all(KINDS[0])?,
            vehicles: self.all(KINDS[1])?,
            persons: self.all(KINDS[2])?,
            devices: self.all(KINDS[3])?,
            zones: self.all(KINDS[4])?,
            alarms: self.all(KINDS[5])?,
            positions: Vec::new(),
            dispatches: self.all(KINDS[6])?,
        };
        let mut model = LiveModel::default();
        let _ = model.apply(LiveMessage::Snapshot(snapshot));
        for trail in trails {
            if let Some(last) = trail.back() {
                model.trails.insert(last.device_id, trail);
            }
        }
        for command in self.all::<atalaia_core::command::DeviceCommand>(KINDS[7])? {
            model.commands.insert(command.id, command);
        }
        Ok(Some(Cached { model, saved_at }))
    }
}

/// The model's `seq`, its database and when it was written.
fn write_meta(
    tx: &rusqlite::Transaction<'_>,
    model: &LiveModel,
    now: DateTime<Utc>,
) -> Result<(), CacheError> {
    for (name, value) in
        [("seq", model.seq.to_string()), ("saved_at", now.to_rfc3339()), ("instance", model.instance.clone())]
    {
        tx.execute("INSERT OR REPLACE INTO meta (name, value) VALUES (?1, ?2)", params![name, value])?;
    }
    Ok(())
}

fn json<T: Serialize>(item: Option<&T>) -> Result<Option<String>, CacheError> {
    Ok(item.map(serde_json::to_string).transpose()?)
}

/// A record a live event changed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Changed {
    Occurrence(atalaia_core::ids::OccurrenceId),
    Vehicle(atalaia_core::ids::VehicleId),
    Person(atalaia_core::ids::PersonId),
    Device(atalaia_core::ids::DeviceId),
    Zone(atalaia_core::ids::ZoneId),
    Alarm(atalaia_core::ids::AlarmId),
    Dispatch(atalaia_core::ids::DispatchId),
    Command(atalaia_core::ids::CommandId),
    /// A device's recent fixes.
    Fixes(atalaia_core::ids::DeviceId),
}

impl Changed {
    /// The record `body` changes, if the cache keeps it.
    pub fn of(body: &EventBody) -> Option<Self> {
        Some(match body {
            EventBody::Occurrence(o) => Changed::Occurrence(o.id),
            EventBody::Vehicle(v) => Changed::Vehicle(v.id),
            EventBody::Person(p) => Changed::Person(p.id),
            EventBody::Device(d) => Changed::Device(d.id),
            EventBody::Zone(z) => Changed::Zone(z.id),
            EventBody::Alarm(a) => Changed::Alarm(a.id),
            EventBody::Dispatch(d) => Changed::Dispatch(d.id),
            EventBody::Command(c) => Changed::Command(c.id),
            EventBody::Position(p) => Changed::Fixes(p.device_id),
            EventBody::GroupRules(_)
            | EventBody::Procedure(_)
            | EventBody::Notification(_)
            | EventBody::NotificationRule(_)
            | EventBody::Message(_) => return None,
        })
    }
}

/// Keeps the cache file following the live feed on a thread of its own: it holds a copy of the
/// model, applies every message the feed delivers, and writes what changed every
/// [`Writer::EVERY`] in one transaction (a snapshot rewrites the file). The interface thread only
/// hands it messages. Dropping every handle writes what is left and ends the thread.
#[derive(Clone)]
pub struct Writer {
    tx: std::sync::mpsc::Sender<LiveMessage>,
}

impl std::fmt::Debug for Writer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("cache::Writer").finish_non_exhaustive()
    }
}

impl Writer {
    pub const EVERY: std::time::Duration = std::time::Duration::from_millis(500);

    /// Starts the writer on `cache`, whose content is `mirror` (what [`Cache::load`] gave, or an
    /// empty model). `done` is told after each write, with the `seq` written (tests wait on it).
    pub fn spawn(
        mut cache: Cache,
        mut mirror: LiveModel,
        done: Option<std::sync::mpsc::Sender<u64>>,
    ) -> std::io::Result<Self> {
        let (tx, rx) = std::sync::mpsc::channel::<LiveMessage>();
        std::thread::Builder::new().name("atalaia-cache".into()).spawn(move || {
            let mut changed: HashSet<Changed> = HashSet::new();
            let mut rewrite = false;
            let mut dirty_since: Option<std::time::Instant> = None;
            let mut open = true;
            while open {
                let wait = dirty_since.map_or(std::time::Duration::from_secs(3600), |t| {
                    Self::EVERY.saturating_sub(t.elapsed())
                });
                match rx.recv_timeout(wait) {
                    Ok(msg) => {
                        match &msg {
                            LiveMessage::Snapshot(_) => {
                                rewrite = true;
                                changed.clear();
                            }
                            LiveMessage::Event(e) if e.seq > mirror.seq => {
                                changed.extend(Changed::of(&e.body))
                            }
                            LiveMessage::Event(_) => continue,
                        }
                        let _ = mirror.apply(msg);
                        dirty_since.get_or_insert_with(std::time::Instant::now);
                        if dirty_since.is_some_and(|t| t.elapsed() < Self::EVERY) {
                            continue;
                        }
                    }
                    Err(std::sync::mpsc::RecvTimeoutError::Timeout) => {}
                    Err(std::sync::mpsc::RecvTimeoutError::Disconnected) => open = false,
                }
                if dirty_since.take().is_none() {
                    continue;
                }
                let now = Utc::now();
                let written = if std::mem::take(&mut rewrite) {
                    cache.save(&mirror, now)
                } else {
                    cache.save_changes(&mirror, &changed, now)
                };
                match written {
                    Ok(()) => {
                        changed.clear();
                        if let Some(done) = &done {
                            let _ = done.send(mirror.seq);
                        }
                    }
                    Err(error) => {
                        // Kept for the next write; the feed itself is unaffected.
                        tracing::warn!(%error, "offline cache not written");
                        rewrite = true;
                        dirty_since = Some(std::time::Instant::now());
                    }
                }
            }
        })?;
        Ok(Self { tx })
    }

    /// Hands a live message to the writer (never blocks).
    pub fn send(&self, msg: LiveMessage) {
        let _ = self.tx.send(msg);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use atalaia_core::geom::LatLon;
    use atalaia_core::ids::{DeviceId, PersonId, PositionId, UserId};
    use atalaia_core::monitoring::{Device, DeviceKind, DeviceState, Person, Regime};
    use atalaia_core::samu::{CallType, Occurrence, OccurrencePhase};
    use chrono::TimeZone;

    fn t0() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 11, 22, 13, 0, 0).single().expect("valid")
    }

    fn model() -> LiveModel {
        let person = Person {
            id: PersonId::new(),
            name: "João da Silva".into(),
            record: "0001".into(),
            regime: Regime::SemiOpen,
            group: Some("Regional I".into()),
            region: None,
            responsible: None,
            linked_person: None,
            personal: Default::default(),
            revision: Default::default(),
            created_at: t0(),
            photo: None,
        };
        let device = Device {
            id: DeviceId::new(),
            imei: "358000000000001".into(),
            kind: DeviceKind::AnkleBracelet,
            state: DeviceState::Active,
            sim1: None,
            sim2: None,
            person_id: Some(person.id),
            vehicle_id: None,
            last_contact: Some(t0()),
            battery_pct: Some(80.0),
            model: None,
            report_interval_s: None,
            history: Vec::new(),
            created_at: t0(),
        };
        let (device_id, person_id) = (device.id, person.id);
        let fix = move |i: i64| Position {
            id: PositionId::new(),
            device_id,
            person_id: Some(person_id),
            vehicle_id: None,
            fix_time: t0() + chrono::Duration::seconds(i * 30),
            recv_time: t0() + chrono::Duration::seconds(i * 30),
            at: LatLon { lat: -8.76 + 0.001 * i as f64, lon: -63.9 },
            speed_kmh: None,
            course_deg: None,
            accuracy_m: Some(8.0),
            altitude_m: None,
            battery_pct: Some(80.0),
            charging: None,
        };
        let occurrence = Occurrence::new(
            atalaia_core::ids::OccurrenceId::new(),
            "2026-000001".into(),
            CallType::Atendimento,
            "Maria".into(),
            "(69) 98888-7777".into(),
            "Av. Sete de Setembro, 100".into(),
            "Porto Velho".into(),
            Some(LatLon { lat: -8.76, lon: -63.9 }),
            "Dor torácica".into(),
            OccurrencePhase::Regulation,
            UserId::new(),
            t0(),
        );
        let mut m = LiveModel::default();
        let _ = m.apply(LiveMessage::Snapshot(Snapshot {
            seq: 4_242,
            occurrences: vec![occurrence],
            persons: vec![person],
            devices: vec![device.clone()],
            positions: vec![fix(0)],
            ..Snapshot::default()
        }));
        m.trails.insert(device_id, (0..5).map(fix).collect());
        m
    }

    #[test]
    fn the_model_comes_back_from_a_real_file_with_its_seq_and_age() {
        let dir = tempfile::tempdir().expect("dir");
        let path = dir.path().join("cache.sqlite");
        let original = model();
        {
            let mut cache = Cache::open(&path).expect("open");
            assert!(cache.load().expect("empty").is_none(), "nothing saved yet");
            cache.save(&original, t0()).expect("save");
        }
        let cached = Cache::open(&path).expect("reopen").load().expect("load").expect("saved");
        assert_eq!(cached.saved_at, t0());
        let m = cached.model;
        assert_eq!(m.seq, 4_242);
        assert_eq!(m.occurrences, original.occurrences);
        assert_eq!(m.persons, original.persons);
        assert_eq!(m.devices, original.devices);
        assert_eq!(m.trails, original.trails, "every recent fix, oldest first");
        // Saving again replaces, never appends.
        let mut cache = Cache::open(&path).expect("reopen");
        let mut fewer = original.clone();
        fewer.occurrences.clear();
        fewer.seq = 4_300;
        cache.save(&fewer, t0() + chrono::Duration::minutes(5)).expect("save");
        let again = cache.load().expect("load").expect("saved");
        assert!(again.model.occurrences.is_empty());
        assert_eq!(again.model.seq, 4_300);
    }

    #[test]
    fn the_writer_follows_the_feed_and_the_file_matches_the_model_it_applied() {
        use atalaia_core::wire::LiveEvent;
        let dir = tempfile::tempdir().expect("dir");
        let path = dir.path().join("cache.sqlite");
        let (done_tx, done) = std::sync::mpsc::channel();
        let writer = Writer::spawn(Cache::open(&path).expect("open"), LiveModel::default(), Some(done_tx))
            .expect("writer");
        let base = model();
        let snapshot = Snapshot {
            seq: base.seq,
            occurrences: base.occurrences.values().cloned().collect(),
            persons: base.persons.values().cloned().collect(),
            devices: base.devices.values().cloned().collect(),
            positions: base.trails.values().filter_map(|t| t.back().cloned()).collect(),
            ..Snapshot::default()
        };
        let mut expected = LiveModel::default();
        let _ = expected.apply(LiveMessage::Snapshot(snapshot.clone()));
        writer.send(LiveMessage::Snapshot(snapshot));
        assert_eq!(done.recv_timeout(std::time::Duration::from_secs(5)).expect("written"), 4_242);

        // Events: an occurrence changes, a device reports, an old (already applied) event is
        // ignored.
        let mut occurrence = base.occurrences.values().next().expect("one").clone();
        occurrence.caller_name = "Maria das Dores".into();
        let mut fix = base.trails.values().next().expect("trail").back().expect("fix").clone();
        fix.id = PositionId::new();
        fix.fix_time += chrono::Duration::seconds(30);
        let events = [
            LiveEvent { seq: 4_243, at: t0(), body: EventBody::Occurrence(occurrence.clone()) },
            LiveEvent { seq: 4_244, at: t0(), body: EventBody::Position(fix.clone()) },
            LiveEvent {
                seq: 4_200,
                at: t0(),
                body: EventBody::Occurrence(base.occurrences.values().next().expect("one").clone()),
            },
        ];
        for e in events {
            let _ = expected.apply(LiveMessage::Event(e.clone()));
            writer.send(LiveMessage::Event(e));
        }
        drop(writer);
        let last = done.iter().last().expect("written");
        assert_eq!(last, 4_244);
        let cached = Cache::open(&path).expect("reopen").load().expect("load").expect("saved");
        assert_eq!(cached.model.seq, 4_244);
        assert_eq!(cached.model.occurrences, expected.occurrences, "the newer occurrence, not the stale one");
        assert_eq!(cached.model.occurrences[&occurrence.id].caller_name, "Maria das Dores");
        assert_eq!(cached.model.trails, expected.trails);
        assert_eq!(cached.model.last_position(fix.device_id), Some(&fix));
    }

    #[test]
    fn a_file_of_another_version_starts_empty_and_garbage_is_an_error_not_a_panic() {
        let dir = tempfile::tempdir().expect("dir");
        let path = dir.path().join("cache.sqlite");
        {
            let conn = Connection::open(&path).expect("sqlite");
            conn.execute_batch("CREATE TABLE records (x); PRAGMA user_version = 99;").expect("old layout");
        }
        let mut cache = Cache::open(&path).expect("open");
        assert!(cache.load().expect("empty").is_none());
        cache.save(&model(), t0()).expect("save");
        cache.conn.execute("UPDATE records SET body = 'not json' WHERE kind = 'person'", []).expect("damage");
        assert!(matches!(cache.load(), Err(CacheError::Decode(_))));
        let text = dir.path().join("text.sqlite");
        std::fs::write(&text, "this is not a database, only some text long enough to look like one")
            .expect("write");
        assert!(Cache::open(&text).is_err());
    }
}
