//! Reports (16.2.10) as CSV or PDF downloads, and the BI export of the event history (16.2.21).
//! Every export is recorded in the audit trail (16.3.2.10).

use super::{Caller, Params, check};
use crate::error::{ApiError, ApiResult};
use crate::reports::{self, Table};
use crate::server::AppState;
use crate::store::Store;
use atalaia_core::alarm::Domain;
use atalaia_core::auth::Permission;
use atalaia_core::ids::PersonId;
use atalaia_core::wire::{FieldError, Problem};
use axum::Router;
use axum::extract::{Path, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use chrono::{DateTime, Utc};

pub fn router() -> Router<AppState> {
    Router::new().route("/reports/{kind}", get(report)).route("/export/events", get(export_events))
}

#[derive(Debug, serde::Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ReportQuery {
    pub from: DateTime<Utc>,
    pub to: DateTime<Utc>,
    /// `csv` (default) or `pdf`.
    #[serde(default)]
    pub format: Option<String>,
    /// Events per person: only this person. Track: the person (required).
    #[serde(default)]
    pub person_id: Option<PersonId>,
}

async fn audit(
    state: &AppState,
    caller: &Caller,
    action: String,
    target: String,
    detail: String,
) -> ApiResult<()> {
    let actor = caller.actor();
    state.store.write(move |ctx| ctx.audit(&actor, &action, &target, &detail)).await?;
    Ok(())
}

/// A report for the period: `events-per-person`, `events-per-supervisor`, `handling-times` or
/// `track` (with `person_id`), as CSV (`;`, UTF-8 with BOM) or PDF.
#[utoipa::path(get, path = "/api/v1/reports/{kind}", tag = "reports", params(("kind" = String, Path), ReportQuery),
    responses((status = 200, description = "text/csv or application/pdf"), (status = 403, body = Problem),
        (status = 404, body = Problem), (status = 422, body = Problem)),
    security(("bearer" = [])))]
pub async fn report(
    State(state): State<AppState>,
    caller: Caller,
    Path(kind): Path<String>,
    Params(q): Params<ReportQuery>,
) -> ApiResult<Response> {
    let pdf = match q.format.as_deref().unwrap_or("csv") {
        "csv" => false,
        "pdf" => true,
        _ => return Err(ApiError::Validation(vec![FieldError::new("format", "Use csv ou pdf.")])),
    };
    let mut errors = Vec::new();
    if q.to <= q.from {
        errors.push(FieldError::new("to", "O fim do período deve ser depois do início."));
    } else if q.to - q.from > chrono::Duration::days(366) {
        errors.push(FieldError::new("to", "O período pode ter no máximo um ano."));
    }
    check(errors)?;
    let tz = state.config.timezone;
    let target = chrono::Duration::minutes(state.config.ack_target_minutes);
    let (from, to, only) = (q.from, q.to, q.person_id);
    // A professional bound to a unit reports on the unit's people only (RFS177).
    let unit = super::reach::unit(&caller);
    let table: Table = match kind.as_str() {
        "events-per-person" => {
            caller.require(Permission::AlarmRead)?;
            state
                .store
                .read(move |c| {
                    if let Some(id) = only {
                        super::reach::person(c, unit.as_deref(), id)?;
                    }
                    let within = super::reach::load(c, unit.as_deref())?;
                    reports::events_per_person(c, from, to, only, tz, within.as_ref())
                })
                .await?
        }
        "events-per-supervisor" => {
            caller.require(Permission::AlarmRead)?;
            state
                .store
                .read(move |c| {
                    let within = super::reach::load(c, unit.as_deref())?;
                    reports::events_per_supervisor(c, from, to, tz, target, within.as_ref())
                })
                .await?
        }
        "handling-times" => {
            if !caller.can(Permission::AlarmRead) && !caller.can(Permission::OccurrenceRead) {
                return Err(ApiError::Forbidden);
            }
            // The central's handling times are management's, not a crew's (issue 23).
            super::samu::crew::not_for_crews(&caller)?;
            let (mut alarms, within) = state
                .store
                .read(move |c| {
                    Ok((reports::alarms_between(c, from, to)?, super::reach::load(c, unit.as_deref())?))
                })
                .await?;
            // Only the alarms of the caller's domains, and of the caller's unit.
            alarms.retain(|a| match a.domain() {
                Domain::Monitoring => caller.can(Permission::AlarmRead),
                Domain::Samu => caller.can(Permission::OccurrenceRead),
            } && super::reach::keeps(within.as_ref(), a));
            reports::handling_times(&alarms, from, to, tz, target)
        }
        "track" => {
            caller.require(Permission::PositionRead)?;
            let Some(id) = only else {
                return Err(ApiError::Validation(vec![FieldError::new(
                    "person_id",
                    "Informe a pessoa (person_id).",
                )]));
            };
            if to - from > chrono::Duration::days(atalaia_core::investigate::MAX_PERIOD_DAYS) {
                return Err(ApiError::Validation(vec![FieldError::new(
                    "to",
                    &format!(
                        "O trajeto pode cobrir no máximo {} dias.",
                        atalaia_core::investigate::MAX_PERIOD_DAYS
                    ),
                )]));
            }
            let person = state.store.read(move |c| super::reach::person(c, unit.as_deref(), id)).await?;
            state.store.read(move |c| reports::track(c, &person, from, to, tz)).await?
        }
        _ => return Err(ApiError::NotFound("Relatório")),
    };
    if pdf && table.rows.len() > reports::MAX_PDF_ROWS {
        return Err(ApiError::Validation(vec![FieldError::new(
            "format",
            &format!(
                "O relatório tem {} linhas; em PDF cabem até {}. Use CSV ou um período menor.",
                table.rows.len(),
                reports::MAX_PDF_ROWS
            ),
        )]));
    }
    audit(
        &state,
        &caller,
        format!("report.{kind}"),
        only.map(|p| p.to_string()).unwrap_or_else(|| kind.clone()),
        format!(
            "{} a {}; {} linhas; {}",
            from.to_rfc3339(),
            to.to_rfc3339(),
            table.rows.len(),
            if pdf { "pdf" } else { "csv" }
        ),
    )
    .await?;
    let now = state.clock.now().with_timezone(&tz);
    let stamp = now.format("%Y%m%d-%H%M");
    let (body, mime, ext) = if pdf {
        let generated =
            format!("Atalaia — gerado em {} por {}", now.format("%d/%m/%Y %H:%M"), caller.user.display_name);
        (reports::to_pdf(&table, &generated), "application/pdf", "pdf")
    } else {
        (reports::to_csv(&table), "text/csv; charset=utf-8", "csv")
    };
    Ok((
        [
            (header::CONTENT_TYPE, mime.to_owned()),
            (header::CONTENT_DISPOSITION, format!("attachment; filename=\"atalaia-{kind}-{stamp}.{ext}\"")),
        ],
        body,
    )
        .into_response())
}

#[derive(Debug, serde::Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ExportQuery {
    /// Events after this sequence number (0: from the start); continue from the last line's `seq`.
    #[serde(default, deserialize_with = "atalaia_core::wire::int64::required")]
    pub since: u64,
    /// At most this many lines (default and maximum 50,000).
    #[serde(default, deserialize_with = "atalaia_core::wire::int64::optional")]
    pub limit: Option<u64>,
    /// Comma-separated event kinds (alarm, notification, position, occurrence, vehicle, person,
    /// device, zone, command, ...); all when absent.
    #[serde(default)]
    pub kinds: Option<String>,
}

/// The event history for BI tools (16.2.21), as JSON Lines (`application/x-ndjson`): one
/// `{"seq", "at", "kind", "body"}` object per line, oldest first, resumable by `since`.
#[utoipa::path(get, path = "/api/v1/export/events", tag = "reports", params(ExportQuery),
    responses((status = 200, description = "application/x-ndjson"), (status = 403, body = Problem),
        (status = 422, body = Problem, description = "an unknown event kind")),
    security(("bearer" = [])))]
pub async fn export_events(
    State(state): State<AppState>,
    caller: Caller,
    Params(q): Params<ExportQuery>,
) -> ApiResult<Response> {
    caller.require(Permission::AuditRead)?;
    // The whole event history is the central's: a unit reaches only its own people (RFS177).
    if caller.user.unit.is_some() {
        return Err(ApiError::Forbidden);
    }
    let limit = q.limit.unwrap_or(50_000).clamp(1, 50_000) as usize;
    let kinds: Vec<String> = q
        .kinds
        .as_deref()
        .unwrap_or("")
        .split(',')
        .map(|k| k.trim().to_owned())
        .filter(|k| !k.is_empty())
        .collect();
    if let Some(bad) = kinds.iter().find(|k| !k.chars().all(|c| c.is_ascii_lowercase() || c == '_')) {
        return Err(ApiError::Validation(vec![FieldError::new(
            "kinds",
            &format!("Tipo de evento inválido: {bad}"),
        )]));
    }
    let since = q.since;
    let filter = kinds.clone();
    let rows = state.store.read(move |c| Store::events_export(c, since, limit, &filter)).await?;
    audit(
        &state,
        &caller,
        "export.events".into(),
        "events".into(),
        format!(
            "após {since}; {} linhas; tipos: {}",
            rows.len(),
            if kinds.is_empty() { "todos".into() } else { kinds.join(",") }
        ),
    )
    .await?;
    let mut out = String::with_capacity(rows.iter().map(|r| r.body.len() + 80).sum());
    for r in rows {
        let head = serde_json::json!({"seq": r.seq, "at": r.at, "kind": r.kind}).to_string();
        out.push_str(&head[..head.len() - 1]);
        out.push_str(",\"body\":");
        out.push_str(&r.body);
        out.push_str("}\n");
    }
    Ok(([(header::CONTENT_TYPE, "application/x-ndjson")], out).into_response())
}
