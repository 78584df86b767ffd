"""Waiting with a deadline for a condition that no event announces."""

from __future__ import annotations

import time
from typing import Callable, TypeVar

T = TypeVar("T")


def poll_until(predicate: Callable[[], T], timeout: float, interval: float) -> T | None:
    """Return the first true value of ``predicate()``, or None once ``timeout`` seconds have passed.

    ``predicate`` runs at least once, and ``interval`` seconds of sleep separate
    two calls. Both times are in seconds of the monotonic clock.
    """
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() >= deadline:
            return None
        time.sleep(interval)
