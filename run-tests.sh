#!/usr/bin/env bash
# Install what is missing (see scripts/install.sh), then run the whole test suite.
# Extra arguments go to pytest, e.g. ./run-tests.sh tests/test_protocol_framing.py -x
set -euo pipefail
top=$(cd "$(dirname "$0")" && pwd)
bash "$top/scripts/install.sh"
cd "$top"
unset DISPLAY WAYLAND_DISPLAY
exec "$top/.venv/bin/python" -m pytest -n "${ODYSSEY_TEST_WORKERS:-2}" "$@"
