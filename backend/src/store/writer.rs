//! The writer: one thread per server that runs every mutation. Jobs that arrive together share
//! one transaction (one fsync), each inside its own savepoint so a failing job never takes its
//! neighbours down. The same loop drives both engines through [`Db`]; what differs is said by
//! [`Engine`]: on PostgreSQL the batch first takes the log's advisory lock (so its events are
//! numbered in commit order across servers, `store::log`) and rings the doorbell before it
//! commits; on SQLite the writer hands its events to the live feed itself.

use super::PgConn;
use super::db::{Db, Engine};
use super::leader::Leadership;
use super::{StoreError, WriteCtx};
use atalaia_core::Clock;
use atalaia_core::wire::LiveEvent;
use std::sync::{Arc, mpsc};
use tokio::sync::{broadcast, oneshot};

/// What callers of a batch that the database rolled back are told.
const BATCH_LOST: &str = "falha ao gravar: transação desfeita pelo banco de dados";
/// Jobs drained into one transaction at most.
const MAX_BATCH: usize = 512;

pub(super) struct Finish {
    ok: bool,
    reply: Box<dyn FnOnce(Option<StoreError>) + Send>,
}

/// A queued write: run it inside the batch, or abort it (resolving its caller with the error)
/// when the batch could not even start.
pub(super) trait Job: Send {
    fn run(self: Box<Self>, ctx: &mut WriteCtx<'_>) -> Finish;
    fn abort(self: Box<Self>, e: StoreError);
}

pub(super) struct TypedJob<R, F> {
    pub(super) f: F,
    pub(super) reply: oneshot::Sender<Result<R, StoreError>>,
}

impl<R, F> Job for TypedJob<R, F>
where
    R: Send + 'static,
    F: FnOnce(&mut WriteCtx<'_>) -> Result<R, StoreError> + Send + 'static,
{
    fn run(self: Box<Self>, ctx: &mut WriteCtx<'_>) -> Finish {
        let TypedJob { f, reply } = *self;
        match f(ctx) {
            Ok(v) => Finish {
                ok: true,
                reply: Box::new(move |commit_err| {
                    let _ = reply.send(match commit_err {
                        None => Ok(v),
                        Some(e) => Err(e),
                    });
                }),
            },
            Err(e) => Finish {
                ok: false,
                reply: Box::new(move |_| {
                    let _ = reply.send(Err(e));
                }),
            },
        }
    }

    fn abort(self: Box<Self>, e: StoreError) {
        let _ = self.reply.send(Err(e));
    }
}

/// Where committed events go: SQLite's writer publishes them to the live feed itself (and wakes
/// the checkpointer); PostgreSQL's feed is read back from the log by `pg::follow`, which sees
/// every server's events in `seq` order.
pub(super) enum AfterCommit {
    Publish {
        live: broadcast::Sender<Arc<LiveEvent>>,
        committed: mpsc::Sender<()>,
    },
    /// The writer publishes a committed batch itself when every earlier event is published
    /// ([`super::pg::follow::Published`]) and answers it at once; otherwise its answers wait, with
    /// the highest `seq` they must see published first, for the follower ([`answer_when_published`]).
    LogIsTheFeed {
        live: broadcast::Sender<Arc<LiveEvent>>,
        published: Arc<super::pg::follow::Published>,
        answers: mpsc::Sender<Committed>,
    },
}

/// A committed batch: its highest `seq` (if it emitted) and its jobs' answers.
pub(super) type Committed = (Option<u64>, Vec<Finish>);

/// PostgreSQL: answers each committed batch, in order, once the log follower published its
/// events (or after [`PUBLISH_WAIT`], when the follower lost its session: they reach the feed when
/// it is back). A job's caller then finds its change in the server's own feed, as on SQLite.
pub(super) fn answer_when_published(
    batches: mpsc::Receiver<Committed>,
    published: Arc<super::pg::follow::Published>,
) {
    while let Ok((head, finishes)) = batches.recv() {
        if let Some(head) = head
            && !published.wait_for(head, PUBLISH_WAIT)
        {
            tracing::warn!(head, "the live feed is behind the log; answering anyway");
        }
        for f in finishes {
            (f.reply)(None);
        }
    }
}

/// How long a PostgreSQL write waits for the follower to publish its events before it answers
/// anyway (the follower lost its session: they reach the feed when it is back).
const PUBLISH_WAIT: std::time::Duration = std::time::Duration::from_secs(2);

/// Why [`run`] returned.
#[derive(Debug, PartialEq, Eq)]
pub(super) enum Ended {
    /// Every sender is gone: the store closed.
    Closed,
    /// PostgreSQL closed the session (a restart, a failover): connect again and go on.
    SessionLost,
}

/// Runs batches until every sender is gone or the session is lost.
pub(super) fn run(
    db: Db<'_>,
    rx: &mpsc::Receiver<Box<dyn Job>>,
    clock: &Arc<dyn Clock>,
    after: &AfterCommit,
    leadership: &Leadership,
) -> Ended {
    let lost = || matches!(db, Db::Postgres(c) if c.is_closed());
    let mut last_try = None;
    while let Ok(first) = rx.recv() {
        let mut batch = vec![first];
        while batch.len() < MAX_BATCH {
            match rx.try_recv() {
                Ok(job) => batch.push(job),
                Err(_) => break,
            }
        }
        let now = clock.now();
        let leader = match leadership.try_take(db, &mut last_try) {
            Ok(epoch) => epoch,
            Err(e) => {
                tracing::warn!(error = %e, "cannot ask for the cluster's leadership");
                leadership.epoch()
            }
        };
        // PostgreSQL: the log's lock is held until the commit, so this batch's events follow
        // every committed one (one round trip with the BEGIN).
        let began = match db.engine() {
            Engine::Postgres => {
                db.run(&format!("BEGIN; SELECT pg_advisory_xact_lock({})", super::pg::log::APPEND_LOCK))
            }
            Engine::Sqlite => db.run("BEGIN"),
        };
        if let Err(e) = began {
            tracing::error!(error = %e, "cannot open write transaction");
            let _ = db.run("ROLLBACK");
            for job in batch {
                job.abort(StoreError::Conflict(format!("falha ao gravar: {e}")));
            }
            if lost() {
                return Ended::SessionLost;
            }
            continue;
        }
        let pg = match db {
            Db::Postgres(c) => Some(c),
            Db::Sqlite(_) => None,
        };
        if let Some(c) = pg {
            c.begin_appends();
        }
        let mut finishes = Vec::with_capacity(batch.len());
        let mut events = Vec::new();
        let mut rolled_back = false;
        for job in batch {
            if rolled_back {
                job.abort(StoreError::Conflict(BATCH_LOST.into()));
                continue;
            }
            // On PostgreSQL the savepoint is opened only if the job sends a statement: a report
            // whose rows are appended at the batch's end costs no round trip.
            let opened = match pg {
                Some(c) => {
                    c.begin_job();
                    c.defer_savepoint("job");
                    Ok(())
                }
                None => db.run("SAVEPOINT job"),
            };
            if let Err(e) = opened {
                job.abort(e);
                continue;
            }
            let mark = pg.map(PgConn::append_mark);
            let mut ctx = WriteCtx { conn: db, now, events: Vec::new(), leader };
            let finish = job.run(&mut ctx);
            let mut job_events = std::mem::take(&mut ctx.events);
            if db.sqlite().is_some_and(rusqlite::Connection::is_autocommit) {
                // SQLite rolled the whole transaction back (disk full, I/O error): everything this
                // batch did is gone, so every job in it fails and nothing is published.
                tracing::error!("write transaction rolled back by SQLite; failing the whole batch");
                rolled_back = true;
                finishes.push(finish);
                continue;
            }
            if let (false, Some(c), Some(m)) = (finish.ok, pg, mark) {
                c.append_reset(m);
            }
            if pg.is_some_and(PgConn::take_poisoned) {
                // PostgreSQL aborted the transaction outside the job's savepoint (writing earlier
                // jobs' rows, opening the savepoint): nothing of this batch can commit.
                tracing::error!("write transaction aborted outside a savepoint; failing the whole batch");
                rolled_back = true;
                finishes.push(finish);
                continue;
            }
            let savepoint = pg.is_none_or(|c| c.take_savepoint());
            let settled = match (savepoint, finish.ok, pg) {
                (false, _, _) => Ok(()),
                (true, true, _) => db.run("RELEASE job"),
                (true, false, Some(_)) => db.run("ROLLBACK TO job; RELEASE job"),
                (true, false, None) => db.run("ROLLBACK TO job").and_then(|()| db.run("RELEASE job")),
            };
            match settled {
                Ok(()) if finish.ok => events.append(&mut job_events),
                Ok(()) => {}
                Err(e) if pg.is_some() => {
                    // The transaction is in doubt: fail the whole batch rather than commit what
                    // PostgreSQL may have rolled back.
                    tracing::error!(error = %e, "savepoint handling failed; failing the whole batch");
                    rolled_back = true;
                }
                Err(e) => tracing::error!(error = %e, "savepoint handling failed"),
            }
            finishes.push(finish);
        }
        if rolled_back {
            if let Some(c) = pg {
                // Nothing buffered may be written (the ROLLBACK would send it first).
                c.end_appends();
                let _ = db.run("ROLLBACK");
            }
            for f in finishes {
                (f.reply)(Some(StoreError::Conflict(BATCH_LOST.into())));
            }
            if lost() {
                return Ended::SessionLost;
            }
            continue;
        }
        let head = events.iter().map(|e: &LiveEvent| e.seq).max();
        let committed = match pg {
            // The appended rows, then the doorbell and the commit in one round trip.
            Some(c) => c.flush_all_appends().and_then(|()| match head {
                Some(head) => {
                    db.run(&format!("SELECT pg_notify('{}', '{head}'); COMMIT", super::pg::log::CHANNEL))
                }
                None => db.run("COMMIT"),
            }),
            None => db.run("COMMIT"),
        };
        if let Some(c) = pg {
            // Before any ROLLBACK below: nothing buffered may be written after the batch.
            c.end_appends();
        }
        match committed {
            Ok(()) => {
                match after {
                    AfterCommit::Publish { live, committed } => {
                        let _ = committed.send(());
                        for e in events {
                            // No subscribers is fine: nobody is watching.
                            let _ = live.send(Arc::new(e));
                        }
                    }
                    AfterCommit::LogIsTheFeed { live, published, answers } => {
                        if published.publish_batch(&mut events, live) {
                            finishes.into_iter().for_each(|f| (f.reply)(None));
                            continue;
                        }
                        // Answered once the follower published the batch's events; meanwhile
                        // the writer goes on with the next batch.
                        if let Err(mpsc::SendError((_, finishes))) = answers.send((head, finishes)) {
                            finishes.into_iter().for_each(|f| (f.reply)(None));
                        }
                        continue;
                    }
                }
                for f in finishes {
                    (f.reply)(None);
                }
            }
            Err(e) => {
                tracing::error!(error = %e, "commit failed");
                let _ = db.run("ROLLBACK");
                for f in finishes {
                    (f.reply)(Some(StoreError::Conflict(format!("falha ao gravar: {e}"))));
                }
                if lost() {
                    return Ended::SessionLost;
                }
            }
        }
    }
    tracing::info!("store writer stopped");
    Ended::Closed
}

/// PostgreSQL's writer: [`run`] on a session, and on a new one each time the session is lost
/// (the jobs queued meanwhile wait; those of the failed batch were told it failed, so none is
/// acknowledged without its commit). Tries again every half second until the store closes.
pub(super) fn run_postgres(
    first: super::PgConn,
    url: &str,
    rx: &mpsc::Receiver<Box<dyn Job>>,
    clock: &Arc<dyn Clock>,
    after: &AfterCommit,
    leadership: &Leadership,
) {
    let mut session = Some(first);
    loop {
        let conn = match session.take() {
            Some(c) => c,
            None => match super::PgConn::connect(url) {
                Ok(c) => {
                    tracing::info!("store writer reconnected to PostgreSQL");
                    c
                }
                Err(e) => {
                    tracing::warn!(error = %e, "store writer cannot reach PostgreSQL; trying again");
                    std::thread::sleep(std::time::Duration::from_millis(500));
                    continue;
                }
            },
        };
        let ended = run(Db::from(&conn), rx, clock, after, leadership);
        // The session held the leader's lock: whatever happens next, it is gone with it.
        leadership.lost();
        if ended == Ended::Closed {
            return;
        }
        tracing::warn!("store writer lost its PostgreSQL session");
    }
}

/// Least time between two background checkpoints.
const CHECKPOINT_EVERY: std::time::Duration = std::time::Duration::from_millis(20);

/// SQLite: copy committed WAL frames into the database file after commits (at most every
/// [`CHECKPOINT_EVERY`]), without blocking the writer or readers (PASSIVE). Ends, after a last
/// checkpoint, when the writer stops.
pub(super) fn checkpoint_loop(conn: rusqlite::Connection, committed: mpsc::Receiver<()>) {
    let checkpoint = || {
        if let Err(e) = conn.query_row("PRAGMA wal_checkpoint(PASSIVE)", [], |_| Ok(())) {
            tracing::warn!(error = %e, "WAL checkpoint failed");
        }
    };
    while committed.recv().is_ok() {
        std::thread::sleep(CHECKPOINT_EVERY);
        while committed.try_recv().is_ok() {}
        checkpoint();
    }
    checkpoint();
}
