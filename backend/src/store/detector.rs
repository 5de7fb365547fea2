//! The monitoring detectors' state records (`atalaia_core::detect::StateRecord`): saved by the
//! writer job that stored the data they depend on, read back once at start-up.

use super::StoreError;
use atalaia_core::detect::{Part, StateRecord};
use rusqlite::{Connection, params};

/// Save (or delete, for a record without content) each record, inside the caller's transaction.
pub fn save_detector_state(conn: &Connection, records: &[StateRecord]) -> Result<(), StoreError> {
    for r in records {
        match &r.doc {
            Some(doc) => {
                conn.prepare_cached(
                    "INSERT INTO detector_state (part, id, doc) VALUES (?1, ?2, ?3)
                     ON CONFLICT(part, id) DO UPDATE SET doc = excluded.doc",
                )?
                .execute(params![r.part.name(), r.id, doc])?;
            }
            None => {
                conn.prepare_cached("DELETE FROM detector_state WHERE part = ?1 AND id = ?2")?
                    .execute(params![r.part.name(), r.id])?;
            }
        }
    }
    Ok(())
}

/// Every saved record; rows of an unknown part (a newer program's) are skipped.
pub fn detector_state(conn: &Connection) -> Result<Vec<(Part, String, String)>, StoreError> {
    let mut stmt = conn.prepare("SELECT part, id, doc FROM detector_state")?;
    let rows =
        stmt.query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?, r.get::<_, String>(2)?)))?;
    let mut out = Vec::new();
    for row in rows {
        let (part, id, doc) = row?;
        if let Some(part) = Part::from_name(&part) {
            out.push((part, id, doc));
        }
    }
    Ok(out)
}
