//! The REST API under `/api/v1/`: one router per resource. Every handler extracts [`AuthUser`]
//! (401 when absent) and calls `require(Permission)` (403) before touching data.

pub mod alarms;
pub mod audit;
pub mod devices;
pub mod documents;
pub mod ingest;
pub mod investigate;
pub mod monitoring;
pub mod openapi;
pub mod photos;
pub mod profiles;
pub(crate) mod reach;
pub mod reports;
pub mod samu;
pub mod users;

use crate::auth::AuthUser;
use crate::error::{ApiError, ApiResult};
use crate::server::AppState;
use crate::store::Store;
use atalaia_core::wire::{FieldError, Health};
use axum::extract::{FromRequest, State};
use axum::routing::get;
use axum::{Json, Router};

/// JSON body whose rejections are problem+json like every other error.
#[derive(FromRequest)]
#[from_request(via(axum::Json), rejection(ApiError))]
pub struct Body<T>(pub T);

impl From<axum::extract::rejection::JsonRejection> for ApiError {
    fn from(rej: axum::extract::rejection::JsonRejection) -> Self {
        crate::error::json_rejection(rej)
    }
}

/// Query string whose rejections are problem+json too.
#[derive(axum::extract::FromRequestParts)]
#[from_request(via(axum::extract::Query), rejection(ApiError))]
pub struct Params<T>(pub T);

impl From<axum::extract::rejection::QueryRejection> for ApiError {
    fn from(rej: axum::extract::rejection::QueryRejection) -> Self {
        ApiError::BadRequest(format!("Parâmetros da consulta inválidos: {}", rej.body_text()))
    }
}

/// 201 for a new record, 200 when a create was a replay of a stored one.
pub fn created<T>(new: bool, value: T) -> (axum::http::StatusCode, Json<T>) {
    (if new { axum::http::StatusCode::CREATED } else { axum::http::StatusCode::OK }, Json(value))
}

/// Refuse with 422 when a body has invalid fields.
pub fn check(errors: Vec<FieldError>) -> ApiResult<()> {
    if errors.is_empty() { Ok(()) } else { Err(ApiError::Validation(errors)) }
}

/// The largest JSON body a route reads unless it says otherwise (photos, documents and the crew's
/// attachments take more): 2 MiB.
pub const JSON_BODY_LIMIT: usize = 2 << 20;

/// Parse a path id, answering 404 (not 400) for ids that cannot exist.
pub fn parse_id<T: std::str::FromStr>(raw: &str, what: &'static str) -> ApiResult<T> {
    raw.parse().map_err(|_| ApiError::NotFound(what))
}

pub fn router(state: AppState) -> Router {
    let api = Router::new()
        .route("/health", get(health))
        .route("/openapi.json", get(openapi::document))
        .route("/live", get(crate::live::handler))
        .merge(users::router())
        .merge(samu::router())
        .merge(monitoring::router())
        .merge(devices::router())
        .merge(photos::router())
        .merge(documents::router())
        .merge(profiles::router())
        .merge(ingest::router())
        .merge(alarms::router())
        .merge(audit::router())
        .merge(investigate::router())
        .merge(reports::router())
        .fallback(not_found)
        .layer(axum::middleware::from_fn_with_state(state.clone(), crate::idempotency::layer))
        .layer(axum::middleware::map_response(crate::error::problems_only))
        .layer(axum::extract::DefaultBodyLimit::max(JSON_BODY_LIMIT));
    Router::new()
        .nest(atalaia_core::wire::API_PREFIX, api)
        .merge(crate::crew_app::router())
        .fallback(not_found)
        // Spans carry the path only: a `?token=` on the live feed must never reach a log.
        .layer(tower_http::trace::TraceLayer::new_for_http().make_span_with(
            |req: &axum::http::Request<axum::body::Body>| {
                tracing::debug_span!("request", method = %req.method(), path = %req.uri().path())
            },
        ))
        .with_state(state)
}

async fn not_found() -> ApiError {
    ApiError::NotFound("Recurso")
}

/// Liveness and database reachability; no authentication, so load balancers and the console's
/// connection screen can call it.
#[utoipa::path(get, path = "/api/v1/health", tag = "system", responses((status = 200, body = Health)))]
pub async fn health(State(state): State<AppState>) -> ApiResult<Json<Health>> {
    let seq = state.store.read(|c| Store::head_seq(c)).await?;
    Ok(Json(Health {
        status: "ok".into(),
        version: env!("CARGO_PKG_VERSION").into(),
        seq,
        database: "ok".into(),
        leader: state.store.leader().is_some(),
    }))
}

/// The caller, for handlers that only need authentication.
pub type Caller = AuthUser;
