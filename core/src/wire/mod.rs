//! The wire contract between backend, console and other systems: REST bodies, problem details,
//! and the live feed (snapshot, then events ordered by the global `seq`).

use crate::alarm::{Alarm, Outcome};
use crate::auth::{Permission, Role};
use crate::ids::{DeviceId, PersonId, UserId};
use crate::monitoring::{Device, Person, Position, Zone};
use crate::samu::{Occurrence, Vehicle};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

pub mod de;
mod monitoring;
mod samu;
pub use de::{int64, object};

pub use monitoring::*;
pub use samu::*;

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

/// A colleague's name, for whoever sees their work: who claimed an alarm, who wrote a note
/// (III-2.14). `GET /users/names` gives every user's to any logged-in user.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct UserName {
    pub id: UserId,
    pub display_name: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct UserInfo {
    pub id: UserId,
    pub username: String,
    pub display_name: String,
    /// The kind of seat (the profile's base role).
    pub role: Role,
    /// The user's profile (16.2.14); none: the seeded profile of `role`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub profile: Option<String>,
    /// Exactly what the user may do, from the profile; none (an older server): what `role` may.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub permissions: Option<Vec<crate::auth::Permission>>,
    /// A deactivated user cannot log in; the account is kept for the audit trail (RFS170).
    #[serde(default = "active_by_default")]
    pub active: bool,
    /// The organisational unit the professional belongs to (RFS177): bound to one, they reach
    /// only the monitored people of that region; none: the central, everyone.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unit: Option<String>,
}

/// Body of `PUT /users/{id}/unit`: the professional's organisational unit (RFS177), none for
/// the central; and why.
#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
pub struct UserUnit {
    pub unit: Option<String>,
    #[schema(pattern = r"\S", max_length = 500)]
    pub reason: String,
}

fn active_by_default() -> bool {
    true
}

/// Body of `POST /users/{id}/active`: access given back or taken away, and why (RFS170).
#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
pub struct UserActivation {
    pub active: bool,
    #[schema(pattern = r"\S", max_length = 500)]
    pub reason: String,
}

impl UserInfo {
    /// Whether the user's profile grants `p`.
    pub fn can(&self, p: crate::auth::Permission) -> bool {
        match &self.permissions {
            Some(granted) => granted.contains(&p),
            None => self.role.can(p),
        }
    }
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
    /// The password was set by someone else (an administrator, the first run): it is changed at
    /// this first access before the console opens (16.3.2.3).
    #[serde(default)]
    pub must_change_password: bool,
    /// The site's time zone (IANA name): the console shows every time in it unless its own
    /// configuration names another.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub site_timezone: Option<String>,
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
    #[schema(pattern = r"^\s*[A-Za-z0-9._-]{1,64}\s*$")]
    pub username: String,
    #[schema(pattern = r"\S", max_length = 200)]
    pub display_name: String,
    pub role: Role,
    #[schema(min_length = 8, max_length = 1024)]
    pub password: String,
    /// The organisational unit (RFS177); none: the central.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unit: Option<String>,
}

impl NewUser {
    /// The rules of a new user, for the server and the console's form alike.
    pub fn validate(&self) -> Vec<FieldError> {
        let u = self;
        let mut e = Vec::new();
        let name = u.username.trim();
        if name.is_empty()
            || name.len() > 64
            || !name.chars().all(|c| c.is_ascii_alphanumeric() || ".-_".contains(c))
        {
            e.push(FieldError::new(
                "username",
                "Usuário deve ter de 1 a 64 letras, dígitos, '.', '-' ou '_'.",
            ));
        }
        if u.display_name.trim().is_empty() {
            e.push(FieldError::new("display_name", "Nome de exibição é obrigatório."));
        } else if u.display_name.chars().count() > NAME_MAX {
            e.push(FieldError::new(
                "display_name",
                &format!("Nome de exibição deve ter até {} caracteres.", NAME_MAX),
            ));
        }
        if u.password.chars().count() > 1_024 {
            // argon2 over megabytes of "password" is a way to burn the server's CPU.
            e.push(FieldError::new("password", "A senha deve ter até 1.024 caracteres."));
        }
        if u.password.chars().count() < MIN_PASSWORD_LEN {
            e.push(FieldError::new(
                "password",
                &format!("A senha deve ter ao menos {MIN_PASSWORD_LEN} caracteres."),
            ));
        }
        if let Some(unit) = &u.unit {
            limit(&mut e, "unit", unit, UNIT_MAX, "A unidade");
        }
        e
    }
}

/// The longest name of an organisational unit (RFS177).
pub const UNIT_MAX: usize = 100;

/// Body of `POST /auth/password`: users change their own password at any time (III-2.23).
#[derive(Clone, Serialize, Deserialize, utoipa::ToSchema)]
pub struct PasswordChange {
    pub current_password: String,
    #[schema(min_length = 8)]
    pub new_password: String,
}

/// The shortest password accepted (16.3.2.3).
pub const MIN_PASSWORD_LEN: usize = 8;

impl PasswordChange {
    /// What is wrong with the new password of `username`: too short, the user name, or the
    /// current one again. The server refuses with it; the console checks it before sending.
    pub fn problem(&self, username: &str) -> Option<FieldError> {
        let why = if self.new_password.chars().count() < MIN_PASSWORD_LEN {
            format!("A nova senha deve ter ao menos {MIN_PASSWORD_LEN} caracteres.")
        } else if self.new_password.trim().eq_ignore_ascii_case(username) {
            "A nova senha não pode ser o nome de usuário.".to_owned()
        } else if self.new_password == self.current_password {
            "A nova senha deve ser diferente da atual.".to_owned()
        } else {
            return None;
        };
        Some(FieldError::new("new_password", &why))
    }
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

/// Refuses a text longer than `max` characters (a 1 MB name fills screens, reports and the
/// audit trail; issue 22 item 5).
fn limit(errors: &mut Vec<FieldError>, field: &str, value: &str, max: usize, label: &str) {
    if value.chars().count() > max {
        // 4.000, as numbers are written in Portuguese.
        let digits = max.to_string();
        let mut shown = String::new();
        for (i, c) in digits.chars().enumerate() {
            if i > 0 && (digits.len() - i).is_multiple_of(3) {
                shown.push('.');
            }
            shown.push(c);
        }
        errors.push(FieldError::new(field, &format!("{label} deve ter até {shown} caracteres.")));
    }
}

/// Longest name of a person, a place, a zone.
pub const NAME_MAX: usize = 200;
/// Longest free text (a description, a complaint, a note).
pub const TEXT_MAX: usize = 4_000;

fn require(errors: &mut Vec<FieldError>, field: &str, value: &str, label: &str) {
    if value.trim().is_empty() {
        errors.push(FieldError::new(field, &format!("{label} é obrigatório.")));
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
    /// The caller's IP address (empty for the server's own work and older rows).
    #[serde(default)]
    pub origin: String,
    /// `METHOD /api/v1/path` of the request that did it (empty as above).
    #[serde(default)]
    pub route: String,
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
#[into_params(parameter_in = Query)]
pub struct AuditQuery {
    pub username: Option<String>,
    pub action: Option<String>,
    pub target: Option<String>,
    pub from: Option<DateTime<Utc>>,
    pub to: Option<DateTime<Utc>>,
    /// At most 5,000; 200 when absent.
    #[param(value_type = Option<u64>, maximum = 4294967295_u64)]
    pub limit: Option<u32>,
    /// A kind of action: `person` finds `person.create`, `person.update`, … (RFS174).
    #[serde(default)]
    pub kind: Option<String>,
    /// The caller's IP address, exactly.
    #[serde(default)]
    pub ip: Option<String>,
    /// Part of the route (`/persons`, `PUT`).
    #[serde(default)]
    pub route: Option<String>,
    /// Text anywhere in the user name, action, target or detail, case ignored (RFS173).
    #[serde(default)]
    pub text: Option<String>,
    /// What the professionals of this organisational unit did (RFS177), case ignored.
    #[serde(default)]
    pub unit: Option<String>,
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
        #[schema(maximum = 1000)]
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
    /// A measure an administrator took about the event (16.2.12), in any state.
    Record {
        measure: crate::alarm::Measure,
        text: String,
    },
}

/// Query of `GET /positions`.
#[derive(Debug, Clone, Serialize, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PositionQuery {
    pub device_id: Option<DeviceId>,
    pub person_id: Option<PersonId>,
    pub from: Option<DateTime<Utc>>,
    pub to: Option<DateTime<Utc>>,
    #[param(value_type = Option<u64>, maximum = 4294967295_u64)]
    pub limit: Option<u32>,
}

#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Health {
    pub status: String,
    pub version: String,
    pub seq: u64,
    pub database: String,
    /// Whether this server does its cluster's cluster-wide work (detectors, periodic checks,
    /// outbox): always for a server on SQLite; for one of several on PostgreSQL, the one that
    /// holds the leadership (`docs/OPERATIONS.md`).
    #[serde(default)]
    pub leader: bool,
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
    use crate::samu::CallType;

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

/// Body of `POST /profiles` and `PUT /profiles/{id}` (16.2.14, RFS169-170).
#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
pub struct NewProfile {
    /// Short stable name: lower-case letters, digits and '-' (ignored on PUT: the path names it).
    #[serde(default)]
    #[schema(pattern = r"^\s*[a-z0-9-]{1,40}\s*$")]
    pub id: String,
    #[schema(pattern = r"\S", max_length = 100)]
    pub name: String,
    /// The kind of seat its users work at.
    pub base: Role,
    pub permissions: Vec<crate::auth::Permission>,
}

impl NewProfile {
    pub fn validate(&self) -> Vec<FieldError> {
        let mut e = Vec::new();
        let id = self.id.trim();
        if id.is_empty()
            || id.len() > 40
            || !id.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
        {
            e.push(FieldError::new(
                "id",
                "Identificador do perfil: até 40 letras minúsculas, dígitos ou '-'.",
            ));
        }
        require(&mut e, "name", &self.name, "Nome do perfil");
        limit(&mut e, "name", &self.name, 100, "Nome do perfil");
        e
    }
}

/// Body of `PUT /users/{id}/profile`.
#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
pub struct UserProfile {
    pub profile: String,
}

/// What a profile grants, permission by permission, and who has it (RFS171).
#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
pub struct PermissionReport {
    pub profile: crate::auth::Profile,
    pub permissions: Vec<PermissionLine>,
    /// The users with this profile (on the report of a user: that user).
    pub users: Vec<UserInfo>,
}

#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
pub struct PermissionLine {
    pub permission: crate::auth::Permission,
    pub label: String,
    pub granted: bool,
}
