//! A device's life (III-2.12, seed 003 8b): from stock to a wearer, out again when broken, lost or
//! returned, replaced on its wearer by another one from stock, and finally written off. Every step
//! is kept on the device with who did it, when and why, so the record tells its own story.

use super::{Device, DeviceKind, DeviceState};
use crate::ids::{DeviceId, PersonId};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// What can be done to a device.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(tag = "action", rename_all = "snake_case")]
pub enum DeviceAction {
    /// From stock into use, fitted on `person_id` when given (a vehicle tracker has no wearer).
    Activate {
        #[serde(default)]
        person_id: Option<PersonId>,
    },
    /// Taken off its wearer and back to stock (end of the measure, removal for cleaning).
    Return,
    /// Broken: out of use until repaired.
    Defective,
    /// Lost, stolen or not given back.
    Lost,
    /// Repaired or found: back to stock.
    Restock,
    /// Written off for good.
    Deactivate,
    /// Its wearer gets `by` (a device of the same kind from stock) and this one becomes
    /// `outcome`: defective (the usual case), lost, or stock.
    Replace {
        by: DeviceId,
        #[serde(default = "defective")]
        outcome: DeviceState,
    },
}

fn defective() -> DeviceState {
    DeviceState::Defective
}

impl DeviceAction {
    /// The audit trail's name of the action.
    pub fn audit_action(self) -> &'static str {
        match self {
            DeviceAction::Activate { .. } => "device.activate",
            DeviceAction::Return => "device.return",
            DeviceAction::Defective => "device.defective",
            DeviceAction::Lost => "device.lost",
            DeviceAction::Restock => "device.restock",
            DeviceAction::Deactivate => "device.deactivate",
            DeviceAction::Replace { .. } => "device.replace",
        }
    }

    /// Whether a reason must be given: everything but putting a device into use.
    pub fn needs_reason(self) -> bool {
        !matches!(self, DeviceAction::Activate { .. })
    }
}

/// One step of a device's life, as kept on its record.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct DeviceStep {
    pub at: DateTime<Utc>,
    /// Who did it (user name).
    pub by: String,
    /// The audit trail's name of what was done (`device.activate`, `device.replace`, …).
    pub action: String,
    pub from: DeviceState,
    pub to: DeviceState,
    /// The wearer the device had before the step (set when it was taken off someone).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub removed_from: Option<PersonId>,
    /// The wearer it has after the step.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fitted_on: Option<PersonId>,
    /// The other device of a replacement.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub other: Option<DeviceId>,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub reason: String,
}

/// Who, when and why, for a step.
#[derive(Debug, Clone, Copy)]
pub struct Why<'a> {
    pub by: &'a str,
    pub at: DateTime<Utc>,
    pub reason: &'a str,
}

impl DeviceState {
    /// Portuguese name, as the console shows it.
    pub fn label(self) -> &'static str {
        match self {
            DeviceState::Stock => "Em estoque",
            DeviceState::Active => "Ativo",
            DeviceState::Defective => "Com defeito",
            DeviceState::Lost => "Extraviado",
            DeviceState::Deactivated => "Desativado",
        }
    }
}

impl Device {
    /// Applies `action` to this device alone (the replacement's new device is fitted with
    /// [`Device::fit_as_replacement`]). Refuses, in Portuguese, what the device's state does not
    /// allow; on refusal nothing changed.
    pub fn apply(&mut self, action: DeviceAction, why: Why<'_>) -> Result<(), String> {
        use DeviceState::*;
        let refuse =
            |what: &str| Err(format!("{what}: o dispositivo está {}.", self.state.label().to_lowercase()));
        let (to, fitted_on, other) = match action {
            DeviceAction::Activate { person_id } => {
                if self.state != Stock {
                    return refuse("Só um dispositivo em estoque pode ser ativado");
                }
                if person_id.is_some() && self.kind == DeviceKind::VehicleTracker {
                    return Err("Um rastreador veicular não é vinculado a uma pessoa.".into());
                }
                (Active, person_id, None)
            }
            DeviceAction::Return if self.state != Active => {
                return refuse("Só um dispositivo ativo pode voltar ao estoque");
            }
            DeviceAction::Return => (Stock, None, None),
            DeviceAction::Defective if !matches!(self.state, Stock | Active) => {
                return refuse("Só um dispositivo em estoque ou ativo pode ser dado como com defeito");
            }
            DeviceAction::Defective => (Defective, None, None),
            DeviceAction::Lost if !matches!(self.state, Stock | Active | Defective) => {
                return refuse("Este dispositivo não pode ser dado como extraviado");
            }
            DeviceAction::Lost => (Lost, None, None),
            DeviceAction::Restock if !matches!(self.state, Defective | Lost) => {
                return refuse(
                    "Só um dispositivo com defeito ou extraviado volta ao estoque por reparo ou achado",
                );
            }
            DeviceAction::Restock => (Stock, None, None),
            DeviceAction::Deactivate if self.state == Deactivated => return refuse("Nada a fazer"),
            DeviceAction::Deactivate => (Deactivated, None, None),
            DeviceAction::Replace { by, outcome } => {
                if self.state != Active || self.person_id.is_none() {
                    return Err("Só o dispositivo ativo de uma pessoa pode ser substituído.".into());
                }
                if !matches!(outcome, Defective | Lost | Stock) {
                    return Err(
                        "O dispositivo substituído fica com defeito, extraviado ou em estoque.".into()
                    );
                }
                if by == self.id {
                    return Err("Um dispositivo não substitui a si mesmo.".into());
                }
                (outcome, None, Some(by))
            }
        };
        self.step(action.audit_action(), to, fitted_on, other, why);
        Ok(())
    }

    /// Fits this device (from stock, of the same kind) on the wearer of `old`, which
    /// [`Device::apply`] has just taken off with [`DeviceAction::Replace`].
    pub fn fit_as_replacement(&mut self, old: &Device, wearer: PersonId, why: Why<'_>) -> Result<(), String> {
        if self.state != DeviceState::Stock {
            return Err(format!(
                "O substituto precisa estar em estoque; {} está {}.",
                self.imei,
                self.state.label().to_lowercase()
            ));
        }
        if self.kind != old.kind {
            return Err(format!("O substituto {} é de outro tipo de dispositivo.", self.imei));
        }
        self.step("device.replace", DeviceState::Active, Some(wearer), Some(old.id), why);
        Ok(())
    }

    fn step(
        &mut self,
        action: &str,
        to: DeviceState,
        fitted_on: Option<PersonId>,
        other: Option<DeviceId>,
        why: Why<'_>,
    ) {
        let removed_from = self.person_id.filter(|p| fitted_on != Some(*p));
        self.history.push(DeviceStep {
            at: why.at,
            by: why.by.to_owned(),
            action: action.to_owned(),
            from: self.state,
            to,
            removed_from,
            fitted_on,
            other,
            reason: why.reason.trim().to_owned(),
        });
        self.state = to;
        self.person_id = fitted_on;
        if to != DeviceState::Active {
            // Out of use: no longer any vehicle's tracker either (the vehicle's side is the
            // caller's to clear).
            self.vehicle_id = None;
        }
    }

    /// The steps that fitted this device on `person` or took it off them.
    pub fn steps_of(&self, person: PersonId) -> impl Iterator<Item = &DeviceStep> {
        self.history.iter().filter(move |s| s.fitted_on == Some(person) || s.removed_from == Some(person))
    }
}

/// The device other than `except` that is already active on `person` with the same kind: a
/// person wears one bracelet (or carries one victim unit) at a time.
pub fn active_on<'a>(
    devices: impl IntoIterator<Item = &'a Device>,
    person: PersonId,
    kind: DeviceKind,
    except: DeviceId,
) -> Option<&'a Device> {
    devices.into_iter().find(|d| counts(d, kind, except) && d.person_id == Some(person))
}

/// Everyone [`active_on`] would find a device on, in one pass over the devices.
pub fn wearing<'a>(
    devices: impl IntoIterator<Item = &'a Device>,
    kind: DeviceKind,
    except: DeviceId,
) -> std::collections::HashSet<PersonId> {
    devices.into_iter().filter(|d| counts(d, kind, except)).filter_map(|d| d.person_id).collect()
}

fn counts(d: &Device, kind: DeviceKind, except: DeviceId) -> bool {
    d.id != except && d.kind == kind && d.state == DeviceState::Active
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn bracelet(state: DeviceState) -> Device {
        Device {
            id: DeviceId::new(),
            imei: "860000000000001".into(),
            kind: DeviceKind::AnkleBracelet,
            state,
            sim1: None,
            sim2: None,
            person_id: None,
            vehicle_id: None,
            last_contact: None,
            battery_pct: None,
            model: None,
            report_interval_s: None,
            created_at: Utc.with_ymd_and_hms(2026, 12, 1, 12, 0, 0).single().expect("valid"),
            history: Vec::new(),
        }
    }

    fn why(reason: &str) -> Why<'_> {
        Why { by: "Rafael", at: Utc.with_ymd_and_hms(2026, 12, 6, 9, 0, 0).single().expect("valid"), reason }
    }

    #[test]
    fn iii_2_12_a_bracelet_goes_from_stock_to_a_wearer_and_out_again_with_each_step_kept() {
        let person = PersonId::new();
        let mut d = bracelet(DeviceState::Stock);
        d.apply(DeviceAction::Activate { person_id: Some(person) }, why("")).expect("activated");
        assert_eq!((d.state, d.person_id), (DeviceState::Active, Some(person)));
        d.apply(DeviceAction::Return, why("fim da medida")).expect("returned");
        assert_eq!((d.state, d.person_id), (DeviceState::Stock, None));
        d.apply(DeviceAction::Defective, why("carcaça trincada")).expect("defective");
        d.apply(DeviceAction::Restock, why("reparado")).expect("repaired");
        d.apply(DeviceAction::Lost, why("não devolvido")).expect("lost");
        d.apply(DeviceAction::Deactivate, why("baixa patrimonial")).expect("written off");
        let path: Vec<(DeviceState, DeviceState)> = d.history.iter().map(|s| (s.from, s.to)).collect();
        use DeviceState::*;
        assert_eq!(
            path,
            [
                (Stock, Active),
                (Active, Stock),
                (Stock, Defective),
                (Defective, Stock),
                (Stock, Lost),
                (Lost, Deactivated)
            ]
        );
        assert_eq!(d.history[1].removed_from, Some(person));
        assert_eq!(d.history[1].reason, "fim da medida");
        assert_eq!(d.steps_of(person).count(), 2, "fitted on and taken off");
        let mut tracker = bracelet(DeviceState::Active);
        tracker.kind = DeviceKind::VehicleTracker;
        tracker.vehicle_id = Some(crate::ids::VehicleId::new());
        tracker.apply(DeviceAction::Defective, why("antena quebrada")).expect("defective");
        assert_eq!(tracker.vehicle_id, None, "a tracker out of use is no vehicle's any more");
    }

    #[test]
    fn iii_2_12_what_a_state_does_not_allow_is_refused_and_changes_nothing() {
        let mut d = bracelet(DeviceState::Active);
        let before = d.clone();
        for (action, refusal) in [
            (
                DeviceAction::Activate { person_id: None },
                "Só um dispositivo em estoque pode ser ativado: o dispositivo está ativo.",
            ),
            (
                DeviceAction::Restock,
                "Só um dispositivo com defeito ou extraviado volta ao estoque por reparo ou achado: o dispositivo está ativo.",
            ),
            (
                DeviceAction::Replace { by: DeviceId::new(), outcome: DeviceState::Defective },
                "Só o dispositivo ativo de uma pessoa pode ser substituído.",
            ),
        ] {
            assert_eq!(d.apply(action, why("x")), Err(refusal.into()));
        }
        assert_eq!(d, before);
        let mut gone = bracelet(DeviceState::Deactivated);
        assert!(gone.apply(DeviceAction::Activate { person_id: None }, why("")).is_err());
        assert!(gone.apply(DeviceAction::Deactivate, why("x")).is_err());
        let mut tracker = bracelet(DeviceState::Stock);
        tracker.kind = DeviceKind::VehicleTracker;
        assert!(tracker.apply(DeviceAction::Activate { person_id: Some(PersonId::new()) }, why("")).is_err());
    }

    #[test]
    fn iii_2_12_a_swap_moves_the_wearer_to_the_spare_and_both_records_name_each_other() {
        let person = PersonId::new();
        let mut old = bracelet(DeviceState::Stock);
        old.apply(DeviceAction::Activate { person_id: Some(person) }, why("")).expect("fitted");
        let mut spare = bracelet(DeviceState::Stock);
        spare.imei = "860000000000002".into();
        let mut wrong_kind = bracelet(DeviceState::Stock);
        wrong_kind.kind = DeviceKind::VictimUnit;
        let replace = DeviceAction::Replace { by: spare.id, outcome: DeviceState::Defective };
        old.apply(replace, why("bateria não carrega")).expect("taken off");
        assert!(wrong_kind.fit_as_replacement(&old, person, why("x")).is_err(), "same kind only");
        spare.fit_as_replacement(&old, person, why("bateria não carrega")).expect("fitted");
        assert_eq!((old.state, old.person_id), (DeviceState::Defective, None));
        assert_eq!((spare.state, spare.person_id), (DeviceState::Active, Some(person)));
        assert_eq!(old.history[1].other, Some(spare.id));
        assert_eq!(spare.history[0].other, Some(old.id));
        assert_eq!(old.history[1].removed_from, Some(person));
        assert!(
            spare.fit_as_replacement(&old, person, why("x")).is_err(),
            "an active spare is not fitted again"
        );
    }

    #[test]
    fn iii_2_12_one_active_bracelet_per_person() {
        let person = PersonId::new();
        let mut worn = bracelet(DeviceState::Active);
        worn.person_id = Some(person);
        let mut unit = bracelet(DeviceState::Active);
        unit.kind = DeviceKind::VictimUnit;
        unit.person_id = Some(person);
        let spare = bracelet(DeviceState::Stock);
        let all = [worn.clone(), unit, spare.clone()];
        assert_eq!(active_on(&all, person, DeviceKind::AnkleBracelet, spare.id).map(|d| d.id), Some(worn.id));
        assert_eq!(
            active_on(&all, person, DeviceKind::AnkleBracelet, worn.id),
            None,
            "itself is no conflict"
        );
        assert_eq!(active_on(&all, PersonId::new(), DeviceKind::AnkleBracelet, spare.id), None);
    }
}
