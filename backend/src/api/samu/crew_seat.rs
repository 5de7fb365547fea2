//! The crew's seat (issue 23, RFS017, RFS018): the vehicle a crew member's tablet is signed in
//! to for the shift, and what that lets the crew see and do — its vehicle, its dispatches, the
//! occurrences they are on — checked by every SAMU route and the live feed.

use super::super::{Body, Caller};
use crate::error::{ApiError, ApiResult};
use crate::server::AppState;
use crate::store::{Store, StoreError};
use atalaia_core::auth::{Permission, Role};
use atalaia_core::ids::{OccurrenceId, UserId, VehicleId};
use atalaia_core::samu::Dispatch;
use atalaia_core::wire::{Problem, UserInfo};
use axum::extract::State;
use axum::routing::get;
use axum::{Json, Router};
use rusqlite::OptionalExtension;
use serde::{Deserialize, Serialize};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/crew/vehicle", get(get_crew_vehicle).put(set_crew_vehicle))
        .route("/crew/vehicles", get(list_choices))
}

/// The vehicle a crew member signed in to for the shift (`PUT /crew/vehicle`).
pub(crate) fn crew_vehicle(
    conn: &rusqlite::Connection,
    user: UserId,
) -> Result<Option<VehicleId>, StoreError> {
    let v: Option<Option<String>> = conn
        .prepare_cached("SELECT vehicle_id FROM users WHERE id = ?1")?
        .query_row([user.to_string()], |r| r.get(0))
        .optional()?;
    Ok(v.flatten().and_then(|s| s.parse().ok()))
}

/// A crew member acts only for the vehicle it signed in to; other roles are not bound.
pub(crate) fn crew_on_vehicle(
    conn: &rusqlite::Connection,
    user: &UserInfo,
    vehicle: VehicleId,
) -> Result<(), StoreError> {
    if user.role != Role::Crew || crew_vehicle(conn, user.id)? == Some(vehicle) {
        Ok(())
    } else {
        Err(StoreError::Forbidden)
    }
}

/// The regulation's tools (the panel of every open call, the vehicles to recommend) are not a
/// crew's: it sees its own assignments (issue 23 item 3).
pub(crate) fn not_for_crews(caller: &Caller) -> ApiResult<()> {
    if caller.user.role == Role::Crew { Err(ApiError::Forbidden) } else { Ok(()) }
}

/// What a crew member sees now (issue 23 item 3): its vehicle, its dispatches and the
/// occurrences they are on; none for other seats (their profile decides).
pub(crate) fn crew_scope(
    conn: &rusqlite::Connection,
    user: &UserInfo,
) -> Result<Option<atalaia_core::samu::crew_scope::CrewScope>, StoreError> {
    if user.role != Role::Crew {
        return Ok(None);
    }
    let vehicle = crew_vehicle(conn, user.id)?;
    let active = Store::list_by::<Dispatch>(conn, "active", "1")?;
    Ok(Some(atalaia_core::samu::crew_scope::CrewScope::new(vehicle, &active)))
}

/// A crew member reads and records only on occurrences its vehicle is dispatched to.
pub(crate) fn crew_on_occurrence(
    conn: &rusqlite::Connection,
    user: &UserInfo,
    occurrence: OccurrenceId,
) -> Result<(), StoreError> {
    if user.role != Role::Crew {
        return Ok(());
    }
    let Some(v) = crew_vehicle(conn, user.id)? else { return Err(StoreError::Forbidden) };
    let on_it = Store::list_by::<Dispatch>(conn, "occurrence_id", &occurrence.to_string())?
        .iter()
        .any(|d| d.active && d.vehicle_id == v);
    if on_it { Ok(()) } else { Err(StoreError::Forbidden) }
}

#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
pub struct CrewVehicle {
    /// The vehicle this crew member works on this shift; `null` signs off.
    pub vehicle_id: Option<VehicleId>,
}

/// The crew member signs in to the vehicle of the shift (its tablet's binding): from then on it
/// acts on that vehicle's dispatches and occurrences only.
#[utoipa::path(put, path = "/api/v1/crew/vehicle", tag = "samu", request_body = CrewVehicle,
    responses((status = 200, body = CrewVehicle), (status = 404, body = Problem)), security(("bearer" = [])))]
pub async fn set_crew_vehicle(
    State(state): State<AppState>,
    caller: Caller,
    Body(body): Body<CrewVehicle>,
) -> ApiResult<Json<CrewVehicle>> {
    caller.require(Permission::CrewAct)?;
    let actor = caller.actor();
    let user = caller.user.id;
    let out = state
        .store
        .write(move |ctx| {
            let code = match body.vehicle_id {
                Some(v) => Store::get_required::<atalaia_core::samu::Vehicle>(ctx.conn, &v.to_string())?.code,
                None => String::new(),
            };
            ctx.conn
                .prepare_cached("UPDATE users SET vehicle_id = ?1 WHERE id = ?2")?
                .execute(rusqlite::params![body.vehicle_id.map(|v| v.to_string()), user.to_string()])?;
            ctx.audit(&actor, "crew.vehicle", &user.to_string(), &code)?;
            Ok(body)
        })
        .await?;
    Ok(Json(out))
}

/// The vehicle this crew member is signed in to.
#[utoipa::path(get, path = "/api/v1/crew/vehicle", tag = "samu", responses((status = 200, body = CrewVehicle)), security(("bearer" = [])))]
pub async fn get_crew_vehicle(State(state): State<AppState>, caller: Caller) -> ApiResult<Json<CrewVehicle>> {
    caller.require(Permission::CrewAct)?;
    let user = caller.user.id;
    let vehicle_id = state.store.read(move |c| crew_vehicle(c, user)).await?;
    Ok(Json(CrewVehicle { vehicle_id }))
}

/// A vehicle a crew may sign in to, as the tablet's sign-in screen lists it: what is painted on
/// it and where it is based — not its status, position or work, which are its own crew's.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct VehicleChoice {
    pub id: VehicleId,
    pub code: String,
    pub kind: atalaia_core::samu::VehicleKind,
    pub base: String,
    pub municipality: String,
}

/// The vehicles of the fleet, by code, for the tablet's sign-in to the shift's vehicle.
#[utoipa::path(get, path = "/api/v1/crew/vehicles", tag = "samu",
    responses((status = 200, body = [VehicleChoice]), (status = 403, body = Problem)), security(("bearer" = [])))]
pub async fn list_choices(
    State(state): State<AppState>,
    caller: Caller,
) -> ApiResult<Json<Vec<VehicleChoice>>> {
    caller.require(Permission::CrewAct)?;
    let mut list: Vec<VehicleChoice> = state
        .store
        .read(Store::list::<atalaia_core::samu::Vehicle>)
        .await?
        .into_iter()
        .map(|v| VehicleChoice {
            id: v.id,
            code: v.code,
            kind: v.kind,
            base: v.base,
            municipality: v.municipality,
        })
        .collect();
    list.sort_by(|a, b| a.code.cmp(&b.code));
    Ok(Json(list))
}
