"""Serving pasted text to the domain's applications (ICCCM selection owner).

On ``ClipboardPaste`` the agent's helper window takes CLIPBOARD and PRIMARY and
serves conversions to TARGETS, UTF8_STRING, TEXT (as UTF8_STRING) and STRING
(Latin-1, unknown characters as ``?``). Data above ``INCR_CHUNK_BYTES`` goes
incrementally (INCR): python-xlib has no BIG-REQUESTS, so one ChangeProperty
above about 256 KiB fails, and the INCR protocol lets any requestor take data of
any size in chunks.

NOTE: ownership is taken with CurrentTime, so the agent cannot convert to the
TIMESTAMP target and does not list it.
"""

from __future__ import annotations

import dataclasses
import logging
import time
from collections.abc import Callable

from Xlib import X, Xatom, error
from Xlib.protocol import event as xevent

from .display import Atoms, resource_id

logger = logging.getLogger(__name__)

# Bytes per ChangeProperty: well below python-xlib's request size limit.
INCR_CHUNK_BYTES = 64 * 1024

# Seconds a requestor may take to delete the property before the next INCR chunk.
INCR_TIMEOUT = 10.0


@dataclasses.dataclass
class _Transfer:
    requestor: object
    property: int
    property_type: int
    data: bytes
    offset: int
    deadline: float


class ClipboardOwner:
    """Owns CLIPBOARD and PRIMARY with the text of the last paste."""

    def __init__(self, display, atoms: Atoms, window, clock: Callable[[], float] = time.monotonic):
        self.display = display
        self.atoms = atoms
        self.window = window
        self._clock = clock
        self._data: bytes | None = None
        self._owned: set[int] = set()
        self._transfers: dict[tuple[int, int], _Transfer] = {}

    @property
    def contents(self) -> bytes | None:
        """The pasted text while the agent still owns CLIPBOARD."""
        return self._data if self.atoms.CLIPBOARD in self._owned else None

    @property
    def deadline(self) -> float | None:
        return min((transfer.deadline for transfer in self._transfers.values()), default=None)

    def own(self, data: bytes) -> None:
        """Take CLIPBOARD and PRIMARY with ``data`` (UTF-8 text)."""
        self._data = data
        self._owned.clear()
        for selection in (self.atoms.CLIPBOARD, Xatom.PRIMARY):
            self.window.set_selection_owner(selection, X.CurrentTime)
            if resource_id(self.display.get_selection_owner(selection)) == self.window.id:
                self._owned.add(selection)
            else:
                logger.warning("could not take the selection %d for a paste", selection)
        logger.info("paste: serving %d bytes", len(data))

    def check_timeout(self, now: float) -> None:
        for key, transfer in list(self._transfers.items()):
            if now >= transfer.deadline:
                logger.warning("incremental paste to window %#x stalled; dropped after %d of %d bytes",
                               key[0], transfer.offset, len(transfer.data))
                del self._transfers[key]

    # -- X events ----------------------------------------------------------------

    def on_selection_clear(self, event) -> None:
        if resource_id(event.window) != self.window.id:
            return
        self._owned.discard(event.atom)
        if not self._owned:
            self._data = None

    def on_selection_request(self, event) -> None:
        requestor_id = resource_id(event.requestor)
        requestor = self.display.create_resource_object("window", requestor_id)
        # Obsolete clients pass no property, and ICCCM then requires the target as property.
        target_property = event.property if event.property != X.NONE else event.target
        answered = False
        if self._data is not None and resource_id(event.owner) == self.window.id and event.selection in self._owned:
            try:
                answered = self._convert(requestor, event.target, target_property)
            except error.XError as failure:
                logger.debug("paste to window %#x failed: %s", requestor_id, type(failure).__name__)
        notify = xevent.SelectionNotify(
            time=event.time, requestor=requestor_id, selection=event.selection,
            target=event.target, property=target_property if answered else X.NONE,
        )
        requestor.send_event(notify, event_mask=0)
        self.display.flush()

    def on_property_notify(self, event) -> bool:
        """Send the next INCR chunk; return True when the event belonged to a transfer."""
        if event.state != X.PropertyDelete:
            return False
        key = (resource_id(event.window), event.atom)
        transfer = self._transfers.get(key)
        if transfer is None:
            return False
        chunk = transfer.data[transfer.offset:transfer.offset + INCR_CHUNK_BYTES]
        transfer.offset += len(chunk)
        transfer.deadline = self._clock() + INCR_TIMEOUT
        # A zero-length chunk marks the end of the transfer for the requestor.
        transfer.requestor.change_property(transfer.property, transfer.property_type, 8, chunk)
        if not chunk:
            del self._transfers[key]
        self.display.flush()
        return True

    def forget_window(self, window_id: int) -> None:
        """Drop transfers to a window that was destroyed."""
        for key in [key for key in self._transfers if key[0] == window_id]:
            del self._transfers[key]

    # -- internals -----------------------------------------------------------------

    def _convert(self, requestor, target: int, target_property: int) -> bool:
        atoms = self.atoms
        if target == atoms.TARGETS:
            targets = [atoms.TARGETS, atoms.UTF8_STRING, atoms.TEXT, Xatom.STRING]
            requestor.change_property(target_property, Xatom.ATOM, 32, targets)
            return True
        if target in (atoms.UTF8_STRING, atoms.TEXT):
            data, property_type = self._data, atoms.UTF8_STRING
        elif target == Xatom.STRING:
            data = self._data.decode("utf-8", errors="replace").encode("latin-1", errors="replace")
            property_type = Xatom.STRING
        else:
            return False
        if len(data) <= INCR_CHUNK_BYTES:
            requestor.change_property(target_property, property_type, 8, data)
            return True
        # INCR: announce the size, then send a chunk each time the requestor
        # deletes the property, which PropertyNotify on its window reports.
        requestor.change_attributes(event_mask=X.PropertyChangeMask)
        requestor.change_property(target_property, atoms.INCR, 32, [len(data)])
        self._transfers[(requestor.id, target_property)] = _Transfer(
            requestor, target_property, property_type, data, 0, self._clock() + INCR_TIMEOUT)
        return True
