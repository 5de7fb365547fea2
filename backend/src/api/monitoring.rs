//! Monitoring resources: persons, devices (with their person or vehicle link), zones, position
//! history and the log of refused device messages.

use super::Params;
use super::reach::{self, InReach};
use super::{Body, Caller, check, created, parse_id};
use crate::error::ApiResult;
use crate::server::AppState;
use crate::store::{Entity, PositionFilter, Store, StoreError};
use atalaia_core::auth::Permission;
use atalaia_core::monitoring::{GroupRules, Person, Position, Zone};
use atalaia_core::wire::{
    AuditEntry, FieldError, NewGroupRules, NewPerson, NewZone, PositionQuery, Problem, ZoneStateChange,
};
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::routing::get;
use axum::{Json, Router};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/persons", get(list_persons).post(create_person))
        .route("/persons/{id}", get(get_person).put(update_person))
        .route("/persons/{id}/history", get(person_history))
        .route("/zones", get(list_zones).post(create_zone))
        .route("/zones/{id}", get(get_zone).put(update_zone))
        .route("/zones/{id}/state", axum::routing::post(change_zone_state))
        .route("/zones/{id}/history", get(zone_history))
        .route("/group-rules", get(list_group_rules))
        .route("/group-rules/{group}", get(get_group_rules).put(put_group_rules))
        .route("/positions", get(list_positions))
}

/// Every record of a kind the caller reaches (RFS177).
pub(super) async fn list_of<E: Entity + InReach>(
    state: &AppState,
    caller: &Caller,
    p: Permission,
) -> ApiResult<Json<Vec<E>>> {
    caller.require(p)?;
    let unit = reach::unit(caller);
    Ok(Json(
        state
            .store
            .read(move |c| {
                let within = reach::load(c, unit.as_deref())?;
                Ok(Store::list::<E>(c)?.into_iter().filter(|e| reach::keeps(within.as_ref(), e)).collect())
            })
            .await?,
    ))
}

/// One record, "not found" when beyond the caller's reach (RFS177).
pub(super) async fn get_of<E: Entity + InReach>(
    state: &AppState,
    caller: &Caller,
    p: Permission,
    id: &str,
) -> ApiResult<Json<E>> {
    caller.require(p)?;
    let id: uuid::Uuid = parse_id(id, E::WHAT)?;
    let unit = reach::unit(caller);
    Ok(Json(state.store.read(move |c| reach::get(c, unit.as_deref(), &id.to_string())).await?))
}

#[utoipa::path(get, path = "/api/v1/persons", tag = "monitoring", responses((status = 200, body = [Person]), (status = 403, body = Problem)), security(("bearer" = [])))]
pub async fn list_persons(State(s): State<AppState>, caller: Caller) -> ApiResult<Json<Vec<Person>>> {
    list_of(&s, &caller, Permission::PersonRead).await
}

#[utoipa::path(get, path = "/api/v1/persons/{id}", tag = "monitoring", params(("id" = atalaia_core::ids::PersonId, Path)), responses((status = 200, body = Person), (status = 404, body = Problem)), security(("bearer" = [])))]
pub async fn get_person(
    State(s): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> ApiResult<Json<Person>> {
    let Json(person) = get_of::<Person>(&s, &caller, Permission::PersonRead, &id).await?;
    // Opening a person's record is a view of personal data (16.3.2.10).
    let actor = caller.actor();
    let target = person.id.to_string();
    s.store.write(move |ctx| ctx.audit(&actor, "person.view", &target, "")).await?;
    Ok(Json(person))
}

#[utoipa::path(post, path = "/api/v1/persons", tag = "monitoring", request_body = NewPerson, responses((status = 201, body = Person),
    (status = 200, body = Person, description = "replay of an id already stored"), (status = 422, body = Problem)), security(("bearer" = [])))]
pub async fn create_person(
    State(state): State<AppState>,
    caller: Caller,
    Body(new): Body<NewPerson>,
) -> ApiResult<(StatusCode, Json<Person>)> {
    caller.require(Permission::PersonWrite)?;
    let actor = caller.actor();
    let mut new = new;
    // A unit registers people of its region (RFS177): the region is the unit's unless said.
    if let Some(unit) = reach::unit(&caller)
        && new.region.as_deref().is_none_or(|r| r.trim().is_empty())
    {
        new.region = Some(unit);
    }
    let mut errors = new.validate();
    let unit = reach::unit(&caller);
    errors.extend(reach::region_problem(unit.as_deref(), new.region.as_deref()));
    check(errors)?;
    let (new_record, p) = state
        .store
        .write(move |ctx| {
            if let Some(stored) = Store::existing::<Person, _>(ctx.conn, new.id)? {
                // A replay answers what was stored, if the caller reaches it.
                return Ok((false, reach::person(ctx.conn, unit.as_deref(), stored.id)?));
            }
            if let (Some(_), Some(other)) = (&unit, new.linked_person) {
                reach::person(ctx.conn, unit.as_deref(), other)?;
            }
            let p = Person {
                id: new.id.unwrap_or_default(),
                name: new.name.trim().to_owned(),
                record: new.record.trim().to_owned(),
                regime: new.regime,
                group: new.group.map(|g| g.trim().to_owned()).filter(|g| !g.is_empty()),
                region: new.region.map(|g| g.trim().to_owned()).filter(|g| !g.is_empty()),
                responsible: new.responsible.filter(|r| !r.trim().is_empty()),
                linked_person: new.linked_person,
                personal: new.personal.as_ref().map(|d| d.normalized()).unwrap_or_default(),
                revision: Default::default(),
                created_at: ctx.now,
                photo: None,
            };
            ctx.save(&p)?;
            ctx.audit(&actor, "person.create", &p.id.to_string(), &p.name)?;
            Ok((true, p))
        })
        .await?;
    Ok(created(new_record, p))
}

/// Correct or update a person's record (issue 22 item 1, III-2.7): the body is the whole record
/// as on registration; what changed is kept in the record's history (`GET /persons/{id}/history`).
#[utoipa::path(put, path = "/api/v1/persons/{id}", tag = "monitoring", params(("id" = atalaia_core::ids::PersonId, Path)), request_body = NewPerson,
    responses((status = 200, body = Person), (status = 404, body = Problem),
        (status = 409, body = Problem, description = "corrected by someone else since `revision`"),
        (status = 422, body = Problem)), security(("bearer" = [])))]
pub async fn update_person(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    Body(new): Body<NewPerson>,
) -> ApiResult<Json<Person>> {
    caller.require(Permission::PersonWrite)?;
    let id: atalaia_core::ids::PersonId = parse_id(&id, Person::WHAT)?;
    let mut errors = new.validate();
    if new.id.is_some_and(|n| n != id) {
        errors.push(FieldError::new("id", "O identificador do corpo difere do da pessoa no endereço."));
    }
    if new.linked_person == Some(id) {
        errors.push(FieldError::new("linked_person", "Uma pessoa não pode ser vinculada a si mesma."));
    }
    let unit = reach::unit(&caller);
    errors.extend(reach::region_problem(unit.as_deref(), new.region.as_deref()));
    check(errors)?;
    let actor = caller.actor();
    let p = state
        .store
        .write(move |ctx| {
            let mut p = reach::person(ctx.conn, unit.as_deref(), id)?;
            if let Some(opened) = new.revision.filter(|r| *r != p.revision) {
                // Say what the other corrections changed, so nobody has to guess what to redo.
                let since = p.revision.saturating_sub(opened).clamp(1, 20);
                let q = atalaia_core::wire::AuditQuery {
                    target: Some(id.to_string()),
                    action: Some("person.update".to_owned()),
                    limit: Some(since as _),
                    ..atalaia_core::wire::AuditQuery::default()
                };
                let mut made: Vec<String> = Store::audit_entries(ctx.conn, &q)?
                    .into_iter()
                    .map(|e| format!("{} ({})", e.username, e.detail))
                    .collect();
                made.reverse();
                let what = if made.is_empty() { String::new() } else { format!(": {}", made.join("; ")) };
                return Err(StoreError::Conflict(format!(
                    "O cadastro de {} foi corrigido por outra pessoa depois que você o abriu{what}. \
                     Reabra-o para ver a correção e refaça a sua.",
                    p.name
                )));
            }
            if let Some(other) = new.linked_person {
                reach::person(ctx.conn, unit.as_deref(), other)?;
            }
            let changes = new.changes_to(&p);
            if changes.is_empty() {
                return Ok(p);
            }
            new.apply_to(&mut p);
            p.revision += 1;
            ctx.save(&p)?;
            ctx.audit(&actor, "person.update", &p.id.to_string(), &changes.join("; "))?;
            Ok(p)
        })
        .await?;
    Ok(Json(p))
}

/// A person's record history: registration and every change, who made it and when, newest first.
#[utoipa::path(get, path = "/api/v1/persons/{id}/history", tag = "monitoring", params(("id" = atalaia_core::ids::PersonId, Path)),
    responses((status = 200, body = [AuditEntry]), (status = 404, body = Problem)), security(("bearer" = [])))]
pub async fn person_history(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> ApiResult<Json<Vec<AuditEntry>>> {
    caller.require(Permission::PersonRead)?;
    let id: atalaia_core::ids::PersonId = parse_id(&id, Person::WHAT)?;
    let unit = reach::unit(&caller);
    let entries = state
        .store
        .read(move |c| {
            reach::person(c, unit.as_deref(), id)?;
            record_history(c, &id.to_string(), &["person.update", "person.photo", "person.create"])
        })
        .await?;
    Ok(Json(entries))
}

/// The changes of one record from the audit trail, newest first. Asked by action: the record's
/// views (audited too) must not crowd its changes out.
fn record_history(
    c: crate::store::db::Db<'_>,
    target: &str,
    actions: &[&str],
) -> Result<Vec<AuditEntry>, StoreError> {
    let mut entries = Vec::new();
    for action in actions {
        let q = atalaia_core::wire::AuditQuery {
            target: Some(target.to_owned()),
            action: Some((*action).to_owned()),
            limit: Some(1_000),
            ..atalaia_core::wire::AuditQuery::default()
        };
        entries.extend(Store::audit_entries(c, &q)?);
    }
    entries.sort_by_key(|e| std::cmp::Reverse(e.seq));
    Ok(entries)
}

/// A zone's history: drawn, each change of its shape or owner, each suspension, resumption and
/// its lifting with the reason, who and when, newest first (III-2.13).
#[utoipa::path(get, path = "/api/v1/zones/{id}/history", tag = "monitoring", params(("id" = atalaia_core::ids::ZoneId, Path)),
    responses((status = 200, body = [AuditEntry]), (status = 404, body = Problem)), security(("bearer" = [])))]
pub async fn zone_history(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> ApiResult<Json<Vec<AuditEntry>>> {
    caller.require(Permission::ZoneRead)?;
    let id: atalaia_core::ids::ZoneId = parse_id(&id, Zone::WHAT)?;
    let unit = reach::unit(&caller);
    let entries = state
        .store
        .read(move |c| {
            let _: Zone = reach::get(c, unit.as_deref(), &id.to_string())?;
            let actions = ["zone.create", "zone.update", "zone.suspend", "zone.resume", "zone.lift"];
            record_history(c, &id.to_string(), &actions)
        })
        .await?;
    Ok(Json(entries))
}

#[utoipa::path(get, path = "/api/v1/zones", tag = "monitoring", responses((status = 200, body = [Zone]), (status = 403, body = Problem)), security(("bearer" = [])))]
pub async fn list_zones(State(s): State<AppState>, caller: Caller) -> ApiResult<Json<Vec<Zone>>> {
    list_of(&s, &caller, Permission::ZoneRead).await
}

#[utoipa::path(get, path = "/api/v1/zones/{id}", tag = "monitoring", params(("id" = atalaia_core::ids::ZoneId, Path)), responses((status = 200, body = Zone), (status = 404, body = Problem)), security(("bearer" = [])))]
pub async fn get_zone(
    State(s): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> ApiResult<Json<Zone>> {
    get_of(&s, &caller, Permission::ZoneRead, &id).await
}

/// Create a zone (16.2.6: circle, rectangle or polygon; per person or per group).
#[utoipa::path(post, path = "/api/v1/zones", tag = "monitoring", request_body = NewZone,
    responses((status = 201, body = Zone), (status = 403, body = Problem), (status = 422, body = Problem)), security(("bearer" = [])))]
pub async fn create_zone(
    State(state): State<AppState>,
    caller: Caller,
    Body(new): Body<NewZone>,
) -> ApiResult<(StatusCode, Json<Zone>)> {
    caller.require(Permission::ZoneWrite)?;
    let actor = caller.actor();
    let unit = reach::unit(&caller);
    check(new.validate())?;
    let (new_record, z) = state
        .store
        .write(move |ctx| {
            if let Some(stored) = Store::existing::<Zone, _>(ctx.conn, new.id)? {
                return Ok((false, reach::get(ctx.conn, unit.as_deref(), &stored.id.to_string())?));
            }
            if let Some(p) = new.person_id {
                reach::person(ctx.conn, unit.as_deref(), p)?;
            }
            // A zone of a whole group holds in every region: the central's (RFS177).
            if unit.is_some() && new.person_id.is_none() {
                return Err(StoreError::Forbidden);
            }
            let z = Zone {
                id: new.id.unwrap_or_default(),
                name: new.name.trim().to_owned(),
                kind: new.kind,
                shape: new.shape,
                person_id: new.person_id,
                group: new.group.map(|g| g.trim().to_owned()).filter(|g| !g.is_empty()),
                active: true,
                schedule: new.schedule,
                warning_m: new.warning_m,
                created_at: ctx.now,
                lifted: None,
            };
            ctx.save(&z)?;
            ctx.audit(&actor, "zone.create", &z.id.to_string(), &z.name)?;
            Ok((true, z))
        })
        .await?;
    Ok(created(new_record, z))
}

/// Change a zone drawn on the map (16.2.6, III-2.10): new name, kind, shape, owner or warning
/// buffer. The zone keeps its id, its creation time and whether it is active; the detection
/// engine takes the new shape from the live event at once.
#[utoipa::path(put, path = "/api/v1/zones/{id}", tag = "monitoring", params(("id" = atalaia_core::ids::ZoneId, Path)), request_body = NewZone,
    responses((status = 200, body = Zone), (status = 404, body = Problem),
        (status = 409, body = Problem, description = "the zone was lifted and can no longer change"),
        (status = 422, body = Problem)), security(("bearer" = [])))]
pub async fn update_zone(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    Body(new): Body<NewZone>,
) -> ApiResult<Json<Zone>> {
    caller.require(Permission::ZoneWrite)?;
    let id: atalaia_core::ids::ZoneId = parse_id(&id, Zone::WHAT)?;
    let mut errors = new.validate();
    if new.id.is_some_and(|n| n != id) {
        errors.push(FieldError::new("id", "O identificador do corpo difere do da zona no endereço."));
    }
    // A zone stored before today's limits (a 5 m circle, a crossing polygon) can still be
    // renamed: the limits apply to a shape or buffer being changed.
    let key = id.to_string();
    if let Some(old) = state.store.read(move |c| Store::get::<Zone>(c, &key)).await? {
        errors.retain(|e| match e.field.as_str() {
            "shape" => new.shape != old.shape,
            "warning_m" => new.warning_m != old.warning_m || new.kind != old.kind,
            _ => true,
        });
    }
    check(errors)?;
    let actor = caller.actor();
    let unit = reach::unit(&caller);
    let z = state
        .store
        .write(move |ctx| {
            let old: Zone = reach::get(ctx.conn, unit.as_deref(), &id.to_string())?;
            if unit.is_some() && (old.person_id.is_none() || new.person_id.is_none()) {
                return Err(StoreError::Forbidden);
            }
            if old.lifted.is_some() {
                return Err(StoreError::Conflict(
                    "Esta zona foi revogada e não pode mais ser alterada.".into(),
                ));
            }
            if let Some(p) = new.person_id {
                reach::person(ctx.conn, unit.as_deref(), p)?;
            }
            let z = Zone {
                id,
                name: new.name.trim().to_owned(),
                kind: new.kind,
                shape: new.shape,
                person_id: new.person_id,
                group: new.group.map(|g| g.trim().to_owned()).filter(|g| !g.is_empty()),
                active: old.active,
                schedule: new.schedule,
                warning_m: new.warning_m,
                created_at: old.created_at,
                lifted: None,
            };
            ctx.save(&z)?;
            ctx.audit(&actor, "zone.update", &z.id.to_string(), &z.name)?;
            Ok(z)
        })
        .await?;
    Ok(Json(z))
}

/// Suspend, resume or lift a zone, with the reason (III-2.13). A suspended or lifted zone is out
/// of the detector at once (it raises nothing more); a lifted one is kept for the record and
/// cannot be changed again (409).
#[utoipa::path(post, path = "/api/v1/zones/{id}/state", tag = "monitoring", params(("id" = atalaia_core::ids::ZoneId, Path)),
    request_body = ZoneStateChange,
    responses((status = 200, body = Zone), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)),
    security(("bearer" = [])))]
pub async fn change_zone_state(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    Body(change): Body<ZoneStateChange>,
) -> ApiResult<Json<Zone>> {
    caller.require(Permission::ZoneWrite)?;
    let id: atalaia_core::ids::ZoneId = parse_id(&id, Zone::WHAT)?;
    check(change.validate())?;
    let actor = caller.actor();
    let by = caller.user.display_name.clone();
    let unit = reach::unit(&caller);
    let z = state
        .store
        .write(move |ctx| {
            let mut z: Zone = reach::get(ctx.conn, unit.as_deref(), &id.to_string())?;
            if unit.is_some() && z.person_id.is_none() {
                return Err(StoreError::Forbidden);
            }
            z.change_state(change.action, &by, &change.reason, ctx.now).map_err(StoreError::Conflict)?;
            ctx.save(&z)?;
            let detail = format!("{}: {}", z.name, change.reason.trim());
            ctx.audit(&actor, change.action.audit_action(), &z.id.to_string(), &detail)?;
            Ok(z)
        })
        .await?;
    Ok(Json(z))
}

/// Track history in fix-time order (at most 10,000 fixes per request).
#[utoipa::path(get, path = "/api/v1/positions", tag = "monitoring", params(PositionQuery),
    responses((status = 200, body = [Position]), (status = 403, body = Problem)), security(("bearer" = [])))]
pub async fn list_positions(
    State(state): State<AppState>,
    caller: Caller,
    Params(q): Params<PositionQuery>,
) -> ApiResult<Json<Vec<Position>>> {
    caller.require(Permission::PositionRead)?;
    let mut f = PositionFilter {
        device: q.device_id,
        person: q.person_id,
        from: q.from,
        to: q.to,
        limit: q.limit.unwrap_or(1000).min(10_000),
        ..PositionFilter::default()
    };
    let unit = reach::unit(&caller);
    let found = state
        .store
        .read(move |c| {
            // A unit's fixes are chosen in the query, so the limit counts only theirs (RFS177).
            if let Some(within) = reach::load(c, unit.as_deref())? {
                f.persons = Some(within.persons().collect());
            }
            Store::positions(c, &f)
        })
        .await?;
    // A position history is a view of personal data (16.3.2.10): who looked at whose movements.
    let actor = caller.actor();
    let target = q
        .person_id
        .map(|p| p.to_string())
        .or(q.device_id.map(|d| d.to_string()))
        .unwrap_or_else(|| "*".into());
    let detail = format!("{} posições", found.len());
    state.store.write(move |ctx| ctx.audit(&actor, "positions.view", &target, &detail)).await?;
    Ok(Json(found))
}

#[utoipa::path(get, path = "/api/v1/group-rules", tag = "monitoring", responses((status = 200, body = [GroupRules]), (status = 403, body = Problem)), security(("bearer" = [])))]
pub async fn list_group_rules(State(s): State<AppState>, caller: Caller) -> ApiResult<Json<Vec<GroupRules>>> {
    list_of(&s, &caller, Permission::PersonRead).await
}

#[utoipa::path(get, path = "/api/v1/group-rules/{group}", tag = "monitoring", params(("group" = String, Path)), responses((status = 200, body = GroupRules), (status = 404, body = Problem)), security(("bearer" = [])))]
pub async fn get_group_rules(
    State(s): State<AppState>,
    caller: Caller,
    Path(group): Path<String>,
) -> ApiResult<Json<GroupRules>> {
    caller.require(Permission::PersonRead)?;
    let group = group.trim().to_owned();
    Ok(Json(s.store.read(move |c| Store::get_required(c, &group)).await?))
}

/// Set (replace) the rules of a group (III-2.25); they apply to its people at once.
#[utoipa::path(put, path = "/api/v1/group-rules/{group}", tag = "monitoring", params(("group" = String, Path)), request_body = NewGroupRules,
    responses((status = 200, body = GroupRules), (status = 403, body = Problem), (status = 422, body = Problem)), security(("bearer" = [])))]
pub async fn put_group_rules(
    State(state): State<AppState>,
    caller: Caller,
    Path(group): Path<String>,
    Body(new): Body<NewGroupRules>,
) -> ApiResult<Json<GroupRules>> {
    caller.require(Permission::ManageRules)?;
    super::reach::central_only(&caller)?;
    let actor = caller.actor();
    check(new.validate(&group))?;
    let mut disabled = new.disabled;
    disabled.sort_by_key(|k| format!("{k:?}"));
    disabled.dedup();
    let rules = state
        .store
        .write(move |ctx| {
            let r = GroupRules {
                group: group.trim().to_owned(),
                disabled,
                signal_timeout_s: new.signal_timeout_s,
                zone_dwell_s: new.zone_dwell_s,
                updated_at: ctx.now,
            };
            ctx.save(&r)?;
            ctx.audit(&actor, "group_rules.set", &r.group, &serde_json::to_string(&r).unwrap_or_default())?;
            Ok(r)
        })
        .await?;
    Ok(Json(rules))
}
