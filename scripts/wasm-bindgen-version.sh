#!/usr/bin/env bash
# Prints the wasm-bindgen version pinned in Cargo.lock: the one source of truth
# for the wasm-bindgen-cli that Trunk must use.
set -euo pipefail
cd "$(dirname "$0")/.."
awk '/^name = "wasm-bindgen"$/ { getline; gsub(/version = |"/, ""); print; exit }' Cargo.lock
