//! Login, logout, the current user and user administration.

use super::Params;
use super::{Body, Caller};
use crate::auth;
use crate::error::{ApiError, ApiResult};
use crate::server::AppState;
use atalaia_core::auth::Permission;
use atalaia_core::wire::{
    LoginRequest, LoginResponse, NewUser, PasswordChange, Problem, UserInfo, UserReportLine,
};
use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::{get, post};
use axum::{Json, Router};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/auth/login", post(login))
        .route("/auth/logout", post(logout))
        .route("/auth/me", get(me))
        .route("/auth/password", post(change_password))
        .route("/users", get(list).post(create))
        .route("/users/{id}/unlock", post(unlock))
        .route("/users/report", get(report))
        .route("/users/names", get(names))
        .route("/users/{id}/active", post(set_active))
        .route("/users/{id}/unit", axum::routing::put(set_unit))
}

#[utoipa::path(post, path = "/api/v1/auth/login", tag = "auth", request_body = LoginRequest,
    responses((status = 200, body = LoginResponse), (status = 401, body = Problem), (status = 429, body = Problem)))]
pub async fn login(
    State(state): State<AppState>,
    remote: Option<axum::Extension<axum::extract::ConnectInfo<crate::tls::Remote>>>,
    Body(req): Body<LoginRequest>,
) -> ApiResult<Json<LoginResponse>> {
    // Without a socket (a router called in-process) every caller is one source.
    let source = remote.map_or(std::net::IpAddr::from([0, 0, 0, 0]), |r| r.0.0.0.ip());
    Ok(Json(auth::login(&state, &req.username, &req.password, source).await?))
}

/// Lift every login block on a user's account (throttled sources, an old lock), with the reason
/// (issue 22 item 5); audited as `user.unlock`.
#[utoipa::path(post, path = "/api/v1/users/{id}/unlock", tag = "auth", params(("id" = atalaia_core::ids::UserId, Path)),
    request_body = atalaia_core::wire::Reason,
    responses((status = 204), (status = 403, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem)),
    security(("bearer" = [])))]
pub async fn unlock(
    State(state): State<AppState>,
    caller: Caller,
    axum::extract::Path(id): axum::extract::Path<String>,
    Body(req): Body<atalaia_core::wire::Reason>,
) -> ApiResult<StatusCode> {
    caller.require(Permission::UserAdmin)?;
    let id: atalaia_core::ids::UserId = super::parse_id(&id, "Usuário")?;
    auth::unlock(&state, &caller, id, &req.reason).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(post, path = "/api/v1/auth/logout", tag = "auth", responses((status = 204)), security(("bearer" = [])))]
pub async fn logout(State(state): State<AppState>, caller: Caller) -> ApiResult<StatusCode> {
    auth::logout(&state.store, &caller).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(get, path = "/api/v1/auth/me", tag = "auth", responses((status = 200, body = UserInfo), (status = 401, body = Problem)), security(("bearer" = [])))]
pub async fn me(caller: Caller) -> Json<UserInfo> {
    Json(caller.user)
}

#[utoipa::path(get, path = "/api/v1/users", tag = "auth", responses((status = 200, body = [UserInfo]), (status = 403, body = Problem)), security(("bearer" = [])))]
pub async fn list(State(state): State<AppState>, caller: Caller) -> ApiResult<Json<Vec<UserInfo>>> {
    caller.require(Permission::UserAdmin)?;
    // An administrator of a unit keeps that unit's professionals (RFS177).
    let users = auth::list_users(&state.store).await?;
    Ok(Json(users.into_iter().filter(|u| auth::administers(&caller, u)).collect()))
}

/// Bind a professional to an organisational unit, or to the central (`unit` null), with the
/// reason (RFS177): bound to a unit, they reach only the monitored people of its region.
#[utoipa::path(put, path = "/api/v1/users/{id}/unit", tag = "auth", params(("id" = atalaia_core::ids::UserId, Path)),
    request_body = atalaia_core::wire::UserUnit,
    responses((status = 200, body = UserInfo), (status = 403, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem)),
    security(("bearer" = [])))]
pub async fn set_unit(
    State(state): State<AppState>,
    caller: Caller,
    axum::extract::Path(id): axum::extract::Path<String>,
    Body(change): Body<atalaia_core::wire::UserUnit>,
) -> ApiResult<Json<UserInfo>> {
    caller.require(Permission::UserAdmin)?;
    let id = super::parse_id(&id, "Usuário")?;
    Ok(Json(auth::set_unit(&state, &caller, id, change).await?))
}

/// Take a user's access away or give it back, with the reason (RFS170); the account is kept.
#[utoipa::path(post, path = "/api/v1/users/{id}/active", tag = "auth", params(("id" = atalaia_core::ids::UserId, Path)),
    request_body = atalaia_core::wire::UserActivation,
    responses((status = 200, body = UserInfo), (status = 403, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)),
    security(("bearer" = [])))]
pub async fn set_active(
    State(state): State<AppState>,
    caller: Caller,
    axum::extract::Path(id): axum::extract::Path<String>,
    Body(change): Body<atalaia_core::wire::UserActivation>,
) -> ApiResult<Json<UserInfo>> {
    caller.require(Permission::UserAdmin)?;
    let id = super::parse_id(&id, "Usuário")?;
    Ok(Json(auth::set_active(&state, &caller, id, change).await?))
}

/// Every user's name, for any logged-in user: the console names who claimed an alarm or wrote
/// a note (III-2.14) instead of "another operator".
#[utoipa::path(get, path = "/api/v1/users/names", tag = "auth", responses((status = 200, body = [atalaia_core::wire::UserName]), (status = 401, body = Problem)), security(("bearer" = [])))]
pub async fn names(
    State(state): State<AppState>,
    _caller: Caller,
) -> ApiResult<Json<Vec<atalaia_core::wire::UserName>>> {
    let users = auth::list_users(&state.store).await?;
    Ok(Json(
        users
            .into_iter()
            .map(|u| atalaia_core::wire::UserName { id: u.id, display_name: u.display_name })
            .collect(),
    ))
}

#[utoipa::path(post, path = "/api/v1/users", tag = "auth", request_body = NewUser,
    responses((status = 201, body = UserInfo), (status = 409, body = Problem), (status = 422, body = Problem)), security(("bearer" = [])))]
pub async fn create(
    State(state): State<AppState>,
    caller: Caller,
    Body(new): Body<NewUser>,
) -> ApiResult<(StatusCode, Json<UserInfo>)> {
    caller.require(Permission::UserAdmin)?;
    // Nobody gives another user more than they may do themselves.
    super::profiles::within_reach(&caller, &atalaia_core::auth::Profile::seeded(new.role).permissions)?;
    // An administrator of a unit registers professionals of that unit only (RFS177).
    let mut new = new;
    if let Some(own) = &caller.user.unit {
        match &new.unit {
            Some(u) if !atalaia_core::monitoring::reach::same_unit(u, own) => {
                return Err(ApiError::Forbidden);
            }
            _ => new.unit = Some(own.clone()),
        }
    }
    Ok((StatusCode::CREATED, Json(auth::create_user(&state.store, Some(&caller.user), new, true).await?)))
}

/// Change one's own password at any time (III-2.23); the user's other sessions end.
#[utoipa::path(post, path = "/api/v1/auth/password", tag = "auth", request_body = PasswordChange,
    responses((status = 204), (status = 401, body = Problem), (status = 422, body = Problem)), security(("bearer" = [])))]
pub async fn change_password(
    State(state): State<AppState>,
    caller: Caller,
    Body(req): Body<PasswordChange>,
) -> ApiResult<StatusCode> {
    auth::change_password(&state, &caller, req).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Debug, serde::Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ReportQuery {
    /// Period of the access counts, in days [default: 30].
    pub days: Option<i64>,
}

/// Enabled users, their password age against the change policy and their accesses (16.3.2.3,
/// 16.3.2.4), for administrators and auditors.
#[utoipa::path(get, path = "/api/v1/users/report", tag = "auth", params(ReportQuery),
    responses((status = 200, body = [UserReportLine]), (status = 403, body = Problem)), security(("bearer" = [])))]
pub async fn report(
    State(state): State<AppState>,
    caller: Caller,
    Params(q): Params<ReportQuery>,
) -> ApiResult<Json<Vec<UserReportLine>>> {
    if !caller.can(Permission::UserAdmin) {
        caller.require(Permission::AuditRead)?;
    }
    let mut lines = auth::users_report(&state, q.days.unwrap_or(30).clamp(1, 3_650)).await?;
    // Someone bound to a unit reports on the unit's professionals (RFS177).
    if caller.user.unit.is_some() {
        let ours: std::collections::HashSet<String> = auth::list_users(&state.store)
            .await?
            .into_iter()
            .filter(|u| auth::administers(&caller, u))
            .map(|u| u.username)
            .collect();
        lines.retain(|l| ours.contains(&l.username));
    }
    Ok(Json(lines))
}
