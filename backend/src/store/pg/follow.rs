//! The live feed of a server on PostgreSQL: read back from the event log, so that it carries
//! every server's events (this one's and the other replicas'), in `seq` order, exactly once.
//!
//! One thread with its own session listens to the doorbell (`NOTIFY atalaia_log`, rung by each
//! committing batch) and, on each ring — or every [`POLL`] when none comes, in case one was
//! missed — reads the log after its cursor and publishes what it finds. When the session fails
//! (PostgreSQL restarting, a failover) it reconnects and reads from the same cursor: nothing is
//! skipped and nothing repeated.

use crate::store::db::{Db, PgConn};
use crate::store::{Store, StoreError};
use atalaia_core::wire::LiveEvent;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Condvar, Mutex};
use std::time::{Duration, Instant};
use tokio::sync::broadcast;

/// How long the follower waits for a doorbell before reading the log anyway.
const POLL: Duration = Duration::from_millis(500);
/// Events read per query.
const PAGE: usize = 2_000;

/// How far the follower has published: the writer waits on it, so that when a write resolves its
/// events are on the live feed already — as on SQLite, whose writer publishes them itself. A
/// device's next fix is then evaluated against the zone the same client just saved.
#[derive(Default)]
pub struct Published {
    seq: Mutex<u64>,
    moved: Condvar,
}

impl Published {
    fn advance(&self, seq: u64) {
        let mut at = self.seq.lock().unwrap_or_else(|p| p.into_inner());
        if seq > *at {
            *at = seq;
            self.moved.notify_all();
        }
    }

    /// Waits until events up to `seq` are published, or `limit` passes; whether they were.
    pub fn wait_for(&self, seq: u64, limit: Duration) -> bool {
        let deadline = Instant::now() + limit;
        let mut at = self.seq.lock().unwrap_or_else(|p| p.into_inner());
        while *at < seq {
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                return false;
            }
            at = self.moved.wait_timeout(at, left).unwrap_or_else(|p| p.into_inner()).0;
        }
        true
    }
}

/// Follows the log from `cursor` until `stop` is set, publishing to `live`.
pub fn run(
    url: String,
    mut cursor: u64,
    live: broadcast::Sender<Arc<LiveEvent>>,
    published: Arc<Published>,
    stop: Arc<AtomicBool>,
) {
    published.advance(cursor);
    while !stop.load(Ordering::Relaxed) {
        match follow(&url, &mut cursor, &live, &published, &stop) {
            Ok(()) => return,
            Err(e) => {
                tracing::warn!(error = %e, cursor, "event log follower lost PostgreSQL; reconnecting");
                std::thread::sleep(Duration::from_millis(250));
            }
        }
    }
}

fn follow(
    url: &str,
    cursor: &mut u64,
    live: &broadcast::Sender<Arc<LiveEvent>>,
    published: &Published,
    stop: &AtomicBool,
) -> Result<(), StoreError> {
    let session = PgConn::connect(url)?;
    let db = Db::from(&session);
    db.run(&format!("LISTEN {}", super::log::CHANNEL))?;
    loop {
        // Read first: what was committed while this session was not listening yet.
        loop {
            let page = Store::events_since(db, *cursor, PAGE)?;
            let full = page.len() == PAGE;
            for event in page {
                *cursor = event.seq;
                // No subscribers is fine: nobody is watching.
                let _ = live.send(Arc::new(event));
            }
            published.advance(*cursor);
            if !full {
                break;
            }
        }
        if stop.load(Ordering::Relaxed) {
            return Ok(());
        }
        // A ring, or the poll's end; several rings read once.
        if session.notification(POLL)?.is_some() {
            while session.notification(Duration::ZERO)?.is_some() {}
        }
    }
}
