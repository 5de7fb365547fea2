//! The detectors' state as records a store can keep (9.7, 9.37): what a fix already acknowledged
//! has started — a replay being summarised, a condition waiting for the end of the replay, a zone
//! side waiting out its dwell, an encounter being timed, a stay at a place — must survive a
//! restart, or an alarm the device will never send again is never raised.
//!
//! The engine marks what each sample or tick changed; the host takes those marks inside the same
//! write transaction as the data that caused them and saves the records, so the stored state
//! always matches the stored data. At start-up the host gives the records back after telling the
//! engine about people, devices and zones. Two parts change more slowly than the rest and are kept
//! apart so that the hot records stay small: a device's battery history (one reading a minute at
//! most) and a person's visits to places (one per stay of a quarter of an hour).

use super::proximity::{Cell, Stay};
use super::zone_eval::ZoneTrack;
use super::{Cond, Engine, Fixed, LateAcc};
use crate::alarm::{AlarmKey, Subject};
use crate::ids::{DeviceId, PersonId, ZoneId};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::collections::{HashMap, HashSet};

/// Which kind of record a [`StateRecord`] is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Part {
    /// Contact and fix times, GNSS loss, the replay in progress, and the conditions of a device
    /// without a wearer.
    Device,
    /// A device's battery readings for the discharge trend.
    Battery,
    /// Last place, zone sides and dwell, conditions, encounter timers and the current stay.
    Person,
    /// The stays at places that counted as visits (common places, 16.2.28).
    Visits,
}

impl Part {
    pub fn name(self) -> &'static str {
        match self {
            Part::Device => "device",
            Part::Battery => "battery",
            Part::Person => "person",
            Part::Visits => "visits",
        }
    }

    pub fn from_name(s: &str) -> Option<Self> {
        [Part::Device, Part::Battery, Part::Person, Part::Visits].into_iter().find(|p| p.name() == s)
    }
}

/// One record of detector state: the part, the device or person it belongs to (as text) and its
/// content (JSON). `doc: None` means the record should be deleted (nothing left to remember).
#[derive(Debug, Clone, PartialEq)]
pub struct StateRecord {
    pub part: Part,
    pub id: String,
    pub doc: Option<String>,
}

/// Soft changes (a device's last fix and contact times, a person's last place and the end of the
/// current stay) are saved at most this often: they change with every report, and what a restart
/// finds of them is also rebuilt from the stored positions and the device's record. Everything
/// else — a condition, a zone side or dwell, a replay being summarised, an encounter timer — is
/// saved with the data that changed it.
pub const SOFT_EVERY: chrono::Duration = chrono::Duration::seconds(30);

/// Soft records saved per tick at most (the rest wait for the next ticks).
pub const SOFT_PER_TICK: usize = 400;

/// What the samples and ticks since the last [`Engine::take_state`] changed.
#[derive(Debug, Default)]
pub(super) struct Dirty {
    pub devices: HashSet<DeviceId>,
    pub batteries: HashSet<DeviceId>,
    pub people: HashSet<PersonId>,
    pub visits: HashSet<PersonId>,
    /// Changed only softly since they were last saved.
    pub soft_devices: HashSet<DeviceId>,
    pub soft_people: HashSet<PersonId>,
    /// Softly changed since the last call: saved then when not saved for [`SOFT_EVERY`].
    touched_devices: Vec<DeviceId>,
    touched_people: Vec<PersonId>,
    saved_devices: HashMap<DeviceId, DateTime<Utc>>,
    saved_people: HashMap<PersonId, DateTime<Utc>>,
}

impl Dirty {
    pub(super) fn soft_device(&mut self, id: DeviceId) {
        self.soft_devices.insert(id);
        self.touched_devices.push(id);
    }

    pub(super) fn soft_person(&mut self, id: PersonId) {
        self.soft_people.insert(id);
        self.touched_people.push(id);
    }

    pub(super) fn subject(&mut self, subject: &Subject) {
        match subject {
            Subject::Person(p) => {
                self.people.insert(*p);
            }
            Subject::Device(d) => {
                self.devices.insert(*d);
            }
            Subject::Vehicle(_) | Subject::Occurrence(_) => {}
        }
    }

    pub(super) fn key(&mut self, key: &AlarmKey) {
        self.subject(&key.subject);
        if let Some(other) = key.other {
            self.people.insert(other);
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct CondRecord {
    key: AlarmKey,
    cond: Cond,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct DeviceRecord {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    last_fix: Option<DateTime<Utc>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    last_recv: Option<DateTime<Utc>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    gnss_lost_since: Option<DateTime<Utc>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    late: Option<LateAcc>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    conds: Vec<CondRecord>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct PersonRecord {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    last: Option<Fixed>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    zones: Vec<(ZoneId, ZoneTrack)>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    conds: Vec<CondRecord>,
    /// Encounter timers of the pairs this person is in.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    near: Vec<(PersonId, DateTime<Utc>)>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    partners: Vec<PersonId>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    stay: Option<Stay>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    common_with: Vec<PersonId>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct VisitsRecord {
    visits: Vec<(Cell, DateTime<Utc>)>,
}

/// The state could not be read back.
#[derive(Debug, thiserror::Error)]
#[error("detector state {part:?} {id}: {reason}")]
pub struct StateError {
    pub part: Part,
    pub id: String,
    pub reason: String,
}

fn json<T: Serialize>(v: &T) -> Option<String> {
    // These records hold only numbers, times, ids and enums: serialising cannot fail.
    serde_json::to_string(v).ok()
}

impl Engine {
    /// The records of what changed since the last call — and, with `due`, of what changed only
    /// softly and was not saved for [`SOFT_EVERY`] — and forget those marks. Call it in the write
    /// transaction that stores the samples (or the tick's alarms) that changed them; with `due`
    /// on the periodic tick.
    pub fn take_state(&mut self, due: bool) -> Vec<StateRecord> {
        let now = self.now.unwrap_or_default();
        let d = &mut self.dirty;
        let mut dirty = Dirty {
            devices: std::mem::take(&mut d.devices),
            batteries: std::mem::take(&mut d.batteries),
            people: std::mem::take(&mut d.people),
            visits: std::mem::take(&mut d.visits),
            ..Dirty::default()
        };
        let old = |saved: Option<&DateTime<Utc>>| saved.is_none_or(|t| now - *t >= SOFT_EVERY);
        // What this job changed softly is saved with it once it was not saved for SOFT_EVERY:
        // a device reporting steadily saves its soft state every 30 s, one record at a time.
        for id in std::mem::take(&mut d.touched_devices) {
            if old(d.saved_devices.get(&id)) {
                dirty.devices.insert(id);
            }
        }
        for id in std::mem::take(&mut d.touched_people) {
            if old(d.saved_people.get(&id)) {
                dirty.people.insert(id);
            }
        }
        if due {
            // Once a second: what changed softly and was not touched since (a device gone
            // quiet), a bounded number at a time so that a tick never holds the writer up.
            let devices: Vec<DeviceId> = d
                .soft_devices
                .iter()
                .filter(|id| old(d.saved_devices.get(id)))
                .take(SOFT_PER_TICK / 2)
                .copied()
                .collect();
            dirty.devices.extend(devices);
            let people: Vec<PersonId> = d
                .soft_people
                .iter()
                .filter(|id| old(d.saved_people.get(id)))
                .take(SOFT_PER_TICK / 2)
                .copied()
                .collect();
            dirty.people.extend(people);
            if d.saved_devices.len() > 2 * self.devices.len() + 1024 {
                let known = &self.devices;
                d.saved_devices.retain(|id, _| known.contains_key(id));
            }
            if d.saved_people.len() > 2 * self.people.len() + 1024 {
                let known = &self.people;
                d.saved_people.retain(|id, _| known.contains_key(id));
            }
        }
        // What is saved now is no longer softly changed.
        for id in &dirty.devices {
            d.soft_devices.remove(id);
        }
        for id in &dirty.people {
            d.soft_people.remove(id);
        }
        let mut out = Vec::new();
        for id in dirty.devices {
            self.dirty.saved_devices.insert(id, now);
            let doc = self.device_record(&id).and_then(|r| json(&r));
            out.push(StateRecord { part: Part::Device, id: id.to_string(), doc });
        }
        for id in dirty.batteries {
            let doc = self.devices.get(&id).map(|d| d.battery.readings()).filter(|r| !r.is_empty());
            out.push(StateRecord {
                part: Part::Battery,
                id: id.to_string(),
                doc: doc.and_then(|r| json(&r)),
            });
        }
        for id in dirty.people {
            self.dirty.saved_people.insert(id, now);
            let doc = self.person_record(&id).and_then(|r| json(&r));
            out.push(StateRecord { part: Part::Person, id: id.to_string(), doc });
        }
        for id in dirty.visits {
            let visits = self.proximity.visits_of(id);
            let doc = (!visits.is_empty()).then_some(VisitsRecord { visits }).and_then(|r| json(&r));
            out.push(StateRecord { part: Part::Visits, id: id.to_string(), doc });
        }
        out
    }

    fn conds_of(&self, subject: Subject) -> Vec<CondRecord> {
        let mut conds: Vec<CondRecord> = self
            .conds
            .iter()
            .filter(|(k, _)| k.subject == subject)
            .map(|(k, c)| CondRecord { key: *k, cond: *c })
            .collect();
        conds.sort_by_key(|c| format!("{:?}", c.key));
        conds
    }

    fn device_record(&self, id: &DeviceId) -> Option<DeviceRecord> {
        let d = self.devices.get(id)?;
        let record = DeviceRecord {
            last_fix: d.last_fix,
            last_recv: d.last_recv,
            gnss_lost_since: d.gnss_lost_since,
            late: d.late.clone(),
            conds: self.conds_of(Subject::Device(*id)),
        };
        Some(record)
    }

    fn person_record(&self, id: &PersonId) -> Option<PersonRecord> {
        let p = self.people.get(id)?;
        let mut zones: Vec<(ZoneId, ZoneTrack)> = p.zones.iter().map(|(z, t)| (*z, *t)).collect();
        zones.sort_by_key(|(z, _)| *z);
        let prox = self.proximity.person(id);
        let record = PersonRecord {
            last: p.last,
            zones,
            conds: self.conds_of(Subject::Person(*id)),
            near: prox.near,
            partners: prox.partners,
            stay: prox.stay,
            common_with: prox.common_with,
        };
        let empty = record.last.is_none()
            && record.zones.is_empty()
            && record.conds.is_empty()
            && record.near.is_empty()
            && record.stay.is_none();
        (!empty).then_some(record)
    }

    /// Give back a record saved by [`Engine::take_state`]. People, devices and zones must be
    /// known already; a record of a device or person no longer known is skipped.
    pub fn restore(&mut self, part: Part, id: &str, doc: &str) -> Result<(), StateError> {
        let err = |reason: String| StateError { part, id: id.to_owned(), reason };
        match part {
            Part::Device => {
                let id: DeviceId = id.parse().map_err(|_| err("id inválido".into()))?;
                let r: DeviceRecord = serde_json::from_str(doc).map_err(|e| err(e.to_string()))?;
                let Some(d) = self.devices.get_mut(&id) else { return Ok(()) };
                d.last_fix = d.last_fix.max(r.last_fix);
                d.last_recv = d.last_recv.max(r.last_recv);
                d.gnss_lost_since = r.gnss_lost_since;
                d.late = r.late;
                for c in r.conds {
                    self.conds.insert(c.key, c.cond);
                }
            }
            Part::Battery => {
                let id: DeviceId = id.parse().map_err(|_| err("id inválido".into()))?;
                let readings: Vec<(DateTime<Utc>, f64)> =
                    serde_json::from_str(doc).map_err(|e| err(e.to_string()))?;
                if let Some(d) = self.devices.get_mut(&id) {
                    d.battery.restore(readings);
                }
            }
            Part::Person => {
                let id: PersonId = id.parse().map_err(|_| err("id inválido".into()))?;
                let r: PersonRecord = serde_json::from_str(doc).map_err(|e| err(e.to_string()))?;
                let Some(p) = self.people.get_mut(&id) else { return Ok(()) };
                p.last = r.last;
                p.zones = r.zones.into_iter().collect();
                for c in r.conds {
                    self.conds.insert(c.key, c.cond);
                }
                let last = r.last.map(|f| f.at);
                self.proximity.restore_person(id, last, r.near, r.partners, r.stay, r.common_with);
            }
            Part::Visits => {
                let id: PersonId = id.parse().map_err(|_| err("id inválido".into()))?;
                let r: VisitsRecord = serde_json::from_str(doc).map_err(|e| err(e.to_string()))?;
                if self.people.contains_key(&id) {
                    self.proximity.restore_visits(id, r.visits);
                }
            }
        }
        Ok(())
    }
}

#[cfg(test)]
#[path = "state_tests.rs"]
mod tests;
