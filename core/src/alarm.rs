//! Alarms of both domains and their lifecycle: Open → Claimed(by) → InProcedure → Closed(outcome,
//! note), or Restored when the condition clears before anyone closes it. Transitions are pure
//! functions here so the backend, the console's offline cache and the tests share one rulebook.

use crate::ids::{AlarmId, DeviceId, OccurrenceId, PersonId, UserId, VehicleId, ZoneId};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use thiserror::Error;

#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, utoipa::ToSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    Low,
    Medium,
    High,
    Critical,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Domain {
    Samu,
    Monitoring,
}

/// What the alarm is about (seed 003 section 3; SAMU alerts RFS001–RFS013).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum AlarmKind {
    InclusionZoneExit,
    /// Outside the inclusion zone when its schedule starts (curfew, 27.18.6.1).
    ScheduleStartOutside,
    ExclusionZoneEntry,
    WarningZoneEntry,
    /// Left a continuous-monitoring zone (27.18.6.6).
    ContinuousZoneExit,
    StrapCut,
    Tamper,
    BodyNotDetected,
    WrongInstallation,
    BatteryCritical,
    /// Device switched off for lack of charge (27.18.6.8).
    DeviceOff,
    /// Cellular communication lost: no report within the device's threshold (27.18.6.9).
    SignalLost,
    /// No GNSS fix while the device still reports (27.18.6.10).
    GnssLost,
    Jamming,
    /// GNSS and cellular lost together: foil or metal wrapping (9.19).
    Shielding,
    Encounter,
    /// Several monitored people frequent the same place (16.2.28).
    CommonPlace,
    /// Aggressor within the protective radius of a victim's device (27.16.1).
    AggressorNearVictim,
    LateData,
    /// A panic / SOS button or the device's general alarm input (victim units, 27.16.1).
    Panic,
    CallOverTime,
    PriorityAlert,
    /// A committed or en-route vehicle standing still (RFS009).
    VehicleStationary,
    /// A vehicle moving without a dispatch (RFS010).
    MovingWithoutDispatch,
    /// The primary regulator's risk-classification alert to the secondary (RFS011).
    RiskAlert,
    /// An ambulance crew asks the central for support (RFS001).
    CrewNeedsSupport,
    /// An ambulance crew reports a multiple-victim incident (RFS002).
    MultipleVictims,
}

impl AlarmKind {
    /// Every kind, in the order administrators see them (the catalog's order).
    pub const ALL: [AlarmKind; 27] = {
        use AlarmKind::*;
        [
            InclusionZoneExit,
            ScheduleStartOutside,
            ExclusionZoneEntry,
            WarningZoneEntry,
            ContinuousZoneExit,
            StrapCut,
            Tamper,
            BodyNotDetected,
            WrongInstallation,
            BatteryCritical,
            DeviceOff,
            SignalLost,
            GnssLost,
            Jamming,
            Shielding,
            Encounter,
            CommonPlace,
            AggressorNearVictim,
            LateData,
            Panic,
            CallOverTime,
            PriorityAlert,
            VehicleStationary,
            MovingWithoutDispatch,
            RiskAlert,
            CrewNeedsSupport,
            MultipleVictims,
        ]
    };

    /// The kind's place in [`AlarmKind::ALL`]; a new kind fails to compile here until it is listed.
    #[cfg(test)]
    fn position(self) -> usize {
        use AlarmKind::*;
        match self {
            InclusionZoneExit => 0,
            ScheduleStartOutside => 1,
            ExclusionZoneEntry => 2,
            WarningZoneEntry => 3,
            ContinuousZoneExit => 4,
            StrapCut => 5,
            Tamper => 6,
            BodyNotDetected => 7,
            WrongInstallation => 8,
            BatteryCritical => 9,
            DeviceOff => 10,
            SignalLost => 11,
            GnssLost => 12,
            Jamming => 13,
            Shielding => 14,
            Encounter => 15,
            CommonPlace => 16,
            AggressorNearVictim => 17,
            LateData => 18,
            Panic => 19,
            CallOverTime => 20,
            PriorityAlert => 21,
            VehicleStationary => 22,
            MovingWithoutDispatch => 23,
            RiskAlert => 24,
            CrewNeedsSupport => 25,
            MultipleVictims => 26,
        }
    }

    /// The kinds of one domain, in the catalog's order.
    pub fn of(domain: Domain) -> impl Iterator<Item = AlarmKind> {
        Self::ALL.into_iter().filter(move |k| k.domain() == domain)
    }

    pub fn domain(self) -> Domain {
        match self {
            AlarmKind::CallOverTime
            | AlarmKind::PriorityAlert
            | AlarmKind::VehicleStationary
            | AlarmKind::MovingWithoutDispatch
            | AlarmKind::RiskAlert
            | AlarmKind::CrewNeedsSupport
            | AlarmKind::MultipleVictims => Domain::Samu,
            _ => Domain::Monitoring,
        }
    }

    /// Whether a group's rules may exempt its people from this alarm (III-2.25): restrictions
    /// that only make sense for some sentences. Device integrity, zone violations and the
    /// protection of a victim always apply.
    pub fn optional_per_group(self) -> bool {
        Self::OPTIONAL_PER_GROUP.contains(&self)
    }

    pub const OPTIONAL_PER_GROUP: [AlarmKind; 4] =
        [AlarmKind::WarningZoneEntry, AlarmKind::GnssLost, AlarmKind::Encounter, AlarmKind::CommonPlace];

    /// Default severity; procedures may raise it per group later.
    pub fn default_severity(self) -> Severity {
        use AlarmKind::*;
        match self {
            StrapCut | ExclusionZoneEntry | Jamming | Shielding | AggressorNearVictim | Panic
            | PriorityAlert | CrewNeedsSupport => Severity::Critical,
            InclusionZoneExit
            | ScheduleStartOutside
            | ContinuousZoneExit
            | Tamper
            | BodyNotDetected
            | WrongInstallation
            | DeviceOff
            | Encounter
            | VehicleStationary
            | MovingWithoutDispatch
            | RiskAlert
            | MultipleVictims => Severity::High,
            BatteryCritical | SignalLost | GnssLost | WarningZoneEntry | CallOverTime => Severity::Medium,
            LateData | CommonPlace => Severity::Low,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(tag = "type", content = "id", rename_all = "snake_case")]
pub enum Subject {
    Person(PersonId),
    Device(DeviceId),
    Vehicle(VehicleId),
    Occurrence(OccurrenceId),
}

impl Subject {
    /// The id of what the alarm is about, as text (the `id` of its JSON form).
    pub fn id_string(&self) -> String {
        match self {
            Subject::Person(id) => id.to_string(),
            Subject::Device(id) => id.to_string(),
            Subject::Vehicle(id) => id.to_string(),
            Subject::Occurrence(id) => id.to_string(),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// Real violation, handled per procedure.
    Handled,
    /// Confirmed false alarm (GPS drift, device fault).
    FalseAlarm,
    /// Passed to police or another authority.
    Forwarded,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum AlarmState {
    Open,
    Claimed { by: UserId, at: DateTime<Utc> },
    InProcedure { by: UserId, at: DateTime<Utc> },
    Closed { by: UserId, at: DateTime<Utc>, outcome: Outcome, note: String },
    Restored { at: DateTime<Utc> },
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct AlarmNote {
    pub by: UserId,
    pub at: DateTime<Utc>,
    pub text: String,
    /// What an administrator did about the event (16.2.12), when the note records a measure.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub measure: Option<Measure>,
}

/// A measure taken about an event by the administrators responsible for the person (16.2.12):
/// kept on the alarm, open or closed, and in the audit trail.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Measure {
    /// An official letter (ofício) sent, e.g. to the court.
    Letter,
    RecaptureRequest,
    WrittenWarning,
    VerbalWarning,
    /// The monitored person's justification.
    Justification,
    Other,
}

impl Measure {
    pub const ALL: [Measure; 6] = [
        Measure::Letter,
        Measure::RecaptureRequest,
        Measure::WrittenWarning,
        Measure::VerbalWarning,
        Measure::Justification,
        Measure::Other,
    ];
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Alarm {
    pub id: AlarmId,
    pub kind: AlarmKind,
    pub severity: Severity,
    pub subject: Subject,
    pub zone_id: Option<ZoneId>,
    /// When the triggering fact happened (device time).
    pub source_time: DateTime<Utc>,
    /// When the server raised it.
    pub raised_at: DateTime<Utc>,
    pub state: AlarmState,
    /// Repeats of the same (subject, kind, zone) while open increment this instead of a new alarm.
    pub count: u32,
    pub notes: Vec<AlarmNote>,
    /// The other person of a pair alarm (encounter, common place, aggressor near victim).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub other_person: Option<PersonId>,
    /// When the condition cleared while an operator held the alarm: the pairing restore event
    /// is recorded, and the operator still closes it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cleared_at: Option<DateTime<Utc>>,
    /// What a store-and-forward replay contained (late-data incident, 9.7, 9.37).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub late: Option<LateSummary>,
    /// When an operator first took the alarm: time to acknowledge is measured from `raised_at`
    /// to here, against the 5-minute target (27.9).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub acknowledged_at: Option<DateTime<Utc>>,
    /// When it escalated to the supervisors because nobody took it within the target.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub escalated_at: Option<DateTime<Utc>>,
    /// The procedure's steps, attached when the operator starts the procedure.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub steps: Vec<ProcedureStep>,
    /// Calls, e-mails and SMS about this alarm (16.2.7, 27.10.4, 27.10.9).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub contacts: Vec<crate::notify::Contact>,
}

/// Identity of an alarm for deduplication: one active alarm per key (16.2.13).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct AlarmKey {
    pub kind: AlarmKind,
    pub subject: Subject,
    pub zone_id: Option<ZoneId>,
    pub other: Option<PersonId>,
}

impl AlarmKey {
    pub fn new(kind: AlarmKind, subject: Subject) -> Self {
        Self { kind, subject, zone_id: None, other: None }
    }
}

/// A condition that came and went entirely inside replayed (late) data.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Episode {
    pub kind: AlarmKind,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub zone_id: Option<ZoneId>,
    pub from: DateTime<Utc>,
    pub to: DateTime<Utc>,
}

/// Summary of one store-and-forward replay, surfaced as a single incident.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct LateSummary {
    pub device_id: DeviceId,
    pub points: u64,
    pub first_fix: DateTime<Utc>,
    pub last_fix: DateTime<Utc>,
    pub episodes: Vec<Episode>,
}

#[derive(Debug, Error, PartialEq)]
pub enum AlarmError {
    #[error("alarm already claimed by another operator")]
    AlreadyClaimed { by: UserId },
    #[error("alarm is not claimed by this operator")]
    NotOwner,
    #[error("alarm is already finished")]
    Finished,
    #[error("closing an alarm requires a note")]
    NoteRequired,
    #[error("{remaining} procedure steps are not done")]
    StepsPending { remaining: usize },
    #[error("no such procedure step")]
    NoSuchStep,
    #[error("a contact needs a recipient")]
    RecipientRequired,
}

/// The steps operators follow for one alarm kind, for one group of monitored people or for
/// everyone (16.2.7, III-2.11, III-2.25), defined by administrators.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Procedure {
    pub kind: AlarmKind,
    /// The group it is for; none: every person without a group-specific procedure.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub group: Option<String>,
    pub steps: Vec<String>,
    pub updated_at: DateTime<Utc>,
}

impl Procedure {
    /// Storage key: one procedure per (kind, group).
    pub fn key(kind: AlarmKind, group: Option<&str>) -> String {
        let kind =
            serde_json::to_value(kind).ok().and_then(|v| v.as_str().map(str::to_owned)).unwrap_or_default();
        format!("{kind}/{}", group.unwrap_or("*"))
    }
}

/// One step of the procedure attached to an alarm, ticked by the operator handling it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct ProcedureStep {
    pub text: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub done_by: Option<UserId>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub done_at: Option<DateTime<Utc>>,
}

impl Alarm {
    pub fn new(
        kind: AlarmKind,
        subject: Subject,
        zone_id: Option<ZoneId>,
        source_time: DateTime<Utc>,
        now: DateTime<Utc>,
    ) -> Self {
        Self {
            id: AlarmId::new(),
            kind,
            severity: kind.default_severity(),
            subject,
            zone_id,
            source_time,
            raised_at: now,
            state: AlarmState::Open,
            count: 1,
            notes: Vec::new(),
            other_person: None,
            cleared_at: None,
            late: None,
            acknowledged_at: None,
            escalated_at: None,
            steps: Vec::new(),
            contacts: Vec::new(),
        }
    }

    /// The deduplication key of this alarm.
    pub fn key(&self) -> AlarmKey {
        AlarmKey { kind: self.kind, subject: self.subject, zone_id: self.zone_id, other: self.other_person }
    }

    pub fn domain(&self) -> Domain {
        self.kind.domain()
    }

    /// Still needs an operator: open, claimed or in procedure.
    pub fn is_active(&self) -> bool {
        !matches!(self.state, AlarmState::Closed { .. } | AlarmState::Restored { .. })
    }

    pub fn owner(&self) -> Option<UserId> {
        match &self.state {
            AlarmState::Claimed { by, .. } | AlarmState::InProcedure { by, .. } => Some(*by),
            _ => None,
        }
    }

    /// Time from raising to the first claim, once claimed.
    pub fn time_to_acknowledge(&self) -> Option<chrono::Duration> {
        self.acknowledged_at.map(|t| t - self.raised_at)
    }

    /// Escalate an alarm still unclaimed `target` after it was raised; true when it escalated
    /// now (once per alarm).
    pub fn escalate_if_overdue(&mut self, now: DateTime<Utc>, target: chrono::Duration) -> bool {
        let overdue = self.state == AlarmState::Open && now - self.raised_at >= target;
        if overdue && self.escalated_at.is_none() {
            self.escalated_at = Some(now);
            return true;
        }
        false
    }

    /// Take the alarm. Exactly one operator can hold it; a second claim is refused.
    pub fn claim(&mut self, by: UserId, at: DateTime<Utc>) -> Result<(), AlarmError> {
        match &self.state {
            AlarmState::Open => {
                self.state = AlarmState::Claimed { by, at };
                self.acknowledged_at.get_or_insert(at);
                Ok(())
            }
            // The holder claiming again (a replayed command) is a no-op, not a conflict.
            AlarmState::Claimed { by: holder, .. } | AlarmState::InProcedure { by: holder, .. }
                if *holder == by =>
            {
                Ok(())
            }
            AlarmState::Claimed { by: holder, .. } | AlarmState::InProcedure { by: holder, .. } => {
                Err(AlarmError::AlreadyClaimed { by: *holder })
            }
            _ => Err(AlarmError::Finished),
        }
    }

    /// Start handling by the book: `steps` are the applicable procedure's (attached once; a
    /// replayed start keeps the ticks already made).
    pub fn start_procedure(
        &mut self,
        by: UserId,
        at: DateTime<Utc>,
        steps: &[String],
    ) -> Result<(), AlarmError> {
        self.require_owner(by)?;
        if !matches!(self.state, AlarmState::InProcedure { .. }) {
            self.state = AlarmState::InProcedure { by, at };
        }
        if self.steps.is_empty() {
            self.steps = steps
                .iter()
                .map(|t| ProcedureStep { text: t.clone(), done_by: None, done_at: None })
                .collect();
        }
        Ok(())
    }

    /// Tick step `index` (from 0) as done.
    pub fn complete_step(&mut self, by: UserId, at: DateTime<Utc>, index: usize) -> Result<(), AlarmError> {
        self.require_owner(by)?;
        let step = self.steps.get_mut(index).ok_or(AlarmError::NoSuchStep)?;
        if step.done_at.is_none() {
            step.done_by = Some(by);
            step.done_at = Some(at);
        }
        Ok(())
    }

    pub fn close(
        &mut self,
        by: UserId,
        at: DateTime<Utc>,
        outcome: Outcome,
        note: &str,
    ) -> Result<(), AlarmError> {
        self.require_owner(by)?;
        let note = note.trim();
        if note.is_empty() {
            return Err(AlarmError::NoteRequired);
        }
        // A violation is handled by the book: every step done. A confirmed false alarm or one
        // passed to another authority closes with the reason in the note.
        let remaining = self.steps.iter().filter(|s| s.done_at.is_none()).count();
        if outcome == Outcome::Handled && remaining > 0 {
            return Err(AlarmError::StepsPending { remaining });
        }
        self.state = AlarmState::Closed { by, at, outcome, note: note.to_owned() };
        Ok(())
    }

    /// The condition cleared (device back in zone, strap restored). Only an active alarm restores.
    pub fn restore(&mut self, at: DateTime<Utc>) -> Result<(), AlarmError> {
        if !self.is_active() {
            return Err(AlarmError::Finished);
        }
        self.state = AlarmState::Restored { at };
        Ok(())
    }

    /// Record a call, e-mail or SMS an operator made about this alarm (while it is active: after
    /// closing, notes and contacts belong to a new alarm or the person's record).
    pub fn log_contact(&mut self, contact: crate::notify::Contact) -> Result<(), AlarmError> {
        if !self.is_active() {
            return Err(AlarmError::Finished);
        }
        if contact.to.trim().is_empty() {
            return Err(AlarmError::RecipientRequired);
        }
        self.contacts.push(contact);
        Ok(())
    }

    pub fn add_note(&mut self, by: UserId, at: DateTime<Utc>, text: &str) -> Result<(), AlarmError> {
        let text = text.trim();
        if text.is_empty() {
            return Err(AlarmError::NoteRequired);
        }
        self.notes.push(AlarmNote { by, at, text: text.to_owned(), measure: None });
        Ok(())
    }

    /// Records a measure taken about the event (16.2.12): in any state — an official letter is
    /// often sent days after the alarm was closed.
    pub fn record_measure(
        &mut self,
        by: UserId,
        at: DateTime<Utc>,
        measure: Measure,
        text: &str,
    ) -> Result<(), AlarmError> {
        let text = text.trim();
        if text.is_empty() {
            return Err(AlarmError::NoteRequired);
        }
        self.notes.push(AlarmNote { by, at, text: text.to_owned(), measure: Some(measure) });
        Ok(())
    }

    fn require_owner(&self, by: UserId) -> Result<(), AlarmError> {
        match self.owner() {
            Some(holder) if holder == by => Ok(()),
            Some(_) | None if self.is_active() => Err(AlarmError::NotOwner),
            _ => Err(AlarmError::Finished),
        }
    }
}

/// Queue order for operators: most severe first, then oldest first.
pub fn queue_order(a: &Alarm, b: &Alarm) -> std::cmp::Ordering {
    b.severity.cmp(&a.severity).then(a.raised_at.cmp(&b.raised_at))
}

#[cfg(test)]
mod tests {

    #[test]
    fn every_alarm_kind_is_listed_once_in_its_place() {
        for (i, k) in AlarmKind::ALL.into_iter().enumerate() {
            assert_eq!(k.position(), i, "{k:?}");
        }
        assert_eq!(AlarmKind::of(Domain::Samu).count(), 7);
    }
    use super::*;
    use chrono::{Duration, TimeZone};

    fn t0() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 11, 22, 3, 0, 0).single().expect("valid")
    }

    fn alarm(kind: AlarmKind) -> Alarm {
        Alarm::new(kind, Subject::Person(PersonId::new()), None, t0(), t0())
    }

    #[test]
    fn lifecycle_open_claim_procedure_close() {
        let op = UserId::new();
        let mut a = alarm(AlarmKind::InclusionZoneExit);
        assert!(a.is_active());
        a.claim(op, t0()).expect("claim");
        a.start_procedure(op, t0(), &[]).expect("procedure");
        assert_eq!(a.close(op, t0(), Outcome::Handled, "   "), Err(AlarmError::NoteRequired));
        a.close(op, t0(), Outcome::Handled, "Contato com o monitorado; retornou.").expect("close");
        assert!(!a.is_active());
        assert_eq!(a.claim(op, t0()), Err(AlarmError::Finished));
    }

    #[test]
    fn a_violation_closes_as_handled_only_when_every_step_is_done() {
        // 16.2.7 / III-2.11: the procedure's steps, ticked with author and time.
        let op = UserId::new();
        let steps = vec!["Ligar para o monitorado".to_owned(), "Acionar a polícia".to_owned()];
        let mut a = alarm(AlarmKind::ExclusionZoneEntry);
        a.claim(op, t0()).expect("claim");
        a.start_procedure(op, t0(), &steps).expect("procedure");
        a.complete_step(op, t0() + Duration::minutes(1), 0).expect("step");
        assert_eq!(a.complete_step(op, t0(), 5), Err(AlarmError::NoSuchStep));
        assert_eq!(a.complete_step(UserId::new(), t0(), 1), Err(AlarmError::NotOwner));
        assert_eq!(a.close(op, t0(), Outcome::Handled, "ok"), Err(AlarmError::StepsPending { remaining: 1 }));
        // A replayed start keeps the ticks.
        a.start_procedure(op, t0(), &steps).expect("again");
        assert_eq!(a.steps[0].done_at, Some(t0() + Duration::minutes(1)));
        assert_eq!(a.steps[0].done_by, Some(op));
        a.complete_step(op, t0() + Duration::minutes(2), 1).expect("step");
        a.close(op, t0() + Duration::minutes(3), Outcome::Handled, "Polícia no local.").expect("close");

        // A confirmed false alarm may close with steps pending; the note says why.
        let mut b = alarm(AlarmKind::ExclusionZoneEntry);
        b.claim(op, t0()).expect("claim");
        b.start_procedure(op, t0(), &steps).expect("procedure");
        b.close(op, t0(), Outcome::FalseAlarm, "Deriva de GPS dentro de casa.").expect("false alarm");
    }

    #[test]
    fn an_unclaimed_alarm_escalates_once_at_the_target_and_a_claim_measures_the_response() {
        // 27.9: response within 5 minutes.
        let target = Duration::minutes(5);
        let mut late = alarm(AlarmKind::StrapCut);
        assert!(!late.escalate_if_overdue(t0() + Duration::seconds(299), target));
        assert!(late.escalate_if_overdue(t0() + Duration::seconds(300), target));
        assert!(!late.escalate_if_overdue(t0() + Duration::seconds(301), target), "only once");
        assert_eq!(late.escalated_at, Some(t0() + Duration::seconds(300)));
        let op = UserId::new();
        late.claim(op, t0() + Duration::minutes(7)).expect("claim");
        assert_eq!(late.time_to_acknowledge(), Some(Duration::minutes(7)));
        late.start_procedure(op, t0() + Duration::minutes(8), &[]).expect("procedure");
        late.claim(op, t0() + Duration::minutes(9)).expect("replayed claim");
        assert_eq!(late.time_to_acknowledge(), Some(Duration::minutes(7)), "the first claim counts");

        let mut taken = alarm(AlarmKind::StrapCut);
        taken.claim(op, t0() + Duration::minutes(1)).expect("claim");
        assert!(
            !taken.escalate_if_overdue(t0() + Duration::minutes(10), target),
            "held alarms do not escalate"
        );
        assert_eq!(taken.time_to_acknowledge(), Some(Duration::minutes(1)));
    }

    #[test]
    fn second_claim_is_refused_with_the_holder() {
        let (first, second) = (UserId::new(), UserId::new());
        let mut a = alarm(AlarmKind::StrapCut);
        a.claim(first, t0()).expect("first claim");
        assert_eq!(a.claim(second, t0()), Err(AlarmError::AlreadyClaimed { by: first }));
        let held = a.clone();
        assert_eq!(a.claim(first, t0() + chrono::Duration::seconds(5)), Ok(()), "replayed claim");
        assert_eq!(a, held, "and it changes nothing");
        assert_eq!(a.start_procedure(second, t0(), &[]), Err(AlarmError::NotOwner));
    }

    #[test]
    fn restore_only_while_active() {
        let mut a = alarm(AlarmKind::SignalLost);
        a.restore(t0()).expect("restore");
        assert_eq!(a.restore(t0()), Err(AlarmError::Finished));
    }

    #[test]
    fn queue_orders_by_severity_then_age() {
        let mut low_old = alarm(AlarmKind::LateData);
        low_old.raised_at = t0();
        let mut crit_new = alarm(AlarmKind::StrapCut);
        crit_new.raised_at = t0() + Duration::minutes(5);
        let mut crit_old = alarm(AlarmKind::Jamming);
        crit_old.raised_at = t0() + Duration::minutes(1);
        let mut v = [low_old.clone(), crit_new.clone(), crit_old.clone()];
        v.sort_by(queue_order);
        assert_eq!(v.iter().map(|a| a.id).collect::<Vec<_>>(), vec![crit_old.id, crit_new.id, low_old.id]);
    }

    #[test]
    fn kinds_know_their_domain() {
        assert_eq!(AlarmKind::CallOverTime.domain(), Domain::Samu);
        assert_eq!(AlarmKind::StrapCut.domain(), Domain::Monitoring);
    }
}
