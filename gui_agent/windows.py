"""The table of the domain's top-level windows: geometry, stacking and per-window state.

A record exists for every InputOutput child of the domain's root window except
the agent's own helper window, from its CreateNotify (or its reparenting onto
the root) to its DestroyNotify (or its reparenting away). The X server is the
authority on geometry and stacking; the table mirrors what its events reported.
"""

from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING

from protocol import limits
from protocol.messages import WindowState

from .damage import DamageRegion

if TYPE_CHECKING:
    from shm.buffer import WindowBuffer
    from shm.capture import FrameCapture


def clamp(value: int, low: int, high: int) -> int:
    return max(low, min(high, value))


@dataclasses.dataclass
class Metadata:
    """The metadata last sent about a window in the current session."""

    title: bytes | None = None
    window_class: tuple[bytes, bytes] | None = None
    hints: tuple | None = None
    cursor: int | None = None


@dataclasses.dataclass(eq=False)
class WindowRecord:
    """One top-level window of the domain.

    ``x``/``y`` are the outer top-left corner on the domain's screen and
    ``width``/``height`` the inside size, as X reports them in ConfigureNotify.
    The window's pixels start ``border_width`` pixels inside the corner.
    """

    window_id: int
    x: int
    y: int
    width: int
    height: int
    border_width: int
    override_redirect: bool
    mapped: bool = False

    # WM_PROTOCOLS atoms and the WM_HINTS input flag, read at map time.
    protocols: frozenset[int] = frozenset()
    accepts_input: bool = True
    transient_for: int = 0
    # States the daemon last reported (SetWindowState).
    state: WindowState = WindowState(0)

    # Session state: reset when the channel to the daemon closes.
    announced: bool = False
    sent_geometry: tuple[int, int, int, int, bool] | None = None
    sent: Metadata = dataclasses.field(default_factory=Metadata)

    # Capture state. ``serial`` is the serial of the newest buffer, and ``accepted``
    # is True once the daemon accepted it. Only an accepted buffer is captured into.
    damage: int | None = None
    buffer: WindowBuffer | None = None
    segment: int | None = None
    # The window's depth, read at map time; it decides how captures copy pixels.
    depth: int = 24
    frame_capture: FrameCapture | None = None
    serial: int = 0
    accepted: bool = False
    needs_buffer: bool = False
    pending_damage: DamageRegion = dataclasses.field(default_factory=DamageRegion)

    @property
    def content_x(self) -> int:
        """Left edge of the window's pixels on the screen."""
        return self.x + self.border_width

    @property
    def content_y(self) -> int:
        return self.y + self.border_width

    def protocol_geometry(self) -> tuple[int, int, int, int]:
        """Return position and size clamped to what the protocol can carry."""
        return (
            clamp(self.content_x, -limits.MAX_COORDINATE, limits.MAX_COORDINATE),
            clamp(self.content_y, -limits.MAX_COORDINATE, limits.MAX_COORDINATE),
            clamp(self.width, 1, limits.MAX_WINDOW_WIDTH),
            clamp(self.height, 1, limits.MAX_WINDOW_HEIGHT),
        )

    def buffer_size(self) -> tuple[int, int]:
        """Return the size of the buffer the window needs; larger windows are cut."""
        _, _, width, height = self.protocol_geometry()
        return width, height

    def forget_session(self) -> None:
        """Forget what was sent to a daemon that is gone; buffers are freed elsewhere."""
        self.announced = False
        self.sent_geometry = None
        self.sent = Metadata()
        self.accepted = False
        self.pending_damage.clear()


class WindowTable:
    """Top-level windows by id, with the stacking order of all root children.

    The stack also contains the root's children that have no record (InputOnly
    windows, the agent's helper window), so a restack relative to one of them
    lands at the right place.
    """

    def __init__(self) -> None:
        self._records: dict[int, WindowRecord] = {}
        self._stack: list[int] = []  # bottom first

    def __len__(self) -> int:
        return len(self._records)

    def __iter__(self):
        return iter(list(self._records.values()))

    def get(self, window_id: int) -> WindowRecord | None:
        return self._records.get(window_id)

    def add(self, record: WindowRecord) -> None:
        """Add a new window on top of the stack, where X places new windows."""
        self._records[record.window_id] = record
        self.add_untracked(record.window_id)

    def add_untracked(self, window_id: int) -> None:
        """Note a root child without a record, on top of the stack."""
        if window_id in self._stack:
            self._stack.remove(window_id)
        self._stack.append(window_id)

    def remove(self, window_id: int) -> WindowRecord | None:
        """Forget a root child; return its record, if it had one."""
        if window_id in self._stack:
            self._stack.remove(window_id)
        return self._records.pop(window_id, None)

    def in_stacking_order(self) -> list[WindowRecord]:
        """Return the windows with a record from the bottom of the stack to the top."""
        return [self._records[window_id] for window_id in self._stack if window_id in self._records]

    def topmost_mapped(self) -> int | None:
        for window_id in reversed(self._stack):
            record = self._records.get(window_id)
            if record is not None and record.mapped:
                return window_id
        return None

    def restack(self, window_id: int, above_sibling: int) -> None:
        """Place a window directly above ``above_sibling``, or at the bottom for 0."""
        if window_id not in self._stack:
            return
        self._stack.remove(window_id)
        if above_sibling in self._stack:
            self._stack.insert(self._stack.index(above_sibling) + 1, window_id)
        else:
            self._stack.insert(0, window_id)

    def place_on_top(self, window_id: int) -> None:
        if window_id in self._stack:
            self.add_untracked(window_id)

    def place_on_bottom(self, window_id: int) -> None:
        if window_id in self._stack:
            self._stack.remove(window_id)
            self._stack.insert(0, window_id)
