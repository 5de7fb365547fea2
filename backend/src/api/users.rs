//! Login, logout, the current user and user administration.

use super::{Body, Caller};
use crate::auth;
use crate::error::ApiResult;
use crate::server::AppState;
use atalaia_core::auth::Permission;
use atalaia_core::wire::{LoginRequest, LoginResponse, NewUser, Problem, UserInfo};
use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::{get, post};
use axum::{Json, Router};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/auth/login", post(login))
        .route("/auth/logout", post(logout))
        .route("/auth/me", get(me))
        .route("/users", get(list).post(create))
}

#[utoipa::path(post, path = "/api/v1/auth/login", tag = "auth", request_body = LoginRequest,
    responses((status = 200, body = LoginResponse), (status = 401, body = Problem), (status = 429, body = Problem)))]
pub async fn login(
    State(state): State<AppState>,
    Body(req): Body<LoginRequest>,
) -> ApiResult<Json<LoginResponse>> {
    Ok(Json(auth::login(&state, &req.username, &req.password).await?))
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
    Ok(Json(auth::list_users(&state.store).await?))
}

#[utoipa::path(post, path = "/api/v1/users", tag = "auth", request_body = NewUser,
    responses((status = 201, body = UserInfo), (status = 409, body = Problem), (status = 422, body = Problem)), security(("bearer" = [])))]
pub async fn create(
    State(state): State<AppState>,
    caller: Caller,
    Body(new): Body<NewUser>,
) -> ApiResult<(StatusCode, Json<UserInfo>)> {
    caller.require(Permission::UserAdmin)?;
    Ok((StatusCode::CREATED, Json(auth::create_user(&state.store, Some(&caller.user), new).await?)))
}
