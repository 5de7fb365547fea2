//! SAMU resources: occurrences (call intake, RFS182/RFS184/RFS186) and vehicles (RFS051).

use super::{Body, Caller, check, created, parse_id};
use crate::error::{ApiError, ApiResult};
use crate::server::AppState;
use crate::store::{Store, StoreError};
use atalaia_core::auth::Permission;
use atalaia_core::ids::{OccurrenceId, VehicleId};
use atalaia_core::samu::{CallType, Occurrence, OccurrencePhase, Telemetry, Vehicle, VehicleStatus};
use atalaia_core::wire::{NewOccurrence, NewVehicle, Problem, VehicleStatusChange};
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::routing::{get, post};
use axum::{Json, Router};
use chrono::Datelike;
use serde::Deserialize;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/occurrences", get(list_occurrences).post(create_occurrence))
        .route("/occurrences/{id}", get(get_occurrence))
        .route("/vehicles", get(list_vehicles).post(create_vehicle))
        .route("/vehicles/{id}", get(get_vehicle))
        .route("/vehicles/{id}/status", post(set_vehicle_status))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
pub struct OccurrenceQuery {
    /// Caller number: earlier calls from it, newest first (RFS182).
    pub phone: Option<String>,
}

#[utoipa::path(get, path = "/api/v1/occurrences", tag = "samu", params(OccurrenceQuery),
    responses((status = 200, body = [Occurrence]), (status = 403, body = Problem)), security(("bearer" = [])))]
pub async fn list_occurrences(
    State(state): State<AppState>,
    caller: Caller,
    Query(q): Query<OccurrenceQuery>,
) -> ApiResult<Json<Vec<Occurrence>>> {
    caller.require(Permission::OccurrenceRead)?;
    let mut list = state
        .store
        .read(move |c| match q.phone {
            Some(p) => {
                let digits: String = p.chars().filter(char::is_ascii_digit).collect();
                Store::list_by::<Occurrence>(c, "caller_phone", &digits)
            }
            None => Store::list::<Occurrence>(c),
        })
        .await?;
    list.sort_by_key(|o| std::cmp::Reverse(o.created_at));
    Ok(Json(list))
}

/// Register a call. Replaying the same client id returns the stored occurrence (200) instead of a
/// duplicate, so an offline console's outbox can resend safely.
#[utoipa::path(post, path = "/api/v1/occurrences", tag = "samu", request_body = NewOccurrence,
    responses((status = 201, body = Occurrence), (status = 200, body = Occurrence, description = "replay of an id already stored"),
        (status = 403, body = Problem), (status = 422, body = Problem)), security(("bearer" = [])))]
pub async fn create_occurrence(
    State(state): State<AppState>,
    caller: Caller,
    Body(new): Body<NewOccurrence>,
) -> ApiResult<(StatusCode, Json<Occurrence>)> {
    caller.require(Permission::OccurrenceCreate)?;
    let actor = crate::store::Actor::user(&caller.user);
    check(new.validate())?;
    let user = caller.user.id;
    let tz = state.config.timezone;
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
            // Calls that are not a request for care are closed by the TARM at once (RFS185).
            let phase = if new.call_type == CallType::Atendimento {
                OccurrencePhase::Regulation
            } else {
                OccurrencePhase::Closed
            };
            let occ = Occurrence {
                id: new.id.unwrap_or_default(),
                number: format!("{year}-{n:06}"),
                call_type: new.call_type,
                caller_name: new.caller_name.trim().to_owned(),
                caller_phone: new.caller_phone.trim().to_owned(),
                address: new.address.trim().to_owned(),
                municipality: new.municipality.trim().to_owned(),
                location: new.location,
                description: new.description.trim().to_owned(),
                priority: None,
                phase,
                created_by: user,
                created_at: ctx.now,
                updated_at: ctx.now,
            };
            ctx.save(&occ)?;
            ctx.audit(&actor, "occurrence.create", &occ.id.to_string(), &occ.number)?;
            Ok((true, occ))
        })
        .await?;
    Ok((if created { StatusCode::CREATED } else { StatusCode::OK }, Json(occ)))
}

#[utoipa::path(get, path = "/api/v1/occurrences/{id}", tag = "samu", params(("id" = String, Path)),
    responses((status = 200, body = Occurrence), (status = 404, body = Problem)), security(("bearer" = [])))]
pub async fn get_occurrence(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> ApiResult<Json<Occurrence>> {
    caller.require(Permission::OccurrenceRead)?;
    let id: OccurrenceId = parse_id(&id, "Ocorrência")?;
    Ok(Json(state.store.read(move |c| Store::get_required(c, &id.to_string())).await?))
}

#[utoipa::path(get, path = "/api/v1/vehicles", tag = "samu",
    responses((status = 200, body = [Vehicle]), (status = 403, body = Problem)), security(("bearer" = [])))]
pub async fn list_vehicles(State(state): State<AppState>, caller: Caller) -> ApiResult<Json<Vec<Vehicle>>> {
    caller.require(Permission::VehicleRead)?;
    Ok(Json(state.store.read(Store::list::<Vehicle>).await?))
}

#[utoipa::path(post, path = "/api/v1/vehicles", tag = "samu", request_body = NewVehicle,
    responses((status = 201, body = Vehicle), (status = 409, body = Problem), (status = 422, body = Problem)), security(("bearer" = [])))]
pub async fn create_vehicle(
    State(state): State<AppState>,
    caller: Caller,
    Body(new): Body<NewVehicle>,
) -> ApiResult<(StatusCode, Json<Vehicle>)> {
    caller.require(Permission::VehicleWrite)?;
    let actor = crate::store::Actor::user(&caller.user);
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

#[utoipa::path(get, path = "/api/v1/vehicles/{id}", tag = "samu", params(("id" = String, Path)),
    responses((status = 200, body = Vehicle), (status = 404, body = Problem)), security(("bearer" = [])))]
pub async fn get_vehicle(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> ApiResult<Json<Vehicle>> {
    caller.require(Permission::VehicleRead)?;
    let id: VehicleId = parse_id(&id, "Viatura")?;
    Ok(Json(state.store.read(move |c| Store::get_required(c, &id.to_string())).await?))
}

#[utoipa::path(post, path = "/api/v1/vehicles/{id}/status", tag = "samu", params(("id" = String, Path)),
    request_body = VehicleStatusChange, responses((status = 200, body = Vehicle), (status = 404, body = Problem)), security(("bearer" = [])))]
pub async fn set_vehicle_status(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    Body(change): Body<VehicleStatusChange>,
) -> ApiResult<Json<Vehicle>> {
    caller.require(Permission::VehicleWrite)?;
    let actor = crate::store::Actor::user(&caller.user);
    let id: VehicleId = parse_id(&id, "Viatura")?;
    let v = state
        .store
        .write(move |ctx| {
            let mut v: Vehicle = Store::get_required(ctx.conn, &id.to_string())?;
            v.status = change.status;
            v.updated_at = ctx.now;
            ctx.save(&v)?;
            ctx.audit(&actor, "vehicle.status", &v.id.to_string(), &format!("{:?}", v.status))?;
            Ok(v)
        })
        .await
        .map_err(ApiError::from)?;
    Ok(Json(v))
}
