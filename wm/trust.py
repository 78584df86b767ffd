"""Window ownership on the GUI display: the daemon registry and the X-Resource check.

Each GUI daemon registers itself at start-up with ``register_daemon``: a file
named after its PID in ``$XDG_RUNTIME_DIR/odyssey/daemons/`` contains its
domain name, its label name and its process start time. The window manager queries
the X server (X-Resource extension, LocalClientPID) for the process that owns
a window's X connection. It believes the window's ``_ODYSSEY_DOMAIN`` property
only when that process is registered for that same domain, with a matching
start time. Everything else is a GUI-domain window.

The start time guards against PID reuse: a stale file left by a daemon that
crashed names a PID that a different process may hold later, and that process
has a different start time.

The registry is trusted only as far as the user's own files are: the directory
and its files must belong to the user running the window manager and must not
be writable by anyone else.
"""

from __future__ import annotations

import dataclasses
import logging
import os
import stat
from pathlib import Path

from Xlib import X
from Xlib import error as xerror
from Xlib.ext import res

from domains.names import check_domain_name

from . import properties
from .labels import GUI_DOMAIN, GUI_LABEL, LABELS, Label

logger = logging.getLogger(__name__)

# A registry file is three short lines; anything larger is not one of ours.
MAX_RECORD_BYTES = 4096

# Bytes read from a window's _ODYSSEY_DOMAIN property: a valid name is at most 32 (domains.names).
MAX_DOMAIN_PROPERTY_BYTES = 64


class RegistryError(RuntimeError):
    """The daemon registry cannot be used: no runtime directory, or unsafe permissions."""


@dataclasses.dataclass(frozen=True)
class DaemonRecord:
    """One registered daemon: its PID, domain, label name and process start time."""

    pid: int
    domain: str
    label: str
    start_time: int


@dataclasses.dataclass(frozen=True)
class Identity:
    """The owner the window manager shows for a window: a domain and its label colour.

    ``from_daemon`` is True only for windows of a registered daemon; GUI-domain
    windows have the domain "gui" and the neutral GUI label.
    """

    domain: str
    label: Label
    from_daemon: bool

    @property
    def prefix(self) -> str:
        return f"[{self.domain}]"


GUI_IDENTITY = Identity(GUI_DOMAIN, GUI_LABEL, False)


def registry_directory(runtime_dir: str | os.PathLike | None = None) -> Path:
    """Return ``$XDG_RUNTIME_DIR/odyssey/daemons`` (or under ``runtime_dir``).

    Raises RegistryError when neither is set.
    """
    if runtime_dir is None:
        runtime_dir = os.environ.get("XDG_RUNTIME_DIR")
    if not runtime_dir:
        raise RegistryError("XDG_RUNTIME_DIR is not set, so there is no daemon registry")
    return Path(runtime_dir) / "odyssey" / "daemons"


def process_start_time(pid: int) -> int | None:
    """Return the start time of process ``pid`` in clock ticks since boot, or None if it is gone."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as stat_file:
            content = stat_file.read()
    except (FileNotFoundError, ProcessLookupError, PermissionError):
        return None
    # The command name (field 2) is in parentheses and may itself contain spaces
    # and parentheses, so the fields are counted from the last ")".
    fields = content[content.rfind(b")") + 2 :].split()
    # After the command come state (field 3) ... starttime (field 22).
    return int(fields[22 - 3])


def register_daemon(domain: str, label: str, *, runtime_dir: str | os.PathLike | None = None) -> Path:
    """Register the calling process as the GUI daemon of ``domain`` with label ``label``.

    Returns the path of the registry file; pass it to ``unregister_daemon`` on
    exit. Raises ValueError for an invalid domain or an unknown label name and
    RegistryError when there is no runtime directory.
    """
    check_domain_name(domain)
    if label not in LABELS:
        raise ValueError(f"unknown label {label!r}: use one of {', '.join(LABELS)}")
    directory = registry_directory(runtime_dir)
    directory.parent.mkdir(mode=0o700, exist_ok=True)
    directory.mkdir(mode=0o700, exist_ok=True)
    pid = os.getpid()
    start_time = process_start_time(pid)
    path = directory / str(pid)
    temporary = directory / f".{pid}.tmp"
    content = f"domain={domain}\nlabel={label}\nstart_time={start_time}\n"
    # Written under a temporary name and renamed, so a reader never sees half a file.
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_NOFOLLOW, 0o600)
    with os.fdopen(descriptor, "w", encoding="ascii") as record_file:
        record_file.write(content)
    os.replace(temporary, path)
    logger.info("registered daemon pid %d for domain %s (label %s) in %s", pid, domain, label, directory)
    return path


def unregister_daemon(path: str | os.PathLike) -> None:
    """Remove a registry file written by ``register_daemon``; a missing file is fine."""
    try:
        os.unlink(path)
    except FileNotFoundError:
        pass


class DaemonRegistry:
    """Read access to the daemon registry, with the ownership and permission checks."""

    def __init__(self, runtime_dir: str | os.PathLike | None = None) -> None:
        try:
            self.directory: Path | None = registry_directory(runtime_dir)
        except RegistryError as exc:
            logger.warning("%s: every window will be framed as a GUI-domain window", exc)
            self.directory = None

    def lookup(self, pid: int) -> DaemonRecord | None:
        """Return the record of the daemon running as ``pid``, or None if there is no valid one."""
        if self.directory is None or not self._directory_is_safe(self.directory):
            return None
        path = self.directory / str(pid)
        try:
            descriptor = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
        except FileNotFoundError:
            return None
        except OSError as exc:
            logger.warning("cannot open registry file %s: %s", path, exc)
            return None
        with os.fdopen(descriptor, "rb") as record_file:
            info = os.fstat(record_file.fileno())
            if not stat.S_ISREG(info.st_mode) or info.st_uid != os.getuid() or info.st_mode & 0o022:
                logger.warning("ignoring registry file %s: not a regular file of this user, "
                               "or writable by others", path)
                return None
            untrusted_content = record_file.read(MAX_RECORD_BYTES + 1)
        record = self._parse(pid, untrusted_content)
        if record is None:
            logger.warning("ignoring malformed registry file %s", path)
            return None
        if process_start_time(pid) != record.start_time:
            logger.info("ignoring stale registry file %s: process %d has another start time", path, pid)
            return None
        return record

    @staticmethod
    def _directory_is_safe(directory: Path) -> bool:
        try:
            info = os.lstat(directory)
        except FileNotFoundError:
            return False
        if not stat.S_ISDIR(info.st_mode) or info.st_uid != os.getuid() or info.st_mode & 0o022:
            logger.warning("ignoring the daemon registry %s: not a directory of this user, "
                           "or writable by others", directory)
            return False
        return True

    @staticmethod
    def _parse(pid: int, untrusted_content: bytes) -> DaemonRecord | None:
        if len(untrusted_content) > MAX_RECORD_BYTES:
            return None
        try:
            text = untrusted_content.decode("ascii")
        except UnicodeDecodeError:
            return None
        fields: dict[str, str] = {}
        for line in text.splitlines():
            key, separator, value = line.partition("=")
            if not separator or key in fields:
                return None
            fields[key] = value
        if set(fields) != {"domain", "label", "start_time"}:
            return None
        try:
            domain = check_domain_name(fields["domain"])
        except ValueError:
            return None
        if fields["label"] not in LABELS or not fields["start_time"].isdigit():
            return None
        return DaemonRecord(pid, domain, fields["label"], int(fields["start_time"]))


def owner_pid(display, window_id: int) -> int | None:
    """Return the PID of the local process whose X connection created ``window_id``.

    Uses the X-Resource extension (version 1.2, LocalClientPID). Returns None
    when the window is gone, the client is not local, or the server does not
    report a PID.
    """
    try:
        reply = display.res_query_client_ids([{"client": window_id, "mask": res.LocalClientPIDMask}])
    except xerror.XError as exc:
        logger.debug("X-Resource query for window 0x%x failed: %s", window_id, exc)
        return None
    for client_id in reply.ids:
        if client_id.spec.mask == res.LocalClientPIDMask and len(client_id.value) == 1:
            return int(client_id.value[0])
    return None


def _read_domain_property(display, window_id: int) -> bytes | None:
    window = display.create_resource_object("window", window_id)
    domain_atom = display.get_atom(properties.ODYSSEY_DOMAIN)
    try:
        reply = window.get_property(domain_atom, X.AnyPropertyType, 0, MAX_DOMAIN_PROPERTY_BYTES // 4)
    except xerror.XError as exc:
        logger.debug("reading the domain of window 0x%x failed: %s", window_id, exc)
        return None
    if reply is None or reply.format != 8:
        return None
    return bytes(reply.value)


def _read_label_property(display, window_id: int) -> int | None:
    window = display.create_resource_object("window", window_id)
    label_atom = display.get_atom(properties.ODYSSEY_LABEL)
    try:
        reply = window.get_property(label_atom, X.AnyPropertyType, 0, 1)
    except xerror.XError:
        return None
    if reply is None or reply.format != 32 or len(reply.value) != 1:
        return None
    return int(reply.value[0])


def identify_window(display, window_id: int, registry: DaemonRegistry) -> Identity:
    """Return the owner to show for a top-level window: its daemon's domain, or the GUI domain."""
    untrusted_domain = _read_domain_property(display, window_id)
    if untrusted_domain is None:
        return GUI_IDENTITY
    pid = owner_pid(display, window_id)
    record = registry.lookup(pid) if pid is not None else None
    if record is None:
        logger.info("window 0x%x carries %s but its client (pid %s) is not a registered daemon: "
                    "framed as a GUI-domain window", window_id, properties.ODYSSEY_DOMAIN, pid)
        return GUI_IDENTITY
    if untrusted_domain != record.domain.encode("ascii"):
        logger.warning("window 0x%x of the daemon of %s names another domain (%d bytes): "
                       "framed as a GUI-domain window", window_id, record.domain, len(untrusted_domain))
        return GUI_IDENTITY
    label = LABELS[record.label]
    window_label = _read_label_property(display, window_id)
    if window_label is not None and window_label != label.rgb:
        logger.warning("window 0x%x of domain %s has label colour 0x%06x but the daemon registered %s; "
                       "using the registered colour", window_id, record.domain, window_label, label.name)
    return Identity(record.domain, label, True)
