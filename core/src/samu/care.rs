//! The crew's care record (RFS024, RFS125): vital signs with the Glasgow coma scale and the
//! Revised Trauma Score computed from them; attachments (photo, audio, video, RFS025); and the
//! messages between crew and regulation with delivery and read receipts (RFS044–RFS048).

use crate::auth::Role;
use crate::ids::{AttachmentId, MessageId, OccurrenceId, UserId};
use crate::wire::FieldError;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// Glasgow coma scale: eye opening 1–4, verbal response 1–5, motor response 1–6 (the paediatric
/// scale scores the same ranges with age-adapted criteria).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Glasgow {
    #[schema(minimum = 1, maximum = 4)]
    pub eye: u8,
    #[schema(minimum = 1, maximum = 5)]
    pub verbal: u8,
    #[schema(minimum = 1, maximum = 6)]
    pub motor: u8,
}

impl Glasgow {
    /// 3 to 15, or `None` when a component is out of its range.
    pub fn total(&self) -> Option<u8> {
        let ok =
            (1..=4).contains(&self.eye) && (1..=5).contains(&self.verbal) && (1..=6).contains(&self.motor);
        ok.then(|| self.eye + self.verbal + self.motor)
    }
}

/// Vital signs as measured; any may be missing.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Vitals {
    /// Respiratory rate, breaths per minute.
    pub rr: Option<u32>,
    /// Heart rate, beats per minute.
    pub hr: Option<u32>,
    /// Systolic and diastolic blood pressure, mmHg.
    pub sbp: Option<u32>,
    pub dbp: Option<u32>,
    pub temp_c: Option<f64>,
    pub spo2: Option<u32>,
    /// Capillary glucose, mg/dL.
    pub glucose: Option<u32>,
}

/// Revised Trauma Score (Champion et al., 1989): coded Glasgow, systolic pressure and
/// respiratory rate, weighted 0.9368, 0.7326 and 0.2908; 0 (worst) to 7.8408. `None` unless all
/// three are known.
pub fn revised_trauma_score(glasgow: u8, sbp: u32, rr: u32) -> Option<f64> {
    let gcs = match glasgow {
        13..=15 => 4,
        9..=12 => 3,
        6..=8 => 2,
        4..=5 => 1,
        3 => 0,
        _ => return None,
    };
    let bp = match sbp {
        90.. => 4,
        76..=89 => 3,
        50..=75 => 2,
        1..=49 => 1,
        0 => 0,
    };
    let resp = match rr {
        30.. => 3,
        10..=29 => 4,
        6..=9 => 2,
        1..=5 => 1,
        0 => 0,
    };
    let rts = 0.9368 * f64::from(gcs) + 0.7326 * f64::from(bp) + 0.2908 * f64::from(resp);
    Some((rts * 10_000.0).round() / 10_000.0)
}

/// One entry of the care record of a victim, by the crew or — relayed by radio in a
/// contingency — by the regulator (RFS125).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct CareRecord {
    /// The victim's number in the occurrence.
    pub victim: u32,
    pub at: DateTime<Utc>,
    pub by: UserId,
    pub by_name: String,
    pub vitals: Vitals,
    pub glasgow: Option<Glasgow>,
    /// Computed: 3–15.
    pub glasgow_total: Option<u8>,
    /// Computed from Glasgow, systolic pressure and respiratory rate.
    pub trauma_score: Option<f64>,
    /// Findings, procedures, drugs and supplies, as text (or dictated).
    pub notes: String,
}

/// A care-record entry as sent by the tablet.
#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
pub struct NewCareRecord {
    pub victim: u32,
    #[serde(default)]
    pub vitals: Vitals,
    #[serde(default)]
    pub glasgow: Option<Glasgow>,
    #[serde(default)]
    pub notes: String,
}

impl NewCareRecord {
    /// Physiologically possible values only; at least something recorded.
    pub fn validate(&self) -> Vec<FieldError> {
        let mut e = Vec::new();
        let v = &self.vitals;
        let mut range = |field: &str, value: Option<u32>, lo: u32, hi: u32, label: &str| {
            if value.is_some_and(|x| x < lo || x > hi) {
                e.push(FieldError::new(field, &format!("{label} fora do intervalo possível ({lo} a {hi}).")));
            }
        };
        range("vitals.rr", v.rr, 0, 80, "Frequência respiratória");
        range("vitals.hr", v.hr, 0, 300, "Frequência cardíaca");
        range("vitals.sbp", v.sbp, 0, 300, "Pressão sistólica");
        range("vitals.dbp", v.dbp, 0, 200, "Pressão diastólica");
        range("vitals.spo2", v.spo2, 0, 100, "Saturação de O₂");
        range("vitals.glucose", v.glucose, 10, 1500, "Glicemia");
        if v.temp_c.is_some_and(|t| !(25.0..=45.0).contains(&t)) {
            e.push(FieldError::new("vitals.temp_c", "Temperatura fora do intervalo possível (25 a 45 °C)."));
        }
        if self.glasgow.is_some_and(|g| g.total().is_none()) {
            e.push(FieldError::new(
                "glasgow",
                "Escala de Glasgow inválida: ocular 1–4, verbal 1–5, motora 1–6.",
            ));
        }
        if *v == Vitals::default() && self.glasgow.is_none() && self.notes.trim().is_empty() {
            e.push(FieldError::new(
                "notes",
                "Registre ao menos um sinal vital, a escala de Glasgow ou uma anotação.",
            ));
        }
        e
    }

    pub fn into_record(self, at: DateTime<Utc>, by: UserId, by_name: String) -> CareRecord {
        let glasgow_total = self.glasgow.and_then(|g| g.total());
        let trauma_score = match (glasgow_total, self.vitals.sbp, self.vitals.rr) {
            (Some(g), Some(s), Some(r)) => revised_trauma_score(g, s, r),
            _ => None,
        };
        CareRecord {
            victim: self.victim,
            at,
            by,
            by_name,
            vitals: self.vitals,
            glasgow: self.glasgow,
            glasgow_total,
            trauma_score,
            notes: self.notes.trim().to_owned(),
        }
    }
}

/// Consent to care or its refusal (RFS023), with the photo of the signed term when there is one.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Consent {
    pub victim: u32,
    pub consented: bool,
    /// The photo or document of the signed term, attached to the occurrence.
    pub term: Option<AttachmentId>,
    pub notes: String,
    pub by: UserId,
    pub by_name: String,
    pub at: DateTime<Utc>,
}

#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
pub struct NewConsent {
    pub victim: u32,
    pub consented: bool,
    #[serde(default)]
    pub term: Option<AttachmentId>,
    #[serde(default)]
    pub notes: String,
}

/// A victim moved from one vehicle to another: the continuing crew changes (RFS053).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Transfer {
    pub victim: u32,
    pub from_dispatch: crate::ids::DispatchId,
    pub from_vehicle: String,
    pub to_dispatch: crate::ids::DispatchId,
    pub to_vehicle: String,
    pub reason: String,
    pub by: UserId,
    pub at: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct NewTransfer {
    pub victim: u32,
    pub from_dispatch: crate::ids::DispatchId,
    pub to_dispatch: crate::ids::DispatchId,
    #[serde(default)]
    pub reason: String,
}

/// What a crew can alert the central to from the tablet.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum CrewAlertKind {
    /// Support needed: another unit, police, fire brigade (RFS001).
    NeedSupport,
    /// A multiple-victim incident (RFS002).
    MultipleVictims,
}

#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
pub struct NewCrewAlert {
    pub kind: CrewAlertKind,
    #[serde(default)]
    pub note: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct CrewAlertRecord {
    pub kind: CrewAlertKind,
    pub note: String,
    pub vehicle: String,
    pub by: UserId,
    pub at: DateTime<Utc>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum AttachmentKind {
    Photo,
    Audio,
    Video,
    Document,
}

/// A file attached to an occurrence; the bytes are fetched by id (RFS025).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct AttachmentInfo {
    pub id: AttachmentId,
    pub kind: AttachmentKind,
    pub content_type: String,
    pub name: String,
    pub size: u64,
    /// SHA-256 of the bytes, hex.
    pub sha256: String,
    pub victim: Option<u32>,
    pub by: UserId,
    pub by_name: String,
    pub at: DateTime<Utc>,
}

/// A message between an ambulance crew and the regulation (RFS044, RFS045, RFS048). The
/// server's `delivered_at` is the delivery confirmation the sender sees; `read_at` is set when
/// someone on the other side opens it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Message {
    pub id: MessageId,
    pub occurrence_id: OccurrenceId,
    pub from: UserId,
    pub from_name: String,
    pub from_role: Role,
    pub text: String,
    /// Chosen from the configured questions and answers (RFS044).
    pub canned: bool,
    pub sent_at: DateTime<Utc>,
    pub delivered_at: DateTime<Utc>,
    pub read_at: Option<DateTime<Utc>>,
    pub read_by: Option<UserId>,
}

impl Message {
    /// Whether the message went from the crew to the regulation (else the other way).
    pub fn from_crew(&self) -> bool {
        self.from_role == Role::Crew
    }
}

#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
pub struct NewMessage {
    /// Client id: a message resent from an offline tablet is stored once.
    #[serde(default)]
    pub id: Option<MessageId>,
    pub text: String,
    #[serde(default)]
    pub canned: bool,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn glasgow_totals_and_ranges() {
        let g = |eye, verbal, motor| Glasgow { eye, verbal, motor }.total();
        assert_eq!(g(4, 5, 6), Some(15));
        assert_eq!(g(1, 1, 1), Some(3));
        assert_eq!(g(3, 4, 5), Some(12));
        assert_eq!(g(5, 5, 6), None);
        assert_eq!(g(4, 6, 6), None);
        assert_eq!(g(4, 5, 7), None);
        assert_eq!(g(0, 5, 6), None);
    }

    #[test]
    fn revised_trauma_score_table() {
        // (Glasgow, systolic, respiratory rate, RTS) — values from the published coding.
        let table = [
            (15, 120, 16, Some(7.8408)), // normal
            (14, 85, 32, Some(4.0 * 0.9368 + 3.0 * 0.7326 + 3.0 * 0.2908)),
            (10, 60, 8, Some(3.0 * 0.9368 + 2.0 * 0.7326 + 2.0 * 0.2908)),
            (7, 40, 4, Some(2.0 * 0.9368 + 0.7326 + 0.2908)),
            (3, 0, 0, Some(0.0)),
            (2, 120, 16, None), // not a Glasgow total
        ];
        for (g, sbp, rr, rts) in table {
            let got = revised_trauma_score(g, sbp, rr);
            match (got, rts) {
                (Some(a), Some(b)) => assert!((a - b).abs() < 1e-4, "{g} {sbp} {rr}: {a} vs {b}"),
                _ => assert_eq!(got, rts, "{g} {sbp} {rr}"),
            }
        }
    }

    #[test]
    fn care_records_refuse_impossible_values() {
        let mut r = NewCareRecord {
            victim: 1,
            vitals: Vitals { rr: Some(18), sbp: Some(110), spo2: Some(104), ..Vitals::default() },
            glasgow: Some(Glasgow { eye: 4, verbal: 6, motor: 6 }),
            notes: String::new(),
        };
        let fields: Vec<_> = r.validate().into_iter().map(|e| e.field).collect();
        assert_eq!(fields, ["vitals.spo2", "glasgow"]);
        r.vitals.spo2 = Some(97);
        r.glasgow = Some(Glasgow { eye: 4, verbal: 5, motor: 6 });
        assert!(r.validate().is_empty());
        let rec = r.into_record(Utc::now(), UserId::new(), "Equipe".into());
        assert_eq!(rec.glasgow_total, Some(15));
        assert_eq!(rec.trauma_score, Some(7.8408));
        let empty = NewCareRecord { victim: 1, vitals: Vitals::default(), glasgow: None, notes: " ".into() };
        assert_eq!(empty.validate()[0].field, "notes");
    }
}
