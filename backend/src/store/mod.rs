//! The store, on one of two engines: SQLite (the embedded default: WAL mode, a checkpointer
//! thread) or PostgreSQL (several servers on one database, issue 24). Either way: embedded
//! migrations, one writer thread with group commit (`writer`), and a small pool of reader
//! sessions. Every mutation runs as a job on the writer; events a job emits get their global
//! `seq` in the same transaction and reach the live feed only after the commit made them durable.
//!
//! Handlers never write SQL: they call the entity helpers here (and in `entities`), written once
//! for both engines through [`db::Db`].

mod answers;
mod attachments;
mod audit;
mod crew;
pub mod db;
mod detector;
mod documents;
mod entities;
mod ingest;
mod leader;
mod log;
pub mod migrate;
mod migrations;
pub mod pg;
mod photos;
mod positions;
mod profiles;
mod queries;
pub mod tracks;
mod users;
mod writer;

pub use answers::StoredAnswer;
pub use audit::Actor;
pub use detector::{
    detector_state, queue_samples, queued_devices, samples_queued, save_detector_state, take_queued,
};

pub use entities::Entity;
pub use ingest::{IngestCounter, IngestReject, MAX_REJECTS, clip};
pub use positions::PositionFilter;
pub use users::{NewUserRow, StoredUser, UserActivity};

use atalaia_core::Clock;
use atalaia_core::wire::{EventBody, LiveEvent};
use chrono::{DateTime, SecondsFormat, Utc};
use db::{Db, PgConn};
use rusqlite::{Connection, OpenFlags};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, mpsc};
use tokio::sync::{broadcast, oneshot};
use writer::{Job, TypedJob};
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
    pub conn: Db<'a>,
    pub now: DateTime<Utc>,
    events: Vec<LiveEvent>,
    /// The epoch of this server's leadership of its cluster when the batch began, if it leads
    /// (`store::leader`): only then does a job do the cluster-wide work.
    pub leader: Option<u64>,
}

impl<'a> WriteCtx<'a> {
    /// The PostgreSQL session, when the writer buffers what this batch appends (`pg::append`).
    fn buffered(&self) -> Option<&'a PgConn> {
        match self.conn {
            Db::Postgres(c) if c.buffering() => Some(c),
            _ => None,
        }
    }

    /// Append an event to the log; returns its `seq`.
    pub fn emit(&mut self, body: EventBody) -> Result<u64, StoreError> {
        let json = serde_json::to_string(&body)?;
        self.emit_serialized(body, &json)
    }

    /// [`WriteCtx::emit`] with the body already serialised (hot paths serialise once).
    pub(crate) fn emit_serialized(&mut self, body: EventBody, json: &str) -> Result<u64, StoreError> {
        let seq = match self.buffered() {
            Some(c) => c.append_event(self.now, body.kind(), json)?,
            None => log::append(self.conn, self.now, body.kind(), json, true)?,
        };
        self.events.push(LiveEvent { seq, at: self.now, body });
        Ok(seq)
    }

    /// Queue samples for the cluster's detectors (`store::leader`), durable with this job.
    pub fn queue_samples(&mut self, samples: &[atalaia_core::detect::Sample]) -> Result<(), StoreError> {
        match self.buffered() {
            Some(c) => {
                for s in samples {
                    c.append_sample(serde_json::to_string(s)?);
                }
                Ok(())
            }
            None => detector::queue_samples(self.conn, samples),
        }
    }

    /// Save the detectors' state records with this job (`store::detector`); on PostgreSQL those
    /// with content are written with the batch's other appends.
    pub fn save_detector_state(
        &self,
        records: &[atalaia_core::detect::StateRecord],
    ) -> Result<(), StoreError> {
        let Some(c) = self.buffered() else { return detector::save_detector_state(self.conn, records) };
        for r in records {
            match &r.doc {
                Some(doc) => c.append_state(r.part.name(), &r.id, doc),
                None => detector::save_detector_state(self.conn, std::slice::from_ref(r))?,
            }
        }
        Ok(())
    }

    /// Whether this device's fix at this time and place is stored already (or appended by this
    /// batch): a frame the device resent because it missed our acknowledgement.
    pub fn has_position(&self, p: &atalaia_core::monitoring::Position) -> Result<bool, StoreError> {
        if self.buffered().is_some_and(|c| c.appended_position(p)) {
            return Ok(true);
        }
        Store::has_position(self.conn, p)
    }

    /// Run `f` in a nested savepoint: when it fails, what it wrote and the events it emitted are
    /// undone and its error returned, and the job goes on with the rest.
    pub fn nested<R>(&mut self, f: impl FnOnce(&mut Self) -> Result<R, StoreError>) -> Result<R, StoreError> {
        self.conn.run("SAVEPOINT nested")?;
        let mark = self.events.len();
        let appended = self.buffered().map(PgConn::append_mark);
        match f(self) {
            Ok(r) => {
                self.conn.run("RELEASE nested")?;
                Ok(r)
            }
            Err(e) => {
                self.events.truncate(mark);
                if let (Some(c), Some(m)) = (self.buffered(), appended) {
                    c.append_reset(m);
                }
                self.conn.run("ROLLBACK TO nested")?;
                self.conn.run("RELEASE nested")?;
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

/// Where the data lives, and the reader sessions kept for reuse.
enum Backing {
    Sqlite { path: PathBuf, readers: Mutex<Vec<Connection>> },
    Postgres { url: String, readers: Mutex<Vec<PgConn>> },
}

/// Reader sessions kept for reuse, per engine.
const POOLED_READERS: usize = 8;

struct Inner {
    backing: Backing,
    writer: Mutex<Option<mpsc::Sender<Box<dyn Job>>>>,
    live: broadcast::Sender<Arc<LiveEvent>>,
    /// Set when the store closes: the PostgreSQL log follower stops.
    stopped: Arc<AtomicBool>,
    leadership: Arc<leader::Leadership>,
    clock: Arc<dyn Clock>,
}

impl Drop for Inner {
    fn drop(&mut self) {
        self.stopped.store(true, Ordering::Relaxed);
        // Closing a PostgreSQL session blocks on its client's own runtime, which may not happen
        // on an asynchronous thread (where the last handle to the store often goes).
        if let Backing::Postgres { readers, .. } = &mut self.backing {
            let sessions = std::mem::take(readers.get_mut().unwrap_or_else(|p| p.into_inner()));
            if !sessions.is_empty() {
                let _ =
                    std::thread::Builder::new().name("atalaia-pg-close".into()).spawn(move || drop(sessions));
            }
        }
    }
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

    /// Opens the store named by `database`: a `postgres://` (or `postgresql://`) URL, or the path
    /// of a SQLite file.
    pub fn open_url(database: &str, clock: Arc<dyn Clock>) -> Result<Self, StoreError> {
        if database.starts_with("postgres://") || database.starts_with("postgresql://") {
            Self::open_postgres(database, clock)
        } else {
            Self::open(Path::new(database), clock)
        }
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
        let after = writer::AfterCommit::Publish { live: live.clone(), committed: committed_tx };
        let leadership = Arc::new(leader::Leadership::sole());
        let writer_leadership = leadership.clone();
        let store_clock = clock.clone();
        std::thread::Builder::new()
            .name("atalaia-store-writer".into())
            .spawn(move || {
                writer::run(Db::from(&conn), &rx, &clock, &after, &writer_leadership);
            })
            .map_err(|e| StoreError::Task(e.to_string()))?;
        std::thread::Builder::new()
            .name("atalaia-store-checkpoint".into())
            .spawn(move || writer::checkpoint_loop(checkpointer, committed_rx))
            .map_err(|e| StoreError::Task(e.to_string()))?;
        Ok(Self {
            inner: Arc::new(Inner {
                backing: Backing::Sqlite { path: path.to_owned(), readers: Mutex::new(Vec::new()) },
                writer: Mutex::new(Some(tx)),
                live,
                stopped: Arc::new(AtomicBool::new(false)),
                leadership,
                clock: store_clock,
            }),
        })
    }

    /// Open the PostgreSQL database at `url` (migrating it if needed; several servers starting
    /// together take turns), start the writer, and follow the event log for the live feed from
    /// its head: what this server and any other commits from now on.
    pub fn open_postgres(url: &str, clock: Arc<dyn Clock>) -> Result<Self, StoreError> {
        // The synchronous client runs a runtime of its own, which may not start on one of the
        // server's asynchronous threads: the opening is done on a thread of its own.
        let now = clock.now();
        let opened = std::thread::scope(|s| {
            s.spawn(|| {
                let conn = PgConn::connect(url)?;
                pg::schema::migrate(&conn)?;
                let db = Db::from(&conn);
                db.run("BEGIN")?;
                positions::make_partitions(db, now)?;
                db.run("COMMIT")?;
                let head = Self::head_seq(&conn)?;
                Ok::<_, StoreError>((conn, head))
            })
            .join()
        });
        let (conn, head) = opened.map_err(|_| StoreError::Task("opening PostgreSQL failed".into()))??;
        let (tx, rx) = mpsc::channel::<Box<dyn Job>>();
        let (live, _) = broadcast::channel(LIVE_BUFFER);
        let stopped = Arc::new(AtomicBool::new(false));
        let published = Arc::new(pg::follow::Published::default());
        let (answers, committed) = mpsc::channel();
        let after =
            writer::AfterCommit::LogIsTheFeed { live: live.clone(), published: published.clone(), answers };
        let answer_published = published.clone();
        std::thread::Builder::new()
            .name("atalaia-store-answers".into())
            .spawn(move || writer::answer_when_published(committed, answer_published))
            .map_err(|e| StoreError::Task(e.to_string()))?;
        let leadership = Arc::new(leader::Leadership::default());
        let store_clock = clock.clone();
        std::thread::Builder::new()
            .name("atalaia-store-writer".into())
            .spawn({
                let url = url.to_owned();
                let leadership = leadership.clone();
                move || writer::run_postgres(conn, &url, &rx, &clock, &after, &leadership)
            })
            .map_err(|e| StoreError::Task(e.to_string()))?;
        let (follow_url, follow_live, follow_stop) = (url.to_owned(), live.clone(), stopped.clone());
        std::thread::Builder::new()
            .name("atalaia-log-follower".into())
            .spawn(move || pg::follow::run(follow_url, head, follow_live, published, follow_stop))
            .map_err(|e| StoreError::Task(e.to_string()))?;
        Ok(Self {
            inner: Arc::new(Inner {
                backing: Backing::Postgres { url: url.to_owned(), readers: Mutex::new(Vec::new()) },
                writer: Mutex::new(Some(tx)),
                live,
                stopped,
                leadership,
                clock: store_clock,
            }),
        })
    }

    /// The epoch of this server's leadership of its cluster, when it leads (`store::leader`):
    /// always on SQLite; on PostgreSQL, while its writer session holds the leader's lock.
    pub fn leader(&self) -> Option<u64> {
        self.inner.leadership.epoch()
    }

    /// The time by the store's clock (what jobs see as `now`).
    pub fn now(&self) -> DateTime<Utc> {
        self.inner.clock.now()
    }

    /// The engine this store runs on.
    pub fn engine(&self) -> db::Engine {
        match self.inner.backing {
            Backing::Sqlite { .. } => db::Engine::Sqlite,
            Backing::Postgres { .. } => db::Engine::Postgres,
        }
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

    /// Run a read on a pooled session off the async threads.
    pub async fn read<R, F>(&self, f: F) -> Result<R, StoreError>
    where
        R: Send + 'static,
        F: FnOnce(Db<'_>) -> Result<R, StoreError> + Send + 'static,
    {
        let inner = self.inner.clone();
        tokio::task::spawn_blocking(move || match &inner.backing {
            Backing::Sqlite { path, readers } => {
                pooled(readers, || open(path, OpenFlags::SQLITE_OPEN_READ_ONLY), |_| true, |c| f(Db::from(c)))
            }
            // A session PostgreSQL closed (a restart, a failover) is not reused.
            Backing::Postgres { url, readers } => {
                pooled(readers, || PgConn::connect(url), |c| !c.is_closed(), |c| f(Db::from(c)))
            }
        })
        .await
        .map_err(|e| StoreError::Task(e.to_string()))?
    }

    /// Stop accepting writes; the writer finishes what is queued and exits.
    pub fn close(&self) {
        self.inner.writer.lock().unwrap_or_else(|p| p.into_inner()).take();
        self.inner.stopped.store(true, Ordering::Relaxed);
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

/// `f` on a session from `pool` (or a new one from `connect`), which goes back to the pool after
/// — up to [`POOLED_READERS`] — if it is still `fit`.
fn pooled<C, R>(
    pool: &Mutex<Vec<C>>,
    connect: impl FnOnce() -> Result<C, StoreError>,
    fit: impl Fn(&C) -> bool,
    f: impl FnOnce(&C) -> Result<R, StoreError>,
) -> Result<R, StoreError> {
    let taken = pool.lock().unwrap_or_else(|p| p.into_inner()).pop();
    let session = match taken {
        Some(c) => c,
        None => connect()?,
    };
    let result = f(&session);
    let mut pool = pool.lock().unwrap_or_else(|p| p.into_inner());
    if pool.len() < POOLED_READERS && fit(&session) {
        pool.push(session);
    }
    result
}

#[cfg(test)]
mod tests;
