//! Medical regulation (RFS124–RFS133, TDC-PROC 3 and 9–11): the regulators' record with the
//! history of every change, information appended after closure, the nearest vehicles for an
//! occurrence and the regulation panel (TDC-PROC 4, RFS130).

use super::super::{Body, Caller, Params, check, parse_id};
use crate::error::{ApiError, ApiResult};
use crate::server::AppState;
use crate::store::{Store, StoreError};
use atalaia_core::auth::Permission;
use atalaia_core::ids::OccurrenceId;
use atalaia_core::samu::fleet::{Candidate, recommend};
use atalaia_core::samu::{Addendum, Change, Dispatch, Occurrence, OccurrencePhase, Vehicle, VehicleKind};
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

/// Wire name of a value (`"usa"`, `"very_urgent"`) for the change history.
fn wire<T: serde::Serialize>(v: &T) -> String {
    match serde_json::to_value(v) {
        Ok(serde_json::Value::String(s)) => s,
        Ok(other) => other.to_string(),
        Err(_) => String::new(),
    }
}

/// Set `field` to `new` when it differs, keeping the change in the history.
fn change<T: serde::Serialize + PartialEq>(
    history: &mut Vec<Change>,
    template: &Change,
    field: &str,
    slot: &mut T,
    new: T,
) {
    if *slot == new {
        return;
    }
    let from = wire(slot);
    history.push(Change {
        field: field.into(),
        from: if from.is_empty() || from == "null" { None } else { Some(from) },
        to: wire(&new),
        ..template.clone()
    });
    *slot = new;
}

/// Record or redefine the regulation (RFS124 primary, RFS126 secondary): each field present and
/// different is changed and the change kept with who, when, as which regulator and why
/// (RFS129, RFS131) — a USB redefined to a USA (TDC-PROC 3e) stays visible as such.
#[utoipa::path(post, path = "/api/v1/occurrences/{id}/regulation", tag = "samu", params(("id" = String, Path)),
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
    let actor = crate::store::Actor::user(&caller.user);
    let user = caller.user.clone();
    let occ = state
        .store
        .write(move |ctx| {
            let mut o: Occurrence = Store::get_required(ctx.conn, &id.to_string())?;
            match o.phase {
                OccurrencePhase::Intake => {
                    return Err(StoreError::Conflict(format!(
                        "A ocorrência {} ainda está com o TARM: aguarde o encaminhamento à regulação.",
                        o.number
                    )));
                }
                OccurrencePhase::Closed => {
                    return Err(StoreError::Conflict(format!(
                        "A ocorrência {} está encerrada: acrescente informações como complemento.",
                        o.number
                    )));
                }
                OccurrencePhase::Regulation | OccurrencePhase::Dispatched => {}
            }
            let t = Change {
                at: ctx.now,
                by: user.id,
                by_name: user.display_name.clone(),
                stage: Some(up.stage),
                field: String::new(),
                from: None,
                to: String::new(),
                reason: up.reason.trim().to_owned(),
            };
            let before = o.history.len();
            let h = &mut o.history;
            if let Some(v) = up.demand_type {
                change(h, &t, "demand_type", &mut o.demand_type, Some(v));
            }
            if let Some(v) = up.request_type {
                change(h, &t, "request_type", &mut o.request_type, Some(v));
            }
            if let Some(v) = &up.description {
                change(h, &t, "description", &mut o.description, v.trim().to_owned());
            }
            if let Some(v) = up.priority {
                change(h, &t, "priority", &mut o.priority, Some(v));
            }
            if let Some(v) = up.ambulance_needed {
                change(h, &t, "ambulance_needed", &mut o.ambulance_needed, Some(v));
                if !v {
                    change(h, &t, "resource", &mut o.resource, None);
                }
            }
            if let Some(v) = up.resource {
                if o.ambulance_needed == Some(false) {
                    return Err(StoreError::Conflict(
                        "A regulação registrou que não há necessidade de ambulância; altere isso antes de escolher a viatura."
                            .into(),
                    ));
                }
                change(h, &t, "ambulance_needed", &mut o.ambulance_needed, Some(true));
                change(h, &t, "resource", &mut o.resource, Some(v));
            }
            if let Some(v) = &up.orientation {
                change(h, &t, "orientation", &mut o.orientation, v.trim().to_owned());
            }
            if let Some(v) = &up.external_support {
                let v: Vec<String> = v.iter().map(|s| s.trim().to_owned()).filter(|s| !s.is_empty()).collect();
                change(h, &t, "external_support", &mut o.external_support, v);
            }
            if let Some(v) = &up.conduct {
                change(h, &t, "conduct", &mut o.conduct, v.trim().to_owned());
            }
            if let Some(v) = &up.destination {
                change(h, &t, "destination", &mut o.destination, v.trim().to_owned());
            }
            if o.history.len() == before {
                return Ok(o);
            }
            o.updated_at = ctx.now;
            let fields: Vec<String> = o.history[before..].iter().map(|c| format!("{}={}", c.field, c.to)).collect();
            ctx.save(&o)?;
            ctx.audit(&actor, "occurrence.regulate", &o.id.to_string(), &fields.join("; "))?;
            Ok(o)
        })
        .await?;
    Ok(Json(occ))
}

/// Append information to an occurrence, closed or not, without altering what was recorded
/// (RFS133): who and when are kept.
#[utoipa::path(post, path = "/api/v1/occurrences/{id}/addenda", tag = "samu", params(("id" = String, Path)),
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
    let actor = crate::store::Actor::user(&caller.user);
    let user = caller.user.clone();
    let occ = state
        .store
        .write(move |ctx| {
            let mut o: Occurrence = Store::get_required(ctx.conn, &id.to_string())?;
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
pub struct RecommendationQuery {
    /// Vehicle type; the regulator's choice for the occurrence when absent (any type when the
    /// regulator has not chosen).
    pub kind: Option<VehicleKind>,
}

/// The free vehicles nearest to the occurrence, of the type required, with distance and
/// estimated time of arrival (RFS050, RFS052, RFS119).
#[utoipa::path(get, path = "/api/v1/occurrences/{id}/recommendation", tag = "samu", params(("id" = String, Path), RecommendationQuery),
    responses((status = 200, body = [Candidate]), (status = 409, body = Problem)), security(("bearer" = [])))]
pub async fn recommendation(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    Params(q): Params<RecommendationQuery>,
) -> ApiResult<Json<Vec<Candidate>>> {
    caller.require(Permission::OccurrenceRead)?;
    caller.require(Permission::VehicleRead)?;
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
