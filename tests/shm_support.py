"""Helpers for shm tests: windows with known pixels drawn with python-xlib, and pixel read-back."""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path

import numpy as np
from Xlib import X, error
from Xlib import display as xlib_display
from Xlib.ext import composite

# (x, y, width, height, 0xRRGGBB) rectangles that make a window's pixels unambiguous:
# every colour differs in all three channels, and no two neighbours are alike.
TEST_PATTERN = (
    (0, 0, 200, 150, 0x102030),
    (10, 10, 60, 40, 0xE53935),
    (80, 10, 60, 40, 0x43A047),
    (150, 10, 40, 90, 0x1E88E5),
    (10, 60, 130, 30, 0xFDD835),
    (0, 110, 200, 40, 0x8E24AA),
    (33, 117, 7, 5, 0xFFFFFF),
)
PATTERN_WIDTH, PATTERN_HEIGHT = 200, 150


def open_display(name: str) -> xlib_display.Display:
    """Open a python-xlib connection with core error classes restored.

    python-xlib 0.33's RANDR and DAMAGE modules register errors at raw codes 1 and
    2, so core BadRequest and BadValue would be decoded wrongly.
    """
    display = xlib_display.Display(name)
    display.display.error_classes[1] = error.BadRequest
    display.display.error_classes[2] = error.BadValue
    return display


def redirect_top_level_windows(display: xlib_display.Display) -> None:
    """Redirect all top-level windows to off-screen storage (Composite, automatic mode)."""
    display.composite_query_version()
    display.screen().root.composite_redirect_subwindows(composite.RedirectAutomatic)
    display.sync()


def create_window(display: xlib_display.Display, x: int, y: int, width: int, height: int, background: int = 0):
    """Create and map an override-redirect top-level window; return it once the server has mapped it."""
    screen = display.screen()
    window = screen.root.create_window(
        x, y, width, height, 0, screen.root_depth, X.InputOutput, X.CopyFromParent,
        background_pixel=background, override_redirect=True,
    )
    window.map()
    display.sync()
    return window


def fill_rectangles(display: xlib_display.Display, window, rectangles: Sequence[tuple[int, int, int, int, int]]) -> None:
    """Fill each (x, y, width, height, 0xRRGGBB) rectangle of ``window``, in order."""
    gc = window.create_gc()
    for x, y, width, height, colour in rectangles:
        gc.change(foreground=colour)
        window.fill_rectangle(gc, x, y, width, height)
    gc.free()
    display.sync()


def expected_pixels(width: int, height: int, rectangles: Sequence[tuple[int, int, int, int, int]], background: int = 0) -> np.ndarray:
    """Return the (height, width) 0xRRGGBB values that filling ``rectangles`` in order produces."""
    image = np.full((height, width), background, dtype=np.uint32)
    for x, y, w, h, colour in rectangles:
        image[max(y, 0):y + h, max(x, 0):x + w] = colour
    return image


def read_pixels(window, x: int, y: int, width: int, height: int) -> np.ndarray:
    """Read a rectangle of ``window`` with core GetImage as (height, width) 0xRRGGBB values.

    python-xlib cannot read more than about 256 KiB at once; keep areas small.
    """
    reply = window.get_image(x, y, width, height, X.ZPixmap, 0xFFFFFFFF)
    values = np.frombuffer(reply.data, dtype="<u4").reshape(height, width)
    return values & 0xFFFFFF


def open_fd_count() -> int:
    """Return how many fds this process has open."""
    return len(os.listdir("/proc/self/fd"))


def unused_display_name() -> str:
    """Return a display name that no local X server listens on right now."""
    for number in range(6000, 7000):
        if not Path(f"/tmp/.X11-unix/X{number}").exists() and not Path(f"/tmp/.X{number}-lock").exists():
            return f":{number}"
    raise RuntimeError("displays :6000 to :6999 are all in use")
