//! Photos of monitored people (III-2.21, 16.2.16): sent by who may write people, shown on the
//! alarm card and the administration screen. A photo is checked by decoding it whole (a file the
//! console could not show is refused in Portuguese), every photo is kept, and each sending and
//! each viewing is in the audit trail (RFS179).

use super::{Caller, Params, check, parse_id};
use crate::error::{ApiError, ApiResult};
use crate::server::AppState;
use crate::store::{Entity, Store};
use atalaia_core::auth::Permission;
use atalaia_core::ids::PersonId;
use atalaia_core::monitoring::{Person, PhotoRef};
use atalaia_core::wire::{FieldError, Problem};
use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{DefaultBodyLimit, Path, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use sha2::{Digest, Sha256};

/// Larger than any phone's photo; the console scales it down to show it.
pub const MAX_PHOTO: usize = 12 * 1024 * 1024;
/// Smaller than this the face cannot be recognised.
const MIN_SIDE: u32 = 64;
const MAX_SIDE: u32 = 12_000;
/// Decoded, a photo is at most this many pixels (a small, very compressed file can claim to be
/// huge: its size is read from its header before it is decoded).
const MAX_PIXELS: u64 = 40_000_000;

/// Photos decoded at once: each may take ~160 MB while it is.
fn decodes() -> &'static tokio::sync::Semaphore {
    static PERMITS: std::sync::OnceLock<tokio::sync::Semaphore> = std::sync::OnceLock::new();
    PERMITS.get_or_init(|| tokio::sync::Semaphore::new(2))
}

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/persons/{id}/photo", get(get_photo).put(put_photo).layer(DefaultBodyLimit::max(MAX_PHOTO)))
}

#[derive(Debug, serde::Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PhotoQuery {
    /// An earlier photo (from the record's history); none: the current one.
    #[serde(default)]
    pub id: Option<uuid::Uuid>,
}

/// Width and height of a JPEG or PNG decoded whole, or why it cannot be shown.
fn inspect(content_type: &str, data: &[u8]) -> Result<(u32, u32), String> {
    let format = match content_type {
        "image/jpeg" => image::ImageFormat::Jpeg,
        "image/png" => image::ImageFormat::Png,
        other => return Err(format!("A foto deve ser JPEG ou PNG (recebido: {other}).")),
    };
    let unreadable = || "O arquivo não é uma imagem JPEG ou PNG legível.".to_owned();
    let (w, h) = image::ImageReader::with_format(std::io::Cursor::new(data), format)
        .into_dimensions()
        .map_err(|_| unreadable())?;
    if u64::from(w) * u64::from(h) > MAX_PIXELS || w > MAX_SIDE || h > MAX_SIDE {
        return Err(format!("A foto é grande demais ({w} × {h}); o máximo é 40 megapixels."));
    }
    let mut reader = image::ImageReader::with_format(std::io::Cursor::new(data), format);
    let mut limits = image::Limits::default();
    limits.max_image_width = Some(MAX_SIDE);
    limits.max_image_height = Some(MAX_SIDE);
    limits.max_alloc = Some(MAX_PIXELS * 4 + (16 << 20));
    reader.limits(limits);
    let decoded = reader.decode().map_err(|_| unreadable())?;
    let (w, h) = (decoded.width(), decoded.height());
    if w < MIN_SIDE || h < MIN_SIDE {
        return Err(format!(
            "A foto é pequena demais ({w} × {h}); o mínimo é {MIN_SIDE} × {MIN_SIDE} pixels."
        ));
    }
    Ok((w, h))
}

/// Send a new photo of the person: the body is the file, `Content-Type` `image/jpeg` or
/// `image/png`. The same file again changes nothing.
#[utoipa::path(put, path = "/api/v1/persons/{id}/photo", tag = "monitoring", params(("id" = atalaia_core::ids::PersonId, Path)),
    request_body(content = Vec<u8>, content_type = "image/jpeg"),
    responses((status = 200, body = Person), (status = 404, body = Problem), (status = 413, body = Problem), (status = 422, body = Problem)),
    security(("bearer" = [])))]
pub async fn put_photo(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> ApiResult<Json<Person>> {
    caller.require(Permission::PersonWrite)?;
    let id: PersonId = parse_id(&id, Person::WHAT)?;
    let body = body.map_err(|rej| match rej.status() {
        StatusCode::PAYLOAD_TOO_LARGE => ApiError::TooLarge(MAX_PHOTO),
        _ => ApiError::BadRequest(rej.body_text()),
    })?;
    if body.is_empty() {
        check(vec![FieldError::new("body", "O arquivo da foto está vazio.")])?;
    }
    let content_type =
        headers.get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or_default().trim().to_owned();
    let data = body.clone();
    let ct = content_type.clone();
    let _permit = decodes().acquire().await.map_err(|e| ApiError::Internal(e.to_string()))?;
    let (width, height) = tokio::task::spawn_blocking(move || inspect(&ct, &data))
        .await
        .map_err(|e| ApiError::Internal(e.to_string()))?
        .map_err(|why| ApiError::Validation(vec![FieldError::new("body", &why)]))?;
    let sha256: String = Sha256::digest(&body).iter().map(|b| format!("{b:02x}")).collect();
    let actor = caller.actor();
    let by = caller.user.display_name.clone();
    let unit = super::reach::unit(&caller);
    let person = state
        .store
        .write(move |ctx| {
            let mut p = super::reach::person(ctx.conn, unit.as_deref(), id)?;
            if p.photo.as_ref().is_some_and(|ph| ph.sha256 == sha256) {
                return Ok(p);
            }
            let photo = PhotoRef {
                id: uuid::Uuid::now_v7(),
                content_type,
                size: body.len() as u64,
                width,
                height,
                sha256,
                at: ctx.now,
                by,
            };
            Store::put_photo(ctx.conn, photo.id, p.id, &photo.content_type, &body, ctx.now)?;
            let detail =
                format!("Foto {} ({} × {}, {} KiB)", photo.id, width, height, photo.size.div_ceil(1024));
            p.photo = Some(photo);
            ctx.save(&p)?;
            ctx.audit(&actor, "person.photo", &p.id.to_string(), &detail)?;
            Ok(p)
        })
        .await?;
    Ok(Json(person))
}

/// The person's current photo (or an earlier one by `id`), as sent. Each viewing is audited.
#[utoipa::path(get, path = "/api/v1/persons/{id}/photo", tag = "monitoring", params(("id" = atalaia_core::ids::PersonId, Path), PhotoQuery),
    responses((status = 200, content_type = "image/jpeg"), (status = 404, body = Problem)), security(("bearer" = [])))]
pub async fn get_photo(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    Params(q): Params<PhotoQuery>,
) -> ApiResult<Response> {
    caller.require(Permission::PersonRead)?;
    let id: PersonId = parse_id(&id, Person::WHAT)?;
    let actor = caller.actor();
    let unit = super::reach::unit(&caller);
    let found = state
        .store
        .write(move |ctx| {
            let p = super::reach::person(ctx.conn, unit.as_deref(), id)?;
            let Some(photo) = q.id.or(p.photo.as_ref().map(|ph| ph.id)) else { return Ok(None) };
            let found = Store::photo(ctx.conn, p.id, photo)?;
            if found.is_some() {
                ctx.audit(&actor, "person.photo.view", &p.id.to_string(), &format!("Foto {photo}"))?;
            }
            Ok(found)
        })
        .await?;
    let (content_type, data) = found.ok_or(ApiError::NotFound("Foto"))?;
    Ok((
        [
            (header::CONTENT_TYPE, content_type),
            (header::X_CONTENT_TYPE_OPTIONS, "nosniff".to_owned()),
            (header::CACHE_CONTROL, "private, no-store".to_owned()),
        ],
        data,
    )
        .into_response())
}
