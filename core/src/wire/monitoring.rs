//! Monitoring bodies: people, devices, zones, group rules, device commands.

use super::{FieldError, NAME_MAX, limit, require};
use crate::geom::Shape;
use crate::ids::{DeviceId, PersonId, VehicleId, ZoneId};
use crate::monitoring::{DeviceKind, DeviceState, Regime, ZoneKind};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
pub struct NewPerson {
    #[serde(default)]
    pub id: Option<PersonId>,
    pub name: String,
    pub record: String,
    pub regime: Regime,
    #[serde(default)]
    pub group: Option<String>,
    /// The group by geographic area (III-2.24).
    #[serde(default)]
    pub region: Option<String>,
    #[serde(default)]
    pub responsible: Option<String>,
    /// For a victim: the aggressor (27.16.1).
    #[serde(default)]
    pub linked_person: Option<PersonId>,
    /// Identification and contact (III-2.21, 16.2.16); left out of a correction, the record's
    /// is kept as it is.
    #[serde(default, skip_serializing_if = "Option::is_none", deserialize_with = "super::object")]
    pub personal: Option<crate::monitoring::PersonalData>,
    /// The record's revision the correction was made on (`Person::revision`): when the stored
    /// one is newer, someone else corrected it meanwhile and the correction is refused (409).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub revision: Option<u32>,
}

impl NewPerson {
    pub fn validate(&self) -> Vec<FieldError> {
        let mut e = Vec::new();
        require(&mut e, "name", &self.name, "Nome");
        require(&mut e, "record", &self.record, "Número do processo / prontuário");
        limit(&mut e, "name", &self.name, NAME_MAX, "Nome");
        limit(&mut e, "record", &self.record, 100, "Número do processo / prontuário");
        limit(&mut e, "group", self.group.as_deref().unwrap_or_default(), 100, "Grupo");
        limit(&mut e, "region", self.region.as_deref().unwrap_or_default(), 100, "Região");
        let d = self.personal.as_ref().map(crate::monitoring::PersonalData::normalized).unwrap_or_default();
        if d.cpf.as_deref().is_some_and(|c| !crate::samu::ident::valid_cpf(c)) {
            e.push(FieldError::new("personal.cpf", "CPF inválido: confira os 11 dígitos."));
        }
        limit(&mut e, "personal.rg", d.rg.as_deref().unwrap_or_default(), 30, "RG");
        limit(
            &mut e,
            "personal.mother_name",
            d.mother_name.as_deref().unwrap_or_default(),
            NAME_MAX,
            "Nome da mãe",
        );
        limit(&mut e, "personal.address", d.address.as_deref().unwrap_or_default(), 300, "Endereço");
        limit(&mut e, "personal.phone", d.phone.as_deref().unwrap_or_default(), 40, "Telefone");
        if let Some(born) = d.birth_date
            && (born < chrono::NaiveDate::from_ymd_opt(1900, 1, 1).unwrap_or_default()
                || born > chrono::Utc::now().date_naive())
        {
            e.push(FieldError::new("personal.birth_date", "Data de nascimento fora do possível."));
        }
        limit(
            &mut e,
            "responsible",
            self.responsible.as_deref().unwrap_or_default(),
            NAME_MAX,
            "Responsável",
        );
        e
    }
}

impl NewPerson {
    /// What applying this body to `p` changes, one line per field ("Nome: A → B"), for the
    /// record's history (issue 22 item 1).
    pub fn changes_to(&self, p: &crate::monitoring::Person) -> Vec<String> {
        let opt = |v: &Option<String>| {
            v.as_deref().map(str::trim).filter(|s| !s.is_empty()).unwrap_or("—").to_owned()
        };
        let mut out = Vec::new();
        let mut field = |label: &str, old: String, new: String| {
            if old != new {
                out.push(format!("{label}: {old} → {new}"));
            }
        };
        field("Nome", p.name.clone(), self.name.trim().to_owned());
        field("Processo", p.record.clone(), self.record.trim().to_owned());
        field(
            "Regime",
            crate::text::regime(p.regime).to_owned(),
            crate::text::regime(self.regime).to_owned(),
        );
        field("Grupo", opt(&p.group), opt(&self.group));
        field("Região", opt(&p.region), opt(&self.region));
        let old = p.personal.normalized();
        let new =
            self.personal.as_ref().map_or_else(|| old.clone(), crate::monitoring::PersonalData::normalized);
        field("CPF", opt(&old.cpf), opt(&new.cpf));
        field("RG", opt(&old.rg), opt(&new.rg));
        let day =
            |d: Option<chrono::NaiveDate>| d.map_or("—".to_owned(), |d| d.format("%d/%m/%Y").to_string());
        field("Nascimento", day(old.birth_date), day(new.birth_date));
        field("Nome da mãe", opt(&old.mother_name), opt(&new.mother_name));
        field("Endereço", opt(&old.address), opt(&new.address));
        field("Telefone", opt(&old.phone), opt(&new.phone));
        field("Responsável", opt(&p.responsible), opt(&self.responsible));
        field(
            "Pessoa vinculada",
            p.linked_person.map_or("—".to_owned(), |id| id.to_string()),
            self.linked_person.map_or("—".to_owned(), |id| id.to_string()),
        );
        out
    }

    /// `p` with this body's data (its id and creation time kept).
    pub fn apply_to(&self, p: &mut crate::monitoring::Person) {
        let opt =
            |v: &Option<String>| v.as_deref().map(str::trim).filter(|s| !s.is_empty()).map(str::to_owned);
        p.name = self.name.trim().to_owned();
        p.record = self.record.trim().to_owned();
        p.regime = self.regime;
        p.group = opt(&self.group);
        p.region = opt(&self.region);
        if let Some(personal) = &self.personal {
            p.personal = personal.normalized();
        }
        p.responsible = opt(&self.responsible);
        p.linked_person = self.linked_person;
    }
}

#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
pub struct NewDevice {
    #[serde(default)]
    pub id: Option<DeviceId>,
    #[schema(pattern = r"^\s*[A-Za-z0-9_-]{1,64}\s*$")]
    pub imei: String,
    pub kind: DeviceKind,
    #[serde(default = "default_active")]
    pub state: DeviceState,
    #[serde(default)]
    #[schema(max_length = 32)]
    pub sim1: Option<String>,
    #[serde(default)]
    #[schema(max_length = 32)]
    pub sim2: Option<String>,
    #[serde(default)]
    pub person_id: Option<PersonId>,
    #[serde(default)]
    pub vehicle_id: Option<VehicleId>,
    /// Reporting interval, 15 s to 3 min (III-2.20).
    #[serde(default)]
    #[schema(minimum = 15, maximum = 180)]
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
        if !matches!(self.state, DeviceState::Stock | DeviceState::Active) {
            e.push(FieldError::new("state", "Um dispositivo novo entra em estoque ou ativo."));
        } else if self.state == DeviceState::Stock && (self.person_id.is_some() || self.vehicle_id.is_some())
        {
            e.push(FieldError::new("state", "Um dispositivo em estoque não está com ninguém."));
        }
        limit(&mut e, "sim1", self.sim1.as_deref().unwrap_or_default(), 32, "Chip 1");
        limit(&mut e, "sim2", self.sim2.as_deref().unwrap_or_default(), 32, "Chip 2");
        e
    }
}

/// A step in a device's life (III-2.12): `POST /devices/{id}/state`.
#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
pub struct DeviceChange {
    #[serde(flatten)]
    pub action: crate::monitoring::DeviceAction,
    /// Why (required for everything but activating a device).
    #[serde(default)]
    pub reason: String,
}

impl DeviceChange {
    pub fn validate(&self) -> Vec<FieldError> {
        let mut e = Vec::new();
        if self.action.needs_reason() {
            require(&mut e, "reason", &self.reason, "Motivo");
        }
        limit(&mut e, "reason", &self.reason, 500, "Motivo");
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
        limit(&mut e, "name", &self.name, NAME_MAX, "Nome da zona");
        limit(&mut e, "group", self.group.as_deref().unwrap_or_default(), 100, "Grupo");
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
            // Narrower than GNSS accuracy the warning would only flicker.
            if !(10.0..=5_000.0).contains(&w) {
                e.push(FieldError::new(
                    "warning_m",
                    "A zona de advertência deve ter entre 10 e 5.000 metros.",
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
    #[schema(minimum = 60, maximum = 86400)]
    pub signal_timeout_s: Option<u32>,
    #[serde(default)]
    #[schema(maximum = 600)]
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

/// Body of `POST /devices/{id}/commands`.
#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
pub struct NewCommand {
    #[serde(default)]
    pub id: Option<crate::ids::CommandId>,
    pub kind: crate::command::CommandKind,
}

/// Body of `POST /zones/{id}/state` (III-2.13): suspend, resume or lift a zone, and why.
#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
pub struct ZoneStateChange {
    pub action: crate::monitoring::ZoneAction,
    #[schema(pattern = r"\S", max_length = 500)]
    pub reason: String,
}

impl ZoneStateChange {
    pub fn validate(&self) -> Vec<FieldError> {
        let mut e = Vec::new();
        require(&mut e, "reason", &self.reason, "Motivo");
        if self.reason.trim().chars().count() > 500 {
            e.push(FieldError::new("reason", "O motivo deve ter até 500 caracteres."));
        }
        e
    }
}
