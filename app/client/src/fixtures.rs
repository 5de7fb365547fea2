//! Records the client's unit tests build on.

use atalaia_core::ids::{OccurrenceId, UserId};
use atalaia_core::samu::{CallType, Occurrence, OccurrencePhase};
use chrono::{DateTime, Utc};

/// A call under regulation: Ana, (31) 98888-7777, Rua A, 1, Belo Horizonte, "Queda".
pub fn occurrence(id: OccurrenceId, at: DateTime<Utc>) -> Occurrence {
    Occurrence::new(
        id,
        "2026-000001".into(),
        CallType::Atendimento,
        "Ana".into(),
        "(31) 98888-7777".into(),
        "Rua A, 1".into(),
        "Belo Horizonte".into(),
        None,
        "Queda".into(),
        OccurrencePhase::Regulation,
        UserId::new(),
        at,
    )
}

/// A monitored person in the semi-open regime, registered now.
pub fn person(name: &str) -> atalaia_core::monitoring::Person {
    atalaia_core::monitoring::Person {
        id: atalaia_core::ids::PersonId::new(),
        name: name.into(),
        record: "0001-00".into(),
        regime: atalaia_core::monitoring::Regime::SemiOpen,
        group: None,
        region: None,
        responsible: None,
        linked_person: None,
        personal: Default::default(),
        revision: Default::default(),
        created_at: Utc::now(),
        photo: None,
    }
}

/// An active device of `kind` with no wearer, registered now.
pub fn device(imei: &str, kind: atalaia_core::monitoring::DeviceKind) -> atalaia_core::monitoring::Device {
    atalaia_core::monitoring::Device {
        id: atalaia_core::ids::DeviceId::new(),
        imei: imei.into(),
        kind,
        state: atalaia_core::monitoring::DeviceState::Active,
        sim1: None,
        sim2: None,
        person_id: None,
        vehicle_id: None,
        last_contact: None,
        battery_pct: None,
        model: None,
        report_interval_s: None,
        created_at: Utc::now(),
        history: Vec::new(),
    }
}

/// An exclusion zone in force: a 200 m circle in Porto Velho, drawn on 01/12/2026, for `person`
/// or for a `group`.
pub fn zone(
    name: &str,
    person: Option<&atalaia_core::monitoring::Person>,
    group: Option<&str>,
) -> atalaia_core::monitoring::Zone {
    use chrono::TimeZone;
    atalaia_core::monitoring::Zone {
        id: atalaia_core::ids::ZoneId::new(),
        name: name.into(),
        kind: atalaia_core::monitoring::ZoneKind::Exclusion,
        shape: atalaia_core::geom::Shape::Circle {
            center: atalaia_core::geom::LatLon { lat: -8.76, lon: -63.9 },
            radius_m: 200.0,
        },
        person_id: person.map(|p| p.id),
        group: group.map(str::to_owned),
        active: true,
        schedule: None,
        warning_m: None,
        created_at: Utc.with_ymd_and_hms(2026, 12, 1, 12, 0, 0).single().expect("valid"),
        lifted: None,
    }
}
