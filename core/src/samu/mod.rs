//! SAMU 192 domain: occurrences (every call becomes one), vehicles with their status chain and
//! telemetry, and dispatches ("empenho"). The rules of the fleet (status chain, phase times,
//! recommendation, vehicle alerts) are in [`fleet`]; identity and phone checks in [`ident`].

pub mod care;
pub mod crew;
pub mod crew_scope;
pub mod fleet;
pub mod ident;
pub mod intake;
pub mod queue;
pub mod regulation;

use crate::geom::LatLon;
use crate::ids::{DeviceId, DispatchId, OccurrenceId, UserId, VehicleId};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// Call types recorded by the TARM (RFS184).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum CallType {
    /// A real request for care.
    Atendimento,
    /// Prank call.
    Trote,
    /// Wrong number.
    Engano,
    /// Call dropped before the request was understood.
    LigacaoInterrompida,
    /// Health information only.
    InformacaoSaude,
    /// Any other kind the centre tracks.
    Outro,
}

impl CallType {
    pub const ALL: [CallType; 6] = [
        CallType::Atendimento,
        CallType::Trote,
        CallType::Engano,
        CallType::LigacaoInterrompida,
        CallType::InformacaoSaude,
        CallType::Outro,
    ];
}

/// Regulation priority, most urgent first (risk colours of RFS034).
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, utoipa::ToSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum Priority {
    /// Red: immediate risk of death.
    Emergency,
    /// Orange.
    VeryUrgent,
    /// Yellow.
    Urgent,
    /// Green.
    LessUrgent,
    /// Blue.
    NotUrgent,
}

/// Where the occurrence is in the macroprocess.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum OccurrencePhase {
    /// Being registered by the TARM.
    Intake,
    /// Waiting for or under medical regulation.
    Regulation,
    /// At least one vehicle committed.
    Dispatched,
    /// Closed; further information is appended, never overwritten (RFS133).
    Closed,
}

/// Clinical nature of the demand (TDC-PROC 3a).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum DemandType {
    Clinical,
    Trauma,
    Psychiatric,
    Obstetric,
    Other,
}

/// Pre-hospital care or a transfer between hospitals (RFS132).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum RequestType {
    PreHospital,
    InterHospital,
}

/// Which regulator acted: the primary one continues the TARM's record, the secondary one may
/// redefine it (RFS124, RFS126).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum RegulatorStage {
    Primary,
    Secondary,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Sex {
    Female,
    Male,
    Unknown,
}

/// One victim of an occurrence, each with its own record (RFS029).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Victim {
    /// 1, 2, … within the occurrence.
    pub number: u32,
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub sex: Option<Sex>,
    #[serde(default)]
    pub age_years: Option<u32>,
    /// Digits only; empty when unknown (checked with [`ident::valid_cpf`]).
    #[serde(default)]
    pub cpf: String,
    /// Digits only; empty when unknown (checked with [`ident::valid_cns`]).
    #[serde(default)]
    pub cns: String,
    /// This victim's complaint (RFS029).
    #[serde(default)]
    pub complaint: String,
}

/// Warnings raised to the TARM while registering the call.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum IntakeAlert {
    /// The caller's area code is outside the centre's coverage (RFS003).
    DddOutsideCoverage { ddd: u16 },
    /// The address is in a municipality of the SAMU-Regional (RFS007).
    RegionalMunicipality { municipality: String },
}

/// One change to the record, kept for good: a new value never erases the old one (RFS126,
/// RFS129, RFS131).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Change {
    pub at: DateTime<Utc>,
    pub by: UserId,
    pub by_name: String,
    pub stage: Option<RegulatorStage>,
    /// Field name as on the wire (`priority`, `resource`, …).
    pub field: String,
    pub from: Option<String>,
    pub to: String,
    #[serde(default)]
    pub reason: String,
}

/// Why and by whom the occurrence was closed (RFS185, flow step 20).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Closure {
    pub at: DateTime<Utc>,
    pub by: UserId,
    pub reason: String,
}

/// Information appended after closure, never altering what was recorded (RFS133).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Addendum {
    pub at: DateTime<Utc>,
    pub by: UserId,
    pub by_name: String,
    pub text: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Occurrence {
    pub id: OccurrenceId,
    /// Human number such as `2026-000123`, assigned by the server.
    pub number: String,
    pub call_type: CallType,
    pub caller_name: String,
    pub caller_phone: String,
    pub address: String,
    pub municipality: String,
    pub location: Option<LatLon>,
    pub description: String,
    pub priority: Option<Priority>,
    pub phase: OccurrencePhase,
    pub created_by: UserId,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    /// Further numbers to reach the caller (RFS186).
    #[serde(default)]
    pub extra_phones: Vec<String>,
    #[serde(default)]
    pub victims: Vec<Victim>,
    #[serde(default)]
    pub alerts: Vec<IntakeAlert>,
    /// When the call was answered: the call timer runs from here to the hand-off (RFS032).
    #[serde(default)]
    pub call_started_at: Option<DateTime<Utc>>,
    /// When the TARM handed the call to the primary regulator (RFS185).
    #[serde(default)]
    pub handed_off_at: Option<DateTime<Utc>>,
    /// The TARM asked the regulator to take this one first (RFS012).
    #[serde(default)]
    pub prioritized: bool,
    #[serde(default)]
    pub demand_type: Option<DemandType>,
    #[serde(default)]
    pub request_type: Option<RequestType>,
    #[serde(default)]
    pub ambulance_needed: Option<bool>,
    /// The type of vehicle the regulator asked for (RFS127).
    #[serde(default)]
    pub resource: Option<VehicleKind>,
    /// Guidance given to the caller (TDC-PROC 3f).
    #[serde(default)]
    pub orientation: String,
    /// External support requested: fire brigade, civil defence, police (RFS123).
    #[serde(default)]
    pub external_support: Vec<String>,
    /// The regulator's conduct for the crew (RFS136).
    #[serde(default)]
    pub conduct: String,
    /// The destination unit (RFS136).
    #[serde(default)]
    pub destination: String,
    /// Every change of a regulated field, in order (RFS126, RFS129, RFS131).
    #[serde(default)]
    pub history: Vec<Change>,
    #[serde(default)]
    pub closure: Option<Closure>,
    #[serde(default)]
    pub addenda: Vec<Addendum>,
    /// The care record, entry by entry (RFS024, RFS125).
    #[serde(default)]
    pub records: Vec<care::CareRecord>,
    /// Photos, audio, video and documents (RFS025); the bytes are fetched by id.
    #[serde(default)]
    pub attachments: Vec<care::AttachmentInfo>,
    /// Consent to care or its refusal, per victim (RFS023).
    #[serde(default)]
    pub consents: Vec<care::Consent>,
    /// Victims moved from one vehicle to another (RFS053).
    #[serde(default)]
    pub transfers: Vec<care::Transfer>,
    /// Alerts the crews raised: support needed, multiple victims (RFS001, RFS002).
    #[serde(default)]
    pub crew_alerts: Vec<care::CrewAlertRecord>,
    /// Why the primary regulator flagged it for patient transport (TS), if so (RFS128).
    #[serde(default)]
    pub patient_transport: String,
}

impl Occurrence {
    /// A new call as the TARM registers it; the regulation fields start empty.
    #[allow(clippy::too_many_arguments)]
    pub fn new(
        id: OccurrenceId,
        number: String,
        call_type: CallType,
        caller_name: String,
        caller_phone: String,
        address: String,
        municipality: String,
        location: Option<LatLon>,
        description: String,
        phase: OccurrencePhase,
        created_by: UserId,
        now: DateTime<Utc>,
    ) -> Self {
        Self {
            id,
            number,
            call_type,
            caller_name,
            caller_phone,
            address,
            municipality,
            location,
            description,
            priority: None,
            phase,
            created_by,
            created_at: now,
            updated_at: now,
            extra_phones: Vec::new(),
            victims: Vec::new(),
            alerts: Vec::new(),
            call_started_at: None,
            handed_off_at: None,
            prioritized: false,
            demand_type: None,
            request_type: None,
            ambulance_needed: None,
            resource: None,
            orientation: String::new(),
            external_support: Vec::new(),
            conduct: String::new(),
            destination: String::new(),
            history: Vec::new(),
            closure: None,
            addenda: Vec::new(),
            records: Vec::new(),
            attachments: Vec::new(),
            consents: Vec::new(),
            transfers: Vec::new(),
            crew_alerts: Vec::new(),
            patient_transport: String::new(),
        }
    }

    /// The priority values in order, oldest first, with who set each (RFS129).
    pub fn priority_history(&self) -> impl Iterator<Item = &Change> {
        self.history.iter().filter(|c| c.field == "priority")
    }
}

/// Fleet vehicle types: basic (USB) and advanced (USA) life support and the lighter units.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum VehicleKind {
    Usb,
    Usa,
    Motolancia,
    Vir,
}

/// The vehicle status chain (anchors §B; RFS051, RFS148, RFS161).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum VehicleStatus {
    Available,
    Committed,
    EnRoute,
    OnScene,
    Transporting,
    AtDestination,
    StretcherRetained,
    Returning,
    AtBase,
    Maintenance,
}

impl VehicleStatus {
    /// Whether the vehicle may be recommended for a new occurrence (RFS119).
    pub fn is_free(self) -> bool {
        matches!(self, VehicleStatus::Available | VehicleStatus::AtBase | VehicleStatus::Returning)
    }
}

/// How the vehicle's embedded unit is talking to the centre (RFS051).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Link {
    Data,
    Satellite,
    Offline,
}

/// Live telemetry of a vehicle (RFS051).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Telemetry {
    pub ignition: bool,
    pub siren: bool,
    pub light_bar: bool,
    pub link: Link,
    pub speed_kmh: f64,
    pub course_deg: f64,
    pub position: Option<LatLon>,
    pub fix_time: Option<DateTime<Utc>>,
    /// Where the vehicle has stood since [`Telemetry::still_since`] (within
    /// [`fleet::STILL_RADIUS_M`]); see [`fleet::note_fix`].
    #[serde(default)]
    pub still_at: Option<LatLon>,
    #[serde(default)]
    pub still_since: Option<DateTime<Utc>>,
}

impl Default for Telemetry {
    fn default() -> Self {
        Self {
            ignition: false,
            siren: false,
            light_bar: false,
            link: Link::Offline,
            speed_kmh: 0.0,
            course_deg: 0.0,
            position: None,
            fix_time: None,
            still_at: None,
            still_since: None,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Vehicle {
    pub id: VehicleId,
    /// Radio call sign, e.g. `USA-01`.
    pub code: String,
    pub kind: VehicleKind,
    pub status: VehicleStatus,
    pub base: String,
    pub municipality: String,
    /// Belongs to an affiliated municipality regulated by this centre (RFS057, RFS183).
    pub conveniado: bool,
    /// The tracker that reports this vehicle's position, if any.
    pub device_id: Option<DeviceId>,
    pub telemetry: Telemetry,
    pub updated_at: DateTime<Utc>,
    /// Who is on board, as the crew's tablet declared it at the shift's sign-in (RFS064).
    #[serde(default)]
    pub crew: Option<crew::CrewOnBoard>,
}

/// The time each phase of a dispatch began, stamped by the server when the status changes
/// (RFS015, RFS055).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct PhaseTimes {
    /// The crew confirmed receipt of the assignment (RFS015).
    pub acknowledged: Option<DateTime<Utc>>,
    pub en_route: Option<DateTime<Utc>>,
    pub on_scene: Option<DateTime<Utc>>,
    /// Left the scene towards the destination unit.
    pub transporting: Option<DateTime<Utc>>,
    pub at_destination: Option<DateTime<Utc>>,
    pub stretcher_retained: Option<DateTime<Utc>>,
    /// Released from the occurrence (returning or available again).
    pub released: Option<DateTime<Utc>>,
    pub at_base: Option<DateTime<Utc>>,
}

impl PhaseTimes {
    pub fn is_empty(&self) -> bool {
        *self == PhaseTimes::default()
    }
}

/// A stretcher held at the destination unit (RFS061).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct StretcherRetention {
    pub unit: String,
    pub reason: String,
    pub by: UserId,
    pub at: DateTime<Utc>,
}

/// How a dispatch ended.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum DispatchEnd {
    /// The vehicle finished and was released.
    Released,
    /// Another vehicle took its place, e.g. a USB replaced by a USA (RFS054).
    Replaced { by: DispatchId },
    /// Called off before arrival.
    Cancelled { reason: String },
}

/// One vehicle committed to one occurrence ("empenho"), with its phase times.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Dispatch {
    pub id: DispatchId,
    pub occurrence_id: OccurrenceId,
    pub vehicle_id: VehicleId,
    #[serde(default)]
    pub vehicle_code: String,
    pub committed_at: DateTime<Utc>,
    pub committed_by: UserId,
    /// Still holding the vehicle.
    #[serde(default)]
    pub active: bool,
    /// The vehicle's status on this dispatch.
    #[serde(default = "committed")]
    pub status: VehicleStatus,
    /// Committed while the vehicle was still busy with another occurrence (RFS062).
    #[serde(default)]
    pub additional: bool,
    #[serde(default)]
    pub times: PhaseTimes,
    #[serde(default)]
    pub stretcher: Option<StretcherRetention>,
    #[serde(default)]
    pub ended: Option<DispatchEnd>,
    /// Distance and estimated time when committed (RFS050).
    #[serde(default)]
    pub eta_s: Option<i64>,
    /// When the crew's tablet says it made each report that reached the server late, without
    /// signal (see [`fleet::note_reported`]); `times` stays the server's.
    #[serde(default, skip_serializing_if = "PhaseTimes::is_empty")]
    pub reported: PhaseTimes,
}

fn committed() -> VehicleStatus {
    VehicleStatus::Committed
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn priorities_sort_most_urgent_first() {
        let mut v = vec![Priority::NotUrgent, Priority::Emergency, Priority::Urgent];
        v.sort();
        assert_eq!(v, vec![Priority::Emergency, Priority::Urgent, Priority::NotUrgent]);
    }

    #[test]
    fn only_free_vehicles_are_recommendable() {
        assert!(VehicleStatus::Available.is_free());
        assert!(!VehicleStatus::StretcherRetained.is_free());
        assert!(!VehicleStatus::Maintenance.is_free());
    }

    #[test]
    fn call_types_use_stable_wire_names() {
        let json = serde_json::to_string(&CallType::LigacaoInterrompida).expect("serialise");
        assert_eq!(json, "\"ligacao_interrompida\"");
    }
}
