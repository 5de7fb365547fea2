//! SAMU 192 domain: occurrences (every call becomes one), vehicles with their status chain and
//! telemetry, and dispatches ("empenho"). Workflow rules grow here with the SAMU issue.

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
}

/// One vehicle committed to one occurrence, with its phase times.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Dispatch {
    pub id: DispatchId,
    pub occurrence_id: OccurrenceId,
    pub vehicle_id: VehicleId,
    pub committed_at: DateTime<Utc>,
    pub committed_by: UserId,
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
