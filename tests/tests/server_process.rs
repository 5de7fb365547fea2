//! `atalaia-server` as installers and service managers use it (issue 9): `--init-admin` makes the
//! database and its first administrator once and serves nothing; the server stops cleanly on
//! SIGTERM (what `systemctl stop` sends).

use atalaia_tests::{free_port, server_binary};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

fn init_admin(db: &std::path::Path, password: &str) -> std::process::Output {
    Command::new(server_binary())
        .args(["--init-admin", "--admin-user", "admin", "--database"])
        .arg(db)
        .env("ATALAIA_ADMIN_PASSWORD", password)
        .env("ATALAIA_LOG", "warn")
        .output()
        .expect("atalaia-server --init-admin")
}

#[tokio::test]
async fn init_admin_makes_the_first_administrator_once_and_sigterm_stops_the_server() {
    let dir = tempfile::tempdir().expect("dir");
    let db = dir.path().join("atalaia.sqlite");
    let out = init_admin(&db, "primeira-senha-1");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(String::from_utf8_lossy(&out.stdout).trim(), "administrator created");
    let again = init_admin(&db, "outra-senha-22");
    assert!(again.status.success());
    assert_eq!(String::from_utf8_lossy(&again.stdout).trim(), "users exist already; nothing done");
    let missing =
        Command::new(server_binary()).args(["--init-admin", "--database"]).arg(&db).output().expect("run");
    assert!(!missing.status.success(), "--init-admin without a user name is an error");

    let port = free_port();
    let mut server = Command::new(server_binary())
        .arg("--database")
        .arg(&db)
        .args(["--listen", &format!("127.0.0.1:{port}"), "--osmand-listen", "127.0.0.1:0"])
        .args(["--gt06-listen", "127.0.0.1:0", "--teltonika-listen", "127.0.0.1:0"])
        .env("ATALAIA_LOG", "warn")
        .stdout(Stdio::null())
        .spawn()
        .expect("server");
    let http = reqwest::Client::new();
    let base = format!("http://127.0.0.1:{port}/api/v1");
    let deadline = Instant::now() + Duration::from_secs(30);
    while http.get(format!("{base}/health")).send().await.is_err() {
        assert!(Instant::now() < deadline, "server not up");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let login = |password: &'static str| {
        http.post(format!("{base}/auth/login"))
            .json(&serde_json::json!({"username": "admin", "password": password}))
            .send()
    };
    assert_eq!(login("primeira-senha-1").await.expect("login").status(), 200, "the first password");
    assert_eq!(login("outra-senha-22").await.expect("login").status(), 401, "the second run changed nothing");

    let status = Command::new("kill").args(["-TERM", &server.id().to_string()]).status().expect("kill");
    assert!(status.success());
    let deadline = Instant::now() + Duration::from_secs(20);
    let exit = loop {
        if let Some(exit) = server.try_wait().expect("wait") {
            break exit;
        }
        assert!(Instant::now() < deadline, "still running 20 s after SIGTERM");
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    assert!(exit.success(), "a clean stop on SIGTERM, not a kill: {exit:?}");
}
