//! Horizontal security (RFS177): a professional bound to an organisational unit — an interior
//! unit that supervises the monitored people of its region (seed 003, 7.4, 10.1) — reaches only
//! the people whose region is that unit, and what concerns them: their devices, fixes, zones,
//! alarms, commands and notifications. What concerns nobody in particular (stock devices, zones
//! of a whole group, rules, the SAMU side) stays within what the profile grants. A professional
//! of the central (no unit) reaches everyone; the profile still says what they may do.
//!
//! The server keeps one [`Reach`] per request and per live-feed subscriber: built from the
//! records, then kept current by the events it decides on ([`Reach::sees`]).

use super::{Device, Person, Position, Zone};
use crate::alarm::{Alarm, Subject};
use crate::ids::{AlarmId, DeviceId, PersonId, ZoneId};
use crate::wire::EventBody;
use std::collections::{HashMap, HashSet};

/// Whether `person` belongs to `unit`: their region, compared as people type it (case and
/// surrounding spaces aside).
pub fn in_unit(unit: &str, person: &Person) -> bool {
    person.region.as_deref().is_some_and(|r| same_unit(r, unit))
}

/// Two spellings of one unit's name.
pub fn same_unit(a: &str, b: &str) -> bool {
    a.trim().to_lowercase() == b.trim().to_lowercase()
}

/// What a professional bound to a unit reaches now.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Reach {
    unit: String,
    persons: HashSet<PersonId>,
    /// Every device and its wearer (to decide on the commands, alarms and fixes of a device).
    devices: HashMap<DeviceId, Option<PersonId>>,
    /// The alarms passed on (to decide on their notifications).
    alarms: HashSet<AlarmId>,
    /// The zones seen and whose they were (a zone given to someone else is passed on once).
    zones: HashMap<ZoneId, Option<PersonId>>,
}

impl Reach {
    pub fn new<'a>(
        unit: &str,
        persons: impl IntoIterator<Item = &'a Person>,
        devices: impl IntoIterator<Item = &'a Device>,
    ) -> Self {
        Self {
            unit: unit.trim().to_owned(),
            persons: persons.into_iter().filter(|p| in_unit(unit, p)).map(|p| p.id).collect(),
            devices: devices.into_iter().map(|d| (d.id, d.person_id)).collect(),
            alarms: HashSet::new(),
            zones: HashMap::new(),
        }
    }

    /// Remembers whose the zones are (the live feed's snapshot), so a zone given to someone
    /// beyond the unit is passed on once, and the console drops it.
    pub fn remember_zones<'a>(&mut self, zones: impl IntoIterator<Item = &'a Zone>) {
        self.zones.extend(zones.into_iter().map(|z| (z.id, z.person_id)));
    }

    pub fn unit(&self) -> &str {
        &self.unit
    }

    /// The people reached now.
    pub fn persons(&self) -> impl Iterator<Item = PersonId> + '_ {
        self.persons.iter().copied()
    }

    pub fn person(&self, id: PersonId) -> bool {
        self.persons.contains(&id)
    }

    /// A record that may concern someone: reached when it concerns nobody, or someone reached.
    fn anyone(&self, id: Option<PersonId>) -> bool {
        id.is_none_or(|id| self.person(id))
    }

    /// A device: unworn (stock, to be fitted by the unit) or worn by someone reached.
    pub fn device(&self, d: &Device) -> bool {
        self.anyone(d.person_id)
    }

    fn device_id(&self, id: DeviceId) -> bool {
        self.anyone(self.devices.get(&id).copied().flatten())
    }

    pub fn zone(&self, z: &Zone) -> bool {
        self.anyone(z.person_id)
    }

    pub fn position(&self, p: &Position) -> bool {
        self.anyone(p.person_id)
    }

    /// An alarm about someone reached, or about an unworn device; SAMU's are not the unit's
    /// business but their profile's.
    pub fn alarm(&self, a: &Alarm) -> bool {
        match &a.subject {
            Subject::Person(id) => self.person(*id),
            Subject::Device(id) => self.device_id(*id),
            Subject::Vehicle(_) | Subject::Occurrence(_) => true,
        }
    }

    /// Whether the alarm is reached, remembering it when it is (its notifications follow it).
    pub fn pass_alarm(&mut self, a: &Alarm) -> bool {
        let seen = self.alarm(a);
        if seen {
            self.alarms.insert(a.id);
        }
        seen
    }

    /// Whether a subscriber bound to the unit gets this event, learning from it: a person who
    /// moves into the unit is reached from now on, one who moves out is not (the event that
    /// moves them out is passed on, so the console drops the record); likewise a device fitted
    /// on or taken off someone.
    pub fn sees(&mut self, body: &EventBody) -> bool {
        match body {
            EventBody::Person(p) => {
                let was = self.persons.contains(&p.id);
                let is = in_unit(&self.unit, p);
                if is {
                    self.persons.insert(p.id);
                } else {
                    self.persons.remove(&p.id);
                }
                was || is
            }
            EventBody::Device(d) => {
                // A device not seen before was nobody's here: only what it is now counts.
                let was = self.devices.get(&d.id).is_some_and(|w| self.anyone(*w));
                self.devices.insert(d.id, d.person_id);
                was || self.device(d)
            }
            EventBody::Zone(z) => {
                let was = self.zones.get(&z.id).is_some_and(|w| self.anyone(*w));
                self.zones.insert(z.id, z.person_id);
                was || self.zone(z)
            }
            EventBody::Position(p) => self.position(p),
            EventBody::Alarm(a) => self.pass_alarm(a),
            EventBody::Command(c) => self.device_id(c.device_id),
            EventBody::Notification(n) => n.alarm_id.is_none_or(|a| self.alarms.contains(&a)),
            EventBody::Occurrence(_)
            | EventBody::Vehicle(_)
            | EventBody::GroupRules(_)
            | EventBody::Procedure(_)
            | EventBody::NotificationRule(_)
            | EventBody::Dispatch(_)
            | EventBody::Message(_) => true,
        }
    }
}

#[cfg(test)]
mod tests;
