"""The agent's captures: CopyArea of the damaged rectangles only, row bands as the fallback.

Each test draws on a real Composite-redirected window, marks only part of the
change as damaged, and checks which pixels reached the shared buffer.
"""

from __future__ import annotations

import numpy as np
import pytest
from Xlib import X
from Xlib import display as xlib_display
from Xlib.ext import composite

from gui_agent.capture import Capturer
from gui_agent.windows import WindowRecord
from shm.views import pixel_values
from shm.xcb import XcbConnection
from shm.xcb_damage import XcbDamage

RED, BLUE = 0xFF0000, 0x0000FF
WIDTH, HEIGHT = 64, 32


@pytest.fixture
def window(xvfb):
    display = xlib_display.Display(xvfb.display)
    screen = display.screen()
    screen.root.composite_redirect_subwindows(composite.RedirectManual)
    window = screen.root.create_window(0, 0, WIDTH, HEIGHT, 0, screen.root_depth, X.InputOutput,
                                       X.CopyFromParent, background_pixel=RED)
    window.map()
    display.sync()
    xcb = XcbConnection(xvfb.display)
    yield display, window, xcb
    xcb.close()
    display.close()


def accepted_record(capturer: Capturer, window_id: int, depth: int) -> WindowRecord:
    record = WindowRecord(window_id, 0, 0, WIDTH, HEIGHT, 0, False, mapped=True, depth=depth)
    capturer.allocate(record)
    assert capturer.accept(record, record.serial) is not None
    return record


def buffer_pixels(record: WindowRecord) -> np.ndarray:
    mapping = record.buffer.open_mapping()
    values = pixel_values(mapping, WIDTH, HEIGHT, record.buffer.stride) & 0xFFFFFF
    copied = values.copy()
    del values
    mapping.close()
    return copied


def paint_blue_and_damage(display, window, record: WindowRecord) -> None:
    gc = window.create_gc(foreground=BLUE)
    window.fill_rectangle(gc, 0, 0, WIDTH, HEIGHT)
    display.sync()
    record.pending_damage.add(10, 10, 8, 8, WIDTH, HEIGHT)


def test_capture_copies_only_damaged_rectangle(window):
    display, x_window, xcb = window
    capturer = Capturer(xcb, XcbDamage(xcb))
    record = accepted_record(capturer, x_window.id, depth=24)
    assert record.frame_capture is not None
    assert (buffer_pixels(record) == RED).all()

    paint_blue_and_damage(display, x_window, record)
    damages = capturer.capture_pending(record)

    assert [(d.x, d.y, d.width, d.height) for d in damages] == [(10, 10, 8, 8)]
    expected = np.full((HEIGHT, WIDTH), RED, dtype=np.uint32)
    expected[10:18, 10:18] = BLUE
    assert np.array_equal(buffer_pixels(record), expected)
    capturer.release(record)
    capturer.close_retired()
    assert record.frame_capture is None


def test_capture_of_unknown_depth_uses_row_bands(window):
    display, x_window, xcb = window
    capturer = Capturer(xcb, XcbDamage(xcb))
    # A depth with no 32-bit pixel layout for CopyArea: whole rows come through ShmGetImage.
    record = accepted_record(capturer, x_window.id, depth=16)
    assert record.frame_capture is None

    paint_blue_and_damage(display, x_window, record)
    capturer.capture_pending(record)

    expected = np.full((HEIGHT, WIDTH), RED, dtype=np.uint32)
    expected[10:18, :] = BLUE
    assert np.array_equal(buffer_pixels(record), expected)
    capturer.release(record)
    capturer.close_retired()
