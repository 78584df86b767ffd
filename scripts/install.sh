#!/usr/bin/env bash
# Install everything Odyssey needs on a Debian 12 machine, idempotently:
#   - the Debian packages (X servers, sandbox, test applications, libxcb headers),
#     with apt-get when running as root;
#   - a virtual environment in .venv with the project installed in editable mode.
# A second run with nothing missing takes well under a second.
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
venv="$top/.venv"

debian_packages=(
    # X servers: the headless GUI display and each domain's display; Xephyr for nested desktops.
    xvfb xserver-xephyr xauth xfonts-base fonts-dejavu-core
    # Isolation backend.
    bubblewrap
    # Real applications and X tools used by the demo, the agent and the tests.
    xterm x11-apps x11-utils x11-xkb-utils xdotool xclip
    # libxcb, MIT-SHM and DAMAGE: runtime libraries and the headers cffi compiles against.
    libxcb1 libxcb1-dev libxcb-shm0 libxcb-shm0-dev libxcb-damage0 libxcb-damage0-dev
    # Qt's xcb platform plugin (PySide6) and its companions.
    libxcb-icccm4 libxcb-keysyms1 libxcb-cursor0 libxkbcommon-x11-0 libxcb-image0
    libxcb-render-util0 libxcb-randr0 libxcb-xkb1 libegl1 libgl1 libfontconfig1 libdbus-1-3
    # Compiler for the cffi extension.
    gcc libc6-dev
)

missing_debian_packages() {
    local installed
    # dpkg-query exits non-zero when it has never heard of a package; its output
    # still lists the known ones, and the unknown ones count as missing.
    installed=$(dpkg-query -W -f='${Package} ${db:Status-Abbrev}\n' "${debian_packages[@]}" 2>/dev/null \
        | awk '$2 == "ii" { print $1 }') || true
    for package in "${debian_packages[@]}"; do
        grep -qx "$package" <<<"$installed" || echo "$package"
    done
}

mapfile -t missing < <(missing_debian_packages)
if ((${#missing[@]})); then
    if [[ $(id -u) -ne 0 ]]; then
        echo "install.sh: missing Debian packages: ${missing[*]}" >&2
        echo "install.sh: run this script as root, or: sudo apt-get install ${missing[*]}" >&2
        exit 1
    fi
    echo "install.sh: installing Debian packages: ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

python=${ODYSSEY_PYTHON:-python3}
if ! "$python" -c 'import sys; sys.exit(sys.version_info < (3, 11))'; then
    echo "install.sh: Odyssey needs Python 3.11 or newer; $python is $("$python" --version 2>&1)" >&2
    exit 1
fi

if [[ ! -x "$venv/bin/python" ]]; then
    echo "install.sh: creating the virtual environment $venv"
    "$python" -m venv "$venv"
fi

# Reinstall only when the packaging inputs change: they decide what pip would do.
stamp="$venv/.odyssey-install-stamp"
digest=$(cat "$top/setup.cfg" "$top/setup.py" "$top/pyproject.toml" "$top/shm/_xcb_shm_build.py" \
    | sha256sum | cut -d' ' -f1)
if [[ ! -f "$stamp" || $(cat "$stamp") != "$digest" ]]; then
    echo "install.sh: installing Python packages into $venv"
    pip_log="$venv/pip-install.log"
    if ! { "$venv/bin/python" -m pip install --upgrade pip setuptools wheel cffi \
            && "$venv/bin/python" -m pip install -e "$top[test]"; } >"$pip_log" 2>&1; then
        tail -n 30 "$pip_log" >&2
        echo "install.sh: pip failed; the whole output is in $pip_log" >&2
        exit 1
    fi
    echo "$digest" >"$stamp"
fi
