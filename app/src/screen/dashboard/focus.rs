//! The map follows what the operator selected: the occurrence or alarm chosen last, or the place
//! of the call being typed.

use super::Dashboard;
use crate::pane::mapa;

impl Dashboard {
    /// Selecting an occurrence or an alarm points it out on the map (where it is known); the
    /// one selected last leads, the other takes over when it is put away, and the ring follows
    /// its subject as new fixes arrive. Nothing selected (or nothing with a place): no ring.
    pub(super) fn follow_selection(&mut self) {
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
                .and_then(|id| d.desk.model().occurrences.get(&id))
                .and_then(|o| Some(mapa::Focus { at: o.location?, label: o.number.clone() }))
        };
        let alarm = |d: &Self| now.1.and_then(|id| d.alarm_focus(id));
        let target = if self.follow_alarm { alarm(self) } else { occurrence(self) };
        // Nothing selected: the place of the call being taken, if it has one.
        let target = if now == (None, None) { self.call_place.clone() } else { target };
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
        let model = self.desk.model();
        let a = model.alarms.get(&id)?;
        let last_of_person = |p| {
            model
                .devices
                .values()
                .filter(|d| d.person_id == Some(p))
                .filter_map(|d| model.last_position(d.id))
                .max_by_key(|fix| fix.fix_time)
                .map(|fix| fix.at)
        };
        let (at, name) = match a.subject {
            Subject::Person(p) => (last_of_person(p)?, model.persons.get(&p).map(|p| p.name.clone())),
            Subject::Device(d) => {
                let device = model.devices.get(&d);
                let person = device.and_then(|d| d.person_id).and_then(|p| model.persons.get(&p));
                (model.last_position(d)?.at, person.map(|p| p.name.clone()))
            }
            Subject::Vehicle(v) => {
                let v = model.vehicles.get(&v)?;
                (mapa::vehicle_position(model, v)?, Some(v.code.clone()))
            }
            Subject::Occurrence(o) => {
                let o = model.occurrences.get(&o)?;
                (o.location?, Some(o.number.clone()))
            }
        };
        let kind = atalaia_core::text::alarm_kind(a.kind);
        Some(mapa::Focus { at, label: name.map_or_else(|| kind.to_owned(), |n| format!("{n} · {kind}")) })
    }
}
