//! A real PostgreSQL for tests (issue 24): Debian's server binaries (`postgresql` package, which
//! `scripts/deps.sh test` installs) started in a temporary directory on a free port of 127.0.0.1,
//! stopped and removed on drop. Nothing is downloaded. `initdb` and `pg_ctl` refuse to run as
//! root, so under root (CI) they run as the `postgres` user the package creates.

use std::path::{Path, PathBuf};
use std::process::Command;

/// A PostgreSQL cluster of its own, alive while this value is.
pub struct Postgres {
    dir: tempfile::TempDir,
    bin: PathBuf,
    port: u16,
}

impl Postgres {
    /// Creates and starts a cluster (about a second): trust authentication for the user
    /// `atalaia` on 127.0.0.1 only, `fsync` off (a test's data needs no durability).
    pub fn start() -> Self {
        Self::start_with(false)
    }

    /// [`Postgres::start`] with PostgreSQL's durability settings as shipped (`fsync`, synchronous
    /// commit, full pages): for benchmarks, whose figures must include the flush a real central
    /// pays before acknowledging.
    pub fn start_durable() -> Self {
        Self::start_with(true)
    }

    fn start_with(durable: bool) -> Self {
        let bin = server_binaries();
        let dir = tempfile::Builder::new().prefix("atalaia-pg-").tempdir().expect("temporary directory");
        if is_root() {
            chown_to_postgres(dir.path());
        }
        let data = dir.path().join("data");
        let s = |p: &Path| p.to_str().expect("utf-8 path").to_owned();
        run(
            &bin,
            "initdb",
            &["-D", &s(&data), "-A", "trust", "-U", "atalaia", "-E", "UTF8", "--locale=C", "--no-sync"],
        );
        let port = free_port();
        let speed =
            if durable { "" } else { "-c fsync=off -c synchronous_commit=off -c full_page_writes=off" };
        let options = format!(
            "-p {port} -k {} -c listen_addresses=127.0.0.1 {speed} -c max_connections=200",
            s(dir.path())
        );
        let log = dir.path().join("server.log");
        run(&bin, "pg_ctl", &["-D", &s(&data), "-l", &s(&log), "-w", "-t", "60", "-o", &options, "start"]);
        Self { dir, bin, port }
    }

    /// The connection string of the cluster's `postgres` database.
    pub fn url(&self) -> String {
        format!("postgres://atalaia@127.0.0.1:{}/postgres", self.port)
    }

    /// The server's log so far (for a failing test's message).
    pub fn log(&self) -> String {
        std::fs::read_to_string(self.dir.path().join("server.log")).unwrap_or_default()
    }
}

impl Drop for Postgres {
    fn drop(&mut self) {
        let data = self.dir.path().join("data");
        let data = data.to_str().expect("utf-8 path");
        let _ = command(&self.bin, "pg_ctl", &["-D", data, "-m", "immediate", "-w", "stop"]).output();
    }
}

/// The newest PostgreSQL server installed from Debian's packages.
pub(crate) fn server_binaries() -> PathBuf {
    let mut versions: Vec<(u32, PathBuf)> = std::fs::read_dir("/usr/lib/postgresql")
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|e| {
            let v: u32 = e.file_name().to_str()?.parse().ok()?;
            let bin = e.path().join("bin");
            bin.join("initdb").exists().then_some((v, bin))
        })
        .collect();
    versions.sort();
    versions.pop().map(|(_, bin)| bin).expect(
        "PostgreSQL server binaries not found under /usr/lib/postgresql: run `bash scripts/deps.sh test`",
    )
}

/// Whether this process runs as root: the owner of a file it just made.
pub(crate) fn is_root() -> bool {
    use std::os::unix::fs::MetadataExt;
    static ROOT: std::sync::OnceLock<bool> = std::sync::OnceLock::new();
    *ROOT.get_or_init(|| {
        let probe = tempfile::tempfile().expect("a temporary file");
        probe.metadata().expect("its metadata").uid() == 0
    })
}

fn chown_to_postgres(dir: &Path) {
    let ok = Command::new("chown").args(["postgres:postgres"]).arg(dir).status().is_ok_and(|s| s.success());
    assert!(ok, "could not give {} to the postgres user", dir.display());
}

fn command(bin: &Path, program: &str, args: &[&str]) -> Command {
    let program = bin.join(program);
    if is_root() {
        let mut c = Command::new("runuser");
        c.args(["-u", "postgres", "--"]).arg(program).args(args);
        c
    } else {
        let mut c = Command::new(program);
        c.args(args);
        c
    }
}

fn run(bin: &Path, program: &str, args: &[&str]) {
    let out = command(bin, program, args).output().unwrap_or_else(|e| panic!("{program}: {e}"));
    assert!(
        out.status.success(),
        "{program} failed: {}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

fn free_port() -> u16 {
    let l = std::net::TcpListener::bind("127.0.0.1:0").expect("a free port");
    l.local_addr().expect("address").port()
}

/// The variable naming a PostgreSQL cluster (the URL of its `postgres` database) that
/// [`crate::TestServer`] runs its servers on instead of SQLite: set by
/// `postgres-for-tests` (this crate's binary) for the end-to-end pass on PostgreSQL.
pub const CLUSTER_VARIABLE: &str = "ATALAIA_TEST_POSTGRES";

/// When [`CLUSTER_VARIABLE`] is set: the URL of a database of that cluster for the server whose
/// files are in `dir`, created the first time (a server restarted on the same directory finds
/// its data again). Blocking: call it off the asynchronous threads.
pub fn database_for(dir: &Path) -> Option<String> {
    use std::hash::{Hash, Hasher};
    let cluster = std::env::var(CLUSTER_VARIABLE).ok().filter(|u| !u.is_empty())?;
    let mut hasher = std::collections::hash_map::DefaultHasher::new();
    dir.hash(&mut hasher);
    let name = format!("t_{:016x}", hasher.finish());
    let admin = atalaia_backend::store::db::PgConn::connect(&cluster).expect("the test cluster answers");
    let db = atalaia_backend::store::db::Db::from(&admin);
    let exists = db.query_opt("SELECT 1 FROM pg_database WHERE datname = ?1", &[&name]).expect("pg_database");
    if exists.is_none() {
        db.batch(&format!("CREATE DATABASE {name}")).expect("database created");
    }
    let base = cluster.rsplit_once('/').map_or(cluster.as_str(), |(base, _)| base);
    Some(format!("{base}/{name}"))
}

impl Postgres {
    /// Restarts the cluster (a fast shutdown: every session is closed), as an upgrade or a
    /// failover would for the servers connected to it.
    pub fn restart(&self) {
        let data = self.dir.path().join("data");
        let log = self.dir.path().join("server.log");
        let s = |p: &Path| p.to_str().expect("utf-8 path").to_owned();
        // The log file again: otherwise the new server writes to (and holds open) our pipe.
        run(
            &self.bin,
            "pg_ctl",
            &["-D", &s(&data), "-l", &s(&log), "-m", "fast", "-w", "-t", "60", "restart"],
        );
    }
}
