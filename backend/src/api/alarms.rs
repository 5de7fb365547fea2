//! Alarms: the queue and operator actions. Claims go through the single writer, so when two
//! operators race for one alarm exactly one wins and the other gets a 409 naming the holder.

use super::{Body, Caller, parse_id};
use crate::error::{ApiError, ApiResult};
use crate::server::AppState;
use crate::store::{Store, StoreError};
use atalaia_core::alarm::{Alarm, AlarmError};
use atalaia_core::auth::Permission;
use atalaia_core::ids::AlarmId;
use atalaia_core::wire::{AlarmAction, EventBody, Problem};
use axum::extract::{Path, State};
use axum::routing::{get, post};
use axum::{Json, Router};
use rusqlite::OptionalExtension;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/alarms", get(list_alarms))
        .route("/alarms/{id}", get(get_alarm))
        .route("/alarms/{id}/actions", post(act))
}

fn visible(caller: &Caller, a: &Alarm) -> bool {
    caller.can(EventBody::Alarm(a.clone()).read_permission())
}

#[utoipa::path(get, path = "/api/v1/alarms", tag = "alarms", responses((status = 200, body = [Alarm]), (status = 403, body = Problem)), security(("bearer" = [])))]
pub async fn list_alarms(State(state): State<AppState>, caller: Caller) -> ApiResult<Json<Vec<Alarm>>> {
    if !caller.can(Permission::AlarmRead) && !caller.can(Permission::OccurrenceRead) {
        return Err(ApiError::Forbidden);
    }
    let mut all = state.store.read(Store::list::<Alarm>).await?;
    all.retain(|a| visible(&caller, a));
    all.sort_by(atalaia_core::alarm::queue_order);
    Ok(Json(all))
}

#[utoipa::path(get, path = "/api/v1/alarms/{id}", tag = "alarms", params(("id" = String, Path)), responses((status = 200, body = Alarm), (status = 404, body = Problem)), security(("bearer" = [])))]
pub async fn get_alarm(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> ApiResult<Json<Alarm>> {
    let id: AlarmId = parse_id(&id, "Alarme")?;
    let a: Alarm = state.store.read(move |c| Store::get_required(c, &id.to_string())).await?;
    if !visible(&caller, &a) {
        return Err(ApiError::Forbidden);
    }
    Ok(Json(a))
}

/// Claim, start the procedure, annotate or close an alarm.
#[utoipa::path(post, path = "/api/v1/alarms/{id}/actions", tag = "alarms", params(("id" = String, Path)), request_body = AlarmAction,
    responses((status = 200, body = Alarm), (status = 409, body = Problem, description = "already claimed by someone else"),
        (status = 422, body = Problem)), security(("bearer" = [])))]
pub async fn act(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    Body(action): Body<AlarmAction>,
) -> ApiResult<Json<Alarm>> {
    caller.require(Permission::AlarmHandle)?;
    let id: AlarmId = parse_id(&id, "Alarme")?;
    let me = caller.user.id;
    let role = caller.user.role;
    let actor = crate::store::Actor::user(&caller.user);
    let result = state
        .store
        .write(move |ctx| {
            let mut a: Alarm = Store::get_required(ctx.conn, &id.to_string())?;
            // Handling an alarm needs the right to see it (a monitoring operator cannot act on SAMU
            // alerts); answering 404 does not reveal that it exists.
            if !role.can(EventBody::Alarm(a.clone()).read_permission()) {
                return Ok(Err(ApiError::NotFound("Alarme")));
            }
            let before = a.clone();
            let outcome = match &action {
                AlarmAction::Claim => a.claim(me, ctx.now),
                AlarmAction::StartProcedure => a.start_procedure(me, ctx.now),
                AlarmAction::Note { text } => a.add_note(me, ctx.now, text),
                AlarmAction::Close { outcome, note } => a.close(me, ctx.now, *outcome, note),
            };
            match outcome {
                Ok(()) if a == before => Ok(Ok(a)),
                Ok(()) => {
                    ctx.save(&a)?;
                    let (what, detail) = match &action {
                        AlarmAction::Claim => ("alarm.claim", String::new()),
                        AlarmAction::StartProcedure => ("alarm.procedure", String::new()),
                        AlarmAction::Note { text } => ("alarm.note", text.trim().to_owned()),
                        AlarmAction::Close { outcome, note } => {
                            ("alarm.close", format!("{outcome:?}: {}", note.trim()))
                        }
                    };
                    ctx.audit(&actor, what, &a.id.to_string(), &detail)?;
                    Ok(Ok(a))
                }
                Err(AlarmError::AlreadyClaimed { by }) => {
                    let name: Option<String> = ctx
                        .conn
                        .query_row("SELECT display_name FROM users WHERE id = ?1", [by.to_string()], |r| {
                            r.get(0)
                        })
                        .optional()
                        .map_err(StoreError::from)?;
                    Ok(Err(ApiError::Conflict(format!(
                        "Alarme já assumido por {}.",
                        name.unwrap_or_else(|| "outro operador".into())
                    ))))
                }
                Err(AlarmError::NotOwner) => {
                    Ok(Err(ApiError::Conflict("Assuma o alarme antes de tratá-lo.".into())))
                }
                Err(AlarmError::Finished) => {
                    Ok(Err(ApiError::Conflict("Este alarme já foi encerrado.".into())))
                }
                Err(AlarmError::NoteRequired) => {
                    Ok(Err(ApiError::Validation(vec![atalaia_core::wire::FieldError::new(
                        "note",
                        "Informe uma observação.",
                    )])))
                }
            }
        })
        .await?;
    result.map(Json)
}
