//! The crew's seat: the vehicle each crew member's tablet is signed in to (issue 23).

use super::{Store, StoreError};
use atalaia_core::ids::{UserId, VehicleId};
use rusqlite::OptionalExtension;

impl Store {
    /// The vehicle `user` signed in to for the shift, if any.
    pub fn crew_vehicle(conn: &rusqlite::Connection, user: UserId) -> Result<Option<VehicleId>, StoreError> {
        let v: Option<Option<String>> = conn
            .prepare_cached("SELECT vehicle_id FROM users WHERE id = ?1")?
            .query_row([user.to_string()], |r| r.get(0))
            .optional()?;
        Ok(v.flatten().and_then(|s| s.parse().ok()))
    }

    /// Signs `user` in to `vehicle` (`None` signs off).
    pub fn set_crew_vehicle(
        conn: &rusqlite::Connection,
        user: UserId,
        vehicle: Option<VehicleId>,
    ) -> Result<(), StoreError> {
        conn.prepare_cached("UPDATE users SET vehicle_id = ?1 WHERE id = ?2")?
            .execute(rusqlite::params![vehicle.map(|v| v.to_string()), user.to_string()])?;
        Ok(())
    }
}
