//! The monitoring detectors' state records (`atalaia_core::detect::StateRecord`): saved by the
//! writer job that stored the data they depend on, read back once at start-up.

use super::StoreError;
use super::db::Db;
use atalaia_core::detect::{Part, StateRecord};

/// Save (or delete, for a record without content) each record, inside the caller's transaction.
pub fn save_detector_state<'a>(db: impl Into<Db<'a>>, records: &[StateRecord]) -> Result<(), StoreError> {
    let db = db.into();
    for r in records {
        match &r.doc {
            Some(doc) => {
                db.execute(
                    "INSERT INTO detector_state (part, id, doc) VALUES (?1, ?2, ?3)
                     ON CONFLICT(part, id) DO UPDATE SET doc = excluded.doc",
                    &[&r.part.name(), &r.id, doc],
                )?;
            }
            None => {
                db.execute(
                    "DELETE FROM detector_state WHERE part = ?1 AND id = ?2",
                    &[&r.part.name(), &r.id],
                )?;
            }
        }
    }
    Ok(())
}

/// Every saved record; rows of an unknown part (a newer program's) are skipped.
pub fn detector_state<'a>(db: impl Into<Db<'a>>) -> Result<Vec<(Part, String, String)>, StoreError> {
    let mut out = Vec::new();
    for mut row in db.into().query("SELECT part, id, doc FROM detector_state", &[])? {
        if let Some(part) = Part::from_name(&row.take::<String>(0)?) {
            out.push((part, row.take(1)?, row.take(2)?));
        }
    }
    Ok(out)
}
