//! Electronic-monitoring domain: monitored people, devices and their lifecycle, person × device
//! assignments, zones and position fixes (seed 003, sections 2–4).

use crate::alarm::AlarmKind;
use crate::geom::{LatLon, Shape};
use crate::ids::{AssignmentId, DeviceId, PersonId, PositionId, VehicleId, ZoneId};
use crate::schedule::WeeklySchedule;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

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
    /// Group for per-group zones and procedures (III-2.24, III-2.25).
    pub group: Option<String>,
    pub responsible: Option<String>,
    /// For a protected victim: the aggressor whose approach raises an alarm (27.16.1).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub linked_person: Option<PersonId>,
    pub created_at: DateTime<Utc>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum DeviceKind {
    AnkleBracelet,
    VictimUnit,
    VehicleTracker,
}

/// Device lifecycle (seed 003 8b): stock → active → deactivated, or defective.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum DeviceState {
    Stock,
    Active,
    Deactivated,
    Defective,
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
