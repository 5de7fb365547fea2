//! The SQLite store: WAL mode, embedded migrations, one writer thread with group commit, and a
//! small pool of reader connections. Every mutation runs as a job on the writer: jobs that arrive
//! together share one transaction (one fsync), each inside its own savepoint so a failing job
//! never takes its neighbours down. Events a job emits get their global `seq` in the same
//! transaction and are published to the live feed only after the commit made them durable.
//!
//! Handlers never write SQL: they call the entity helpers here (and in `entities`), which is the
//! seam where a PostgreSQL implementation would sit later.

mod answers;
mod attachments;
mod audit;
mod crew;
pub mod db;
mod detector;
mod documents;
mod entities;
mod ingest;
mod log;
mod migrations;
pub mod pg;
mod photos;
mod positions;
mod profiles;
mod queries;
pub mod tracks;
mod users;

pub use answers::StoredAnswer;
pub use audit::Actor;
pub use detector::{detector_state, save_detector_state};

pub use entities::Entity;
pub use ingest::{IngestCounter, IngestReject, MAX_REJECTS, clip};
pub use positions::PositionFilter;
pub use users::{NewUserRow, StoredUser, UserActivity};

use atalaia_core::Clock;
use atalaia_core::wire::{EventBody, LiveEvent};
use chrono::{DateTime, SecondsFormat, Utc};
use rusqlite::{Connection, OpenFlags};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, mpsc};
use tokio::sync::{broadcast, oneshot};

/// What callers of a batch that SQLite rolled back are told.
const BATCH_LOST: &str = "falha ao gravar: transação desfeita pelo banco de dados";
/// Jobs drained into one transaction at most.
const MAX_BATCH: usize = 512;
/// Live-feed buffer per subscriber before it is considered lagging and resynchronised.
pub const LIVE_BUFFER: usize = 8192;

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("sqlite: {0}")]
    Sqlite(#[from] rusqlite::Error),
    #[error("postgres: {0}")]
    Postgres(#[from] postgres::Error),
    /// A column read as what it is not (a query and its reader disagree).
    #[error("column: {0}")]
    Column(String),
    #[error("json: {0}")]
    Json(#[from] serde_json::Error),
    #[error("{0} not found")]
    NotFound(&'static str),
    #[error("{0}")]
    Conflict(String),
    /// The caller's role may not do this to a record in its current state.
    #[error("forbidden")]
    Forbidden,
    #[error("store writer stopped")]
    WriterGone,
    #[error("migration: {0}")]
    Migration(String),
    #[error("task: {0}")]
    Task(String),
}

impl StoreError {
    /// A row that would repeat a unique key, on either engine.
    pub fn is_unique_violation(&self) -> bool {
        match self {
            StoreError::Sqlite(rusqlite::Error::SqliteFailure(f, _)) => {
                f.code == rusqlite::ErrorCode::ConstraintViolation
            }
            StoreError::Postgres(e) => e.code() == Some(&postgres::error::SqlState::UNIQUE_VIOLATION),
            _ => false,
        }
    }
}

/// One row of the event log as stored (the body is its JSON text).
#[derive(Debug, Clone)]
pub struct ExportedEvent {
    pub seq: u64,
    pub at: String,
    pub kind: String,
    pub body: String,
}

/// UTC timestamps as fixed-width RFC 3339 text so SQL ordering is time ordering.
pub fn ts(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Micros, true)
}

/// What a job sees: the open transaction, the batch's clock reading, and the event emitter.
pub struct WriteCtx<'a> {
    pub conn: &'a Connection,
    pub now: DateTime<Utc>,
    events: Vec<LiveEvent>,
}

impl WriteCtx<'_> {
    /// Append an event to the log; returns its `seq`.
    pub fn emit(&mut self, body: EventBody) -> Result<u64, StoreError> {
        let json = serde_json::to_string(&body)?;
        self.emit_serialized(body, &json)
    }

    /// [`WriteCtx::emit`] with the body already serialised (hot paths serialise once).
    pub(crate) fn emit_serialized(&mut self, body: EventBody, json: &str) -> Result<u64, StoreError> {
        let seq = log::append(self.conn, self.now, body.kind(), json)?;
        self.events.push(LiveEvent { seq, at: self.now, body });
        Ok(seq)
    }

    /// Run `f` in a nested savepoint: when it fails, what it wrote and the events it emitted are
    /// undone and its error returned, and the job goes on with the rest.
    pub fn nested<R>(&mut self, f: impl FnOnce(&mut Self) -> Result<R, StoreError>) -> Result<R, StoreError> {
        exec_cached(self.conn, "SAVEPOINT nested")?;
        let mark = self.events.len();
        match f(self) {
            Ok(r) => {
                exec_cached(self.conn, "RELEASE nested")?;
                Ok(r)
            }
            Err(e) => {
                self.events.truncate(mark);
                exec_cached(self.conn, "ROLLBACK TO nested")?;
                exec_cached(self.conn, "RELEASE nested")?;
                Err(e)
            }
        }
    }

    /// Insert or replace an entity and log it as an event.
    pub fn save<E: Entity>(&mut self, e: &E) -> Result<u64, StoreError> {
        let seq = self.emit(e.to_event())?;
        entities::upsert(self.conn, e, seq)?;
        Ok(seq)
    }
}

struct Finish {
    ok: bool,
    reply: Box<dyn FnOnce(Option<StoreError>) + Send>,
}

/// A queued write: run it inside the batch, or abort it (resolving its caller with the error)
/// when the batch could not even start.
trait Job: Send {
    fn run(self: Box<Self>, ctx: &mut WriteCtx<'_>) -> Finish;
    fn abort(self: Box<Self>, e: StoreError);
}

struct TypedJob<R, F> {
    f: F,
    reply: oneshot::Sender<Result<R, StoreError>>,
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

struct Inner {
    path: PathBuf,
    writer: Mutex<Option<mpsc::Sender<Box<dyn Job>>>>,
    readers: Mutex<Vec<Connection>>,
    live: broadcast::Sender<Arc<LiveEvent>>,
}

#[derive(Clone)]
pub struct Store {
    inner: Arc<Inner>,
}

fn open(path: &Path, flags: OpenFlags) -> Result<Connection, StoreError> {
    // A connection is only ever used by one thread at a time (rusqlite's `Connection` is not
    // `Sync`), so SQLite's per-call connection mutex is pure cost: on a long grid scan it was
    // an eighth of the time.
    let conn = Connection::open_with_flags(path, flags | OpenFlags::SQLITE_OPEN_NO_MUTEX)?;
    conn.busy_timeout(std::time::Duration::from_secs(10))?;
    conn.execute_batch("PRAGMA foreign_keys = ON;")?;
    // `fold(text)`: lower case without accents, as people type a search (SQLite's own `lower`
    // folds ASCII only: "ÁLVARO" would not find "Álvaro").
    conn.create_scalar_function(
        "fold",
        1,
        rusqlite::functions::FunctionFlags::SQLITE_UTF8
            | rusqlite::functions::FunctionFlags::SQLITE_DETERMINISTIC,
        // NULL stays NULL (a user without a unit matches no unit).
        |ctx| Ok(ctx.get::<Option<String>>(0)?.map(|s| atalaia_core::text::fold(&s))),
    )?;
    Ok(conn)
}

impl Store {
    /// A connection to an existing SQLite central, set up as the store's own (its `fold`
    /// function included): for moving a central between engines and the conformance suite.
    pub fn sqlite_connection(path: &Path) -> Result<Connection, StoreError> {
        open(path, OpenFlags::SQLITE_OPEN_READ_WRITE)
    }

    /// Open (creating and migrating if needed) the database at `path` and start the writer.
    pub fn open(path: &Path, clock: Arc<dyn Clock>) -> Result<Self, StoreError> {
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir)
                .map_err(|e| StoreError::Migration(format!("{}: {e}", dir.display())))?;
        }
        let mut conn = open(path, OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_CREATE)?;
        // FULL: a device is acknowledged only once its fix survives a power cut; group commit
        // amortises the fsync across the batch.
        conn.execute_batch("PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL;")?;
        // The checkpointer thread copies the WAL into the database, and pays that fsync, while
        // the writer goes on. The writer's own checkpoint (every 2,000 frames, ~8 MB) then finds
        // almost everything copied: it only finishes the job so the WAL can start over, which a
        // checkpoint racing the writer's commits cannot do.
        conn.execute_batch("PRAGMA wal_autocheckpoint = 2000;")?;
        migrations::migrate(&mut conn)?;
        let checkpointer = open(path, OpenFlags::SQLITE_OPEN_READ_WRITE)?;

        let (tx, rx) = mpsc::channel::<Box<dyn Job>>();
        let (committed_tx, committed_rx) = mpsc::channel::<()>();
        let (live, _) = broadcast::channel(LIVE_BUFFER);
        let live_tx = live.clone();
        std::thread::Builder::new()
            .name("atalaia-store-writer".into())
            .spawn(move || writer_loop(conn, rx, clock, live_tx, committed_tx))
            .map_err(|e| StoreError::Task(e.to_string()))?;
        std::thread::Builder::new()
            .name("atalaia-store-checkpoint".into())
            .spawn(move || checkpoint_loop(checkpointer, committed_rx))
            .map_err(|e| StoreError::Task(e.to_string()))?;
        Ok(Self {
            inner: Arc::new(Inner {
                path: path.to_owned(),
                writer: Mutex::new(Some(tx)),
                readers: Mutex::new(Vec::new()),
                live,
            }),
        })
    }

    /// Subscribe to committed events.
    pub fn subscribe(&self) -> broadcast::Receiver<Arc<LiveEvent>> {
        self.inner.live.subscribe()
    }

    /// Run `f` on the writer inside the next group-commit transaction. Resolves after the commit.
    pub async fn write<R, F>(&self, f: F) -> Result<R, StoreError>
    where
        R: Send + 'static,
        F: FnOnce(&mut WriteCtx<'_>) -> Result<R, StoreError> + Send + 'static,
    {
        // A request naming an idempotency key records it with its first change, in the same
        // transaction (crate::idempotency).
        let claim = crate::idempotency::pending_claim();
        let record = claim.clone();
        let f = move |ctx: &mut WriteCtx<'_>| {
            if let Some(claim) = &record {
                crate::idempotency::record(ctx, claim)?;
            }
            f(ctx)
        };
        let (tx, rx) = oneshot::channel::<Result<R, StoreError>>();
        let job: Box<dyn Job> = Box::new(TypedJob { f, reply: tx });
        {
            let guard = self.inner.writer.lock().unwrap_or_else(|p| p.into_inner());
            let sender = guard.as_ref().ok_or(StoreError::WriterGone)?;
            sender.send(job).map_err(|_| StoreError::WriterGone)?;
        }
        let result = rx.await.map_err(|_| StoreError::WriterGone)?;
        if let (Ok(_), Some(claim)) = (&result, &claim) {
            crate::idempotency::claimed(claim);
        }
        result
    }

    /// Run a read on a pooled connection off the async threads.
    pub async fn read<R, F>(&self, f: F) -> Result<R, StoreError>
    where
        R: Send + 'static,
        F: FnOnce(&Connection) -> Result<R, StoreError> + Send + 'static,
    {
        let inner = self.inner.clone();
        tokio::task::spawn_blocking(move || {
            let pooled = inner.readers.lock().unwrap_or_else(|p| p.into_inner()).pop();
            let conn = match pooled {
                Some(c) => c,
                None => open(&inner.path, OpenFlags::SQLITE_OPEN_READ_ONLY)?,
            };
            let result = f(&conn);
            let mut pool = inner.readers.lock().unwrap_or_else(|p| p.into_inner());
            if pool.len() < 8 {
                pool.push(conn);
            }
            result
        })
        .await
        .map_err(|e| StoreError::Task(e.to_string()))?
    }

    /// Stop accepting writes; the writer finishes what is queued and exits.
    pub fn close(&self) {
        self.inner.writer.lock().unwrap_or_else(|p| p.into_inner()).take();
    }

    /// Next value of a named counter (occurrence numbers per year).
    pub fn next_counter<'a>(db: impl Into<db::Db<'a>>, name: &str) -> Result<i64, StoreError> {
        let row = db.into().query_opt(
            "INSERT INTO counters (name, value) VALUES (?1, 1)
             ON CONFLICT(name) DO UPDATE SET value = counters.value + 1 RETURNING value",
            &[&name],
        )?;
        row.ok_or_else(|| StoreError::Column("no counter returned".into()))?.get(0)
    }

    /// Writes an entity's document as it stands, without an event: the writer's half of
    /// [`WriteCtx::save`], for moving a central between engines and for the conformance suite.
    pub fn put_record<'a, E: Entity>(db: impl Into<db::Db<'a>>, e: &E, seq: u64) -> Result<(), StoreError> {
        entities::upsert(db, e, seq)
    }

    pub fn get<'a, E: Entity>(db: impl Into<db::Db<'a>>, id: &str) -> Result<Option<E>, StoreError> {
        entities::get(db, id)
    }

    pub fn get_required<'a, E: Entity>(db: impl Into<db::Db<'a>>, id: &str) -> Result<E, StoreError> {
        entities::get(db, id)?.ok_or(StoreError::NotFound(E::WHAT))
    }

    /// The stored entity with this client-supplied id, if any: creates answer it instead of
    /// overwriting it, so a command replayed from an offline outbox is harmless.
    pub fn existing<'a, E: Entity, I: ToString>(
        db: impl Into<db::Db<'a>>,
        id: Option<I>,
    ) -> Result<Option<E>, StoreError> {
        match id {
            Some(id) => entities::get(db, &id.to_string()),
            None => Ok(None),
        }
    }

    pub fn list<'a, E: Entity>(db: impl Into<db::Db<'a>>) -> Result<Vec<E>, StoreError> {
        entities::list(db, "", &[])
    }

    pub fn find_by<'a, E: Entity>(
        db: impl Into<db::Db<'a>>,
        column: &str,
        value: &str,
    ) -> Result<Option<E>, StoreError> {
        Ok(entities::list::<E>(db, &format!("WHERE {column} = ?1"), &[&value])?.into_iter().next())
    }

    pub fn list_by<'a, E: Entity>(
        db: impl Into<db::Db<'a>>,
        column: &str,
        value: &str,
    ) -> Result<Vec<E>, StoreError> {
        entities::list::<E>(db, &format!("WHERE {column} = ?1"), &[&value])
    }
}

/// Run a parameterless statement prepared once per connection (the per-job savepoints).
fn exec_cached(conn: &Connection, sql: &str) -> rusqlite::Result<()> {
    conn.prepare_cached(sql)?.execute([]).map(|_| ())
}

/// Least time between two background checkpoints.
const CHECKPOINT_EVERY: std::time::Duration = std::time::Duration::from_millis(20);

/// Copy committed WAL frames into the database file after commits (at most every
/// [`CHECKPOINT_EVERY`]), without blocking the writer or readers (PASSIVE). Ends, after a last
/// checkpoint, when the writer stops.
fn checkpoint_loop(conn: Connection, committed: mpsc::Receiver<()>) {
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

fn writer_loop(
    mut conn: Connection,
    rx: mpsc::Receiver<Box<dyn Job>>,
    clock: Arc<dyn Clock>,
    live: broadcast::Sender<Arc<LiveEvent>>,
    committed: mpsc::Sender<()>,
) {
    while let Ok(first) = rx.recv() {
        let mut batch = vec![first];
        while batch.len() < MAX_BATCH {
            match rx.try_recv() {
                Ok(job) => batch.push(job),
                Err(_) => break,
            }
        }
        let now = clock.now();
        let txn = match conn.transaction() {
            Ok(t) => t,
            Err(e) => {
                tracing::error!(error = %e, "cannot open write transaction");
                for job in batch {
                    job.abort(StoreError::Conflict(format!("falha ao gravar: {e}")));
                }
                continue;
            }
        };
        let mut finishes = Vec::with_capacity(batch.len());
        let mut events = Vec::new();
        let mut rolled_back = false;
        for job in batch {
            if rolled_back {
                job.abort(StoreError::Conflict(BATCH_LOST.into()));
                continue;
            }
            if let Err(e) = exec_cached(&txn, "SAVEPOINT job") {
                job.abort(StoreError::Sqlite(e));
                continue;
            }
            let mut ctx = WriteCtx { conn: &txn, now, events: Vec::new() };
            let finish = job.run(&mut ctx);
            if txn.is_autocommit() {
                // SQLite rolled the whole transaction back (disk full, I/O error): everything this
                // batch did is gone, so every job in it fails and nothing is published.
                tracing::error!("write transaction rolled back by SQLite; failing the whole batch");
                rolled_back = true;
                finishes.push(finish);
                continue;
            }
            let settled = if finish.ok {
                exec_cached(&txn, "RELEASE job")
            } else {
                exec_cached(&txn, "ROLLBACK TO job").and_then(|()| exec_cached(&txn, "RELEASE job"))
            };
            match settled {
                Ok(()) if finish.ok => events.append(&mut ctx.events),
                Ok(()) => {}
                Err(e) => tracing::error!(error = %e, "savepoint handling failed"),
            }
            finishes.push(finish);
        }
        if rolled_back {
            drop(txn);
            for f in finishes {
                (f.reply)(Some(StoreError::Conflict(BATCH_LOST.into())));
            }
            continue;
        }
        match txn.commit() {
            Ok(()) => {
                let _ = committed.send(());
                for e in events {
                    // No subscribers is fine: nobody is watching.
                    let _ = live.send(Arc::new(e));
                }
                for f in finishes {
                    (f.reply)(None);
                }
            }
            Err(e) => {
                tracing::error!(error = %e, "commit failed");
                for f in finishes {
                    (f.reply)(Some(StoreError::Conflict(format!("falha ao gravar: {e}"))));
                }
            }
        }
    }
    tracing::info!("store writer stopped");
}

#[cfg(test)]
mod tests;
