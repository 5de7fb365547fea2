//! Users as the rest of the server needs them (the login and the users' administration keep their
//! own queries in `crate::auth` for now).

use super::{Store, StoreError};
use atalaia_core::ids::UserId;
use rusqlite::OptionalExtension;

impl Store {
    /// A user's name as shown to others, if the user exists.
    pub fn user_display_name(conn: &rusqlite::Connection, id: UserId) -> Result<Option<String>, StoreError> {
        Ok(conn
            .prepare_cached("SELECT display_name FROM users WHERE id = ?1")?
            .query_row([id.to_string()], |r| r.get(0))
            .optional()?)
    }
}
