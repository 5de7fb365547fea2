//! What an ambulance crew sees (issue 23 item 3; RFS017, RFS018): its own vehicle, the
//! dispatches of that vehicle, and the occurrences it is dispatched to — with their records,
//! messages, attachments and the other vehicles' dispatches on them (a victim is handed over
//! between vehicles, RFS053). Nothing of another vehicle's work: its crew's care records and
//! messages are personal health data. A crew not signed in to a vehicle sees no SAMU data.
//!
//! The server keeps one [`CrewScope`] per request and per live-feed subscriber, built from the
//! active dispatches and kept current by the events it decides on ([`CrewScope::sees`]).

use super::Dispatch;
use crate::alarm::{Alarm, Subject};
use crate::ids::{AlarmId, OccurrenceId, VehicleId};
use crate::wire::EventBody;
use std::collections::HashSet;

#[derive(Debug, Clone, Default, PartialEq)]
pub struct CrewScope {
    vehicle: Option<VehicleId>,
    /// Occurrences the vehicle has an active dispatch on.
    occurrences: HashSet<OccurrenceId>,
    /// The alarms passed on (their notifications follow them).
    alarms: HashSet<AlarmId>,
}

impl CrewScope {
    /// The scope of a crew signed in to `vehicle` (none: not signed in), from the dispatches.
    pub fn new<'a>(vehicle: Option<VehicleId>, dispatches: impl IntoIterator<Item = &'a Dispatch>) -> Self {
        let occurrences = match vehicle {
            Some(v) => dispatches
                .into_iter()
                .filter(|d| d.active && d.vehicle_id == v)
                .map(|d| d.occurrence_id)
                .collect(),
            None => HashSet::new(),
        };
        Self { vehicle, occurrences, alarms: HashSet::new() }
    }

    pub fn own_vehicle(&self) -> Option<VehicleId> {
        self.vehicle
    }

    pub fn vehicle(&self, id: VehicleId) -> bool {
        self.vehicle == Some(id)
    }

    /// An occurrence the crew is dispatched to now.
    pub fn occurrence(&self, id: OccurrenceId) -> bool {
        self.occurrences.contains(&id)
    }

    /// The crew's own dispatches, and the other vehicles' on its occurrences.
    pub fn dispatch(&self, d: &Dispatch) -> bool {
        self.vehicle(d.vehicle_id) || self.occurrence(d.occurrence_id)
    }

    /// SAMU alarms about the crew's vehicle or occurrences; monitoring ones are not a crew's.
    pub fn alarm(&self, a: &Alarm) -> bool {
        match &a.subject {
            Subject::Vehicle(v) => self.vehicle(*v),
            Subject::Occurrence(o) => self.occurrence(*o),
            Subject::Person(_) | Subject::Device(_) => false,
        }
    }

    /// Whether the alarm is the crew's, remembering it when it is.
    pub fn pass_alarm(&mut self, a: &Alarm) -> bool {
        let seen = self.alarm(a);
        if seen {
            self.alarms.insert(a.id);
        }
        seen
    }

    /// Whether the crew's feed gets this event, learning from it: a dispatch of the vehicle
    /// brings its occurrence into the scope, its end takes it out (the ending event itself is
    /// passed on, so the tablet closes the assignment).
    pub fn sees(&mut self, body: &EventBody) -> bool {
        match body {
            EventBody::Dispatch(d) => {
                let seen = self.dispatch(d);
                if self.vehicle(d.vehicle_id) {
                    if d.active {
                        self.occurrences.insert(d.occurrence_id);
                    } else {
                        self.occurrences.remove(&d.occurrence_id);
                    }
                }
                seen
            }
            EventBody::Occurrence(o) => self.occurrence(o.id),
            EventBody::Message(m) => self.occurrence(m.occurrence_id),
            EventBody::Vehicle(v) => self.vehicle(v.id),
            EventBody::Position(p) => p.vehicle_id.is_some_and(|v| self.vehicle(v)),
            EventBody::Alarm(a) => self.pass_alarm(a),
            EventBody::Notification(n) => n.alarm_id.is_none_or(|a| self.alarms.contains(&a)),
            // Monitoring records: the profile's permissions decide (a crew has none of them).
            EventBody::Person(_)
            | EventBody::Device(_)
            | EventBody::Zone(_)
            | EventBody::Command(_)
            | EventBody::GroupRules(_)
            | EventBody::Procedure(_)
            | EventBody::NotificationRule(_) => true,
        }
    }
}

#[cfg(test)]
mod tests;
