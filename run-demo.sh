#!/usr/bin/env bash
# Install what is missing (see scripts/install.sh), then run the Odyssey demo desktop.
# Extra arguments go to `odyssey demo`, e.g. ./run-demo.sh --duration 20
set -euo pipefail
top=$(cd "$(dirname "$0")" && pwd)
bash "$top/scripts/install.sh"
exec "$top/.venv/bin/odyssey" demo "$@"
