//! Hosts the monitoring detectors (`atalaia_core::detect`) inside the server, and the alarm
//! manager that turns their raise / restore / late outputs into alarms.
//!
//! Detection runs inside the store's writer jobs, so it sees every device's samples in commit
//! order and its alarms are durable in the same transaction as the data that raised them (a
//! device is acknowledged only after both). The engine learns about people, devices and zones by
//! following the event log; at start-up it is rebuilt from the store, with the alarms that are
//! still active marked as raised so a restart neither repeats nor forgets them.
//!
//! Alarm manager rules (16.2.13): one active alarm per (subject, kind, zone, other person); a
//! raise while one is active counts a repeat; a restore ends an unclaimed alarm, and on an alarm
//! an operator holds it records when the condition cleared, leaving the closing to the operator.

use crate::store::db::Db;
use crate::store::{Store, StoreError, WriteCtx, ts};
use atalaia_core::alarm::{Alarm, AlarmKey, AlarmKind, AlarmState, Domain};
use atalaia_core::detect::{DeviceInfo, Engine, EngineConfig, Output, PersonInfo, Sample};
use atalaia_core::ids::{AlarmId, DeviceId};
use atalaia_core::monitoring::{Device, GroupRules, Person, Position, Zone};
use atalaia_core::notify::Trigger;
use atalaia_core::wire::EventBody;
use chrono::{DateTime, Utc};
use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard};
use tokio::sync::broadcast::error::RecvError;

/// How often the clock-driven detectors run (signal loss, curfew start, end of replays).
pub const TICK: std::time::Duration = std::time::Duration::from_secs(1);
/// How often the cluster's leader looks for reports the other servers queued for its detectors.
pub const DRAIN_EVERY: std::time::Duration = std::time::Duration::from_millis(20);
/// Queued reports evaluated in one job at most.
const DRAIN_BATCH: usize = 2_000;

pub struct Inner {
    pub engine: Engine,
    /// The alarm currently standing for each key (it may since have been closed by an operator).
    open: HashMap<AlarmKey, AlarmId>,
    /// Alarms raised, repeated and restored since start (for benchmarks and the health page).
    pub raised: u64,
    /// Devices that accept data, by wire identifier, as of the last event applied: ingest
    /// resolves a report without a database read. Only committed events fill it, so a miss
    /// (a device saved a moment ago) falls back to the database.
    devices: HashMap<String, Device>,
    /// The wire identifier each device in `devices` is filed under.
    device_keys: HashMap<DeviceId, String>,
    /// Fix time of each device's newest stored position: only a fix at least as new is a
    /// live-feed event (the map does not move backwards). Kept by every server of a cluster
    /// from the positions on the event log, whichever server stored them.
    positions: HashMap<DeviceId, DateTime<Utc>>,
    /// The leadership epoch (`store::leader`) the detectors were loaded or reloaded under.
    loaded_for: Option<u64>,
}

impl Inner {
    /// The registered, active device with this wire identifier, if known here.
    pub fn device(&self, key: &str) -> Option<&Device> {
        self.devices.get(key)
    }

    pub fn newest_position(&self, device: &DeviceId) -> Option<DateTime<Utc>> {
        self.positions.get(device).copied()
    }

    /// A position of this device was stored (inside the writer job that stored it).
    pub fn position_stored(&mut self, device: DeviceId, fix_time: DateTime<Utc>) {
        let t = self.positions.entry(device).or_insert(fix_time);
        *t = (*t).max(fix_time);
    }

    fn set_device(&mut self, d: &Device) {
        if let Some(key) = self.device_keys.remove(&d.id) {
            self.devices.remove(&key);
        }
        if d.accepts_data() {
            self.devices.insert(d.imei.clone(), d.clone());
            self.device_keys.insert(d.id, d.imei.clone());
        }
        match device_info(d) {
            Some(info) => self.engine.set_device(info),
            None => self.engine.remove_device(&d.id),
        }
    }
}

#[derive(Clone)]
pub struct Monitor {
    inner: Arc<Mutex<Inner>>,
    /// Unclaimed alarms escalate this long after they were raised (27.9).
    ack_target: chrono::Duration,
    /// The site's time zone, for the times in notification messages.
    tz: chrono_tz::Tz,
    /// Another server may have queued reports for this one's detectors: the leader takes them
    /// before it evaluates new ones, so a device that moved to it is evaluated in order.
    queued: Arc<std::sync::atomic::AtomicBool>,
}

fn person_info(p: &Person) -> PersonInfo {
    PersonInfo { id: p.id, groups: p.groups(), regime: p.regime, linked_person: p.linked_person }
}

fn device_info(d: &Device) -> Option<DeviceInfo> {
    d.accepts_data().then_some(DeviceInfo {
        id: d.id,
        kind: d.kind,
        person_id: d.person_id,
        report_interval_s: d.report_interval_s,
    })
}

impl Inner {
    /// The detectors as the database has them: people, devices, zones and rules; what the
    /// detectors had started (a replay being summarised, a dwell, a timer), saved with the data
    /// it depends on; the alarms still active, marked as raised so a restart (or a new leader)
    /// neither repeats nor forgets them; and each person's last place and stay, from the fixes
    /// stored after the saved record.
    fn build(db: Db<'_>, cfg: EngineConfig) -> Result<Self, StoreError> {
        let people = Store::list::<Person>(db)?;
        let devices = Store::list::<Device>(db)?;
        let zones = Store::list::<Zone>(db)?;
        let rules = Store::list::<GroupRules>(db)?;
        let alarms = Store::list_by::<Alarm>(db, "active", "1")?;
        let last = Store::last_positions(db)?;
        let state = crate::store::detector_state(db)?;
        // Devices with reports still queued for the detectors: their stored fixes include the
        // queued ones, which must not look old when the queue is taken.
        let queued = crate::store::queued_devices(db)?;
        let mut inner = Inner {
            engine: Engine::new(cfg),
            open: HashMap::new(),
            raised: 0,
            devices: HashMap::new(),
            device_keys: HashMap::new(),
            positions: HashMap::new(),
            loaded_for: None,
        };
        for r in rules {
            inner.engine.set_rules(r);
        }
        for p in &people {
            inner.engine.set_person(person_info(p));
        }
        for d in &devices {
            inner.set_device(d);
        }
        for z in &zones {
            inner.engine.set_zone(z);
        }
        let restored = state.len();
        for (part, id, doc) in state {
            if let Err(e) = inner.engine.restore(part, &id, &doc) {
                tracing::error!(error = %e, "detector state not restored; that device or person starts afresh");
            }
        }
        if restored > 0 {
            tracing::info!(records = restored, "detector state restored");
        }
        for a in alarms.iter().filter(|a| a.domain() == Domain::Monitoring) {
            inner.open.insert(a.key(), a.id);
            if a.kind != AlarmKind::LateData && a.cleared_at.is_none() {
                inner.engine.assume_raised(a.key(), a.source_time);
            }
        }
        // What changes with every report is saved at most every 30 s (soft state): the stored
        // positions and the devices' records give the newest of it back.
        for p in &last {
            if !queued.contains(&p.device_id) {
                inner.engine.seen(p.device_id, p.recv_time, p.fix_time);
            }
            inner.position_stored(p.device_id, p.fix_time);
        }
        for d in &devices {
            if let Some(t) = d.last_contact {
                inner.engine.contact(d.id, t);
            }
        }
        for p in &people {
            let Some(after) = inner.engine.resume_after(p.id) else { continue };
            let filter = crate::store::PositionFilter {
                person: Some(p.id),
                from: Some(after),
                limit: 10_000,
                ..Default::default()
            };
            let found: Vec<(DateTime<Utc>, atalaia_core::geom::LatLon, Option<f64>)> =
                Store::positions(db, &filter)?
                    .into_iter()
                    .map(|p| (p.fix_time, p.at, p.accuracy_m))
                    .collect();
            inner.engine.replay_places(p.id, &found);
        }
        Ok(inner)
    }
}

impl Monitor {
    /// Build the engine from the store. Subscribe to the event log *before* calling this (see
    /// [`Monitor::follow`]) so nothing saved in between is missed.
    pub async fn load(
        store: &Store,
        cfg: EngineConfig,
        ack_target: chrono::Duration,
    ) -> Result<Self, StoreError> {
        let tz = cfg.tz;
        // One write first, so a server that can lead does before loading (its detectors are then
        // loaded once, not again inside its first job); a later leadership reloads them.
        store.write(|_| Ok(())).await?;
        let epoch = store.leader();
        let mut inner = store.read(move |c| Inner::build(c, cfg)).await?;
        inner.loaded_for = epoch;
        Ok(Self { inner: Arc::new(Mutex::new(inner)), ack_target, tz, queued: Arc::default() })
    }

    /// Inside a job of the cluster's leader: the detectors as of this leadership. A server that
    /// just became leader reloads them from the database, where the former leader left them.
    fn fresh(ctx: &WriteCtx<'_>, inner: &mut Inner, epoch: u64) -> Result<(), StoreError> {
        if inner.loaded_for == Some(epoch) {
            return Ok(());
        }
        let mut reloaded = Inner::build(ctx.conn, inner.engine.config().clone())?;
        reloaded.raised = inner.raised;
        reloaded.loaded_for = Some(epoch);
        *inner = reloaded;
        tracing::info!(epoch, "detectors reloaded from the database for this server's leadership");
        Ok(())
    }

    pub fn lock(&self) -> MutexGuard<'_, Inner> {
        // A panic while holding the lock leaves detector state possibly half-updated, which is
        // still better than stopping detection altogether.
        self.inner.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Keep the engine's view of people, devices, zones and group rules current from the event log.
    pub async fn follow(
        self,
        store: Store,
        mut rx: tokio::sync::broadcast::Receiver<Arc<atalaia_core::wire::LiveEvent>>,
        stopping: tokio::sync::watch::Receiver<bool>,
    ) {
        let stop = crate::server::until_stopping(stopping);
        tokio::pin!(stop);
        loop {
            let event = tokio::select! {
                e = rx.recv() => e,
                () = &mut stop => return,
            };
            match event {
                Ok(e) => self.apply_event(&e.body),
                Err(RecvError::Lagged(n)) => {
                    tracing::warn!(
                        missed = n,
                        "monitor fell behind the event log; reloading people, devices, zones and rules"
                    );
                    match store
                        .read(|c| {
                            Ok((
                                Store::list::<Person>(c)?,
                                Store::list::<Device>(c)?,
                                Store::list::<Zone>(c)?,
                                Store::list::<GroupRules>(c)?,
                            ))
                        })
                        .await
                    {
                        Ok((people, devices, zones, rules)) => {
                            for r in rules {
                                self.apply_event(&EventBody::GroupRules(r));
                            }
                            for p in people {
                                self.apply_event(&EventBody::Person(p));
                            }
                            for d in devices {
                                self.apply_event(&EventBody::Device(d));
                            }
                            for z in zones {
                                self.apply_event(&EventBody::Zone(z));
                            }
                        }
                        Err(e) => tracing::error!(error = %e, "monitor reload failed"),
                    }
                }
                Err(RecvError::Closed) => return,
            }
        }
    }

    fn apply_event(&self, body: &EventBody) {
        match body {
            EventBody::Person(p) => self.lock().engine.set_person(person_info(p)),
            EventBody::Device(d) => self.lock().set_device(d),
            EventBody::Zone(z) => self.lock().engine.set_zone(z),
            EventBody::GroupRules(r) => self.lock().engine.set_rules(r.clone()),
            EventBody::Position(p) => {
                let mut inner = self.lock();
                // A fix the detectors here have not seen was stored (and queued) by another server.
                if inner.engine.last_fix(&p.device_id).is_some_and(|t| t < p.fix_time) {
                    self.queued.store(true, std::sync::atomic::Ordering::Relaxed);
                }
                inner.position_stored(p.device_id, p.fix_time);
            }
            _ => {}
        }
    }

    /// Evaluate samples inside a writer job and store the alarms they raise or restore. A server
    /// that is not its cluster's leader queues them for the leader instead, in the same
    /// transaction as the data (`store::leader`).
    pub fn evaluate(&self, ctx: &mut WriteCtx<'_>, samples: &[Sample]) -> Result<(), StoreError> {
        let Some(epoch) = ctx.leader else {
            return ctx.queue_samples(samples);
        };
        let mut inner = self.lock();
        Self::fresh(ctx, &mut inner, epoch)?;
        // Only servers of a cluster (PostgreSQL) queue for each other. What they queued goes
        // first: it is older than what arrives here now.
        let cluster = ctx.conn.engine() == crate::store::db::Engine::Postgres;
        let older = match cluster && self.queued.load(std::sync::atomic::Ordering::Relaxed) {
            true => self.take_queue(ctx)?,
            false => Vec::new(),
        };
        self.run_samples(ctx, &mut inner, &older, samples)
    }

    /// Takes queued samples, oldest first, and forgets the hint once the queue is empty.
    fn take_queue(&self, ctx: &WriteCtx<'_>) -> Result<Vec<Sample>, StoreError> {
        let taken = crate::store::take_queued(ctx.conn, DRAIN_BATCH)?;
        if taken.len() < DRAIN_BATCH {
            self.queued.store(false, std::sync::atomic::Ordering::Relaxed);
        }
        Ok(taken)
    }

    /// Evaluates `taken` (from the queue) then `samples`, and stores what they raise. If that
    /// fails, the taken samples go back to the queue with the rollback while the detectors here
    /// moved past them: they are reloaded from the database before the next evaluation.
    fn run_samples(
        &self,
        ctx: &mut WriteCtx<'_>,
        inner: &mut Inner,
        taken: &[Sample],
        samples: &[Sample],
    ) -> Result<(), StoreError> {
        let mut out = Vec::new();
        for s in taken.iter().chain(samples) {
            inner.engine.sample(s, &mut out);
        }
        let saved = apply(ctx, inner, out, self.tz).and_then(|()| save_state(ctx, inner, false));
        if saved.is_err() && !taken.is_empty() {
            inner.loaded_for = None;
            self.queued.store(true, std::sync::atomic::Ordering::Relaxed);
        }
        saved
    }

    /// The leader's job: evaluate what the other servers queued, oldest first; how many.
    pub fn drain(&self, ctx: &mut WriteCtx<'_>) -> Result<usize, StoreError> {
        let Some(epoch) = ctx.leader else { return Ok(0) };
        let mut inner = self.lock();
        Self::fresh(ctx, &mut inner, epoch)?;
        let taken = self.take_queue(ctx)?;
        self.run_samples(ctx, &mut inner, &taken, &[])?;
        Ok(taken.len())
    }

    /// The clock-driven detectors, inside a writer job of the cluster's leader.
    pub fn tick(&self, ctx: &mut WriteCtx<'_>) -> Result<(), StoreError> {
        let Some(epoch) = ctx.leader else { return Ok(()) };
        let mut inner = self.lock();
        Self::fresh(ctx, &mut inner, epoch)?;
        let mut out = Vec::new();
        inner.engine.tick(ctx.now, &mut out);
        apply(ctx, &mut inner, out, self.tz)?;
        save_state(ctx, &mut inner, true)
    }

    /// Escalate alarms nobody claimed within the target (27.9). A job of its own, so a failure
    /// here never rolls back what the detectors raised; the leader's.
    pub fn escalate_overdue(&self, ctx: &mut WriteCtx<'_>) -> Result<(), StoreError> {
        if ctx.leader.is_none() {
            return Ok(());
        }
        escalate(ctx, self.ack_target, self.tz)
    }

    /// The leader evaluates what the other servers of its cluster queued, looking every
    /// [`DRAIN_EVERY`] (a read while nothing waits), until the server stops. Nothing is ever
    /// queued on SQLite, whose one server leads.
    pub async fn run_queue(self, store: Store, stopping: tokio::sync::watch::Receiver<bool>) {
        if store.engine() == crate::store::db::Engine::Sqlite {
            return;
        }
        let stop = crate::server::until_stopping(stopping);
        tokio::pin!(stop);
        let mut every = tokio::time::interval(DRAIN_EVERY);
        every.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tokio::select! {
                _ = every.tick() => {}
                () = &mut stop => return,
            }
            if store.leader().is_none() {
                continue;
            }
            match store.read(|c| crate::store::samples_queued(c)).await {
                Ok(true) => self.queued.store(true, std::sync::atomic::Ordering::Relaxed),
                Ok(false) => continue,
                Err(e) => {
                    tracing::warn!(error = %e, "cannot look at the detectors' queue");
                    continue;
                }
            }
            loop {
                let me = self.clone();
                match store.write(move |ctx| me.drain(ctx)).await {
                    Ok(n) if n == DRAIN_BATCH => {}
                    Ok(_) => break,
                    Err(e) => {
                        tracing::error!(error = %e, "evaluating the queued reports failed");
                        break;
                    }
                }
            }
        }
    }

    /// Run [`Monitor::tick`] every [`TICK`] until the server stops.
    pub async fn run_ticks(self, store: Store, stopping: tokio::sync::watch::Receiver<bool>) {
        let stop = crate::server::until_stopping(stopping);
        tokio::pin!(stop);
        let mut every = tokio::time::interval(TICK);
        every.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tokio::select! {
                _ = every.tick() => {}
                () = &mut stop => return,
            }
            let me = self.clone();
            if let Err(e) = store.write(move |ctx| me.tick(ctx)).await {
                tracing::error!(error = %e, "monitoring tick failed");
            }
            let me = self.clone();
            if let Err(e) = store.write(move |ctx| me.escalate_overdue(ctx)).await {
                tracing::error!(error = %e, "alarm escalation failed");
            }
            // Its own transaction: a failed move leaves the fixes where they are, to move next
            // second.
            if store.leader().is_none() {
                continue;
            }
            if let Err(e) = store.move_recent_positions().await {
                tracing::error!(error = %e, "moving received fixes into the history failed");
            }
        }
    }
}

/// Alarms of either domain that nobody took within the target escalate to the supervisors (27.9):
/// marked once, and the change reaches every console on the live feed.
fn escalate(ctx: &mut WriteCtx<'_>, target: chrono::Duration, tz: chrono_tz::Tz) -> Result<(), StoreError> {
    // A second of slack for SQLite's millisecond comparison; the exact check is below.
    let due = ts(ctx.now - target + chrono::Duration::seconds(1));
    for mut a in Store::unescalated_alarms_raised_before(ctx.conn, &due)? {
        if a.escalate_if_overdue(ctx.now, target) {
            tracing::warn!(alarm = %a.id, kind = ?a.kind, "alarm unclaimed past the response target; escalated");
            crate::notify::apply_rules(ctx, &mut a, Trigger::Escalated, tz);
            ctx.save(&a)?;
        }
    }
    Ok(())
}

fn apply(
    ctx: &mut WriteCtx<'_>,
    inner: &mut Inner,
    out: Vec<Output>,
    tz: chrono_tz::Tz,
) -> Result<(), StoreError> {
    for o in out {
        match o {
            Output::Raise { key, since } => {
                inner.raised += 1;
                match standing(ctx, inner, &key)? {
                    Some(mut a) => {
                        a.count += 1;
                        a.cleared_at = None;
                        ctx.save(&a)?;
                    }
                    None => {
                        let mut a = Alarm::new(key.kind, key.subject, key.zone_id, since, ctx.now);
                        a.other_person = key.other;
                        inner.open.insert(key, a.id);
                        crate::notify::apply_rules(ctx, &mut a, Trigger::Raised, tz);
                        ctx.save(&a)?;
                    }
                }
            }
            Output::Restore { key, at } => {
                if let Some(mut a) = standing(ctx, inner, &key)? {
                    if matches!(a.state, AlarmState::Open) {
                        a.restore(at).map_err(|e| StoreError::Conflict(e.to_string()))?;
                        inner.open.remove(&key);
                    } else {
                        a.cleared_at = Some(at);
                    }
                    ctx.save(&a)?;
                }
            }
            Output::Late { subject, summary } => {
                let key = AlarmKey::new(AlarmKind::LateData, subject);
                match standing(ctx, inner, &key)? {
                    Some(mut a) => {
                        a.count += 1;
                        let merged = match a.late.take() {
                            Some(mut l) => {
                                l.points += summary.points;
                                l.first_fix = l.first_fix.min(summary.first_fix);
                                l.last_fix = l.last_fix.max(summary.last_fix);
                                l.episodes.extend(summary.episodes);
                                l
                            }
                            None => summary,
                        };
                        a.late = Some(merged);
                        ctx.save(&a)?;
                    }
                    None => {
                        let mut a =
                            Alarm::new(AlarmKind::LateData, subject, None, summary.first_fix, ctx.now);
                        a.late = Some(summary);
                        inner.open.insert(key, a.id);
                        crate::notify::apply_rules(ctx, &mut a, Trigger::Raised, tz);
                        ctx.save(&a)?;
                    }
                }
            }
        }
    }
    Ok(())
}

/// Save what the detectors changed in this job, in its transaction: the state a restart needs is
/// durable exactly when the data and alarms that produced it are (9.37). On the tick (`due`),
/// also the soft changes not saved for 30 s.
fn save_state(ctx: &mut WriteCtx<'_>, inner: &mut Inner, due: bool) -> Result<(), StoreError> {
    let records = inner.engine.take_state(due);
    ctx.save_detector_state(&records)
}

/// The active alarm for a key, if the one on record is still active.
fn standing(ctx: &WriteCtx<'_>, inner: &mut Inner, key: &AlarmKey) -> Result<Option<Alarm>, StoreError> {
    let Some(id) = inner.open.get(key) else { return Ok(None) };
    match Store::get::<Alarm>(ctx.conn, &id.to_string())? {
        Some(a) if a.is_active() => Ok(Some(a)),
        _ => {
            inner.open.remove(key);
            Ok(None)
        }
    }
}

/// The detector input for a stored (or GNSS-less) report.
pub fn sample_of(
    p: &Position,
    valid: bool,
    heartbeat: bool,
    signals: Vec<atalaia_core::detect::Signal>,
) -> Sample {
    Sample {
        device_id: p.device_id,
        fix_time: p.fix_time,
        recv_time: p.recv_time,
        at: valid.then_some(p.at),
        accuracy_m: p.accuracy_m,
        battery_pct: p.battery_pct,
        charging: p.charging,
        heartbeat,
        signals,
    }
}
