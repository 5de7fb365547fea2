//! The medical regulator's form (RFS123, RFS124, RFS126–RFS128, RFS132, RFS136; TDC-PROC 3, 9,
//! 11): what the regulator records of an occurrence — demand and request type, the clinical
//! description, priority, whether an ambulance is needed and which, the guidance given to the
//! caller, external support, conduct, destination unit, patient transport, the risk alert to the
//! secondary regulator — starting from what the occurrence has, and the `RegulationUpdate` that
//! carries only what the regulator changed. The widgets live in the console.

use atalaia_core::samu::{DemandType, Occurrence, Priority, RegulatorStage, RequestType, VehicleKind};
use atalaia_core::wire::RegulationUpdate;

/// The external services a regulator most often calls (RFS123); others are typed.
pub const EXTERNAL_SERVICES: [&str; 5] =
    ["Corpo de Bombeiros", "Polícia Militar", "Defesa Civil", "Polícia Rodoviária", "Guarda Municipal"];

/// Why a draft is not sent.
#[derive(Debug, Clone, PartialEq)]
pub enum Refusal {
    /// Nothing differs from what the occurrence has.
    Nothing,
    /// A priority or a resource already decided changes without a reason (RFS126, RFS131).
    ReasonRequired,
    /// What the server would refuse, in Portuguese.
    Invalid(String),
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct RegulationDraft {
    /// Which regulator acts; by default the primary on the first regulation, the secondary after.
    pub stage: Option<RegulatorStage>,
    pub demand_type: Option<DemandType>,
    pub request_type: Option<RequestType>,
    pub description: String,
    pub priority: Option<Priority>,
    pub ambulance_needed: Option<bool>,
    pub resource: Option<VehicleKind>,
    pub orientation: String,
    pub external_support: Vec<String>,
    pub conduct: String,
    pub destination: String,
    pub patient_transport: String,
    pub reason: String,
    /// The primary regulator alerts the secondary to the risk classification (RFS011).
    pub risk_alert: bool,
}

/// One regulator who worked on the occurrence (RFS131): several may, on a multi-victim call, and
/// each sees who else is there and what they last did.
#[derive(Debug, Clone, PartialEq)]
pub struct Regulator {
    pub name: String,
    /// As which regulator they acted last.
    pub stage: Option<RegulatorStage>,
    pub changes: usize,
    pub last: chrono::DateTime<chrono::Utc>,
    /// The field they changed last (as on the wire).
    pub last_field: String,
}

/// The regulators of the occurrence, from its history, most recently active first.
pub fn regulators(o: &Occurrence) -> Vec<Regulator> {
    let mut out: Vec<(atalaia_core::ids::UserId, Regulator)> = Vec::new();
    for c in &o.history {
        match out.iter_mut().find(|(id, _)| *id == c.by) {
            Some((_, r)) => {
                r.changes += 1;
                if c.at >= r.last {
                    r.last = c.at;
                    r.stage = c.stage.or(r.stage);
                    r.last_field = c.field.clone();
                }
            }
            None => out.push((
                c.by,
                Regulator {
                    name: c.by_name.clone(),
                    stage: c.stage,
                    changes: 1,
                    last: c.at,
                    last_field: c.field.clone(),
                },
            )),
        }
    }
    let mut v: Vec<Regulator> = out.into_iter().map(|(_, r)| r).collect();
    v.sort_by(|a, b| b.last.cmp(&a.last).then(a.name.cmp(&b.name)));
    v
}

/// The stage a regulator acts as by default: primary on the first regulation, secondary after.
pub fn default_stage(o: &Occurrence) -> RegulatorStage {
    if o.history.iter().any(|c| c.stage.is_some()) {
        RegulatorStage::Secondary
    } else {
        RegulatorStage::Primary
    }
}

impl RegulationDraft {
    /// The form as the occurrence stands: the regulator changes what needs changing.
    pub fn of(o: &Occurrence) -> Self {
        Self {
            stage: None,
            demand_type: o.demand_type,
            request_type: o.request_type,
            description: o.description.clone(),
            priority: o.priority,
            ambulance_needed: o.ambulance_needed,
            resource: o.resource,
            orientation: o.orientation.clone(),
            external_support: o.external_support.clone(),
            conduct: o.conduct.clone(),
            destination: o.destination.clone(),
            patient_transport: o.patient_transport.clone(),
            reason: String::new(),
            risk_alert: false,
        }
    }

    /// Adds or removes an external service.
    pub fn toggle_support(&mut self, service: &str) {
        match self.external_support.iter().position(|s| s == service) {
            Some(i) => {
                self.external_support.remove(i);
            }
            None => self.external_support.push(service.to_owned()),
        }
    }

    /// The update carrying what the regulator changed — what differs from `base`, the form as
    /// the occurrence stood when it was opened (so that what another regulator changed since is
    /// never sent back) — or why nothing is sent. `o` is the occurrence as it is now.
    pub fn to_update(&self, base: &RegulationDraft, o: &Occurrence) -> Result<RegulationUpdate, Refusal> {
        fn differs<T: PartialEq + Copy>(new: Option<T>, old: Option<T>) -> Option<T> {
            new.filter(|n| Some(*n) != old)
        }
        fn text(new: &str, old: &str) -> Option<String> {
            let new = new.trim();
            (new != old.trim()).then(|| new.to_owned())
        }
        let support = {
            let new: Vec<String> =
                self.external_support.iter().map(|s| s.trim().to_owned()).filter(|s| !s.is_empty()).collect();
            (new != base.external_support).then_some(new)
        };
        let up = RegulationUpdate {
            stage: self.stage.unwrap_or_else(|| default_stage(o)),
            demand_type: differs(self.demand_type, base.demand_type),
            request_type: differs(self.request_type, base.request_type),
            description: text(&self.description, &base.description),
            priority: differs(self.priority, base.priority),
            ambulance_needed: differs(self.ambulance_needed, base.ambulance_needed),
            // No ambulance: no vehicle type either (the server clears it).
            resource: differs(self.resource, base.resource).filter(|_| self.ambulance_needed != Some(false)),
            orientation: text(&self.orientation, &base.orientation),
            external_support: support,
            conduct: text(&self.conduct, &base.conduct),
            destination: text(&self.destination, &base.destination),
            reason: self.reason.trim().to_owned(),
            risk_alert: self.risk_alert,
            patient_transport: text(&self.patient_transport, &base.patient_transport),
        };
        let nothing = up.demand_type.is_none()
            && up.request_type.is_none()
            && up.description.is_none()
            && up.priority.is_none()
            && up.ambulance_needed.is_none()
            && up.resource.is_none()
            && up.orientation.is_none()
            && up.external_support.is_none()
            && up.conduct.is_none()
            && up.destination.is_none()
            && up.patient_transport.is_none()
            && !up.risk_alert;
        if nothing {
            return Err(Refusal::Nothing);
        }
        // Changing a colour or a vehicle type already decided — or dropping the ambulance, which
        // drops its type — needs a reason.
        let decided_type = o.resource.is_some() || base.resource.is_some();
        let changes_decided = (up.priority.is_some() && (o.priority.is_some() || base.priority.is_some()))
            || (up.resource.is_some() && decided_type)
            || (up.ambulance_needed == Some(false) && decided_type);
        if changes_decided && up.reason.is_empty() {
            return Err(Refusal::ReasonRequired);
        }
        if let Some(e) = up.validate().into_iter().next() {
            return Err(Refusal::Invalid(e.message));
        }
        Ok(up)
    }
}

#[cfg(test)]
mod tests;
