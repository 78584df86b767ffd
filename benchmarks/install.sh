#!/usr/bin/env bash
# Install what only the end-to-end benchmarks need, idempotently:
#   - Debian's xpra (3.1 on Debian 12), the program Odyssey is compared with;
#     python3-gi-cairo, without which the xpra client paints nothing; and the
#     recommended modules its picture path uses: PIL (without it the server fails
#     to forward any window), numpy and the lz4, lzo and brotli compressors;
#   - py-spy in the project's virtual environment, to profile the agent and daemon.
# The project itself never needs these: scripts/install.sh stays free of them.
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
debian_packages=(xpra python3-gi-cairo python3-pil python3-numpy python3-lz4 python3-lzo python3-brotli)

missing=()
for package in "${debian_packages[@]}"; do
    status=$(dpkg-query -W -f='${db:Status-Abbrev}' "$package" 2>/dev/null || true)
    [[ $status == ii* ]] || missing+=("$package")
done
if ((${#missing[@]})); then
    if [[ $(id -u) -ne 0 ]]; then
        echo "benchmarks/install.sh: missing Debian packages: ${missing[*]}; run as root" >&2
        exit 1
    fi
    echo "benchmarks/install.sh: installing Debian packages: ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

if [[ ! -x "$top/.venv/bin/py-spy" ]]; then
    "$top/.venv/bin/python" -m pip install -q py-spy
fi
