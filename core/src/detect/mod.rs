//! The monitoring detectors (seed 003 §3 and the alarm list of 27.18.6): pure, deterministic,
//! fed one device's samples in fix-time order and a periodic tick with the server's time.
//!
//! Every detector keeps a *condition* per alarm key (subject, kind, zone, other person). A
//! condition turning on raises an alarm; turning off restores it. Conditions derived from late
//! (store-and-forward) samples still update the state, but instead of raising stale alarms they
//! are gathered into one late-data incident per replay: what is still true at the end of the
//! replay is raised then, what came and went inside it is listed as an episode (9.7, 9.37).
//!
//! GPS jitter never flaps a zone: a fix counts as inside or outside only when it is farther from
//! the boundary than its accuracy (and a minimum margin), and the new side must hold for a dwell
//! time before the condition changes.

mod health;
mod proximity;
mod state;
mod zone_eval;

use crate::alarm::{AlarmKey, AlarmKind, Episode, LateSummary, Subject};
use crate::geom::LatLon;
use crate::ids::{DeviceId, PersonId};
use crate::monitoring::{DeviceKind, GroupRules, Regime, Zone};
use crate::zones::ZoneSet;
use chrono::{DateTime, Duration, Utc};
use chrono_tz::Tz;
use serde::{Deserialize, Serialize};
use std::collections::{HashMap, HashSet};

pub use health::BatteryTrend;
pub use state::{Part, StateError, StateRecord};

/// Thresholds of the detectors. Defaults follow the tender where it names a figure.
#[derive(Debug, Clone)]
pub struct EngineConfig {
    /// Site time zone for zone schedules.
    pub tz: Tz,
    /// How long a new side of a zone boundary must hold before the condition changes.
    pub zone_dwell: Duration,
    /// Minimum distance from a boundary for a fix to count as clearly on one side, metres.
    pub min_margin_m: f64,
    /// A sample received this long after its fix time is replayed (late) data.
    pub late_after: Duration,
    /// A replay is considered finished after this long without late samples.
    pub late_quiet: Duration,
    /// No report for this long (server clock) is a loss of cellular communication, unless the
    /// device has a configured interval (then three intervals, at least one minute).
    pub signal_timeout: Duration,
    /// No GNSS fix for this long while still reporting is a GNSS loss.
    pub gnss_grace: Duration,
    /// GNSS lost this close before communication stopped means shielding (foil wrapping).
    pub shielding_window: Duration,
    /// Battery at or below this percentage is critical regardless of the trend.
    pub battery_critical_pct: f64,
    /// Warn when the discharge trend predicts empty within this time (≥ 1 h, 27.18.6.7).
    pub battery_warn_before: Duration,
    /// Battery at or below this when communication stops means the device switched off.
    pub battery_off_pct: f64,
    /// Encounter: two monitored people within this distance …
    pub encounter_m: f64,
    /// … for at least this long (16.2.27).
    pub encounter_for: Duration,
    /// Fixes of two people further apart in time than this are not compared.
    pub pair_staleness: Duration,
    /// Aggressor near victim: radius of the moving exclusion zone around the victim, and the
    /// extra distance needed to end the alarm (hysteresis).
    pub victim_radius_m: f64,
    pub victim_hysteresis_m: f64,
    /// Common places: grid cell size, the stay that counts as frequenting it, and the period.
    pub common_cell_m: f64,
    pub common_dwell: Duration,
    pub common_period: Duration,
}

impl Default for EngineConfig {
    fn default() -> Self {
        Self {
            tz: chrono_tz::America::Porto_Velho,
            zone_dwell: Duration::seconds(30),
            min_margin_m: 10.0,
            late_after: Duration::minutes(2),
            late_quiet: Duration::seconds(10),
            signal_timeout: Duration::minutes(5),
            gnss_grace: Duration::minutes(3),
            shielding_window: Duration::minutes(2),
            battery_critical_pct: 10.0,
            battery_warn_before: Duration::minutes(90),
            battery_off_pct: 3.0,
            encounter_m: 50.0,
            encounter_for: Duration::minutes(5),
            pair_staleness: Duration::minutes(2),
            victim_radius_m: 500.0,
            victim_hysteresis_m: 100.0,
            common_cell_m: 150.0,
            common_dwell: Duration::minutes(15),
            common_period: Duration::days(7),
        }
    }
}

/// A state the device itself reports (seed 003 P10): `true` means the problem is present.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Signal {
    StrapOpen(bool),
    BodyMissing(bool),
    WrongInstallation(bool),
    Tamper(bool),
    Jamming(bool),
    /// The device announces it is switching off.
    PowerOff,
    /// A panic / SOS button or the device's general alarm input: an event, raised every time
    /// (a repeat while the alarm stands counts), even from replayed data.
    Panic,
}

/// One report of one device, protocol-independent. Serialisable: a server that does not run the
/// detectors of its cluster queues what its devices sent for the one that does.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Sample {
    pub device_id: DeviceId,
    pub fix_time: DateTime<Utc>,
    pub recv_time: DateTime<Utc>,
    /// `None` when the report carries no valid GNSS fix.
    pub at: Option<LatLon>,
    pub accuracy_m: Option<f64>,
    pub battery_pct: Option<f64>,
    pub charging: Option<bool>,
    /// A keep-alive without any GNSS information: contact and battery only, so the missing
    /// place says nothing about GNSS reception.
    pub heartbeat: bool,
    pub signals: Vec<Signal>,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Output {
    Raise {
        key: AlarmKey,
        since: DateTime<Utc>,
    },
    Restore {
        key: AlarmKey,
        at: DateTime<Utc>,
    },
    /// A replay finished: one incident for the whole batch.
    Late {
        subject: Subject,
        summary: LateSummary,
    },
}

/// What the engine needs to know about a person.
#[derive(Debug, Clone, PartialEq)]
pub struct PersonInfo {
    pub id: PersonId,
    /// Every group the person is in, by sentence and by area (III-2.24).
    pub groups: Vec<String>,
    pub regime: Regime,
    /// For a victim: the aggressor.
    pub linked_person: Option<PersonId>,
}

/// What the engine needs to know about a device.
#[derive(Debug, Clone, PartialEq)]
pub struct DeviceInfo {
    pub id: DeviceId,
    pub kind: DeviceKind,
    pub person_id: Option<PersonId>,
    pub report_interval_s: Option<u32>,
}

#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
struct Cond {
    active: bool,
    since: DateTime<Utc>,
    raised: bool,
    /// Activated by a late sample and not yet raised.
    late: bool,
}

#[derive(Debug, Default, Clone, PartialEq, Serialize, Deserialize)]
struct LateAcc {
    points: u64,
    first: Option<DateTime<Utc>>,
    last: Option<DateTime<Utc>>,
    last_recv: Option<DateTime<Utc>>,
    episodes: Vec<Episode>,
    /// Conditions switched on during the replay and not raised yet.
    pending: Vec<AlarmKey>,
}

#[derive(Debug)]
struct DeviceTrack {
    info: DeviceInfo,
    /// Fix time of the last evaluated sample (ordering).
    last_fix: Option<DateTime<Utc>>,
    /// Server time of the last contact.
    last_recv: Option<DateTime<Utc>>,
    gnss_lost_since: Option<DateTime<Utc>>,
    battery: BatteryTrend,
    late: Option<LateAcc>,
}

/// The last known place of a person.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
struct Fixed {
    t: DateTime<Utc>,
    at: LatLon,
    accuracy_m: f64,
}

#[derive(Debug)]
struct PersonTrack {
    info: PersonInfo,
    last: Option<Fixed>,
    zones: HashMap<crate::ids::ZoneId, zone_eval::ZoneTrack>,
}

/// Where a sample's effects go: live alarms, or the device's replay accumulator.
#[derive(Debug, Clone, Copy)]
struct Ctx {
    /// The reporting device (none for clock-driven evaluations).
    device: Option<DeviceId>,
    live: bool,
}

pub struct Engine {
    cfg: EngineConfig,
    zones: ZoneSet,
    devices: HashMap<DeviceId, DeviceTrack>,
    people: HashMap<PersonId, PersonTrack>,
    conds: HashMap<AlarmKey, Cond>,
    proximity: proximity::Proximity,
    /// Zones with schedules and the window each was last seen in (for curfew starts on tick).
    schedule_windows: HashMap<crate::ids::ZoneId, Option<DateTime<Utc>>>,
    /// Rules of each group that has them (III-2.25).
    rules: HashMap<String, GroupRules>,
    /// Rules changed since the last tick: conditions they exempt end then.
    rules_changed: bool,
    /// Samples skipped because they were older than what was already evaluated.
    pub out_of_order: u64,
    /// State changed since the host last saved it ([`Engine::take_state`]).
    dirty: state::Dirty,
    /// The newest receive or tick time seen: the engine's clock for saving soft changes.
    now: Option<DateTime<Utc>>,
}

impl Engine {
    pub fn new(cfg: EngineConfig) -> Self {
        Self {
            proximity: proximity::Proximity::new(&cfg),
            cfg,
            zones: ZoneSet::default(),
            devices: HashMap::new(),
            people: HashMap::new(),
            conds: HashMap::new(),
            schedule_windows: HashMap::new(),
            rules: HashMap::new(),
            rules_changed: false,
            out_of_order: 0,
            dirty: state::Dirty::default(),
            now: None,
        }
    }

    pub fn config(&self) -> &EngineConfig {
        &self.cfg
    }

    pub fn zones(&self) -> &ZoneSet {
        &self.zones
    }

    pub fn set_person(&mut self, info: PersonInfo) {
        self.proximity.set_person(&info);
        match self.people.get_mut(&info.id) {
            Some(t) => t.info = info,
            None => {
                self.people.insert(info.id, PersonTrack { info, last: None, zones: HashMap::new() });
            }
        }
    }

    pub fn set_device(&mut self, info: DeviceInfo) {
        match self.devices.get_mut(&info.id) {
            Some(t) => t.info = info,
            None => {
                self.devices.insert(
                    info.id,
                    DeviceTrack {
                        info,
                        last_fix: None,
                        last_recv: None,
                        gnss_lost_since: None,
                        battery: BatteryTrend::default(),
                        late: None,
                    },
                );
            }
        }
    }

    /// Insert or replace a group's rules. Alarms of a kind the rules switch off end on the
    /// next tick.
    pub fn set_rules(&mut self, rules: GroupRules) {
        self.rules.insert(rules.group.clone(), rules);
        self.rules_changed = true;
    }

    /// The rules of each of a person's groups that has any.
    fn rules_of<'a>(&'a self, person: &PersonId) -> impl Iterator<Item = &'a GroupRules> + 'a {
        let groups = self.people.get(person).map(|p| p.info.groups.as_slice()).unwrap_or_default();
        groups.iter().filter_map(|g| self.rules.get(g))
    }

    /// A threshold of a person's groups' rules: the strictest (shortest) any of them sets.
    fn group_threshold(&self, person: &PersonId, of: impl Fn(&GroupRules) -> Option<u32>) -> Option<u32> {
        self.rules_of(person).filter_map(of).min()
    }

    /// Whether group rules exempt the subject from this alarm. An alarm about two people
    /// (encounter, common place) is exempt only when both groups' rules say so: co-workers of one
    /// work-release group meet every day, but either meeting someone else still counts.
    fn exempt(&self, key: &AlarmKey) -> bool {
        if !key.kind.optional_per_group() {
            return false;
        }
        // Any of a person's groups switching the alarm off exempts the person.
        let off = |p: &PersonId| self.rules_of(p).any(|r| r.disables(key.kind));
        match key.subject {
            Subject::Person(p) => off(&p) && key.other.as_ref().is_none_or(off),
            _ => false,
        }
    }

    pub fn remove_device(&mut self, id: &DeviceId) {
        self.devices.remove(id);
    }

    /// Insert, replace or (when inactive) remove a zone. Conditions of a removed zone end on the
    /// next evaluation of each person.
    pub fn set_zone(&mut self, zone: &Zone) {
        self.zones.upsert(zone);
        if zone.active && zone.schedule.is_some() {
            self.schedule_windows.entry(zone.id).or_insert(None);
        } else {
            self.schedule_windows.remove(&zone.id);
        }
    }

    /// An alarm for `key` is already active (loaded at start-up): do not raise it again, and
    /// restore it when the condition is found clear.
    pub fn assume_raised(&mut self, key: AlarmKey, since: DateTime<Utc>) {
        self.conds.insert(key, Cond { active: true, since, raised: true, late: false });
    }

    /// The device's last contact, known before start-up (so signal loss works after a restart).
    pub fn seen(&mut self, device: DeviceId, recv_time: DateTime<Utc>, fix_time: DateTime<Utc>) {
        if let Some(d) = self.devices.get_mut(&device) {
            d.last_recv = d.last_recv.max(Some(recv_time));
            d.last_fix = d.last_fix.max(Some(fix_time));
        }
    }

    /// A device's last contact, known before start-up from its record (reports without a fix
    /// included).
    pub fn contact(&mut self, device: DeviceId, recv_time: DateTime<Utc>) {
        if let Some(d) = self.devices.get_mut(&device) {
            d.last_recv = d.last_recv.max(Some(recv_time));
        }
    }

    /// Fix time of the newest sample evaluated for a device.
    pub fn last_fix(&self, device: &DeviceId) -> Option<DateTime<Utc>> {
        self.devices.get(device).and_then(|d| d.last_fix)
    }

    fn subject_of(&self, device: &DeviceTrack) -> Subject {
        match device.info.person_id {
            Some(p) => Subject::Person(p),
            None => Subject::Device(device.info.id),
        }
    }

    /// Evaluate one sample. Samples older than what the device already reported are not
    /// evaluated (they stay in history); returns whether it was evaluated.
    pub fn sample(&mut self, s: &Sample, out: &mut Vec<Output>) -> bool {
        let Some(dev) = self.devices.get_mut(&s.device_id) else { return false };
        // Any contact ends a communication loss, however old the data it brings.
        dev.last_recv = dev.last_recv.max(Some(s.recv_time));
        self.now = self.now.max(Some(s.recv_time));
        if s.heartbeat {
            // A keep-alive has no device time of its own: it neither orders the device's fixes
            // nor ends a replay in progress; what it says (states, battery) is current.
            self.dirty.soft_device(s.device_id);
            let subject = self.subject_of(&self.devices[&s.device_id]);
            let ctx = Ctx { device: Some(s.device_id), live: true };
            for kind in [AlarmKind::SignalLost, AlarmKind::Shielding, AlarmKind::DeviceOff] {
                self.set(ctx, AlarmKey::new(kind, subject), false, s.recv_time, out);
            }
            self.device_health(ctx, subject, s, out);
            return true;
        }
        if dev.last_fix.is_some_and(|t| s.fix_time < t) {
            self.out_of_order += 1;
            self.dirty.soft_device(s.device_id);
            return false;
        }
        dev.last_fix = Some(s.fix_time);
        self.dirty.soft_device(s.device_id);
        let live = s.recv_time - s.fix_time <= self.cfg.late_after;
        let subject = self.subject_of(&self.devices[&s.device_id]);
        for kind in [AlarmKind::SignalLost, AlarmKind::Shielding, AlarmKind::DeviceOff] {
            self.set(
                Ctx { device: Some(s.device_id), live: true },
                AlarmKey::new(kind, subject),
                false,
                s.recv_time,
                out,
            );
        }
        if live {
            self.finish_late(s.device_id, out);
        } else {
            self.dirty.devices.insert(s.device_id);
            if let Some(d) = self.devices.get_mut(&s.device_id) {
                let acc = d.late.get_or_insert_with(LateAcc::default);
                acc.points += 1;
                acc.first = acc.first.min(Some(s.fix_time)).or(Some(s.fix_time));
                acc.last = acc.last.max(Some(s.fix_time));
                acc.last_recv = Some(s.recv_time);
            }
        }
        let ctx = Ctx { device: Some(s.device_id), live };
        self.device_health(ctx, subject, s, out);
        if let (Some(at), Subject::Person(pid)) = (s.at, subject) {
            let fixed = Fixed { t: s.fix_time, at, accuracy_m: s.accuracy_m.unwrap_or(0.0).max(0.0) };
            self.evaluate_zones(ctx, pid, fixed, out);
            self.evaluate_proximity(ctx, pid, fixed, out);
        }
        true
    }

    /// Time-driven detection with the server's clock: communication loss, curfew starts, and
    /// the end of replays.
    pub fn tick(&mut self, now: DateTime<Utc>, out: &mut Vec<Output>) {
        self.now = self.now.max(Some(now));
        self.communication(now, out);
        let quiet: Vec<DeviceId> = self
            .devices
            .values()
            .filter(|d| {
                d.late.as_ref().is_some_and(|l| l.last_recv.is_some_and(|r| now - r >= self.cfg.late_quiet))
            })
            .map(|d| d.info.id)
            .collect();
        for d in quiet {
            self.finish_late(d, out);
        }
        self.schedule_starts(now, out);
        self.proximity.forget_before(now - self.cfg.common_period);
        if std::mem::take(&mut self.rules_changed) {
            let exempt: Vec<AlarmKey> =
                self.conds.iter().filter(|(k, c)| c.active && self.exempt(k)).map(|(k, _)| *k).collect();
            for key in exempt {
                self.set(Ctx { device: None, live: true }, key, false, now, out);
            }
        }
    }

    /// Switch a condition and emit what that means. `since` is when the condition began (or
    /// ended); a condition only raises live.
    fn set(&mut self, ctx: Ctx, key: AlarmKey, active: bool, since: DateTime<Utc>, out: &mut Vec<Output>) {
        let active = active && !self.exempt(&key);
        let entry = self.conds.get(&key).copied();
        let changes = match (entry, active) {
            (None, false) => false,
            (Some(c), true) if c.active => !c.raised && ctx.live,
            _ => true,
        };
        if changes {
            self.dirty.key(&key);
            if let Some(d) = ctx.device {
                self.dirty.devices.insert(d);
            }
        }
        match (entry, active) {
            (None, false) => {}
            (Some(c), true) if c.active => {
                if !c.raised && ctx.live {
                    self.conds.insert(key, Cond { raised: true, late: false, ..c });
                    out.push(Output::Raise { key, since: c.since });
                }
            }
            (_, true) => {
                let raise = ctx.live;
                self.conds.insert(key, Cond { active: true, since, raised: raise, late: !raise });
                if raise {
                    out.push(Output::Raise { key, since });
                } else if let Some(acc) =
                    ctx.device.and_then(|id| self.devices.get_mut(&id)).and_then(|d| d.late.as_mut())
                {
                    acc.pending.push(key);
                }
            }
            (Some(c), false) => {
                self.conds.remove(&key);
                if !c.active {
                    return;
                }
                if c.raised {
                    out.push(Output::Restore { key, at: since });
                } else if c.late
                    && let Some(acc) =
                        ctx.device.and_then(|id| self.devices.get_mut(&id)).and_then(|d| d.late.as_mut())
                {
                    acc.pending.retain(|k| *k != key);
                    acc.episodes.push(Episode {
                        kind: key.kind,
                        zone_id: key.zone_id,
                        from: c.since,
                        to: since,
                    });
                }
            }
        }
    }

    /// Close a replay: one incident, and the conditions still true at its end raised now.
    fn finish_late(&mut self, device: DeviceId, out: &mut Vec<Output>) {
        let Some(dev) = self.devices.get_mut(&device) else { return };
        let Some(acc) = dev.late.take() else { return };
        self.dirty.devices.insert(device);
        let subject = self.subject_of(&self.devices[&device]);
        for key in acc.pending {
            if let Some(c) = self.conds.get_mut(&key)
                && c.active
                && !c.raised
            {
                c.raised = true;
                c.late = false;
                out.push(Output::Raise { key, since: c.since });
            }
        }
        if let (Some(first_fix), Some(last_fix)) = (acc.first, acc.last) {
            out.push(Output::Late {
                subject,
                summary: LateSummary {
                    device_id: device,
                    points: acc.points,
                    first_fix,
                    last_fix,
                    episodes: acc.episodes,
                },
            });
        }
    }

    /// Active conditions (for inspection and tests).
    pub fn active_keys(&self) -> HashSet<AlarmKey> {
        self.conds.iter().filter(|(_, c)| c.active).map(|(k, _)| *k).collect()
    }
}

#[cfg(test)]
mod tests;
