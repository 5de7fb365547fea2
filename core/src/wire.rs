//! The wire contract between backend, console and other systems: REST bodies, problem details,
//! and the live feed (snapshot, then events ordered by the global `seq`).

use crate::alarm::{Alarm, Outcome};
use crate::auth::{Permission, Role};
use crate::geom::{LatLon, Shape};
use crate::ids::{DeviceId, OccurrenceId, PersonId, UserId, VehicleId, ZoneId};
use crate::monitoring::{Device, DeviceKind, DeviceState, Person, Position, Regime, Zone, ZoneKind};
use crate::samu::{CallType, Occurrence, Vehicle, VehicleKind, VehicleStatus};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// API version prefix.
pub const API_PREFIX: &str = "/api/v1";

#[derive(Clone, Serialize, Deserialize, utoipa::ToSchema)]
pub struct LoginRequest {
    pub username: String,
    pub password: String,
}

impl std::fmt::Debug for LoginRequest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LoginRequest").field("username", &self.username).finish_non_exhaustive()
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct UserInfo {
    pub id: UserId,
    pub username: String,
    pub display_name: String,
    pub role: Role,
}

#[derive(Clone, Serialize, Deserialize, utoipa::ToSchema)]
pub struct LoginResponse {
    /// Bearer token for `Authorization: Bearer …` (and `?token=` on the live feed).
    pub token: String,
    pub expires_at: DateTime<Utc>,
    pub user: UserInfo,
    /// The password is older than the site's change policy allows (16.3.2.3): the console asks
    /// for a new one.
    #[serde(default)]
    pub password_expired: bool,
}

impl std::fmt::Debug for LoginResponse {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // The bearer token stays out of logs.
        f.debug_struct("LoginResponse")
            .field("expires_at", &self.expires_at)
            .field("user", &self.user)
            .finish_non_exhaustive()
    }
}

#[derive(Clone, Serialize, Deserialize, utoipa::ToSchema)]
pub struct NewUser {
    pub username: String,
    pub display_name: String,
    pub role: Role,
    pub password: String,
}

/// Body of `POST /auth/password`: users change their own password at any time (III-2.23).
#[derive(Clone, Serialize, Deserialize, utoipa::ToSchema)]
pub struct PasswordChange {
    pub current_password: String,
    pub new_password: String,
}

impl std::fmt::Debug for PasswordChange {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("PasswordChange { .. }")
    }
}

/// One line of the users report (16.3.2.3, 16.3.2.4): who is enabled, how old their password is
/// against the change policy, and their accesses in the period.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct UserReportLine {
    pub username: String,
    pub display_name: String,
    pub role: crate::auth::Role,
    pub active: bool,
    pub created_at: DateTime<Utc>,
    pub password_changed_at: DateTime<Utc>,
    pub password_age_days: i64,
    /// Changed within the policy's maximum age (always true when the policy sets none).
    pub password_compliant: bool,
    pub last_login_at: Option<DateTime<Utc>>,
    pub logins_in_period: u64,
    pub failed_logins_in_period: u64,
}

/// RFC 9457 problem details. `code` is stable for programs; `title`/`detail` are Portuguese for people.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Problem {
    #[serde(rename = "type")]
    pub type_uri: String,
    pub title: String,
    pub status: u16,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
    pub code: String,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<FieldError>,
}

/// One invalid field, with a Portuguese message ready to show next to it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct FieldError {
    pub field: String,
    pub message: String,
}

impl std::fmt::Debug for NewUser {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("NewUser")
            .field("username", &self.username)
            .field("display_name", &self.display_name)
            .field("role", &self.role)
            .finish_non_exhaustive()
    }
}

impl FieldError {
    pub fn new(field: &str, message: &str) -> Self {
        Self { field: field.to_owned(), message: message.to_owned() }
    }
}

fn require(errors: &mut Vec<FieldError>, field: &str, value: &str, label: &str) {
    if value.trim().is_empty() {
        errors.push(FieldError::new(field, &format!("{label} é obrigatório.")));
    }
}

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
    pub reason: String,
}

/// Text appended to an occurrence after closure (RFS133).
#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
pub struct NewAddendum {
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
    pub code: String,
    pub kind: VehicleKind,
    #[serde(default)]
    pub base: String,
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

#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
pub struct NewPerson {
    #[serde(default)]
    pub id: Option<PersonId>,
    pub name: String,
    pub record: String,
    pub regime: Regime,
    #[serde(default)]
    pub group: Option<String>,
    #[serde(default)]
    pub responsible: Option<String>,
    /// For a victim: the aggressor (27.16.1).
    #[serde(default)]
    pub linked_person: Option<PersonId>,
}

impl NewPerson {
    pub fn validate(&self) -> Vec<FieldError> {
        let mut e = Vec::new();
        require(&mut e, "name", &self.name, "Nome");
        require(&mut e, "record", &self.record, "Número do processo / prontuário");
        e
    }
}

#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
pub struct NewDevice {
    #[serde(default)]
    pub id: Option<DeviceId>,
    pub imei: String,
    pub kind: DeviceKind,
    #[serde(default = "default_active")]
    pub state: DeviceState,
    #[serde(default)]
    pub sim1: Option<String>,
    #[serde(default)]
    pub sim2: Option<String>,
    #[serde(default)]
    pub person_id: Option<PersonId>,
    #[serde(default)]
    pub vehicle_id: Option<VehicleId>,
    /// Reporting interval, 15 s to 3 min (III-2.20).
    #[serde(default)]
    pub report_interval_s: Option<u32>,
    /// The device model (`GET /device-models`); none: the default model of its kind.
    #[serde(default)]
    pub model: Option<String>,
}

fn default_active() -> DeviceState {
    DeviceState::Active
}

impl NewDevice {
    pub fn validate(&self) -> Vec<FieldError> {
        let mut e = Vec::new();
        let imei = self.imei.trim();
        if imei.is_empty() {
            e.push(FieldError::new("imei", "Identificador do dispositivo é obrigatório."));
        } else if imei.len() > 64 || !imei.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
        {
            e.push(FieldError::new(
                "imei",
                "Identificador inválido: use até 64 letras, dígitos, '-' ou '_'.",
            ));
        }
        if let Some(s) = self.report_interval_s
            && !(15..=180).contains(&s)
        {
            e.push(FieldError::new(
                "report_interval_s",
                "O intervalo de envio deve ficar entre 15 s e 3 min.",
            ));
        }
        if self.person_id.is_some() && self.vehicle_id.is_some() {
            e.push(FieldError::new(
                "vehicle_id",
                "Um dispositivo não pode estar com uma pessoa e uma viatura ao mesmo tempo.",
            ));
        }
        e
    }
}

#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
pub struct NewZone {
    #[serde(default)]
    pub id: Option<ZoneId>,
    pub name: String,
    pub kind: ZoneKind,
    pub shape: Shape,
    #[serde(default)]
    pub person_id: Option<PersonId>,
    #[serde(default)]
    pub group: Option<String>,
    #[serde(default)]
    pub schedule: Option<crate::schedule::WeeklySchedule>,
    /// Warning buffer around an exclusion zone, metres (III-2.10).
    #[serde(default)]
    pub warning_m: Option<f64>,
}

impl NewZone {
    pub fn validate(&self) -> Vec<FieldError> {
        let mut e = Vec::new();
        require(&mut e, "name", &self.name, "Nome da zona");
        if let Err(err) = self.shape.validate() {
            e.push(FieldError::new(
                "shape",
                &format!("Geometria inválida: {}", crate::text::geom_error(&err)),
            ));
        }
        if self.person_id.is_none() && self.group.as_deref().is_none_or(|g| g.trim().is_empty()) {
            e.push(FieldError::new("person_id", "Informe a pessoa monitorada ou o grupo da zona."));
        }
        if let Some(s) = &self.schedule
            && let Err(err) = s.validate()
        {
            e.push(FieldError::new(
                "schedule",
                &format!("Horário inválido: {}", crate::text::schedule_error(&err)),
            ));
        }
        if let Some(w) = self.warning_m {
            if !w.is_finite() || w <= 0.0 || w > 5_000.0 {
                e.push(FieldError::new(
                    "warning_m",
                    "A zona de advertência deve ter entre 1 e 5.000 metros.",
                ));
            } else if self.kind != ZoneKind::Exclusion {
                e.push(FieldError::new("warning_m", "Só zonas de exclusão têm zona de advertência."));
            }
        }
        e
    }
}

/// Body of `PUT /group-rules/{group}`: the whole rule set of a group (III-2.25).
#[derive(Debug, Clone, Default, Serialize, Deserialize, utoipa::ToSchema)]
pub struct NewGroupRules {
    #[serde(default)]
    pub disabled: Vec<crate::alarm::AlarmKind>,
    #[serde(default)]
    pub signal_timeout_s: Option<u32>,
    #[serde(default)]
    pub zone_dwell_s: Option<u32>,
}

impl NewGroupRules {
    pub fn validate(&self, group: &str) -> Vec<FieldError> {
        let mut e = Vec::new();
        require(&mut e, "group", group, "Nome do grupo");
        for kind in &self.disabled {
            if !kind.optional_per_group() {
                e.push(FieldError::new(
                    "disabled",
                    &format!(
                        "O alarme \"{}\" não pode ser desativado por grupo: ele protege a integridade do \
                         monitoramento ou uma restrição judicial. Só podem ser desativados: {}.",
                        crate::text::alarm_kind(*kind),
                        crate::text::optional_alarm_kinds()
                    ),
                ));
            }
        }
        if self.signal_timeout_s.is_some_and(|t| !(60..=86_400).contains(&t)) {
            e.push(FieldError::new(
                "signal_timeout_s",
                "O prazo de perda de comunicação deve ficar entre 1 minuto e 24 horas (60 a 86.400 s).",
            ));
        }
        if self.zone_dwell_s.is_some_and(|t| t > 600) {
            e.push(FieldError::new(
                "zone_dwell_s",
                "A confirmação de entrada ou saída de zona deve ficar entre 0 e 10 minutos (0 a 600 s).",
            ));
        }
        e
    }
}

/// One row of the audit trail (16.3.2.10).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct AuditEntry {
    pub seq: u64,
    pub at: DateTime<Utc>,
    /// Empty for a login attempt with an unknown user name.
    pub user_id: Option<UserId>,
    pub username: String,
    /// What was done, e.g. `login`, `alarm.claim`, `person.create`.
    pub action: String,
    /// What it was done to (an id or name), empty when nothing in particular.
    pub target: String,
    pub detail: String,
    /// SHA-256 over this row and the previous row's hash.
    pub hash: String,
}

/// Query of `GET /audit`: every filter optional; newest first.
#[derive(Debug, Clone, Default, Serialize, Deserialize, utoipa::IntoParams)]
pub struct AuditQuery {
    pub username: Option<String>,
    pub action: Option<String>,
    pub target: Option<String>,
    pub from: Option<DateTime<Utc>>,
    pub to: Option<DateTime<Utc>>,
    /// At most 5,000; 200 when absent.
    pub limit: Option<u32>,
}

/// Result of verifying the audit chain.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct AuditCheck {
    /// Rows verified before the first broken one (all rows when intact).
    pub entries: u64,
    pub intact: bool,
    /// Sequence number of the first row that does not match the chain.
    pub first_broken: Option<u64>,
}

/// Body of `PUT /procedures/{kind}`: the steps for one alarm kind, for a group or for everyone.
#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
pub struct NewProcedure {
    #[serde(default)]
    pub group: Option<String>,
    pub steps: Vec<String>,
}

impl NewProcedure {
    pub fn validate(&self) -> Vec<FieldError> {
        let mut e = Vec::new();
        if self.steps.is_empty() || self.steps.len() > 30 {
            e.push(FieldError::new("steps", "Informe de 1 a 30 passos."));
        }
        if self.steps.iter().any(|s| s.trim().is_empty() || s.chars().count() > 500) {
            e.push(FieldError::new("steps", "Cada passo deve ter um texto de até 500 caracteres."));
        }
        e
    }
}

/// An operator's action on an alarm.
#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(tag = "action", rename_all = "snake_case")]
pub enum AlarmAction {
    Claim,
    StartProcedure,
    /// Tick step `index` (from 0) of the alarm's procedure.
    CompleteStep {
        index: usize,
    },
    Note {
        text: String,
    },
    Close {
        outcome: Outcome,
        note: String,
    },
    /// Send an e-mail or SMS about the alarm through the outbox (16.2.7, 27.10.9).
    Notify {
        channel: crate::notify::Channel,
        to: String,
        text: String,
    },
    /// Log a phone call the operator made (27.18.2): whom, and what was said.
    PhoneCall {
        to: String,
        note: String,
    },
}

/// Query of `GET /positions`.
#[derive(Debug, Clone, Serialize, Deserialize, utoipa::IntoParams)]
pub struct PositionQuery {
    pub device_id: Option<DeviceId>,
    pub person_id: Option<PersonId>,
    pub from: Option<DateTime<Utc>>,
    pub to: Option<DateTime<Utc>>,
    pub limit: Option<u32>,
}

#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Health {
    pub status: String,
    pub version: String,
    pub seq: u64,
    pub database: String,
}

/// One state change in the append-only log.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct LiveEvent {
    pub seq: u64,
    pub at: DateTime<Utc>,
    pub body: EventBody,
}

// An event is built, serialised and applied once; the occurrence (the largest variant) is the
// most frequent one, so boxing it would only add an allocation to the common case.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(tag = "type", content = "data", rename_all = "snake_case")]
pub enum EventBody {
    Occurrence(Occurrence),
    Vehicle(Vehicle),
    Person(Person),
    Device(Device),
    Zone(Zone),
    Position(Position),
    Alarm(Alarm),
    Command(crate::command::DeviceCommand),
    GroupRules(crate::monitoring::GroupRules),
    Procedure(crate::alarm::Procedure),
    Notification(crate::notify::Notification),
    NotificationRule(crate::notify::NotificationRule),
    Dispatch(crate::samu::Dispatch),
    Message(crate::samu::care::Message),
}

impl EventBody {
    /// What a live-feed subscriber needs to receive this event.
    pub fn read_permission(&self) -> Permission {
        match self {
            EventBody::Occurrence(_) | EventBody::Dispatch(_) | EventBody::Message(_) => {
                Permission::OccurrenceRead
            }
            EventBody::Vehicle(_) => Permission::VehicleRead,
            EventBody::Person(_) => Permission::PersonRead,
            EventBody::Device(_) => Permission::DeviceRead,
            EventBody::Zone(_) => Permission::ZoneRead,
            // Vehicle trackers are fleet data; bracelet fixes are personal data.
            EventBody::Position(p) if p.vehicle_id.is_some() => Permission::VehicleRead,
            EventBody::Position(_) => Permission::PositionRead,
            EventBody::Command(_) => Permission::DeviceRead,
            EventBody::GroupRules(_) => Permission::PersonRead,
            EventBody::Procedure(_) => Permission::AlarmRead,
            EventBody::Notification(_) | EventBody::NotificationRule(_) => Permission::AlarmRead,
            EventBody::Alarm(a) => match a.domain() {
                crate::alarm::Domain::Samu => Permission::OccurrenceRead,
                crate::alarm::Domain::Monitoring => Permission::AlarmRead,
            },
        }
    }

    /// Short kind name for the event log.
    pub fn kind(&self) -> &'static str {
        match self {
            EventBody::Occurrence(_) => "occurrence",
            EventBody::Vehicle(_) => "vehicle",
            EventBody::Person(_) => "person",
            EventBody::Device(_) => "device",
            EventBody::Zone(_) => "zone",
            EventBody::Position(_) => "position",
            EventBody::Alarm(_) => "alarm",
            EventBody::Command(_) => "command",
            EventBody::GroupRules(_) => "group_rules",
            EventBody::Procedure(_) => "procedure",
            EventBody::Notification(_) => "notification",
            EventBody::NotificationRule(_) => "notification_rule",
            EventBody::Dispatch(_) => "dispatch",
            EventBody::Message(_) => "message",
        }
    }
}

/// The current state a console starts from, consistent as of `seq`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Snapshot {
    pub seq: u64,
    /// The server database's identity: a console resumes with `?since=SEQ&instance=…`.
    #[serde(default)]
    pub instance: String,
    pub occurrences: Vec<Occurrence>,
    pub vehicles: Vec<Vehicle>,
    pub persons: Vec<Person>,
    pub devices: Vec<Device>,
    pub zones: Vec<Zone>,
    pub alarms: Vec<Alarm>,
    /// Last known fix of every device the subscriber may see.
    pub positions: Vec<Position>,
    /// Dispatches still holding a vehicle.
    #[serde(default)]
    pub dispatches: Vec<crate::samu::Dispatch>,
}

/// A frame on `/api/v1/live`.
// A frame lives only between the socket and the model it is applied to; boxing its event would
// save nothing measurable.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum LiveMessage {
    /// Full state; sent first, and again whenever the subscriber fell too far behind.
    Snapshot(Snapshot),
    /// One change after the snapshot (or after `since`).
    Event(LiveEvent),
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn phone_validation_accepts_brazilian_numbers() {
        for ok in ["(69) 99999-1234", "6932221234", "+55 31 98888-7777", "5531988887777"] {
            assert!(valid_phone(ok), "{ok}");
        }
        for bad in ["", "1234", "0699999123", "abc", "319888877771234"] {
            assert!(!valid_phone(bad), "{bad}");
        }
    }

    #[test]
    fn a_care_call_needs_address_and_complaint_but_a_prank_does_not() {
        let mut n = NewOccurrence {
            id: None,
            call_type: CallType::Atendimento,
            caller_name: String::new(),
            caller_phone: "31988887777".into(),
            address: String::new(),
            municipality: String::new(),
            location: None,
            description: String::new(),
            extra_phones: Vec::new(),
            victims: Vec::new(),
            call_started_at: None,
            hand_off: true,
        };
        let fields: Vec<_> = n.validate().into_iter().map(|e| e.field).collect();
        assert_eq!(fields, vec!["address", "municipality", "description"]);
        n.call_type = CallType::Trote;
        assert!(n.validate().is_empty());
        // Victims' CPF and CNS are checked when given; extra phones like the caller's (RFS029,
        // RFS186).
        n.victims = vec![
            NewVictim { cpf: "529.982.247-25".into(), cns: "700000000000005".into(), ..NewVictim::default() },
            NewVictim { cpf: "529.982.247-24".into(), cns: "700000000000006".into(), ..NewVictim::default() },
            NewVictim { age_years: Some(140), ..NewVictim::default() },
        ];
        n.extra_phones = vec!["(31) 3277-1234".into(), "1234".into()];
        let fields: Vec<_> = n.validate().into_iter().map(|e| e.field).collect();
        assert_eq!(
            fields,
            vec!["extra_phones[1]", "victims[1].cpf", "victims[1].cns", "victims[2].age_years"]
        );
    }

    #[test]
    fn live_messages_are_tagged_json() {
        let msg = LiveMessage::Snapshot(Snapshot { seq: 7, ..Snapshot::default() });
        let v = serde_json::to_value(&msg).expect("serialise");
        assert_eq!(v["type"], "snapshot");
        assert_eq!(v["seq"], 7);
        let back: LiveMessage = serde_json::from_value(v).expect("deserialise");
        assert_eq!(back, msg);
    }
}

/// Body of `POST /devices/{id}/commands`.
#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
pub struct NewCommand {
    #[serde(default)]
    pub id: Option<crate::ids::CommandId>,
    pub kind: crate::command::CommandKind,
}
