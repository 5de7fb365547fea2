//! Medical regulation (RFS124–RFS133, TDC-PROC 3 and 9–11): the regulators' record with the
//! history of every change, information appended after closure, the nearest vehicles for an
//! occurrence and the regulation panel (TDC-PROC 4, RFS130).

use super::super::{Body, Caller, Params, check, parse_id};
use crate::error::{ApiError, ApiResult};
use crate::server::AppState;
use crate::store::{Store, StoreError};
use atalaia_core::alarm::{AlarmKind, Subject};
use atalaia_core::auth::Permission;
use atalaia_core::ids::OccurrenceId;
use atalaia_core::samu::fleet::{Candidate, recommend};
use atalaia_core::samu::{Addendum, Dispatch, Occurrence, OccurrencePhase, Vehicle, VehicleKind};
use atalaia_core::wire::{NewAddendum, PanelRow, Problem, RegulationUpdate};
use axum::extract::{Path, State};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::Deserialize;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/occurrences/{id}/regulation", post(regulate))
        .route("/occurrences/{id}/addenda", post(add_addendum))
        .route("/occurrences/{id}/recommendation", get(recommendation))
        .route("/panel", get(panel))
}

/// Record or redefine the regulation (RFS124 primary, RFS126 secondary): each field present and
/// different is changed and the change kept with who, when, as which regulator and why
/// (RFS129, RFS131) — a USB redefined to a USA (TDC-PROC 3e) stays visible as such.
#[utoipa::path(post, path = "/api/v1/occurrences/{id}/regulation", tag = "samu", params(("id" = atalaia_core::ids::OccurrenceId, Path)),
    request_body = RegulationUpdate, responses((status = 200, body = Occurrence), (status = 409, body = Problem), (status = 422, body = Problem)), security(("bearer" = [])))]
pub async fn regulate(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    Body(up): Body<RegulationUpdate>,
) -> ApiResult<Json<Occurrence>> {
    caller.require(Permission::OccurrenceRegulate)?;
    check(up.validate())?;
    let id: OccurrenceId = parse_id(&id, "Ocorrência")?;
    let actor = caller.actor();
    let user = caller.user.clone();
    let tz = state.config.timezone;
    let occ = state
        .store
        .write(move |ctx| {
            let mut o: Occurrence = Store::get_required(ctx.conn, &id.to_string())?;
            let before = o.history.len();
            let changed =
                atalaia_core::samu::regulation::regulate(&mut o, &up, user.id, &user.display_name, ctx.now)
                    .map_err(StoreError::Conflict)?;
            if up.risk_alert {
                crate::fleet::raise(ctx, AlarmKind::RiskAlert, Subject::Occurrence(o.id), tz)?;
                ctx.audit(&actor, "occurrence.risk_alert", &o.id.to_string(), &o.number)?;
            }
            if changed == 0 {
                return Ok(o);
            }
            let fields: Vec<String> =
                o.history[before..].iter().map(|c| format!("{}={}", c.field, c.to)).collect();
            ctx.save(&o)?;
            ctx.audit(&actor, "occurrence.regulate", &o.id.to_string(), &fields.join("; "))?;
            Ok(o)
        })
        .await?;
    Ok(Json(occ))
}

/// Append information to an occurrence, closed or not, without altering what was recorded
/// (RFS133): who and when are kept.
#[utoipa::path(post, path = "/api/v1/occurrences/{id}/addenda", tag = "samu", params(("id" = atalaia_core::ids::OccurrenceId, Path)),
    request_body = NewAddendum, responses((status = 200, body = Occurrence), (status = 422, body = Problem)), security(("bearer" = [])))]
pub async fn add_addendum(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    Body(body): Body<NewAddendum>,
) -> ApiResult<Json<Occurrence>> {
    if ![
        Permission::OccurrenceCreate,
        Permission::OccurrenceRegulate,
        Permission::OccurrenceDispatch,
        Permission::CrewAct,
    ]
    .into_iter()
    .any(|p| caller.can(p))
    {
        return Err(ApiError::Forbidden);
    }
    let text = body.text.trim().to_owned();
    if text.is_empty() {
        return Err(ApiError::Validation(vec![atalaia_core::wire::FieldError::new(
            "text",
            "O complemento não pode ficar vazio.",
        )]));
    }
    let id: OccurrenceId = parse_id(&id, "Ocorrência")?;
    let actor = caller.actor();
    let user = caller.user.clone();
    let occ = state
        .store
        .write(move |ctx| {
            let mut o: Occurrence = Store::get_required(ctx.conn, &id.to_string())?;
            // A crew adds to the occurrences it is dispatched to only.
            super::crew::crew_on_occurrence(ctx.conn, &user, o.id)?;
            o.addenda.push(Addendum {
                at: ctx.now,
                by: user.id,
                by_name: user.display_name.clone(),
                text: text.clone(),
            });
            o.updated_at = ctx.now;
            ctx.save(&o)?;
            ctx.audit(&actor, "occurrence.addendum", &o.id.to_string(), &text)?;
            Ok(o)
        })
        .await?;
    Ok(Json(occ))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct RecommendationQuery {
    /// Vehicle type; the regulator's choice for the occurrence when absent (any type when the
    /// regulator has not chosen).
    pub kind: Option<VehicleKind>,
}

/// The free vehicles nearest to the occurrence, of the type required, with distance and
/// estimated time of arrival (RFS050, RFS052, RFS119).
#[utoipa::path(get, path = "/api/v1/occurrences/{id}/recommendation", tag = "samu", params(("id" = atalaia_core::ids::OccurrenceId, Path), RecommendationQuery),
    responses((status = 200, body = [Candidate]), (status = 409, body = Problem)), security(("bearer" = [])))]
pub async fn recommendation(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    Params(q): Params<RecommendationQuery>,
) -> ApiResult<Json<Vec<Candidate>>> {
    caller.require(Permission::OccurrenceRead)?;
    caller.require(Permission::VehicleRead)?;
    super::crew::not_for_crews(&caller)?;
    let id: OccurrenceId = parse_id(&id, "Ocorrência")?;
    let (o, vehicles) = state
        .store
        .read(move |c| {
            Ok((Store::get_required::<Occurrence>(c, &id.to_string())?, Store::list::<Vehicle>(c)?))
        })
        .await?;
    let Some(at) = o.location else {
        return Err(ApiError::Conflict(format!(
            "A ocorrência {} não tem coordenadas: informe a localização para recomendar viaturas.",
            o.number
        )));
    };
    Ok(Json(recommend(&vehicles, at, q.kind.or(o.resource))))
}

/// The regulation panel (TDC-PROC 4, RFS130): every occurrence under regulation or dispatched,
/// most urgent first (unclassified ones with the most urgent: nobody has looked at them yet),
/// then longest waiting; each with its vehicles and the three nearest free vehicles of the type
/// required.
#[utoipa::path(get, path = "/api/v1/panel", tag = "samu",
    responses((status = 200, body = [PanelRow]), (status = 403, body = Problem)), security(("bearer" = [])))]
pub async fn panel(State(state): State<AppState>, caller: Caller) -> ApiResult<Json<Vec<PanelRow>>> {
    caller.require(Permission::OccurrenceRead)?;
    super::crew::not_for_crews(&caller)?;
    let with_vehicles = caller.can(Permission::VehicleRead);
    let now = state.clock.now();
    let (occurrences, vehicles, dispatches) = state
        .store
        .read(|c| {
            Ok((
                Store::list_by::<Occurrence>(c, "open", "1")?,
                Store::list::<Vehicle>(c)?,
                Store::list_by::<Dispatch>(c, "active", "1")?,
            ))
        })
        .await?;
    let mut rows: Vec<PanelRow> = occurrences
        .into_iter()
        .filter(|o| matches!(o.phase, OccurrencePhase::Regulation | OccurrencePhase::Dispatched))
        .map(|o| {
            let started = o.call_started_at.unwrap_or(o.created_at);
            let nearest = match (with_vehicles, o.location, o.ambulance_needed) {
                (true, Some(at), None | Some(true)) => {
                    recommend(&vehicles, at, o.resource).into_iter().take(3).collect()
                }
                _ => Vec::new(),
            };
            PanelRow {
                waiting_s: (now - started).num_seconds().max(0),
                dispatches: dispatches.iter().filter(|d| d.occurrence_id == o.id).cloned().collect(),
                nearest,
                occurrence: o,
            }
        })
        .collect();
    rows.sort_by(|a, b| {
        a.occurrence
            .priority
            .cmp(&b.occurrence.priority)
            .then(b.occurrence.prioritized.cmp(&a.occurrence.prioritized))
            .then(b.waiting_s.cmp(&a.waiting_s))
    });
    Ok(Json(rows))
}
