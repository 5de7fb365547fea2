//! Who is on board (issue 23, RFS064): the crew a tablet declares when it signs in to the shift's
//! vehicle, checked against what each kind of vehicle must carry (Portaria GM/MS 2048/2002 and
//! 1010/2012): a USB leaves with a driver and a nursing professional, a USA with a driver, a nurse
//! and a physician, a VIR with a driver and a physician, a motolância with a nursing professional.

use crate::ids::UserId;
use crate::samu::VehicleKind;
use crate::wire::FieldError;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// The professional category of a crew member.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum CrewRole {
    /// Condutor-socorrista.
    Driver,
    /// Técnico ou auxiliar de enfermagem.
    NursingTechnician,
    Nurse,
    Physician,
}

impl CrewRole {
    pub const ALL: [CrewRole; 4] =
        [CrewRole::Driver, CrewRole::NursingTechnician, CrewRole::Nurse, CrewRole::Physician];

    pub fn label(self) -> &'static str {
        match self {
            CrewRole::Driver => "Condutor",
            CrewRole::NursingTechnician => "Técnico de enfermagem",
            CrewRole::Nurse => "Enfermeiro",
            CrewRole::Physician => "Médico",
        }
    }
}

/// Longest name or registry kept.
pub const NAME_MAX: usize = 120;

/// One professional on board.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct CrewMember {
    pub role: CrewRole,
    pub name: String,
    /// Professional registry (COREN, CRM), when given.
    #[serde(default)]
    pub registry: String,
}

/// The crew of a vehicle since a tablet declared it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct CrewOnBoard {
    pub members: Vec<CrewMember>,
    pub since: DateTime<Utc>,
    pub by: UserId,
    pub by_name: String,
}

/// What the crew of `kind` is missing or has wrong, in Portuguese (none when it may leave).
pub fn check(kind: VehicleKind, members: &[CrewMember]) -> Vec<FieldError> {
    let mut e = Vec::new();
    for (i, m) in members.iter().enumerate() {
        let name = m.name.trim();
        if name.is_empty() {
            e.push(FieldError::new(&format!("crew[{i}].name"), "Informe o nome do profissional."));
        } else if name.chars().count() > NAME_MAX || m.registry.chars().count() > NAME_MAX {
            e.push(FieldError::new(&format!("crew[{i}].name"), "Nome ou registro longo demais."));
        } else if members[..i].iter().any(|o| o.name.trim().eq_ignore_ascii_case(name)) {
            e.push(FieldError::new(
                &format!("crew[{i}].name"),
                &format!("{name} está duas vezes na equipe."),
            ));
        }
    }
    if members.len() > 6 {
        e.push(FieldError::new("crew", "No máximo seis profissionais por viatura."));
    }
    let has = |r: CrewRole| members.iter().any(|m| m.role == r);
    let nursing = has(CrewRole::NursingTechnician) || has(CrewRole::Nurse);
    let (needed, vehicle): (Vec<(bool, &str)>, &str) = match kind {
        VehicleKind::Usb => {
            (vec![(has(CrewRole::Driver), "condutor"), (nursing, "técnico ou enfermeiro")], "A USB")
        }
        VehicleKind::Usa => (
            vec![
                (has(CrewRole::Driver), "condutor"),
                (has(CrewRole::Nurse), "enfermeiro"),
                (has(CrewRole::Physician), "médico"),
            ],
            "A USA",
        ),
        VehicleKind::Vir => {
            (vec![(has(CrewRole::Driver), "condutor"), (has(CrewRole::Physician), "médico")], "A VIR")
        }
        VehicleKind::Motolancia => (vec![(nursing, "técnico ou enfermeiro")], "A motolância"),
    };
    let missing: Vec<&str> = needed.iter().filter(|(ok, _)| !ok).map(|(_, what)| *what).collect();
    if !missing.is_empty() {
        let all: Vec<&str> = needed.iter().map(|(_, what)| *what).collect();
        e.push(FieldError::new(
            "crew",
            &format!("{vehicle} sai com {}: falta {}.", join(&all), join(&missing)),
        ));
    }
    e
}

/// "a, b e c".
fn join(items: &[&str]) -> String {
    match items {
        [] => String::new(),
        [one] => (*one).to_owned(),
        [init @ .., last] => format!("{} e {last}", init.join(", ")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn crew(roles: &[(CrewRole, &str)]) -> Vec<CrewMember> {
        roles
            .iter()
            .map(|(role, name)| CrewMember { role: *role, name: (*name).into(), registry: String::new() })
            .collect()
    }

    #[test]
    fn rfs064_each_kind_of_vehicle_leaves_with_the_crew_it_must_carry() {
        use CrewRole::*;
        let usa = crew(&[(Driver, "Paulo"), (Nurse, "Rita"), (Physician, "Dra. Lúcia")]);
        assert!(check(VehicleKind::Usa, &usa).is_empty());
        let e = check(VehicleKind::Usa, &usa[..2]);
        assert_eq!(e[0].message, "A USA sai com condutor, enfermeiro e médico: falta médico.");
        let usb = crew(&[(Driver, "Paulo"), (NursingTechnician, "Rita")]);
        assert!(check(VehicleKind::Usb, &usb).is_empty());
        assert!(check(VehicleKind::Usb, &crew(&[(Driver, "Paulo"), (Nurse, "Rita")])).is_empty());
        let e = check(VehicleKind::Usb, &[]);
        assert_eq!(
            e[0].message,
            "A USB sai com condutor e técnico ou enfermeiro: falta condutor e técnico ou enfermeiro."
        );
        assert!(check(VehicleKind::Motolancia, &crew(&[(NursingTechnician, "Ana")])).is_empty());
        assert_eq!(
            check(VehicleKind::Vir, &crew(&[(Physician, "Dr. Hugo")]))[0].message,
            "A VIR sai com condutor e médico: falta condutor."
        );
    }

    #[test]
    fn rfs064_names_are_required_once_each() {
        use CrewRole::*;
        let e =
            check(VehicleKind::Usb, &crew(&[(Driver, " "), (NursingTechnician, "Rita"), (Nurse, "rita")]));
        let fields: Vec<&str> = e.iter().map(|x| x.field.as_str()).collect();
        assert_eq!(fields, ["crew[0].name", "crew[2].name"]);
        assert_eq!(e[1].message, "rita está duas vezes na equipe.");
    }
}
