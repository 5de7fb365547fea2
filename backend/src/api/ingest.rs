//! What the device listeners saw besides data: refused reports, what each device sent that the
//! server counts instead of using, and the device models that decide what inputs mean.

use super::Caller;
use super::Params;
use crate::error::ApiResult;
use crate::server::AppState;
use crate::store::{IngestCounter, IngestReject, Store};
use atalaia_core::auth::Permission;
use atalaia_core::devices::DeviceModel;
use atalaia_core::wire::Problem;
use axum::extract::State;
use axum::routing::get;
use axum::{Json, Router};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/ingest/rejects", get(list_rejects))
        .route("/ingest/unhandled", get(list_unhandled))
        .route("/device-models", get(list_models))
}

/// Refused device reports (unknown or inactive identifier, oversized or malformed request),
/// newest first: at most a few rows per source and minute, the rest folded into `count`.
#[utoipa::path(get, path = "/api/v1/ingest/rejects", tag = "monitoring",
    responses((status = 200, body = [IngestReject]), (status = 403, body = Problem)), security(("bearer" = [])))]
pub async fn list_rejects(
    State(state): State<AppState>,
    caller: Caller,
) -> ApiResult<Json<Vec<IngestReject>>> {
    caller.require(Permission::DeviceRead)?;
    super::reach::central_only(&caller)?;
    Ok(Json(state.store.read(|c| Store::rejects(c, 500)).await?))
}

#[derive(Debug, serde::Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct UnhandledQuery {
    /// Only this device (its wire identifier, the IMEI).
    pub device: Option<String>,
}

/// Per device, what it sent that the server counts instead of using: frame types not handled or
/// not used, implausible times, inputs its model does not read (issue 20).
#[utoipa::path(get, path = "/api/v1/ingest/unhandled", tag = "monitoring", params(UnhandledQuery),
    responses((status = 200, body = [IngestCounter]), (status = 403, body = Problem)), security(("bearer" = [])))]
pub async fn list_unhandled(
    State(state): State<AppState>,
    caller: Caller,
    Params(q): Params<UnhandledQuery>,
) -> ApiResult<Json<Vec<IngestCounter>>> {
    caller.require(Permission::DeviceRead)?;
    super::reach::central_only(&caller)?;
    Ok(Json(state.store.read(move |c| Store::unhandled(c, q.device.as_deref())).await?))
}

/// The device models this server knows and what each input means (docs/DEVICES.md).
#[utoipa::path(get, path = "/api/v1/device-models", tag = "monitoring",
    responses((status = 200, body = [DeviceModel]), (status = 403, body = Problem)), security(("bearer" = [])))]
pub async fn list_models(State(state): State<AppState>, caller: Caller) -> ApiResult<Json<Vec<DeviceModel>>> {
    caller.require(Permission::DeviceRead)?;
    Ok(Json(state.models.all().to_vec()))
}
