//! Documents on a person's record (8.11.1–8.11.4): each file as it was sent, with its
//! description beside it; the list reads the descriptions only.

use super::{Store, StoreError};
use atalaia_core::ids::PersonId;
use atalaia_core::monitoring::documents::DocumentRef;
use rusqlite::{Connection, OptionalExtension, params};

impl Store {
    /// Keeps a document; `None` when this person already has the same file (that one stays).
    pub fn put_document(
        conn: &Connection,
        doc: &DocumentRef,
        data: &[u8],
    ) -> Result<Option<DocumentRef>, StoreError> {
        let existing: Option<String> = conn
            .prepare_cached("SELECT doc FROM person_documents WHERE person_id = ?1 AND sha256 = ?2")?
            .query_row(params![doc.person.to_string(), doc.sha256], |r| r.get(0))
            .optional()?;
        if let Some(json) = existing {
            return Ok(Some(serde_json::from_str(&json)?));
        }
        conn.prepare_cached(
            "INSERT INTO person_documents (id, person_id, sha256, at, doc, data) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        )?
        .execute(params![
            doc.id.to_string(),
            doc.person.to_string(),
            doc.sha256,
            doc.at.to_rfc3339(),
            serde_json::to_string(doc)?,
            data
        ])?;
        Ok(None)
    }

    /// A person's documents, newest first.
    pub fn documents(conn: &Connection, person: PersonId) -> Result<Vec<DocumentRef>, StoreError> {
        let mut stmt = conn.prepare_cached(
            "SELECT doc FROM person_documents WHERE person_id = ?1 ORDER BY at DESC, id DESC",
        )?;
        let rows = stmt.query_map(params![person.to_string()], |r| r.get::<_, String>(0))?;
        let mut out = Vec::new();
        for json in rows {
            out.push(serde_json::from_str(&json?)?);
        }
        Ok(out)
    }

    /// One of a person's documents with its file, if it is theirs.
    pub fn document(
        conn: &Connection,
        person: PersonId,
        id: uuid::Uuid,
    ) -> Result<Option<(DocumentRef, Vec<u8>)>, StoreError> {
        let found: Option<(String, Vec<u8>)> = conn
            .prepare_cached("SELECT doc, data FROM person_documents WHERE id = ?1 AND person_id = ?2")?
            .query_row(params![id.to_string(), person.to_string()], |r| Ok((r.get(0)?, r.get(1)?)))
            .optional()?;
        Ok(match found {
            Some((json, data)) => Some((serde_json::from_str(&json)?, data)),
            None => None,
        })
    }
}
