//! Profiles an administrator defines (16.2.14, RFS169-171): sets of permissions given to users,
//! with the permission report per profile and per user. The nine roles are the seeded profiles;
//! they are kept as shipped (a new profile starts from one of them).

use super::{Body, Caller, check, parse_id};
use crate::auth;
use crate::error::{ApiError, ApiResult};
use crate::server::AppState;
use crate::store::{Store, StoreError};
use atalaia_core::auth::{Permission, Profile};
use atalaia_core::ids::UserId;
use atalaia_core::wire::{NewProfile, PermissionLine, PermissionReport, Problem, UserInfo, UserProfile};
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::routing::{get, put};
use axum::{Json, Router};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/profiles", get(list).post(create))
        .route("/profiles/{id}", put(update))
        .route("/profiles/{id}/report", get(report))
        .route("/users/{id}/profile", put(assign))
        .route("/users/{id}/permissions", get(user_report))
}

/// Refuses to grant what the caller may not do: a user administrator cannot make a profile (or a
/// user) more powerful than their own.
pub(crate) fn within_reach(caller: &Caller, wanted: &[Permission]) -> ApiResult<()> {
    let beyond: Vec<&str> = wanted.iter().filter(|p| !caller.can(**p)).map(|p| p.label()).collect();
    if beyond.is_empty() {
        return Ok(());
    }
    Err(ApiError::Validation(vec![atalaia_core::wire::FieldError::new(
        "permissions",
        &format!("Você não pode conceder o que seu próprio perfil não permite: {}.", beyond.join(", ")),
    )]))
}

/// Refuses a change after which no active user could administer users.
fn keeps_an_administrator(conn: crate::store::db::Db<'_>) -> Result<(), StoreError> {
    if Store::active_users_with(conn, Permission::UserAdmin)?.is_empty() {
        return Err(StoreError::Conflict(
            "Ao menos um usuário ativo precisa continuar administrando usuários.".into(),
        ));
    }
    Ok(())
}

fn lines(p: &Profile) -> Vec<PermissionLine> {
    Permission::ALL
        .into_iter()
        .map(|perm| PermissionLine { permission: perm, label: perm.label().to_owned(), granted: p.can(perm) })
        .collect()
}

/// Who gained and lost what, for the audit trail.
fn difference(before: &[Permission], after: &[Permission]) -> String {
    let names = |v: Vec<&Permission>| v.iter().map(|p| p.label()).collect::<Vec<_>>().join(", ");
    let added = names(after.iter().filter(|p| !before.contains(p)).collect());
    let removed = names(before.iter().filter(|p| !after.contains(p)).collect());
    format!(
        "concedidas: {}; retiradas: {}",
        if added.is_empty() { "—" } else { &added },
        if removed.is_empty() { "—" } else { &removed }
    )
}

#[utoipa::path(get, path = "/api/v1/profiles", tag = "auth", responses((status = 200, body = [Profile]), (status = 403, body = Problem)), security(("bearer" = [])))]
pub async fn list(State(state): State<AppState>, caller: Caller) -> ApiResult<Json<Vec<Profile>>> {
    caller.require(Permission::UserAdmin)?;
    Ok(Json(state.store.read(|c| Store::profiles(c)).await?))
}

/// Define a profile; 409 when its identifier is taken (a seeded one included).
#[utoipa::path(post, path = "/api/v1/profiles", tag = "auth", request_body = NewProfile,
    responses((status = 201, body = Profile), (status = 409, body = Problem), (status = 422, body = Problem)), security(("bearer" = [])))]
pub async fn create(
    State(state): State<AppState>,
    caller: Caller,
    Body(new): Body<NewProfile>,
) -> ApiResult<(StatusCode, Json<Profile>)> {
    caller.require(Permission::UserAdmin)?;
    super::reach::central_only(&caller)?;
    check(new.validate())?;
    within_reach(&caller, &new.permissions)?;
    let actor = caller.actor();
    let mut p = Profile {
        id: new.id.trim().to_owned(),
        name: new.name.trim().to_owned(),
        base: new.base,
        permissions: new.permissions,
        builtin: false,
    };
    p.normalise();
    let p = state
        .store
        .write(move |ctx| {
            if Store::profile(ctx.conn, &p.id)?.is_some() {
                return Err(StoreError::Conflict(format!(
                    "Já existe um perfil com o identificador {}.",
                    p.id
                )));
            }
            Store::save_profile(ctx.conn, &p)?;
            ctx.audit(
                &actor,
                "profile.create",
                &p.id,
                &format!("{}: {}", p.name, difference(&[], &p.permissions)),
            )?;
            Ok(p)
        })
        .await?;
    Ok((StatusCode::CREATED, Json(p)))
}

/// Change a defined profile's name, base and permissions; they apply to its users' next
/// request. A seeded profile is kept as shipped (409).
#[utoipa::path(put, path = "/api/v1/profiles/{id}", tag = "auth", params(("id" = String, Path)), request_body = NewProfile,
    responses((status = 200, body = Profile), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)), security(("bearer" = [])))]
pub async fn update(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    Body(mut new): Body<NewProfile>,
) -> ApiResult<Json<Profile>> {
    caller.require(Permission::UserAdmin)?;
    super::reach::central_only(&caller)?;
    new.id = id.clone();
    check(new.validate())?;
    within_reach(&caller, &new.permissions)?;
    let actor = caller.actor();
    let p = state
        .store
        .write(move |ctx| {
            let before = Store::profile(ctx.conn, &id)?.ok_or(StoreError::NotFound("Perfil"))?;
            if before.builtin {
                return Err(StoreError::Conflict(
                    "Um perfil padrão não é alterado; crie um perfil novo com as permissões desejadas."
                        .into(),
                ));
            }
            let mut p = Profile {
                name: new.name.trim().to_owned(),
                base: new.base,
                permissions: new.permissions,
                ..before.clone()
            };
            p.normalise();
            Store::save_profile(ctx.conn, &p)?;
            // Its users work at the profile's kind of seat.
            Store::rebase_profile_users(ctx.conn, &p)?;
            keeps_an_administrator(ctx.conn)?;
            ctx.audit(&actor, "profile.update", &p.id, &difference(&before.permissions, &p.permissions))?;
            Ok(p)
        })
        .await?;
    Ok(Json(p))
}

/// The permission report of a profile: every permission, granted or not, and its users (RFS171).
#[utoipa::path(get, path = "/api/v1/profiles/{id}/report", tag = "auth", params(("id" = String, Path)),
    responses((status = 200, body = PermissionReport), (status = 404, body = Problem)), security(("bearer" = [])))]
pub async fn report(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> ApiResult<Json<PermissionReport>> {
    caller.require(Permission::UserAdmin)?;
    let lookup = id.clone();
    let profile =
        state.store.read(move |c| Store::profile(c, &lookup)).await?.ok_or(ApiError::NotFound("Perfil"))?;
    let users: Vec<UserInfo> = auth::list_users(&state.store)
        .await?
        .into_iter()
        .filter(|u| u.profile.as_deref() == Some(id.as_str()) && auth::administers(&caller, u))
        .collect();
    Ok(Json(PermissionReport { permissions: lines(&profile), profile, users }))
}

/// Give a user a profile (and the profile's kind of seat); from the user's next request on they
/// may do exactly what it grants. Audited with the reason-free difference of permissions.
#[utoipa::path(put, path = "/api/v1/users/{id}/profile", tag = "auth", params(("id" = atalaia_core::ids::UserId, Path)), request_body = UserProfile,
    responses((status = 200, body = UserInfo), (status = 404, body = Problem),
        (status = 409, body = Problem, description = "an administrator changing their own profile")), security(("bearer" = [])))]
pub async fn assign(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    Body(body): Body<UserProfile>,
) -> ApiResult<Json<UserInfo>> {
    caller.require(Permission::UserAdmin)?;
    let user: UserId = parse_id(&id, "Usuário")?;
    if user == caller.user.id {
        return Err(ApiError::Conflict(
            "Ninguém altera o próprio perfil; peça a outro administrador.".into(),
        ));
    }
    let before = auth::list_users(&state.store)
        .await?
        .into_iter()
        .find(|u| u.id == user && auth::administers(&caller, u))
        .ok_or(ApiError::NotFound("Usuário"))?;
    let actor = caller.actor();
    let was = before.permissions.clone().unwrap_or_default();
    let reach: Vec<Permission> = Permission::ALL.into_iter().filter(|p| caller.can(*p)).collect();
    state
        .store
        .write(move |ctx| {
            let p = Store::profile(ctx.conn, body.profile.trim())?.ok_or(StoreError::NotFound("Perfil"))?;
            if let Some(beyond) = p.permissions.iter().find(|perm| !reach.contains(perm)) {
                return Err(StoreError::Conflict(format!(
                    "Você não pode conceder o que seu próprio perfil não permite: {}.",
                    beyond.label()
                )));
            }
            if !Store::set_user_profile(ctx.conn, &user.to_string(), &p)? {
                return Err(StoreError::NotFound("Usuário"));
            }
            keeps_an_administrator(ctx.conn)?;
            ctx.audit(
                &actor,
                "user.profile",
                &user.to_string(),
                &format!("perfil {}; {}", p.id, difference(&was, &p.permissions)),
            )
        })
        .await?;
    let after = auth::list_users(&state.store)
        .await?
        .into_iter()
        .find(|u| u.id == user)
        .ok_or(ApiError::NotFound("Usuário"))?;
    Ok(Json(after))
}

/// The permission report of a user: their profile, what it grants (RFS171).
#[utoipa::path(get, path = "/api/v1/users/{id}/permissions", tag = "auth", params(("id" = atalaia_core::ids::UserId, Path)),
    responses((status = 200, body = PermissionReport), (status = 404, body = Problem)), security(("bearer" = [])))]
pub async fn user_report(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> ApiResult<Json<PermissionReport>> {
    caller.require(Permission::UserAdmin)?;
    let user: UserId = parse_id(&id, "Usuário")?;
    let found = auth::list_users(&state.store)
        .await?
        .into_iter()
        .find(|u| u.id == user && auth::administers(&caller, u))
        .ok_or(ApiError::NotFound("Usuário"))?;
    let key = found.profile.clone().unwrap_or_else(|| found.role.key().to_owned());
    let profile = state.store.read(move |c| Store::profile(c, &key)).await?.unwrap_or_else(|| Profile {
        id: found.profile.clone().unwrap_or_default(),
        name: "Perfil removido".into(),
        base: found.role,
        permissions: Vec::new(),
        builtin: false,
    });
    Ok(Json(PermissionReport { permissions: lines(&profile), profile, users: vec![found] }))
}
