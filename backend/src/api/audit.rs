//! The audit trail for auditors and administrators (16.3.2.10, 16.2.17): search and chain
//! verification. Entries are written by the operations themselves (see `store::audit`).

use super::Caller;
use super::Params;
use crate::error::ApiResult;
use crate::server::AppState;
use crate::store::Store;
use atalaia_core::auth::Permission;
use atalaia_core::wire::{AuditCheck, AuditEntry, AuditQuery, Problem};
use axum::extract::State;
use axum::routing::get;
use axum::{Json, Router};

pub fn router() -> Router<AppState> {
    Router::new().route("/audit", get(search)).route("/audit/verify", get(verify))
}

#[utoipa::path(get, path = "/api/v1/audit", tag = "audit", params(AuditQuery),
    responses((status = 200, body = [AuditEntry]), (status = 403, body = Problem)), security(("bearer" = [])))]
pub async fn search(
    State(state): State<AppState>,
    caller: Caller,
    Params(q): Params<AuditQuery>,
) -> ApiResult<Json<Vec<AuditEntry>>> {
    caller.require(Permission::AuditRead)?;
    // Someone bound to a unit reads what the unit's professionals did (RFS177).
    let mut q = q;
    if let Some(own) = &caller.user.unit {
        q.unit = Some(own.clone());
    }
    Ok(Json(state.store.read(move |c| Store::audit_entries(c, &q)).await?))
}

/// Recompute the whole chain; `first_broken` names the first row edited, removed or reordered
/// outside the program.
#[utoipa::path(get, path = "/api/v1/audit/verify", tag = "audit",
    responses((status = 200, body = AuditCheck), (status = 403, body = Problem)), security(("bearer" = [])))]
pub async fn verify(State(state): State<AppState>, caller: Caller) -> ApiResult<Json<AuditCheck>> {
    caller.require(Permission::AuditRead)?;
    Ok(Json(state.store.read(|c| Store::verify_audit(c)).await?))
}
