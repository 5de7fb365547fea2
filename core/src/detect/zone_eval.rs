//! Zone detectors: leave / return to an inclusion zone (27.18.6.1–2), outside it when its schedule
//! starts, enter / leave an exclusion zone (27.18.6.3–4), the warning buffer before it (III-2.10)
//! and continuous-monitoring zones (27.18.6.6).

use super::{Ctx, Engine, Fixed, Output};
use crate::alarm::{AlarmKey, AlarmKind, Subject};
use crate::ids::{PersonId, ZoneId};
use crate::monitoring::ZoneKind;
use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};

/// A side of a boundary that changes only after the new side held for the dwell time.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
pub(super) struct Hyst {
    /// `Some(true)` inside, `Some(false)` outside, `None` not known yet.
    pub inside: Option<bool>,
    /// When the current side was first observed.
    pub since: Option<DateTime<Utc>>,
    pending: Option<(bool, DateTime<Utc>)>,
}

impl Hyst {
    /// Feed a clear observation (`None` = too close to the boundary to tell).
    fn observe(&mut self, seen: Option<bool>, t: DateTime<Utc>, dwell: Duration) {
        // A fix too close to call breaks a run of clear ones: the new side must hold
        // consecutively.
        let Some(seen) = seen else {
            self.pending = None;
            return;
        };
        if self.inside == Some(seen) {
            self.pending = None;
            return;
        }
        let since = match self.pending {
            Some((side, since)) if side == seen => since,
            _ => t,
        };
        if t - since >= dwell {
            self.inside = Some(seen);
            self.since = Some(since);
            self.pending = None;
        } else {
            self.pending = Some((seen, since));
        }
    }

    fn settled(&self) -> bool {
        self.pending.is_none()
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub(super) struct ZoneTrack {
    side: Hyst,
    buffer: Hyst,
    /// Schedule window of the last evaluation (`None` inside: not in force).
    window: Option<Option<DateTime<Utc>>>,
    /// The kind a violation of an inclusion zone is reported as right now.
    exit_kind: AlarmKind,
}

impl Default for ZoneTrack {
    fn default() -> Self {
        Self {
            side: Hyst::default(),
            buffer: Hyst::default(),
            window: None,
            exit_kind: AlarmKind::InclusionZoneExit,
        }
    }
}

const ZONE_KINDS: [AlarmKind; 5] = [
    AlarmKind::InclusionZoneExit,
    AlarmKind::ScheduleStartOutside,
    AlarmKind::ContinuousZoneExit,
    AlarmKind::ExclusionZoneEntry,
    AlarmKind::WarningZoneEntry,
];

fn key(kind: AlarmKind, person: PersonId, zone: ZoneId) -> AlarmKey {
    AlarmKey { kind, subject: Subject::Person(person), zone_id: Some(zone), other: None }
}

impl Engine {
    pub(super) fn evaluate_zones(&mut self, ctx: Ctx, pid: PersonId, f: Fixed, out: &mut Vec<Output>) {
        let Some(person) = self.people.get(&pid) else { return };
        let margin = f.accuracy_m.max(self.cfg.min_margin_m);
        let mut ids = self.zones.candidates(pid, &person.info.groups, &f.at, margin);
        // Zones still tracked (inside, pending, or since removed) are evaluated too, so leaving
        // them is noticed even once they are out of the index's reach.
        ids.extend(person.zones.keys().copied());
        ids.sort_unstable();
        ids.dedup();
        for zid in ids {
            self.evaluate_zone(ctx, pid, zid, f, out);
        }
    }

    pub(super) fn evaluate_zone(
        &mut self,
        ctx: Ctx,
        pid: PersonId,
        zid: ZoneId,
        f: Fixed,
        out: &mut Vec<Output>,
    ) {
        let Some(z) = self.zones.get(&zid) else {
            // The zone was removed or deactivated: whatever it raised ends.
            if let Some(p) = self.people.get_mut(&pid) {
                p.zones.remove(&zid);
                self.dirty.people.insert(pid);
            }
            for kind in ZONE_KINDS {
                self.set(ctx, key(kind, pid, zid), false, f.t, out);
            }
            return;
        };
        let margin = f.accuracy_m.max(self.cfg.min_margin_m);
        let sd = z.signed_distance_m(&f.at);
        let kind = z.zone.kind;
        let warning_m = z.zone.warning_m.filter(|w| *w > 0.0);
        let scheduled = z.is_scheduled();
        let window = z.window_start(f.t, self.cfg.tz);
        let dwell = match self.group_threshold(&pid, |r| r.zone_dwell_s) {
            Some(s) => Duration::seconds(i64::from(s)),
            None => self.cfg.zone_dwell,
        };
        let Some(person) = self.people.get_mut(&pid) else { return };
        let track = person.zones.entry(zid).or_default();
        let clear = |d: f64, limit: f64| {
            if d < limit - margin {
                Some(true)
            } else if d > limit + margin {
                Some(false)
            } else {
                None
            }
        };
        track.side.observe(clear(sd, 0.0), f.t, dwell);
        let mut t = *track;
        let in_force = window.is_some();
        let from = |h: &Hyst| match (h.since, window) {
            (Some(s), Some(w)) => s.max(w),
            (Some(s), None) => s,
            (None, _) => f.t,
        };
        match kind {
            ZoneKind::Inclusion | ZoneKind::Continuous => {
                let new_window = t.window != Some(window);
                if new_window {
                    // The old period is over: its violation (if any) ends with it.
                    let old = t.exit_kind;
                    t.window = Some(window);
                    t.exit_kind = if kind == ZoneKind::Continuous {
                        AlarmKind::ContinuousZoneExit
                    } else if scheduled && in_force && t.side.inside == Some(false) {
                        AlarmKind::ScheduleStartOutside
                    } else {
                        AlarmKind::InclusionZoneExit
                    };
                    if old != t.exit_kind {
                        self.set(ctx, key(old, pid, zid), false, window.unwrap_or(f.t), out);
                    }
                }
                // Side not known yet (just started, or only unclear fixes): change nothing.
                if in_force && t.side.inside.is_none() {
                    self.store_track(pid, zid, kind, t);
                    return;
                }
                let violating = in_force && t.side.inside == Some(false);
                let at = match (violating, t.side.inside) {
                    (true, _) => from(&t.side),
                    (false, Some(true)) => t.side.since.unwrap_or(f.t),
                    // Not in force any more: the violation ends now.
                    (false, _) => f.t,
                };
                self.set(ctx, key(t.exit_kind, pid, zid), violating, at, out);
                if !violating && kind == ZoneKind::Inclusion {
                    t.exit_kind = AlarmKind::InclusionZoneExit;
                }
            }
            ZoneKind::Exclusion | ZoneKind::Warning => {
                let entry_kind = if kind == ZoneKind::Exclusion {
                    AlarmKind::ExclusionZoneEntry
                } else {
                    AlarmKind::WarningZoneEntry
                };
                let inside = in_force && t.side.inside == Some(true);
                let at = if inside { from(&t.side) } else { t.side.since.unwrap_or(f.t) };
                if !in_force || t.side.inside.is_some() {
                    self.set(ctx, key(entry_kind, pid, zid), inside, at, out);
                }
                if let Some(w) = warning_m.filter(|_| kind == ZoneKind::Exclusion) {
                    t.buffer.observe(clear(sd, w), f.t, dwell);
                    let in_buffer = in_force && t.buffer.inside == Some(true);
                    let at = if in_buffer { from(&t.buffer) } else { t.buffer.since.unwrap_or(f.t) };
                    if !in_force || t.buffer.inside.is_some() {
                        self.set(ctx, key(AlarmKind::WarningZoneEntry, pid, zid), in_buffer, at, out);
                    }
                }
                t.window = Some(window);
            }
        }
        self.store_track(pid, zid, kind, t);
    }

    fn store_track(&mut self, pid: PersonId, zid: ZoneId, kind: ZoneKind, t: ZoneTrack) {
        let Some(person) = self.people.get_mut(&pid) else { return };
        let forget = matches!(kind, ZoneKind::Exclusion | ZoneKind::Warning)
            && t.side.inside != Some(true)
            && t.buffer.inside != Some(true)
            && t.side.settled()
            && t.buffer.settled();
        let changed =
            if forget { person.zones.remove(&zid).is_some() } else { person.zones.insert(zid, t) != Some(t) };
        if changed {
            self.dirty.people.insert(pid);
        }
    }

    /// Curfew starts and ends on the server's clock: re-evaluate the people a scheduled zone
    /// applies to, at their last known place, whenever its window changes.
    pub(super) fn schedule_starts(&mut self, now: DateTime<Utc>, out: &mut Vec<Output>) {
        let mut changed = Vec::new();
        for (zid, last) in self.schedule_windows.iter_mut() {
            let Some(z) = self.zones.get(zid) else { continue };
            let w = z.window_start(now, self.cfg.tz);
            if *last != w {
                *last = w;
                changed.push((*zid, z.zone.person_id, z.zone.group.clone()));
            }
        }
        for (zid, person, group) in changed {
            let people: Vec<(PersonId, Fixed)> = self
                .people
                .values()
                .filter(|p| match (person, &group) {
                    (Some(id), _) => p.info.id == id,
                    (None, Some(g)) => p.info.groups.contains(g),
                    (None, None) => false,
                })
                .filter_map(|p| p.last.map(|l| (p.info.id, l)))
                .collect();
            for (pid, last) in people {
                let at_now = Fixed { t: now.max(last.t), ..last };
                self.evaluate_zone(Ctx { device: None, live: true }, pid, zid, at_now, out);
            }
        }
    }
}
