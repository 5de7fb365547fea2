//! The console's live model: the snapshot plus every event applied in `seq` order. Panes read it
//! through the query methods, which encode the operators' orderings (regulation queue by priority
//! then waiting time; alarms by severity then age).

use atalaia_core::alarm::{Alarm, queue_order};
use atalaia_core::ids::{AlarmId, DeviceId, DispatchId, OccurrenceId, PersonId, VehicleId, ZoneId};
use atalaia_core::monitoring::{Device, Person, Position, Zone};
use atalaia_core::samu::care::Message;
use atalaia_core::samu::{Dispatch, Occurrence, OccurrencePhase, Vehicle};
use atalaia_core::wire::{EventBody, LiveMessage};
use std::collections::{HashMap, VecDeque};

/// How many recent fixes per device are kept for the map's short trails.
pub const TRAIL_LEN: usize = 12;

#[derive(Debug, Default, Clone)]
pub struct LiveModel {
    pub seq: u64,
    /// The server database `seq` counts in (from the last snapshot; resume names it).
    pub instance: String,
    pub occurrences: HashMap<OccurrenceId, Occurrence>,
    pub vehicles: HashMap<VehicleId, Vehicle>,
    pub persons: HashMap<PersonId, Person>,
    pub devices: HashMap<DeviceId, Device>,
    pub zones: HashMap<ZoneId, Zone>,
    pub alarms: HashMap<AlarmId, Alarm>,
    /// Last fixes per device, oldest first.
    pub trails: HashMap<DeviceId, VecDeque<Position>>,
    /// Commands sent to devices since the feed started, with their delivery state.
    pub commands: HashMap<atalaia_core::ids::CommandId, atalaia_core::command::DeviceCommand>,
    /// Dispatches still holding a vehicle.
    pub dispatches: HashMap<DispatchId, Dispatch>,
    /// Dispatches the feed saw end (released, replaced, cancelled) since the console started.
    pub ended_dispatches: HashMap<DispatchId, Dispatch>,
    /// Messages between crews and the regulation the feed brought, per occurrence, oldest first
    /// (the record reads the earlier ones from the server).
    pub messages: HashMap<OccurrenceId, Vec<Message>>,
    /// Every user's name, as the server last listed them: who claimed an alarm, who wrote a
    /// note (III-2.14). Kept across the feed's snapshots.
    pub names: HashMap<atalaia_core::ids::UserId, String>,
    /// The organisational unit this seat's user is bound to (RFS177): a person transferred to
    /// another unit leaves the model with the event that moves them. Kept across snapshots.
    pub unit: Option<String>,
}

/// What an applied message changed, so the UI can redraw or alert selectively.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct Applied {
    pub reset: bool,
    pub new_alarms: Vec<AlarmId>,
    pub positions: usize,
    /// The event was at or below our `seq` and was ignored.
    pub stale: bool,
}

impl LiveModel {
    /// Whether an alarm in the model names a user (its holder, a note's author) whose name is
    /// not known — `me` aside, whose name the console has.
    pub fn unnamed_user(&self, me: atalaia_core::ids::UserId) -> bool {
        let known = |u: &atalaia_core::ids::UserId| *u == me || self.names.contains_key(u);
        self.alarms
            .values()
            .any(|a| a.owner().is_some_and(|u| !known(&u)) || a.notes.iter().any(|n| !known(&n.by)))
    }

    /// A user's name, when the server has listed it.
    pub fn name_of(&self, user: atalaia_core::ids::UserId) -> Option<&str> {
        self.names.get(&user).map(String::as_str)
    }

    pub fn apply(&mut self, msg: LiveMessage) -> Applied {
        match msg {
            LiveMessage::Snapshot(s) => {
                // Alarms raised while we were disconnected or resynchronising must alert too.
                let new_alarms: Vec<AlarmId> = s
                    .alarms
                    .iter()
                    .filter(|a| a.is_active() && !self.alarms.contains_key(&a.id))
                    .map(|a| a.id)
                    .collect();
                // What the snapshot does not carry stays: messages and ended dispatches do not
                // change back.
                // Only for the occurrences the snapshot still carries: a console left running for
                // weeks does not keep every message it ever saw.
                let kept = |o: &OccurrenceId| s.occurrences.iter().any(|x| x.id == *o);
                let mut messages = std::mem::take(&mut self.messages);
                messages.retain(|o, _| kept(o));
                let mut ended_dispatches = std::mem::take(&mut self.ended_dispatches);
                ended_dispatches
                    .retain(|id, d| kept(&d.occurrence_id) && !s.dispatches.iter().any(|a| a.id == *id));
                *self = LiveModel {
                    seq: s.seq,
                    instance: s.instance,
                    occurrences: s.occurrences.into_iter().map(|o| (o.id, o)).collect(),
                    vehicles: s.vehicles.into_iter().map(|v| (v.id, v)).collect(),
                    persons: s.persons.into_iter().map(|p| (p.id, p)).collect(),
                    devices: s.devices.into_iter().map(|d| (d.id, d)).collect(),
                    zones: s.zones.into_iter().map(|z| (z.id, z)).collect(),
                    alarms: s.alarms.into_iter().map(|a| (a.id, a)).collect(),
                    trails: s.positions.into_iter().map(|p| (p.device_id, VecDeque::from([p]))).collect(),
                    commands: HashMap::new(),
                    dispatches: s.dispatches.into_iter().map(|d| (d.id, d)).collect(),
                    ended_dispatches,
                    messages,
                    names: std::mem::take(&mut self.names),
                    unit: self.unit.take(),
                };
                Applied { reset: true, new_alarms, ..Applied::default() }
            }
            LiveMessage::Event(e) => {
                if e.seq <= self.seq {
                    return Applied { stale: true, ..Applied::default() };
                }
                self.seq = e.seq;
                let mut applied = Applied::default();
                match e.body {
                    EventBody::Occurrence(o) => {
                        self.occurrences.insert(o.id, o);
                    }
                    EventBody::Vehicle(v) => {
                        self.vehicles.insert(v.id, v);
                    }
                    EventBody::Person(p) => {
                        if self
                            .unit
                            .as_deref()
                            .is_some_and(|u| !atalaia_core::monitoring::reach::in_unit(u, &p))
                        {
                            // Transferred to another unit: no longer this seat's to follow.
                            self.persons.remove(&p.id);
                            self.alarms
                                .retain(|_, a| a.subject != atalaia_core::alarm::Subject::Person(p.id));
                        } else {
                            self.persons.insert(p.id, p);
                        }
                    }
                    EventBody::Device(mut d) => {
                        // The server saves contact once a minute; the fixes since may be newer.
                        if let Some(old) = self.devices.get(&d.id)
                            && old.last_contact > d.last_contact
                        {
                            d.last_contact = old.last_contact;
                            d.battery_pct = old.battery_pct.or(d.battery_pct);
                        }
                        self.devices.insert(d.id, d);
                    }
                    EventBody::Zone(z) => {
                        self.zones.insert(z.id, z);
                    }
                    EventBody::Position(p) => {
                        applied.positions = 1;
                        let trail = self.trails.entry(p.device_id).or_default();
                        // Late fixes (store-and-forward) go in fix-time order, not arrival order.
                        let at = trail.iter().position(|q| q.fix_time > p.fix_time).unwrap_or(trail.len());
                        let newest = at == trail.len();
                        // A report is contact (III-2.16): the device's record follows every fix,
                        // not only the server's minute-by-minute saves; a late fix's battery is
                        // from another time and does not replace a newer reading.
                        if let Some(d) = self.devices.get_mut(&p.device_id) {
                            if d.last_contact.is_none_or(|t| t < p.recv_time) {
                                d.last_contact = Some(p.recv_time);
                            }
                            if newest && p.battery_pct.is_some() {
                                d.battery_pct = p.battery_pct;
                            }
                        }
                        trail.insert(at, p);
                        while trail.len() > TRAIL_LEN {
                            trail.pop_front();
                        }
                    }
                    EventBody::Command(c) => {
                        self.commands.insert(c.id, c);
                    }
                    EventBody::Dispatch(d) => {
                        if d.active {
                            self.ended_dispatches.remove(&d.id);
                            self.dispatches.insert(d.id, d);
                        } else {
                            self.dispatches.remove(&d.id);
                            self.ended_dispatches.insert(d.id, d);
                        }
                    }
                    EventBody::Message(m) => {
                        let list = self.messages.entry(m.occurrence_id).or_default();
                        match list.iter_mut().find(|k| k.id == m.id) {
                            Some(kept) => *kept = m,
                            None => {
                                let at =
                                    list.iter().position(|k| k.sent_at > m.sent_at).unwrap_or(list.len());
                                list.insert(at, m);
                            }
                        }
                    }
                    // Group rules shape detection on the server; the console has no view of them yet.
                    EventBody::GroupRules(_)
                    | EventBody::Procedure(_)
                    | EventBody::Notification(_)
                    | EventBody::NotificationRule(_) => {}
                    EventBody::Alarm(a) => {
                        if !self.alarms.contains_key(&a.id) {
                            applied.new_alarms.push(a.id);
                        }
                        self.alarms.insert(a.id, a);
                    }
                }
                applied
            }
        }
    }

    /// Occurrences still in the regulation flow, most urgent first, then longest waiting.
    /// Unclassified calls sort with the most urgent: nobody has looked at them yet.
    pub fn regulation_queue(&self) -> Vec<&Occurrence> {
        let mut v: Vec<&Occurrence> =
            self.occurrences.values().filter(|o| o.phase != OccurrencePhase::Closed).collect();
        v.sort_by(|a, b| a.priority.cmp(&b.priority).then(a.created_at.cmp(&b.created_at)));
        v
    }

    /// Occurrences closed in the last day (what the snapshot carries), most recently closed
    /// first: where information is appended after closure (RFS133).
    pub fn recently_closed(&self) -> Vec<&Occurrence> {
        let mut v: Vec<&Occurrence> =
            self.occurrences.values().filter(|o| o.phase == OccurrencePhase::Closed).collect();
        // By when they were closed: an addendum later does not move a call up.
        let closed_at = |o: &Occurrence| o.closure.as_ref().map_or(o.updated_at, |c| c.at);
        v.sort_by(|a, b| closed_at(b).cmp(&closed_at(a)).then(a.number.cmp(&b.number)));
        v
    }

    /// Alarms needing attention, by severity then age.
    pub fn alarm_queue(&self) -> Vec<&Alarm> {
        let mut v: Vec<&Alarm> = self.alarms.values().filter(|a| a.is_active()).collect();
        v.sort_by(|a, b| queue_order(a, b));
        v
    }

    pub fn last_position(&self, device: DeviceId) -> Option<&Position> {
        self.trails.get(&device).and_then(|t| t.back())
    }

    /// Occurrences sorted by registration time, newest first (call-taking history).
    pub fn recent_calls(&self, n: usize) -> Vec<&Occurrence> {
        let mut v: Vec<&Occurrence> = self.occurrences.values().collect();
        v.sort_by_key(|o| std::cmp::Reverse(o.created_at));
        v.truncate(n);
        v
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use atalaia_core::alarm::{AlarmKind, Subject};
    use atalaia_core::geom::LatLon;
    use atalaia_core::ids::{PositionId, UserId};
    use atalaia_core::samu::{CallType, Priority};
    use atalaia_core::wire::{LiveEvent, Snapshot};
    use chrono::{DateTime, Duration, TimeZone, Utc};

    fn t(s: i64) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 11, 22, 3, 0, 0).single().expect("valid") + Duration::seconds(s)
    }

    fn occ(priority: Option<Priority>, created: i64) -> Occurrence {
        let mut o = Occurrence::new(
            OccurrenceId::new(),
            format!("2026-{created:06}"),
            CallType::Atendimento,
            String::new(),
            "31988887777".into(),
            "Rua A".into(),
            "Belo Horizonte".into(),
            None,
            "dor torácica".into(),
            OccurrencePhase::Regulation,
            UserId::new(),
            t(created),
        );
        o.priority = priority;
        o
    }

    fn pos(device: DeviceId, fix: i64) -> Position {
        Position {
            id: PositionId::new(),
            device_id: device,
            person_id: None,
            vehicle_id: None,
            fix_time: t(fix),
            recv_time: t(fix),
            at: LatLon { lat: -8.76, lon: -63.9 },
            speed_kmh: None,
            course_deg: None,
            accuracy_m: None,
            altitude_m: None,
            battery_pct: None,
            charging: None,
        }
    }

    fn event(seq: u64, body: EventBody) -> LiveMessage {
        LiveMessage::Event(LiveEvent { seq, at: t(0), body })
    }

    /// III-2.16: every fix is contact for the device's record on the seat — the alarm card's
    /// link and battery follow the feed between the server's minute-by-minute saves; a late
    /// (stored-and-forwarded) fix moves the contact but not the battery of a newer reading.
    #[test]
    fn iii_2_16_every_fix_is_contact_and_the_newest_battery_wins() {
        use atalaia_core::monitoring::{Device, DeviceKind, DeviceState};
        let device = Device {
            id: DeviceId::new(),
            imei: "864000000000001".into(),
            kind: DeviceKind::AnkleBracelet,
            state: DeviceState::Active,
            sim1: None,
            sim2: None,
            person_id: None,
            vehicle_id: None,
            last_contact: Some(t(0)),
            battery_pct: Some(80.0),
            model: None,
            report_interval_s: None,
            history: Vec::new(),
            created_at: t(0),
        };
        let mut m = LiveModel::default();
        m.apply(LiveMessage::Snapshot(Snapshot {
            seq: 1,
            devices: vec![device.clone()],
            ..Snapshot::default()
        }));
        let mut fix = pos(device.id, 100);
        fix.battery_pct = Some(41.0);
        m.apply(event(2, EventBody::Position(fix)));
        assert_eq!(m.devices[&device.id].last_contact, Some(t(100)));
        assert_eq!(m.devices[&device.id].battery_pct, Some(41.0));
        // A late fix taken at 50 s, received at 200 s: contact yes, its older battery no.
        let mut late = pos(device.id, 50);
        late.recv_time = t(200);
        late.battery_pct = Some(90.0);
        m.apply(event(3, EventBody::Position(late)));
        assert_eq!(m.devices[&device.id].last_contact, Some(t(200)));
        assert_eq!(m.devices[&device.id].battery_pct, Some(41.0));
        // A fix without a battery reading keeps the last one.
        m.apply(event(4, EventBody::Position(pos(device.id, 300))));
        assert_eq!(m.devices[&device.id].battery_pct, Some(41.0));
        assert_eq!(m.devices[&device.id].last_contact, Some(t(300)));
    }

    #[test]
    fn regulation_queue_by_priority_then_waiting_time() {
        let (red_new, red_old, green) = (
            occ(Some(Priority::Emergency), 50),
            occ(Some(Priority::Emergency), 10),
            occ(Some(Priority::LessUrgent), 0),
        );
        let unclassified = occ(None, 99);
        let mut m = LiveModel::default();
        m.apply(LiveMessage::Snapshot(Snapshot {
            seq: 1,
            occurrences: vec![green.clone(), red_new.clone(), unclassified.clone(), red_old.clone()],
            ..Snapshot::default()
        }));
        let ids: Vec<_> = m.regulation_queue().iter().map(|o| o.id).collect();
        assert_eq!(ids, vec![unclassified.id, red_old.id, red_new.id, green.id]);
    }

    #[test]
    fn events_apply_in_seq_order_and_stale_ones_are_ignored() {
        let mut m = LiveModel::default();
        m.apply(LiveMessage::Snapshot(Snapshot { seq: 10, ..Snapshot::default() }));
        let a = Alarm::new(AlarmKind::StrapCut, Subject::Person(PersonId::new()), None, t(0), t(0));
        let applied = m.apply(event(11, EventBody::Alarm(a.clone())));
        assert_eq!(applied.new_alarms, vec![a.id]);
        assert!(m.apply(event(11, EventBody::Alarm(a.clone()))).stale);
        assert_eq!(m.seq, 11);
        assert_eq!(m.alarm_queue().len(), 1);
    }

    #[test]
    fn alarms_first_seen_in_a_snapshot_count_as_new() {
        let known = Alarm::new(AlarmKind::StrapCut, Subject::Person(PersonId::new()), None, t(0), t(0));
        let mut m = LiveModel::default();
        let first = m.apply(LiveMessage::Snapshot(Snapshot {
            seq: 5,
            alarms: vec![known.clone()],
            ..Snapshot::default()
        }));
        assert_eq!(first.new_alarms, vec![known.id], "open alarms alert at login");
        let raised_meanwhile =
            Alarm::new(AlarmKind::Tamper, Subject::Person(PersonId::new()), None, t(9), t(9));
        let resync = m.apply(LiveMessage::Snapshot(Snapshot {
            seq: 90,
            alarms: vec![known.clone(), raised_meanwhile.clone()],
            ..Snapshot::default()
        }));
        assert_eq!(resync.new_alarms, vec![raised_meanwhile.id], "only the one raised while away");
    }

    #[test]
    fn trails_keep_fix_time_order_and_bounded_length() {
        let dev = DeviceId::new();
        let mut m = LiveModel::default();
        let mut seq = 0;
        for fix in [30, 10, 20] {
            seq += 1;
            m.apply(event(seq, EventBody::Position(pos(dev, fix))));
        }
        let fixes: Vec<_> = m.trails[&dev].iter().map(|p| p.fix_time).collect();
        assert_eq!(fixes, vec![t(10), t(20), t(30)]);
        assert_eq!(m.last_position(dev).map(|p| p.fix_time), Some(t(30)));
        for fix in 100..(100 + TRAIL_LEN as i64 * 2) {
            seq += 1;
            m.apply(event(seq, EventBody::Position(pos(dev, fix))));
        }
        assert_eq!(m.trails[&dev].len(), TRAIL_LEN);
    }

    #[test]
    fn rfs177_a_person_transferred_to_another_unit_leaves_the_seat_of_this_one() {
        let person = |region: &str| -> atalaia_core::monitoring::Person {
            serde_json::from_value(serde_json::json!({"id": "0193f0aa-0000-7000-8000-000000000001",
                "name": "Ivo", "record": "1", "regime": "open", "region": region, "created_at": t(0)}))
            .expect("person")
        };
        let here = person("Regional I");
        let alarm = atalaia_core::alarm::Alarm::new(
            atalaia_core::alarm::AlarmKind::Tamper,
            atalaia_core::alarm::Subject::Person(here.id),
            None,
            t(0),
            t(0),
        );
        let mut m = LiveModel { unit: Some("regional i".into()), ..LiveModel::default() };
        m.apply(LiveMessage::Snapshot(Snapshot {
            seq: 1,
            persons: vec![here.clone()],
            alarms: vec![alarm],
            ..Snapshot::default()
        }));
        assert_eq!(m.unit.as_deref(), Some("regional i"), "kept across snapshots");
        m.apply(event(2, EventBody::Person(person("Regional II"))));
        assert!(m.persons.is_empty() && m.alarms.is_empty());
        // A seat of the central keeps everyone.
        let mut central = LiveModel::default();
        central.apply(event(2, EventBody::Person(person("Regional II"))));
        assert_eq!(central.persons.len(), 1);
    }
}
