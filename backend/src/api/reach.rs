//! Horizontal security at the API (RFS177): a professional bound to an organisational unit
//! reaches the monitored people of its region and what concerns them (see
//! `atalaia_core::monitoring::reach`). Lists leave out what is beyond the caller's reach; a
//! single record beyond it is "not found" (a unit does not learn who else is monitored); a write
//! that would put something beyond it is refused.

use super::Caller;
use crate::store::{Entity, Store, StoreError};
use atalaia_core::alarm::Alarm;
use atalaia_core::ids::PersonId;
use atalaia_core::monitoring::reach::{Reach, in_unit};
use atalaia_core::monitoring::{Device, GroupRules, Person, Zone};

/// A record a unit may or may not reach.
pub(crate) trait InReach {
    fn in_reach(&self, r: &Reach) -> bool;

    /// The person the record is about, if any: one record is checked by that person alone,
    /// without reading everyone the unit reaches.
    fn owner(&self) -> Option<PersonId> {
        None
    }
}

impl InReach for Person {
    fn in_reach(&self, r: &Reach) -> bool {
        in_unit(r.unit(), self)
    }
    fn owner(&self) -> Option<PersonId> {
        Some(self.id)
    }
}

impl InReach for Device {
    fn in_reach(&self, r: &Reach) -> bool {
        r.device(self)
    }
    fn owner(&self) -> Option<PersonId> {
        self.person_id
    }
}

impl InReach for Zone {
    fn in_reach(&self, r: &Reach) -> bool {
        r.zone(self)
    }
    fn owner(&self) -> Option<PersonId> {
        self.person_id
    }
}

impl InReach for Alarm {
    fn in_reach(&self, r: &Reach) -> bool {
        r.alarm(self)
    }
}

/// Rules of a group concern no one person.
impl InReach for GroupRules {
    fn in_reach(&self, _: &Reach) -> bool {
        true
    }
}

/// What is the central's alone, not a unit's (RFS177): rules, procedures and notifications that
/// apply to every region, shared profiles, the devices' raw traffic.
pub(crate) fn central_only(caller: &Caller) -> crate::error::ApiResult<()> {
    if caller.user.unit.is_some() { Err(crate::error::ApiError::Forbidden) } else { Ok(()) }
}

/// The caller's unit, to take into a store closure.
pub(crate) fn unit(caller: &Caller) -> Option<String> {
    caller.user.unit.clone()
}

/// What a professional bound to `unit` reaches now; none for the central (everything).
pub(crate) fn load(conn: crate::store::db::Db<'_>, unit: Option<&str>) -> Result<Option<Reach>, StoreError> {
    let Some(unit) = unit else { return Ok(None) };
    let persons = Store::list::<Person>(conn)?;
    let devices = Store::list::<Device>(conn)?;
    Ok(Some(Reach::new(unit, &persons, &devices)))
}

/// Whether `reach` (none: the central) reaches `e`.
pub(crate) fn keeps<E: InReach>(reach: Option<&Reach>, e: &E) -> bool {
    reach.is_none_or(|r| e.in_reach(r))
}

/// The record `id` if the unit reaches it; "not found" otherwise.
pub(crate) fn get<E: Entity + InReach>(
    conn: crate::store::db::Db<'_>,
    unit: Option<&str>,
    id: &str,
) -> Result<E, StoreError> {
    let e: E = Store::get_required(conn, id)?;
    match (unit, e.owner()) {
        (Some(u), Some(p)) if !owned_within(conn, u, p)? => Err(StoreError::NotFound(E::WHAT)),
        _ => Ok(e),
    }
}

/// Whether the person `p` is of `unit` (a person no longer on record is nobody's).
fn owned_within(conn: crate::store::db::Db<'_>, unit: &str, p: PersonId) -> Result<bool, StoreError> {
    Ok(Store::get::<Person>(conn, &p.to_string())?.is_some_and(|p| in_unit(unit, &p)))
}

/// Whether an alarm is about someone of `unit` (or about no one in particular), read from that
/// one person or device alone.
pub(crate) fn alarm_within(
    conn: crate::store::db::Db<'_>,
    unit: Option<&str>,
    a: &Alarm,
) -> Result<bool, StoreError> {
    let Some(u) = unit else { return Ok(true) };
    match &a.subject {
        atalaia_core::alarm::Subject::Person(p) => owned_within(conn, u, *p),
        atalaia_core::alarm::Subject::Device(d) => match Store::get::<Device>(conn, &d.to_string())? {
            Some(d) => Ok(d.person_id.map_or(Ok(true), |p| owned_within(conn, u, p))?),
            None => Ok(false),
        },
        _ => Ok(true),
    }
}

/// The person `id` if the unit reaches them; "not found" otherwise.
pub(crate) fn person(
    conn: crate::store::db::Db<'_>,
    unit: Option<&str>,
    id: PersonId,
) -> Result<Person, StoreError> {
    let p: Person = Store::get_required(conn, &id.to_string())?;
    match unit {
        Some(u) if !in_unit(u, &p) => Err(StoreError::NotFound(Person::WHAT)),
        _ => Ok(p),
    }
}

/// Whether a person's region (as sent) keeps them within `unit`: a unit registers and corrects
/// only people of its own region.
pub(crate) fn region_problem(
    unit: Option<&str>,
    region: Option<&str>,
) -> Option<atalaia_core::wire::FieldError> {
    let unit = unit?;
    let stays = region.is_some_and(|r| atalaia_core::monitoring::reach::same_unit(r, unit));
    (!stays).then(|| {
        atalaia_core::wire::FieldError::new(
            "region",
            &format!("Você só cadastra e corrige pessoas da sua unidade ({unit}): a região deve ser {unit}."),
        )
    })
}

/// Everything that narrows what a user sees beyond the profile's permissions: the unit's reach
/// (RFS177) and a crew's vehicle (issue 23 item 3). Empty for the central's seats.
#[derive(Debug, Clone, Default)]
pub(crate) struct Scope {
    pub(crate) reach: Option<Reach>,
    pub(crate) crew: Option<atalaia_core::samu::crew_scope::CrewScope>,
}

impl Scope {
    /// The scope of `user` now.
    pub(crate) fn load(
        conn: crate::store::db::Db<'_>,
        user: &atalaia_core::wire::UserInfo,
    ) -> Result<Self, StoreError> {
        Ok(Self {
            reach: load(conn, user.unit.as_deref())?,
            crew: super::samu::crew::crew_scope(conn, user)?,
        })
    }

    /// Whether one alarm is within `user`'s scope, read from what it is about alone (not the
    /// whole scope).
    pub(crate) fn alarm_of(
        conn: crate::store::db::Db<'_>,
        user: &atalaia_core::wire::UserInfo,
        a: &Alarm,
    ) -> Result<bool, StoreError> {
        let crew = super::samu::crew::crew_scope(conn, user)?;
        Ok(alarm_within(conn, user.unit.as_deref(), a)? && crew.is_none_or(|c| c.alarm(a)))
    }

    /// Whether an alarm is within the scope.
    pub(crate) fn alarm(&self, a: &Alarm) -> bool {
        keeps(self.reach.as_ref(), a) && self.crew.as_ref().is_none_or(|c| c.alarm(a))
    }

    /// Whether a live-feed subscriber with this scope gets the event; both parts learn from
    /// every event, so they stay current.
    pub(crate) fn sees(&mut self, body: &atalaia_core::wire::EventBody) -> bool {
        let reached = self.reach.as_mut().is_none_or(|r| r.sees(body));
        let crewed = self.crew.as_mut().is_none_or(|c| c.sees(body));
        reached && crewed
    }
}
