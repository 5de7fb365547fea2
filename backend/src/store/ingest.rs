//! What the device listeners record besides data: refused reports (unknown or inactive
//! identifiers, oversized requests) and, per device, what it sent that the server counted
//! instead of using (frame types, implausible times, inputs its model does not read).

use super::db::Db;
use super::{Store, StoreError, ts};
use chrono::{DateTime, Utc};

/// Refused reports kept; older ones are pruned as new ones arrive.
pub const MAX_REJECTS: i64 = 10_000;

/// One row of the refused-report log.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct IngestReject {
    pub at: String,
    pub protocol: String,
    pub device_key: String,
    pub remote: String,
    pub reason: String,
    /// Refusals from this source folded into the row (rate-limited sources).
    pub count: i64,
}

/// One counter of a device (or of a source that never logged in).
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct IngestCounter {
    pub device_key: String,
    pub protocol: String,
    /// What was counted, e.g. `gt06 0x2A não suportado`.
    pub what: String,
    pub count: i64,
    pub first_at: String,
    pub last_at: String,
    /// The first bytes of the last such frame (hexadecimal), to show a vendor.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sample: Option<String>,
}

/// `text` cut to `max` characters, saying how long it was.
pub fn clip(text: &str, max: usize) -> String {
    let n = text.chars().count();
    if n <= max {
        return text.to_owned();
    }
    let head: String = text.chars().take(max).collect();
    format!("{head}… ({} bytes)", text.len())
}

impl Store {
    /// Record a refused device message (unknown or inactive id, oversized request) for the
    /// operators' ingest log; `count` folds refusals a rate limit held back. Identifiers and
    /// addresses are clipped, and the log is pruned to [`MAX_REJECTS`] rows.
    pub fn log_reject<'a>(
        db: impl Into<Db<'a>>,
        at: DateTime<Utc>,
        protocol: &str,
        key: &str,
        remote: &str,
        reason: &str,
        count: u64,
    ) -> Result<(), StoreError> {
        let db = db.into();
        let row = db.query_opt(
            "INSERT INTO ingest_rejects (at, protocol, device_key, remote, reason, count)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6) RETURNING id",
            &[
                &ts(at),
                &clip(protocol, 16),
                &clip(key, 64),
                &clip(remote, 64),
                &clip(reason, 200),
                &(count as i64),
            ],
        )?;
        let id: i64 = row.ok_or_else(|| StoreError::Column("no id returned".into()))?.get(0)?;
        if id % 100 == 0 {
            db.execute("DELETE FROM ingest_rejects WHERE id <= ?1", &[&(id - MAX_REJECTS)])?;
        }
        Ok(())
    }

    /// The newest refused reports first.
    pub fn rejects<'a>(db: impl Into<Db<'a>>, limit: usize) -> Result<Vec<IngestReject>, StoreError> {
        let rows = db.into().query(
            "SELECT at, protocol, device_key, remote, reason, count FROM ingest_rejects ORDER BY id DESC LIMIT ?1",
            &[&(limit as i64)],
        )?;
        rows.into_iter()
            .map(|mut r| {
                Ok(IngestReject {
                    at: r.take(0)?,
                    protocol: r.take(1)?,
                    device_key: r.take(2)?,
                    remote: r.take(3)?,
                    reason: r.take(4)?,
                    count: r.take(5)?,
                })
            })
            .collect()
    }

    /// Add `n` to a device's counter of `what`.
    pub fn count_unhandled<'a>(
        db: impl Into<Db<'a>>,
        at: DateTime<Utc>,
        device_key: &str,
        protocol: &str,
        what: &str,
        n: u64,
        sample: Option<&str>,
    ) -> Result<(), StoreError> {
        db.into().execute(
            "INSERT INTO ingest_counters (device_key, protocol, what, count, first_at, last_at, sample)
             VALUES (?1, ?2, ?3, ?4, ?5, ?5, ?6)
             ON CONFLICT(device_key, protocol, what) DO UPDATE SET
                count = ingest_counters.count + excluded.count, last_at = excluded.last_at,
                sample = COALESCE(excluded.sample, ingest_counters.sample)",
            &[
                &clip(device_key, 64),
                &protocol,
                &clip(what, 120),
                &(n as i64),
                &ts(at),
                &sample.map(|s| clip(s, 128)),
            ],
        )?;
        Ok(())
    }

    /// Counters, of one device (by its wire identifier) or of all, most recent first.
    pub fn unhandled<'a>(
        db: impl Into<Db<'a>>,
        device_key: Option<&str>,
    ) -> Result<Vec<IngestCounter>, StoreError> {
        let rows = db.into().query(
            "SELECT device_key, protocol, what, count, first_at, last_at, sample FROM ingest_counters
             WHERE CAST(?1 AS TEXT) IS NULL OR device_key = ?1 ORDER BY last_at DESC LIMIT 1000",
            &[&device_key],
        )?;
        rows.into_iter()
            .map(|mut r| {
                Ok(IngestCounter {
                    device_key: r.take(0)?,
                    protocol: r.take(1)?,
                    what: r.take(2)?,
                    count: r.take(3)?,
                    first_at: r.take(4)?,
                    last_at: r.take(5)?,
                    sample: r.take(6)?,
                })
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_text_is_clipped_saying_its_length() {
        assert_eq!(clip("abc", 5), "abc");
        let long = "x".repeat(1_000_000);
        let c = clip(&long, 64);
        assert!(c.len() < 100 && c.ends_with("(1000000 bytes)"), "{c}");
        assert_eq!(clip("ããããã", 2), "ãã… (10 bytes)");
    }
}
