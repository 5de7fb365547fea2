//! Entities kept as JSON documents beside the few columns that are looked up or unique. The
//! document is the wire type itself, so what the API returns is exactly what was stored.

use super::StoreError;
use super::db::{Db, ToValue, Value};
use atalaia_core::alarm::{Alarm, Procedure};
use atalaia_core::command::DeviceCommand;
use atalaia_core::monitoring::{Device, GroupRules, Person, Zone};
use atalaia_core::notify::{Delivery, Notification, NotificationRule};
use atalaia_core::samu::{Dispatch, Occurrence, Vehicle};
use atalaia_core::wire::EventBody;
use serde::Serialize;
use serde::de::DeserializeOwned;

pub trait Entity: Serialize + DeserializeOwned + Clone + Send + 'static {
    const TABLE: &'static str;
    /// Portuguese name for "not found" messages.
    const WHAT: &'static str;
    fn key(&self) -> String;
    /// Extra indexed columns besides `id`, `doc`, `seq`.
    fn columns(&self) -> Vec<(&'static str, Value)> {
        Vec::new()
    }
    fn to_event(&self) -> EventBody;
}

impl Entity for Occurrence {
    const TABLE: &'static str = "occurrences";
    const WHAT: &'static str = "Ocorrência";
    fn key(&self) -> String {
        self.id.to_string()
    }
    fn columns(&self) -> Vec<(&'static str, Value)> {
        let digits: String = self.caller_phone.chars().filter(char::is_ascii_digit).collect();
        vec![
            ("number", Value::Text(self.number.clone())),
            ("caller_phone", Value::Text(digits)),
            ("open", Value::Int(i64::from(self.phase != atalaia_core::samu::OccurrencePhase::Closed))),
        ]
    }
    fn to_event(&self) -> EventBody {
        EventBody::Occurrence(self.clone())
    }
}

impl Entity for Vehicle {
    const TABLE: &'static str = "vehicles";
    const WHAT: &'static str = "Viatura";
    fn key(&self) -> String {
        self.id.to_string()
    }
    fn columns(&self) -> Vec<(&'static str, Value)> {
        vec![("code", Value::Text(self.code.clone()))]
    }
    fn to_event(&self) -> EventBody {
        EventBody::Vehicle(self.clone())
    }
}

impl Entity for Dispatch {
    const TABLE: &'static str = "dispatches";
    const WHAT: &'static str = "Empenho";
    fn key(&self) -> String {
        self.id.to_string()
    }
    fn columns(&self) -> Vec<(&'static str, Value)> {
        vec![
            ("occurrence_id", Value::Text(self.occurrence_id.to_string())),
            ("vehicle_id", Value::Text(self.vehicle_id.to_string())),
            ("active", Value::Int(i64::from(self.active))),
        ]
    }
    fn to_event(&self) -> EventBody {
        EventBody::Dispatch(self.clone())
    }
}

impl Entity for atalaia_core::samu::care::Message {
    const TABLE: &'static str = "messages";
    const WHAT: &'static str = "Mensagem";
    fn key(&self) -> String {
        self.id.to_string()
    }
    fn columns(&self) -> Vec<(&'static str, Value)> {
        vec![("occurrence_id", Value::Text(self.occurrence_id.to_string()))]
    }
    fn to_event(&self) -> EventBody {
        EventBody::Message(self.clone())
    }
}

impl Entity for Person {
    const TABLE: &'static str = "persons";
    const WHAT: &'static str = "Pessoa monitorada";
    fn key(&self) -> String {
        self.id.to_string()
    }
    fn to_event(&self) -> EventBody {
        EventBody::Person(self.clone())
    }
}

impl Entity for Device {
    const TABLE: &'static str = "devices";
    const WHAT: &'static str = "Dispositivo";
    fn key(&self) -> String {
        self.id.to_string()
    }
    fn columns(&self) -> Vec<(&'static str, Value)> {
        vec![("imei", Value::Text(self.imei.clone()))]
    }
    fn to_event(&self) -> EventBody {
        EventBody::Device(self.clone())
    }
}

impl Entity for Zone {
    const TABLE: &'static str = "zones";
    const WHAT: &'static str = "Zona";
    fn key(&self) -> String {
        self.id.to_string()
    }
    fn columns(&self) -> Vec<(&'static str, Value)> {
        vec![("person_id", self.person_id.map_or(Value::Null, |p| Value::Text(p.to_string())))]
    }
    fn to_event(&self) -> EventBody {
        EventBody::Zone(self.clone())
    }
}

/// One procedure per (alarm kind, group).
impl Entity for Procedure {
    const TABLE: &'static str = "procedures";
    const WHAT: &'static str = "Procedimento";
    fn key(&self) -> String {
        Procedure::key(self.kind, self.group.as_deref())
    }
    fn to_event(&self) -> EventBody {
        EventBody::Procedure(self.clone())
    }
}

/// Keyed by the group's name: one rule set per group.
impl Entity for GroupRules {
    const TABLE: &'static str = "group_rules";
    const WHAT: &'static str = "Conjunto de regras do grupo";
    fn key(&self) -> String {
        self.group.clone()
    }
    fn to_event(&self) -> EventBody {
        EventBody::GroupRules(self.clone())
    }
}

impl Entity for DeviceCommand {
    const TABLE: &'static str = "commands";
    const WHAT: &'static str = "Comando";
    fn key(&self) -> String {
        self.id.to_string()
    }
    fn columns(&self) -> Vec<(&'static str, Value)> {
        vec![
            ("device_id", Value::Text(self.device_id.to_string())),
            ("pending", Value::Int(i64::from(self.is_pending()))),
        ]
    }
    fn to_event(&self) -> EventBody {
        EventBody::Command(self.clone())
    }
}

impl Entity for Notification {
    const TABLE: &'static str = "notifications";
    const WHAT: &'static str = "Notificação";
    fn key(&self) -> String {
        self.id.to_string()
    }
    fn columns(&self) -> Vec<(&'static str, Value)> {
        vec![
            ("pending", Value::Int(i64::from(self.state == Delivery::Pending))),
            ("next_attempt", Value::Text(crate::store::ts(self.next_attempt_at))),
            ("alarm_id", self.alarm_id.map_or(Value::Null, |a| Value::Text(a.to_string()))),
            (
                "channel",
                Value::Text(
                    match self.channel {
                        atalaia_core::notify::Channel::Email => "email",
                        atalaia_core::notify::Channel::Sms => "sms",
                    }
                    .into(),
                ),
            ),
        ]
    }
    fn to_event(&self) -> EventBody {
        EventBody::Notification(self.clone())
    }
}

impl Entity for NotificationRule {
    const TABLE: &'static str = "notification_rules";
    const WHAT: &'static str = "Regra de notificação";
    fn key(&self) -> String {
        self.name.clone()
    }
    fn to_event(&self) -> EventBody {
        EventBody::NotificationRule(self.clone())
    }
}

impl Entity for Alarm {
    const TABLE: &'static str = "alarms";
    const WHAT: &'static str = "Alarme";
    fn key(&self) -> String {
        self.id.to_string()
    }
    fn columns(&self) -> Vec<(&'static str, Value)> {
        vec![
            ("active", Value::Int(i64::from(self.is_active()))),
            ("subject", Value::Text(self.subject.id_string())),
        ]
    }
    fn to_event(&self) -> EventBody {
        EventBody::Alarm(self.clone())
    }
}

pub fn upsert<'a, E: Entity>(db: impl Into<Db<'a>>, e: &E, seq: u64) -> Result<(), StoreError> {
    let db = db.into();
    let extra = e.columns();
    let mut names = vec!["id", "doc", "seq"];
    names.extend(extra.iter().map(|(n, _)| *n));
    let placeholders: Vec<String> = (1..=names.len()).map(|i| format!("?{i}")).collect();
    let updates: Vec<String> = names[1..].iter().map(|n| format!("{n} = excluded.{n}")).collect();
    let sql = format!(
        "INSERT INTO {} ({}) VALUES ({}) ON CONFLICT(id) DO UPDATE SET {}",
        E::TABLE,
        names.join(", "),
        placeholders.join(", "),
        updates.join(", ")
    );
    let mut values =
        vec![Value::Text(e.key()), Value::Text(serde_json::to_string(e)?), Value::Int(seq as i64)];
    values.extend(extra.into_iter().map(|(_, v)| v));
    let params: Vec<&dyn ToValue> = values.iter().map(|v| v as &dyn ToValue).collect();
    match db.execute(&sql, &params) {
        Ok(_) => Ok(()),
        Err(e) if e.is_unique_violation() => {
            Err(StoreError::Conflict(format!("{} já existe com este identificador ({e})", E::WHAT)))
        }
        Err(e) => Err(e),
    }
}

pub fn get<'a, E: Entity>(db: impl Into<Db<'a>>, id: &str) -> Result<Option<E>, StoreError> {
    Ok(list::<E>(db, "WHERE id = ?1", &[&id])?.into_iter().next())
}

/// Documents of `E` matching `filter` (a trusted SQL suffix with `?N` parameters), oldest `seq`
/// first.
pub fn list<'a, E: Entity>(
    db: impl Into<Db<'a>>,
    filter: &str,
    params: &[&dyn ToValue],
) -> Result<Vec<E>, StoreError> {
    let sql = format!("SELECT doc FROM {} {filter} ORDER BY seq", E::TABLE);
    let mut out = Vec::new();
    for mut row in db.into().query(&sql, params)? {
        out.push(serde_json::from_str(&row.take::<String>(0)?)?);
    }
    Ok(out)
}
