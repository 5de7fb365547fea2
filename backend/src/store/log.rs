//! The event log every console follows (issue 24 item 2): appended inside the writer's
//! transaction, read from a cursor. On SQLite the one writer numbers events as it inserts them;
//! on PostgreSQL several servers append to one log, so the number is taken under a
//! transaction-level advisory lock held until the append's transaction ends: the next appender
//! waits and reads the head the first one committed, so commit order is `seq` order and a reader
//! following `seq > cursor` never skips an event (`pg::log` explains the hazard).

use super::db::{Db, Engine};
use super::{ExportedEvent, Store, StoreError, ts};
use atalaia_core::wire::LiveEvent;
use chrono::{DateTime, Utc};

/// Appends one event; its `seq`. Inside a transaction only (the writer's batch): on PostgreSQL
/// the lock that orders appends lasts until that transaction ends. `locked` says the transaction
/// took it already (the writer does, once per batch, before its first savepoint).
pub(crate) fn append<'a>(
    db: impl Into<Db<'a>>,
    at: DateTime<Utc>,
    kind: &str,
    body: &str,
    locked: bool,
) -> Result<u64, StoreError> {
    let db = db.into();
    let row = match db.engine() {
        Engine::Sqlite => db.query_opt(
            "INSERT INTO events (at, kind, body) VALUES (?1, ?2, ?3) RETURNING seq",
            &[&ts(at), &kind, &body],
        )?,
        Engine::Postgres => {
            if !locked {
                db.execute("SELECT pg_advisory_xact_lock(?1)", &[&super::pg::log::APPEND_LOCK])?;
            }
            db.query_opt(
                "INSERT INTO events (seq, at, kind, body)
                 SELECT COALESCE(MAX(seq), 0) + 1, ?1, ?2, ?3 FROM events RETURNING seq",
                &[&ts(at), &kind, &body],
            )?
        }
    };
    let seq: i64 = row.ok_or_else(|| StoreError::Column("no seq returned".into()))?.get(0)?;
    Ok(seq as u64)
}

impl Store {
    /// Appends an event outside a job (inside a transaction the caller opened): for moving a
    /// central's log between engines and for the conformance suite. Jobs emit through
    /// [`super::WriteCtx::emit`].
    pub fn append_event<'a>(
        db: impl Into<Db<'a>>,
        at: DateTime<Utc>,
        kind: &str,
        body: &str,
    ) -> Result<u64, StoreError> {
        append(db, at, kind, body, false)
    }

    /// Tells the servers listening that the log grew to `head` (PostgreSQL: one `NOTIFY` per
    /// batch, delivered when the batch's transaction commits; nothing to do on SQLite, whose one
    /// server hands its events to its own feed).
    pub fn ring_doorbell<'a>(db: impl Into<Db<'a>>, head: u64) -> Result<(), StoreError> {
        let db = db.into();
        if db.engine() == Engine::Postgres {
            db.execute("SELECT pg_notify(?1, ?2)", &[&super::pg::log::CHANNEL, &head.to_string()])?;
        }
        Ok(())
    }

    /// This database's identity (random, made when it was created).
    pub fn instance<'a>(db: impl Into<Db<'a>>) -> Result<String, StoreError> {
        let row = db.into().query_opt("SELECT value FROM server_meta WHERE name = 'instance'", &[])?;
        row.ok_or_else(|| StoreError::Migration("no instance in server_meta".into()))?.get(0)
    }

    /// Highest `seq` in the log (0 when empty).
    pub fn head_seq<'a>(db: impl Into<Db<'a>>) -> Result<u64, StoreError> {
        let row = db.into().query_opt("SELECT COALESCE(MAX(seq), 0) FROM events", &[])?;
        let seq: i64 = row.map_or(Ok(0), |r| r.get(0))?;
        Ok(seq as u64)
    }

    /// Events after `since`, oldest first, at most `limit`.
    pub fn events_since<'a>(
        db: impl Into<Db<'a>>,
        since: u64,
        limit: usize,
    ) -> Result<Vec<LiveEvent>, StoreError> {
        let rows = db.into().query(
            "SELECT seq, at, body FROM events WHERE seq > ?1 ORDER BY seq LIMIT ?2",
            &[&(since as i64), &(limit as i64)],
        )?;
        let mut out = Vec::with_capacity(rows.len());
        for mut row in rows {
            let (seq, at, body): (i64, String, String) = (row.take(0)?, row.take(1)?, row.take(2)?);
            let at = DateTime::parse_from_rfc3339(&at)
                .map_err(|e| StoreError::Migration(format!("bad timestamp in log: {e}")))?
                .with_timezone(&Utc);
            out.push(LiveEvent { seq: seq as u64, at, body: serde_json::from_str(&body)? });
        }
        Ok(out)
    }

    /// Events of the log after `since`, oldest first, at most `limit`, only of the given kinds
    /// (all when empty): the BI export.
    pub fn events_export<'a>(
        db: impl Into<Db<'a>>,
        since: u64,
        limit: usize,
        kinds: &[String],
    ) -> Result<Vec<ExportedEvent>, StoreError> {
        let db = db.into();
        let sql = format!(
            "SELECT seq, at, kind, body FROM events
             WHERE seq > ?1 AND (?2 = '' OR {}(?2, ',' || kind || ',') > 0)
             ORDER BY seq LIMIT ?3",
            db.position_function()
        );
        let filter = if kinds.is_empty() { String::new() } else { format!(",{},", kinds.join(",")) };
        let rows = db.query(&sql, &[&(since as i64), &filter, &(limit as i64)])?;
        rows.into_iter()
            .map(|mut r| {
                Ok(ExportedEvent {
                    seq: r.take::<i64>(0)? as u64,
                    at: r.take(1)?,
                    kind: r.take(2)?,
                    body: r.take(3)?,
                })
            })
            .collect()
    }
}
