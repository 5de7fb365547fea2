//! The care record and the channel between crew and regulation (TDC-PROC 8 and 10): vital signs
//! and Glasgow with the trauma score (RFS024, RFS125), photos, audio and video attached to the
//! occurrence and resent safely from a tablet that was offline (RFS025), messages with delivery
//! and read receipts and configured questions and answers (RFS044, RFS045, RFS048).

use super::super::{Body, Caller, Params, check, parse_id};
use crate::error::{ApiError, ApiResult};
use crate::server::AppState;
use crate::store::{Store, StoreError};
use atalaia_core::alarm::{AlarmKind, Subject};
use atalaia_core::auth::Permission;
use atalaia_core::ids::DispatchId;
use atalaia_core::ids::{AttachmentId, MessageId, OccurrenceId};
use atalaia_core::samu::care::{
    AttachmentInfo, AttachmentKind, CareRecord, Consent, CrewAlertKind, CrewAlertRecord, Message,
    NewCareRecord, NewConsent, NewCrewAlert, NewMessage, NewTransfer, Transfer,
};
use atalaia_core::samu::{Dispatch, Occurrence};
use atalaia_core::wire::{FieldError, Problem};
use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, Path, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::Deserialize;
use sha2::{Digest, Sha256};

pub(crate) use super::crew_seat::{
    crew_on_occurrence, crew_on_vehicle, crew_scope, crew_vehicle, not_for_crews,
};

/// Largest attachment: a minute of phone video.
pub const MAX_ATTACHMENT: usize = 64 * 1024 * 1024;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/occurrences/{id}/records", post(add_record))
        .route("/occurrences/{id}/attachments", post(upload).layer(DefaultBodyLimit::max(MAX_ATTACHMENT)))
        .route("/attachments/{id}", get(download))
        .route("/occurrences/{id}/messages", get(list_messages).post(send_message))
        .route("/messages/{id}/read", post(mark_read))
        .route("/samu/canned-messages", get(canned_messages))
        .route("/occurrences/{id}/report.pdf", get(report_pdf))
        .route("/occurrences/{id}/consents", post(add_consent))
        .route("/occurrences/{id}/transfers", post(transfer))
        .route("/dispatches/{id}/alerts", post(crew_alert))
}

/// Crew, or a regulator writing down what the crew relays by radio (RFS125).
fn may_record(caller: &Caller) -> ApiResult<()> {
    if caller.can(Permission::CrewAct) || caller.can(Permission::OccurrenceRegulate) {
        Ok(())
    } else {
        Err(ApiError::Forbidden)
    }
}

fn open_for_care(o: &Occurrence) -> Result<(), StoreError> {
    if o.phase == atalaia_core::samu::OccurrencePhase::Closed {
        return Err(StoreError::Conflict(format!(
            "A ocorrência {} está encerrada: acrescente informações como complemento.",
            o.number
        )));
    }
    Ok(())
}

/// Add an entry to a victim's care record; the Glasgow total and the Revised Trauma Score are
/// computed here (RFS024).
#[utoipa::path(post, path = "/api/v1/occurrences/{id}/records", tag = "samu", params(("id" = atalaia_core::ids::OccurrenceId, Path)),
    request_body = NewCareRecord, responses((status = 200, body = Occurrence), (status = 409, body = Problem), (status = 422, body = Problem)),
    security(("bearer" = [])))]
pub async fn add_record(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    Body(new): Body<NewCareRecord>,
) -> ApiResult<Json<Occurrence>> {
    may_record(&caller)?;
    check(new.validate())?;
    let id: OccurrenceId = parse_id(&id, "Ocorrência")?;
    let actor = caller.actor();
    let user = caller.user.clone();
    let occ = state
        .store
        .write(move |ctx| {
            let mut o: Occurrence = Store::get_required(ctx.conn, &id.to_string())?;
            crew_on_occurrence(ctx.conn, &user, o.id)?;
            open_for_care(&o)?;
            if !has_victim(&o, new.victim) {
                return Ok(Err(ApiError::Validation(vec![FieldError::new(
                    "victim",
                    &format!("A ocorrência {} não tem a vítima {}.", o.number, new.victim),
                )])));
            }
            let r: CareRecord = new.into_record(ctx.now, user.id, user.display_name.clone());
            let detail =
                format!("vítima {} Glasgow {:?} RTS {:?}", r.victim, r.glasgow_total, r.trauma_score);
            o.records.push(r);
            o.updated_at = ctx.now;
            ctx.save(&o)?;
            ctx.audit(&actor, "occurrence.record", &o.id.to_string(), &detail)?;
            Ok(Ok(o))
        })
        .await??;
    Ok(Json(occ))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct UploadQuery {
    /// Client id: resending the same file from an offline tablet stores it once.
    pub id: Option<AttachmentId>,
    pub kind: AttachmentKind,
    #[serde(default)]
    pub name: String,
    pub victim: Option<u32>,
}

/// Attach a photo, audio, video or document to an occurrence (RFS025): the request body is the
/// file, its `Content-Type` header its type. Replaying the same id returns the stored record.
#[utoipa::path(post, path = "/api/v1/occurrences/{id}/attachments", tag = "samu", params(("id" = atalaia_core::ids::OccurrenceId, Path), UploadQuery),
    request_body(content = Vec<u8>, content_type = "application/octet-stream"),
    responses((status = 201, body = AttachmentInfo), (status = 200, body = AttachmentInfo, description = "replay of an id already stored"), (status = 409, body = Problem, description = "another attachment has this id, or the occurrence is closed"),
        (status = 413, body = Problem), (status = 422, body = Problem)),
    security(("bearer" = [])))]
pub async fn upload(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    Params(q): Params<UploadQuery>,
    headers: HeaderMap,
    body: Bytes,
) -> ApiResult<(StatusCode, Json<AttachmentInfo>)> {
    may_record(&caller)?;
    let id: OccurrenceId = parse_id(&id, "Ocorrência")?;
    let content_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("application/octet-stream")
        .to_owned();
    let expected = match q.kind {
        AttachmentKind::Photo => "image/",
        AttachmentKind::Audio => "audio/",
        AttachmentKind::Video => "video/",
        AttachmentKind::Document => "",
    };
    let mut errors = Vec::new();
    if body.is_empty() {
        errors.push(FieldError::new("body", "O arquivo está vazio."));
    }
    if !content_type.starts_with(expected) {
        errors.push(FieldError::new(
            "content_type",
            &format!("O tipo do arquivo ({content_type}) não corresponde ao anexo ({expected}…)."),
        ));
    }
    check(errors)?;
    let sha256: String = Sha256::digest(&body).iter().map(|b| format!("{b:02x}")).collect();
    let actor = caller.actor();
    let user = caller.user.clone();
    let (fresh, info) = state
        .store
        .write(move |ctx| {
            let mut o: Occurrence = Store::get_required(ctx.conn, &id.to_string())?;
            crew_on_occurrence(ctx.conn, &user, o.id)?;
            if let Some(aid) = q.id
                && let Some(stored) = o.attachments.iter().find(|a| a.id == aid)
            {
                if stored.sha256 != sha256 {
                    return Err(StoreError::Conflict("Já existe outro anexo com este identificador.".into()));
                }
                return Ok((false, stored.clone()));
            }
            open_for_care(&o)?;
            if let Some(aid) = q.id
                && Store::attachment_exists(ctx.conn, aid)?
            {
                return Err(StoreError::Conflict("Já existe outro anexo com este identificador.".into()));
            }
            let info = AttachmentInfo {
                id: q.id.unwrap_or_default(),
                kind: q.kind,
                content_type: content_type.clone(),
                name: q.name.trim().to_owned(),
                size: body.len() as u64,
                sha256,
                victim: q.victim,
                by: user.id,
                by_name: user.display_name.clone(),
                at: ctx.now,
            };
            Store::put_attachment(ctx.conn, info.id, o.id, &content_type, &body)?;
            o.attachments.push(info.clone());
            o.updated_at = ctx.now;
            ctx.save(&o)?;
            ctx.audit(
                &actor,
                "occurrence.attach",
                &o.id.to_string(),
                &format!("{:?} {} bytes", info.kind, info.size),
            )?;
            Ok((true, info))
        })
        .await?;
    Ok((if fresh { StatusCode::CREATED } else { StatusCode::OK }, Json(info)))
}

/// The bytes of an attachment, with its type.
#[utoipa::path(get, path = "/api/v1/attachments/{id}", tag = "samu", params(("id" = atalaia_core::ids::AttachmentId, Path)),
    responses((status = 200, content_type = "application/octet-stream"), (status = 404, body = Problem)), security(("bearer" = [])))]
pub async fn download(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> ApiResult<Response> {
    caller.require(Permission::OccurrenceRead)?;
    let id: AttachmentId = parse_id(&id, "Anexo")?;
    let who = caller.user.clone();
    let found: Option<(String, Vec<u8>)> = state
        .store
        .read(move |c| {
            let Some(found) = Store::attachment(c, id)? else { return Ok(None) };
            // A crew reads the attachments of its own occurrences only.
            crew_on_occurrence(c, &who, found.occurrence)?;
            Ok(Some((found.content_type, found.data)))
        })
        .await?;
    let (content_type, data) = found.ok_or(ApiError::NotFound("Anexo"))?;
    // Served as a download of its declared type, never sniffed into something a browser runs.
    Ok((
        [
            (header::CONTENT_TYPE, content_type),
            (header::X_CONTENT_TYPE_OPTIONS, "nosniff".to_owned()),
            (header::CONTENT_DISPOSITION, "attachment".to_owned()),
        ],
        data,
    )
        .into_response())
}

/// The crew's question or the regulator's answer (RFS045, RFS048). Stored means delivered:
/// the sender sees `delivered_at` at once, and `read_at` when the other side opens it.
#[utoipa::path(post, path = "/api/v1/occurrences/{id}/messages", tag = "samu", params(("id" = atalaia_core::ids::OccurrenceId, Path)),
    request_body = NewMessage, responses((status = 201, body = Message), (status = 200, body = Message, description = "replay"), (status = 409, body = Problem, description = "the conversation is closed"), (status = 422, body = Problem)),
    security(("bearer" = [])))]
pub async fn send_message(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    Body(new): Body<NewMessage>,
) -> ApiResult<(StatusCode, Json<Message>)> {
    may_record(&caller)?;
    let text = new.text.trim().to_owned();
    if text.is_empty() {
        return Err(ApiError::Validation(vec![FieldError::new("text", "A mensagem está vazia.")]));
    }
    if new.canned && !state.config.samu_canned_messages.iter().any(|c| c == &text) {
        return Err(ApiError::Validation(vec![FieldError::new(
            "text",
            "Esta mensagem não está entre as perguntas e respostas configuradas.",
        )]));
    }
    let id: OccurrenceId = parse_id(&id, "Ocorrência")?;
    let actor = caller.actor();
    let user = caller.user.clone();
    let (fresh, m) = state
        .store
        .write(move |ctx| {
            if let Some(stored) = Store::existing::<Message, _>(ctx.conn, new.id)? {
                if stored.occurrence_id != id || stored.from != user.id {
                    return Err(StoreError::Conflict(
                        "Já existe outra mensagem com este identificador.".into(),
                    ));
                }
                return Ok((false, stored));
            }
            let o: Occurrence = Store::get_required(ctx.conn, &id.to_string())?;
            crew_on_occurrence(ctx.conn, &user, o.id)?;
            open_for_care(&o)?;
            let m = Message {
                id: new.id.unwrap_or_default(),
                occurrence_id: o.id,
                from: user.id,
                from_name: user.display_name.clone(),
                from_role: user.role,
                text: text.clone(),
                canned: new.canned,
                sent_at: ctx.now,
                delivered_at: ctx.now,
                read_at: None,
                read_by: None,
            };
            ctx.save(&m)?;
            ctx.audit(&actor, "message.send", &m.id.to_string(), &o.number)?;
            Ok((true, m))
        })
        .await?;
    Ok((if fresh { StatusCode::CREATED } else { StatusCode::OK }, Json(m)))
}

/// The conversation of an occurrence, oldest first.
#[utoipa::path(get, path = "/api/v1/occurrences/{id}/messages", tag = "samu", params(("id" = atalaia_core::ids::OccurrenceId, Path)),
    responses((status = 200, body = [Message])), security(("bearer" = [])))]
pub async fn list_messages(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> ApiResult<Json<Vec<Message>>> {
    caller.require(Permission::OccurrenceRead)?;
    let id: OccurrenceId = parse_id(&id, "Ocorrência")?;
    let who = caller.user.clone();
    let mut list = state
        .store
        .read(move |c| {
            crew_on_occurrence(c, &who, id)?;
            Store::list_by::<Message>(c, "occurrence_id", &id.to_string())
        })
        .await?;
    list.sort_by_key(|m| m.sent_at);
    Ok(Json(list))
}

/// The other side opened the message: the read receipt (RFS045). The sender's own reading does
/// not count; a second reading keeps the first time.
#[utoipa::path(post, path = "/api/v1/messages/{id}/read", tag = "samu", params(("id" = atalaia_core::ids::MessageId, Path)),
    responses((status = 200, body = Message), (status = 409, body = Problem)), security(("bearer" = [])))]
pub async fn mark_read(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> ApiResult<Json<Message>> {
    may_record(&caller)?;
    let id: MessageId = parse_id(&id, "Mensagem")?;
    let user = caller.user.clone();
    let m = state
        .store
        .write(move |ctx| {
            let mut m: Message = Store::get_required(ctx.conn, &id.to_string())?;
            crew_on_occurrence(ctx.conn, &user, m.occurrence_id)?;
            // The receipt is the other side's: the crew's for the regulation's messages and the
            // regulation's for the crew's.
            let crew = user.role == atalaia_core::auth::Role::Crew;
            if m.from == user.id || crew == m.from_crew() {
                return Err(StoreError::Conflict(
                    "A confirmação de leitura é de quem recebe a mensagem.".into(),
                ));
            }
            if m.read_at.is_none() {
                m.read_at = Some(ctx.now);
                m.read_by = Some(user.id);
                ctx.save(&m)?;
            }
            Ok(m)
        })
        .await?;
    Ok(Json(m))
}

/// The configured questions and answers (RFS044).
#[utoipa::path(get, path = "/api/v1/samu/canned-messages", tag = "samu", responses((status = 200, body = [String])), security(("bearer" = [])))]
pub async fn canned_messages(State(state): State<AppState>, caller: Caller) -> ApiResult<Json<Vec<String>>> {
    caller.require(Permission::OccurrenceRead)?;
    Ok(Json(state.config.samu_canned_messages.clone()))
}

/// The attendance report for the destination unit's reception, as PDF (RFS026, TDC-PROC 12).
/// Printing it is recorded in the audit trail.
#[utoipa::path(get, path = "/api/v1/occurrences/{id}/report.pdf", tag = "samu", params(("id" = atalaia_core::ids::OccurrenceId, Path)),
    responses((status = 200, content_type = "application/pdf"), (status = 404, body = Problem)), security(("bearer" = [])))]
pub async fn report_pdf(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> ApiResult<Response> {
    caller.require(Permission::OccurrenceRead)?;
    let id: OccurrenceId = parse_id(&id, "Ocorrência")?;
    let who = caller.user.clone();
    let (o, mut dispatches) = state
        .store
        .read(move |c| {
            let o: Occurrence = Store::get_required(c, &id.to_string())?;
            crew_on_occurrence(c, &who, o.id)?;
            let d = Store::list_by::<atalaia_core::samu::Dispatch>(c, "occurrence_id", &id.to_string())?;
            Ok((o, d))
        })
        .await?;
    // Vehicles replaced before arriving did not take part in the care.
    dispatches.retain(|d| !matches!(d.ended, Some(atalaia_core::samu::DispatchEnd::Replaced { .. })));
    let tz = state.config.timezone;
    let generated = format!(
        "emitido em {} por {}",
        state.clock.now().with_timezone(&tz).format("%d/%m/%Y %H:%M"),
        caller.user.display_name
    );
    let pdf = crate::care_report::to_pdf(&o, &dispatches, tz, &generated);
    let actor = caller.actor();
    let number = o.number.clone();
    state.store.write(move |ctx| ctx.audit(&actor, "occurrence.report", &id.to_string(), &number)).await?;
    Ok((
        [
            (header::CONTENT_TYPE, "application/pdf".to_owned()),
            (header::CONTENT_DISPOSITION, format!("inline; filename=\"atendimento-{}.pdf\"", o.number)),
        ],
        pdf,
    )
        .into_response())
}

/// An unidentified victim is victim 1.
fn has_victim(o: &Occurrence, victim: u32) -> bool {
    o.victims.iter().any(|v| v.number == victim) || (o.victims.is_empty() && victim == 1)
}

/// The victim's consent to care or refusal, with the photo of the signed term (RFS023).
#[utoipa::path(post, path = "/api/v1/occurrences/{id}/consents", tag = "samu", params(("id" = atalaia_core::ids::OccurrenceId, Path)),
    request_body = NewConsent, responses((status = 200, body = Occurrence), (status = 409, body = Problem, description = "the occurrence is closed"), (status = 422, body = Problem)), security(("bearer" = [])))]
pub async fn add_consent(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    Body(new): Body<NewConsent>,
) -> ApiResult<Json<Occurrence>> {
    caller.require(Permission::CrewAct)?;
    let id: OccurrenceId = parse_id(&id, "Ocorrência")?;
    let actor = caller.actor();
    let user = caller.user.clone();
    let occ = state
        .store
        .write(move |ctx| {
            let mut o: Occurrence = Store::get_required(ctx.conn, &id.to_string())?;
            crew_on_occurrence(ctx.conn, &user, o.id)?;
            open_for_care(&o)?;
            let mut errors = Vec::new();
            if !has_victim(&o, new.victim) {
                errors.push(FieldError::new(
                    "victim",
                    &format!("A ocorrência {} não tem a vítima {}.", o.number, new.victim),
                ));
            }
            if let Some(term) = new.term
                && !o.attachments.iter().any(|a| {
                    a.id == term && matches!(a.kind, AttachmentKind::Photo | AttachmentKind::Document)
                })
            {
                errors
                    .push(FieldError::new("term", "Anexe antes a foto do termo assinado a esta ocorrência."));
            }
            if !errors.is_empty() {
                return Ok(Err(ApiError::Validation(errors)));
            }
            o.consents.push(Consent {
                victim: new.victim,
                consented: new.consented,
                term: new.term,
                notes: new.notes.trim().to_owned(),
                by: user.id,
                by_name: user.display_name.clone(),
                at: ctx.now,
            });
            o.updated_at = ctx.now;
            ctx.save(&o)?;
            let what = if new.consented { "consentimento" } else { "recusa" };
            ctx.audit(
                &actor,
                "occurrence.consent",
                &o.id.to_string(),
                &format!("vítima {} {what}", new.victim),
            )?;
            Ok(Ok(o))
        })
        .await??;
    Ok(Json(occ))
}

/// Move a victim from one vehicle of the occurrence to another: the transfer is marked and the
/// receiving crew continues the care (RFS053).
#[utoipa::path(post, path = "/api/v1/occurrences/{id}/transfers", tag = "samu", params(("id" = atalaia_core::ids::OccurrenceId, Path)),
    request_body = NewTransfer, responses((status = 200, body = Occurrence), (status = 409, body = Problem)), security(("bearer" = [])))]
pub async fn transfer(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    Body(new): Body<NewTransfer>,
) -> ApiResult<Json<Occurrence>> {
    if !caller.can(Permission::CrewAct) && !caller.can(Permission::OccurrenceDispatch) {
        return Err(ApiError::Forbidden);
    }
    let id: OccurrenceId = parse_id(&id, "Ocorrência")?;
    let actor = caller.actor();
    let user = caller.user.id;
    let who = caller.user.clone();
    let occ = state
        .store
        .write(move |ctx| {
            let mut o: Occurrence = Store::get_required(ctx.conn, &id.to_string())?;
            crew_on_occurrence(ctx.conn, &who, o.id)?;
            open_for_care(&o)?;
            let dispatches = Store::list_by::<Dispatch>(ctx.conn, "occurrence_id", &id.to_string())?;
            let find = |d: DispatchId| dispatches.iter().find(|x| x.id == d);
            let (Some(from), Some(to)) = (find(new.from_dispatch), find(new.to_dispatch)) else {
                return Err(StoreError::Conflict("Os dois empenhos devem ser desta ocorrência.".into()));
            };
            // A crew hands over its own victims, not another vehicle's.
            crew_on_vehicle(ctx.conn, &who, from.vehicle_id)?;
            if !to.active || from.id == to.id {
                return Err(StoreError::Conflict(format!(
                    "A vítima só pode passar para outra viatura ainda empenhada nesta ocorrência (não a {}).",
                    to.vehicle_code
                )));
            }
            if !has_victim(&o, new.victim) {
                return Err(StoreError::Conflict(format!(
                    "A ocorrência {} não tem a vítima {}.",
                    o.number, new.victim
                )));
            }
            o.transfers.push(Transfer {
                victim: new.victim,
                from_dispatch: from.id,
                from_vehicle: from.vehicle_code.clone(),
                to_dispatch: to.id,
                to_vehicle: to.vehicle_code.clone(),
                reason: new.reason.trim().to_owned(),
                by: user,
                at: ctx.now,
            });
            o.updated_at = ctx.now;
            ctx.save(&o)?;
            let detail = format!("vítima {}: {} -> {}", new.victim, from.vehicle_code, to.vehicle_code);
            ctx.audit(&actor, "occurrence.transfer", &o.id.to_string(), &detail)?;
            Ok(o)
        })
        .await?;
    Ok(Json(occ))
}

/// The crew alerts the central from the tablet: support needed (RFS001) or a multiple-victim
/// incident (RFS002) — an alarm on the consoles, and a line on the record.
#[utoipa::path(post, path = "/api/v1/dispatches/{id}/alerts", tag = "samu", params(("id" = atalaia_core::ids::DispatchId, Path)),
    request_body = NewCrewAlert, responses((status = 200, body = Occurrence), (status = 409, body = Problem)), security(("bearer" = [])))]
pub async fn crew_alert(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    Body(new): Body<NewCrewAlert>,
) -> ApiResult<Json<Occurrence>> {
    caller.require(Permission::CrewAct)?;
    let id: DispatchId = parse_id(&id, "Empenho")?;
    let actor = caller.actor();
    let user = caller.user.id;
    let who = caller.user.clone();
    let tz = state.config.timezone;
    let occ = state
        .store
        .write(move |ctx| {
            let d: Dispatch = Store::get_required(ctx.conn, &id.to_string())?;
            crew_on_vehicle(ctx.conn, &who, d.vehicle_id)?;
            if !d.active {
                return Err(StoreError::Conflict("Este empenho já foi encerrado.".into()));
            }
            let mut o: Occurrence = Store::get_required(ctx.conn, &d.occurrence_id.to_string())?;
            let (kind, subject) = match new.kind {
                CrewAlertKind::NeedSupport => (AlarmKind::CrewNeedsSupport, Subject::Vehicle(d.vehicle_id)),
                CrewAlertKind::MultipleVictims => (AlarmKind::MultipleVictims, Subject::Occurrence(o.id)),
            };
            crate::fleet::raise(ctx, kind, subject, tz)?;
            o.crew_alerts.push(CrewAlertRecord {
                kind: new.kind,
                note: new.note.trim().to_owned(),
                vehicle: d.vehicle_code.clone(),
                by: user,
                at: ctx.now,
            });
            o.updated_at = ctx.now;
            ctx.save(&o)?;
            ctx.audit(
                &actor,
                "dispatch.alert",
                &d.id.to_string(),
                &format!("{:?} {}", new.kind, d.vehicle_code),
            )?;
            Ok(o)
        })
        .await?;
    Ok(Json(occ))
}
