#!/usr/bin/env bash
# Idempotently installs everything the build and the tests need, offline of
# any tool download at build time: the wasm32 target, Trunk 0.21.14,
# wasm-bindgen-cli at the version pinned in Cargo.lock, Debian's Chromium and
# ChromeDriver, and the npm packages (binaryen's wasm-opt, playwright-core).
set -euo pipefail
cd "$(dirname "$0")/.."

log() { printf '\033[1m[setup]\033[0m %s\n' "$*"; }

# 1. Rust target (rust-toolchain.toml names the toolchain; rustup reads it).
if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
  log "adding wasm32-unknown-unknown"
  rustup target add wasm32-unknown-unknown
fi

# 2. Trunk 0.21.14 (0.22 needs a newer rustc than ours).
if ! trunk --version 2>/dev/null | grep -q '0.21.14'; then
  log "installing trunk 0.21.14 (about 6 minutes)"
  cargo install --locked trunk --version 0.21.14
fi

# 3. wasm-bindgen-cli at exactly the version in Cargo.lock.
wb_version=$(scripts/wasm-bindgen-version.sh)
if ! wasm-bindgen --version 2>/dev/null | grep -q " ${wb_version}\$"; then
  log "installing wasm-bindgen-cli ${wb_version} (about 2 minutes)"
  # Not --locked: its lockfile pins a crate the registry no longer has.
  cargo install wasm-bindgen-cli --version "${wb_version}" --force
fi
if ! grep -q "wasm_bindgen = \"${wb_version}\"" Trunk.toml; then
  echo "Trunk.toml [tools] wasm_bindgen must be \"${wb_version}\" (the version in Cargo.lock)" >&2
  exit 1
fi

# 4. Chromium and ChromeDriver from Debian, for the browser tests.
if [ ! -x /usr/bin/chromium ] || [ ! -x /usr/bin/chromedriver ]; then
  log "installing chromium and chromium-driver"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq chromium chromium-driver
fi

# 5. npm packages: binaryen (wasm-opt 132) and playwright-core.
if [ ! -x node_modules/.bin/wasm-opt ] || [ ! -d node_modules/playwright-core ] \
  || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  log "installing npm packages"
  npm ci --no-audit --no-fund
fi

log "ready: trunk $(trunk --version | cut -d' ' -f2), wasm-bindgen ${wb_version}, $(node_modules/.bin/wasm-opt --version | cut -d' ' -f1-3)"
