"""The daemon's table of one domain's windows: pure state, no X.

Every window id in a message comes from the domain. The table is the one place
that turns such an id into a record, and each lookup states what a missing id
means:

- ``require(id)``: the id must exist; a missing id is a protocol violation.
- ``find(id)``: the id may be missing (e.g. a transient-for target); the caller
  decides, and the missing branch is explicit at the call site.

Rules kept here (see docs/protocol.md, "Rules kept by the daemon"):

- creating an id that exists, or more windows than the quota, is a violation;
- destroying a window clears every transient-for link that points to it;
- a transient-for link to the window itself, to an unknown id, or to nothing is
  not recorded.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from typing import Any

from protocol import RemoteProtocolError


@dataclasses.dataclass
class Geometry:
    """Position and size in GUI-display pixels; width and height are at least 1."""

    x: int
    y: int
    width: int
    height: int


@dataclasses.dataclass
class DomainWindow:
    """The daemon's record of one of the domain's top-level windows."""

    remote_id: int
    geometry: Geometry
    override_redirect: bool
    mapped: bool = False
    transient_for: int | None = None  # remote id of a window in this table, or None
    docked: bool = False
    title: str = ""
    buffer: Any = None  # gui_daemon.painting.AttachedBuffer once a SetBuffer was accepted
    buffer_serial: int = 0
    local: Any = None  # the daemon's window on the GUI display (presenter-specific)
    pending_configure_serial: int = 0  # daemon Configure not yet acknowledged, or 0
    painted: bool = False  # content from the buffer has been shown at least once
    fullscreen_requested: bool = False  # granted as a maximize when fullscreen is not allowed
    reported_state: int = 0  # the WindowState bits last sent to the agent
    # Size before the domain's last resize request, while the window manager has not
    # answered it: a ConfigureNotify with this size predates the request.
    size_before_request: tuple[int, int] | None = None
    domain_position: tuple[int, int] = (0, 0)  # the position the domain last reported
    position_requested: bool = False  # the application's size hints carry a user or program position
    ever_mapped: bool = False
    pending_damage: list = dataclasses.field(default_factory=list)  # clipped rectangles not yet put
    title_applied_at: float = -1.0  # time.monotonic() of the last title shown
    pending_title: str | None = None  # a newer title held back by the rate limit


class WindowTable:
    """The windows of one domain, by the domain's window id."""

    def __init__(self, max_windows: int):
        self.max_windows = max_windows
        self._windows: dict[int, DomainWindow] = {}

    def __len__(self) -> int:
        return len(self._windows)

    def __iter__(self) -> Iterator[DomainWindow]:
        return iter(list(self._windows.values()))

    def create(self, remote_id: int, geometry: Geometry, override_redirect: bool) -> DomainWindow:
        """Add a window; raises RemoteProtocolError for a duplicate id or a full table."""
        if remote_id in self._windows:
            raise RemoteProtocolError("CreateWindow", "window", remote_id, "a window with this id exists")
        if len(self._windows) >= self.max_windows:
            raise RemoteProtocolError(
                "CreateWindow", "window", remote_id, f"the domain already has its quota of {self.max_windows} windows"
            )
        window = DomainWindow(remote_id, geometry, override_redirect)
        self._windows[remote_id] = window
        return window

    def require(self, remote_id: int, message_type: str) -> DomainWindow:
        """Return the window; a missing id is a protocol violation of message_type."""
        window = self._windows.get(remote_id)
        if window is None:
            raise RemoteProtocolError(message_type, "window", remote_id, "no window with this id exists")
        return window

    def find(self, remote_id: int) -> DomainWindow | None:
        """Return the window, or None when the domain has no window with this id."""
        return self._windows.get(remote_id)

    def resolve_transient(self, window: DomainWindow, untrusted_target: int) -> int | None:
        """Return the transient-for target to record, or None for no link.

        0, the window itself and ids this domain does not have give no link.
        Ids of other domains cannot be named at all: each table holds one domain.
        """
        if untrusted_target == 0 or untrusted_target == window.remote_id:
            return None
        if untrusted_target not in self._windows:
            return None
        return untrusted_target

    def destroy(self, remote_id: int) -> tuple[DomainWindow, list[DomainWindow]]:
        """Remove a window; return it and the windows whose transient-for link was cleared."""
        window = self.require(remote_id, "DestroyWindow")
        del self._windows[remote_id]
        orphans = [other for other in self._windows.values() if other.transient_for == remote_id]
        for other in orphans:
            other.transient_for = None
        return window, orphans

    def clear(self) -> list[DomainWindow]:
        """Remove every window (end of session) and return them, without recursion."""
        windows = list(self._windows.values())
        self._windows.clear()
        return windows

    def buffer_bytes(self) -> int:
        """Bytes of all attached buffers, for the domain's memory quota."""
        return sum(window.buffer.size for window in self._windows.values() if window.buffer is not None)
