//! Photos of monitored people (III-2.21): the files themselves, kept apart from the records so a
//! record stays small on the live feed. Every photo is kept; the person's record names the
//! current one.

use super::db::Db;
use super::{Store, StoreError};
use atalaia_core::ids::PersonId;
use chrono::{DateTime, Utc};

impl Store {
    /// Keeps a photo of `person`.
    pub fn put_photo<'a>(
        db: impl Into<Db<'a>>,
        id: uuid::Uuid,
        person: PersonId,
        content_type: &str,
        data: &[u8],
        at: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        db.into().execute(
            "INSERT INTO person_photos (id, person_id, content_type, data, at) VALUES (?1, ?2, ?3, ?4, ?5)",
            &[&id.to_string(), &person.to_string(), &content_type, &data, &at.to_rfc3339()],
        )?;
        Ok(())
    }

    /// A photo of `person` (type and bytes), if it is theirs.
    pub fn photo<'a>(
        db: impl Into<Db<'a>>,
        person: PersonId,
        id: uuid::Uuid,
    ) -> Result<Option<(String, Vec<u8>)>, StoreError> {
        let found = db.into().query_opt(
            "SELECT content_type, data FROM person_photos WHERE id = ?1 AND person_id = ?2",
            &[&id.to_string(), &person.to_string()],
        )?;
        found.map(|mut r| Ok((r.take(0)?, r.take(1)?))).transpose()
    }
}
