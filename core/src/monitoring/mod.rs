//! Electronic-monitoring domain: monitored people, devices and their lifecycle, person × device
//! assignments, zones and position fixes (seed 003, sections 2–4).

use crate::alarm::AlarmKind;
use crate::geom::{LatLon, Shape};
use crate::ids::{AssignmentId, DeviceId, PersonId, PositionId, VehicleId, ZoneId};
use crate::schedule::WeeklySchedule;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

pub mod documents;
mod lifecycle;
pub mod reach;
pub use lifecycle::{DeviceAction, DeviceStep, Why, active_on, wearing};

/// Legal regime of a monitored person.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Regime {
    HouseArrest,
    SemiOpen,
    Open,
    ProtectiveMeasure,
    /// A protected victim carrying a unit (aggressor–victim proximity).
    Victim,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Person {
    pub id: PersonId,
    pub name: String,
    /// Court case or prison-system record number.
    pub record: String,
    pub regime: Regime,
    /// The group by type of sentence or measure, for per-group zones, rules and procedures
    /// (III-2.24, III-2.25).
    pub group: Option<String>,
    /// The group by geographic area (III-2.24): zones, rules and notifications may name it too.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub region: Option<String>,
    pub responsible: Option<String>,
    /// For a protected victim: the aggressor whose approach raises an alarm (27.16.1).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub linked_person: Option<PersonId>,
    pub created_at: DateTime<Utc>,
    /// The current photo (III-2.21, 16.2.16): field teams identify the person by it. Earlier
    /// photos are kept on the server and named in the record's history.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub photo: Option<PhotoRef>,
    /// Who the person is, for field teams and the court (III-2.21, 16.2.16).
    #[serde(default, skip_serializing_if = "PersonalData::is_empty")]
    pub personal: PersonalData,
    /// How many corrections the record has had: a correction made on an older one is refused,
    /// never silently over another person's (issue 22).
    #[serde(default)]
    pub revision: u32,
}

/// A monitored person's identification and contact (III-2.21, 16.2.16); each field optional.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct PersonalData {
    /// CPF, digits only once stored.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cpf: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rg: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub birth_date: Option<chrono::NaiveDate>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mother_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub address: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phone: Option<String>,
}

impl PersonalData {
    pub fn is_empty(&self) -> bool {
        *self == Self::default()
    }

    /// Each field trimmed, empty ones none, the CPF as digits.
    pub fn normalized(&self) -> Self {
        let opt =
            |v: &Option<String>| v.as_deref().map(str::trim).filter(|s| !s.is_empty()).map(str::to_owned);
        Self {
            cpf: opt(&self.cpf).map(|c| c.chars().filter(char::is_ascii_digit).collect()),
            rg: opt(&self.rg),
            birth_date: self.birth_date,
            mother_name: opt(&self.mother_name),
            address: opt(&self.address),
            phone: opt(&self.phone),
        }
    }
}

impl Person {
    /// Every group the person belongs to: by sentence first, then by area (III-2.24).
    pub fn groups(&self) -> Vec<String> {
        self.group.iter().chain(&self.region).cloned().collect()
    }
}

/// A stored photo of a person: what the console needs to fetch, cache and show it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct PhotoRef {
    pub id: uuid::Uuid,
    /// `image/jpeg` or `image/png`.
    pub content_type: String,
    pub size: u64,
    pub width: u32,
    pub height: u32,
    /// SHA-256 of the file, hex: the same picture sent twice is one photo.
    pub sha256: String,
    pub at: DateTime<Utc>,
    /// Who sent it (display name).
    pub by: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum DeviceKind {
    AnkleBracelet,
    VictimUnit,
    VehicleTracker,
}

/// Device lifecycle (seed 003 8b, III-2.12): stock → active → stock again, defective or lost
/// (and back to stock once repaired or found) → deactivated; see [`DeviceAction`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum DeviceState {
    Stock,
    Active,
    Deactivated,
    Defective,
    Lost,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Device {
    pub id: DeviceId,
    /// The identifier the device sends on the wire (IMEI for GSM units, any token for OsmAnd).
    pub imei: String,
    pub kind: DeviceKind,
    pub state: DeviceState,
    pub sim1: Option<String>,
    pub sim2: Option<String>,
    /// Current wearer, from the open assignment.
    pub person_id: Option<PersonId>,
    /// Vehicle this tracker is installed in.
    pub vehicle_id: Option<VehicleId>,
    pub last_contact: Option<DateTime<Utc>>,
    pub battery_pct: Option<f64>,
    /// The device's model (`atalaia_core::devices`): what its inputs mean. None: the default
    /// model of its kind.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub model: Option<String>,
    /// Configured reporting interval (15 s to 3 min, III-2.20); sets the signal-loss threshold.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub report_interval_s: Option<u32>,
    pub created_at: DateTime<Utc>,
    /// Every change of state or wearer, oldest first (III-2.12).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub history: Vec<DeviceStep>,
}

impl Device {
    /// Only active devices may report; stock or deactivated units are refused like unknown ones.
    pub fn accepts_data(&self) -> bool {
        self.state == DeviceState::Active
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Assignment {
    pub id: AssignmentId,
    pub person_id: PersonId,
    pub device_id: DeviceId,
    pub from: DateTime<Utc>,
    pub until: Option<DateTime<Utc>>,
}

/// Zone kinds (16.2.6, III-2.10).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ZoneKind {
    /// The person must stay inside.
    Inclusion,
    /// The person must stay outside.
    Exclusion,
    /// Buffer around an exclusion zone: entering it warns before the violation (III-2.10).
    Warning,
    /// Monitored at all times regardless of schedule.
    Continuous,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Zone {
    pub id: ZoneId,
    pub name: String,
    pub kind: ZoneKind,
    pub shape: Shape,
    /// Zone of one person, or of a whole group when `person_id` is empty (III-2.24, III-2.25).
    pub person_id: Option<PersonId>,
    pub group: Option<String>,
    pub active: bool,
    /// When the zone is in force, in the site's time zone (curfew); always when empty.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub schedule: Option<WeeklySchedule>,
    /// Width of the warning buffer around an exclusion zone, metres (III-2.10).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub warning_m: Option<f64>,
    pub created_at: DateTime<Utc>,
    /// Lifted for good (a court removed the restriction): kept for the record, never enforced
    /// nor changed again. A zone merely suspended is `active: false` without this.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lifted: Option<ZoneLift>,
}

/// Who lifted a zone, when and why (III-2.13).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct ZoneLift {
    pub at: DateTime<Utc>,
    pub by: String,
    pub reason: String,
}

/// What an administrator does to a zone in force or suspended (III-2.13).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ZoneAction {
    /// Not enforced until resumed (a judicial authorisation for a period, a move in progress).
    Suspend,
    /// In force again.
    Resume,
    /// Lifted for good (the restriction was removed).
    Lift,
}

impl ZoneAction {
    /// The audit trail's name of the action.
    pub fn audit_action(self) -> &'static str {
        match self {
            ZoneAction::Suspend => "zone.suspend",
            ZoneAction::Resume => "zone.resume",
            ZoneAction::Lift => "zone.lift",
        }
    }
}

impl Zone {
    /// Applies `action`, by `by` at `at` for `reason`; why not, in Portuguese, when the zone's
    /// state does not allow it.
    /// What may be done to the zone now, in the order a console offers it: a zone in force is
    /// suspended or lifted, a suspended one resumed or lifted, a lifted one nothing.
    pub fn allowed_actions(&self) -> &'static [ZoneAction] {
        match (&self.lifted, self.active) {
            (Some(_), _) => &[],
            (None, true) => &[ZoneAction::Suspend, ZoneAction::Lift],
            (None, false) => &[ZoneAction::Resume, ZoneAction::Lift],
        }
    }

    pub fn change_state(
        &mut self,
        action: ZoneAction,
        by: &str,
        reason: &str,
        at: DateTime<Utc>,
    ) -> Result<(), String> {
        if self.lifted.is_some() {
            return Err("Esta zona foi revogada e não pode mais ser alterada.".into());
        }
        match action {
            ZoneAction::Suspend if !self.active => return Err("A zona já está suspensa.".into()),
            ZoneAction::Resume if self.active => return Err("A zona já está em vigor.".into()),
            ZoneAction::Suspend => self.active = false,
            ZoneAction::Resume => self.active = true,
            ZoneAction::Lift => {
                self.active = false;
                self.lifted = Some(ZoneLift { at, by: by.to_owned(), reason: reason.trim().to_owned() });
            }
        }
        Ok(())
    }
}

/// Rules (restrictions) every person of a group is held to, beyond the group's zones
/// (III-2.25): which of the optional alarms the central enforces for them, and the thresholds
/// that differ from the site's defaults. A group without rules gets the defaults.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct GroupRules {
    /// The group's name, as on [`Person::group`] and [`Zone::group`].
    pub group: String,
    /// Optional alarm kinds not raised for this group (see [`AlarmKind::optional_per_group`]),
    /// e.g. encounters among people of a work-release group who work together.
    #[serde(default)]
    pub disabled: Vec<AlarmKind>,
    /// No report for this long is a loss of communication (27.18.6.9); replaces the site
    /// default, but is never shorter than three of the device's report intervals.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub signal_timeout_s: Option<u32>,
    /// How long a fix must stay on the new side of a zone boundary before it counts.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub zone_dwell_s: Option<u32>,
    pub updated_at: DateTime<Utc>,
}

impl GroupRules {
    /// Whether the group's people are exempt from alarms of this kind.
    pub fn disables(&self, kind: AlarmKind) -> bool {
        self.disabled.contains(&kind)
    }
}

/// One fix as stored: device time and server receive time are both kept.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Position {
    pub id: PositionId,
    pub device_id: DeviceId,
    pub person_id: Option<PersonId>,
    pub vehicle_id: Option<VehicleId>,
    pub fix_time: DateTime<Utc>,
    pub recv_time: DateTime<Utc>,
    pub at: LatLon,
    pub speed_kmh: Option<f64>,
    pub course_deg: Option<f64>,
    pub accuracy_m: Option<f64>,
    pub altitude_m: Option<f64>,
    pub battery_pct: Option<f64>,
    pub charging: Option<bool>,
}

#[cfg(test)]
mod zone_state_tests {
    use super::*;
    use crate::geom::Shape;
    use chrono::TimeZone;

    fn zone() -> Zone {
        Zone {
            id: ZoneId::new(),
            name: "Escola".into(),
            kind: ZoneKind::Exclusion,
            shape: Shape::Circle { center: LatLon { lat: -8.76, lon: -63.9 }, radius_m: 200.0 },
            person_id: Some(PersonId::new()),
            group: None,
            active: true,
            schedule: None,
            warning_m: None,
            created_at: Utc.with_ymd_and_hms(2026, 12, 1, 12, 0, 0).single().expect("valid"),
            lifted: None,
        }
    }

    /// III-2.13: a zone is suspended and resumed; once lifted it is kept, out of force, and
    /// nothing changes it again.
    #[test]
    fn iii_2_13_a_zone_is_suspended_resumed_and_lifted_for_good() {
        let at = Utc.with_ymd_and_hms(2026, 12, 6, 15, 0, 0).single().expect("valid");
        let mut z = zone();
        assert_eq!(
            z.change_state(ZoneAction::Resume, "Rafael", "x", at),
            Err("A zona já está em vigor.".into())
        );
        z.change_state(ZoneAction::Suspend, "Rafael", "viagem autorizada", at).expect("suspended");
        assert!(!z.active && z.lifted.is_none());
        assert_eq!(
            z.change_state(ZoneAction::Suspend, "Rafael", "x", at),
            Err("A zona já está suspensa.".into())
        );
        z.change_state(ZoneAction::Resume, "Rafael", "retorno", at).expect("resumed");
        assert!(z.active);
        z.change_state(ZoneAction::Lift, "Rafael", "  decisão judicial de 05/12  ", at).expect("lifted");
        assert!(!z.active);
        assert_eq!(
            z.lifted,
            Some(ZoneLift { at, by: "Rafael".into(), reason: "decisão judicial de 05/12".into() })
        );
        for action in [ZoneAction::Resume, ZoneAction::Suspend, ZoneAction::Lift] {
            assert!(z.change_state(action, "Rafael", "x", at).is_err(), "{action:?} after the lift");
        }
        assert!(!z.active);
    }

    /// III-2.13: what a console offers is exactly what the zone's state lets happen.
    #[test]
    fn iii_2_13_the_actions_offered_are_the_ones_the_state_allows() {
        let at = Utc.with_ymd_and_hms(2026, 12, 6, 15, 0, 0).single().expect("valid");
        let all = [ZoneAction::Suspend, ZoneAction::Resume, ZoneAction::Lift];
        let mut in_force = zone();
        let mut suspended = zone();
        suspended.change_state(ZoneAction::Suspend, "Rafael", "viagem", at).expect("suspended");
        let mut lifted = zone();
        lifted.change_state(ZoneAction::Lift, "Rafael", "decisão", at).expect("lifted");
        for z in [&mut in_force, &mut suspended, &mut lifted] {
            let offered = z.allowed_actions();
            for action in all {
                let done = z.clone().change_state(action, "Rafael", "x", at).is_ok();
                assert_eq!(offered.contains(&action), done, "{action:?} on {:?}/{:?}", z.active, z.lifted);
            }
        }
        assert_eq!(in_force.allowed_actions(), [ZoneAction::Suspend, ZoneAction::Lift]);
        assert!(lifted.allowed_actions().is_empty());
    }
}
