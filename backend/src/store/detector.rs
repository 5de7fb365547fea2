//! The monitoring detectors' state records (`atalaia_core::detect::StateRecord`): saved by the
//! writer job that stored the data they depend on, read back once at start-up; and the queue of
//! samples a server that does not run the cluster's detectors leaves for the one that does.

use super::StoreError;
use super::db::Db;
use atalaia_core::detect::{Part, Sample, StateRecord};
use atalaia_core::ids::DeviceId;

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

/// Queue samples for the cluster's detectors, inside the caller's transaction (the one that
/// stored the data they come from: both are durable together, or neither).
pub fn queue_samples<'a>(db: impl Into<Db<'a>>, samples: &[Sample]) -> Result<(), StoreError> {
    let db = db.into();
    for s in samples {
        db.execute("INSERT INTO detect_queue (sample) VALUES (?1)", &[&serde_json::to_string(s)?])?;
    }
    Ok(())
}

/// Whether samples are waiting.
pub fn samples_queued<'a>(db: impl Into<Db<'a>>) -> Result<bool, StoreError> {
    Ok(db.into().query_opt("SELECT 1 FROM detect_queue LIMIT 1", &[])?.is_some())
}

/// Take (delete, inside the caller's transaction) up to `limit` queued samples, oldest first:
/// they are gone exactly when what the detectors made of them is committed.
pub fn take_queued<'a>(db: impl Into<Db<'a>>, limit: usize) -> Result<Vec<Sample>, StoreError> {
    let rows = db.into().query(
        "DELETE FROM detect_queue WHERE id IN (SELECT id FROM detect_queue ORDER BY id LIMIT ?1)
         RETURNING id, sample",
        &[&(limit as i64)],
    )?;
    let mut taken = Vec::with_capacity(rows.len());
    for mut row in rows {
        let (id, doc): (i64, String) = (row.take(0)?, row.take(1)?);
        match serde_json::from_str::<Sample>(&doc) {
            Ok(s) => taken.push((id, s)),
            // A row another version wrote and this one cannot read must not stop the queue.
            Err(e) => tracing::error!(id, error = %e, "queued report unreadable; dropped"),
        }
    }
    taken.sort_by_key(|(id, _)| *id);
    Ok(taken.into_iter().map(|(_, s)| s).collect())
}

/// The devices with samples in the queue.
pub fn queued_devices<'a>(db: impl Into<Db<'a>>) -> Result<std::collections::HashSet<DeviceId>, StoreError> {
    let mut devices = std::collections::HashSet::new();
    for mut row in db.into().query("SELECT sample FROM detect_queue", &[])? {
        if let Ok(s) = serde_json::from_str::<Sample>(&row.take::<String>(0)?) {
            devices.insert(s.device_id);
        }
    }
    Ok(devices)
}
