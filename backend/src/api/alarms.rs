//! Alarms: the queue and operator actions. Claims go through the single writer, so when two
//! operators race for one alarm exactly one wins and the other gets a 409 naming the holder.

use super::reach::{Scope, alarm_within};
use super::{Body, Caller, check, parse_id};
use crate::error::{ApiError, ApiResult};
use crate::server::AppState;
use crate::store::{Store, StoreError};
use atalaia_core::alarm::{Alarm, AlarmError, AlarmKind, Outcome, Procedure, Subject};
use atalaia_core::auth::Permission;
use atalaia_core::ids::AlarmId;
use atalaia_core::monitoring::Person;
use atalaia_core::notify::{
    Channel, Contact, ContactChannel, NewNotificationRule, Notification, NotificationRule, normalize_phone,
    valid_email,
};
use atalaia_core::wire::{AlarmAction, EventBody, NewProcedure, Problem};
use axum::extract::{Path, State};
use axum::routing::{get, post, put};
use axum::{Json, Router};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/alarms", get(list_alarms))
        .route("/alarms/{id}", get(get_alarm))
        .route("/alarms/{id}/actions", post(act))
        .route("/procedures", get(list_procedures))
        .route("/procedures/{kind}", put(put_procedure))
        .route("/notifications", get(list_notifications))
        .route("/notification-rules", get(list_notification_rules))
        .route("/notification-rules/{name}", put(put_notification_rule))
}

#[derive(Debug, serde::Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct NotificationQuery {
    /// Only the messages about this alarm.
    pub alarm_id: Option<AlarmId>,
}

/// How many messages the outbox lists (the newest).
const SHOWN: usize = 500;

/// The outbox: e-mail and SMS with their delivery state, newest first (the latest 500).
#[utoipa::path(get, path = "/api/v1/notifications", tag = "alarms", params(NotificationQuery),
    responses((status = 200, body = [Notification]), (status = 403, body = Problem)), security(("bearer" = [])))]
pub async fn list_notifications(
    State(state): State<AppState>,
    caller: Caller,
    super::Params(q): super::Params<NotificationQuery>,
) -> ApiResult<Json<Vec<Notification>>> {
    caller.require(Permission::AlarmRead)?;
    let alarm = q.alarm_id.map(|a| a.to_string());
    let who = caller.user.clone();
    let (list, alarms, scope) = state
        .store
        .read(move |c| {
            let scope = Scope::load(c, &who)?;
            // A scoped caller's (a unit's, a crew's) are picked out of more, so the list is not
            // cut short by other people's.
            let scoped = scope.reach.is_some() || scope.crew.is_some();
            let list = Store::notifications(c, alarm.as_deref(), if scoped { 10 * SHOWN } else { SHOWN })?;
            let mut alarms = std::collections::HashMap::new();
            for id in list.iter().filter_map(|n| n.alarm_id) {
                if let std::collections::hash_map::Entry::Vacant(e) = alarms.entry(id) {
                    e.insert(Store::get::<Alarm>(c, &id.to_string())?);
                }
            }
            Ok((list, alarms, scope))
        })
        .await?;
    // Messages about alarms of a domain the caller may not see are left out.
    let list = list
        .into_iter()
        .filter(|n| match n.alarm_id.and_then(|id| alarms.get(&id).cloned().flatten()) {
            Some(a) => visible(&caller, &scope, &a),
            None => true,
        })
        .take(SHOWN)
        .collect();
    Ok(Json(list))
}

#[utoipa::path(get, path = "/api/v1/notification-rules", tag = "alarms",
    responses((status = 200, body = [NotificationRule]), (status = 403, body = Problem)), security(("bearer" = [])))]
pub async fn list_notification_rules(
    State(state): State<AppState>,
    caller: Caller,
) -> ApiResult<Json<Vec<NotificationRule>>> {
    caller.require(Permission::AlarmRead)?;
    Ok(Json(state.store.read(|c| Store::list::<NotificationRule>(c)).await?))
}

/// Define (replace) a rule: who gets an e-mail or SMS when which alarms are raised or escalate
/// (16.2.7, 16.2.31). Rules are switched off with `enabled: false`, never deleted.
#[utoipa::path(put, path = "/api/v1/notification-rules/{name}", tag = "alarms", params(("name" = String, Path)),
    request_body = NewNotificationRule,
    responses((status = 200, body = NotificationRule), (status = 403, body = Problem), (status = 422, body = Problem)),
    security(("bearer" = [])))]
pub async fn put_notification_rule(
    State(state): State<AppState>,
    caller: Caller,
    Path(name): Path<String>,
    Body(new): Body<NewNotificationRule>,
) -> ApiResult<Json<NotificationRule>> {
    caller.require(Permission::ManageRules)?;
    super::reach::central_only(&caller)?;
    let name = name.trim().to_owned();
    let mut errors = new.validate();
    if new.kinds.iter().any(|k| k.domain() == atalaia_core::alarm::Domain::Samu)
        && !caller.can(Permission::OccurrenceRead)
    {
        errors.push(atalaia_core::wire::FieldError::new("kinds", "Alertas do SAMU não são do seu perfil."));
    }
    if name.is_empty() || name.chars().count() > 80 {
        errors.push(atalaia_core::wire::FieldError::new("name", "Dê à regra um nome de até 80 caracteres."));
    }
    check(errors)?;
    let actor = caller.actor();
    let rule = NotificationRule {
        name,
        enabled: new.enabled,
        trigger: new.trigger,
        kinds: new.kinds,
        min_severity: new.min_severity,
        group: new.group.map(|g| g.trim().to_owned()).filter(|g| !g.is_empty()),
        email: new.email.iter().map(|e| e.trim().to_owned()).collect(),
        sms: new.sms.iter().filter_map(|p| normalize_phone(p)).collect(),
        updated_at: state.clock.now(),
    };
    let saved = state
        .store
        .write(move |ctx| {
            let rule = NotificationRule { updated_at: ctx.now, ..rule };
            ctx.save(&rule)?;
            let detail = format!(
                "{}; e-mail: {}; SMS: {}",
                if rule.enabled { "ativa" } else { "desativada" },
                rule.email.join(", "),
                rule.sms.join(", ")
            );
            ctx.audit(&actor, "notification_rule.set", &rule.name, &detail)?;
            Ok(rule)
        })
        .await?;
    Ok(Json(saved))
}

/// Whether the caller sees the alarm: its domain's permission, and the caller's scope (a unit's
/// people, RFS177; a crew's vehicle and occurrences, issue 23).
fn visible(caller: &Caller, scope: &Scope, a: &Alarm) -> bool {
    caller.can(EventBody::Alarm(a.clone()).read_permission()) && scope.alarm(a)
}

/// `GET /alarms` filters.
#[derive(Debug, serde::Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AlarmListQuery {
    /// Only the alarms about this person, device, vehicle or occurrence, open or closed, newest
    /// first — with their notes (III-2.14). Viewing a person's is audited (RFS179).
    pub subject: Option<String>,
}

#[utoipa::path(get, path = "/api/v1/alarms", tag = "alarms", params(AlarmListQuery), responses((status = 200, body = [Alarm]), (status = 403, body = Problem)), security(("bearer" = [])))]
pub async fn list_alarms(
    State(state): State<AppState>,
    caller: Caller,
    super::Params(q): super::Params<AlarmListQuery>,
) -> ApiResult<Json<Vec<Alarm>>> {
    if !caller.can(Permission::AlarmRead) && !caller.can(Permission::OccurrenceRead) {
        return Err(ApiError::Forbidden);
    }
    let who = caller.user.clone();
    let Some(subject) = q.subject.map(|s| s.trim().to_owned()) else {
        let (mut all, scope) =
            state.store.read(move |c| Ok((Store::list::<Alarm>(c)?, Scope::load(c, &who)?))).await?;
        all.retain(|a| visible(&caller, &scope, a));
        all.sort_by(atalaia_core::alarm::queue_order);
        return Ok(Json(all));
    };
    let key = subject.clone();
    let (mut found, scope) = state
        .store
        .read(move |c| Ok((Store::list_by::<Alarm>(c, "subject", &key)?, Scope::load(c, &who)?)))
        .await?;
    found.retain(|a| visible(&caller, &scope, a));
    found.sort_by_key(|a| std::cmp::Reverse(a.raised_at));
    if found.iter().any(|a| matches!(a.subject, Subject::Person(_))) {
        let actor = caller.actor();
        let detail = format!("{} alarmes", found.len());
        state.store.write(move |ctx| ctx.audit(&actor, "person.alarms.view", &subject, &detail)).await?;
    }
    Ok(Json(found))
}

#[utoipa::path(get, path = "/api/v1/alarms/{id}", tag = "alarms", params(("id" = atalaia_core::ids::AlarmId, Path)), responses((status = 200, body = Alarm), (status = 404, body = Problem)), security(("bearer" = [])))]
pub async fn get_alarm(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> ApiResult<Json<Alarm>> {
    let id: AlarmId = parse_id(&id, "Alarme")?;
    let who = caller.user.clone();
    let (a, within, scoped) = state
        .store
        .read(move |c| {
            let a = Store::get_required::<Alarm>(c, &id.to_string())?;
            let within = alarm_within(c, who.unit.as_deref(), &a)?;
            let scoped = Scope::alarm_of(c, &who, &a)?;
            Ok((a, within, scoped))
        })
        .await?;
    if !within {
        return Err(ApiError::NotFound("Alarme"));
    }
    if !caller.can(EventBody::Alarm(a.clone()).read_permission()) || !scoped {
        return Err(ApiError::Forbidden);
    }
    Ok(Json(a))
}

/// Claim, start the procedure, annotate or close an alarm.
#[utoipa::path(post, path = "/api/v1/alarms/{id}/actions", tag = "alarms", params(("id" = atalaia_core::ids::AlarmId, Path)), request_body = AlarmAction,
    responses((status = 200, body = Alarm), (status = 409, body = Problem, description = "already claimed by someone else"),
        (status = 422, body = Problem)), security(("bearer" = [])))]
pub async fn act(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    Body(action): Body<AlarmAction>,
) -> ApiResult<Json<Alarm>> {
    caller.require(Permission::AlarmHandle)?;
    // Measures about an event are the administrators' who answer for the person (16.2.12).
    if matches!(action, AlarmAction::Record { .. }) {
        caller.require(Permission::PersonWrite)?;
    }
    let id: AlarmId = parse_id(&id, "Alarme")?;
    let action = check_contact(&state, action)?;
    let tz = state.config.timezone;
    let mut queued: Option<Notification> = None;
    let me = caller.user.id;
    let user = caller.user.clone();
    let actor = caller.actor();
    let result = state
        .store
        .write(move |ctx| {
            let mut a: Alarm = Store::get_required(ctx.conn, &id.to_string())?;
            // Handling an alarm needs the right to see it (a monitoring operator cannot act on SAMU
            // alerts); answering 404 does not reveal that it exists.
            if !user.can(EventBody::Alarm(a.clone()).read_permission()) || !Scope::alarm_of(ctx.conn, &user, &a)? {
                return Ok(Err(ApiError::NotFound("Alarme")));
            }
            let before = a.clone();
            let outcome = match &action {
                AlarmAction::Claim => a.claim(me, ctx.now),
                AlarmAction::StartProcedure => {
                    let steps = procedure_for(ctx.conn, &a)?.map(|p| p.steps).unwrap_or_default();
                    a.start_procedure(me, ctx.now, &steps)
                }
                AlarmAction::CompleteStep { index } => a.complete_step(me, ctx.now, *index),
                AlarmAction::Close { outcome: Outcome::Handled, .. }
                    if a.steps.is_empty() && procedure_for(ctx.conn, &a)?.is_some() =>
                {
                    return Ok(Err(ApiError::Conflict(
                        "Este tipo de alarme tem procedimento: inicie-o e conclua os passos antes de encerrar \
                         como tratado."
                            .into(),
                    )));
                }
                AlarmAction::Note { text } => a.add_note(me, ctx.now, text),
                AlarmAction::Record { measure, text } => a.record_measure(me, ctx.now, *measure, text),
                AlarmAction::Notify { channel, to, text } => {
                    let mut n = crate::notify::manual(ctx.conn, &a, *channel, to, text, ctx.now, tz)?;
                    n.alarm_id = Some(a.id);
                    n.requested_by = Some(me);
                    let logged = a.log_contact(Contact {
                        at: ctx.now,
                        by: Some(me),
                        channel: (*channel).into(),
                        to: to.clone(),
                        text: text.trim().to_owned(),
                        notification: Some(n.id),
                        rule: None,
                    });
                    queued = logged.is_ok().then_some(n);
                    logged
                }
                AlarmAction::PhoneCall { to, note } => a.log_contact(Contact {
                    at: ctx.now,
                    by: Some(me),
                    channel: ContactChannel::Phone,
                    to: to.trim().to_owned(),
                    text: note.trim().to_owned(),
                    notification: None,
                    rule: None,
                }),
                AlarmAction::Close { outcome, note } => a.close(me, ctx.now, *outcome, note),
            };
            match outcome {
                Ok(()) if a == before => Ok(Ok(a)),
                Ok(()) => {
                    ctx.save(&a)?;
                    if let Some(n) = queued.take() {
                        ctx.save(&n)?;
                    }
                    let (what, detail) = match &action {
                        AlarmAction::Claim => ("alarm.claim", String::new()),
                        AlarmAction::StartProcedure => ("alarm.procedure", format!("{} passo(s)", a.steps.len())),
                        AlarmAction::CompleteStep { index } => (
                            "alarm.step",
                            a.steps.get(*index).map(|s| format!("{}. {}", index + 1, s.text)).unwrap_or_default(),
                        ),
                        AlarmAction::Note { text } => ("alarm.note", text.trim().to_owned()),
                        AlarmAction::Close { outcome, note } => {
                            ("alarm.close", format!("{}: {}", atalaia_core::text::outcome(*outcome), note.trim()))
                        }
                        AlarmAction::Notify { channel, to, text } => {
                            ("alarm.notify", format!("{} para {to}: {}", channel_name(*channel), text.trim()))
                        }
                        AlarmAction::PhoneCall { to, note } => {
                            ("alarm.call", format!("{}: {}", to.trim(), note.trim()))
                        }
                        AlarmAction::Record { measure, text } => {
                            ("alarm.record", format!("{}: {}", atalaia_core::text::measure(*measure), text.trim()))
                        }
                    };
                    ctx.audit(&actor, what, &a.id.to_string(), &detail)?;
                    Ok(Ok(a))
                }
                Err(AlarmError::AlreadyClaimed { by }) => {
                    let name = Store::user_display_name(ctx.conn, by)?;
                    Ok(Err(ApiError::Conflict(format!(
                        "Alarme já assumido por {}.",
                        name.unwrap_or_else(|| "outro operador".into())
                    ))))
                }
                Err(AlarmError::NotOwner) => {
                    Ok(Err(ApiError::Conflict("Assuma o alarme antes de tratá-lo.".into())))
                }
                Err(AlarmError::Finished) => {
                    Ok(Err(ApiError::Conflict("Este alarme já foi encerrado.".into())))
                }
                Err(AlarmError::StepsPending { remaining }) => Ok(Err(ApiError::Conflict(format!(
                    "Conclua os passos do procedimento antes de encerrar como tratado (falta(m) {remaining}). \
                     Um alarme falso ou encaminhado pode ser encerrado com a justificativa na observação."
                )))),
                Err(AlarmError::NoSuchStep) => Ok(Err(ApiError::Validation(vec![
                    atalaia_core::wire::FieldError::new("index", "Este alarme não tem esse passo de procedimento."),
                ]))),
                Err(AlarmError::RecipientRequired) => Ok(Err(ApiError::Validation(vec![
                    atalaia_core::wire::FieldError::new("to", "Informe o destinatário."),
                ]))),
                Err(AlarmError::NoteRequired) => {
                    Ok(Err(ApiError::Validation(vec![atalaia_core::wire::FieldError::new(
                        "note",
                        "Informe uma observação.",
                    )])))
                }
            }
        })
        .await?;
    if result.is_ok() {
        state.outbox.wake();
    }
    result.map(Json)
}

fn channel_name(c: Channel) -> &'static str {
    match c {
        Channel::Email => "E-mail",
        Channel::Sms => "SMS",
    }
}

/// Check a message or call record before it reaches the writer: a recipient the channel can
/// reach, a text, and a channel this server can send on. Phone numbers are normalised (E.164).
fn check_contact(state: &AppState, action: AlarmAction) -> ApiResult<AlarmAction> {
    use atalaia_core::wire::FieldError;
    match action {
        AlarmAction::Notify { channel, to, text } => {
            let mut errors = Vec::new();
            let to = match channel {
                Channel::Email if valid_email(&to) => to.trim().to_owned(),
                Channel::Email => {
                    errors.push(FieldError::new("to", "E-mail inválido."));
                    to
                }
                Channel::Sms => normalize_phone(&to).unwrap_or_else(|| {
                    errors.push(FieldError::new(
                        "to",
                        "Telefone inválido: use o formato internacional, ex.: +55 69 99999-0000.",
                    ));
                    to
                }),
            };
            let limit = if channel == Channel::Sms { 300 } else { 5000 };
            if text.trim().is_empty() || text.chars().count() > limit {
                errors
                    .push(FieldError::new("text", &format!("Escreva a mensagem (até {limit} caracteres).")));
            }
            if !state.outbox.configured(channel) {
                errors.push(FieldError::new(
                    "channel",
                    &format!(
                        "O envio de {} não está configurado neste servidor: registre uma ligação ou use \
                         outro canal.",
                        channel_name(channel)
                    ),
                ));
            }
            check(errors)?;
            Ok(AlarmAction::Notify { channel, to, text })
        }
        AlarmAction::PhoneCall { to, note } => {
            let mut errors = Vec::new();
            if to.trim().is_empty() || to.chars().count() > 100 {
                errors.push(FieldError::new("to", "Informe para quem ligou (nome ou número)."));
            }
            if note.trim().is_empty() || note.chars().count() > 2000 {
                errors.push(FieldError::new("note", "Registre o que foi tratado na ligação."));
            }
            check(errors)?;
            Ok(AlarmAction::PhoneCall { to, note })
        }
        other => Ok(other),
    }
}

/// The procedure for this alarm: the one for its person's group by sentence, else by area, else
/// the one for everyone.
fn procedure_for(conn: crate::store::db::Db<'_>, a: &Alarm) -> Result<Option<Procedure>, StoreError> {
    let groups = match a.subject {
        Subject::Person(p) => {
            Store::get::<Person>(conn, &p.to_string())?.map(|p| p.groups()).unwrap_or_default()
        }
        _ => Vec::new(),
    };
    for g in groups {
        if let Some(p) = Store::get::<Procedure>(conn, &Procedure::key(a.kind, Some(&g)))? {
            return Ok(Some(p));
        }
    }
    Store::get::<Procedure>(conn, &Procedure::key(a.kind, None))
}

#[utoipa::path(get, path = "/api/v1/procedures", tag = "alarms", responses((status = 200, body = [Procedure]), (status = 403, body = Problem)), security(("bearer" = [])))]
pub async fn list_procedures(
    State(state): State<AppState>,
    caller: Caller,
) -> ApiResult<Json<Vec<Procedure>>> {
    caller.require(Permission::AlarmRead)?;
    Ok(Json(state.store.read(|c| Store::list::<Procedure>(c)).await?))
}

/// Define (replace) the steps for an alarm kind, for one group or for everyone (16.2.7).
#[utoipa::path(put, path = "/api/v1/procedures/{kind}", tag = "alarms", params(("kind" = String, Path)), request_body = NewProcedure,
    responses((status = 200, body = Procedure), (status = 403, body = Problem), (status = 422, body = Problem)), security(("bearer" = [])))]
pub async fn put_procedure(
    State(state): State<AppState>,
    caller: Caller,
    Path(kind): Path<String>,
    Body(new): Body<NewProcedure>,
) -> ApiResult<Json<Procedure>> {
    caller.require(Permission::ManageRules)?;
    super::reach::central_only(&caller)?;
    let kind: AlarmKind = serde_json::from_value(serde_json::Value::String(kind))
        .map_err(|_| ApiError::NotFound("Tipo de alarme"))?;
    check(new.validate())?;
    if new.group.as_deref().is_some_and(|g| g.trim() == "*") {
        check(vec![atalaia_core::wire::FieldError::new("group", "\"*\" não é um nome de grupo válido.")])?;
    }
    let actor = caller.actor();
    let group = new.group.map(|g| g.trim().to_owned()).filter(|g| !g.is_empty());
    let steps: Vec<String> = new.steps.iter().map(|s| s.trim().to_owned()).collect();
    let saved = state
        .store
        .write(move |ctx| {
            let p = Procedure { kind, group, steps, updated_at: ctx.now };
            ctx.save(&p)?;
            ctx.audit(
                &actor,
                "procedure.set",
                &Procedure::key(p.kind, p.group.as_deref()),
                &p.steps.join(" | "),
            )?;
            Ok(p)
        })
        .await?;
    Ok(Json(saved))
}
