//! The crew's seat: the vehicle each crew member's tablet is signed in to (issue 23).

use super::db::Db;
use super::{Store, StoreError};
use atalaia_core::ids::{UserId, VehicleId};

impl Store {
    /// The vehicle `user` signed in to for the shift, if any.
    pub fn crew_vehicle<'a>(db: impl Into<Db<'a>>, user: UserId) -> Result<Option<VehicleId>, StoreError> {
        let row = db.into().query_opt("SELECT vehicle_id FROM users WHERE id = ?1", &[&user.to_string()])?;
        let v: Option<String> = match row {
            Some(mut r) => r.take(0)?,
            None => None,
        };
        Ok(v.and_then(|s| s.parse().ok()))
    }

    /// Signs `user` in to `vehicle` (`None` signs off).
    pub fn set_crew_vehicle<'a>(
        db: impl Into<Db<'a>>,
        user: UserId,
        vehicle: Option<VehicleId>,
    ) -> Result<(), StoreError> {
        db.into().execute(
            "UPDATE users SET vehicle_id = ?1 WHERE id = ?2",
            &[&vehicle.map(|v| v.to_string()), &user.to_string()],
        )?;
        Ok(())
    }
}
