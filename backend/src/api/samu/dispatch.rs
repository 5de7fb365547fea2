//! Dispatch ("empenho", RFS054, RFS062) and the crew's side of it (RFS015, RFS017, RFS018,
//! RFS055, RFS061, RFS136): the fleet controller commits vehicles to an occurrence — several,
//! or one replacing another (a USB replaced by a USA) — and the crew confirms receipt and
//! reports each phase, whose time the server stamps.

use super::super::{Body, Caller, Params, created, parse_id};
use crate::error::{ApiError, ApiResult};
use crate::server::AppState;
use crate::store::{Actor, Store, StoreError, WriteCtx};
use atalaia_core::auth::Permission;
use atalaia_core::ids::{DispatchId, OccurrenceId, VehicleId};
use atalaia_core::samu::fleet::{Reported, note_reported, recommend, stamp, transition_allowed};
use atalaia_core::samu::{
    Dispatch, DispatchEnd, Occurrence, OccurrencePhase, PhaseTimes, StretcherRetention, Vehicle,
    VehicleStatus,
};
use atalaia_core::text::{vehicle_kind, vehicle_status};
use atalaia_core::wire::{Assignment, DispatchStatusChange, NewDispatch, Problem};
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::Deserialize;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/dispatches", get(list_dispatches).post(create_dispatch))
        .route("/dispatches/{id}/ack", post(acknowledge))
        .route("/dispatches/{id}/status", post(set_status))
        .route("/vehicles/{id}/assignments", get(assignments))
}

/// End a dispatch and free its vehicle (returning to base), unless the vehicle is also on
/// another active dispatch (RFS062), which it then continues.
pub fn release(ctx: &mut WriteCtx<'_>, mut d: Dispatch, actor: &Actor) -> Result<Dispatch, StoreError> {
    d.active = false;
    d.ended.get_or_insert(DispatchEnd::Released);
    stamp(&mut d.times, VehicleStatus::Returning, ctx.now);
    ctx.save(&d)?;
    let mut v: Vehicle = Store::get_required(ctx.conn, &d.vehicle_id.to_string())?;
    let other = Store::list_by::<Dispatch>(ctx.conn, "vehicle_id", &v.id.to_string())?
        .into_iter()
        .filter(|o| o.active && o.id != d.id)
        .min_by_key(|o| o.committed_at);
    // A vehicle whose stretcher is held stays unavailable until the stretcher is back (reported
    // on the vehicle: stretcher retained → returning).
    v.status = match other {
        Some(o) => o.status,
        None if d.status == VehicleStatus::StretcherRetained => VehicleStatus::StretcherRetained,
        None => VehicleStatus::Returning,
    };
    v.updated_at = ctx.now;
    ctx.save(&v)?;
    ctx.audit(actor, "dispatch.release", &d.id.to_string(), &format!("{} {:?}", v.code, d.ended))?;
    Ok(d)
}

/// Commit a vehicle to an occurrence. The vehicle must be free (RFS119) unless `additional`
/// (RFS062), of the type the regulator chose, and the occurrence under regulation or already
/// dispatched. `replaces` ends an earlier dispatch of the same occurrence and frees its
/// vehicle (RFS054). Replaying the same id returns the stored dispatch.
#[utoipa::path(post, path = "/api/v1/dispatches", tag = "samu", request_body = NewDispatch,
    responses((status = 201, body = Dispatch), (status = 200, body = Dispatch, description = "replay of an id already stored"),
        (status = 404, body = Problem, description = "the occurrence or the vehicle named does not exist"),
        (status = 409, body = Problem)), security(("bearer" = [])))]
pub async fn create_dispatch(
    State(state): State<AppState>,
    caller: Caller,
    Body(new): Body<NewDispatch>,
) -> ApiResult<(StatusCode, Json<Dispatch>)> {
    caller.require(Permission::OccurrenceDispatch)?;
    let actor = caller.actor();
    let user = caller.user.id;
    let (fresh, d) = state
        .store
        .write(move |ctx| {
            if let Some(stored) = Store::existing::<Dispatch, _>(ctx.conn, new.id)? {
                if stored.occurrence_id != new.occurrence_id || stored.vehicle_id != new.vehicle_id {
                    return Err(StoreError::Conflict(
                        "Já existe outro empenho com este identificador.".into(),
                    ));
                }
                return Ok((false, stored));
            }
            let mut o: Occurrence = Store::get_required(ctx.conn, &new.occurrence_id.to_string())?;
            let mut v: Vehicle = Store::get_required(ctx.conn, &new.vehicle_id.to_string())?;
            match o.phase {
                OccurrencePhase::Regulation | OccurrencePhase::Dispatched => {}
                OccurrencePhase::Intake => {
                    return Err(StoreError::Conflict(format!(
                        "A ocorrência {} ainda não passou pela regulação médica.",
                        o.number
                    )));
                }
                OccurrencePhase::Closed => {
                    return Err(StoreError::Conflict(format!("A ocorrência {} está encerrada.", o.number)));
                }
            }
            if o.ambulance_needed == Some(false) {
                return Err(StoreError::Conflict(format!(
                    "A regulação da ocorrência {} não indicou envio de viatura.",
                    o.number
                )));
            }
            if let Some(kind) = o.resource
                && kind != v.kind
            {
                return Err(StoreError::Conflict(format!(
                    "O regulador definiu {} para a ocorrência {}; a viatura {} é {}.",
                    vehicle_kind(kind),
                    o.number,
                    v.code,
                    vehicle_kind(v.kind)
                )));
            }
            let existing = Store::list_by::<Dispatch>(ctx.conn, "occurrence_id", &o.id.to_string())?;
            if existing.iter().any(|d| d.active && d.vehicle_id == v.id) {
                return Err(StoreError::Conflict(format!(
                    "A viatura {} já está empenhada nesta ocorrência.",
                    v.code
                )));
            }
            let busy = !v.status.is_free();
            if v.status == VehicleStatus::Maintenance || (busy && !new.additional) {
                return Err(StoreError::Conflict(format!(
                    "A viatura {} está \"{}\": escolha uma viatura livre{}.",
                    v.code,
                    vehicle_status(v.status),
                    if v.status == VehicleStatus::Maintenance {
                        ""
                    } else {
                        " ou confirme o empenho adicional"
                    }
                )));
            }
            let replaced = match new.replaces {
                Some(r) => match existing.iter().find(|d| d.id == r && d.active) {
                    Some(d) => Some(d.clone()),
                    None => {
                        return Err(StoreError::Conflict(
                            "O empenho a substituir não está ativo nesta ocorrência.".into(),
                        ));
                    }
                },
                None => None,
            };
            let eta_s = o
                .location
                .and_then(|at| recommend(std::slice::from_ref(&v), at, None).first().map(|c| c.eta_s));
            let d = Dispatch {
                id: new.id.unwrap_or_default(),
                occurrence_id: o.id,
                vehicle_id: v.id,
                vehicle_code: v.code.clone(),
                committed_at: ctx.now,
                committed_by: user,
                active: true,
                status: VehicleStatus::Committed,
                additional: busy,
                times: PhaseTimes::default(),
                stretcher: None,
                ended: None,
                eta_s,
                reported: PhaseTimes::default(),
            };
            if let Some(mut r) = replaced {
                r.ended = Some(DispatchEnd::Replaced { by: d.id });
                release(ctx, r, &actor)?;
            }
            // A vehicle already on another occurrence (RFS062) keeps the status of that one, which
            // it is still working on, until it is released from it.
            if !busy {
                v.status = VehicleStatus::Committed;
                v.updated_at = ctx.now;
                ctx.save(&v)?;
            }
            o.phase = OccurrencePhase::Dispatched;
            o.updated_at = ctx.now;
            // The dispatch first: a crew's feed takes the occurrence in once its vehicle is on it.
            ctx.save(&d)?;
            ctx.save(&o)?;
            ctx.audit(&actor, "dispatch.create", &d.id.to_string(), &format!("{} -> {}", v.code, o.number))?;
            Ok((true, d))
        })
        .await?;
    Ok(created(fresh, d))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct DispatchQuery {
    pub occurrence_id: Option<OccurrenceId>,
    pub vehicle_id: Option<VehicleId>,
}

/// Dispatches of an occurrence or a vehicle (all of them, ended ones included), or all active
/// ones.
#[utoipa::path(get, path = "/api/v1/dispatches", tag = "samu", params(DispatchQuery),
    responses((status = 200, body = [Dispatch]), (status = 403, body = Problem)), security(("bearer" = [])))]
pub async fn list_dispatches(
    State(state): State<AppState>,
    caller: Caller,
    Params(q): Params<DispatchQuery>,
) -> ApiResult<Json<Vec<Dispatch>>> {
    caller.require(Permission::OccurrenceRead)?;
    let who = caller.user.clone();
    let list = state
        .store
        .read(move |c| {
            let mut list: Vec<Dispatch> = match (q.occurrence_id, q.vehicle_id) {
                (Some(o), v) => Store::list_by::<Dispatch>(c, "occurrence_id", &o.to_string())?
                    .into_iter()
                    .filter(|d| v.is_none_or(|v| d.vehicle_id == v))
                    .collect(),
                (None, Some(v)) => Store::list_by::<Dispatch>(c, "vehicle_id", &v.to_string())?,
                (None, None) => Store::list_by::<Dispatch>(c, "active", "1")?,
            };
            // A crew: its own vehicle's dispatches and the others on its occurrences (issue 23).
            if let Some(scope) = super::crew::crew_scope(c, &who)? {
                list.retain(|d| scope.dispatch(d));
            }
            Ok(list)
        })
        .await?;
    Ok(Json(list))
}

/// What the crew of a vehicle is assigned to: its active dispatches with the occurrence —
/// address, victims, clinical data, the regulators' record, conduct and destination (RFS017,
/// RFS018, RFS136). The same reaches the tablet on the live feed as dispatch and occurrence
/// events.
#[utoipa::path(get, path = "/api/v1/vehicles/{id}/assignments", tag = "samu", params(("id" = atalaia_core::ids::VehicleId, Path)),
    responses((status = 200, body = [Assignment]), (status = 404, body = Problem)), security(("bearer" = [])))]
pub async fn assignments(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> ApiResult<Json<Vec<Assignment>>> {
    caller.require(Permission::OccurrenceRead)?;
    let id: VehicleId = parse_id(&id, "Viatura")?;
    let who = caller.user.clone();
    let list = state
        .store
        .read(move |c| {
            Store::get_required::<Vehicle>(c, &id.to_string())?;
            // A crew reads its own vehicle's assignments only (issue 23).
            super::crew::crew_on_vehicle(c, &who, id)?;
            let mut out = Vec::new();
            for d in Store::list_by::<Dispatch>(c, "vehicle_id", &id.to_string())? {
                if d.active {
                    let occurrence = Store::get_required::<Occurrence>(c, &d.occurrence_id.to_string())?;
                    out.push(Assignment { dispatch: d, occurrence });
                }
            }
            Ok(out)
        })
        .await?;
    Ok(Json(list))
}

/// The crew confirms it received the assignment (RFS015); the time is the server's.
#[utoipa::path(post, path = "/api/v1/dispatches/{id}/ack", tag = "samu", params(("id" = atalaia_core::ids::DispatchId, Path), Observed),
    responses((status = 200, body = Dispatch), (status = 409, body = Problem)), security(("bearer" = [])))]
pub async fn acknowledge(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    Params(q): Params<Observed>,
) -> ApiResult<Json<Dispatch>> {
    caller.require(Permission::CrewAct)?;
    let id: DispatchId = parse_id(&id, "Empenho")?;
    let actor = caller.actor();
    let who = caller.user.clone();
    let d = state
        .store
        .write(move |ctx| {
            let mut d: Dispatch = Store::get_required(ctx.conn, &id.to_string())?;
            super::crew::crew_on_vehicle(ctx.conn, &who, d.vehicle_id)?;
            if !d.active {
                return Err(StoreError::Conflict("Este empenho já foi encerrado.".into()));
            }
            if d.times.acknowledged.is_none() {
                d.times.acknowledged = Some(ctx.now);
                if let Some(at) = q.observed_at {
                    note_reported(&mut d.reported, Reported::Receipt, at, ctx.now, d.committed_at);
                }
                ctx.save(&d)?;
                ctx.audit(&actor, "dispatch.ack", &d.id.to_string(), &d.vehicle_code)?;
            }
            Ok(d)
        })
        .await?;
    Ok(Json(d))
}

/// When the crew's tablet made a report it sends only now (it was without signal): an
/// RFC 3339 time, kept beside the server's stamp when the report is late (RFS015).
#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct Observed {
    pub observed_at: Option<chrono::DateTime<chrono::Utc>>,
}

/// A phase of the dispatch reported by the crew or the fleet controller: en route, on scene,
/// transporting, at destination, stretcher retained (unit and reason, RFS061), returning. The
/// server stamps the time (RFS015, RFS055) and moves the vehicle with it; returning releases
/// the vehicle from this occurrence.
#[utoipa::path(post, path = "/api/v1/dispatches/{id}/status", tag = "samu", params(("id" = atalaia_core::ids::DispatchId, Path), Observed),
    request_body = DispatchStatusChange, responses((status = 200, body = Dispatch), (status = 409, body = Problem), (status = 422, body = Problem)),
    security(("bearer" = [])))]
pub async fn set_status(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    Params(q): Params<Observed>,
    Body(change): Body<DispatchStatusChange>,
) -> ApiResult<Json<Dispatch>> {
    if !caller.can(Permission::CrewAct) && !caller.can(Permission::OccurrenceDispatch) {
        return Err(ApiError::Forbidden);
    }
    if change.status == VehicleStatus::StretcherRetained {
        let mut errors = Vec::new();
        if change.unit.trim().is_empty() {
            errors.push(atalaia_core::wire::FieldError::new("unit", "Informe a unidade que reteve a maca."));
        }
        if change.reason.trim().is_empty() {
            errors
                .push(atalaia_core::wire::FieldError::new("reason", "Informe o motivo da retenção da maca."));
        }
        if !errors.is_empty() {
            return Err(ApiError::Validation(errors));
        }
    }
    let id: DispatchId = parse_id(&id, "Empenho")?;
    let actor = caller.actor();
    let user = caller.user.id;
    let who = caller.user.clone();
    let d = state
        .store
        .write(move |ctx| {
            let mut d: Dispatch = Store::get_required(ctx.conn, &id.to_string())?;
            super::crew::crew_on_vehicle(ctx.conn, &who, d.vehicle_id)?;
            if !d.active {
                return Err(StoreError::Conflict("Este empenho já foi encerrado.".into()));
            }
            let to = match change.status {
                // Available after a dispatch means released: returning.
                VehicleStatus::Available => VehicleStatus::Returning,
                s => s,
            };
            if !transition_allowed(d.status, to) {
                return Err(StoreError::Conflict(format!(
                    "A viatura {} está \"{}\" neste empenho e não pode passar para \"{}\".",
                    d.vehicle_code,
                    vehicle_status(d.status),
                    vehicle_status(to)
                )));
            }
            let from = d.status;
            d.status = to;
            stamp(&mut d.times, to, ctx.now);
            if let Some(at) = q.observed_at {
                note_reported(&mut d.reported, Reported::Status(to), at, ctx.now, d.committed_at);
            }
            if to == VehicleStatus::StretcherRetained {
                d.stretcher = Some(StretcherRetention {
                    unit: change.unit.trim().to_owned(),
                    reason: change.reason.trim().to_owned(),
                    by: user,
                    at: ctx.now,
                });
            }
            ctx.audit(&actor, "dispatch.status", &d.id.to_string(), &format!("{from:?} -> {to:?}"))?;
            if to == VehicleStatus::Returning {
                if from == VehicleStatus::Committed || from == VehicleStatus::EnRoute {
                    d.ended = Some(DispatchEnd::Cancelled { reason: change.reason.trim().to_owned() });
                }
                return release(ctx, d, &actor);
            }
            ctx.save(&d)?;
            // The vehicle shows the status of the occurrence it has been on longest (RFS062: an
            // additional one waits its turn).
            let first = Store::list_by::<Dispatch>(ctx.conn, "vehicle_id", &d.vehicle_id.to_string())?
                .into_iter()
                .filter(|x| x.active)
                .min_by_key(|x| x.committed_at);
            if first.is_none_or(|f| f.id == d.id) {
                let mut v: Vehicle = Store::get_required(ctx.conn, &d.vehicle_id.to_string())?;
                v.status = to;
                v.updated_at = ctx.now;
                ctx.save(&v)?;
            }
            Ok(d)
        })
        .await?;
    Ok(Json(d))
}
