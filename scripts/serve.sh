#!/usr/bin/env bash
# Sets up (if needed) and serves the app at http://127.0.0.1:8080/ with live
# reload. Pass --release for an optimised build.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
source scripts/env.sh
echo
echo "Puffy Analytics will be at  http://127.0.0.1:8080/  (Ctrl-C to stop)"
echo
exec trunk serve "$@"
