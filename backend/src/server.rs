//! Server assembly: opens the store, bootstraps the first administrator, binds the API and the
//! device-ingest listeners, and shuts them down together.

use crate::config::Config;
use crate::monitor::Monitor;
use crate::store::{Store, StoreError};
use crate::{api, auth, ingest};
use atalaia_core::auth::Role;
use atalaia_core::detect::EngineConfig;
use atalaia_core::wire::NewUser;
use atalaia_core::{Clock, SystemClock};
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;
use tokio::net::TcpListener;
use tokio::sync::watch;
use tokio::task::JoinHandle;

#[derive(Clone)]
pub struct AppState {
    pub store: Store,
    pub config: Arc<Config>,
    pub clock: Arc<dyn Clock>,
    /// The monitoring detectors and alarm manager.
    pub monitor: crate::monitor::Monitor,
    /// Wakes device connections when a command is queued for them.
    pub commands: crate::commands::CommandBus,
    /// Delivers queued e-mail and SMS.
    pub outbox: crate::notify::Outbox,
    /// Becomes true when the server is stopping; long-lived connections (live feed) close on it.
    pub stopping: watch::Receiver<bool>,
    /// Idempotency keys whose first request is still running.
    pub idempotency: crate::idempotency::InFlight,
    /// Device models: what each device's inputs mean.
    pub models: Arc<crate::ingest::models::ModelRegistry>,
    /// Bounds on what refused device traffic may write and log.
    pub gate: Arc<crate::ingest::gate::Gate>,
    /// Failed logins per source and account (`crate::throttle`).
    pub throttle: Arc<crate::throttle::Throttle>,
}

#[derive(Debug, thiserror::Error)]
pub enum ServerError {
    #[error("configuration: {0}")]
    Config(String),
    #[error("database: {0}")]
    Store(#[from] StoreError),
    #[error("cannot listen on {addr}: {source}")]
    Bind { addr: SocketAddr, source: std::io::Error },
    #[error("bootstrap: {0}")]
    Bootstrap(String),
}

/// A running server. Dropping it leaves the tasks running; call [`Running::shutdown`].
pub struct Running {
    pub api_addr: SocketAddr,
    pub osmand_addr: SocketAddr,
    pub gt06_addr: SocketAddr,
    pub teltonika_addr: SocketAddr,
    pub state: AppState,
    stop: watch::Sender<bool>,
    tasks: Vec<JoinHandle<()>>,
}

impl Running {
    pub fn base_url(&self) -> String {
        format!("http://{}", self.api_addr)
    }

    pub fn osmand_url(&self) -> String {
        format!("http://{}", self.osmand_addr)
    }

    /// Stop both listeners (waiting briefly for in-flight requests) and the store writer.
    pub async fn shutdown(self) {
        let _ = self.stop.send(true);
        for t in self.tasks {
            let abort = t.abort_handle();
            if tokio::time::timeout(Duration::from_secs(3), t).await.is_err() {
                abort.abort();
            }
        }
        self.state.store.close();
    }
}

/// Resolves when the server starts stopping (or its stop signal is gone). The guard of
/// `wait_for` is dropped inside, so callers can hold this future across awaits in `Send` tasks.
pub(crate) async fn until_stopping(mut rx: watch::Receiver<bool>) {
    let _ = rx.wait_for(|s| *s).await.map(|_| ());
}

/// Bind `addr`, returning the listener and the address it really got (port 0 picks one).
async fn bind(addr: SocketAddr) -> Result<(TcpListener, SocketAddr), ServerError> {
    let listener = TcpListener::bind(addr).await.map_err(|source| ServerError::Bind { addr, source })?;
    let local = listener.local_addr().map_err(|source| ServerError::Bind { addr, source })?;
    Ok((listener, local))
}

/// Creates the configured first administrator when the database has no users; true if it did.
async fn bootstrap_admin(store: &Store, config: &Config) -> Result<bool, ServerError> {
    let Some((username, password)) = config.bootstrap_admin.clone() else { return Ok(false) };
    if auth::user_count(store).await.map_err(|e| ServerError::Bootstrap(e.to_string()))? > 0 {
        return Ok(false);
    }
    let new =
        NewUser { username, display_name: "Administrador".into(), role: Role::Admin, password, unit: None };
    // A printed or configured password: the administrator chooses their own at the first access.
    auth::create_user(store, None, new, true).await.map_err(|e| ServerError::Bootstrap(format!("{e:?}")))?;
    tracing::info!("bootstrap administrator created");
    Ok(true)
}

/// `atalaia-server --init-admin`: creates (migrating) the database and its first administrator,
/// then returns without serving — for installers. Nothing happens when users exist already.
pub async fn init_admin(config: &Config) -> Result<bool, ServerError> {
    if config.bootstrap_admin.is_none() {
        return Err(ServerError::Config("--init-admin needs --admin-user and ATALAIA_ADMIN_PASSWORD".into()));
    }
    let store = Store::open_url(&config.database.to_string_lossy(), Arc::new(SystemClock))?;
    let created = bootstrap_admin(&store, config).await;
    store.close();
    created
}

pub async fn start(config: Config) -> Result<Running, ServerError> {
    start_with_clock(config, Arc::new(SystemClock)).await
}

/// Start with a given clock (tests and the simulator's accelerated time).
pub async fn start_with_clock(config: Config, clock: Arc<dyn Clock>) -> Result<Running, ServerError> {
    config.check_transport().map_err(ServerError::Config)?;
    let store = Store::open_url(&config.database.to_string_lossy(), clock.clone())?;
    let (stop, stopping) = watch::channel(false);
    let config = Arc::new(config);

    if config.demo {
        let seeded = crate::seed::demo(&store, crate::seed::DemoOptions::default(), config.timezone)
            .await
            .map_err(|e| ServerError::Bootstrap(e.to_string()))?;
        tracing::info!(
            seeded,
            "demo dataset ready (password of every demo user: {})",
            crate::seed::DEMO_PASSWORD
        );
    }
    // Subscribe before loading so nothing saved in between escapes the detectors.
    let events = store.subscribe();
    let engine_config = EngineConfig { tz: config.timezone, ..EngineConfig::default() };
    let monitor =
        Monitor::load(&store, engine_config, chrono::Duration::minutes(config.ack_target_minutes)).await?;
    let commands = crate::commands::CommandBus::default();
    for key in crate::commands::waiting_keys(&store).await? {
        commands.set_pending(&key, true);
    }
    let outbox = crate::notify::Outbox::from_config(&config).map_err(ServerError::Config)?;
    match crate::idempotency::purge(&store).await {
        Ok(0) => {}
        Ok(n) => tracing::info!(keys = n, "old idempotency keys forgotten"),
        Err(e) => tracing::warn!(error = %e, "old idempotency keys not purged"),
    }
    let idempotency = crate::idempotency::InFlight::default();
    let models = crate::ingest::models::ModelRegistry::load(config.device_models.as_deref())
        .map(Arc::new)
        .map_err(|e| ServerError::Config(format!("device_models: {e}")))?;
    let gate = Arc::new(crate::ingest::gate::Gate::default());
    let throttle = Arc::new(crate::throttle::Throttle::default());
    let state = AppState {
        store,
        config,
        clock,
        monitor,
        commands,
        outbox,
        stopping,
        idempotency,
        models,
        gate,
        throttle,
    };
    if !bootstrap_admin(&state.store, &state.config).await? {
        let no_users =
            auth::user_count(&state.store).await.map_err(|e| ServerError::Bootstrap(e.to_string()))? == 0;
        if no_users {
            tracing::warn!(
                "the database has no users, so nobody can log in: run `atalaia-server --init-admin \
                 --admin-user NAME` with ATALAIA_ADMIN_PASSWORD (or --demo for the demo users)"
            );
        }
    }

    let (api_listener, api_addr) = bind(state.config.listen).await?;
    let (osmand_listener, osmand_addr) = bind(state.config.osmand_listen).await?;
    let (gt06_listener, gt06_addr) = bind(state.config.gt06_listen).await?;
    let (teltonika_listener, teltonika_addr) = bind(state.config.teltonika_listen).await?;

    let tls = match (&state.config.tls_cert, &state.config.tls_key) {
        (Some(cert), Some(key)) => Some(crate::tls::acceptor(cert, key).map_err(ServerError::Config)?),
        _ => None,
    };
    let http = |l: TcpListener, addr: SocketAddr| {
        crate::tls::HttpListener::new(l, tls.clone()).map_err(|source| ServerError::Bind { addr, source })
    };
    // The caller's address reaches the login (throttling per source, `crate::throttle`).
    let api = axum::serve(
        http(api_listener, api_addr)?,
        api::router(state.clone()).into_make_service_with_connect_info::<crate::tls::Remote>(),
    )
    .with_graceful_shutdown(until_stopping(stop.subscribe()));
    let osmand = axum::serve(
        http(osmand_listener, osmand_addr)?,
        ingest::osmand::router(state.clone()).into_make_service_with_connect_info::<crate::tls::Remote>(),
    )
    .with_graceful_shutdown(until_stopping(stop.subscribe()));
    let tasks = vec![
        tokio::spawn(state.monitor.clone().follow(state.store.clone(), events, stop.subscribe())),
        tokio::spawn(state.monitor.clone().run_ticks(state.store.clone(), stop.subscribe())),
        tokio::spawn(state.monitor.clone().run_queue(state.store.clone(), stop.subscribe())),
        tokio::spawn(state.outbox.clone().run(state.store.clone(), stop.subscribe())),
        tokio::spawn(crate::fleet::run(state.clone(), stop.subscribe())),
        tokio::spawn(async move {
            if let Err(e) = api.await {
                tracing::error!(error = %e, "API server stopped");
            }
        }),
        tokio::spawn(async move {
            if let Err(e) = osmand.await {
                tracing::error!(error = %e, "OsmAnd ingest stopped");
            }
        }),
        tokio::spawn(ingest::tcp::serve(
            gt06_listener,
            tls.clone(),
            state.clone(),
            stop.subscribe(),
            "gt06",
            ingest::gt06_tcp::connection,
        )),
        tokio::spawn(ingest::tcp::serve(
            teltonika_listener,
            tls.clone(),
            state.clone(),
            stop.subscribe(),
            "teltonika",
            ingest::teltonika_tcp::connection,
        )),
    ];
    let tls_on = tls.is_some();
    tracing::info!(%api_addr, %osmand_addr, %gt06_addr, %teltonika_addr, tls = tls_on, "Atalaia server listening");
    Ok(Running { api_addr, osmand_addr, gt06_addr, teltonika_addr, state, stop, tasks })
}
