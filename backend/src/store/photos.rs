//! Photos of monitored people (III-2.21): the files themselves, kept apart from the records so a
//! record stays small on the live feed. Every photo is kept; the person's record names the
//! current one.

use super::{Store, StoreError};
use atalaia_core::ids::PersonId;
use chrono::{DateTime, Utc};
use rusqlite::{Connection, OptionalExtension, params};

impl Store {
    /// Keeps a photo of `person`.
    pub fn put_photo(
        conn: &Connection,
        id: uuid::Uuid,
        person: PersonId,
        content_type: &str,
        data: &[u8],
        at: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        conn.prepare_cached(
            "INSERT INTO person_photos (id, person_id, content_type, data, at) VALUES (?1, ?2, ?3, ?4, ?5)",
        )?
        .execute(params![
            id.to_string(),
            person.to_string(),
            content_type,
            data,
            at.to_rfc3339()
        ])?;
        Ok(())
    }

    /// A photo of `person` (type and bytes), if it is theirs.
    pub fn photo(
        conn: &Connection,
        person: PersonId,
        id: uuid::Uuid,
    ) -> Result<Option<(String, Vec<u8>)>, StoreError> {
        Ok(conn
            .prepare_cached("SELECT content_type, data FROM person_photos WHERE id = ?1 AND person_id = ?2")?
            .query_row(params![id.to_string(), person.to_string()], |r| Ok((r.get(0)?, r.get(1)?)))
            .optional()?)
    }
}
