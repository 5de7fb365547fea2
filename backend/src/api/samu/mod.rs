//! SAMU resources: call intake (RFS182, RFS184–RFS186, RFS003, RFS007, RFS012, RFS029), medical
//! regulation (RFS124–RFS133), the regulation panel with the nearest vehicles (TDC-PROC 4,
//! RFS050, RFS119), vehicles (RFS051) and — in [`dispatch`] — dispatches and the crew's side.

pub mod crew;
pub mod crew_seat;
pub mod dispatch;
pub mod regulation;

use super::Params;
use super::{Body, Caller, check, created, parse_id};
use crate::error::{ApiError, ApiResult};
use crate::server::AppState;
use crate::store::{Store, StoreError};
use atalaia_core::alarm::{AlarmKind, Subject};
use atalaia_core::auth::Permission;
use atalaia_core::ids::{OccurrenceId, VehicleId};
use atalaia_core::samu::fleet::transition_allowed;
use atalaia_core::samu::intake::IntakeRules;
use atalaia_core::samu::{
    CallType, Closure, Dispatch, IntakeAlert, Occurrence, OccurrencePhase, Telemetry, Vehicle, VehicleStatus,
};
use atalaia_core::wire::{NewOccurrence, NewVehicle, Problem, Reason, VehicleStatusChange};
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::routing::{get, post};
use axum::{Json, Router};
use chrono::Datelike;
use serde::Deserialize;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/occurrences", get(list_occurrences).post(create_occurrence))
        .route("/occurrences/{id}", get(get_occurrence))
        .route("/occurrences/{id}/handoff", post(hand_off))
        .route("/occurrences/{id}/close", post(close))
        .route("/intake-rules", get(intake_rules))
        .route("/vehicles", get(list_vehicles).post(create_vehicle))
        .route("/vehicles/{id}", get(get_vehicle))
        .route("/vehicles/{id}/status", post(set_vehicle_status))
        .merge(regulation::router())
        .merge(dispatch::router())
        .merge(crew::router())
        .merge(crew_seat::router())
}

/// The alerts the TARM must see for this call (RFS003, RFS007).
fn intake_alerts(state: &AppState, phone: &str, municipality: &str) -> Vec<IntakeAlert> {
    state.config.intake_rules().alerts(phone, municipality)
}

/// The centre's intake rules, for the TARM's screen to apply while the call is typed (RFS003,
/// RFS007, RFS033).
#[utoipa::path(get, path = "/api/v1/intake-rules", tag = "samu",
    responses((status = 200, body = IntakeRules), (status = 403, body = Problem)), security(("bearer" = [])))]
pub async fn intake_rules(State(state): State<AppState>, caller: Caller) -> ApiResult<Json<IntakeRules>> {
    caller.require(Permission::OccurrenceRead)?;
    Ok(Json(state.config.intake_rules()))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct OccurrenceQuery {
    /// Caller number: earlier calls from it, newest first (RFS182).
    pub phone: Option<String>,
}

#[utoipa::path(get, path = "/api/v1/occurrences", tag = "samu", params(OccurrenceQuery),
    responses((status = 200, body = [Occurrence]), (status = 403, body = Problem)), security(("bearer" = [])))]
pub async fn list_occurrences(
    State(state): State<AppState>,
    caller: Caller,
    Params(q): Params<OccurrenceQuery>,
) -> ApiResult<Json<Vec<Occurrence>>> {
    caller.require(Permission::OccurrenceRead)?;
    let who = caller.user.clone();
    let mut list = state
        .store
        .read(move |c| {
            let mut list = match q.phone {
                Some(p) => {
                    let digits: String = p.chars().filter(char::is_ascii_digit).collect();
                    Store::list_by::<Occurrence>(c, "caller_phone", &digits)?
                }
                None => Store::list::<Occurrence>(c)?,
            };
            // A crew lists the occurrences it is dispatched to (issue 23).
            if let Some(scope) = crew::crew_scope(c, &who)? {
                list.retain(|o| scope.occurrence(o.id));
            }
            Ok(list)
        })
        .await?;
    list.sort_by_key(|o| std::cmp::Reverse(o.created_at));
    Ok(Json(list))
}

/// Register a call. Replaying the same client id returns the stored occurrence (200) instead of a
/// duplicate, so an offline console's outbox can resend safely.
#[utoipa::path(post, path = "/api/v1/occurrences", tag = "samu", request_body = NewOccurrence,
    responses((status = 201, body = Occurrence), (status = 200, body = Occurrence, description = "replay of an id already stored"),
        (status = 403, body = Problem), (status = 409, body = Problem, description = "the id names another occurrence"),
        (status = 422, body = Problem)), security(("bearer" = [])))]
pub async fn create_occurrence(
    State(state): State<AppState>,
    caller: Caller,
    Body(new): Body<NewOccurrence>,
) -> ApiResult<(StatusCode, Json<Occurrence>)> {
    caller.require(Permission::OccurrenceCreate)?;
    let actor = caller.actor();
    check(new.validate())?;
    let user = caller.user.id;
    let tz = state.config.timezone;
    let alerts = intake_alerts(&state, &new.caller_phone, &new.municipality);
    let (created, occ) = state
        .store
        .write(move |ctx| {
            if let Some(id) = new.id
                && let Some(existing) = Store::get::<Occurrence>(ctx.conn, &id.to_string())?
            {
                if existing.created_by == user {
                    return Ok((false, existing));
                }
                return Err(StoreError::Conflict(
                    "Já existe outra ocorrência com este identificador.".into(),
                ));
            }
            // The number follows the site's calendar: a call at 21:00 on 31 December in Porto
            // Velho belongs to the year that is ending there.
            let year = ctx.now.with_timezone(&tz).year();
            let n = Store::next_counter(ctx.conn, &format!("occurrence-{year}"))?;
            // Calls that are not a request for care are closed by the TARM at once (RFS185); a
            // care call waits in intake until the TARM hands it to the primary regulator, unless
            // it is handed off as it is registered (the console's form does both at once).
            let care = new.call_type == CallType::Atendimento;
            let phase = match (care, new.hand_off) {
                (false, _) => OccurrencePhase::Closed,
                (true, true) => OccurrencePhase::Regulation,
                (true, false) => OccurrencePhase::Intake,
            };
            let mut occ = Occurrence::new(
                new.id.unwrap_or_default(),
                format!("{year}-{n:06}"),
                new.call_type,
                new.caller_name.trim().to_owned(),
                new.caller_phone.trim().to_owned(),
                new.address.trim().to_owned(),
                new.municipality.trim().to_owned(),
                new.location,
                new.description.trim().to_owned(),
                phase,
                user,
                ctx.now,
            );
            occ.extra_phones = new.extra_phones.iter().map(|p| p.trim().to_owned()).collect();
            occ.victims = new.victims.into_iter().zip(1..).map(|(v, n)| v.into_victim(n)).collect();
            occ.alerts = alerts;
            occ.call_started_at = Some(new.call_started_at.filter(|t| *t <= ctx.now).unwrap_or(ctx.now));
            if phase == OccurrencePhase::Regulation {
                occ.handed_off_at = Some(ctx.now);
            }
            if phase == OccurrencePhase::Closed {
                occ.closure = Some(Closure {
                    at: ctx.now,
                    by: user,
                    reason: atalaia_core::text::call_type(new.call_type).into(),
                });
            }
            ctx.save(&occ)?;
            ctx.audit(&actor, "occurrence.create", &occ.id.to_string(), &occ.number)?;
            Ok((true, occ))
        })
        .await?;
    Ok((if created { StatusCode::CREATED } else { StatusCode::OK }, Json(occ)))
}

#[utoipa::path(get, path = "/api/v1/occurrences/{id}", tag = "samu", params(("id" = atalaia_core::ids::OccurrenceId, Path)),
    responses((status = 200, body = Occurrence), (status = 404, body = Problem)), security(("bearer" = [])))]
pub async fn get_occurrence(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> ApiResult<Json<Occurrence>> {
    caller.require(Permission::OccurrenceRead)?;
    let id: OccurrenceId = parse_id(&id, "Ocorrência")?;
    let who = caller.user.clone();
    Ok(Json(
        state
            .store
            .read(move |c| {
                let o = Store::get_required(c, &id.to_string())?;
                crew::crew_on_occurrence(c, &who, id)?;
                Ok(o)
            })
            .await?,
    ))
}

#[utoipa::path(get, path = "/api/v1/vehicles", tag = "samu",
    responses((status = 200, body = [Vehicle]), (status = 403, body = Problem)), security(("bearer" = [])))]
pub async fn list_vehicles(State(state): State<AppState>, caller: Caller) -> ApiResult<Json<Vec<Vehicle>>> {
    caller.require(Permission::VehicleRead)?;
    let who = caller.user.clone();
    Ok(Json(
        state
            .store
            .read(move |c| {
                let mut list = Store::list::<Vehicle>(c)?;
                // A crew sees its own vehicle (issue 23).
                if let Some(scope) = crew::crew_scope(c, &who)? {
                    list.retain(|v| scope.vehicle(v.id));
                }
                Ok(list)
            })
            .await?,
    ))
}

#[utoipa::path(post, path = "/api/v1/vehicles", tag = "samu", request_body = NewVehicle,
    responses((status = 201, body = Vehicle), (status = 200, body = Vehicle, description = "replay of an id already stored"),
        (status = 409, body = Problem), (status = 422, body = Problem)), security(("bearer" = [])))]
pub async fn create_vehicle(
    State(state): State<AppState>,
    caller: Caller,
    Body(new): Body<NewVehicle>,
) -> ApiResult<(StatusCode, Json<Vehicle>)> {
    caller.require(Permission::VehicleWrite)?;
    let actor = caller.actor();
    check(new.validate())?;
    let (new_record, v) = state
        .store
        .write(move |ctx| {
            if let Some(stored) = Store::existing::<Vehicle, _>(ctx.conn, new.id)? {
                return Ok((false, stored));
            }
            let v = Vehicle {
                id: new.id.unwrap_or_default(),
                code: new.code.trim().to_uppercase(),
                kind: new.kind,
                status: VehicleStatus::AtBase,
                base: new.base.trim().to_owned(),
                municipality: new.municipality.trim().to_owned(),
                conveniado: new.conveniado,
                device_id: new.device_id,
                telemetry: Telemetry::default(),
                updated_at: ctx.now,
                crew: None,
            };
            if Store::find_by::<Vehicle>(ctx.conn, "code", &v.code)?.is_some() {
                return Err(StoreError::Conflict(format!("Já existe uma viatura com o prefixo {}.", v.code)));
            }
            ctx.save(&v)?;
            ctx.audit(&actor, "vehicle.create", &v.id.to_string(), &v.code)?;
            Ok((true, v))
        })
        .await?;
    Ok(created(new_record, v))
}

#[utoipa::path(get, path = "/api/v1/vehicles/{id}", tag = "samu", params(("id" = atalaia_core::ids::VehicleId, Path)),
    responses((status = 200, body = Vehicle), (status = 404, body = Problem)), security(("bearer" = [])))]
pub async fn get_vehicle(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> ApiResult<Json<Vehicle>> {
    caller.require(Permission::VehicleRead)?;
    let id: VehicleId = parse_id(&id, "Viatura")?;
    let who = caller.user.clone();
    Ok(Json(
        state
            .store
            .read(move |c| {
                let v = Store::get_required(c, &id.to_string())?;
                crew::crew_on_vehicle(c, &who, id)?;
                Ok(v)
            })
            .await?,
    ))
}

#[utoipa::path(post, path = "/api/v1/vehicles/{id}/status", tag = "samu", params(("id" = atalaia_core::ids::VehicleId, Path)),
    request_body = VehicleStatusChange, responses((status = 200, body = Vehicle), (status = 409, body = Problem, description = "the vehicle is on a dispatch (change it there), or the change does not follow from its state"), (status = 404, body = Problem)), security(("bearer" = [])))]
pub async fn set_vehicle_status(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    Body(change): Body<VehicleStatusChange>,
) -> ApiResult<Json<Vehicle>> {
    // The crew reports its vehicle back at base or its stretcher returned, as the fleet
    // controller may.
    if !caller.can(Permission::VehicleWrite) && !caller.can(Permission::CrewAct) {
        return Err(ApiError::Forbidden);
    }
    let actor = caller.actor();
    let who = caller.user.clone();
    let id: VehicleId = parse_id(&id, "Viatura")?;
    let v = state
        .store
        .write(move |ctx| {
            let mut v: Vehicle = Store::get_required(ctx.conn, &id.to_string())?;
            crew::crew_on_vehicle(ctx.conn, &who, v.id)?;
            // A vehicle on an occurrence changes status through its dispatch, which stamps the
            // phase times (RFS055); here only the states outside a dispatch.
            if !Store::list_by::<Dispatch>(ctx.conn, "vehicle_id", &id.to_string())?.iter().all(|d| !d.active)
            {
                return Err(StoreError::Conflict(format!(
                    "A viatura {} está empenhada: altere a situação pelo empenho.",
                    v.code
                )));
            }
            if !transition_allowed(v.status, change.status) {
                return Err(StoreError::Conflict(format!(
                    "A viatura {} não pode passar de \"{}\" para \"{}\".",
                    v.code,
                    atalaia_core::text::vehicle_status(v.status),
                    atalaia_core::text::vehicle_status(change.status)
                )));
            }
            let from = v.status;
            v.status = change.status;
            v.updated_at = ctx.now;
            ctx.save(&v)?;
            ctx.audit(&actor, "vehicle.status", &v.id.to_string(), &format!("{from:?} -> {:?}", v.status))?;
            Ok(v)
        })
        .await
        .map_err(ApiError::from)?;
    Ok(Json(v))
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct HandOff {
    /// Ask the regulator to take this call first (RFS012): raises a prioritisation alert.
    #[serde(default)]
    pub prioritized: bool,
}

/// The TARM hands the call to the primary regulator (RFS185); with `prioritized`, a
/// prioritisation alert goes to the regulators (RFS012).
#[utoipa::path(post, path = "/api/v1/occurrences/{id}/handoff", tag = "samu", params(("id" = atalaia_core::ids::OccurrenceId, Path)),
    request_body = HandOff, responses((status = 200, body = Occurrence), (status = 409, body = Problem)), security(("bearer" = [])))]
pub async fn hand_off(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    Body(body): Body<HandOff>,
) -> ApiResult<Json<Occurrence>> {
    caller.require(Permission::OccurrenceCreate)?;
    let id: OccurrenceId = parse_id(&id, "Ocorrência")?;
    let actor = caller.actor();
    let tz = state.config.timezone;
    let occ = state
        .store
        .write(move |ctx| {
            let mut o: Occurrence = Store::get_required(ctx.conn, &id.to_string())?;
            if o.phase != OccurrencePhase::Intake {
                return Err(StoreError::Conflict(format!(
                    "A ocorrência {} já foi encaminhada à regulação ou encerrada.",
                    o.number
                )));
            }
            o.phase = OccurrencePhase::Regulation;
            o.handed_off_at = Some(ctx.now);
            o.prioritized = body.prioritized;
            o.updated_at = ctx.now;
            ctx.save(&o)?;
            ctx.audit(
                &actor,
                "occurrence.handoff",
                &o.id.to_string(),
                if o.prioritized { "priorizada" } else { "" },
            )?;
            if o.prioritized {
                crate::fleet::raise(ctx, AlarmKind::PriorityAlert, Subject::Occurrence(o.id), tz)?;
            }
            crate::fleet::clear(ctx, AlarmKind::CallOverTime, &Subject::Occurrence(o.id))?;
            Ok(o)
        })
        .await?;
    Ok(Json(occ))
}

/// Close an occurrence with a reason: the TARM a call still in intake (RFS185); the regulators
/// and the fleet controller one under regulation or dispatched, which releases its vehicles
/// (flow step 20). Nothing recorded is erased; later information goes to the addenda (RFS133).
#[utoipa::path(post, path = "/api/v1/occurrences/{id}/close", tag = "samu", params(("id" = atalaia_core::ids::OccurrenceId, Path)),
    request_body = Reason, responses((status = 200, body = Occurrence), (status = 409, body = Problem), (status = 422, body = Problem)), security(("bearer" = [])))]
pub async fn close(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    Body(body): Body<Reason>,
) -> ApiResult<Json<Occurrence>> {
    if !caller.can(Permission::OccurrenceCreate)
        && !caller.can(Permission::OccurrenceRegulate)
        && !caller.can(Permission::OccurrenceDispatch)
    {
        return Err(ApiError::Forbidden);
    }
    let reason = body.reason.trim().to_owned();
    if reason.is_empty() {
        return Err(ApiError::Validation(vec![atalaia_core::wire::FieldError::new(
            "reason",
            "Informe o motivo do encerramento.",
        )]));
    }
    let id: OccurrenceId = parse_id(&id, "Ocorrência")?;
    let actor = caller.actor();
    let (user, me) = (caller.user.id, caller.user.clone());
    let occ = state
        .store
        .write(move |ctx| {
            let mut o: Occurrence = Store::get_required(ctx.conn, &id.to_string())?;
            let may = match o.phase {
                OccurrencePhase::Intake => me.can(Permission::OccurrenceCreate),
                OccurrencePhase::Regulation | OccurrencePhase::Dispatched => {
                    me.can(Permission::OccurrenceRegulate) || me.can(Permission::OccurrenceDispatch)
                }
                OccurrencePhase::Closed => {
                    return Err(StoreError::Conflict(format!(
                        "A ocorrência {} já está encerrada; acrescente informações como complemento.",
                        o.number
                    )));
                }
            };
            if !may {
                return Err(StoreError::Forbidden);
            }
            let dispatches = Store::list_by::<Dispatch>(ctx.conn, "occurrence_id", &id.to_string())?;
            if let Some(d) = dispatches.iter().find(|d| d.active && d.status == VehicleStatus::Transporting) {
                return Err(StoreError::Conflict(format!(
                    "A viatura {} está transportando o paciente: encerre após a chegada ao destino.",
                    d.vehicle_code
                )));
            }
            for d in dispatches {
                if d.active {
                    crate::fleet::clear(ctx, AlarmKind::CrewNeedsSupport, &Subject::Vehicle(d.vehicle_id))?;
                    dispatch::release(ctx, d, &actor)?;
                }
            }
            o.phase = OccurrencePhase::Closed;
            o.closure = Some(Closure { at: ctx.now, by: user, reason: reason.clone() });
            o.updated_at = ctx.now;
            ctx.save(&o)?;
            for kind in [
                AlarmKind::PriorityAlert,
                AlarmKind::RiskAlert,
                AlarmKind::CallOverTime,
                AlarmKind::MultipleVictims,
            ] {
                crate::fleet::clear(ctx, kind, &Subject::Occurrence(o.id))?;
            }
            ctx.audit(&actor, "occurrence.close", &o.id.to_string(), &reason)?;
            Ok(o)
        })
        .await?;
    Ok(Json(occ))
}
