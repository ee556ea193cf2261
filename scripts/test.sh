#!/usr/bin/env bash
# Sets up (if needed) and runs every test: format, lints (native and wasm32),
# native unit and integration tests, a release Trunk build, the Spark job
# against `puffy run` and the browser end-to-end tests in headless Chromium.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
source scripts/env.sh

step() { printf '\n\033[1m== %s\033[0m\n' "$*"; }
t0=$SECONDS
# Disk is shared and finite: say how much there is, so a run that fills
# it is easy to tell from a real failure.
df -h . "${TMPDIR:-/tmp}" | sed 's/^/disk: /'

step "cargo fmt --check"
cargo fmt --all -- --check

step "cargo clippy (native, whole workspace)"
cargo clippy --workspace --all-targets --locked -- -D warnings

step "cargo clippy (wasm32: app, engine, report)"
cargo clippy --target wasm32-unknown-unknown -p puffy-app -p engine -p puffy-report --locked -- -D warnings

step "cargo test --workspace"
cargo test --workspace --locked

step "trunk build --release"
trunk build --release

step "Spark job against puffy run (scripts/test-distributed.sh)"
scripts/test-distributed.sh

step "browser end-to-end tests (headless Chromium)"
cargo build --release -p puffy-cli --locked
export PUFFY_BIN="$PWD/target/release/puffy"
node --test --test-concurrency=1 tests/

echo
df -h . "${TMPDIR:-/tmp}" | sed 's/^/disk: /'
echo "all checks passed in $((SECONDS - t0)) s"
