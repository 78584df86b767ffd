"""Bounded reads of window properties on a real X server."""

from __future__ import annotations

import pytest
from Xlib import X, Xatom

from gui_agent.display import Atoms, open_display
from gui_agent.metadata import read_class, read_hints, read_title, read_transient_for
from protocol import limits
from protocol.messages import HintFlags
from protocol.text import ELLIPSIS


@pytest.fixture
def window(xvfb):
    display = open_display(xvfb.display)
    window = display.screen().root.create_window(0, 0, 10, 10, 0, X.CopyFromParent)
    yield display, window
    display.close()


def test_title_prefers_net_wm_name(window):
    display, x_window = window
    atoms = Atoms(display)
    x_window.change_property(Xatom.WM_NAME, Xatom.STRING, 8, b"latin")
    x_window.change_property(atoms._NET_WM_NAME, atoms.UTF8_STRING, 8, "ünicode".encode())
    assert read_title(x_window, atoms) == "ünicode".encode()


def test_title_falls_back_to_latin1_wm_name(window):
    display, x_window = window
    x_window.change_property(Xatom.WM_NAME, Xatom.STRING, 8, "café".encode("latin-1"))
    assert read_title(x_window, Atoms(display)) == "café".encode()


def test_huge_title_is_read_bounded_and_cut(window):
    display, x_window = window
    atoms = Atoms(display)
    x_window.change_property(atoms._NET_WM_NAME, atoms.UTF8_STRING, 8, b"t" * 200_000)
    title = read_title(x_window, atoms)
    assert len(title) <= limits.TITLE_MAX_BYTES
    assert title.decode().endswith(ELLIPSIS)


def test_missing_title_is_none(window):
    display, x_window = window
    assert read_title(x_window, Atoms(display)) is None


def test_class_parts_are_cut_to_limit(window):
    display, x_window = window
    x_window.change_property(Xatom.WM_CLASS, Xatom.STRING, 8, b"n" * 100 + b"\0" + b"Class\0")
    name, window_class = read_class(x_window)
    assert name == b"n" * limits.CLASS_MAX_BYTES
    assert window_class == b"Class"


def test_hints_are_clamped_to_protocol_limits(window):
    display, x_window = window
    x_window.set_wm_normal_hints(flags=(1 << 4) | (1 << 5) | (1 << 6), min_width=-5, min_height=10,
                                 max_width=100_000, max_height=20, width_inc=8, height_inc=16)
    hints = read_hints(x_window)
    assert hints.flags == HintFlags.MIN_SIZE | HintFlags.MAX_SIZE | HintFlags.RESIZE_INCREMENT
    assert (hints.min_width, hints.min_height) == (0, 10)
    assert (hints.max_width, hints.max_height) == (limits.MAX_WINDOW_WIDTH, 20)
    assert (hints.width_inc, hints.height_inc) == (8, 16)


def test_transient_for_of_wrong_type_is_ignored(window):
    display, x_window = window
    x_window.change_property(Xatom.WM_TRANSIENT_FOR, Xatom.CARDINAL, 32, [123])
    assert read_transient_for(x_window) == 0
    x_window.change_property(Xatom.WM_TRANSIENT_FOR, Xatom.WINDOW, 32, [0x400001])
    assert read_transient_for(x_window) == 0x400001
