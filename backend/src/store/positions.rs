//! Position fixes: high volume, so kept in plain columns (device and fix-time indexed) rather than
//! as entity documents. The newest fix of a device is found through the (device, fix_time) index
//! rather than kept in a row of its own.
//!
//! A fix is first appended to `positions_recent` (no index: one sequential write) and moved into
//! the indexed `positions` table in device order about once a second
//! ([`WriteCtx::move_recent_positions`]). Inserting fixes one by one wrote a random page of each
//! index per fix; moved together, each device's index pages are written once per move, so the
//! cost no longer grows with the history once its indexes outgrow memory. Every query reads both
//! tables.

use super::{Store, StoreError, WriteCtx, ts};
use atalaia_core::ids::{DeviceId, PersonId};
use atalaia_core::monitoring::Position;
use atalaia_core::wire::EventBody;
use chrono::{DateTime, Utc};
use rusqlite::{Connection, OptionalExtension, params};

impl WriteCtx<'_> {
    /// Store a fix. Only the device's newest fix may be an event on the live feed, and only when
    /// `live_event` says so (the caller knows what the device sent before): an older fix, or a
    /// replayed one that a newer point of the same batch follows, is history queried through
    /// `/positions`, so 50,000 of them do not flood every console (9.7, 9.37).
    /// Returns the event's `seq`, or 0 for history.
    pub fn record_position(&mut self, p: &Position, live_event: bool) -> Result<u64, StoreError> {
        let doc = serde_json::to_string(p)?;
        let seq = if live_event {
            // The event body is the document inside the wire envelope: serialise once.
            let body = format!(r#"{{"type":"position","data":{doc}}}"#);
            self.emit_serialized(EventBody::Position(p.clone()), &body)?
        } else {
            0
        };
        self.conn
            .prepare_cached(
                "INSERT INTO positions_recent (id, device_id, person_id, fix_time, recv_time, lat, lon, doc, seq)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
            )?
            .execute(params![
                p.id.to_string(),
                p.device_id.to_string(),
                p.person_id.map(|x| x.to_string()),
                ts(p.fix_time),
                ts(p.recv_time),
                p.at.lat,
                p.at.lon,
                doc,
                seq as i64
            ])?;
        Ok(seq)
    }

    /// Move the fixes received since the last move into the indexed table, in device and
    /// fix-time order. Returns how many moved.
    pub fn move_recent_positions(&mut self) -> Result<usize, StoreError> {
        let moved = self
            .conn
            .prepare_cached(
                "INSERT INTO positions (id, device_id, person_id, fix_time, recv_time, lat, lon, doc, seq)
                 SELECT id, device_id, person_id, fix_time, recv_time, lat, lon, doc, seq
                 FROM positions_recent ORDER BY device_id, fix_time, rowid",
            )?
            .execute([])?;
        if moved > 0 {
            super::tracks::archive_recent(self.conn)?;
            self.conn.prepare_cached("DELETE FROM positions_recent")?.execute([])?;
        }
        Ok(moved)
    }
}

impl Store {
    /// Whether this device already has a fix at exactly this time and place: a frame the device
    /// resent because it missed our acknowledgement.
    pub fn has_position(conn: &Connection, p: &Position) -> Result<bool, StoreError> {
        let found: Option<i64> = conn
            .prepare_cached(
                "SELECT 1 FROM positions WHERE device_id = ?1 AND fix_time = ?2 AND lat = ?3 AND lon = ?4
                 UNION ALL
                 SELECT 1 FROM positions_recent WHERE device_id = ?1 AND fix_time = ?2 AND lat = ?3 AND lon = ?4
                 LIMIT 1",
            )?
            .query_row(params![p.device_id.to_string(), ts(p.fix_time), p.at.lat, p.at.lon], |r| r.get(0))
            .optional()?;
        Ok(found.is_some())
    }
}

/// Filter for position history queries.
#[derive(Debug, Clone, Default)]
pub struct PositionFilter {
    pub device: Option<DeviceId>,
    pub person: Option<PersonId>,
    /// Only the fixes of these people (a unit's, RFS177), applied before the limit.
    pub persons: Option<Vec<PersonId>>,
    pub from: Option<DateTime<Utc>>,
    pub to: Option<DateTime<Utc>>,
    pub limit: u32,
}

impl Store {
    /// History in fix-time order. The WHERE clause is built from constant fragments so SQLite
    /// can use the (device, fix_time) or (person, fix_time) index.
    pub fn positions(conn: &Connection, f: &PositionFilter) -> Result<Vec<Position>, StoreError> {
        let mut clauses: Vec<&str> = Vec::new();
        let mut values: Vec<rusqlite::types::Value> = Vec::new();
        let text = |v: String| rusqlite::types::Value::Text(v);
        if let Some(d) = f.device {
            clauses.push("device_id = ?");
            values.push(text(d.to_string()));
        }
        if let Some(p) = f.person {
            clauses.push("person_id = ?");
            values.push(text(p.to_string()));
        }
        if let Some(ps) = &f.persons {
            clauses.push("person_id IN (SELECT value FROM json_each(?))");
            let ids: Vec<String> = ps.iter().map(ToString::to_string).collect();
            values.push(text(serde_json::to_string(&ids)?));
        }
        if let Some(t) = f.from {
            clauses.push("fix_time >= ?");
            values.push(text(ts(t)));
        }
        if let Some(t) = f.to {
            clauses.push("fix_time <= ?");
            values.push(text(ts(t)));
        }
        let filter =
            if clauses.is_empty() { String::new() } else { format!("WHERE {}", clauses.join(" AND ")) };
        // Both tables with the same filter (so the values twice), merged in fix-time order.
        let mut values = [values.clone(), values].concat();
        values.push(rusqlite::types::Value::Integer(i64::from(f.limit)));
        let sql = format!(
            "SELECT doc, fix_time FROM positions {filter}
             UNION ALL SELECT doc, fix_time FROM positions_recent {filter}
             ORDER BY 2 LIMIT ?"
        );
        let mut stmt = conn.prepare_cached(&sql)?;
        let rows = stmt.query_map(rusqlite::params_from_iter(values), |r| r.get::<_, String>(0))?;
        let mut out = Vec::new();
        for row in rows {
            out.push(serde_json::from_str(&row?)?);
        }
        Ok(out)
    }

    /// The person's newest fix at or before `at` (where they were when something happened).
    pub fn person_position_at(
        conn: &Connection,
        person: PersonId,
        at: DateTime<Utc>,
    ) -> Result<Option<Position>, StoreError> {
        let found: Option<String> = conn
            .prepare_cached(
                "SELECT doc FROM (
                    SELECT doc, fix_time FROM (SELECT doc, fix_time FROM positions
                        WHERE person_id = ?1 AND fix_time <= ?2 ORDER BY fix_time DESC LIMIT 1)
                    UNION ALL
                    SELECT doc, fix_time FROM (SELECT doc, fix_time FROM positions_recent
                        WHERE person_id = ?1 AND fix_time <= ?2 ORDER BY fix_time DESC LIMIT 1)
                 ) ORDER BY fix_time DESC LIMIT 1",
            )?
            .query_row(params![person.to_string(), ts(at)], |r| r.get(0))
            .optional()?;
        Ok(found.map(|doc| serde_json::from_str(&doc)).transpose()?)
    }

    /// The newest fix of every device that has one: one index seek per device in the indexed
    /// table, then the fixes not yet moved there. Of fixes with the same time, the one that
    /// arrived last wins (not yet moved, then higher rowid). Sorted by device.
    pub fn last_positions(conn: &Connection) -> Result<Vec<Position>, StoreError> {
        type Newest = (String, i64, i64, String); // fix_time, table (0 moved, 1 recent), rowid, doc
        let mut newest: std::collections::BTreeMap<String, Newest> = std::collections::BTreeMap::new();
        let mut stmt = conn.prepare_cached(
            "SELECT d.id, p.fix_time, 0, p.rowid, p.doc FROM devices d
             JOIN positions p ON p.rowid = (SELECT rowid FROM positions WHERE device_id = d.id
                                            ORDER BY fix_time DESC, rowid DESC LIMIT 1)
             UNION ALL
             SELECT device_id, fix_time, 1, rowid, doc FROM positions_recent",
        )?;
        let rows = stmt
            .query_map([], |r| Ok((r.get::<_, String>(0)?, (r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?))))?;
        for row in rows {
            let (device, candidate): (String, Newest) = row?;
            let wins = newest
                .get(&device)
                .is_none_or(|best| (&candidate.0, candidate.1, candidate.2) > (&best.0, best.1, best.2));
            if wins {
                newest.insert(device, candidate);
            }
        }
        newest.into_values().map(|(_, _, _, doc)| Ok(serde_json::from_str(&doc)?)).collect()
    }
}
