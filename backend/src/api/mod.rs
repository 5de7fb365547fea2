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

/// JSON body whose rejections are problem+json like every other error. Every body of the API is
/// a JSON object (serde would also read a record from the array of its fields: refused). A number
/// with a zero fraction (`3.0`) is an integer to JSON Schema, so it is read as one where the body
/// has an integer (other clients and generators write numbers so).
pub struct Body<T>(pub T);

impl<T, S> FromRequest<S> for Body<T>
where
    T: serde::de::DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request(req: axum::extract::Request, state: &S) -> Result<Self, Self::Rejection> {
        let Json(mut value) = Json::<serde_json::Value>::from_request(req, state).await?;
        if !value.is_object() {
            return Err(ApiError::BadRequest("JSON inválido: o corpo deve ser um objeto JSON.".into()));
        }
        integral_numbers(&mut value);
        serde_path_to_error::deserialize(value)
            .map(Body)
            .map_err(|e| ApiError::BadRequest(format!("JSON inválido: {}: {}", e.path(), e.inner())))
    }
}

/// Every number with a zero fraction that an integer can hold, as that integer.
fn integral_numbers(v: &mut serde_json::Value) {
    use serde_json::Value;
    match v {
        Value::Number(n) if n.is_f64() => {
            let f = n.as_f64().unwrap_or(f64::NAN);
            // Within ±2^53 every integer is exact in a float.
            if f.fract() == 0.0 && f.abs() <= 9_007_199_254_740_992.0 {
                *n = serde_json::Number::from(f as i64);
            }
        }
        Value::Array(items) => items.iter_mut().for_each(integral_numbers),
        Value::Object(fields) => fields.values_mut().for_each(integral_numbers),
        _ => {}
    }
}

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

#[cfg(test)]
mod tests {
    use serde_json::json;

    #[test]
    fn issue_24_item_5_a_number_with_a_zero_fraction_is_read_as_an_integer() {
        let mut v = json!({"victim": 4479.0, "vitals": [2.0, 2.5, -0.0], "big": 1e300, "n": 7});
        super::integral_numbers(&mut v);
        assert_eq!(v, json!({"victim": 4479, "vitals": [2, 2.5, 0], "big": 1e300, "n": 7}));
        assert!(serde_json::from_value::<u32>(v["victim"].clone()).is_ok());
    }
}
