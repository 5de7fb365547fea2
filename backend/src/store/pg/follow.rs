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

/// How far this server's live feed has published the log. Events reach the feed in `seq` order,
/// exactly once, by one of two ways: the writer hands its own batch over right after the commit
/// when every earlier event is published already (the usual case, and always with one server),
/// and the follower reads the rest back from the log (other servers' events, and a batch whose
/// predecessors are not all published yet). Both publish under this one lock, skipping what is
/// published already.
///
/// A write resolves once its events are published (the writer answers at once, or the answers'
/// thread waits here), so that its caller finds them in the server's own feed, as on SQLite. A
/// device's next fix is then evaluated against the zone the same client just saved.
#[derive(Default)]
pub struct Published {
    seq: Mutex<u64>,
    moved: Condvar,
}

impl Published {
    fn lock(&self) -> std::sync::MutexGuard<'_, u64> {
        self.seq.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// The highest `seq` published.
    pub fn head(&self) -> u64 {
        *self.lock()
    }

    /// Publishes the events (in `seq` order) that follow what is published; those at or below it
    /// went out already.
    fn publish(&self, events: Vec<LiveEvent>, live: &broadcast::Sender<Arc<LiveEvent>>) {
        let mut at = self.lock();
        let before = *at;
        for event in events {
            if event.seq > *at {
                *at = event.seq;
                // No subscribers is fine: nobody is watching.
                let _ = live.send(Arc::new(event));
            }
        }
        if *at > before {
            self.moved.notify_all();
        }
    }

    /// The writer's committed batch, published by the writer itself when it directly follows
    /// what is published (its events are numbered consecutively); whether it was. When not, the
    /// follower will read it back from the log.
    pub fn publish_batch(
        &self,
        events: &mut Vec<LiveEvent>,
        live: &broadcast::Sender<Arc<LiveEvent>>,
    ) -> bool {
        let mut at = self.lock();
        let consecutive = events.windows(2).all(|w| w[1].seq == w[0].seq + 1);
        match events.first() {
            Some(first) if consecutive && first.seq == *at + 1 => {}
            _ => return false,
        }
        for event in events.drain(..) {
            *at = event.seq;
            let _ = live.send(Arc::new(event));
        }
        self.moved.notify_all();
        true
    }

    fn advance(&self, seq: u64) {
        let mut at = self.lock();
        if seq > *at {
            *at = seq;
            self.moved.notify_all();
        }
    }

    /// Waits until events up to `seq` are published, or `limit` passes; whether they were.
    pub fn wait_for(&self, seq: u64, limit: Duration) -> bool {
        let deadline = Instant::now() + limit;
        let mut at = self.lock();
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
        // Read first: what was committed while this session was not listening yet. What the
        // writer published itself is not read again.
        loop {
            *cursor = (*cursor).max(published.head());
            let page = Store::events_since(db, *cursor, PAGE)?;
            let full = page.len() == PAGE;
            if let Some(last) = page.last() {
                *cursor = last.seq;
            }
            published.publish(page, live);
            if !full {
                break;
            }
        }
        if stop.load(Ordering::Relaxed) {
            return Ok(());
        }
        // Wait for a ring whose head (a batch's highest `seq`) is not published yet, or for the
        // poll's end. A ring for a batch this server's writer published itself needs no read.
        let deadline = Instant::now() + POLL;
        while let Some(head) = session.notification(deadline.saturating_duration_since(Instant::now()))? {
            if head.parse::<u64>().map_or(true, |h| h > published.head()) {
                break;
            }
        }
    }
}
