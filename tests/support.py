"""Shared test helpers: waiting with a deadline, and reading pixels of an X display."""

from __future__ import annotations

import numpy as np
from Xlib import X

from domains.polling import poll_until

# Seconds a test waits for something that normally takes milliseconds.
DEFAULT_TIMEOUT = 10.0

# python-xlib sends images without BIG-REQUESTS, so each get_image stays below 256 KiB.
_MAX_IMAGE_BYTES = 200 * 1024


def wait_until(predicate, timeout: float = DEFAULT_TIMEOUT, interval: float = 0.005, message: str = ""):
    """Poll predicate until it returns a true value, and return that value.

    Raises AssertionError with ``message`` when the deadline passes first.
    """
    value = poll_until(predicate, timeout, interval)
    if not value:
        raise AssertionError(message or f"condition not met within {timeout} s")
    return value


def grab_rgb(display, drawable, x: int, y: int, width: int, height: int) -> np.ndarray:
    """Return the pixels of a drawable's rectangle as an (height, width, 3) RGB array."""
    rows_per_band = max(1, _MAX_IMAGE_BYTES // (width * 4))
    bands = []
    for top in range(y, y + height, rows_per_band):
        band_height = min(rows_per_band, y + height - top)
        image = drawable.get_image(x, top, width, band_height, X.ZPixmap, 0xFFFFFFFF)
        data = np.frombuffer(image.data, dtype=np.uint8).reshape(band_height, width, 4)
        bands.append(data[:, :, 2::-1])  # B G R X in memory -> R G B
    return np.concatenate(bands, axis=0)


def rgb(value: int) -> tuple[int, int, int]:
    """Split 0xRRGGBB into an (R, G, B) tuple."""
    return (value >> 16) & 0xFF, (value >> 8) & 0xFF, value & 0xFF
