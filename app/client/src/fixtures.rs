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
