"""Where Odyssey keeps its files, after the XDG base directory specification.

- configuration: ``$XDG_CONFIG_HOME/odyssey`` (``desktop.toml``, ``domains/NAME.toml``)
- state: ``$XDG_DATA_HOME/odyssey/domains/NAME/home`` (each domain's persistent home)
- runtime: ``$XDG_RUNTIME_DIR/odyssey`` (sockets, the clipboard, the daemon registry);
  private to the user (mode 0700) and never visible inside a domain, except each
  domain's own ``domains/NAME`` directory, which holds its channel socket.
"""

from __future__ import annotations

import os
from pathlib import Path


def config_directory() -> Path:
    base = os.environ.get("XDG_CONFIG_HOME") or os.path.join(os.path.expanduser("~"), ".config")
    return Path(base) / "odyssey"


def data_directory() -> Path:
    base = os.environ.get("XDG_DATA_HOME") or os.path.join(os.path.expanduser("~"), ".local", "share")
    return Path(base) / "odyssey"


def runtime_directory() -> Path:
    """Return the private runtime directory, creating it with mode 0700.

    Without ``XDG_RUNTIME_DIR`` (no login session, e.g. a root shell on a server)
    a per-user directory under /tmp is used, created 0700 and checked to be ours.
    """
    base = os.environ.get("XDG_RUNTIME_DIR")
    if base:
        directory = Path(base) / "odyssey"
    else:
        directory = Path("/tmp") / f"odyssey-runtime-{os.getuid()}"
    directory.mkdir(mode=0o700, parents=True, exist_ok=True)
    status = directory.lstat()
    if status.st_uid != os.getuid() or status.st_mode & 0o077:
        raise PermissionError(f"{directory} must belong to uid {os.getuid()} with mode 0700")
    return directory


def desktop_config_path() -> Path:
    return config_directory() / "desktop.toml"


def domain_config_directory() -> Path:
    return config_directory() / "domains"


def domain_home(name: str) -> Path:
    return data_directory() / "domains" / name / "home"


def domain_runtime_directory(name: str) -> Path:
    return runtime_directory() / "domains" / name


def control_socket_path() -> Path:
    return runtime_directory() / "desktop.sock"
