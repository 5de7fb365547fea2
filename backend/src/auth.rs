//! Users, argon2id password hashes, server-side sessions with expiry, lockout after repeated
//! failures, and the [`AuthUser`] extractor through which every route declares its permission.

use crate::error::{ApiError, ApiResult};
use crate::server::AppState;
use crate::store::db::Db;
use crate::store::{Actor, Store, StoreError, ts};
use argon2::Argon2;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use atalaia_core::auth::{Permission, Role};
use atalaia_core::ids::UserId;
use atalaia_core::wire::{FieldError, LoginResponse, NewUser, PasswordChange, UserInfo, UserReportLine};
use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use chrono::{DateTime, Duration, Utc};
use rand::RngCore;
use sha2::{Digest, Sha256};
use std::sync::OnceLock;

/// Minimum password length accepted at creation and change.
pub use atalaia_core::wire::MIN_PASSWORD_LEN;

pub fn hash_password(password: &str) -> Result<String, ApiError> {
    let mut salt = [0u8; 16];
    rand::rng().fill_bytes(&mut salt);
    let salt = SaltString::encode_b64(&salt).map_err(|e| ApiError::Internal(e.to_string()))?;
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| ApiError::Internal(e.to_string()))
}

pub fn verify_password(hash: &str, password: &str) -> bool {
    PasswordHash::new(hash).is_ok_and(|h| Argon2::default().verify_password(password.as_bytes(), &h).is_ok())
}

/// A valid hash to verify against when the user does not exist, so timing does not reveal names.
fn decoy_hash() -> &'static str {
    static DECOY: OnceLock<String> = OnceLock::new();
    DECOY.get_or_init(|| hash_password("decoy-password-never-used").unwrap_or_default())
}

/// At most this many password verifications run at once (argon2 is deliberately expensive).
fn argon2_permits() -> &'static tokio::sync::Semaphore {
    static PERMITS: OnceLock<tokio::sync::Semaphore> = OnceLock::new();
    PERMITS.get_or_init(|| tokio::sync::Semaphore::new(4))
}

fn token_hash(token: &str) -> String {
    Sha256::digest(token.as_bytes()).iter().map(|b| format!("{b:02x}")).collect()
}

fn new_token() -> String {
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn role_to_str(role: Role) -> String {
    serde_json::to_value(role).ok().and_then(|v| v.as_str().map(str::to_owned)).unwrap_or_default()
}

fn role_from_str(s: &str) -> Option<Role> {
    serde_json::from_value(serde_json::Value::String(s.to_owned())).ok()
}

fn parse_ts(s: &str) -> Option<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(s).ok().map(|t| t.with_timezone(&Utc))
}

struct UserRow {
    info: UserInfo,
    pw_hash: String,
    pw_changed_at: Option<DateTime<Utc>>,
    locked_until: Option<DateTime<Utc>>,
    active: bool,
    must_change: bool,
}

fn user_by_name(conn: Db<'_>, username: &str) -> Result<Option<UserRow>, StoreError> {
    let Some(stored) = Store::user_by_name(conn, username)? else { return Ok(None) };
    let crate::store::StoredUser {
        id,
        username,
        display_name,
        role,
        pw_hash,
        locked_until: locked,
        active,
        pw_changed_at: changed,
        profile,
        must_change,
        unit,
    } = stored;
    let id = id.parse().map_err(|_| StoreError::Migration("bad user id".into()))?;
    let role = role_from_str(&role).ok_or_else(|| StoreError::Migration(format!("unknown role {role}")))?;
    // Exactly what the profile grants, read at every request: a change applies at once.
    let permissions = Store::permissions_of(conn, role, profile.as_deref())?;
    let profile = Some(profile.unwrap_or_else(|| role.key().to_owned()));
    Ok(Some(UserRow {
        info: UserInfo {
            id,
            username,
            display_name,
            role,
            profile,
            permissions: Some(permissions),
            active,
            unit,
        },
        pw_hash,
        pw_changed_at: parse_ts(&changed),
        must_change,
        locked_until: locked.as_deref().and_then(parse_ts),
        active,
    }))
}

/// Create a user. Hashing runs off the async threads; the insert goes through the writer. `by`
/// is who does it (none for the first administrator and the demo seed, which
/// are recorded as `sistema`). `must_change`: the password was chosen by someone else, so the
/// user changes it at the first access.
pub async fn create_user(
    store: &Store,
    by: Option<&UserInfo>,
    new: NewUser,
    must_change: bool,
) -> ApiResult<UserInfo> {
    let actor =
        by.map(Actor::user).unwrap_or_else(|| Actor { username: "sistema".into(), ..Actor::default() });
    let errors = new.validate();
    if !errors.is_empty() {
        return Err(ApiError::Validation(errors));
    }
    let password = new.password.clone();
    let hash = tokio::task::spawn_blocking(move || hash_password(&password))
        .await
        .map_err(|e| ApiError::Internal(e.to_string()))??;
    let info = UserInfo {
        id: UserId::new(),
        username: new.username.trim().to_owned(),
        display_name: new.display_name.trim().to_owned(),
        role: new.role,
        profile: Some(new.role.key().to_owned()),
        permissions: Some(atalaia_core::auth::Profile::seeded(new.role).permissions),
        active: true,
        unit: new.unit.as_deref().map(str::trim).filter(|u| !u.is_empty()).map(str::to_owned),
    };
    let row = info.clone();
    store
        .write(move |ctx| {
            let (id, created_at) = (row.id.to_string(), ts(ctx.now));
            let inserted = Store::insert_user(
                ctx.conn,
                &crate::store::NewUserRow {
                    id: &id,
                    username: &row.username,
                    display_name: &row.display_name,
                    role: &role_to_str(row.role),
                    pw_hash: &hash,
                    created_at: &created_at,
                    must_change,
                    unit: row.unit.as_deref(),
                },
            )?;
            if !inserted {
                return Err(StoreError::Conflict(format!("O usuário '{}' já existe.", row.username)));
            }
            let unit = row.unit.as_deref().map(|u| format!(", unidade {u}")).unwrap_or_default();
            ctx.audit(
                &actor,
                "user.create",
                &row.username,
                &format!("perfil {}{unit}", role_to_str(row.role)),
            )?;
            Ok(())
        })
        .await?;
    Ok(info)
}

pub async fn user_count(store: &Store) -> ApiResult<i64> {
    Ok(store.read(|c| Store::user_count(c)).await?)
}

pub async fn list_users(store: &Store) -> ApiResult<Vec<UserInfo>> {
    Ok(store
        .read(|c| {
            let mut out = Vec::new();
            for n in Store::user_names(c)? {
                if let Some(u) = user_by_name(c, &n)? {
                    out.push(u.info);
                }
            }
            Ok(out)
        })
        .await?)
}

/// Whether `password` is the current password of `username` (no session, no failure count).
pub async fn password_matches(store: &Store, username: &str, password: &str) -> bool {
    let name = username.to_owned();
    let Ok(Some(row)) = store.read(move |c| user_by_name(c, &name)).await else {
        return false;
    };
    let pw = password.to_owned();
    tokio::task::spawn_blocking(move || verify_password(&row.pw_hash, &pw)).await.unwrap_or(false)
}

/// Check credentials and open a session. Failures count per source address and account
/// (`crate::throttle`): a guesser is slowed, the account's owner elsewhere is not locked out.
pub async fn login(
    state: &AppState,
    username: &str,
    password: &str,
    source: std::net::IpAddr,
) -> ApiResult<LoginResponse> {
    let name = username.trim().to_owned();
    let now = state.clock.now();
    let rules = crate::throttle::Rules {
        max_failures: state.config.max_failed_logins,
        lockout: Duration::minutes(state.config.lockout_minutes),
    };
    if name.chars().count() > atalaia_core::wire::NAME_MAX || password.chars().count() > 1_024 {
        // No such account, and nothing worth hashing or keeping.
        return Err(ApiError::BadCredentials);
    }
    if let Err(refused) = state.throttle.check(&name, source, now, rules) {
        // Refused before the password is even hashed: a blocked guesser costs no argon2, and
        // only the first refusal of a block is written to the audit trail.
        if !refused.first {
            return Err(ApiError::Locked);
        }
        let why = match refused.why {
            crate::throttle::Refusal::Account => format!("tentativas em excesso desta origem ({source})"),
            crate::throttle::Refusal::Source => {
                format!("origem bloqueada por tentativas em excesso ({source})")
            }
        };
        let lookup = name.clone();
        let who = match state.store.read(move |c| user_by_name(c, &lookup)).await? {
            Some(u) => Actor::user(&u.info),
            None => Actor { username: "(desconhecido)".into(), ..Actor::default() },
        }
        .from(source.to_string(), LOGIN_ROUTE);
        state.store.write(move |ctx| ctx.audit(&who, "login.failed", "", &why)).await?;
        return Err(ApiError::Locked);
    }
    let row = state.store.read(move |c| user_by_name(c, &name)).await?;
    let (hash, known) = match &row {
        Some(u) if u.active => (u.pw_hash.clone(), true),
        _ => (decoy_hash().to_owned(), false),
    };
    let pw = password.to_owned();
    let ok = {
        // Bounded: a burst of logins queues here instead of filling the blocking pool with argon2.
        let _permit = argon2_permits().acquire().await.map_err(|e| ApiError::Internal(e.to_string()))?;
        tokio::task::spawn_blocking(move || verify_password(&hash, &pw))
            .await
            .map_err(|e| ApiError::Internal(e.to_string()))?
    };
    let inactive = row.as_ref().map(|u| Actor::user(&u.info).from(source.to_string(), LOGIN_ROUTE));
    let Some(user) = row.filter(|_| known) else {
        // An unknown name is not kept: people type passwords into the user field, and the trail
        // cannot be cleaned. An inactive account is a real user name.
        let (who, why) = match inactive {
            Some(a) => (a, "conta inativa"),
            None => (
                Actor { username: "(desconhecido)".into(), ..Actor::default() }
                    .from(source.to_string(), LOGIN_ROUTE),
                "usuário desconhecido",
            ),
        };
        // Guessing user names counts against the source too.
        let blocked = state.throttle.failed(username, true, source, now, rules).is_some();
        let why = format!("{why} (origem {source})");
        state.store.write(move |ctx| ctx.audit(&who, "login.failed", "", &why)).await?;
        return Err(if blocked { ApiError::Locked } else { ApiError::BadCredentials });
    };
    let actor = Actor::user(&user.info).from(source.to_string(), LOGIN_ROUTE);
    if user.locked_until.is_some_and(|t| t > now) {
        let who = actor.clone();
        state.store.write(move |ctx| ctx.audit(&who, "login.failed", "", "conta bloqueada")).await?;
        return Err(ApiError::Locked);
    }
    let id = user.info.id.to_string();
    if !ok {
        let who = actor.clone();
        let blocked = state.throttle.failed(&user.info.username, false, source, now, rules);
        let why = match blocked {
            Some(_) => format!("senha incorreta; origem {source} bloqueada para esta conta"),
            None => format!("senha incorreta (origem {source})"),
        };
        state.store.write(move |ctx| ctx.audit(&who, "login.failed", "", &why)).await?;
        tracing::warn!(user = %user.info.username, %source, blocked = blocked.is_some(), "failed login");
        return Err(if blocked.is_some() { ApiError::Locked } else { ApiError::BadCredentials });
    }
    state.throttle.succeeded(&user.info.username, source);
    let token = new_token();
    let hashed = token_hash(&token);
    let expires_at = now + Duration::minutes(state.config.session_minutes);
    let opened = state
        .store
        .write(move |ctx| {
            // Re-check the lock where writes are serialised: a parallel burst of guesses may have
            // locked the account after this attempt read it as unlocked.
            let locked = Store::user_locked_until(ctx.conn, &id)?;
            if locked.as_deref().and_then(parse_ts).is_some_and(|t| t > ctx.now) {
                ctx.audit(&actor, "login.failed", "", "conta bloqueada")?;
                return Ok(false);
            }
            Store::clear_user_lock(ctx.conn, &id)?;
            Store::open_session(ctx.conn, &hashed, &id, &ts(ctx.now), &ts(expires_at))?;
            ctx.audit(&actor, "login", "", "")?;
            Ok(true)
        })
        .await?;
    if !opened {
        return Err(ApiError::Locked);
    }
    tracing::info!(user = %user.info.username, role = ?user.info.role, "login");
    let max_age = state.config.password_max_age_days;
    let password_expired =
        max_age > 0 && user.pw_changed_at.is_some_and(|t| now - t > Duration::days(max_age));
    Ok(LoginResponse {
        token,
        expires_at,
        user: user.info,
        password_expired,
        must_change_password: user.must_change,
        site_timezone: Some(state.config.timezone.name().to_owned()),
    })
}

/// A user changes their own password (III-2.23): the current one is checked, the new one must
/// follow the policy and differ from it; the user's other sessions end.
pub async fn change_password(state: &AppState, auth: &AuthUser, req: PasswordChange) -> ApiResult<()> {
    if let Some(problem) = req.problem(&auth.user.username) {
        return Err(ApiError::Validation(vec![problem]));
    }
    let name = auth.user.username.clone();
    let row = state.store.read(move |c| user_by_name(c, &name)).await?.ok_or(ApiError::Unauthorized)?;
    let (stored, current) = (row.pw_hash.clone(), req.current_password.clone());
    let ok = {
        let _permit = argon2_permits().acquire().await.map_err(|e| ApiError::Internal(e.to_string()))?;
        tokio::task::spawn_blocking(move || verify_password(&stored, &current))
            .await
            .map_err(|e| ApiError::Internal(e.to_string()))?
    };
    let actor = auth.actor();
    if !ok {
        state
            .store
            .write(move |ctx| ctx.audit(&actor, "password.change_failed", "", "senha atual incorreta"))
            .await?;
        return Err(ApiError::Validation(vec![FieldError::new(
            "current_password",
            "Senha atual incorreta.",
        )]));
    }
    let new = req.new_password;
    let hash = tokio::task::spawn_blocking(move || hash_password(&new))
        .await
        .map_err(|e| ApiError::Internal(e.to_string()))??;
    let (id, keep) = (auth.user.id.to_string(), auth.token_hash.clone());
    state
        .store
        .write(move |ctx| {
            Store::set_password(ctx.conn, &id, &hash, &ts(ctx.now))?;
            let ended = Store::end_sessions_of(ctx.conn, &id, Some(&keep))?;
            ctx.audit(&actor, "password.change", "", &format!("{ended} outra(s) sessão(ões) encerrada(s)"))?;
            Ok(())
        })
        .await?;
    Ok(())
}

/// Every user with their password's age against the policy and their accesses in the last
/// `days` days, from the audit trail (16.3.2.3, 16.3.2.4).
pub async fn users_report(state: &AppState, days: i64) -> ApiResult<Vec<UserReportLine>> {
    let now = state.clock.now();
    let since = ts(now - Duration::days(days));
    let max_age = state.config.password_max_age_days;
    Ok(state
        .store
        .read(move |c| {
            let mut out = Vec::new();
            for line in Store::user_activity(c, &since)? {
                let crate::store::UserActivity {
                    username,
                    display_name,
                    role,
                    active,
                    created_at: created,
                    pw_changed_at: changed,
                    last_login: last,
                    logins,
                    failed_logins: failed,
                } = line;
                let bad = |what: &str| StoreError::Migration(format!("bad {what} for user {username}"));
                let created_at = parse_ts(&created).ok_or_else(|| bad("created_at"))?;
                let password_changed_at = parse_ts(&changed).ok_or_else(|| bad("pw_changed_at"))?;
                let age = (now - password_changed_at).num_days();
                out.push(UserReportLine {
                    role: role_from_str(&role).ok_or_else(|| bad("role"))?,
                    display_name,
                    active,
                    created_at,
                    password_changed_at,
                    password_age_days: age,
                    // The same rule as the login's `password_expired`.
                    password_compliant: max_age == 0 || now - password_changed_at <= Duration::days(max_age),
                    last_login_at: last.as_deref().and_then(parse_ts),
                    logins_in_period: logins as u64,
                    failed_logins_in_period: failed as u64,
                    username,
                });
            }
            Ok(out)
        })
        .await?)
}

pub async fn logout(store: &Store, auth: &AuthUser) -> ApiResult<()> {
    let hashed = auth.token_hash.clone();
    let actor = auth.actor();
    store
        .write(move |ctx| {
            Store::end_session(ctx.conn, &hashed)?;
            ctx.audit(&actor, "logout", "", "")?;
            Ok(())
        })
        .await?;
    Ok(())
}

/// The authenticated caller. Extracting it fails with 401 problem+json; [`AuthUser::require`]
/// fails with 403.
#[derive(Debug, Clone)]
pub struct AuthUser {
    pub user: UserInfo,
    token_hash: String,
    /// The caller's IP address (empty when called in-process).
    origin: String,
    /// `METHOD /api/v1/path` of the request (no query: it may carry personal data).
    route: String,
}

impl AuthUser {
    /// The caller as the audit trail records them: who, from where, by which route.
    pub fn actor(&self) -> Actor {
        Actor::user(&self.user).from(self.origin.clone(), self.route.clone())
    }

    pub fn require(&self, p: Permission) -> ApiResult<()> {
        if self.user.can(p) {
            Ok(())
        } else {
            tracing::warn!(user = %self.user.username, permission = ?p, "forbidden");
            Err(ApiError::Forbidden)
        }
    }

    pub fn can(&self, p: Permission) -> bool {
        self.user.can(p)
    }

    /// Whether the session is still open, unexpired, for an active user with the same role.
    pub async fn still_valid(&self, state: &AppState) -> bool {
        let (hash, role) = (self.token_hash.clone(), role_to_str(self.user.role));
        let (name, granted) = (self.user.username.clone(), self.user.permissions.clone());
        let unit = self.user.unit.clone();
        let now = ts(state.clock.now());
        state
            .store
            .read(move |c| {
                let open = Store::session_open(c, &hash, &now, &role)?;
                // A profile changed under an open live feed ends it too: what it streams was
                // chosen by the permissions it started with.
                // So does a change of unit (RFS177): it streams what the unit reaches.
                Ok(open
                    && user_by_name(c, &name)?
                        .is_some_and(|u| u.info.permissions == granted && u.info.unit == unit))
            })
            .await
            .unwrap_or(false)
    }
}

/// An administrator takes a user's access away, or gives it back, with the reason (RFS170):
/// the account and everything it did are kept; a deactivated user's sessions end at once (their
/// live feeds close at the next check). Nobody deactivates themselves, nor the last active user
/// who administers users.
pub async fn set_active(
    state: &AppState,
    caller: &AuthUser,
    id: UserId,
    change: atalaia_core::wire::UserActivation,
) -> ApiResult<UserInfo> {
    let reason = change.reason.trim().to_owned();
    if let Some(problem) = reason_problem(&reason) {
        return Err(ApiError::Validation(vec![problem]));
    }
    if id == caller.user.id && !change.active {
        return Err(ApiError::Conflict("Você não pode desativar o próprio acesso.".into()));
    }
    let user = administered(state, caller, id).await?;
    // Nobody restores access beyond their own profile.
    if change.active {
        crate::api::profiles::within_reach(caller, user.permissions.as_deref().unwrap_or_default())?;
    }
    let actor = caller.actor();
    let target = id.to_string();
    let username = user.username.clone();
    state
        .store
        .write(move |ctx| {
            Store::set_user_active(ctx.conn, &target, change.active)?;
            if !change.active {
                if Store::active_users_with(ctx.conn, Permission::UserAdmin)?.is_empty() {
                    return Err(StoreError::Conflict(
                        "Ao menos um usuário ativo precisa continuar administrando usuários.".into(),
                    ));
                }
                Store::end_sessions_of(ctx.conn, &target, None)?;
            }
            let action = if change.active { "user.reactivate" } else { "user.deactivate" };
            ctx.audit(&actor, action, &target, &format!("{username}: {reason}"))
        })
        .await?;
    let row = state.store.read(move |c| user_by_name(c, &user.username)).await?;
    row.map(|r| r.info).ok_or(ApiError::NotFound("Usuário"))
}

/// What is wrong with the reason given for a change of someone's access, if anything.
fn reason_problem(reason: &str) -> Option<FieldError> {
    (reason.is_empty() || reason.chars().count() > 500)
        .then(|| FieldError::new("reason", "Informe o motivo (até 500 caracteres)."))
}

/// The user `id`, if `caller` administers them; "not found" otherwise (RFS177).
async fn administered(state: &AppState, caller: &AuthUser, id: UserId) -> ApiResult<UserInfo> {
    list_users(&state.store)
        .await?
        .into_iter()
        .find(|u| u.id == id && administers(caller, u))
        .ok_or(ApiError::NotFound("Usuário"))
}

/// Whether `caller` administers `user`: a central administrator, everyone; one bound to a unit,
/// that unit's professionals (RFS177).
pub fn administers(caller: &AuthUser, user: &UserInfo) -> bool {
    match (&caller.user.unit, &user.unit) {
        (None, _) => true,
        (Some(own), Some(theirs)) => atalaia_core::monitoring::reach::same_unit(own, theirs),
        (Some(_), None) => false,
    }
}

/// An administrator binds a professional to an organisational unit, or to the central (none),
/// with the reason (RFS177), audited as `user.unit`. The change applies from the user's next
/// request; an open live feed ends (it streamed what the old unit reached). An administrator
/// bound to a unit binds users to that unit only, never widens anyone's reach beyond theirs.
pub async fn set_unit(
    state: &AppState,
    caller: &AuthUser,
    id: UserId,
    change: atalaia_core::wire::UserUnit,
) -> ApiResult<UserInfo> {
    let reason = change.reason.trim().to_owned();
    let unit = change.unit.as_deref().map(str::trim).filter(|u| !u.is_empty()).map(str::to_owned);
    let mut errors: Vec<FieldError> = reason_problem(&reason).into_iter().collect();
    if unit.as_ref().is_some_and(|u| u.chars().count() > atalaia_core::wire::UNIT_MAX) {
        errors.push(FieldError::new(
            "unit",
            &format!("A unidade deve ter até {} caracteres.", atalaia_core::wire::UNIT_MAX),
        ));
    }
    if !errors.is_empty() {
        return Err(ApiError::Validation(errors));
    }
    if let Some(own) = &caller.user.unit
        && !unit.as_deref().is_some_and(|u| atalaia_core::monitoring::reach::same_unit(u, own))
    {
        return Err(ApiError::Forbidden);
    }
    let user = administered(state, caller, id).await?;
    let actor = caller.actor();
    let target = id.to_string();
    let username = user.username.clone();
    state
        .store
        .write(move |ctx| {
            Store::set_user_unit(ctx.conn, &target, unit.as_deref())?;
            let to = unit.as_deref().unwrap_or("central (todas as unidades)");
            ctx.audit(&actor, "user.unit", &target, &format!("{username}: {to} — {reason}"))
        })
        .await?;
    let row = state.store.read(move |c| user_by_name(c, &user.username)).await?;
    row.map(|r| r.info).ok_or(ApiError::NotFound("Usuário"))
}

/// An administrator lifts every login block on the account `id` — throttled sources, and a
/// lock left by an earlier version — with the reason, audited as `user.unlock`.
pub async fn unlock(state: &AppState, caller: &AuthUser, id: UserId, reason: &str) -> ApiResult<()> {
    let reason = reason.trim().to_owned();
    if reason.is_empty() {
        return Err(ApiError::Validation(vec![FieldError::new("reason", "Motivo é obrigatório.")]));
    }
    let user = administered(state, caller, id).await?;
    let lifted = state.throttle.unlock(&user.username, state.clock.now());
    let actor = caller.actor();
    let target = id.to_string();
    state
        .store
        .write(move |ctx| {
            Store::clear_user_lock(ctx.conn, &target)?;
            ctx.audit(&actor, "user.unlock", &target, &format!("{reason} ({lifted} origem(ns) liberada(s))"))
        })
        .await?;
    Ok(())
}

/// Bearer token from the header, or `?token=` on the live feed only (browsers cannot set headers
/// on a WebSocket). Anywhere else a token in the address would end up in proxies' logs, browser
/// history and `Referer` headers, so it is not accepted.
fn token_from(parts: &Parts) -> Option<String> {
    if let Some(v) = parts.headers.get(axum::http::header::AUTHORIZATION).and_then(|v| v.to_str().ok()) {
        return v.strip_prefix("Bearer ").map(|t| t.trim().to_owned());
    }
    // Inside the nested API router the URI has lost its `/api/v1` prefix: the original one says.
    let path = parts.extensions.get::<axum::extract::OriginalUri>().map_or(parts.uri.path(), |u| u.0.path());
    if path != LIVE_PATH {
        return None;
    }
    parts.uri.query()?.split('&').find_map(|kv| kv.strip_prefix("token=")).map(str::to_owned)
}

/// What a session may do while its password must be changed.
const WHILE_MUST_CHANGE: [&str; 3] = ["/api/v1/auth/password", "/api/v1/auth/logout", "/api/v1/auth/me"];

/// How a login is named in the audit trail.
const LOGIN_ROUTE: &str = "POST /api/v1/auth/login";

/// The live feed's path: the one route that takes `?token=`.
const LIVE_PATH: &str = "/api/v1/live";

impl FromRequestParts<AppState> for AuthUser {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let token = token_from(parts).ok_or(ApiError::Unauthorized)?;
        let hashed = token_hash(&token);
        let lookup = hashed.clone();
        let found = state.store.read(move |c| Store::session(c, &lookup)).await?;
        let Some((username, expires, active)) = found else {
            return Err(ApiError::Unauthorized);
        };
        if !active {
            return Err(ApiError::Unauthorized);
        }
        if parse_ts(&expires).is_none_or(|t| t <= state.clock.now()) {
            return Err(ApiError::SessionExpired);
        }
        let row =
            state.store.read(move |c| user_by_name(c, &username)).await?.ok_or(ApiError::Unauthorized)?;
        let path =
            parts.extensions.get::<axum::extract::OriginalUri>().map_or(parts.uri.path(), |u| u.0.path());
        // A password someone else chose opens nothing but its own change (16.3.2.3): the console
        // asks for it at login, and no program can go around it.
        if row.must_change && !WHILE_MUST_CHANGE.contains(&path) {
            return Err(ApiError::PasswordChangeRequired);
        }
        let origin = parts
            .extensions
            .get::<axum::extract::ConnectInfo<crate::tls::Remote>>()
            .map(|c| c.0.0.ip().to_string())
            .unwrap_or_default();
        let route = format!("{} {path}", parts.method);
        Ok(AuthUser { user: row.info, token_hash: hashed, origin, route })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn argon2id_hashes_verify_and_differ_per_salt() {
        let a = hash_password("correct horse").expect("hash");
        let b = hash_password("correct horse").expect("hash");
        assert!(a.starts_with("$argon2id$"));
        assert_ne!(a, b);
        assert!(verify_password(&a, "correct horse"));
        assert!(!verify_password(&a, "wrong"));
        assert!(!verify_password("not a hash", "x"));
    }

    #[test]
    fn roles_round_trip_through_their_stored_names() {
        for role in Role::ALL {
            assert_eq!(role_from_str(&role_to_str(role)), Some(role));
        }
    }
}
