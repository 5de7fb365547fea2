//! Which server of a cluster does the cluster-wide work (issue 24 item 3): the detectors, the
//! clock-driven checks, escalation, the fleet check, the notification outbox and the filing of
//! fixes into the history. On SQLite the one server always does. On PostgreSQL the leader is the
//! server whose *writer session* holds a session-level advisory lock ([`LEADER_LOCK`]): the lock
//! lives exactly as long as the session that commits the leader's work, so a transaction that
//! committed while its batch saw the lock held was the leader's — a server that lost its session
//! (a crash, a network cut) lost the lock with it, and its next batch cannot commit on the old
//! session. Another server's writer takes the lock at its next batch (each server writes at least
//! every second: the monitoring tick).
//!
//! Each time a server becomes leader its leadership gets a new *epoch*: work that depends on state
//! kept in memory (the detectors) reloads it from the database when the epoch it was loaded under
//! is not the current one — the former leader may have changed it since.

use super::StoreError;
use super::db::{Db, Engine};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

/// The advisory lock the leader holds ("ATALALD" in ASCII, as a number).
pub const LEADER_LOCK: i64 = 0x41_5441_4c41_4c44;
/// How often a follower's writer tries to become leader.
const TRY_EVERY: Duration = Duration::from_millis(500);

#[derive(Debug, Default)]
pub(crate) struct Leadership {
    /// The epoch of the leadership held, 0 when none.
    held: AtomicU64,
    /// Leaderships taken by this server so far.
    taken: AtomicU64,
}

impl Leadership {
    /// The one server of an embedded (SQLite) central: leader from the start, for good.
    pub(crate) fn sole() -> Self {
        Self { held: AtomicU64::new(1), taken: AtomicU64::new(1) }
    }

    /// The epoch of this server's leadership, when it leads.
    pub(crate) fn epoch(&self) -> Option<u64> {
        match self.held.load(Ordering::Acquire) {
            0 => None,
            e => Some(e),
        }
    }

    /// The session that held the lock is gone.
    pub(crate) fn lost(&self) {
        if self.held.swap(0, Ordering::AcqRel) != 0 {
            tracing::warn!("this server is no longer its cluster's leader (its database session ended)");
        }
    }

    /// Outside a transaction, on the writer's session: take the lock when it is free (at most
    /// every [`TRY_EVERY`]). Returns the leadership epoch held afterwards.
    pub(crate) fn try_take(
        &self,
        db: Db<'_>,
        last_try: &mut Option<Instant>,
    ) -> Result<Option<u64>, StoreError> {
        if self.epoch().is_some() || db.engine() == Engine::Sqlite {
            return Ok(self.epoch());
        }
        if last_try.is_some_and(|t| t.elapsed() < TRY_EVERY) {
            return Ok(None);
        }
        *last_try = Some(Instant::now());
        let row = db.query_opt("SELECT pg_try_advisory_lock(?1)", &[&LEADER_LOCK])?;
        let got: bool = match row {
            Some(r) => r.get(0)?,
            None => false,
        };
        if got {
            let epoch = self.taken.fetch_add(1, Ordering::AcqRel) + 1;
            self.held.store(epoch, Ordering::Release);
            tracing::info!(epoch, "this server is now its cluster's leader");
        }
        Ok(self.epoch())
    }
}
