#!/usr/bin/env bash
# Run the Atalaia console in demo mode: embedded backend on 127.0.0.1, demo dataset, simulated
# ankle bracelets and ambulances. Extra arguments go to the console (try --help).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/deps.sh run
exec cargo run --locked -p atalaia-console --bin atalaia -- --demo "$@"
