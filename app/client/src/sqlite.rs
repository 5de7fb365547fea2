//! Opening the console's own SQLite files (command queue, offline cache, tile cache), which the
//! window and its background tasks open on their own connections, sometimes at the same moment.

use rusqlite::{Connection, ErrorCode};
use std::path::Path;
use std::time::{Duration, Instant};

/// How long an opening waits for another connection of the same console to finish its own.
const WAIT: Duration = Duration::from_secs(10);

/// Opens `path` and runs `setup` (journal mode, tables) on it. SQLite answers "busy" without
/// calling the busy handler in some of the steps of a first opening (switching a fresh file to
/// WAL, a schema read overtaken by another connection's `CREATE TABLE`), so a busy setup is run
/// again until [`WAIT`] has passed; `setup` must therefore be safe to repeat.
pub(crate) fn open(
    path: &Path,
    setup: impl Fn(&Connection) -> rusqlite::Result<()>,
) -> rusqlite::Result<Connection> {
    let conn = Connection::open(path)?;
    conn.busy_timeout(WAIT)?;
    let deadline = Instant::now() + WAIT;
    loop {
        match setup(&conn) {
            Err(rusqlite::Error::SqliteFailure(e, _))
                if matches!(e.code, ErrorCode::DatabaseBusy | ErrorCode::DatabaseLocked)
                    && Instant::now() < deadline =>
            {
                std::thread::sleep(Duration::from_millis(5));
            }
            done => return done.map(|()| conn),
        }
    }
}
