"""Reading the domain's CLIPBOARD selection for a copy (ICCCM selection requester).

On ``ClipboardRequest`` the agent converts CLIPBOARD to UTF8_STRING (STRING when
the owner cannot), reads the result from a property of its helper window, and
replies with one ``ClipboardData``:

- no owner: EMPTY; an owner that converts to neither text target: EMPTY too,
  because the selection holds no text;
- more than ``max_bytes``: TOO_LARGE with the real total size and no data, also
  for incremental (INCR) transfers, which are read to the end but not kept;
- no answer from the owner within ``TIMEOUT`` seconds of the last progress: FAILED.

Reads are bounded: a property is read up to ``max_bytes`` plus one unit, and
its real size comes from the reply's ``bytes_after``.
"""

from __future__ import annotations

import dataclasses
import logging
import time
from collections.abc import Callable

from Xlib import X, Xatom, error

from protocol import messages as m
from protocol.messages import ClipboardStatus

from .display import Atoms, resource_id

logger = logging.getLogger(__name__)

# Seconds the owner may stay silent (no SelectionNotify, no INCR chunk) before the
# request fails. Owners reply within milliseconds, and a hung one must not stall copies.
TIMEOUT = 2.0


@dataclasses.dataclass
class _Request:
    serial: int
    max_bytes: int
    target: int
    deadline: float
    incremental: bool = False
    total_size: int = 0
    chunks: list[bytes] = dataclasses.field(default_factory=list)


class ClipboardReader:
    """Replies to the daemon's ClipboardRequest with the domain's CLIPBOARD contents."""

    def __init__(self, display, atoms: Atoms, window, reply: Callable[[m.ClipboardData], None],
                 local_contents: Callable[[], bytes | None] = lambda: None,
                 clock: Callable[[], float] = time.monotonic):
        self.display = display
        self.atoms = atoms
        self.window = window  # the agent's helper window, which receives the data
        self._reply = reply
        self._local_contents = local_contents
        self._clock = clock
        self._pending: _Request | None = None

    @property
    def deadline(self) -> float | None:
        return self._pending.deadline if self._pending else None

    def request(self, serial: int, max_bytes: int) -> None:
        """Start reading CLIPBOARD for the daemon's request ``serial``."""
        if self._pending is not None:
            logger.info("clipboard request %d replaces request %d", serial, self._pending.serial)
            self._finish(ClipboardStatus.FAILED)
        owner = resource_id(self.display.get_selection_owner(self.atoms.CLIPBOARD))
        if owner == X.NONE:
            self._send(serial, ClipboardStatus.EMPTY)
            return
        if owner == self.window.id:
            # The agent itself owns CLIPBOARD since the last paste: answer from its own copy.
            contents = self._local_contents()
            if contents is None:
                self._send(serial, ClipboardStatus.EMPTY)
            elif len(contents) > max_bytes:
                self._send(serial, ClipboardStatus.TOO_LARGE, total_size=len(contents))
            else:
                self._send(serial, ClipboardStatus.OK, contents, len(contents))
            return
        self._pending = _Request(serial, max_bytes, self.atoms.UTF8_STRING, self._clock() + TIMEOUT)
        self._convert(self.atoms.UTF8_STRING)

    def _convert(self, target: int) -> None:
        self.window.delete_property(self.atoms._ODYSSEY_SELECTION)
        self.window.convert_selection(self.atoms.CLIPBOARD, target, self.atoms._ODYSSEY_SELECTION, X.CurrentTime)
        self.display.flush()

    def cancel(self) -> None:
        """Forget the pending request: the daemon that asked is gone."""
        self._pending = None

    def check_timeout(self, now: float) -> None:
        if self._pending is not None and now >= self._pending.deadline:
            logger.warning("clipboard request %d: the selection owner timed out after %.1f s",
                           self._pending.serial, TIMEOUT)
            self._finish(ClipboardStatus.FAILED)

    # -- X events ----------------------------------------------------------------

    def on_selection_notify(self, event) -> None:
        request = self._pending
        if request is None or resource_id(event.requestor) != self.window.id or event.selection != self.atoms.CLIPBOARD:
            return
        if event.property == X.NONE:
            if request.target == self.atoms.UTF8_STRING:
                request.target = Xatom.STRING
                request.deadline = self._clock() + TIMEOUT
                self._convert(Xatom.STRING)
            else:
                logger.info("clipboard request %d: the owner offers no text", request.serial)
                self._finish(ClipboardStatus.EMPTY)
            return
        reply = self._read_property(request.max_bytes)
        if reply is None:
            self._finish(ClipboardStatus.FAILED)
            return
        logger.debug("clipboard request %d: property of type %d, format %d, %d bytes",
                     request.serial, reply.property_type, reply.format, len(reply.value))
        if reply.property_type == self.atoms.INCR:
            # The owner sends the data in chunks, each announced by a new value of
            # the property. Deleting the property requests the next one.
            request.incremental = True
            request.deadline = self._clock() + TIMEOUT
            self.window.delete_property(self.atoms._ODYSSEY_SELECTION)
            self.display.flush()
            return
        self.window.delete_property(self.atoms._ODYSSEY_SELECTION)
        if reply.format != 8:
            self._finish(ClipboardStatus.FAILED)
            return
        data = bytes(reply.value)
        request.total_size = len(data) + reply.bytes_after
        if request.total_size <= request.max_bytes:
            request.chunks.append(data)
        self._finish(ClipboardStatus.OK)

    def on_property_notify(self, event) -> bool:
        """Take the next INCR chunk; return True when the event belonged to a transfer."""
        request = self._pending
        if (request is None or not request.incremental or resource_id(event.window) != self.window.id
                or event.atom != self.atoms._ODYSSEY_SELECTION or event.state != X.PropertyNewValue):
            return False
        budget = max(request.max_bytes - request.total_size, 0)
        reply = self._read_property(budget)
        self.window.delete_property(self.atoms._ODYSSEY_SELECTION)
        self.display.flush()
        if reply is None or reply.format != 8:
            self._finish(ClipboardStatus.FAILED)
            return True
        chunk = bytes(reply.value)
        chunk_size = len(chunk) + reply.bytes_after
        if chunk_size == 0:
            self._finish(ClipboardStatus.OK)
            return True
        request.total_size += chunk_size
        if request.total_size <= request.max_bytes:
            request.chunks.append(chunk)
        else:
            # Too large already: keep counting to report the real size, drop the bytes.
            request.chunks.clear()
        request.deadline = self._clock() + TIMEOUT
        return True

    # -- internals -----------------------------------------------------------------

    def _read_property(self, max_bytes: int):
        try:
            return self.window.get_property(self.atoms._ODYSSEY_SELECTION, X.AnyPropertyType, 0, max_bytes // 4 + 1)
        except error.XError as failure:
            logger.warning("reading the clipboard property failed: %s", type(failure).__name__)
            return None

    def _finish(self, status: ClipboardStatus) -> None:
        request, self._pending = self._pending, None
        if request is None:
            return
        if status is not ClipboardStatus.OK:
            self._send(request.serial, status)
            return
        if request.total_size > request.max_bytes:
            self._send(request.serial, ClipboardStatus.TOO_LARGE, total_size=request.total_size)
            return
        data = b"".join(request.chunks)
        if request.target == Xatom.STRING:
            # STRING is Latin-1; the protocol carries UTF-8, which may be longer.
            data = data.decode("latin-1").encode("utf-8")
            if len(data) > request.max_bytes:
                self._send(request.serial, ClipboardStatus.TOO_LARGE, total_size=len(data))
                return
        self._send(request.serial, ClipboardStatus.OK, data, len(data))

    def _send(self, serial: int, status: ClipboardStatus, data: bytes = b"", total_size: int = 0) -> None:
        logger.info("clipboard request %d: %s, %d bytes", serial, status.name, total_size)
        self._reply(m.ClipboardData(window=0, serial=serial, status=status, total_size=total_size, data=data))
