//! SAMU bodies: calls, regulation, dispatches, vehicles.

use super::{FieldError, NAME_MAX, TEXT_MAX, limit, require};
use crate::geom::LatLon;
use crate::ids::{DeviceId, OccurrenceId, VehicleId};
use crate::samu::{CallType, Occurrence, VehicleKind, VehicleStatus};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// A new call registered by a TARM (RFS184, RFS186). The client may supply the id so a command
/// replayed from its offline outbox is recognised instead of duplicated.
#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
pub struct NewOccurrence {
    #[serde(default)]
    pub id: Option<OccurrenceId>,
    pub call_type: CallType,
    #[serde(default)]
    pub caller_name: String,
    pub caller_phone: String,
    #[serde(default)]
    pub address: String,
    #[serde(default)]
    pub municipality: String,
    #[serde(default)]
    pub location: Option<LatLon>,
    #[serde(default)]
    pub description: String,
    /// Further numbers to reach the caller (RFS186).
    #[serde(default)]
    pub extra_phones: Vec<String>,
    /// The victims, each with its own record (RFS029); numbered by the server in this order.
    #[serde(default)]
    pub victims: Vec<NewVictim>,
    /// When the call was answered (the console's call timer, RFS032); the server's time when
    /// absent.
    #[serde(default)]
    pub call_started_at: Option<DateTime<Utc>>,
    /// Hand the call to the primary regulator as it is registered (the default); `false` keeps
    /// it in intake until `POST /occurrences/{id}/handoff` (RFS185).
    #[serde(default = "yes")]
    pub hand_off: bool,
}

fn yes() -> bool {
    true
}

/// A victim as the TARM records it (RFS029); CPF and CNS are checked when given.
#[derive(Debug, Clone, Default, Serialize, Deserialize, utoipa::ToSchema)]
pub struct NewVictim {
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub sex: Option<crate::samu::Sex>,
    #[serde(default)]
    pub age_years: Option<u32>,
    #[serde(default)]
    pub cpf: String,
    #[serde(default)]
    pub cns: String,
    /// This victim's complaint, as the caller describes it (RFS029).
    #[serde(default)]
    pub complaint: String,
}

impl NewVictim {
    fn validate(&self, i: usize, e: &mut Vec<FieldError>) {
        limit(e, &format!("victims[{i}].name"), &self.name, NAME_MAX, "Nome da vítima");
        limit(e, &format!("victims[{i}].complaint"), &self.complaint, TEXT_MAX, "Queixa da vítima");
        if !self.cpf.trim().is_empty() && !crate::samu::ident::valid_cpf(&self.cpf) {
            e.push(FieldError::new(
                &format!("victims[{i}].cpf"),
                "CPF inválido: confira os 11 dígitos (os dígitos verificadores não conferem).",
            ));
        }
        if !self.cns.trim().is_empty() && !crate::samu::ident::valid_cns(&self.cns) {
            e.push(FieldError::new(
                &format!("victims[{i}].cns"),
                "CNS inválido: confira os 15 dígitos do Cartão Nacional de Saúde.",
            ));
        }
        if self.age_years.is_some_and(|a| a > 130) {
            e.push(FieldError::new(&format!("victims[{i}].age_years"), "Idade inválida."));
        }
    }

    /// The victim as stored: numbered, identity numbers as digits only.
    pub fn into_victim(self, number: u32) -> crate::samu::Victim {
        let digits = |s: &str| s.chars().filter(char::is_ascii_digit).collect::<String>();
        crate::samu::Victim {
            number,
            name: self.name.trim().to_owned(),
            sex: self.sex,
            age_years: self.age_years,
            cpf: digits(&self.cpf),
            cns: digits(&self.cns),
            complaint: self.complaint.trim().to_owned(),
        }
    }
}

/// Brazilian phone: 10 or 11 digits with DDD (optionally +55), or a 3-digit public-service number.
pub fn valid_phone(raw: &str) -> bool {
    let digits: String = raw.chars().filter(char::is_ascii_digit).collect();
    let digits = digits.strip_prefix("55").filter(|d| d.len() >= 10).unwrap_or(&digits);
    matches!(digits.len(), 10 | 11) && !digits.starts_with('0')
}

impl NewOccurrence {
    pub fn validate(&self) -> Vec<FieldError> {
        let mut e = Vec::new();
        if self.caller_phone.trim().is_empty() {
            e.push(FieldError::new("caller_phone", "Telefone do solicitante é obrigatório."));
        } else if !valid_phone(&self.caller_phone) {
            e.push(FieldError::new(
                "caller_phone",
                "Telefone inválido: informe DDD e número (10 ou 11 dígitos).",
            ));
        }
        if self.call_type == CallType::Atendimento {
            require(&mut e, "address", &self.address, "Endereço");
            require(&mut e, "municipality", &self.municipality, "Município");
            require(&mut e, "description", &self.description, "Queixa / descrição");
        }
        if let Some(l) = &self.location
            && l.validate().is_err()
        {
            e.push(FieldError::new("location", "Coordenadas fora dos limites válidos."));
        }
        limit(&mut e, "caller_name", &self.caller_name, NAME_MAX, "Nome do solicitante");
        limit(&mut e, "address", &self.address, 300, "Endereço");
        limit(&mut e, "municipality", &self.municipality, 100, "Município");
        limit(&mut e, "description", &self.description, TEXT_MAX, "Queixa / descrição");
        if self.extra_phones.len() > 10 {
            e.push(FieldError::new("extra_phones", "Informe até 10 telefones adicionais."));
        }
        if self.victims.len() > 200 {
            e.push(FieldError::new("victims", "Informe até 200 vítimas por chamado."));
        }
        for (i, p) in self.extra_phones.iter().enumerate() {
            if !valid_phone(p) {
                e.push(FieldError::new(
                    &format!("extra_phones[{i}]"),
                    "Telefone inválido: informe DDD e número (10 ou 11 dígitos).",
                ));
            }
        }
        for (i, v) in self.victims.iter().enumerate() {
            v.validate(i, &mut e);
        }
        e
    }
}

/// The medical regulator's record (RFS124, RFS126, RFS127, RFS132, RFS136, TDC-PROC 3): only
/// the fields present change, and every change of a field is kept in the occurrence's history.
#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
pub struct RegulationUpdate {
    pub stage: crate::samu::RegulatorStage,
    #[serde(default)]
    pub demand_type: Option<crate::samu::DemandType>,
    #[serde(default)]
    pub request_type: Option<crate::samu::RequestType>,
    /// Clinical description and scene context (TDC-PROC 3b).
    #[serde(default)]
    pub description: Option<String>,
    #[serde(default)]
    pub priority: Option<crate::samu::Priority>,
    #[serde(default)]
    pub ambulance_needed: Option<bool>,
    #[serde(default)]
    pub resource: Option<VehicleKind>,
    #[serde(default)]
    pub orientation: Option<String>,
    #[serde(default)]
    pub external_support: Option<Vec<String>>,
    #[serde(default)]
    pub conduct: Option<String>,
    #[serde(default)]
    pub destination: Option<String>,
    /// Why a value was changed (kept with the change).
    #[serde(default)]
    pub reason: String,
    /// The primary regulator alerts the secondary to the risk classification (RFS011).
    #[serde(default)]
    pub risk_alert: bool,
    /// Flag for patient transport (TS) with the reason (RFS128); empty clears the flag.
    #[serde(default)]
    pub patient_transport: Option<String>,
}

impl RegulationUpdate {
    pub fn validate(&self) -> Vec<FieldError> {
        let mut e = Vec::new();
        if self.description.as_deref().is_some_and(|d| d.trim().is_empty()) {
            e.push(FieldError::new("description", "A descrição clínica não pode ficar vazia."));
        }
        if self.ambulance_needed == Some(false) && self.resource.is_some() {
            e.push(FieldError::new(
                "resource",
                "Tipo de viatura informado, mas a regulação diz que não há necessidade de ambulância.",
            ));
        }
        e
    }
}

/// A reason, for closing an occurrence (RFS185) or calling off a dispatch.
#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Reason {
    #[schema(pattern = r"\S")]
    pub reason: String,
}

/// Text appended to an occurrence after closure (RFS133).
#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
pub struct NewAddendum {
    #[schema(pattern = r"\S")]
    pub text: String,
}

/// Commit a vehicle to an occurrence ("empenho"). `replaces` substitutes an earlier dispatch of
/// the same occurrence (a USB replaced by a USA, RFS054); `additional` commits a vehicle still
/// busy with another occurrence (RFS062).
#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
pub struct NewDispatch {
    #[serde(default)]
    pub id: Option<crate::ids::DispatchId>,
    pub occurrence_id: OccurrenceId,
    pub vehicle_id: VehicleId,
    #[serde(default)]
    pub replaces: Option<crate::ids::DispatchId>,
    #[serde(default)]
    pub additional: bool,
}

/// A status reported for a dispatch by its crew or the fleet controller; the server stamps the
/// time (RFS015, RFS055). A retained stretcher needs the unit and the reason (RFS061).
#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
pub struct DispatchStatusChange {
    pub status: VehicleStatus,
    #[serde(default)]
    pub unit: String,
    #[serde(default)]
    pub reason: String,
}

/// An assignment as the crew's tablet shows it (RFS017, RFS018, RFS136).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Assignment {
    pub dispatch: crate::samu::Dispatch,
    pub occurrence: Occurrence,
}

/// One ongoing occurrence on the regulation panel (TDC-PROC 4, RFS130): ordered by priority
/// then waiting time, with its vehicles and the nearest free vehicles of the required type.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct PanelRow {
    pub occurrence: Occurrence,
    /// Seconds since the call was answered.
    pub waiting_s: i64,
    pub dispatches: Vec<crate::samu::Dispatch>,
    /// Up to three, nearest first (none without a location).
    pub nearest: Vec<crate::samu::fleet::Candidate>,
}

#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
pub struct NewVehicle {
    #[serde(default)]
    pub id: Option<VehicleId>,
    #[schema(pattern = r"\S")]
    pub code: String,
    pub kind: VehicleKind,
    #[serde(default)]
    pub base: String,
    #[schema(pattern = r"\S")]
    pub municipality: String,
    #[serde(default)]
    pub conveniado: bool,
    #[serde(default)]
    pub device_id: Option<DeviceId>,
}

impl NewVehicle {
    pub fn validate(&self) -> Vec<FieldError> {
        let mut e = Vec::new();
        require(&mut e, "code", &self.code, "Prefixo da viatura");
        require(&mut e, "municipality", &self.municipality, "Município");
        e
    }
}

#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
pub struct VehicleStatusChange {
    pub status: VehicleStatus,
}
