//! Documents on a person's record (8.11.1–8.11.4): each file as it was sent, with its
//! description beside it; the list reads the descriptions only.

use super::db::Db;
use super::{Store, StoreError};
use atalaia_core::ids::PersonId;
use atalaia_core::monitoring::documents::DocumentRef;

impl Store {
    /// Keeps a document; `None` when this person already has the same file (that one stays).
    pub fn put_document<'a>(
        db: impl Into<Db<'a>>,
        doc: &DocumentRef,
        data: &[u8],
    ) -> Result<Option<DocumentRef>, StoreError> {
        let db = db.into();
        let existing = db.query_opt(
            "SELECT doc FROM person_documents WHERE person_id = ?1 AND sha256 = ?2",
            &[&doc.person.to_string(), &doc.sha256],
        )?;
        if let Some(mut row) = existing {
            return Ok(Some(serde_json::from_str(&row.take::<String>(0)?)?));
        }
        db.execute(
            "INSERT INTO person_documents (id, person_id, sha256, at, doc, data) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            &[
                &doc.id.to_string(),
                &doc.person.to_string(),
                &doc.sha256,
                &doc.at.to_rfc3339(),
                &serde_json::to_string(doc)?,
                &data,
            ],
        )?;
        Ok(None)
    }

    /// A person's documents, newest first.
    pub fn documents<'a>(db: impl Into<Db<'a>>, person: PersonId) -> Result<Vec<DocumentRef>, StoreError> {
        let rows = db.into().query(
            "SELECT doc FROM person_documents WHERE person_id = ?1 ORDER BY at DESC, id DESC",
            &[&person.to_string()],
        )?;
        rows.into_iter().map(|mut r| Ok(serde_json::from_str(&r.take::<String>(0)?)?)).collect()
    }

    /// One of a person's documents with its file, if it is theirs.
    pub fn document<'a>(
        db: impl Into<Db<'a>>,
        person: PersonId,
        id: uuid::Uuid,
    ) -> Result<Option<(DocumentRef, Vec<u8>)>, StoreError> {
        let found = db.into().query_opt(
            "SELECT doc, data FROM person_documents WHERE id = ?1 AND person_id = ?2",
            &[&id.to_string(), &person.to_string()],
        )?;
        found.map(|mut r| Ok((serde_json::from_str(&r.take::<String>(0)?)?, r.take(1)?))).transpose()
    }
}
