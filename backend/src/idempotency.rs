//! Exactly-once commands (issue 8): a client that may resend a command — a console replaying its
//! offline outbox, a retry after a timeout — names it with an `Idempotency-Key` header (the
//! console's UUIDv7 command id). The first request that changes anything records the key in the
//! *same* transaction as its change, so a command is either applied with its key stored or not at
//! all; the answer is stored next to it when the handler returns. A repeat of the key is answered
//! with that stored answer (header `Idempotency-Replayed: true`) without running the handler again.
//!
//! Only authenticated commands take part (never `/auth/…`: a login's answer holds a token), and
//! a key belongs to the user who sent it: a replay by anyone else is refused. The handler runs in
//! a task of its own, so a client that hangs up (a pulled cable, a timeout) does not cut the
//! command short between its change and the stored answer.
//!
//! A repeat that arrives while the first is still running gets 409 with `Retry-After: 1`; a key
//! reused for another method or path gets 422. A refusal decided inside the write (an alarm
//! already claimed by someone else) is an answer like any other and is replayed as such; a request
//! refused before it reached the database (malformed body, no permission) leaves no key, so
//! sending it again asks again. Keys are kept 30 days.

use crate::error::{ApiError, problem_response};
use crate::server::AppState;
use crate::store::{Store, StoreError, StoredAnswer, WriteCtx, ts};
use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use std::collections::HashSet;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

pub const HEADER: &str = "idempotency-key";
pub const REPLAYED: &str = "idempotency-replayed";

/// How long a key is remembered: longer than any console stays offline with commands queued.
pub const KEEP_DAYS: i64 = 30;

/// Largest answer stored for a replay (a created record, never a report download).
const MAX_BODY: usize = 4 * 1024 * 1024;

tokio::task_local! {
    static CLAIM: Arc<Claim>;
}

/// The key of the request being handled, claimed by its first successful write.
#[derive(Debug)]
pub struct Claim {
    key: String,
    user: String,
    method: String,
    path: String,
    claimed: AtomicBool,
}

/// Keys whose first request is still running.
#[derive(Debug, Default, Clone)]
pub struct InFlight(Arc<Mutex<HashSet<String>>>);

struct Running {
    set: InFlight,
    key: String,
}

impl Drop for Running {
    fn drop(&mut self) {
        self.set.0.lock().unwrap_or_else(|p| p.into_inner()).remove(&self.key);
    }
}

impl InFlight {
    fn start(&self, key: &str) -> Option<Running> {
        let mut set = self.0.lock().unwrap_or_else(|p| p.into_inner());
        set.insert(key.to_owned()).then(|| Running { set: self.clone(), key: key.to_owned() })
    }
}

/// The claim a write on this task should record, if it has not been recorded yet.
pub(crate) fn pending_claim() -> Option<Arc<Claim>> {
    CLAIM.try_with(|c| c.clone()).ok().filter(|c| !c.claimed.load(Ordering::SeqCst))
}

/// Inside the write's transaction: store the key, failing the write if another request already
/// applied it (only possible when two servers share a database, or after a crash mid-answer).
pub(crate) fn record(ctx: &WriteCtx<'_>, claim: &Claim) -> Result<(), StoreError> {
    let inserted =
        Store::claim_key(ctx.conn, &claim.key, &claim.user, &claim.method, &claim.path, &ts(ctx.now))?;
    if !inserted {
        // Only when two servers share a database: the other one has it. Asked again, this one
        // finds the stored answer.
        return Err(StoreError::Conflict(BUSY.into()));
    }
    Ok(())
}

/// The write that recorded `claim` committed.
pub(crate) fn claimed(claim: &Claim) {
    claim.claimed.store(true, Ordering::SeqCst);
}

/// Said while the first request of a key is still running; the console sends it again later.
pub const BUSY: &str = "Este comando ainda está sendo processado; tente de novo em instantes.";

fn valid_key(key: &str) -> bool {
    (8..=100).contains(&key.len()) && key.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

/// Middleware on the API router.
pub async fn layer(State(state): State<AppState>, req: Request, next: Next) -> Response {
    if !matches!(*req.method(), Method::POST | Method::PUT | Method::PATCH | Method::DELETE) {
        return next.run(req).await;
    }
    let Some(raw) = req.headers().get(HEADER) else { return next.run(req).await };
    let key = match raw.to_str() {
        Ok(k) if valid_key(k) => k.to_owned(),
        _ => {
            return ApiError::BadRequest(
                "Cabeçalho Idempotency-Key inválido: use de 8 a 100 letras, dígitos, '-' ou '_'.".into(),
            )
            .into_response();
        }
    };
    let (method, path) = (req.method().to_string(), req.uri().path().to_owned());
    if path.starts_with(&format!("{}/auth/", atalaia_core::wire::API_PREFIX)) {
        return next.run(req).await;
    }
    // Whose command: an unauthenticated one is the handler's to refuse, and keeps no key.
    let (mut parts, body) = req.into_parts();
    let caller = <crate::auth::AuthUser as axum::extract::FromRequestParts<AppState>>::from_request_parts(
        &mut parts, &state,
    )
    .await;
    let req = Request::from_parts(parts, body);
    let Ok(caller) = caller else { return next.run(req).await };
    let user = caller.user.id.to_string();
    let Some(running) = state.idempotency.start(&key) else {
        let mut resp = ApiError::Conflict(BUSY.into()).into_response();
        resp.headers_mut().insert(header::RETRY_AFTER, HeaderValue::from_static("1"));
        return resp;
    };
    let lookup = key.clone();
    let stored = state.store.read(move |c| Store::stored_answer(c, &lookup)).await;
    match stored {
        Err(e) => return ApiError::from(e).into_response(),
        // Another command's key, or another user's: refused, without saying which.
        Ok(Some(s)) if s.user != user || s.method != method || s.path != path => {
            return problem_response(
                &ApiError::Validation(vec![atalaia_core::wire::FieldError::new(
                    "Idempotency-Key",
                    "Esta chave já identifica outro comando.",
                )])
                .problem(),
            );
        }
        Ok(Some(s)) => return replay(s),
        Ok(None) => {}
    }
    let claim = Arc::new(Claim { key: key.clone(), user, method, path, claimed: AtomicBool::new(false) });
    // In a task of its own: finished (and its answer stored) even if the client hangs up.
    let task = tokio::spawn(async move {
        let _running = running;
        let resp = CLAIM.scope(claim.clone(), next.run(req)).await;
        if !claim.claimed.load(Ordering::SeqCst) {
            return resp;
        }
        store_answer(&state, key, resp).await
    });
    match task.await {
        Ok(resp) => resp,
        Err(e) => ApiError::Internal(format!("command task failed: {e}")).into_response(),
    }
}

/// Keeps the answer of a command whose change committed with its key, and hands it back.
async fn store_answer(state: &AppState, key: String, resp: Response) -> Response {
    // The change is committed with its key: keep the answer for a replay.
    let (parts, body) = resp.into_parts();
    let bytes = match axum::body::to_bytes(body, MAX_BODY).await {
        Ok(b) => b,
        Err(e) => {
            tracing::error!(error = %e, "answer of an idempotent command could not be read");
            return (parts.status, "").into_response();
        }
    };
    let status = parts.status.as_u16();
    let content_type =
        parts.headers.get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).map(str::to_owned);
    let body = bytes.to_vec();
    let saved = state
        .store
        .write(move |ctx| Store::keep_answer(ctx.conn, &key, status, content_type.as_deref(), &body))
        .await;
    if let Err(e) = saved {
        // The change itself is durable; a replay will be told it was applied, without the body.
        tracing::error!(error = %e, "answer of an idempotent command not stored");
    }
    Response::from_parts(parts, Body::from(bytes))
}

fn replay(s: StoredAnswer) -> Response {
    let (status, body) = match (s.status, s.body) {
        (Some(status), Some(body)) => (StatusCode::from_u16(status).unwrap_or(StatusCode::OK), body),
        // Applied, but the server stopped before the answer was stored.
        _ => (StatusCode::OK, b"null".to_vec()),
    };
    let mut resp = (status, body).into_response();
    let content_type = s.content_type.unwrap_or_else(|| "application/json".into());
    if let Ok(v) = HeaderValue::from_str(&content_type) {
        resp.headers_mut().insert(header::CONTENT_TYPE, v);
    }
    resp.headers_mut().insert(REPLAYED, HeaderValue::from_static("true"));
    resp
}

/// Forget keys older than [`KEEP_DAYS`] (at start).
pub async fn purge(store: &crate::store::Store) -> Result<usize, StoreError> {
    store
        .write(|ctx| {
            let cutoff = ts(ctx.now - chrono::Duration::days(KEEP_DAYS));
            Ok(Store::prune_answers(ctx.conn, &cutoff)? as usize)
        })
        .await
}
