//! Builds the crew web app (`crew-app/`, TypeScript bundled by esbuild) into `OUT_DIR/crew`, where
//! `src/crew_app.rs` embeds it: the server binary, and so its package, carries the app. The npm
//! packages come from `crew-app/package-lock.json` (`npm ci`) the first time.

use std::path::Path;
use std::process::Command;

fn main() {
    let manifest = std::env::var("CARGO_MANIFEST_DIR").expect("CARGO_MANIFEST_DIR");
    let app = Path::new(&manifest).join("../crew-app");
    for watched in ["src", "build.mjs", "package.json", "package-lock.json"] {
        println!("cargo:rerun-if-changed={}", app.join(watched).display());
    }
    let out = Path::new(&std::env::var("OUT_DIR").expect("OUT_DIR")).join("crew");
    if !app.join("node_modules/esbuild").exists() {
        run(Command::new("npm").args(["ci", "--no-audit", "--no-fund"]).current_dir(&app), "npm ci");
    }
    run(Command::new("node").arg("build.mjs").arg(&out).current_dir(&app), "node build.mjs");
}

fn run(cmd: &mut Command, what: &str) {
    match cmd.status() {
        Ok(s) if s.success() => {}
        Ok(s) => panic!("crew app: `{what}` failed ({s}) in crew-app/"),
        Err(e) => panic!(
            "crew app: cannot run `{what}` ({e}); Node.js and npm are needed to build the server \
             (bash scripts/deps.sh installs them)"
        ),
    }
}
