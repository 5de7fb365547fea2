//! The console's offline cache (issue 8 item 1): what the panes show — occurrences, vehicles,
//! people, devices, zones, alarms, dispatches, device commands and the recent fixes of every
//! device — and the last applied live-feed `seq`, kept in a local SQLite file so a console starts
//! at once from it, with or without a server, and can say how old the data is.
//!
//! Stored as one JSON document per record (the wire types already are the contract with the
//! server), written in one transaction: a crash mid-save leaves the previous copy whole.

use crate::model::LiveModel;
use atalaia_core::monitoring::Position;
use atalaia_core::wire::{LiveMessage, Snapshot};
use chrono::{DateTime, Utc};
use rusqlite::{Connection, OptionalExtension, params};
use serde::Serialize;
use serde::de::DeserializeOwned;
use std::collections::VecDeque;
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
        let conn = Connection::open(path)?;
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
        conn.pragma_update(None, "user_version", SCHEMA)?;
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
        for (name, value) in [("seq", model.seq.to_string()), ("saved_at", now.to_rfc3339())] {
            tx.execute("INSERT OR REPLACE INTO meta (name, value) VALUES (?1, ?2)", params![name, value])?;
        }
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
            responsible: None,
            linked_person: None,
            created_at: t0(),
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
            report_interval_s: None,
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
