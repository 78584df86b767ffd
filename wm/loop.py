"""The window manager's single loop: select on the X connection, a signal pipe and timers.

Nothing here polls: between events the process sleeps in select until the X
connection is readable, a signal arrives, or the earliest timer is due.
"""

from __future__ import annotations

import heapq
import itertools
import logging
import os
import select
import signal
import time
from collections.abc import Callable

from .xconn import queued_events

logger = logging.getLogger(__name__)


class Timer:
    """A scheduled callback; ``cancel()`` stops it from running."""

    def __init__(self, deadline: float, callback: Callable[[], None]) -> None:
        self.deadline = deadline
        self.callback = callback
        self.cancelled = False

    def cancel(self) -> None:
        self.cancelled = True


class EventLoop:
    """Runs X event handling and timers until ``stop()`` or a SIGTERM/SIGINT."""

    def __init__(self, display, handle_event: Callable[[object], None]) -> None:
        self.display = display
        self.handle_event = handle_event
        self._timers: list[tuple[float, int, Timer]] = []
        self._sequence = itertools.count()
        self._running = False
        self.stop_signal: int | None = None
        self._wakeup_read, self._wakeup_write = os.pipe2(os.O_NONBLOCK | os.O_CLOEXEC)

    def call_later(self, delay: float, callback: Callable[[], None]) -> Timer:
        timer = Timer(time.monotonic() + max(0.0, delay), callback)
        heapq.heappush(self._timers, (timer.deadline, next(self._sequence), timer))
        return timer

    def stop(self) -> None:
        self._running = False

    def _on_signal(self, number, frame) -> None:
        self.stop_signal = number
        self._running = False

    def run(self) -> None:
        """Handle events and timers until stopped; returns after a SIGTERM or SIGINT."""
        previous_handlers = {number: signal.signal(number, self._on_signal)
                             for number in (signal.SIGTERM, signal.SIGINT)}
        # The handler runs between bytecodes, but select() would sleep on; the
        # wake-up fd makes the signal also end the select.
        previous_wakeup = signal.set_wakeup_fd(self._wakeup_write)
        self._running = True
        x_fd = self.display.fileno()
        try:
            while self._running:
                self._dispatch_pending()
                self._run_due_timers()
                if not self._running:
                    break
                # Timer callbacks may have queued requests or read events.
                if self.display.pending_events():
                    continue
                self.display.flush()
                # python-xlib's flush also reads whatever the server sent, so events
                # may now wait in its queue, where select cannot see them.
                if queued_events(self.display):
                    continue
                readable, _, _ = select.select([x_fd, self._wakeup_read], [], [], self._timeout())
                if self._wakeup_read in readable:
                    self._drain_wakeup()
        finally:
            signal.set_wakeup_fd(previous_wakeup)
            for number, handler in previous_handlers.items():
                signal.signal(number, handler)

    def _dispatch_pending(self) -> None:
        while self._running and self.display.pending_events():
            self.handle_event(self.display.next_event())

    def _timeout(self) -> float | None:
        while self._timers and self._timers[0][2].cancelled:
            heapq.heappop(self._timers)
        if not self._timers:
            return None
        return max(0.0, self._timers[0][0] - time.monotonic())

    def _run_due_timers(self) -> None:
        now = time.monotonic()
        while self._timers and self._timers[0][0] <= now:
            _, _, timer = heapq.heappop(self._timers)
            if not timer.cancelled:
                timer.cancelled = True
                timer.callback()

    def _drain_wakeup(self) -> None:
        try:
            while os.read(self._wakeup_read, 64):
                pass
        except BlockingIOError:
            pass

    def close(self) -> None:
        os.close(self._wakeup_read)
        os.close(self._wakeup_write)
