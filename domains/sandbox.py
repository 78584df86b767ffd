"""The bubblewrap command line of a process-backend domain.

The sandbox gets new user, mount, pid, ipc, uts, network and cgroup namespaces,
so it has no network at all (not even loopback to the host), sees only its own
processes, and reaches no abstract Unix socket of the host (abstract sockets
belong to the network namespace; the GUI display's X server listens on one).

What the sandbox sees of the file system, and nothing else:

- ``/usr`` and the usual symlinks to it, read-only;
- a few files of ``/etc`` that programs need to start (fonts, the dynamic
  loader cache, X11 defaults), read-only, plus a generated passwd and group;
- the Python installation, the virtual environment and the Odyssey sources,
  read-only, so the agent can run;
- a private ``/tmp`` and ``/run/user/1000`` (tmpfs), a private ``/dev`` and ``/proc``;
- the domain's persistent home at ``/home/user``, read-write;
- the domain's own runtime directory at ``/run/odyssey``, which holds the
  channel socket; no other runtime file (the GUI display's socket, the clipboard,
  other domains' sockets) is visible.

Inside, the domain runs as uid 1000 ("user"). The user namespace maps that uid to
the uid that started the desktop: run the desktop as an ordinary user, because a
desktop started as root maps the domain to root's files (only the directories
listed above are visible, but files in them owned by root count as the domain's).
"""

from __future__ import annotations

import dataclasses
import os
import sys
from pathlib import Path

SANDBOX_UID = 1000
SANDBOX_GID = 1000
SANDBOX_USER = "user"
SANDBOX_HOME = "/home/user"
SANDBOX_RUNTIME = "/run/odyssey"
CHANNEL_NAME = "gui.sock"
SANDBOX_PATH = "/usr/local/bin:/usr/bin:/bin"

# Files and directories of /etc that X applications read at start-up; missing ones are skipped.
ETC_ENTRIES = (
    "/etc/fonts", "/etc/ld.so.cache", "/etc/ld.so.conf", "/etc/ld.so.conf.d", "/etc/localtime",
    "/etc/X11", "/etc/alternatives", "/etc/nsswitch.conf", "/etc/terminfo", "/etc/locale.alias",
    "/etc/mime.types", "/etc/xdg",
)

PROJECT_ROOT = Path(__file__).resolve().parents[1]


@dataclasses.dataclass(frozen=True)
class SandboxLayout:
    """The host paths one domain's sandbox is built from."""

    name: str
    home: Path  # the domain's persistent home (read-write)
    runtime: Path  # the domain's runtime directory: channel socket, generated /etc files

    @property
    def channel_path(self) -> Path:
        """The channel socket as the GUI side sees it."""
        return self.runtime / CHANNEL_NAME


def python_paths() -> list[str]:
    """Return the directories the agent needs to run: Python, the virtual environment, the sources."""
    candidates = {sys.base_prefix, sys.prefix, str(PROJECT_ROOT)}
    return sorted(path for path in candidates if path and os.path.isdir(path))


def write_identity_files(layout: SandboxLayout) -> tuple[Path, Path]:
    """Write the sandbox's /etc/passwd and /etc/group into its runtime directory."""
    etc = layout.runtime / "etc"
    etc.mkdir(mode=0o700, parents=True, exist_ok=True)
    passwd = etc / "passwd"
    group = etc / "group"
    passwd.write_text(f"{SANDBOX_USER}:x:{SANDBOX_UID}:{SANDBOX_GID}:Odyssey domain {layout.name}:"
                      f"{SANDBOX_HOME}:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin\n")
    group.write_text(f"{SANDBOX_USER}:x:{SANDBOX_GID}:\nnogroup:x:65534:\n")
    return passwd, group


def bwrap_command(layout: SandboxLayout, inner_command: list[str]) -> list[str]:
    """Return the full bwrap command line that runs inner_command inside the domain's sandbox."""
    passwd, group = write_identity_files(layout)
    command = [
        "bwrap",
        "--unshare-user", "--unshare-pid", "--unshare-ipc", "--unshare-uts", "--unshare-net",
        "--unshare-cgroup-try",
        "--uid", str(SANDBOX_UID), "--gid", str(SANDBOX_GID),
        "--hostname", layout.name,
        "--die-with-parent", "--new-session",
        "--cap-drop", "ALL",
        "--ro-bind", "/usr", "/usr",
        "--symlink", "usr/bin", "/bin",
        "--symlink", "usr/sbin", "/sbin",
        "--symlink", "usr/lib", "/lib",
        "--symlink", "usr/lib64", "/lib64",
        "--proc", "/proc",
        "--dev", "/dev",
        "--tmpfs", "/tmp",
        "--dir", "/tmp/.X11-unix",
        "--tmpfs", "/run",
        "--dir", f"/run/user/{SANDBOX_UID}",
        "--tmpfs", "/etc",
    ]
    for entry in ETC_ENTRIES:
        command += ["--ro-bind-try", entry, entry]
    command += ["--ro-bind", str(passwd), "/etc/passwd", "--ro-bind", str(group), "/etc/group"]
    for path in python_paths():
        command += ["--ro-bind", path, path]
    command += [
        "--bind", str(layout.home), SANDBOX_HOME,
        "--bind", str(layout.runtime), SANDBOX_RUNTIME,
        "--chdir", SANDBOX_HOME,
        "--clearenv",
        "--setenv", "HOME", SANDBOX_HOME,
        "--setenv", "USER", SANDBOX_USER,
        "--setenv", "LOGNAME", SANDBOX_USER,
        "--setenv", "PATH", SANDBOX_PATH,
        "--setenv", "LANG", "C.UTF-8",
        "--setenv", "XDG_RUNTIME_DIR", f"/run/user/{SANDBOX_UID}",
        "--setenv", "PYTHONDONTWRITEBYTECODE", "1",
        "--setenv", "ODYSSEY_DOMAIN", layout.name,
        "--",
        *inner_command,
    ]
    return command
