//! Roles and permissions. Every backend route declares one [`Permission`]; the console uses the
//! same table to decide which panes and actions a user sees.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// Call taker (TARM / teledigifonista).
    Tarm,
    /// Medical regulator (primary or secondary).
    Regulator,
    /// Fleet controller / radio operator.
    FleetController,
    Supervisor,
    MonitoringOperator,
    MonitoringAdmin,
    /// Ambulance crew on a tablet.
    Crew,
    Admin,
    Auditor,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Permission {
    OccurrenceRead,
    OccurrenceCreate,
    OccurrenceRegulate,
    /// Commit vehicles to occurrences ("empenho", RFS054) and release them.
    OccurrenceDispatch,
    /// The ambulance crew's actions on its own dispatches: receipt, status, care record (RFS015).
    CrewAct,
    VehicleRead,
    VehicleWrite,
    PersonRead,
    PersonWrite,
    DeviceRead,
    DeviceWrite,
    ZoneRead,
    ZoneWrite,
    PositionRead,
    AlarmRead,
    AlarmHandle,
    UserAdmin,
    AuditRead,
    /// Alarm procedures, notification and escalation rules, group rules (III-2.11, III-2.25).
    ManageRules,
}

impl Permission {
    /// Every permission, in the order a profile's report lists them.
    pub const ALL: [Permission; 19] = [
        Permission::OccurrenceRead,
        Permission::OccurrenceCreate,
        Permission::OccurrenceRegulate,
        Permission::OccurrenceDispatch,
        Permission::CrewAct,
        Permission::VehicleRead,
        Permission::VehicleWrite,
        Permission::PersonRead,
        Permission::PersonWrite,
        Permission::DeviceRead,
        Permission::DeviceWrite,
        Permission::ZoneRead,
        Permission::ZoneWrite,
        Permission::PositionRead,
        Permission::AlarmRead,
        Permission::AlarmHandle,
        Permission::UserAdmin,
        Permission::AuditRead,
        Permission::ManageRules,
    ];

    /// What it allows, in Portuguese (the permission report, RFS171).
    pub fn label(self) -> &'static str {
        match self {
            Permission::OccurrenceRead => "Consultar ocorrências",
            Permission::OccurrenceCreate => "Registrar chamados",
            Permission::OccurrenceRegulate => "Regular ocorrências",
            Permission::OccurrenceDispatch => "Empenhar e liberar viaturas",
            Permission::CrewAct => "Atuar como equipe de viatura",
            Permission::VehicleRead => "Consultar viaturas",
            Permission::VehicleWrite => "Cadastrar e alterar viaturas",
            Permission::PersonRead => "Consultar pessoas monitoradas",
            Permission::PersonWrite => "Cadastrar e alterar pessoas monitoradas",
            Permission::DeviceRead => "Consultar dispositivos",
            Permission::DeviceWrite => "Cadastrar e alterar dispositivos",
            Permission::ZoneRead => "Consultar zonas",
            Permission::ZoneWrite => "Cadastrar e alterar zonas",
            Permission::PositionRead => "Consultar histórico de posições",
            Permission::AlarmRead => "Consultar alarmes",
            Permission::AlarmHandle => "Tratar alarmes",
            Permission::UserAdmin => "Administrar usuários e perfis",
            Permission::AuditRead => "Consultar a auditoria",
            Permission::ManageRules => "Alterar procedimentos e regras de notificação",
        }
    }
}

/// A set of permissions an administrator defines and gives to users (16.2.14, RFS169–171). The
/// nine roles are seeded as profiles of the same name; `base` is the kind of seat the profile's
/// users work at (what the console shows first, which alarms reach them, whether they act as a
/// vehicle's crew), the permissions are exactly what they may do.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Profile {
    /// Short stable name (`consulta-cadastros`); a seeded profile has its role's stored name.
    pub id: String,
    pub name: String,
    pub base: Role,
    pub permissions: Vec<Permission>,
    /// Seeded from a role: kept as shipped (copy it to change it).
    #[serde(default)]
    pub builtin: bool,
}

impl Profile {
    /// The profile a role is seeded as.
    pub fn seeded(role: Role) -> Self {
        Self {
            id: role.key().to_owned(),
            name: crate::text::role(role).to_owned(),
            base: role,
            permissions: Permission::ALL.into_iter().filter(|p| role.can(*p)).collect(),
            builtin: true,
        }
    }

    pub fn can(&self, p: Permission) -> bool {
        self.permissions.contains(&p)
    }

    /// The permissions in [`Permission::ALL`]'s order, each once.
    pub fn normalise(&mut self) {
        let chosen = std::mem::take(&mut self.permissions);
        self.permissions = Permission::ALL.into_iter().filter(|p| chosen.contains(p)).collect();
    }
}

impl Role {
    /// The name a role is stored under (and its seeded profile's id).
    pub fn key(self) -> &'static str {
        match self {
            Role::Tarm => "tarm",
            Role::Regulator => "regulator",
            Role::FleetController => "fleet_controller",
            Role::Supervisor => "supervisor",
            Role::MonitoringOperator => "monitoring_operator",
            Role::MonitoringAdmin => "monitoring_admin",
            Role::Crew => "crew",
            Role::Admin => "admin",
            Role::Auditor => "auditor",
        }
    }

    pub const ALL: [Role; 9] = [
        Role::Tarm,
        Role::Regulator,
        Role::FleetController,
        Role::Supervisor,
        Role::MonitoringOperator,
        Role::MonitoringAdmin,
        Role::Crew,
        Role::Admin,
        Role::Auditor,
    ];

    pub fn can(self, p: Permission) -> bool {
        use Permission::*;
        let samu_read = matches!(p, OccurrenceRead | VehicleRead);
        let mon_read = matches!(p, PersonRead | DeviceRead | ZoneRead | PositionRead | AlarmRead);
        match self {
            Role::Admin => true,
            Role::Tarm => samu_read || p == OccurrenceCreate,
            // Regulators handle the SAMU alerts addressed to them (RFS011, RFS012).
            Role::Regulator => samu_read || matches!(p, OccurrenceCreate | OccurrenceRegulate | AlarmHandle),
            // The fleet controller handles the vehicle alerts (RFS009, RFS010): SAMU alarms only,
            // as monitoring alarms are not visible to it.
            Role::FleetController => {
                samu_read || matches!(p, VehicleWrite | OccurrenceDispatch | AlarmHandle)
            }
            Role::Crew => samu_read || p == CrewAct,
            Role::Supervisor => samu_read || mon_read || p == AlarmHandle,
            Role::MonitoringOperator => mon_read || p == AlarmHandle,
            Role::MonitoringAdmin => {
                mon_read
                    || matches!(
                        p,
                        AlarmHandle | PersonWrite | DeviceWrite | ZoneWrite | ManageRules | AuditRead
                    )
            }
            Role::Auditor => p == AuditRead || samu_read || mon_read,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tarm_registers_calls_but_not_zones() {
        assert!(Role::Tarm.can(Permission::OccurrenceCreate));
        assert!(!Role::Tarm.can(Permission::ZoneWrite));
        assert!(!Role::Tarm.can(Permission::PersonRead));
    }

    #[test]
    fn monitoring_operator_handles_alarms_but_not_calls() {
        assert!(Role::MonitoringOperator.can(Permission::AlarmHandle));
        assert!(!Role::MonitoringOperator.can(Permission::OccurrenceCreate));
        assert!(!Role::MonitoringOperator.can(Permission::ZoneWrite));
    }

    #[test]
    fn rfs169_every_role_is_seeded_as_a_profile_granting_exactly_what_the_role_could() {
        for role in Role::ALL {
            let profile = Profile::seeded(role);
            assert_eq!(profile.id, serde_json::to_value(role).expect("json"), "stored name");
            for p in Permission::ALL {
                assert_eq!(profile.can(p), role.can(p), "{role:?} {p:?}");
            }
        }
        let mut custom = Profile {
            id: "consulta".into(),
            name: "Consulta".into(),
            base: Role::MonitoringOperator,
            permissions: vec![Permission::DeviceRead, Permission::PersonRead, Permission::DeviceRead],
            builtin: false,
        };
        custom.normalise();
        assert_eq!(custom.permissions, [Permission::PersonRead, Permission::DeviceRead]);
    }

    #[test]
    fn permission_all_lists_every_permission_once() {
        let all: std::collections::HashSet<Permission> = Permission::ALL.into_iter().collect();
        assert_eq!(all.len(), Permission::ALL.len());
        // A new permission fails to compile here until it is listed.
        for p in Permission::ALL {
            match p {
                Permission::OccurrenceRead
                | Permission::OccurrenceCreate
                | Permission::OccurrenceRegulate
                | Permission::OccurrenceDispatch
                | Permission::CrewAct
                | Permission::VehicleRead
                | Permission::VehicleWrite
                | Permission::PersonRead
                | Permission::PersonWrite
                | Permission::DeviceRead
                | Permission::DeviceWrite
                | Permission::ZoneRead
                | Permission::ZoneWrite
                | Permission::PositionRead
                | Permission::AlarmRead
                | Permission::AlarmHandle
                | Permission::UserAdmin
                | Permission::AuditRead
                | Permission::ManageRules => {}
            }
        }
    }

    #[test]
    fn only_admin_manages_users() {
        for role in Role::ALL {
            assert_eq!(role.can(Permission::UserAdmin), role == Role::Admin, "{role:?}");
        }
    }
}
