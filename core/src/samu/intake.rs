//! The centre's intake rules the TARM's screen applies while a call is typed and the server
//! applies when it is registered (RFS003, RFS007, RFS033): which area codes (DDD) the centre
//! covers, which municipalities belong to the SAMU-Regional, how long a call may stay with the
//! TARM, and the outcomes a call is closed with (RFS036).

use super::IntakeAlert;
use super::ident::ddd_of;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct IntakeRules {
    /// Area codes the centre covers; a call from another is flagged (RFS003). Empty: no check.
    #[serde(default)]
    pub ddds: Vec<u16>,
    /// Municipalities of the SAMU-Regional; an address there is flagged (RFS007).
    #[serde(default)]
    pub regional_municipalities: Vec<String>,
    /// A call still with the TARM this many seconds after it was answered is over time (RFS033).
    pub call_overtime_s: i64,
    /// The outcomes ("desfechos") offered when an occurrence is closed (RFS036).
    #[serde(default)]
    pub outcomes: Vec<String>,
}

impl IntakeRules {
    /// The alerts the TARM must see for a call from `phone` about an address in `municipality`.
    pub fn alerts(&self, phone: &str, municipality: &str) -> Vec<IntakeAlert> {
        let mut out = Vec::new();
        if let Some(ddd) = ddd_of(phone)
            && !self.ddds.is_empty()
            && !self.ddds.contains(&ddd)
        {
            out.push(IntakeAlert::DddOutsideCoverage { ddd });
        }
        let m = crate::text::fold(municipality.trim());
        if !m.is_empty() && self.regional_municipalities.iter().any(|r| crate::text::fold(r.trim()) == m) {
            out.push(IntakeAlert::RegionalMunicipality { municipality: municipality.trim().to_owned() });
        }
        out
    }

    /// Whether a call answered `elapsed_s` seconds ago is over time.
    pub fn over_time(&self, elapsed_s: i64) -> bool {
        self.call_overtime_s > 0 && elapsed_s >= self.call_overtime_s
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rules() -> IntakeRules {
        IntakeRules {
            ddds: vec![31, 37],
            regional_municipalities: vec!["Sabará".into(), "Nova Lima".into()],
            call_overtime_s: 180,
            outcomes: vec!["Trote".into()],
        }
    }

    #[test]
    fn rfs003_a_call_from_an_area_code_the_centre_does_not_cover_is_flagged() {
        let r = rules();
        assert_eq!(r.alerts("(11) 98888-7777", ""), [IntakeAlert::DddOutsideCoverage { ddd: 11 }]);
        assert!(r.alerts("(31) 98888-7777", "").is_empty());
        assert!(r.alerts("+55 37 3333-4444", "").is_empty());
        assert!(r.alerts("192", "").is_empty(), "no area code, nothing to say");
        assert!(IntakeRules::default().alerts("(11) 98888-7777", "").is_empty(), "no list, no check");
    }

    #[test]
    fn rfs007_an_address_in_the_samu_regional_is_flagged_whatever_its_accents_and_case() {
        let r = rules();
        assert_eq!(
            r.alerts("(31) 98888-7777", " sabara "),
            [IntakeAlert::RegionalMunicipality { municipality: "sabara".into() }]
        );
        assert!(r.alerts("(31) 98888-7777", "Belo Horizonte").is_empty());
    }

    #[test]
    fn rfs033_a_call_is_over_time_at_the_centres_limit() {
        let r = rules();
        assert!(!r.over_time(179));
        assert!(r.over_time(180));
        assert!(!IntakeRules { call_overtime_s: 0, ..rules() }.over_time(10_000), "0 turns it off");
    }
}
