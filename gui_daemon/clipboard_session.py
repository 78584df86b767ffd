"""The secure clipboard as one daemon runs it: copy and paste on the user's hotkeys only.

Copy: the copy hotkey in a window of this domain sends a ClipboardRequest and
remembers its serial and the X time of the key press. Only a ClipboardData with
that serial is accepted, once, before ``REPLY_TIMEOUT``; it is stored in the
global clipboard unless a newer copy (a later hotkey press) is already there.
Paste: the paste hotkey checks the policy of both domains, sends the text and
clears the global clipboard. Every copy, paste and refusal shows a trusted notice.
"""

from __future__ import annotations

import dataclasses
import logging
import time
from collections.abc import Callable

from protocol import RemoteProtocolError
from protocol import messages as m

from .clipboard import ClipboardEntry, ClipboardStore, InvalidClipboardText, check_text, paste_allowed
from .policy import DomainPolicy

logger = logging.getLogger(__name__)

# Seconds an agent has to answer a copy request. Reading a selection takes
# milliseconds; a few seconds allow for a slow application with a large selection.
REPLY_TIMEOUT = 5.0

# Log unsolicited clipboard messages at most once per this many seconds.
UNSOLICITED_LOG_INTERVAL = 10.0


@dataclasses.dataclass
class PendingCopy:
    serial: int
    hotkey_time: int  # X server time of the key press, ms
    deadline: float  # time.monotonic() seconds


class ClipboardSession:
    """Copy and paste for one domain against the global clipboard store."""

    def __init__(self, policy: DomainPolicy, store: ClipboardStore, send: Callable, notify: Callable[[str], None],
                 clock: Callable[[], float] = time.monotonic):
        self.policy = policy
        self.store = store
        self.send = send
        self.notify = notify
        self.clock = clock
        self.pending: PendingCopy | None = None
        self._serial = 0
        self.unsolicited = 0
        self._last_unsolicited_log = -UNSOLICITED_LOG_INTERVAL

    def request_copy(self, hotkey_time: int) -> None:
        """Start a copy: the user pressed the copy hotkey in this domain."""
        self._serial += 1
        self.pending = PendingCopy(self._serial, hotkey_time, self.clock() + REPLY_TIMEOUT)
        self.send(m.ClipboardRequest(window=0, serial=self._serial, max_bytes=self.policy.clipboard_max_bytes))
        logger.info("domain %s: copy requested (serial %d)", self.policy.name, self._serial)

    def receive(self, message) -> None:
        """Handle ClipboardData from the agent; raises RemoteProtocolError above the size limit."""
        pending = self.pending
        if pending is None or message.serial != pending.serial:
            self._count_unsolicited(message)
            return
        self.pending = None
        name = self.policy.name
        if message.status == m.ClipboardStatus.EMPTY:
            self.notify(f"Nothing copied: the clipboard of {name} is empty")
            return
        if message.status == m.ClipboardStatus.TOO_LARGE:
            self.notify(f"Copy from {name} refused: {message.total_size} bytes, "
                        f"the limit is {self.policy.clipboard_max_bytes}")
            logger.info("domain %s: copy refused, %d bytes over the limit %d", name, message.total_size,
                        self.policy.clipboard_max_bytes)
            return
        if message.status == m.ClipboardStatus.FAILED:
            self.notify(f"Copy from {name} failed: the application did not provide its clipboard")
            return
        if len(message.data) > self.policy.clipboard_max_bytes:
            raise RemoteProtocolError("ClipboardData", "data", len(message.data),
                                      f"more than the {self.policy.clipboard_max_bytes} bytes requested")
        try:
            check_text(message.data)
        except InvalidClipboardText as error:
            self.notify(f"Copy from {name} refused: {error}")
            logger.info("domain %s: copy refused: %s", name, error)
            return
        entry = ClipboardEntry(name, self.policy.clipboard_copy_to, pending.hotkey_time, message.data)
        if self.store.store(entry):
            self.notify(f"Copied {len(message.data)} bytes from {name}")
            logger.info("domain %s: copied %d bytes to the global clipboard", name, len(message.data))
        else:
            self.notify(f"Copy from {name} dropped: a newer copy is in the clipboard")

    def paste(self) -> None:
        """Paste the global clipboard into this domain: the user pressed the paste hotkey here."""
        name = self.policy.name
        entry, taken = self.store.take_if(
            lambda candidate: paste_allowed(candidate, name, self.policy.clipboard_paste_from)
        )
        if entry is None:
            self.notify(f"Nothing to paste into {name}: the clipboard is empty")
            return
        if not taken:
            self.notify(f"Paste from {entry.source} into {name} denied by policy")
            logger.info("domain %s: paste from %s denied by policy", name, entry.source)
            return
        self.send(m.ClipboardPaste(window=0, data=entry.data))
        self.notify(f"Pasted {len(entry.data)} bytes from {entry.source} into {name}")
        logger.info("domain %s: pasted %d bytes from %s", name, len(entry.data), entry.source)

    def next_deadline(self) -> float | None:
        return self.pending.deadline if self.pending else None

    def expire(self) -> None:
        """End a copy whose reply did not come in time."""
        if self.pending is not None and self.clock() >= self.pending.deadline:
            self.pending = None
            self.notify(f"Copy from {self.policy.name} failed: no answer from the domain")
            logger.warning("domain %s: no clipboard answer within %.0f s", self.policy.name, REPLY_TIMEOUT)

    def cancel(self) -> None:
        self.pending = None

    def _count_unsolicited(self, message) -> None:
        self.unsolicited += 1
        now = self.clock()
        if now - self._last_unsolicited_log >= UNSOLICITED_LOG_INTERVAL:
            self._last_unsolicited_log = now
            logger.warning("domain %s: ignored clipboard data nobody requested (serial %d, %d so far)",
                           self.policy.name, message.serial, self.unsolicited)
