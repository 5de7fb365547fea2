//! Investigative queries for operators and administrators (16.2.18, 16.2.22–16.2.28). Every
//! query is a view of people's movements, so each is recorded in the audit trail with its
//! parameters (16.3.2.10).

use super::{Caller, Params, check};
use crate::error::{ApiError, ApiResult};
use crate::investigate::{self, InvestigateError};
use crate::server::AppState;
use crate::store::{Store, StoreError};
use atalaia_core::auth::Permission;
use atalaia_core::geom::LatLon;
use atalaia_core::investigate::{
    CommonPlace, Encounter, NearbyQuery, PersonTrack, Presence, PresenceQuery, SubjectQuery, check_period,
};
use atalaia_core::monitoring::Person;
use atalaia_core::wire::{FieldError, Problem};
use axum::extract::State;
use axum::routing::get;
use axum::{Json, Router};
use std::collections::HashSet;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/investigations/presence", get(presence))
        .route("/investigations/nearby", get(nearby))
        .route("/investigations/tracks", get(tracks))
        .route("/investigations/encounters", get(encounters))
        .route("/investigations/common-places", get(common_places))
}

impl From<InvestigateError> for ApiError {
    fn from(e: InvestigateError) -> Self {
        match e {
            InvestigateError::Store(s) => s.into(),
            InvestigateError::TooBroad(n) => ApiError::Validation(vec![FieldError::new(
                "to",
                &format!(
                    "Consulta ampla demais ({n} horas de trajetos de pessoas): reduza o raio, o período ou o grupo."
                ),
            )]),
        }
    }
}

/// Record the query in the audit trail (who looked at whose movements, with what question).
async fn audit(
    state: &AppState,
    caller: &Caller,
    action: &'static str,
    target: String,
    detail: String,
) -> ApiResult<()> {
    let actor = caller.actor();
    state.store.write(move |ctx| ctx.audit(&actor, action, &target, &detail)).await?;
    Ok(())
}

fn fmt_period(from: chrono::DateTime<chrono::Utc>, to: chrono::DateTime<chrono::Utc>) -> String {
    format!("{} a {}", from.to_rfc3339(), to.to_rfc3339())
}

/// Was this person within the radius of the point in the period? (16.2.18, 16.2.23)
#[utoipa::path(get, path = "/api/v1/investigations/presence", tag = "investigations", params(PresenceQuery),
    responses((status = 200, body = Presence), (status = 404, body = Problem), (status = 422, body = Problem)),
    security(("bearer" = [])))]
pub async fn presence(
    State(state): State<AppState>,
    caller: Caller,
    Params(q): Params<PresenceQuery>,
) -> ApiResult<Json<Presence>> {
    caller.require(Permission::PositionRead)?;
    check(check_period(q.from, q.to, Some((q.lat, q.lon, q.radius_m))))?;
    let unit = super::reach::unit(&caller);
    let person = state.store.read(move |c| super::reach::person(c, unit.as_deref(), q.person_id)).await?;
    audit(
        &state,
        &caller,
        "investigation.presence",
        person.id.to_string(),
        format!("{:.6},{:.6} raio {} m; {}", q.lat, q.lon, q.radius_m, fmt_period(q.from, q.to)),
    )
    .await?;
    let center = LatLon { lat: q.lat, lon: q.lon };
    let answer = state
        .store
        .read(move |c| Ok(investigate::presence(c, &person, center, q.radius_m, q.from, q.to)))
        .await??;
    Ok(Json(answer))
}

/// Who was within the radius of the point in the period (16.2.24), earliest first.
#[utoipa::path(get, path = "/api/v1/investigations/nearby", tag = "investigations", params(NearbyQuery),
    responses((status = 200, body = [Presence]), (status = 422, body = Problem)), security(("bearer" = [])))]
pub async fn nearby(
    State(state): State<AppState>,
    caller: Caller,
    Params(q): Params<NearbyQuery>,
) -> ApiResult<Json<Vec<Presence>>> {
    caller.require(Permission::PositionRead)?;
    check(check_period(q.from, q.to, Some((q.lat, q.lon, q.radius_m))))?;
    audit(
        &state,
        &caller,
        "investigation.nearby",
        format!("{:.6},{:.6}", q.lat, q.lon),
        format!("raio {} m; {}", q.radius_m, fmt_period(q.from, q.to)),
    )
    .await?;
    let center = LatLon { lat: q.lat, lon: q.lon };
    let unit = super::reach::unit(&caller);
    let answer = state
        .store
        .read(move |c| {
            let within = super::reach::load(c, unit.as_deref())?;
            Ok(investigate::nearby(c, center, q.radius_m, q.from, q.to)
                .map(|found| found.into_iter().filter(|p| reached(within.as_ref(), p.person_id)).collect()))
        })
        .await??;
    Ok(Json(answer))
}

/// Whether a unit (none: the central) reaches the person a result names (RFS177).
fn reached(within: Option<&atalaia_core::monitoring::reach::Reach>, id: atalaia_core::ids::PersonId) -> bool {
    within.is_none_or(|r| r.person(id))
}

/// What the caller reaches, for filtering the people a result names.
async fn reach_of(
    state: &AppState,
    caller: &Caller,
) -> ApiResult<Option<atalaia_core::monitoring::reach::Reach>> {
    let unit = super::reach::unit(caller);
    Ok(state.store.read(move |c| super::reach::load(c, unit.as_deref())).await?)
}

/// The people a query is about: one person, or everyone in a group (16.2.25) — of the caller's
/// unit when they are bound to one (RFS177).
async fn subjects(
    state: &AppState,
    caller: &Caller,
    q: &SubjectQuery,
) -> ApiResult<(Vec<Person>, Option<HashSet<atalaia_core::ids::PersonId>>, String)> {
    let unit = super::reach::unit(caller);
    let mut errors = check_period(q.from, q.to, None);
    let group = q.group.as_deref().map(str::trim).filter(|g| !g.is_empty()).map(str::to_owned);
    if q.person_id.is_some() == group.is_some() {
        errors.push(FieldError::new("person_id", "Informe uma pessoa (person_id) ou um grupo (group)."));
    }
    check(errors)?;
    if let Some(id) = q.person_id {
        let p = state.store.read(move |c| super::reach::person(c, unit.as_deref(), id)).await?;
        let target = p.id.to_string();
        return Ok((vec![p], None, target));
    }
    let g = group.unwrap_or_default();
    let wanted = g.clone();
    let mut people: Vec<Person> = state.store.read(|c| Store::list::<Person>(c)).await?;
    people.retain(|p| {
        p.groups().contains(&wanted)
            && unit.as_deref().is_none_or(|u| atalaia_core::monitoring::reach::in_unit(u, p))
    });
    if people.is_empty() {
        return Err(StoreError::NotFound("Grupo").into());
    }
    let ids = people.iter().map(|p| p.id).collect();
    Ok((people, Some(ids), format!("grupo {g}")))
}

/// The track of a person or of every member of a group in the period (16.2.26).
#[utoipa::path(get, path = "/api/v1/investigations/tracks", tag = "investigations", params(SubjectQuery),
    responses((status = 200, body = [PersonTrack]), (status = 404, body = Problem), (status = 422, body = Problem)),
    security(("bearer" = [])))]
pub async fn tracks(
    State(state): State<AppState>,
    caller: Caller,
    Params(q): Params<SubjectQuery>,
) -> ApiResult<Json<Vec<PersonTrack>>> {
    caller.require(Permission::PositionRead)?;
    let (people, _, target) = subjects(&state, &caller, &q).await?;
    audit(&state, &caller, "investigation.tracks", target, fmt_period(q.from, q.to)).await?;
    let answer = state.store.read(move |c| Ok(investigate::tracks_of(c, &people, q.from, q.to))).await??;
    Ok(Json(answer))
}

/// Encounters of a person with anyone, or among the members of a group, in the period (16.2.27):
/// within `distance_m` (default 50) with fixes at most `window_s` (default 120) apart.
#[utoipa::path(get, path = "/api/v1/investigations/encounters", tag = "investigations", params(SubjectQuery),
    responses((status = 200, body = [Encounter]), (status = 404, body = Problem), (status = 422, body = Problem)),
    security(("bearer" = [])))]
pub async fn encounters(
    State(state): State<AppState>,
    caller: Caller,
    Params(q): Params<SubjectQuery>,
) -> ApiResult<Json<Vec<Encounter>>> {
    caller.require(Permission::PositionRead)?;
    let distance = q.distance_m.unwrap_or(50.0);
    let window = q.window_s.unwrap_or(120);
    let mut errors = Vec::new();
    if !distance.is_finite() || !(1.0..=500.0).contains(&distance) {
        errors.push(FieldError::new("distance_m", "A distância deve ficar entre 1 e 500 metros."));
    }
    if !(0..=1800).contains(&window) {
        errors.push(FieldError::new("window_s", "A janela deve ficar entre 0 e 1.800 segundos."));
    }
    check(errors)?;
    let (people, among, target) = subjects(&state, &caller, &q).await?;
    audit(
        &state,
        &caller,
        "investigation.encounters",
        target,
        format!("{} m, {} s; {}", distance, window, fmt_period(q.from, q.to)),
    )
    .await?;
    let within = reach_of(&state, &caller).await?;
    let mut answer = state
        .store
        .read(move |c| {
            Ok(investigate::encounters(c, &people, among.as_ref(), q.from, q.to, distance, window))
        })
        .await??;
    answer.retain(|e| reached(within.as_ref(), e.other_id));
    Ok(Json(answer))
}

/// Places where a person and others, or members of a group, each spent at least `min_minutes`
/// (default 30) in the period (16.2.28).
#[utoipa::path(get, path = "/api/v1/investigations/common-places", tag = "investigations", params(SubjectQuery),
    responses((status = 200, body = [CommonPlace]), (status = 404, body = Problem), (status = 422, body = Problem)),
    security(("bearer" = [])))]
pub async fn common_places(
    State(state): State<AppState>,
    caller: Caller,
    Params(q): Params<SubjectQuery>,
) -> ApiResult<Json<Vec<CommonPlace>>> {
    caller.require(Permission::PositionRead)?;
    let min = q.min_minutes.unwrap_or(30);
    if !(5..=24 * 60).contains(&min) {
        check(vec![FieldError::new("min_minutes", "O tempo mínimo deve ficar entre 5 minutos e 24 horas.")])?;
    }
    let (people, among, target) = subjects(&state, &caller, &q).await?;
    audit(
        &state,
        &caller,
        "investigation.common_places",
        target,
        format!("mínimo {min} min; {}", fmt_period(q.from, q.to)),
    )
    .await?;
    let within = reach_of(&state, &caller).await?;
    let mut answer = state
        .store
        .read(move |c| Ok(investigate::common_places(c, &people, among.as_ref(), q.from, q.to, min)))
        .await??;
    // A place shared with people beyond the unit is a place shared by fewer (or none).
    for place in &mut answer {
        place.visitors.retain(|v| reached(within.as_ref(), v.person_id));
    }
    answer.retain(|p| p.visitors.len() >= 2);
    Ok(Json(answer))
}
