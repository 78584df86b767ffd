"""DAMAGE on the capturing xcb connection: delta events, subtracting, and errors."""

from __future__ import annotations

import pytest
from Xlib import X
from Xlib import display as xlib_display

from shm.xcb import XcbConnection
from shm.xcb_damage import REPORT_RAW_RECTANGLES, DamageNotify, XcbDamage


@pytest.fixture
def drawing(xvfb):
    display = xlib_display.Display(xvfb.display)
    screen = display.screen()
    window = screen.root.create_window(0, 0, 100, 80, 0, screen.root_depth, X.InputOutput, X.CopyFromParent,
                                       background_pixel=0)
    window.map()
    display.sync()
    gc = window.create_gc(foreground=0x123456)
    xcb = XcbConnection(xvfb.display)
    yield display, window, gc, xcb
    xcb.close()
    display.close()


def fill(display, window, gc, *rectangle):
    window.fill_rectangle(gc, *rectangle)
    display.sync()


def test_delta_damage_reports_an_area_once_until_subtracted(drawing):
    display, window, gc, xcb = drawing
    damage = XcbDamage(xcb)
    damage_id = damage.create(window.id)
    xcb.sync()
    damage.subtract_all(damage_id)
    xcb.sync()
    damage.poll()

    for _ in range(5):
        fill(display, window, gc, 10, 10, 20, 20)
    xcb.sync()
    notifications, errors = damage.poll()
    assert notifications == [DamageNotify(window.id, damage_id, 10, 10, 20, 20)]
    assert errors == []

    damage.subtract_all(damage_id)
    xcb.sync()  # the subtract must reach the server before the other client draws
    fill(display, window, gc, 10, 10, 20, 20)
    fill(display, window, gc, 50, 40, 5, 5)
    xcb.sync()
    notifications, _ = damage.poll()
    assert [(n.x, n.y, n.width, n.height) for n in notifications] == [(10, 10, 20, 20), (50, 40, 5, 5)]


def test_raw_damage_reports_every_drawing(drawing):
    display, window, gc, xcb = drawing
    damage = XcbDamage(xcb)
    damage.create(window.id, REPORT_RAW_RECTANGLES)
    xcb.sync()
    damage.poll()

    for _ in range(3):
        fill(display, window, gc, 0, 0, 8, 8)
    xcb.sync()
    notifications, _ = damage.poll()
    assert len(notifications) == 3


def test_poll_returns_events_queued_by_round_trip(drawing):
    display, window, gc, xcb = drawing
    damage = XcbDamage(xcb)
    damage.create(window.id)
    fill(display, window, gc, 1, 2, 3, 4)
    xcb.sync()  # the reply comes after the event, so libxcb has queued the event
    notifications, _ = damage.poll(read_socket=False)
    assert notifications


def test_destroy_after_window_gone_is_error(drawing):
    display, window, _, xcb = drawing
    damage = XcbDamage(xcb)
    damage_id = damage.create(window.id)
    xcb.sync()
    window.destroy()
    display.sync()

    damage.destroy(damage_id)
    xcb.sync()
    _, errors = damage.poll()
    assert [error.error_code for error in errors] == [damage.first_error]  # BadDamage


def test_create_rejects_levels_without_rectangles(drawing):
    _, window, _, xcb = drawing
    damage = XcbDamage(xcb)
    with pytest.raises(ValueError):
        damage.create(window.id, level=3)  # NonEmpty
    with pytest.raises(ValueError):
        damage.create(-1)
