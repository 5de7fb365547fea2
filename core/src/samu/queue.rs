//! The regulation queue's rules (RFS034, RFS183): how long an occurrence may wait by priority
//! before its timer turns red, and where it comes from (the centre's own municipalities or a
//! conveniado municipality of the SAMU-Regional).

use super::{IntakeAlert, Occurrence, Priority};

/// How long an occurrence may wait in the queue, by priority, before its timer turns red. An
/// unclassified call waits for a regulator's first look: as short as an emergency.
pub fn waiting_limit_s(p: Option<Priority>) -> i64 {
    match p {
        None | Some(Priority::Emergency) => 120,
        Some(Priority::VeryUrgent) => 300,
        Some(Priority::Urgent) => 900,
        Some(Priority::LessUrgent) => 1_800,
        Some(Priority::NotUrgent) => 3_600,
    }
}

/// How far along its limit a wait is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Wait {
    Within,
    /// Three quarters of the limit or more.
    Near,
    Over,
}

pub fn wait_state(waited_s: i64, p: Option<Priority>) -> Wait {
    let limit = waiting_limit_s(p);
    if waited_s >= limit {
        Wait::Over
    } else if waited_s * 4 >= limit * 3 {
        Wait::Near
    } else {
        Wait::Within
    }
}

/// Where an occurrence comes from (RFS183): the centre's own municipalities or a conveniado
/// municipality of the SAMU-Regional (flagged at intake, RFS007).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Origin {
    #[default]
    All,
    Own,
    Conveniado,
}

pub fn is_conveniado(o: &Occurrence) -> bool {
    o.alerts.iter().any(|a| matches!(a, IntakeAlert::RegionalMunicipality { .. }))
}

/// What the queue shows: by origin, and one priority level (`None` inside means unclassified).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Filter {
    pub origin: Origin,
    pub priority: Option<Option<Priority>>,
}

impl Filter {
    pub fn keeps(&self, o: &Occurrence) -> bool {
        let origin = match self.origin {
            Origin::All => true,
            Origin::Own => !is_conveniado(o),
            Origin::Conveniado => is_conveniado(o),
        };
        origin && self.priority.is_none_or(|p| o.priority == p)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ids::{OccurrenceId, UserId};
    use crate::samu::{CallType, OccurrencePhase};
    use chrono::{TimeZone, Utc};

    fn occ(priority: Option<Priority>, municipality: &str, regional: bool) -> Occurrence {
        let at = Utc.with_ymd_and_hms(2026, 11, 22, 13, 0, 0).single().expect("time");
        let mut o = Occurrence::new(
            OccurrenceId::new(),
            "2026-000001".into(),
            CallType::Atendimento,
            "Ana".into(),
            "(31) 98888-7777".into(),
            "Rua A, 1".into(),
            municipality.into(),
            None,
            "Dor torácica".into(),
            OccurrencePhase::Regulation,
            UserId::new(),
            at,
        );
        o.priority = priority;
        if regional {
            o.alerts.push(IntakeAlert::RegionalMunicipality { municipality: municipality.into() });
        }
        o
    }

    #[test]
    fn rfs034_timers_turn_yellow_at_three_quarters_and_red_past_the_limit() {
        // Red (emergency) waits at most 2 min; yellow (urgent) 15 min; unclassified like red.
        assert_eq!(wait_state(0, Some(Priority::Emergency)), Wait::Within);
        assert_eq!(wait_state(89, Some(Priority::Emergency)), Wait::Within);
        assert_eq!(wait_state(90, Some(Priority::Emergency)), Wait::Near);
        assert_eq!(wait_state(120, Some(Priority::Emergency)), Wait::Over);
        assert_eq!(wait_state(120, None), Wait::Over);
        assert_eq!(wait_state(600, Some(Priority::Urgent)), Wait::Within);
        assert_eq!(wait_state(700, Some(Priority::Urgent)), Wait::Near);
        assert_eq!(wait_state(3_599, Some(Priority::NotUrgent)), Wait::Near);
        assert_eq!(wait_state(3_600, Some(Priority::NotUrgent)), Wait::Over);
        // Every level is stricter than the next less urgent one.
        let levels = [
            Priority::Emergency,
            Priority::VeryUrgent,
            Priority::Urgent,
            Priority::LessUrgent,
            Priority::NotUrgent,
        ];
        assert!(levels.windows(2).all(|w| waiting_limit_s(Some(w[0])) < waiting_limit_s(Some(w[1]))));
    }

    #[test]
    fn rfs183_filters_by_origin_and_by_priority() {
        let own_red = occ(Some(Priority::Emergency), "Belo Horizonte", false);
        let conv_red = occ(Some(Priority::Emergency), "Sabará", true);
        let own_none = occ(None, "Contagem", false);
        let all = Filter::default();
        assert!([&own_red, &conv_red, &own_none].iter().all(|o| all.keeps(o)));
        let own = Filter { origin: Origin::Own, priority: None };
        assert!(own.keeps(&own_red) && own.keeps(&own_none) && !own.keeps(&conv_red));
        let conv = Filter { origin: Origin::Conveniado, priority: None };
        assert!(conv.keeps(&conv_red) && !conv.keeps(&own_red));
        let unclassified = Filter { origin: Origin::All, priority: Some(None) };
        assert!(unclassified.keeps(&own_none) && !unclassified.keeps(&own_red));
        let red_conv = Filter { origin: Origin::Conveniado, priority: Some(Some(Priority::Emergency)) };
        assert!(red_conv.keeps(&conv_red) && !red_conv.keeps(&own_red) && !red_conv.keeps(&own_none));
    }
}
