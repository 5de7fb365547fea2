//! The live feed at `/api/v1/live`: a snapshot consistent as of some `seq`, then every later
//! event the caller may see, in `seq` order. `?since=SEQ` resumes without a snapshot when the log
//! still holds the gap. A subscriber that falls too far behind is resynchronised with a fresh
//! snapshot rather than allowed to hold the others back.

use crate::api::reach::Scope;
use crate::auth::AuthUser;
use crate::server::AppState;
use crate::store::{Store, StoreError};
use atalaia_core::alarm::Alarm;
use atalaia_core::auth::Permission;
use atalaia_core::monitoring::reach::Reach;
use atalaia_core::monitoring::{Device, Person, Zone};
use atalaia_core::samu::crew_scope::CrewScope;
use atalaia_core::samu::{Occurrence, OccurrencePhase, Vehicle};
use atalaia_core::wire::{EventBody, LiveEvent, LiveMessage, Problem, Snapshot};
use axum::extract::State;
use axum::extract::ws::{CloseFrame, Message, WebSocket, WebSocketUpgrade, close_code};
use axum::response::Response;
use chrono::Duration;
use serde::Deserialize;
use tokio::sync::broadcast::error::RecvError;

/// Beyond this many missed events a resume falls back to a snapshot.
const MAX_RESUME: usize = 5000;
/// How often an open feed re-checks its session.
const SESSION_RECHECK: std::time::Duration = std::time::Duration::from_secs(5);

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct LiveQuery {
    /// The last `seq` this console applied: the feed resumes after it.
    #[serde(default, deserialize_with = "atalaia_core::wire::int64::optional")]
    pub since: Option<u64>,
    /// The database `since` belongs to (the `instance` of the snapshot the console started
    /// from); another database's `seq` means nothing here, so the console gets a snapshot.
    pub instance: Option<String>,
}

/// The live feed: a WebSocket of `LiveMessage` frames — a snapshot, then every event in `seq`
/// order; `since` resumes after what the console already has. A browser, which cannot set a
/// header on a WebSocket, may pass its session as `?token=` here and only here.
#[utoipa::path(get, path = "/api/v1/live", tag = "system",
    params(LiveQuery, ("token" = Option<String>, Query, description = "The session token, for a browser that cannot send the Authorization header")),
    responses((status = 101, description = "Switching to a WebSocket of LiveMessage frames"),
        (status = 400, description = "Not a WebSocket upgrade request", body = Problem)),
    security(("bearer" = [])))]
pub async fn handler(
    State(state): State<AppState>,
    caller: AuthUser,
    crate::api::Params(q): crate::api::Params<LiveQuery>,
    ws: WebSocketUpgrade,
) -> Response {
    ws.on_upgrade(move |socket| async move {
        if let Err(e) = run(socket, state, caller, q.since, q.instance).await {
            tracing::debug!(error = %e, "live subscriber ended");
        }
    })
}

#[derive(Debug, thiserror::Error)]
enum LiveError {
    #[error("socket: {0}")]
    Socket(#[from] axum::Error),
    #[error("store: {0}")]
    Store(#[from] StoreError),
    #[error("json: {0}")]
    Json(#[from] serde_json::Error),
}

async fn send(socket: &mut WebSocket, msg: &LiveMessage) -> Result<(), LiveError> {
    let text = serde_json::to_string(msg)?;
    socket.send(Message::Text(text.into())).await?;
    Ok(())
}

async fn run(
    mut socket: WebSocket,
    state: AppState,
    caller: AuthUser,
    since: Option<u64>,
    instance: Option<String>,
) -> Result<(), LiveError> {
    // Subscribe before reading so nothing committed in between is missed; duplicates are skipped by seq.
    let mut rx = state.store.subscribe();
    // What a unit reaches (RFS177) or a crew sees (issue 23), kept current by the events.
    let mut scope = Scope::default();
    let mut last = match since {
        Some(since) => {
            let user = caller.user.clone();
            let (head, gap, ours, now_scope) = state
                .store
                .read(move |c| {
                    Ok((
                        Store::head_seq(c)?,
                        Store::events_since(c, since, MAX_RESUME + 1)?,
                        Store::instance(c)?,
                        Scope::load(c, &user)?,
                    ))
                })
                .await?;
            scope = now_scope;
            // A resume point beyond our log (restored backup, replica behind) or from another
            // database cannot be trusted: skipping by it would silently drop events.
            let foreign = instance.is_some_and(|i| i != ours);
            // A scoped subscriber (a unit, a crew) starts from a snapshot: the gap's events would
            // be judged by today's scope, and one that moved something out of it would be lost.
            let scoped = scope.reach.is_some() || scope.crew.is_some();
            if foreign || scoped || since > head || gap.len() > MAX_RESUME {
                send_snapshot(&mut socket, &state, &caller, &mut scope).await?
            } else {
                let mut last = since;
                for e in gap {
                    last = e.seq;
                    if passes(&caller, &mut scope, &e.body) {
                        send(&mut socket, &LiveMessage::Event(e)).await?;
                    }
                }
                last
            }
        }
        None => send_snapshot(&mut socket, &state, &caller, &mut scope).await?,
    };
    let stopping = crate::server::until_stopping(state.stopping.clone());
    tokio::pin!(stopping);
    let mut recheck = tokio::time::interval(SESSION_RECHECK);
    recheck.tick().await;
    loop {
        tokio::select! {
            _ = recheck.tick() => {
                // Logout, expiry, deactivation or a role change end the feed too, not just REST.
                if !caller.still_valid(&state).await {
                    let frame = CloseFrame { code: close_code::POLICY, reason: "sessão encerrada".into() };
                    let _ = socket.send(Message::Close(Some(frame))).await;
                    return Ok(());
                }
                // A crew signed in to another vehicle gets that vehicle's work from now on.
                if let Some(crew) = &scope.crew {
                    let (me, had) = (caller.user.id, crew.own_vehicle());
                    let now = state.store.read(move |c| crate::api::samu::crew::crew_vehicle(c, me)).await?;
                    if now != had {
                        last = send_snapshot(&mut socket, &state, &caller, &mut scope).await?;
                    }
                }
            }
            () = &mut stopping => {
                // Tell the console to reconnect (to this server when it is back, or another).
                let frame = CloseFrame { code: close_code::AWAY, reason: "servidor reiniciando".into() };
                let _ = socket.send(Message::Close(Some(frame))).await;
                return Ok(());
            }
            ev = rx.recv() => match ev {
                Ok(e) => {
                    if e.seq <= last {
                        continue;
                    }
                    last = e.seq;
                    if passes(&caller, &mut scope, &e.body) {
                        send(&mut socket, &LiveMessage::Event(LiveEvent::clone(&e))).await?;
                    }
                }
                Err(RecvError::Lagged(n)) => {
                    tracing::warn!(user = %caller.user.username, missed = n, "live subscriber lagging; resynchronising");
                    last = send_snapshot(&mut socket, &state, &caller, &mut scope).await?;
                }
                Err(RecvError::Closed) => return Ok(()),
            },
            incoming = socket.recv() => match incoming {
                None | Some(Err(_)) | Some(Ok(Message::Close(_))) => return Ok(()),
                Some(Ok(_)) => {}
            },
        }
    }
}

/// Whether the subscriber gets this event: the profile's permission, and the subscriber's scope
/// (a unit's people, a crew's vehicle), which learns from every event — even one the profile does
/// not stream — so it stays current.
fn passes(caller: &AuthUser, scope: &mut Scope, body: &EventBody) -> bool {
    let within = scope.sees(body);
    within && caller.can(body.read_permission())
}

/// Sends a snapshot, and starts the subscriber's scope afresh as of it.
async fn send_snapshot(
    socket: &mut WebSocket,
    state: &AppState,
    caller: &AuthUser,
    scope: &mut Scope,
) -> Result<u64, LiveError> {
    let user = caller.user.clone();
    let now = state.clock.now();
    let (snap, now_scope) = state.store.read(move |c| build_snapshot(c, now, &user)).await?;
    *scope = now_scope;
    let seq = snap.seq;
    send(socket, &LiveMessage::Snapshot(snap)).await?;
    Ok(seq)
}

/// The state a subscriber may see, read in one transaction so it is consistent as of `seq`,
/// with the user's scope as of then: a unit's people (RFS177), a crew's vehicle and
/// occurrences (issue 23); empty for the central.
pub(crate) fn build_snapshot(
    c: crate::store::db::Db<'_>,
    now: chrono::DateTime<chrono::Utc>,
    user: &atalaia_core::wire::UserInfo,
) -> Result<(Snapshot, Scope), StoreError> {
    c.consistent(|tx| snapshot_as_of(tx, now, user))
}

fn snapshot_as_of(
    tx: crate::store::db::Db<'_>,
    now: chrono::DateTime<chrono::Utc>,
    user: &atalaia_core::wire::UserInfo,
) -> Result<(Snapshot, Scope), StoreError> {
    let can = |p: Permission| user.can(p);
    let mut scope = Scope::load(tx, user)?;
    let seq = Store::head_seq(tx)?;
    let mut snap = Snapshot { seq, instance: Store::instance(tx)?, ..Snapshot::default() };
    let recent = now - Duration::hours(24);
    let (within, crew) = (scope.reach.clone(), scope.crew.clone());
    let keeps = |e: &dyn Fn(&Reach) -> bool| within.as_ref().is_none_or(e);
    let crews = |e: &dyn Fn(&CrewScope) -> bool| crew.as_ref().is_none_or(e);
    if can(Permission::OccurrenceRead) {
        snap.occurrences = Store::list::<Occurrence>(tx)?
            .into_iter()
            .filter(|o| o.phase != OccurrencePhase::Closed || o.updated_at > recent)
            .filter(|o| crews(&|c| c.occurrence(o.id)))
            .collect();
    }
    if can(Permission::VehicleRead) {
        snap.vehicles = Store::list::<Vehicle>(tx)?;
        snap.vehicles.retain(|v| crews(&|c| c.vehicle(v.id)));
    }
    if can(Permission::OccurrenceRead) {
        snap.dispatches = Store::list_by::<atalaia_core::samu::Dispatch>(tx, "active", "1")?;
        snap.dispatches.retain(|d| crews(&|c| c.dispatch(d)));
    }
    if can(Permission::PersonRead) {
        snap.persons = Store::list::<Person>(tx)?;
        snap.persons.retain(|p| keeps(&|r| r.person(p.id)));
    }
    // Read once: the reach remembers whose each zone is, the subscriber gets those it reaches.
    if scope.reach.is_some() || can(Permission::ZoneRead) {
        let zones = Store::list::<Zone>(tx)?;
        if let Some(r) = scope.reach.as_mut() {
            r.remember_zones(&zones);
        }
        if can(Permission::ZoneRead) {
            snap.zones = zones;
            snap.zones.retain(|z| keeps(&|r| r.zone(z)));
        }
    }
    snap.positions = Store::last_positions(tx)?
        .into_iter()
        .filter(|p| {
            can(EventBody::Position(p.clone()).read_permission())
                && keeps(&|r| r.position(p))
                && crews(&|c| p.vehicle_id.is_some_and(|v| c.vehicle(v)))
        })
        .collect();
    if can(Permission::DeviceRead) {
        let mut devices = Store::list::<Device>(tx)?;
        devices.retain(|d| keeps(&|r| r.device(d)));
        let last: std::collections::HashMap<_, _> = snap.positions.iter().map(|p| (p.device_id, p)).collect();
        for d in &mut devices {
            // The newest of the last fix and the record (a heartbeat or a report without a fix
            // after the fix saved its contact and battery there, III-2.16).
            if let Some(p) = last.get(&d.id)
                && d.last_contact.is_none_or(|t| t < p.recv_time)
            {
                d.last_contact = Some(p.recv_time);
                d.battery_pct = p.battery_pct.or(d.battery_pct);
            }
        }
        snap.devices = devices;
    }
    snap.alarms = Store::list_by::<Alarm>(tx, "active", "1")?
        .into_iter()
        .filter(|a| {
            // The reach remembers the alarms it passes: their notifications follow them.
            can(EventBody::Alarm(a.clone()).read_permission())
                && scope.crew.as_mut().is_none_or(|c| c.pass_alarm(a))
                && scope.reach.as_mut().is_none_or(|r| r.pass_alarm(a))
        })
        .collect();
    Ok((snap, scope))
}
