//! Commands applied exactly once (`Idempotency-Key`, `crate::idempotency`): the key is recorded
//! by the write it guards, in the same transaction, and the answer kept for a replay.

use super::db::Db;
use super::{Store, StoreError};

/// What is kept of a command's key: whose, which request, and the answer once it was given.
#[derive(Debug, Clone, PartialEq)]
pub struct StoredAnswer {
    pub user: String,
    pub method: String,
    pub path: String,
    pub status: Option<u16>,
    pub content_type: Option<String>,
    pub body: Option<Vec<u8>>,
}

impl Store {
    /// Records a key (times as [`super::ts`]); false when it was already recorded.
    pub fn claim_key<'a>(
        db: impl Into<Db<'a>>,
        key: &str,
        user: &str,
        method: &str,
        path: &str,
        now: &str,
    ) -> Result<bool, StoreError> {
        let inserted = db.into().execute(
            "INSERT INTO idempotency (key, user_id, method, path, created_at) VALUES (?1, ?2, ?3, ?4, ?5)
             ON CONFLICT DO NOTHING",
            &[&key, &user, &method, &path, &now],
        )?;
        Ok(inserted == 1)
    }

    /// What is kept of a key, if it was recorded.
    pub fn stored_answer<'a>(db: impl Into<Db<'a>>, key: &str) -> Result<Option<StoredAnswer>, StoreError> {
        let row = db.into().query_opt(
            "SELECT user_id, method, path, status, content_type, body FROM idempotency WHERE key = ?1",
            &[&key],
        )?;
        row.map(|mut r| {
            let status: Option<i64> = r.take(3)?;
            Ok(StoredAnswer {
                user: r.take(0)?,
                method: r.take(1)?,
                path: r.take(2)?,
                status: status.and_then(|s| u16::try_from(s).ok()),
                content_type: r.take(4)?,
                body: r.take(5)?,
            })
        })
        .transpose()
    }

    /// Keeps the answer given under a key.
    pub fn keep_answer<'a>(
        db: impl Into<Db<'a>>,
        key: &str,
        status: u16,
        content_type: Option<&str>,
        body: &[u8],
    ) -> Result<(), StoreError> {
        db.into().execute(
            "UPDATE idempotency SET status = ?2, content_type = ?3, body = ?4 WHERE key = ?1",
            &[&key, &i64::from(status), &content_type, &body],
        )?;
        Ok(())
    }

    /// Forgets the keys recorded before `before`; how many.
    pub fn prune_answers<'a>(db: impl Into<Db<'a>>, before: &str) -> Result<u64, StoreError> {
        db.into().execute("DELETE FROM idempotency WHERE created_at < ?1", &[&before])
    }
}
