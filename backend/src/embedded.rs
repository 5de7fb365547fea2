//! Embedded mode for the console: the whole backend on 127.0.0.1 in a background runtime, with
//! SQLite in the user's data directory; in demo mode also the demo dataset and the simulator.

use crate::config::Config;
use crate::{seed, server, sim};
use std::path::PathBuf;
use std::sync::mpsc;

/// A backend running inside the console process.
#[derive(Debug, Clone)]
pub struct Embedded {
    /// Root URL of the REST API, e.g. `http://127.0.0.1:41234`.
    pub base_url: String,
    /// Root URL of the OsmAnd device ingest.
    pub ingest_url: String,
    /// Credentials the login screen offers (username, password): a demo user, or the first-run
    /// administrator created with a random password on a new database.
    pub demo_login: Option<(String, String)>,
}

fn random_password() -> String {
    use rand::Rng;
    const ALPHABET: &[u8] = b"abcdefghjkmnpqrstuvwxyzACDEFGHJKLMNPQRSTUVWXYZ23456789";
    let mut rng = rand::rng();
    (0..14).map(|_| ALPHABET[rng.random_range(0..ALPHABET.len())] as char).collect()
}

/// The first-run administrator password of a standalone workstation: generated once, kept beside
/// the database (owner-only permissions) and offered on the login screen until it is changed.
fn first_run_password(data_dir: &std::path::Path) -> Result<String, String> {
    let path = data_dir.join("first-run-admin-password.txt");
    if let Ok(existing) = std::fs::read_to_string(&path) {
        return Ok(existing.trim().to_owned());
    }
    std::fs::create_dir_all(data_dir).map_err(|e| format!("{}: {e}", data_dir.display()))?;
    let password = random_password();
    std::fs::write(&path, &password).map_err(|e| format!("{}: {e}", path.display()))?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let _ = std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600));
    }
    Ok(password)
}

async fn boot(data_dir: PathBuf, demo: bool) -> Result<(server::Running, Embedded), String> {
    let database = data_dir.join(if demo { "atalaia-demo.sqlite" } else { "atalaia.sqlite" });
    if demo {
        // Every demo starts from the same fresh dataset, so waiting times and alarms look like a
        // live shift rather than leftovers of the last run. The real database is never touched.
        for suffix in ["", "-wal", "-shm"] {
            let file = PathBuf::from(format!("{}{suffix}", database.display()));
            if file.exists() {
                std::fs::remove_file(&file).map_err(|e| format!("{}: {e}", file.display()))?;
            }
        }
    }
    let mut config = Config::embedded(database);
    let initial = if demo { None } else { Some(first_run_password(&data_dir)?) };
    if let Some(pw) = &initial {
        config.bootstrap_admin = Some(("admin".into(), pw.clone()));
    }
    config.demo = demo;
    if demo {
        // The simulator drives every ambulance between calls and its base whatever its status
        // (it does not dispatch), so "moving without a dispatch" (RFS010) would fire for the
        // whole demo fleet; the rule stays on for real centres.
        config.fleet_moving_kmh = 0.0;
    }
    let running = server::start(config).await.map_err(|e| e.to_string())?;
    let login = if demo {
        let cfg = sim::SimConfig { osmand_url: running.osmand_url(), ..sim::SimConfig::default() };
        tokio::spawn(sim::run(cfg));
        Some(("supervisor".to_owned(), seed::DEMO_PASSWORD.to_owned()))
    } else {
        match initial {
            Some(pw) if crate::auth::password_matches(&running.state.store, "admin", &pw).await => {
                Some(("admin".to_owned(), pw))
            }
            _ => None,
        }
    };
    let embedded =
        Embedded { base_url: running.base_url(), ingest_url: running.osmand_url(), demo_login: login };
    Ok((running, embedded))
}

/// Start the backend with its SQLite database in `data_dir`; with `demo`, seed the demo dataset and
/// run the simulator. Returns once both listeners accept connections; the backend lives as long
/// as the process.
pub fn start_in_background(data_dir: PathBuf, demo: bool) -> Result<Embedded, String> {
    let (tx, rx) = mpsc::channel();
    std::thread::Builder::new()
        .name("atalaia-embedded-backend".into())
        .spawn(move || {
            let runtime =
                match tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build() {
                    Ok(r) => r,
                    Err(e) => {
                        let _ = tx.send(Err(format!("runtime: {e}")));
                        return;
                    }
                };
            runtime.block_on(async move {
                match boot(data_dir, demo).await {
                    Ok((running, embedded)) => {
                        let _ = tx.send(Ok(embedded));
                        // Keep serving until the process exits.
                        std::future::pending::<()>().await;
                        drop(running);
                    }
                    Err(e) => {
                        let _ = tx.send(Err(e));
                    }
                }
            });
        })
        .map_err(|e| e.to_string())?;
    rx.recv().map_err(|_| "embedded backend thread ended unexpectedly".to_owned())?
}
