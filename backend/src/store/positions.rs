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

use super::db::{Db, Engine, Value};
use super::{Store, StoreError, WriteCtx, ts};
use atalaia_core::ids::{DeviceId, PersonId};
use atalaia_core::monitoring::Position;
use atalaia_core::wire::EventBody;
use chrono::{DateTime, Datelike, Months, NaiveDate, Utc};
use std::sync::atomic::{AtomicI64, Ordering};

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
        if let Some(c) = self.buffered() {
            c.append_position(p, doc, seq);
            return Ok(seq);
        }
        self.conn.execute(
            "INSERT INTO positions_recent (id, device_id, person_id, fix_time, recv_time, lat, lon, doc, seq)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
            &[
                &p.id.to_string(),
                &p.device_id.to_string(),
                &p.person_id.map(|x| x.to_string()),
                &ts(p.fix_time),
                &ts(p.recv_time),
                &p.at.lat,
                &p.at.lon,
                &doc,
                &(seq as i64),
            ],
        )?;
        Ok(seq)
    }

    /// Move the fixes received since the last move into the indexed table, in device and
    /// fix-time order, inside this job. Returns how many moved. (The server calls
    /// [`Store::move_recent_positions`], which on PostgreSQL moves beside the writer.)
    pub fn move_recent_positions(&mut self) -> Result<usize, StoreError> {
        move_recent(self.conn, self.now)
    }
}

/// The month (as `year * 12 + month0`) up to which partitions were last made by this process.
static PARTITIONED_MONTH: AtomicI64 = AtomicI64::new(i64::MIN);

/// PostgreSQL: the monthly partitions of `positions` from last month to two months ahead, made
/// when missing (checked once per month per process). A month whose fixes already sit in the
/// default partition keeps them there: still found by every query, only not dropped by month.
pub(crate) fn ensure_partitions(db: Db<'_>, now: DateTime<Utc>) -> Result<(), StoreError> {
    let month = i64::from(now.year()) * 12 + i64::from(now.month0());
    if PARTITIONED_MONTH.load(Ordering::Relaxed) == month {
        return Ok(());
    }
    make_partitions(db, now)?;
    PARTITIONED_MONTH.store(month, Ordering::Relaxed);
    Ok(())
}

/// The move itself ([`WriteCtx::move_recent_positions`], [`Store::move_recent_positions`]).
fn move_recent(db: Db<'_>, now: DateTime<Utc>) -> Result<usize, StoreError> {
    if db.engine() == Engine::Postgres {
        ensure_partitions(db, now)?;
    }
    let moved = db.execute(
        "INSERT INTO positions (id, device_id, person_id, fix_time, recv_time, lat, lon, doc, seq)
         SELECT id, device_id, person_id, fix_time, recv_time, lat, lon, doc, seq
         FROM positions_recent ORDER BY device_id, fix_time, rowid",
        &[],
    )?;
    if moved > 0 {
        super::tracks::archive_recent(db)?;
        db.execute("DELETE FROM positions_recent", &[])?;
    }
    Ok(moved as usize)
}

impl Store {
    /// Files the fixes received since the last move into the history (once a second, by the
    /// cluster's leader). SQLite: a job of its one writer. PostgreSQL: a transaction of its own
    /// beside the writer, REPEATABLE READ — it copies, files and deletes exactly the fixes
    /// committed when it began, those appended meanwhile wait for the next move — so the
    /// writer's batches (and the devices waiting on them) never wait for the history's indexes.
    pub async fn move_recent_positions(&self) -> Result<usize, StoreError> {
        if self.engine() == Engine::Sqlite {
            return self.write(|ctx| ctx.move_recent_positions()).await;
        }
        let now = self.now();
        self.read(move |db| {
            db.run("BEGIN ISOLATION LEVEL REPEATABLE READ")?;
            match move_recent(db, now) {
                Ok(n) => db.run("COMMIT").map(|()| n),
                Err(e) => {
                    let _ = db.run("ROLLBACK");
                    Err(e)
                }
            }
        })
        .await
    }
}

/// [`ensure_partitions`] without asking whether this process made them this month: when a store
/// opens (another database may have been opened in the same process).
pub(crate) fn make_partitions(db: Db<'_>, now: DateTime<Utc>) -> Result<(), StoreError> {
    let first = NaiveDate::from_ymd_opt(now.year(), now.month(), 1).unwrap_or_default();
    let from = first.checked_sub_months(Months::new(1)).unwrap_or(first);
    let to = first.checked_add_months(Months::new(2)).unwrap_or(first);
    make_months(db, from, to)
}

/// The monthly partitions of every month from `first`'s to `last`'s (a history moved in,
/// `store::migrate`).
pub(crate) fn make_partitions_between(
    db: Db<'_>,
    first: DateTime<Utc>,
    last: DateTime<Utc>,
) -> Result<(), StoreError> {
    let month = |t: DateTime<Utc>| NaiveDate::from_ymd_opt(t.year(), t.month(), 1).unwrap_or_default();
    make_months(db, month(first), month(last))
}

/// The partitions of the months starting `from` through the one starting `to`.
fn make_months(db: Db<'_>, from: NaiveDate, to: NaiveDate) -> Result<(), StoreError> {
    let mut next = Some(from);
    while let Some(start) = next.filter(|s| *s <= to) {
        next = start.checked_add_months(Months::new(1));
        let Some(end) = next else { break };
        let name = format!("positions_{}", start.format("%Y%m"));
        let exists = db.query_opt("SELECT 1 FROM pg_class WHERE relname = ?1", &[&name])?.is_some();
        if exists {
            continue;
        }
        db.run("SAVEPOINT partition")?;
        let made = db.run(&format!(
            "CREATE TABLE {name} PARTITION OF positions FOR VALUES FROM ('{}') TO ('{}')",
            start.format("%Y-%m-%d"),
            end.format("%Y-%m-%d")
        ));
        match made {
            Ok(()) => db.run("RELEASE partition")?,
            Err(e) => {
                tracing::warn!(partition = %name, error = %e, "position partition not made; fixes stay in the default one");
                db.run("ROLLBACK TO partition")?;
                db.run("RELEASE partition")?;
            }
        }
    }
    Ok(())
}

impl Store {
    /// Whether this device already has a fix at exactly this time and place: a frame the device
    /// resent because it missed our acknowledgement.
    pub fn has_position<'a>(db: impl Into<Db<'a>>, p: &Position) -> Result<bool, StoreError> {
        let found = db.into().query_opt(
            "SELECT 1 FROM positions WHERE device_id = ?1 AND fix_time = ?2 AND lat = ?3 AND lon = ?4
             UNION ALL
             SELECT 1 FROM positions_recent WHERE device_id = ?1 AND fix_time = ?2 AND lat = ?3 AND lon = ?4
             LIMIT 1",
            &[&p.device_id.to_string(), &ts(p.fix_time), &p.at.lat, &p.at.lon],
        )?;
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
    /// History in fix-time order. The WHERE clause is built from constant fragments so the
    /// engine can use the (device, fix_time) or (person, fix_time) index.
    pub fn positions<'a>(db: impl Into<Db<'a>>, f: &PositionFilter) -> Result<Vec<Position>, StoreError> {
        let db = db.into();
        let mut clauses: Vec<String> = Vec::new();
        let mut values: Vec<Value> = Vec::new();
        // Both tables get the same filter, so each value is named by number and passed once.
        let mut param = |v: Value| {
            values.push(v);
            format!("?{}", values.len())
        };
        if let Some(d) = f.device {
            clauses.push(format!("device_id = {}", param(Value::Text(d.to_string()))));
        }
        if let Some(p) = f.person {
            clauses.push(format!("person_id = {}", param(Value::Text(p.to_string()))));
        }
        if let Some(ps) = &f.persons {
            let ids: Vec<String> = ps.iter().map(ToString::to_string).collect();
            let n = param(Value::Text(serde_json::to_string(&ids)?));
            clauses.push(db.in_json_array("person_id", &n));
        }
        if let Some(t) = f.from {
            clauses.push(format!("fix_time >= {}", param(Value::Text(ts(t)))));
        }
        if let Some(t) = f.to {
            clauses.push(format!("fix_time <= {}", param(Value::Text(ts(t)))));
        }
        let limit = param(Value::Int(i64::from(f.limit)));
        let filter =
            if clauses.is_empty() { String::new() } else { format!("WHERE {}", clauses.join(" AND ")) };
        let sql = format!(
            "SELECT doc, fix_time FROM positions {filter}
             UNION ALL SELECT doc, fix_time FROM positions_recent {filter}
             ORDER BY 2 LIMIT {limit}"
        );
        let params: Vec<&dyn super::db::ToValue> = values.iter().map(|v| v as _).collect();
        let mut out = Vec::new();
        for mut row in db.query(&sql, &params)? {
            out.push(serde_json::from_str(&row.take::<String>(0)?)?);
        }
        Ok(out)
    }

    /// The person's newest fix at or before `at` (where they were when something happened).
    pub fn person_position_at<'a>(
        db: impl Into<Db<'a>>,
        person: PersonId,
        at: DateTime<Utc>,
    ) -> Result<Option<Position>, StoreError> {
        let found = db.into().query_opt(
            "SELECT doc FROM (
                SELECT doc, fix_time FROM (SELECT doc, fix_time FROM positions
                    WHERE person_id = ?1 AND fix_time <= ?2 ORDER BY fix_time DESC LIMIT 1) AS moved
                UNION ALL
                SELECT doc, fix_time FROM (SELECT doc, fix_time FROM positions_recent
                    WHERE person_id = ?1 AND fix_time <= ?2 ORDER BY fix_time DESC LIMIT 1) AS recent
             ) AS both_tables ORDER BY fix_time DESC LIMIT 1",
            &[&person.to_string(), &ts(at)],
        )?;
        found.map(|mut r| Ok(serde_json::from_str(&r.take::<String>(0)?)?)).transpose()
    }

    /// The newest fix of every device that has one: one index seek per device in the indexed
    /// table, then the fixes not yet moved there. Of fixes with the same time, the one that
    /// arrived last wins (not yet moved, then higher rowid). Sorted by device.
    pub fn last_positions<'a>(db: impl Into<Db<'a>>) -> Result<Vec<Position>, StoreError> {
        let db = db.into();
        type Newest = (String, i64, i64, String); // fix_time, table (0 moved, 1 recent), rowid, doc
        let mut newest: std::collections::BTreeMap<String, Newest> = std::collections::BTreeMap::new();
        let sql = match db.engine() {
            Engine::Sqlite => {
                "SELECT d.id, p.fix_time, 0, p.rowid, p.doc FROM devices d
                 JOIN positions p ON p.rowid = (SELECT rowid FROM positions WHERE device_id = d.id
                                                ORDER BY fix_time DESC, rowid DESC LIMIT 1)
                 UNION ALL
                 SELECT device_id, fix_time, 1, rowid, doc FROM positions_recent"
            }
            // The partitions' rows have no index by rowid: the newest row itself, per device.
            Engine::Postgres => {
                "SELECT d.id, p.fix_time, 0, p.rowid, p.doc FROM devices d
                 CROSS JOIN LATERAL (SELECT fix_time, rowid, doc FROM positions WHERE device_id = d.id
                                     ORDER BY fix_time DESC, rowid DESC LIMIT 1) AS p
                 UNION ALL
                 SELECT device_id, fix_time, 1, rowid, doc FROM positions_recent"
            }
        };
        for mut row in db.query(sql, &[])? {
            let device: String = row.take(0)?;
            let candidate: Newest = (row.take(1)?, row.take(2)?, row.take(3)?, row.take(4)?);
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
