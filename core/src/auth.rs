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
}

impl Role {
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
                mon_read || matches!(p, AlarmHandle | PersonWrite | DeviceWrite | ZoneWrite)
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
    fn only_admin_manages_users() {
        for role in Role::ALL {
            assert_eq!(role.can(Permission::UserAdmin), role == Role::Admin, "{role:?}");
        }
    }
}
