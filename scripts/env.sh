# Sourced by the scripts: puts cargo's bin and binaryen 132 (from npm) first
# on PATH so Trunk finds the wasm-opt that keeps the module working.
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export PATH="$root/node_modules/.bin:$HOME/.cargo/bin:$PATH"
