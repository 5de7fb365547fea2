//! Users as the rest of the server needs them (the login and the users' administration keep their
//! own queries in `crate::auth` for now).

use super::db::Db;
use super::{Store, StoreError};
use atalaia_core::ids::UserId;

impl Store {
    /// A user's name as shown to others, if the user exists.
    pub fn user_display_name<'a>(db: impl Into<Db<'a>>, id: UserId) -> Result<Option<String>, StoreError> {
        let row = db.into().query_opt("SELECT display_name FROM users WHERE id = ?1", &[&id.to_string()])?;
        row.map(|mut r| r.take(0)).transpose()
    }
}
