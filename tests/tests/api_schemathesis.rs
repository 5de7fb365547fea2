//! The API's contract checked by an independent tool (issue 24 item 5): schemathesis, from PyPI,
//! runs every one of its checks against the document the server serves — schema-valid requests
//! must be accepted, schema-violating ones refused, every status, content type, header and body
//! must be the documented one, and no request may make the server fail. The server is the real
//! binary on its demo dataset; schemathesis' own data generation, shrinking and stateful reuse of
//! the ids it saw choose the requests. Where a rule cannot be said in JSON Schema (a CPF's check
//! digits, a period's end after its start), `tests/schemathesis/schemathesis.toml` adds the status
//! that rule answers, naming it.

use atalaia_tests::{ServerProcess, free_port};
use std::path::{Path, PathBuf};

/// Where `scripts/deps.sh test` installs schemathesis (a virtual environment of its own), unless
/// `ATALAIA_SCHEMATHESIS` names the executable.
fn schemathesis() -> PathBuf {
    let path = std::env::var_os("ATALAIA_SCHEMATHESIS").map(PathBuf::from).unwrap_or_else(|| {
        let cache = std::env::var_os("XDG_CACHE_HOME")
            .map(PathBuf::from)
            .or_else(|| std::env::var_os("HOME").map(|h| Path::new(&h).join(".cache")))
            .expect("HOME or XDG_CACHE_HOME");
        cache.join("atalaia/schemathesis/bin/schemathesis")
    });
    assert!(path.exists(), "{} missing: run `bash scripts/deps.sh test`", path.display());
    path
}

/// Real files for the routes that take files as they are (`tests/schemathesis/hooks.py`).
fn samples(dir: &Path) {
    std::fs::create_dir_all(dir).expect("samples dir");
    let img = image::RgbImage::from_fn(96, 128, |x, y| image::Rgb([200, (x * 4) as u8, (y * 5) as u8]));
    img.save(dir.join("photo.jpg")).expect("jpeg");
    img.save(dir.join("photo.png")).expect("png");
    let pdf = b"%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n\
        2 0 obj << /Type /Pages /Kids [] /Count 0 >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n";
    std::fs::write(dir.join("document.pdf"), pdf).expect("pdf");
}

#[tokio::test(flavor = "multi_thread")]
async fn issue_24_item_5_schemathesis_finds_no_failure_with_every_check() {
    let st = schemathesis();
    let dir = tempfile::tempdir().expect("tempdir");
    let server = ServerProcess::start(dir.path(), free_port()).await;
    let token = server.token("admin", "atalaia-demo").await;
    let here = Path::new(env!("CARGO_MANIFEST_DIR")).join("schemathesis");
    let sample_dir = dir.path().join("samples");
    samples(&sample_dir);
    let report = dir.path().join("report");
    let mut run = std::process::Command::new(&st);
    // Its cache (replays of earlier failures) stays in the test's directory, out of the tree.
    run.current_dir(dir.path())
        .arg("--config-file")
        .arg(here.join("schemathesis.toml"))
        .args(["--no-color", "run", &format!("{}/api/v1/openapi.json", server.base)])
        .args(["--header", &format!("Authorization: Bearer {token}")])
        // Ending the session would leave the rest of the run without one.
        .args(["--exclude-path", "/api/v1/auth/logout"])
        .args(["--checks", "all", "--phases", "examples,coverage,fuzzing"])
        .args(["--max-examples", "10", "--seed", "24", "--workers", "2", "--request-timeout", "30"])
        .args(["--report", "junit", "--report-dir"])
        .arg(&report)
        .env("SCHEMATHESIS_HOOKS", "hooks")
        .env("PYTHONPATH", &here)
        .env("PYTHONDONTWRITEBYTECODE", "1")
        .env("ATALAIA_ST_SAMPLES", &sample_dir);
    // Run off the runtime's threads: the server is a process of its own.
    let out =
        tokio::task::spawn_blocking(move || run.output()).await.expect("joined").expect("schemathesis runs");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "schemathesis found failures:\n{stdout}\n{stderr}");
    // It did test: every operation of the document but the one excluded.
    assert!(stdout.contains("Tested: "), "{stdout}");
    assert!(!stdout.contains("Tested: 0"), "{stdout}");
}
