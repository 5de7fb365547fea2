//! The crew's seat (issue 23, RFS017, RFS018): the vehicle a crew member's tablet is signed in
//! to for the shift, and what that lets the crew see and do — its vehicle, its dispatches, the
//! occurrences they are on — checked by every SAMU route and the live feed.

use super::super::{Body, Caller, check};
use crate::error::{ApiError, ApiResult};
use crate::server::AppState;
use crate::store::{Store, StoreError};
use atalaia_core::auth::{Permission, Role};
use atalaia_core::ids::{OccurrenceId, UserId, VehicleId};
use atalaia_core::samu::crew::{CrewMember, CrewOnBoard};
use atalaia_core::samu::{Dispatch, Vehicle};
use atalaia_core::wire::{Problem, UserInfo};
use axum::extract::State;
use axum::routing::get;
use axum::{Json, Router};
use serde::{Deserialize, Serialize};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/crew/vehicle", get(get_crew_vehicle).put(set_crew_vehicle))
        .route("/crew/vehicles", get(list_choices))
}

/// The vehicle a crew member signed in to for the shift (`PUT /crew/vehicle`).
pub(crate) fn crew_vehicle(
    conn: crate::store::db::Db<'_>,
    user: UserId,
) -> Result<Option<VehicleId>, StoreError> {
    Store::crew_vehicle(conn, user)
}

/// A crew member acts only for the vehicle it signed in to; other roles are not bound.
pub(crate) fn crew_on_vehicle(
    conn: crate::store::db::Db<'_>,
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
    conn: crate::store::db::Db<'_>,
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
    conn: crate::store::db::Db<'_>,
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
    /// Who is on board (RFS064): when given, checked against what the vehicle's kind must carry
    /// and kept on the vehicle; the answer carries the vehicle's crew as declared last.
    #[serde(default)]
    pub crew: Vec<CrewMember>,
}

/// The crew member signs in to the vehicle of the shift (its tablet's binding): from then on it
/// acts on that vehicle's dispatches and occurrences only. With the crew on board, the vehicle's
/// crew is declared (RFS064): refused with 422 when the vehicle's kind may not leave with it.
#[utoipa::path(put, path = "/api/v1/crew/vehicle", tag = "samu", request_body = CrewVehicle,
    responses((status = 200, body = CrewVehicle), (status = 404, body = Problem), (status = 422, body = Problem)),
    security(("bearer" = [])))]
pub async fn set_crew_vehicle(
    State(state): State<AppState>,
    caller: Caller,
    Body(mut body): Body<CrewVehicle>,
) -> ApiResult<Json<CrewVehicle>> {
    caller.require(Permission::CrewAct)?;
    for m in &mut body.crew {
        m.name = m.name.trim().to_owned();
        m.registry = m.registry.trim().to_owned();
    }
    if let (Some(id), false) = (body.vehicle_id, body.crew.is_empty()) {
        let v: Vehicle = state.store.read(move |c| Store::get_required(c, &id.to_string())).await?;
        check(atalaia_core::samu::crew::check(v.kind, &body.crew))?;
    }
    let actor = caller.actor();
    let user = caller.user.clone();
    let out = state
        .store
        .write(move |ctx| {
            let mut v = match body.vehicle_id {
                Some(id) => Some(Store::get_required::<Vehicle>(ctx.conn, &id.to_string())?),
                None => None,
            };
            Store::set_crew_vehicle(ctx.conn, user.id, body.vehicle_id)?;
            let code = v.as_ref().map(|v| v.code.clone()).unwrap_or_default();
            ctx.audit(&actor, "crew.vehicle", &user.id.to_string(), &code)?;
            if let (Some(v), false) = (v.as_mut(), body.crew.is_empty()) {
                v.crew = Some(CrewOnBoard {
                    members: body.crew.clone(),
                    since: ctx.now,
                    by: user.id,
                    by_name: user.display_name.clone(),
                });
                v.updated_at = ctx.now;
                ctx.save(v)?;
                let names: Vec<String> =
                    body.crew.iter().map(|m| format!("{}: {}", m.role.label(), m.name)).collect();
                ctx.audit(
                    &actor,
                    "vehicle.crew",
                    &v.id.to_string(),
                    &format!("{code} — {}", names.join("; ")),
                )?;
            }
            let crew = v.and_then(|v| v.crew).map(|c| c.members).unwrap_or_default();
            Ok(CrewVehicle { vehicle_id: body.vehicle_id, crew })
        })
        .await?;
    Ok(Json(out))
}

/// The vehicle this crew member is signed in to, with its crew as declared last.
#[utoipa::path(get, path = "/api/v1/crew/vehicle", tag = "samu", responses((status = 200, body = CrewVehicle)), security(("bearer" = [])))]
pub async fn get_crew_vehicle(State(state): State<AppState>, caller: Caller) -> ApiResult<Json<CrewVehicle>> {
    caller.require(Permission::CrewAct)?;
    let user = caller.user.id;
    let out = state
        .store
        .read(move |c| {
            let vehicle_id = crew_vehicle(c, user)?;
            let crew = match vehicle_id {
                Some(id) => Store::get::<Vehicle>(c, &id.to_string())?.and_then(|v| v.crew),
                None => None,
            };
            Ok(CrewVehicle { vehicle_id, crew: crew.map(|c| c.members).unwrap_or_default() })
        })
        .await?;
    Ok(Json(out))
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
    /// Who is on board, as declared last (the sign-in offers it again).
    pub crew: Vec<CrewMember>,
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
        .read(|c| Store::list::<atalaia_core::samu::Vehicle>(c))
        .await?
        .into_iter()
        .map(|v| VehicleChoice {
            id: v.id,
            code: v.code,
            kind: v.kind,
            base: v.base,
            municipality: v.municipality,
            crew: v.crew.map(|c| c.members).unwrap_or_default(),
        })
        .collect();
    list.sort_by(|a, b| a.code.cmp(&b.code));
    Ok(Json(list))
}
