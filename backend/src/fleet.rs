//! SAMU alerts raised by the server: the TARM's prioritisation alert (RFS012), the primary
//! regulator's risk alert (RFS011), a call over time (RFS033) and the fleet controller's vehicle
//! alerts — a committed vehicle standing still (RFS009), a vehicle moving without a dispatch
//! (RFS010) — the last three checked once a second (the vehicles against the rules of
//! [`atalaia_core::samu::fleet::alerts`]) and restored when the condition clears.

use crate::server::AppState;
use crate::store::{Store, StoreError, WriteCtx};
use atalaia_core::alarm::{Alarm, AlarmKind, Subject};
use atalaia_core::notify::Trigger;
use atalaia_core::samu::fleet::{VehicleAlert, alerts};
use atalaia_core::samu::{Dispatch, Link, Occurrence, OccurrencePhase, Vehicle, VehicleStatus};
use std::collections::HashMap;
use std::time::Duration;

/// The active alarm of `kind` about `subject`, if any.
fn standing(ctx: &WriteCtx<'_>, kind: AlarmKind, subject: &Subject) -> Result<Option<Alarm>, StoreError> {
    Ok(Store::list_by::<Alarm>(ctx.conn, "active", "1")?
        .into_iter()
        .find(|a| a.kind == kind && &a.subject == subject))
}

/// Raise `kind` about `subject`; the notification rules apply. If it is already standing, it
/// counts once more, and one whose condition had cleared while an operator held it is armed
/// again (a second request for support is not swallowed by the first).
pub fn raise(
    ctx: &mut WriteCtx<'_>,
    kind: AlarmKind,
    subject: Subject,
    tz: chrono_tz::Tz,
) -> Result<Option<Alarm>, StoreError> {
    if let Some(mut a) = standing(ctx, kind, &subject)? {
        a.count += 1;
        a.cleared_at = None;
        ctx.save(&a)?;
        return Ok(None);
    }
    let mut a = Alarm::new(kind, subject, None, ctx.now, ctx.now);
    crate::notify::apply_rules(ctx, &mut a, Trigger::Raised, tz);
    ctx.save(&a)?;
    Ok(Some(a))
}

/// The condition behind `kind` about `subject` cleared: an alarm nobody took yet is restored;
/// one being handled stays with its operator, marked cleared.
pub fn clear(ctx: &mut WriteCtx<'_>, kind: AlarmKind, subject: &Subject) -> Result<(), StoreError> {
    if let Some(mut a) = standing(ctx, kind, subject)? {
        if matches!(a.state, atalaia_core::alarm::AlarmState::Open) {
            a.restore(ctx.now).map_err(|e| StoreError::Conflict(e.to_string()))?;
        } else if a.cleared_at.is_none() {
            a.cleared_at = Some(ctx.now);
        } else {
            return Ok(());
        }
        ctx.save(&a)?;
    }
    Ok(())
}

fn kind_of(alert: VehicleAlert) -> AlarmKind {
    match alert {
        VehicleAlert::Stationary => AlarmKind::VehicleStationary,
        VehicleAlert::MovingWithoutDispatch => AlarmKind::MovingWithoutDispatch,
    }
}

/// When a vehicle entered its status on its active dispatch (committed or en route).
fn status_since(d: &Dispatch) -> Option<chrono::DateTime<chrono::Utc>> {
    match d.status {
        VehicleStatus::Committed => Some(d.committed_at),
        VehicleStatus::EnRoute => d.times.en_route.or(Some(d.committed_at)),
        _ => d.times.on_scene.or(Some(d.committed_at)),
    }
}

/// What each watched condition was at the last check.
pub type Memory = HashMap<(AlarmKind, Subject), bool>;

/// Check every vehicle once: raise the alerts that hold, clear the ones that no longer do. The
/// reading is done on a read connection; only changes go through the writer.
pub async fn check(state: &AppState, memory: &mut Memory) -> Result<(), StoreError> {
    let rules = state.config.watch_rules();
    let tz = state.config.timezone;
    let now = state.clock.now();
    let (vehicles, dispatches, open, occurrences) = state
        .store
        .read(|c| {
            let v = Store::list::<Vehicle>(c)?;
            let d = Store::list_by::<Dispatch>(c, "active", "1")?;
            let a = Store::list_by::<Alarm>(c, "active", "1")?;
            let o = Store::list_by::<Occurrence>(c, "open", "1")?;
            Ok((v, d, a, o))
        })
        .await?;
    let mut on_dispatch: HashMap<_, &Dispatch> = HashMap::new();
    for d in &dispatches {
        // The vehicle works its dispatches in order: the oldest active one is the current.
        let e = on_dispatch.entry(d.vehicle_id).or_insert(d);
        if d.committed_at < e.committed_at {
            *e = d;
        }
    }
    // Which conditions hold now.
    let mut now_holding: HashMap<(AlarmKind, Subject), bool> = HashMap::new();
    for v in &vehicles {
        let since = on_dispatch.get(&v.id).and_then(|d| status_since(d));
        let holding = alerts(v, since, now, &rules);
        for alert in [VehicleAlert::Stationary, VehicleAlert::MovingWithoutDispatch] {
            now_holding.insert((kind_of(alert), Subject::Vehicle(v.id)), holding.contains(&alert));
        }
    }
    // A call still with the TARM past the over-time threshold (RFS033); its alert ends with the
    // hand-off or the closure.
    let overtime = chrono::Duration::seconds(state.config.samu_call_overtime_s);
    for o in &occurrences {
        let over =
            o.phase == OccurrencePhase::Intake && now - o.call_started_at.unwrap_or(o.created_at) >= overtime;
        now_holding.insert((AlarmKind::CallOverTime, Subject::Occurrence(o.id)), over);
    }
    for a in &open {
        if a.kind == AlarmKind::CallOverTime {
            now_holding.entry((a.kind, a.subject)).or_insert(false);
        }
    }
    // Raised when a condition starts, cleared when it ends: an alarm an operator closed while
    // its condition still holds is not raised again until the condition has ended once. What
    // held is remembered between checks; at start, an alarm standing uncleared says it held.
    memory.retain(|key, _| now_holding.contains_key(key));
    let mut changes: Vec<(AlarmKind, Subject, bool)> = Vec::new();
    for (key, holds) in &now_holding {
        let held = *memory.entry(*key).or_insert_with(|| {
            open.iter().any(|a| a.kind == key.0 && a.subject == key.1 && a.cleared_at.is_none())
        });
        if *holds != held {
            changes.push((key.0, key.1, *holds));
        }
    }
    // A vehicle unit silent for longer than a fix is fresh has lost its link (RFS051); the next
    // fix brings it back.
    let silent: Vec<_> = vehicles
        .iter()
        .filter(|v| v.telemetry.link != Link::Offline)
        .filter(|v| v.telemetry.fix_time.is_some_and(|f| (now - f).num_seconds() > rules.fresh_s))
        .map(|v| (v.id, v.telemetry.fix_time))
        .collect();
    if changes.is_empty() && silent.is_empty() {
        return Ok(());
    }
    // Remembered once written: a failed write is tried again at the next check.
    let applied: Vec<_> = changes.iter().map(|&(kind, subject, holds)| ((kind, subject), holds)).collect();
    state
        .store
        .write(move |ctx| {
            for (kind, subject, holds) in changes {
                if holds {
                    raise(ctx, kind, subject, tz)?;
                } else {
                    clear(ctx, kind, &subject)?;
                }
            }
            for (id, fix_time) in silent {
                let mut v: Vehicle = Store::get_required(ctx.conn, &id.to_string())?;
                // Unless a fix arrived in the meantime.
                if v.telemetry.fix_time == fix_time && v.telemetry.link != Link::Offline {
                    v.telemetry.link = Link::Offline;
                    v.updated_at = ctx.now;
                    ctx.save(&v)?;
                }
            }
            Ok(())
        })
        .await?;
    memory.extend(applied);
    Ok(())
}

/// Check the fleet every second until the server stops.
pub async fn run(state: AppState, stopping: tokio::sync::watch::Receiver<bool>) {
    let stop = crate::server::until_stopping(stopping);
    tokio::pin!(stop);
    let mut tick = tokio::time::interval(Duration::from_secs(1));
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    let mut memory = Memory::new();
    loop {
        tokio::select! {
            _ = tick.tick() => {}
            () = &mut stop => return,
        }
        // Of a cluster, only the leader checks (`store::leader`).
        if state.store.leader().is_none() {
            continue;
        }
        if let Err(e) = check(&state, &mut memory).await {
            tracing::warn!(error = %e, "fleet check failed");
        }
    }
}
