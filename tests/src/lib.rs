//! Fixtures for the end-to-end tests: a real server on 127.0.0.1 with a temporary SQLite file (or,
//! in the PostgreSQL pass, a database of its own: `pg::database_for`), real HTTP clients and a
//! real WebSocket to the live feed.

pub mod crew;
pub mod patroni;
pub mod pg;
pub mod smtp;

use atalaia_backend::{Config, Running};
use atalaia_core::auth::Role;
use atalaia_core::wire::{LiveMessage, LoginResponse, NewUser};
use futures_util::StreamExt;
use serde_json::Value;
use std::time::Duration;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;

pub const ADMIN_PASSWORD: &str = "admin-password-1";

pub struct TestServer {
    pub running: Running,
    pub http: reqwest::Client,
    pub admin_token: String,
    _dir: Option<tempfile::TempDir>,
}

pub type Ws = tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

impl TestServer {
    pub async fn start() -> Self {
        Self::start_with(|_| {}).await
    }

    pub async fn start_with(tweak: impl FnOnce(&mut Config)) -> Self {
        Self::start_at(std::sync::Arc::new(atalaia_core::SystemClock), tweak).await
    }

    /// A server whose time comes from `clock` (a `ManualClock` for calendar and expiry tests).
    pub async fn start_at(
        clock: std::sync::Arc<dyn atalaia_core::Clock>,
        tweak: impl FnOnce(&mut Config),
    ) -> Self {
        let dir = tempfile::tempdir().expect("tempdir");
        let mut s = Self::start_in(dir.path(), clock, tweak).await;
        s._dir = Some(dir);
        s
    }

    /// A server on the database in `dir`, which outlives it: shut it down and start another on
    /// the same directory to test a restart.
    pub async fn start_in(
        dir: &std::path::Path,
        clock: std::sync::Arc<dyn atalaia_core::Clock>,
        tweak: impl FnOnce(&mut Config),
    ) -> Self {
        // The PostgreSQL pass (`postgres-for-tests`) runs the same server on a database of its
        // own in the test cluster; otherwise a SQLite file in `dir`.
        let owned = dir.to_owned();
        let database = tokio::task::spawn_blocking(move || crate::pg::database_for(&owned))
            .await
            .expect("database chosen")
            .map_or_else(|| dir.join("atalaia.sqlite"), std::path::PathBuf::from);
        let mut config = Config::embedded(database);
        config.bootstrap_admin = Some(("admin".into(), ADMIN_PASSWORD.into()));
        tweak(&mut config);
        let running = atalaia_backend::server::start_with_clock(config, clock).await.expect("server starts");
        let http = reqwest::Client::new();
        let mut s = Self { running, http, admin_token: String::new(), _dir: None };
        s.settle("admin").await;
        s.admin_token = s.login("admin", ADMIN_PASSWORD).await.token;
        s
    }

    /// Marks `username`'s password as their own, as after its first change: a fixture's user
    /// works at once with the password the test gave it. (Tests of the forced change itself
    /// create their users without this.)
    pub async fn settle(&self, username: &str) {
        let name = username.to_owned();
        self.running
            .state
            .store
            .write(move |ctx| {
                ctx.conn.execute("UPDATE users SET must_change = 0 WHERE username = ?1", &[&name])?;
                Ok(())
            })
            .await
            .expect("settled");
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}/api/v1{path}", self.running.base_url())
    }

    /// One login attempt, whatever its outcome.
    pub async fn try_login(&self, user: &str, password: &str) -> reqwest::Response {
        self.http
            .post(self.url("/auth/login"))
            .json(&serde_json::json!({"username": user, "password": password}))
            .send()
            .await
            .expect("login request")
    }

    pub async fn login(&self, user: &str, password: &str) -> LoginResponse {
        let resp = self.try_login(user, password).await;
        assert_eq!(resp.status(), 200, "login of {user}");
        resp.json().await.expect("login body")
    }

    /// Create a user with `role` through the API and return its token.
    pub async fn user_token(&self, username: &str, role: Role) -> String {
        let new = NewUser {
            username: username.into(),
            display_name: format!("Usuário {username}"),
            role,
            password: "password-123".into(),
            unit: None,
        };
        let resp = self.post(&self.admin_token, "/users", &serde_json::to_value(&new).expect("json")).await;
        assert_eq!(resp.status(), 201, "create {username}");
        self.settle(username).await;
        self.login(username, "password-123").await.token
    }

    pub async fn post(&self, token: &str, path: &str, body: &Value) -> reqwest::Response {
        self.http.post(self.url(path)).bearer_auth(token).json(body).send().await.expect("POST")
    }

    pub async fn put(&self, token: &str, path: &str, body: &Value) -> reqwest::Response {
        self.http.put(self.url(path)).bearer_auth(token).json(body).send().await.expect("PUT")
    }

    /// PUT a file (`content_type`) as the request body.
    pub async fn put_file(
        &self,
        token: &str,
        path: &str,
        content_type: &str,
        body: Vec<u8>,
    ) -> reqwest::Response {
        self.http
            .put(self.url(path))
            .bearer_auth(token)
            .header("content-type", content_type)
            .body(body)
            .send()
            .await
            .expect("PUT")
    }

    pub async fn get(&self, token: &str, path: &str) -> reqwest::Response {
        self.http.get(self.url(path)).bearer_auth(token).send().await.expect("GET")
    }

    /// Send one OsmAnd report (GET query form) to the device-ingest port.
    pub async fn osmand(&self, query: &str) -> reqwest::Response {
        self.http.get(format!("{}/?{query}", self.running.osmand_url())).send().await.expect("OsmAnd")
    }

    pub async fn live(&self, token: &str, since: Option<u64>) -> Ws {
        live_at(&self.running.base_url(), token, since).await
    }
}

/// The live feed of the server at `base` (`http://…`), from `since` when given.
pub async fn live_at(base: &str, token: &str, since: Option<u64>) -> Ws {
    let base = base.replacen("http://", "ws://", 1);
    let url = match since {
        Some(s) => format!("{base}/api/v1/live?since={s}"),
        None => format!("{base}/api/v1/live"),
    };
    let mut req = url.into_client_request().expect("request");
    req.headers_mut().insert("authorization", format!("Bearer {token}").parse().expect("header"));
    let (ws, _) = tokio_tungstenite::connect_async(req).await.expect("websocket");
    ws
}

/// Next live-feed frame, failing the test after a timeout.
pub async fn next_message(ws: &mut Ws) -> LiveMessage {
    loop {
        let frame = tokio::time::timeout(Duration::from_secs(10), ws.next())
            .await
            .expect("live frame within 10 s")
            .expect("stream open")
            .expect("frame");
        if let Message::Text(t) = frame {
            return serde_json::from_str(&t).expect("LiveMessage");
        }
    }
}

/// Waits (up to 12 s: two of the server's session re-checks) for the live feed to close, and
/// returns the close code it gave (none when the connection just dropped).
pub async fn until_closed(ws: &mut Ws) -> Option<u16> {
    tokio::time::timeout(Duration::from_secs(12), async {
        loop {
            match ws.next().await {
                None | Some(Err(_)) => return None,
                Some(Ok(Message::Close(frame))) => return frame.map(|f| u16::from(f.code)),
                Some(Ok(_)) => {}
            }
        }
    })
    .await
    .expect("closed within the re-check interval")
}

/// Assert a response is problem+json with `status` and `code`; returns the body.
pub async fn expect_problem(resp: reqwest::Response, status: u16, code: &str) -> Value {
    assert_eq!(resp.status(), status);
    let ct = resp.headers().get("content-type").and_then(|v| v.to_str().ok()).unwrap_or_default().to_owned();
    assert_eq!(ct, "application/problem+json");
    let body: Value = resp.json().await.expect("problem body");
    assert_eq!(body["code"], code, "{body}");
    assert_eq!(body["status"], status);
    assert!(body["title"].as_str().is_some_and(|t| !t.is_empty()));
    body
}

/// The text of a PDF as poppler's `pdftotext` reads it (Debian poppler-utils).
pub fn pdf_text(bytes: &[u8]) -> String {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("r.pdf");
    std::fs::write(&path, bytes).expect("write");
    let out = std::process::Command::new("pdftotext")
        .args(["-layout", "-enc", "UTF-8"])
        .arg(&path)
        .arg("-")
        .output()
        .expect("pdftotext (apt-get install poppler-utils)");
    assert!(out.status.success(), "pdftotext: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).expect("utf8")
}

/// The `atalaia-server` executable of this build (built on first use when the test run did not
/// build it), for tests that need the server as a process of its own.
pub fn server_binary() -> std::path::PathBuf {
    let exe = std::env::current_exe().expect("test executable");
    // target/<profile>/deps/<test> → target/<profile>/atalaia-server
    let dir = exe.parent().and_then(|d| d.parent()).expect("target directory");
    let bin = dir.join(format!("atalaia-server{}", std::env::consts::EXE_SUFFIX));
    static BUILD: std::sync::Once = std::sync::Once::new();
    BUILD.call_once(|| {
        let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
        let status = std::process::Command::new(cargo)
            .args(["build", "--quiet", "-p", "atalaia-backend", "--bin", "atalaia-server"])
            .current_dir(env!("CARGO_MANIFEST_DIR"))
            .status()
            .expect("cargo build atalaia-server");
        assert!(status.success(), "atalaia-server did not build");
    });
    assert!(bin.exists(), "{} missing", bin.display());
    bin
}

/// A free TCP port on 127.0.0.1 (bound and released: good enough for one test).
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").expect("bind").local_addr().expect("addr").port()
}

/// `atalaia-server` running as a process of its own on a database in `dir`, with the demo
/// dataset; killed (SIGKILL) when dropped.
pub struct ServerProcess {
    child: std::process::Child,
    pub base: String,
}

impl ServerProcess {
    pub async fn start(dir: &std::path::Path, port: u16) -> Self {
        let args = ["--demo", "--osmand-listen", "127.0.0.1:0", "--gt06-listen", "127.0.0.1:0"]
            .iter()
            .chain(&["--teltonika-listen", "127.0.0.1:0"])
            .map(|s| s.to_string())
            .collect::<Vec<_>>();
        Self::start_with(dir, port, &args, &[], None).await
    }

    /// The server with these arguments (besides the API port, and the database unless `args`
    /// name one) and environment,
    /// its log (stderr) appended to `log` when given. Without `--demo` in `args`, the first
    /// administrator is `admin` with [`ADMIN_PASSWORD`].
    pub async fn start_with(
        dir: &std::path::Path,
        port: u16,
        args: &[String],
        env: &[(&str, &str)],
        log: Option<&std::path::Path>,
    ) -> Self {
        let mut cmd = std::process::Command::new(server_binary());
        if !args.iter().any(|a| a == "--database") {
            cmd.arg("--database").arg(dir.join("atalaia.sqlite"));
        }
        cmd.args(["--listen", &format!("127.0.0.1:{port}")])
            .args(args)
            .env("ATALAIA_LOG", "warn")
            .stdout(std::process::Stdio::null());
        if !args.iter().any(|a| a == "--demo") {
            cmd.args(["--admin-user", "admin"]).env("ATALAIA_ADMIN_PASSWORD", ADMIN_PASSWORD);
        }
        for (k, v) in env {
            cmd.env(k, v);
        }
        if let Some(path) = log {
            let file = std::fs::OpenOptions::new().create(true).append(true).open(path).expect("log file");
            cmd.stderr(file);
        }
        let child = cmd.spawn().expect("atalaia-server starts");
        let base = format!("http://127.0.0.1:{port}");
        let http = reqwest::Client::new();
        let deadline = std::time::Instant::now() + Duration::from_secs(60);
        loop {
            if let Ok(r) = http.get(format!("{base}/api/v1/health")).send().await
                && r.status() == 200
            {
                break;
            }
            assert!(std::time::Instant::now() < deadline, "atalaia-server not up within 60 s");
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        Self { child, base }
    }

    /// A token of `user` (the demo users' password is `atalaia-demo`, `admin`'s [`ADMIN_PASSWORD`]).
    /// A password that must be changed at the first access (the configured administrator's) is
    /// changed to [`changed`] of it, as the administrator would; later runs log in with that.
    pub async fn token(&self, user: &str, password: &str) -> String {
        let http = reqwest::Client::new();
        let login = |password: String| {
            http.post(format!("{}/api/v1/auth/login", self.base))
                .json(&serde_json::json!({"username": user, "password": password}))
                .send()
        };
        let mut resp = login(password.to_owned()).await.expect("login");
        if resp.status() == 401 {
            resp = login(changed(password)).await.expect("login");
        }
        assert_eq!(resp.status(), 200, "login of {user}");
        let session = resp.json::<LoginResponse>().await.expect("login body");
        if !session.must_change_password {
            return session.token;
        }
        let body = serde_json::json!({"current_password": password, "new_password": changed(password)});
        let r = http
            .post(format!("{}/api/v1/auth/password", self.base))
            .bearer_auth(&session.token)
            .json(&body)
            .send()
            .await
            .expect("password change");
        assert_eq!(r.status(), 204, "first password of {user} changed");
        let again = login(changed(password)).await.expect("login");
        assert_eq!(again.status(), 200, "login of {user} with the new password");
        again.json::<LoginResponse>().await.expect("login body").token
    }

    /// Stops the server the hard way (a crash or a pulled cable, not a shutdown).
    pub fn kill(mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for ServerProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The password a fixture's user chose at the first access to replace `first`.
pub fn changed(first: &str) -> String {
    format!("{first}-trocada")
}
