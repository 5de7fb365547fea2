//! The bytes of the crew's attachments (photos, audio, video of a care record), kept apart from
//! the occurrence's document, which lists them (TDC-PROC 8, RFS043).

use super::{Store, StoreError};
use atalaia_core::ids::{AttachmentId, OccurrenceId};
use rusqlite::OptionalExtension;

/// An attachment as stored: the occurrence it belongs to, its content type and its bytes.
pub struct StoredAttachment {
    pub occurrence: OccurrenceId,
    pub content_type: String,
    pub data: Vec<u8>,
}

impl Store {
    /// Whether an attachment with this id is stored (on any occurrence).
    pub fn attachment_exists(conn: &rusqlite::Connection, id: AttachmentId) -> Result<bool, StoreError> {
        let found: Option<String> = conn
            .prepare_cached("SELECT occurrence_id FROM attachments WHERE id = ?1")?
            .query_row([id.to_string()], |r| r.get(0))
            .optional()?;
        Ok(found.is_some())
    }

    /// Stores an attachment's bytes.
    pub fn put_attachment(
        conn: &rusqlite::Connection,
        id: AttachmentId,
        occurrence: OccurrenceId,
        content_type: &str,
        data: &[u8],
    ) -> Result<(), StoreError> {
        conn.prepare_cached(
            "INSERT INTO attachments (id, occurrence_id, content_type, data) VALUES (?1, ?2, ?3, ?4)",
        )?
        .execute(rusqlite::params![id.to_string(), occurrence.to_string(), content_type, data])?;
        Ok(())
    }

    /// An attachment's occurrence, type and bytes.
    pub fn attachment(
        conn: &rusqlite::Connection,
        id: AttachmentId,
    ) -> Result<Option<StoredAttachment>, StoreError> {
        let found: Option<(String, String, Vec<u8>)> = conn
            .prepare_cached("SELECT occurrence_id, content_type, data FROM attachments WHERE id = ?1")?
            .query_row([id.to_string()], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
            .optional()?;
        let Some((occurrence, content_type, data)) = found else { return Ok(None) };
        let occurrence = occurrence.parse().map_err(|_| StoreError::NotFound("Anexo"))?;
        Ok(Some(StoredAttachment { occurrence, content_type, data }))
    }
}
