//! The bytes of the crew's attachments (photos, audio, video of a care record), kept apart from
//! the occurrence's document, which lists them (TDC-PROC 8, RFS043).

use super::db::Db;
use super::{Store, StoreError};
use atalaia_core::ids::{AttachmentId, OccurrenceId};

/// An attachment as stored: the occurrence it belongs to, its content type and its bytes.
pub struct StoredAttachment {
    pub occurrence: OccurrenceId,
    pub content_type: String,
    pub data: Vec<u8>,
}

impl Store {
    /// Whether an attachment with this id is stored (on any occurrence).
    pub fn attachment_exists<'a>(db: impl Into<Db<'a>>, id: AttachmentId) -> Result<bool, StoreError> {
        let found = db.into().query_opt("SELECT 1 FROM attachments WHERE id = ?1", &[&id.to_string()])?;
        Ok(found.is_some())
    }

    /// Stores an attachment's bytes.
    pub fn put_attachment<'a>(
        db: impl Into<Db<'a>>,
        id: AttachmentId,
        occurrence: OccurrenceId,
        content_type: &str,
        data: &[u8],
    ) -> Result<(), StoreError> {
        db.into().execute(
            "INSERT INTO attachments (id, occurrence_id, content_type, data) VALUES (?1, ?2, ?3, ?4)",
            &[&id.to_string(), &occurrence.to_string(), &content_type, &data],
        )?;
        Ok(())
    }

    /// An attachment's occurrence, type and bytes.
    pub fn attachment<'a>(
        db: impl Into<Db<'a>>,
        id: AttachmentId,
    ) -> Result<Option<StoredAttachment>, StoreError> {
        let Some(mut row) = db.into().query_opt(
            "SELECT occurrence_id, content_type, data FROM attachments WHERE id = ?1",
            &[&id.to_string()],
        )?
        else {
            return Ok(None);
        };
        let occurrence = row.take::<String>(0)?.parse().map_err(|_| StoreError::NotFound("Anexo"))?;
        Ok(Some(StoredAttachment { occurrence, content_type: row.take(1)?, data: row.take(2)? }))
    }
}
