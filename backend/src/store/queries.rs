//! Questions about alarms and notifications that look inside their documents (escalation, the
//! outbox, reports), in each engine's words for reading JSON and comparing times.

use super::db::{Db, Engine};
use super::{Store, StoreError, entities, ts};
use chrono::{DateTime, Utc};

impl Store {
    /// Unclaimed active alarms not escalated yet and raised before about `before` (a [`ts`]
    /// timestamp; the engines compare at millisecond precision, so the caller checks exactly).
    pub fn unescalated_alarms_raised_before<'a>(
        db: impl Into<Db<'a>>,
        before: &str,
    ) -> Result<Vec<atalaia_core::alarm::Alarm>, StoreError> {
        let db = db.into();
        let filter = match db.engine() {
            Engine::Sqlite => {
                "WHERE active = 1 AND json_extract(doc, '$.state.state') = 'open'
                   AND json_extract(doc, '$.escalated_at') IS NULL
                   AND julianday(json_extract(doc, '$.raised_at')) <= julianday(?1)"
            }
            Engine::Postgres => {
                "WHERE active = 1 AND (doc::jsonb #>> '{state,state}') = 'open'
                   AND (doc::jsonb ->> 'escalated_at') IS NULL
                   AND (doc::jsonb ->> 'raised_at')::timestamptz <= CAST(CAST(?1 AS TEXT) AS timestamptz)"
            }
        };
        entities::list(db, filter, &[&before])
    }

    /// Alarms raised about between two [`ts`] timestamps (the engines compare at millisecond
    /// precision, so the caller checks exactly).
    pub fn alarms_raised_between<'a>(
        db: impl Into<Db<'a>>,
        from: &str,
        to: &str,
    ) -> Result<Vec<atalaia_core::alarm::Alarm>, StoreError> {
        let db = db.into();
        let filter = match db.engine() {
            Engine::Sqlite => {
                "WHERE julianday(json_extract(doc, '$.raised_at'))
                   BETWEEN julianday(?1) - 0.00002 AND julianday(?2) + 0.00002"
            }
            Engine::Postgres => {
                "WHERE (doc::jsonb ->> 'raised_at')::timestamptz
                   BETWEEN CAST(CAST(?1 AS TEXT) AS timestamptz) - interval '2 seconds'
                       AND CAST(CAST(?2 AS TEXT) AS timestamptz) + interval '2 seconds'"
            }
        };
        entities::list(db, filter, &[&from, &to])
    }

    /// Notifications newest first, all or those about one alarm.
    pub fn notifications<'a>(
        db: impl Into<Db<'a>>,
        alarm_id: Option<&str>,
        limit: usize,
    ) -> Result<Vec<atalaia_core::notify::Notification>, StoreError> {
        let rows = db.into().query(
            "SELECT doc FROM notifications WHERE CAST(?1 AS TEXT) IS NULL OR alarm_id = ?1 ORDER BY seq DESC LIMIT ?2",
            &[&alarm_id, &(limit as i64)],
        )?;
        rows.into_iter().map(|mut r| Ok(serde_json::from_str(&r.take::<String>(0)?)?)).collect()
    }

    /// Pending notifications of one channel (`email`, `sms`) whose next attempt is due at `now`,
    /// oldest first.
    pub fn due_notifications<'a>(
        db: impl Into<Db<'a>>,
        channel: &str,
        now: DateTime<Utc>,
        limit: usize,
    ) -> Result<Vec<atalaia_core::notify::Notification>, StoreError> {
        let rows = db.into().query(
            "SELECT doc FROM notifications WHERE pending = 1 AND channel = ?1 AND next_attempt <= ?2
             ORDER BY next_attempt LIMIT ?3",
            &[&channel, &ts(now), &(limit as i64)],
        )?;
        rows.into_iter().map(|mut r| Ok(serde_json::from_str(&r.take::<String>(0)?)?)).collect()
    }

    /// The one integer a query answers, if any (`SELECT COUNT(*) FROM …`).
    pub fn scalar_i64<'a>(db: impl Into<Db<'a>>, sql: &str) -> Result<Option<i64>, StoreError> {
        db.into().query_opt(sql, &[])?.map(|r| r.get(0)).transpose()
    }
}
