#!/usr/bin/env bash
# The whole test suite: formatting, lints, a smoke run of the demo console in a real window under
# Xvfb (screenshots in target/smoke/), then every unit and end-to-end test.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/deps.sh test
export CARGO_TERM_COLOR=never ICED_TEST_BACKEND=tiny-skia RUST_BACKTRACE=1
# The console under test ignores an installed workstation settings file (/etc/atalaia/console.toml).
export ATALAIA_CONSOLE_CONFIG=none
# A fresh clone in CI gains nothing from incremental builds, and its test binaries need no debug
# sections (a panic still names its file and line): both would take gigabytes of its disk.
if [ "${CI:-}" = "true" ]; then export CARGO_INCREMENTAL=0 CARGO_PROFILE_DEV_STRIP=debuginfo; fi

cargo fmt --all -- --check
# The crew web app: its npm packages from the lockfile, then the TypeScript type check.
(cd crew-app && { [ -d node_modules/esbuild ] || npm ci --no-audit --no-fund; } && npm run --silent check)
cargo clippy --locked --workspace --all-targets -- -D warnings
bash scripts/smoke-console.sh target/smoke
# The offline tests run the server as a process of its own.
cargo build --locked -p atalaia-backend --bin atalaia-server
# nextest when present (one summary line, each test in its own process), cargo test otherwise.
if cargo nextest --version >/dev/null 2>&1; then
  cargo nextest run --locked --workspace --no-fail-fast
  # Tests that start PostgreSQL clusters of their own ran above already, and so did schemathesis
  # (its server is a process of its own on SQLite either way).
  tests=(cargo nextest run --locked -p atalaia-tests --no-fail-fast -E 'not (binary(pg_failover) |
    binary(replicas) | binary(pg_leader) | binary(pg_log) | binary(pg_restart) | binary(store_conformance) |
    binary(pg_migrate) | binary(api_schemathesis))')
else
  cargo test --locked --workspace --no-fail-fast
  tests=(cargo test --locked -p atalaia-tests --no-fail-fast)
fi
# The end-to-end tests again with every server on PostgreSQL (issue 24: one store, two engines),
# on a cluster started from Debian's packages for this pass and removed after it.
cargo build --locked -p atalaia-tests --bin postgres-for-tests
"${CARGO_TARGET_DIR:-target}/debug/postgres-for-tests" "${tests[@]}"

# The packages (issue 9): built, installed, upgraded and purged on this machine — in CI (or with
# ATALAIA_PACKAGES=1), as root, since it installs them system-wide.
if [ "${CI:-}" = "true" ] || [ "${ATALAIA_PACKAGES:-}" = "1" ]; then
  # In CI the test builds are done with: their disk goes to the release build.
  if [ "${CI:-}" = "true" ]; then
    rm -rf "${CARGO_TARGET_DIR:-target}/debug"
    df -h . | tail -1
  fi
  bash scripts/packages.sh
fi
