//! Detectors over pairs of people: encounters between monitored people (16.2.27, III-2.5) on a
//! spatial grid (each fix looks only at neighbouring cells, never at every pair), common places
//! frequented by several of them (16.2.28), and an aggressor approaching a victim who carries a
//! device, as a moving exclusion zone around the victim with enter/leave hysteresis (27.16.1).

use super::{Ctx, Engine, EngineConfig, Fixed, Output, PersonInfo};
use crate::alarm::{AlarmKey, AlarmKind, Subject};
use crate::geom::LatLon;
use crate::ids::PersonId;
use crate::monitoring::Regime;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::collections::{HashMap, HashSet};

/// Most metres a degree of latitude spans on the WGS-84 ellipsoid (at the poles): cells sized
/// with it are never taller than their size.
const MAX_METRES_PER_DEGREE_LAT: f64 = 111_694.0;

pub(super) type Cell = (i32, i32);

/// A square grid in degrees of latitude; a cell is never wider than its size in metres, so a
/// radius-`size` neighbourhood spans one row either side and `ceil(1 / cos(lat))` columns.
#[derive(Debug, Clone, Copy)]
struct Grid {
    deg: f64,
}

impl Grid {
    fn new(size_m: f64) -> Self {
        Self { deg: size_m.max(1.0) / MAX_METRES_PER_DEGREE_LAT }
    }

    fn cell(&self, p: &LatLon) -> Cell {
        ((p.lat / self.deg).floor() as i32, (p.lon / self.deg).floor() as i32)
    }

    fn around(&self, p: &LatLon) -> impl Iterator<Item = Cell> {
        let (r, c) = self.cell(p);
        // A degree of longitude spans at least 111,319·cos(lat) m on the ellipsoid; the 0.4 %
        // covers the cells' being sized with the polar degree of latitude.
        let k = (1.004 / p.lat.to_radians().cos().max(0.05)).ceil() as i32;
        (r - 1..=r + 1).flat_map(move |rr| (c - k..=c + k).map(move |cc| (rr, cc)))
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub(super) struct Stay {
    cell: Cell,
    since: DateTime<Utc>,
    last: DateTime<Utc>,
    registered: bool,
}

/// A person's share of the pair detectors' state.
pub(super) struct PersonProximity {
    pub near: Vec<(PersonId, DateTime<Utc>)>,
    pub partners: Vec<PersonId>,
    pub stay: Option<Stay>,
    pub common_with: Vec<PersonId>,
}

#[derive(Debug)]
pub(super) struct Proximity {
    grid: Grid,
    members: HashMap<Cell, Vec<PersonId>>,
    cell_of: HashMap<PersonId, Cell>,
    near_since: HashMap<(PersonId, PersonId), DateTime<Utc>>,
    partners: HashMap<PersonId, HashSet<PersonId>>,
    victims_of: HashMap<PersonId, Vec<PersonId>>,
    places: Grid,
    stays: HashMap<PersonId, Stay>,
    /// Stays that counted as frequenting a place: (person, end of the stay).
    visits: HashMap<Cell, Vec<(PersonId, DateTime<Utc>)>>,
    common_with: HashMap<PersonId, HashSet<PersonId>>,
    pruned_at: Option<DateTime<Utc>>,
}

impl Proximity {
    pub(super) fn new(cfg: &EngineConfig) -> Self {
        Self {
            grid: Grid::new(cfg.encounter_m),
            members: HashMap::new(),
            cell_of: HashMap::new(),
            near_since: HashMap::new(),
            partners: HashMap::new(),
            victims_of: HashMap::new(),
            places: Grid::new(cfg.common_cell_m),
            stays: HashMap::new(),
            visits: HashMap::new(),
            common_with: HashMap::new(),
            pruned_at: None,
        }
    }

    pub(super) fn set_person(&mut self, info: &PersonInfo) {
        for list in self.victims_of.values_mut() {
            list.retain(|v| *v != info.id);
        }
        if let (Regime::Victim, Some(aggressor)) = (info.regime, info.linked_person) {
            self.victims_of.entry(aggressor).or_default().push(info.id);
        }
    }

    /// Drop common-place visits older than the analysis period (at most once an hour).
    pub(super) fn forget_before(&mut self, horizon: DateTime<Utc>) {
        if self.pruned_at.is_some_and(|t| horizon - t < chrono::Duration::hours(1)) {
            return;
        }
        self.pruned_at = Some(horizon);
        self.visits.retain(|_, list| {
            list.retain(|(_, end)| *end >= horizon);
            !list.is_empty()
        });
    }

    /// What a person's record keeps of the pair detectors (see `state`).
    pub(super) fn person(&self, p: &PersonId) -> PersonProximity {
        let mut near: Vec<(PersonId, DateTime<Utc>)> = self
            .near_since
            .iter()
            .filter_map(|((a, b), t)| {
                if a == p {
                    Some((*b, *t))
                } else if b == p {
                    Some((*a, *t))
                } else {
                    None
                }
            })
            .collect();
        near.sort();
        let sorted = |s: Option<&HashSet<PersonId>>| {
            let mut v: Vec<PersonId> = s.map(|s| s.iter().copied().collect()).unwrap_or_default();
            v.sort();
            v
        };
        PersonProximity {
            near,
            partners: sorted(self.partners.get(p)),
            stay: self.stays.get(p).copied(),
            common_with: sorted(self.common_with.get(p)),
        }
    }

    pub(super) fn restore_person(
        &mut self,
        p: PersonId,
        last: Option<LatLon>,
        near: Vec<(PersonId, DateTime<Utc>)>,
        partners: Vec<PersonId>,
        stay: Option<Stay>,
        common_with: Vec<PersonId>,
    ) {
        if let Some(at) = last {
            let cell = self.grid.cell(&at);
            self.move_to(p, cell);
        }
        for (other, t) in near {
            self.near_since.insert(pair(p, other), t);
        }
        if !partners.is_empty() {
            self.partners.entry(p).or_default().extend(partners);
        }
        match stay {
            Some(s) => {
                self.stays.insert(p, s);
            }
            None => {
                self.stays.remove(&p);
            }
        }
        if !common_with.is_empty() {
            self.common_with.entry(p).or_default().extend(common_with);
        }
    }

    /// The places a person's stays counted as visits to, with when each stay ended.
    pub(super) fn visits_of(&self, p: PersonId) -> Vec<(Cell, DateTime<Utc>)> {
        let mut out: Vec<(Cell, DateTime<Utc>)> = self
            .visits
            .iter()
            .flat_map(|(cell, list)| list.iter().filter(|(q, _)| *q == p).map(|(_, end)| (*cell, *end)))
            .collect();
        out.sort();
        out
    }

    pub(super) fn restore_visits(&mut self, p: PersonId, visits: Vec<(Cell, DateTime<Utc>)>) {
        for (cell, end) in visits {
            self.visits.entry(cell).or_default().push((p, end));
        }
    }

    fn move_to(&mut self, p: PersonId, cell: Cell) {
        if let Some(old) = self.cell_of.insert(p, cell) {
            if old == cell {
                return;
            }
            if let Some(list) = self.members.get_mut(&old) {
                list.retain(|x| *x != p);
                if list.is_empty() {
                    self.members.remove(&old);
                }
            }
        }
        self.members.entry(cell).or_default().push(p);
    }
}

fn pair(a: PersonId, b: PersonId) -> (PersonId, PersonId) {
    if a < b { (a, b) } else { (b, a) }
}

fn pair_key(kind: AlarmKind, first: PersonId, other: PersonId) -> AlarmKey {
    AlarmKey { kind, subject: Subject::Person(first), zone_id: None, other: Some(other) }
}

impl Engine {
    /// After a restart: the fix time after which the person's stored positions must be given
    /// to [`Engine::replay_places`] (what the saved record knows ends there).
    pub fn resume_after(&self, person: PersonId) -> Option<DateTime<Utc>> {
        let p = self.people.get(&person)?;
        let stay = self.proximity.stays.get(&person).map(|s| s.last);
        stay.max(p.last.map(|l| l.t))
    }

    /// After a restart: rebuild the soft place state (last place, current stay) from the
    /// person's stored positions newer than what the saved record knew, in fix-time order.
    /// Nothing is raised: what those fixes raised is already stored, and a stay reaching its
    /// dwell registers at the next live fix.
    pub fn replay_places(&mut self, person: PersonId, fixes: &[(DateTime<Utc>, LatLon, Option<f64>)]) {
        let after = self.resume_after(person);
        for &(t, at, accuracy) in fixes.iter().filter(|f| after.is_none_or(|a| f.0 > a)) {
            let Some(p) = self.people.get_mut(&person) else { return };
            p.last = Some(Fixed { t, at, accuracy_m: accuracy.unwrap_or(0.0).max(0.0) });
            let cell = self.proximity.grid.cell(&at);
            self.proximity.move_to(person, cell);
            let place = self.proximity.places.cell(&at);
            let stay = match self.proximity.stays.get(&person).copied() {
                Some(s) if s.cell == place => Stay { last: t, ..s },
                _ => Stay { cell: place, since: t, last: t, registered: false },
            };
            self.proximity.stays.insert(person, stay);
        }
    }

    pub(super) fn evaluate_proximity(&mut self, ctx: Ctx, pid: PersonId, f: Fixed, out: &mut Vec<Output>) {
        let Some(me) = self.people.get_mut(&pid) else { return };
        me.last = Some(f);
        self.dirty.soft_person(pid);
        let regime = me.info.regime;
        let linked = me.info.linked_person;
        if regime == Regime::Victim {
            if let Some(aggressor) = linked {
                self.aggressor_check(ctx, aggressor, pid, f.t, out);
            }
            return;
        }
        let victims = self.proximity.victims_of.get(&pid).cloned().unwrap_or_default();
        for v in victims {
            self.aggressor_check(ctx, pid, v, f.t, out);
        }
        self.encounters(ctx, pid, f, out);
        self.common_places(ctx, pid, f, out);
    }

    fn last_of(&self, p: PersonId) -> Option<Fixed> {
        self.people.get(&p).and_then(|t| t.last)
    }

    fn aggressor_check(
        &mut self,
        ctx: Ctx,
        aggressor: PersonId,
        victim: PersonId,
        t: DateTime<Utc>,
        out: &mut Vec<Output>,
    ) {
        let (Some(a), Some(v)) = (self.last_of(aggressor), self.last_of(victim)) else { return };
        // Fixes minutes apart say nothing about where both are now.
        if (a.t - v.t).abs() > self.cfg.pair_staleness {
            return;
        }
        let d = a.at.distance_m(&v.at);
        let key = pair_key(AlarmKind::AggressorNearVictim, aggressor, victim);
        if d <= self.cfg.victim_radius_m {
            self.set(ctx, key, true, t, out);
        } else if d > self.cfg.victim_radius_m + self.cfg.victim_hysteresis_m {
            self.set(ctx, key, false, t, out);
        }
    }

    fn eligible(&self, p: PersonId) -> bool {
        self.people.get(&p).is_some_and(|t| t.info.regime != Regime::Victim)
    }

    fn encounters(&mut self, ctx: Ctx, pid: PersonId, f: Fixed, out: &mut Vec<Output>) {
        let cell = self.proximity.grid.cell(&f.at);
        self.proximity.move_to(pid, cell);
        let mut seen = HashSet::new();
        let neighbours: Vec<PersonId> = self
            .proximity
            .grid
            .around(&f.at)
            .filter_map(|c| self.proximity.members.get(&c))
            .flatten()
            .copied()
            .filter(|o| *o != pid)
            .collect();
        let partners: Vec<PersonId> =
            self.proximity.partners.get(&pid).map(|s| s.iter().copied().collect()).unwrap_or_default();
        for other in neighbours.into_iter().chain(partners) {
            if !seen.insert(other) || !self.eligible(other) {
                continue;
            }
            let Some(o) = self.last_of(other) else { continue };
            let pr = pair(pid, other);
            let key = pair_key(AlarmKind::Encounter, pr.0, pr.1);
            let fresh = (o.t - f.t).abs() <= self.cfg.pair_staleness;
            let d = f.at.distance_m(&o.at);
            if fresh && d <= self.cfg.encounter_m {
                let since = *self.proximity.near_since.entry(pr).or_insert_with(|| {
                    self.dirty.people.insert(pid);
                    self.dirty.people.insert(other);
                    f.t.min(o.t)
                });
                self.proximity.partners.entry(pid).or_default().insert(other);
                self.proximity.partners.entry(other).or_default().insert(pid);
                if f.t - since >= self.cfg.encounter_for {
                    self.set(ctx, key, true, since, out);
                }
            } else if !fresh || d > self.cfg.encounter_m * 1.5 {
                if self.proximity.near_since.remove(&pr).is_some() {
                    self.dirty.people.insert(other);
                }
                for (a, b) in [(pid, other), (other, pid)] {
                    if let Some(s) = self.proximity.partners.get_mut(&a)
                        && s.remove(&b)
                    {
                        self.dirty.people.insert(a);
                    }
                }
                self.set(ctx, key, false, f.t, out);
            }
        }
    }

    fn common_places(&mut self, ctx: Ctx, pid: PersonId, f: Fixed, out: &mut Vec<Output>) {
        let cell = self.proximity.places.cell(&f.at);
        // The current stay is soft state: GPS jitter across a cell's edge starts a new one at
        // almost every fix. A restart rebuilds it from the positions stored after the saved
        // record (Engine::replay_places); its counting as a visit is saved at once.
        self.dirty.soft_person(pid);
        let stay = match self.proximity.stays.get(&pid).copied() {
            Some(s) if s.cell == cell => Stay { last: f.t, ..s },
            previous => {
                if let Some(prev) = previous.filter(|s| s.registered) {
                    self.dirty.visits.insert(pid);
                    if let Some(list) = self.proximity.visits.get_mut(&prev.cell)
                        && let Some(v) = list.iter_mut().rev().find(|(p, _)| *p == pid)
                    {
                        v.1 = prev.last;
                    }
                    // Left the place: the common-place alarms of that stay end.
                    let others: Vec<PersonId> = self
                        .proximity
                        .common_with
                        .remove(&pid)
                        .map(|s| s.into_iter().collect())
                        .unwrap_or_default();
                    for other in others {
                        self.set(ctx, pair_key(AlarmKind::CommonPlace, pid, other), false, f.t, out);
                    }
                }
                Stay { cell, since: f.t, last: f.t, registered: false }
            }
        };
        let mut stay = stay;
        if !stay.registered && stay.last - stay.since >= self.cfg.common_dwell {
            stay.registered = true;
            self.dirty.visits.insert(pid);
            self.dirty.people.insert(pid);
            let horizon = f.t - self.cfg.common_period;
            let list = self.proximity.visits.entry(cell).or_default();
            list.retain(|(_, end)| *end >= horizon);
            let others: HashSet<PersonId> = list.iter().map(|(p, _)| *p).filter(|p| *p != pid).collect();
            list.push((pid, f.t));
            for other in others {
                self.proximity.common_with.entry(pid).or_default().insert(other);
                self.set(ctx, pair_key(AlarmKind::CommonPlace, pid, other), true, stay.since, out);
            }
        }
        self.proximity.stays.insert(pid, stay);
    }
}
