//! Documents on a monitored person's record (8.11.1–8.11.4, III-2.7): the court decisions that
//! order or lift the monitoring, the term signed at installation, letters and service orders.
//! Attached by who may write people; listed and opened by who may read them; each file is kept
//! as sent, known by its bytes (PDF, JPEG or PNG), and each attaching and each opening is in the
//! audit trail (RFS179).

use super::{Caller, Params, check, parse_id};
use crate::error::{ApiError, ApiResult};
use crate::server::AppState;
use crate::store::{Entity, Store};
use atalaia_core::auth::Permission;
use atalaia_core::ids::PersonId;
use atalaia_core::monitoring::Person;
use atalaia_core::monitoring::documents::{self, DocumentRef, MAX_DOCUMENT, NewDocument};
use atalaia_core::wire::{FieldError, Problem};
use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{DefaultBodyLimit, Path, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use sha2::{Digest, Sha256};

pub fn router() -> Router<AppState> {
    Router::new()
        .route(
            "/persons/{id}/documents",
            get(list_documents).post(add_document).layer(DefaultBodyLimit::max(MAX_DOCUMENT)),
        )
        .route("/persons/{id}/documents/{doc}", get(get_document))
}

/// Attach a document to the person's record: the body is the file (PDF, JPEG or PNG, up to
/// 20 MiB); kind, title and the file's name in the query. The same file again for this person
/// answers the document already kept (200) instead of a new one (201).
#[utoipa::path(post, path = "/api/v1/persons/{id}/documents", tag = "monitoring",
    params(("id" = atalaia_core::ids::PersonId, Path), NewDocument),
    request_body(content = Vec<u8>, content_type = "application/pdf"),
    responses((status = 201, body = DocumentRef), (status = 200, body = DocumentRef), (status = 404, body = Problem),
        (status = 413, body = Problem), (status = 422, body = Problem)),
    security(("bearer" = [])))]
pub async fn add_document(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    Params(new): Params<NewDocument>,
    body: Result<Bytes, BytesRejection>,
) -> ApiResult<(StatusCode, Json<DocumentRef>)> {
    caller.require(Permission::PersonWrite)?;
    let id: PersonId = parse_id(&id, Person::WHAT)?;
    let body = body.map_err(|rej| match rej.status() {
        StatusCode::PAYLOAD_TOO_LARGE => ApiError::TooLarge(MAX_DOCUMENT),
        _ => ApiError::BadRequest(rej.body_text()),
    })?;
    let mut problems = new.problems();
    let content_type = match documents::sniff(&body) {
        Ok(ct) => ct,
        Err(why) => {
            problems.push(FieldError::new("body", &why));
            ""
        }
    };
    check(problems)?;
    let sha256: String = Sha256::digest(&body).iter().map(|b| format!("{b:02x}")).collect();
    let actor = caller.actor();
    let by = caller.user.display_name.clone();
    let unit = super::reach::unit(&caller);
    let (doc, kept) = state
        .store
        .write(move |ctx| {
            let p = super::reach::person(ctx.conn, unit.as_deref(), id)?;
            let doc = DocumentRef {
                id: uuid::Uuid::now_v7(),
                person: p.id,
                kind: new.kind,
                title: new.title.trim().to_owned(),
                file_name: new.file_name.trim().to_owned(),
                content_type: content_type.to_owned(),
                size: body.len() as u64,
                sha256,
                at: ctx.now,
                by,
            };
            if let Some(kept) = Store::put_document(ctx.conn, &doc, &body)? {
                return Ok((kept, true));
            }
            let detail = format!(
                "Documento {}: {} — {} ({}, {} KiB)",
                doc.id,
                doc.kind.label(),
                doc.title,
                doc.file_name,
                doc.size.div_ceil(1024)
            );
            ctx.audit(&actor, "person.document", &p.id.to_string(), &detail)?;
            Ok((doc, false))
        })
        .await?;
    Ok(super::created(!kept, doc))
}

/// The person's documents, newest first: what each is, who attached it and when (not the files).
#[utoipa::path(get, path = "/api/v1/persons/{id}/documents", tag = "monitoring", params(("id" = atalaia_core::ids::PersonId, Path)),
    responses((status = 200, body = [DocumentRef]), (status = 404, body = Problem)), security(("bearer" = [])))]
pub async fn list_documents(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> ApiResult<Json<Vec<DocumentRef>>> {
    caller.require(Permission::PersonRead)?;
    let id: PersonId = parse_id(&id, Person::WHAT)?;
    let unit = super::reach::unit(&caller);
    let list = state
        .store
        .read(move |c| {
            super::reach::person(c, unit.as_deref(), id)?;
            Store::documents(c, id)
        })
        .await?;
    Ok(Json(list))
}

/// One document's file, as attached, to save or open. Each opening is audited.
#[utoipa::path(get, path = "/api/v1/persons/{id}/documents/{doc}", tag = "monitoring",
    params(("id" = atalaia_core::ids::PersonId, Path), ("doc" = String, Path)),
    responses((status = 200, content_type = "application/pdf"), (status = 404, body = Problem)),
    security(("bearer" = [])))]
pub async fn get_document(
    State(state): State<AppState>,
    caller: Caller,
    Path((id, doc)): Path<(String, String)>,
) -> ApiResult<Response> {
    caller.require(Permission::PersonRead)?;
    let id: PersonId = parse_id(&id, Person::WHAT)?;
    let doc: uuid::Uuid = doc.parse().map_err(|_| ApiError::NotFound("Documento"))?;
    let actor = caller.actor();
    let unit = super::reach::unit(&caller);
    let found = state
        .store
        .write(move |ctx| {
            super::reach::person(ctx.conn, unit.as_deref(), id)?;
            let found = Store::document(ctx.conn, id, doc)?;
            if let Some((d, _)) = &found {
                let detail = format!("Documento {}: {} — {}", d.id, d.kind.label(), d.title);
                ctx.audit(&actor, "person.document.view", &id.to_string(), &detail)?;
            }
            Ok(found)
        })
        .await?;
    let (d, data) = found.ok_or(ApiError::NotFound("Documento"))?;
    let name = format!("documento-{}.{}", d.id, documents::extension(&d.content_type));
    Ok((
        [
            (header::CONTENT_TYPE, d.content_type),
            (header::CONTENT_DISPOSITION, format!("attachment; filename=\"{name}\"")),
            (header::X_CONTENT_TYPE_OPTIONS, "nosniff".to_owned()),
            (header::CACHE_CONTROL, "private, no-store".to_owned()),
        ],
        data,
    )
        .into_response())
}
