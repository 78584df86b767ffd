"""The daemon on a real GUI display: windows, trusted properties, pixels and frames.

Each test drives a real ``odyssey-guid`` with the hostile agent harness and checks
what appears on the GUI display itself.
"""

from __future__ import annotations

import numpy as np
import pytest

from protocol import messages as m

from .hostile_agent import PixelBuffer
from .support import grab_rgb, rgb, wait_until

RED_LABEL = 0xE53935
NEUTRAL = 0x808080
BORDER = 2


def screen_color(gui, x, y):
    return tuple(int(value) for value in grab_rgb(gui.display, gui.root, x, y, 1, 1)[0, 0])


def wait_for_color(gui, x, y, expected, timeout=10.0):
    wait_until(lambda: screen_color(gui, x, y) == rgb(expected), timeout,
               message=f"pixel ({x}, {y}) never became {expected:#08x}; it is {screen_color(gui, x, y)}")


def test_window_shows_domain_pixels_at_its_place(gui, untrusted):
    agent = untrusted.connect()
    agent.create_window(0x10, 100, 120, 64, 48)
    pixels = PixelBuffer(64, 48)
    pixels.fill(0x00FF00)
    pixels.fill(0x0000FF, 32, 0, 32, 48)
    agent.attach(0x10, pixels)
    agent.damage(0x10, 0, 0, 64, 48)
    wait_for_color(gui, 110, 130, 0x00FF00)
    wait_for_color(gui, 150, 130, 0x0000FF)


def test_window_carries_trusted_properties(gui, untrusted):
    agent = untrusted.connect()
    agent.create_window(0x11, 10, 10, 50, 50)
    agent.send(m.SetClass(window=0x11, res_class="XTerm", res_name="xterm"))
    agent.send(m.SetTitle(window=0x11, title="shell"))
    window = gui.window("untrusted", 0x11)
    wait_until(lambda: gui.text_property(window, "_NET_WM_NAME") == "shell")
    label = window.get_full_property(gui.atom["_ODYSSEY_LABEL"], 0).value[0]
    assert label == RED_LABEL
    assert window.get_wm_class() == ("untrusted:xterm", "untrusted:XTerm")


def test_window_before_content_shows_neutral_background(gui, untrusted):
    agent = untrusted.connect()
    agent.create_window(0x40, 200, 200, 60, 40)
    window = gui.window("untrusted", 0x40)
    wait_until(lambda: gui.is_viewable(window))
    wait_for_color(gui, 230, 220, NEUTRAL)


def test_undecorated_window_before_content_is_framed(gui, untrusted):
    agent = untrusted.connect()
    agent.create_window(0x41, 300, 300, 60, 40, override_redirect=1)
    wait_for_color(gui, 300, 300, RED_LABEL)
    wait_for_color(gui, 359, 339, RED_LABEL)
    wait_for_color(gui, 330, 320, NEUTRAL)


def test_undecorated_frame_survives_interior_damage(gui, untrusted):
    agent = untrusted.connect()
    agent.create_window(0x30, 300, 300, 80, 60, override_redirect=1)
    pixels = PixelBuffer(80, 60)
    pixels.fill(0x00FF00)  # the domain paints a green "frame" of its own everywhere
    agent.attach(0x30, pixels)
    for _ in range(5):
        agent.damage(0x30, 10, 10, 60, 40)
    agent.damage(0x30, 0, 0, 80, 60)
    wait_for_color(gui, 340, 330, 0x00FF00)
    frame = grab_rgb(gui.display, gui.root, 300, 300, 80, 60)
    assert (frame[:BORDER, :] == rgb(RED_LABEL)).all()
    assert (frame[-BORDER:, :] == rgb(RED_LABEL)).all()
    assert (frame[:, :BORDER] == rgb(RED_LABEL)).all()
    assert (frame[:, -BORDER:] == rgb(RED_LABEL)).all()
    assert (frame[BORDER:-BORDER, BORDER:-BORDER] == rgb(0x00FF00)).all()


def test_second_map_cannot_drop_override_redirect(gui, untrusted):
    agent = untrusted.connect()
    agent.create_window(0x20, 100, 100, 100, 80, override_redirect=1)
    pixels = PixelBuffer(100, 80)
    pixels.fill(0x00FF00)
    agent.attach(0x20, pixels)
    agent.send(m.MapWindow(window=0x20, transient_for=0, override_redirect=0))
    agent.damage(0x20, 0, 0, 100, 80)
    wait_for_color(gui, 150, 140, 0x00FF00)
    window = gui.window("untrusted", 0x20)
    assert window.get_attributes().override_redirect
    assert screen_color(gui, 100, 100) == rgb(RED_LABEL)
    assert screen_color(gui, 199, 179) == rgb(RED_LABEL)


@pytest.mark.parametrize("size", [1, 3, 4])
def test_tiny_undecorated_window_is_all_frame(gui, untrusted, size):
    agent = untrusted.connect()
    agent.create_window(0xE2, 500, 500, size, size, override_redirect=1)
    pixels = PixelBuffer(size, size)
    pixels.fill(0x00FF00)
    agent.attach(0xE2, pixels)
    agent.damage(0xE2, 0, 0, size, size)
    wait_for_color(gui, 500, 500, RED_LABEL)
    assert (grab_rgb(gui.display, gui.root, 500, 500, size, size) == rgb(RED_LABEL)).all()


def test_damage_partly_outside_paints_only_inside(gui, untrusted):
    agent = untrusted.connect()
    agent.create_window(0x50, 400, 400, 22, 22)
    pixels = PixelBuffer(22, 22)
    pixels.fill(0x00FF00)
    pixels.fill(0x0000FF, 20, 20, 2, 2)
    agent.attach(0x50, pixels)
    agent.damage(0x50, 20, 20, 10, 10)
    wait_for_color(gui, 421, 421, 0x0000FF)
    # Outside the damage the window shows its background, or the buffer once exposed.
    assert screen_color(gui, 419, 419) in (rgb(NEUTRAL), rgb(0x00FF00))
    agent.damage(0x50, 22, 0, 1, 1)  # entirely outside: ignored
    agent.damage(0x50, 0, 0, 16384, 6144)  # far larger than the window: clipped
    wait_for_color(gui, 400, 400, 0x00FF00)
    assert untrusted.process.poll() is None
    assert not agent.closed


def test_damage_for_stale_buffer_serial_is_ignored(gui, untrusted):
    agent = untrusted.connect()
    agent.create_window(0x51, 400, 400, 20, 20)
    old = PixelBuffer(20, 20)
    old.fill(0xFF0000)
    agent.attach(0x51, old, serial=1)
    new = PixelBuffer(20, 20)
    new.fill(0x00FF00)
    agent.attach(0x51, new, serial=2)
    agent.damage(0x51, 0, 0, 20, 20, serial=1)
    agent.damage(0x51, 0, 0, 20, 20, serial=2)
    wait_for_color(gui, 405, 405, 0x00FF00)


def test_positions_far_off_screen_are_clamped(gui, untrusted):
    agent = untrusted.connect()
    agent.create_window(0xD0, 2147483647, -2147483648, 100, 100)
    window = gui.window("untrusted", 0xD0)
    geometry = window.get_geometry()
    assert -16383 <= geometry.x <= 16383
    assert -16383 <= geometry.y <= 16383


def test_undecorated_window_stays_inside_the_screen(gui, untrusted):
    agent = untrusted.connect()
    agent.create_window(0xD1, 40000, -40000, 100, 100, override_redirect=1)
    window = gui.window("untrusted", 0xD1)
    wait_until(lambda: gui.is_viewable(window))
    geometry = window.get_geometry()
    assert 0 <= geometry.x <= 1920 - 100
    assert 0 <= geometry.y <= 1080 - 100


def test_large_undecorated_window_loses_the_privilege(gui, untrusted):
    agent = untrusted.connect()
    agent.create_window(0xD2, 0, 0, 1920, 1080, override_redirect=1)
    window = gui.window("untrusted", 0xD2)
    wait_until(lambda: gui.is_viewable(window))
    assert not window.get_attributes().override_redirect
    notices = wait_until(lambda: gui.text_property(gui.root, "_ODYSSEY_NOTICES"))
    assert notices.startswith("untrusted\tred\t")


def test_undecorated_windows_together_lose_the_privilege(gui, untrusted):
    agent = untrusted.connect()
    for index in range(4):
        agent.create_window(0xD3 + index, (index % 2) * 960, (index // 2) * 540, 900, 500, override_redirect=1)
    windows = [gui.window("untrusted", 0xD3 + index) for index in range(4)]
    wait_until(lambda: all(gui.is_viewable(window) for window in windows))
    flags = [window.get_attributes().override_redirect for window in windows]
    assert flags[0] and flags[1]
    assert not flags[2] and not flags[3]


def test_title_is_sanitized_on_the_display(gui, untrusted):
    agent = untrusted.connect()
    agent.create_window(0x120, 10, 10, 50, 50)
    untrusted_title = "Inbox\n\u202e[vault] x\x1b".encode()
    agent.send_frame(m.SetTitle.SPEC.code, 0x120, len(untrusted_title).to_bytes(4, "little") + untrusted_title
                     + bytes(512 - len(untrusted_title)))
    window = gui.window("untrusted", 0x120)
    title = wait_until(lambda: gui.text_property(window, "_NET_WM_NAME"))
    assert "\n" not in title and "\u202e" not in title and "\x1b" not in title
    assert title.startswith("Inbox\ufffd[vault] x")


def test_titles_never_reach_the_log(gui, untrusted):
    agent = untrusted.connect()
    agent.create_window(0x140, 10, 10, 50, 50)
    secret = "Re: contract draft - confidential\n2026-01-01 ERROR daemon stopped"
    agent.send(m.SetTitle(window=0x140, title=secret))
    window = gui.window("untrusted", 0x140)
    wait_until(lambda: gui.text_property(window, "_NET_WM_NAME"))
    log = untrusted.log()
    assert "contract" not in log
    assert "daemon stopped" not in log


def test_transient_link_cleared_when_target_destroyed(gui, untrusted):
    agent = untrusted.connect()
    agent.create_window(0xA, 10, 10, 50, 50)
    agent.create_window(0xC, 20, 20, 30, 30, transient_for=0xA)
    dialog = gui.window("untrusted", 0xC)
    parent = gui.window("untrusted", 0xA)
    wait_until(lambda: dialog.get_wm_transient_for() is not None)
    assert dialog.get_wm_transient_for().id == parent.id
    agent.send(m.DestroyWindow(window=0xA))
    wait_until(lambda: dialog.get_wm_transient_for() is None)
    agent.send(m.ConfigureWindow(window=0xC, x=25, y=25, width=30, height=30, override_redirect=0, ack_serial=0))
    agent.poll(0.1)
    assert not agent.closed


@pytest.mark.parametrize("target", ["self", 0xDEAD])
def test_transient_for_self_or_unknown_is_ignored(gui, untrusted, target):
    agent = untrusted.connect()
    agent.create_window(0xC1, 10, 10, 50, 50, transient_for=0xC1 if target == "self" else target)
    window = gui.window("untrusted", 0xC1)
    wait_until(lambda: gui.is_viewable(window))
    assert window.get_wm_transient_for() is None
    assert not agent.closed


def test_valid_cursor_shape_is_applied(gui, untrusted):
    agent = untrusted.connect()
    agent.create_window(0x150, 10, 10, 50, 50)
    agent.send(m.SetCursor(window=0x150, shape=152))
    agent.send(m.SetCursor(window=0x150, shape=m.CURSOR_DEFAULT))
    agent.poll(0.2)
    assert not agent.closed
    assert untrusted.process.poll() is None


def test_content_stays_exact_for_every_colour_channel(gui, untrusted):
    agent = untrusted.connect()
    agent.create_window(0x160, 600, 600, 4, 1)
    pixels = PixelBuffer(4, 1)
    for index, value in enumerate((0xFF0000, 0x00FF00, 0x0000FF, 0xFFFFFF)):
        pixels.fill(value, index, 0, 1, 1)
    agent.attach(0x160, pixels)
    agent.damage(0x160, 0, 0, 4, 1)
    wait_for_color(gui, 603, 600, 0xFFFFFF)
    row = grab_rgb(gui.display, gui.root, 600, 600, 4, 1)[0]
    assert np.array_equal(row, np.array([rgb(0xFF0000), rgb(0x00FF00), rgb(0x0000FF), rgb(0xFFFFFF)]))


def test_dock_of_a_mapped_window_is_ignored(gui, untrusted):
    agent = untrusted.connect()
    agent.create_window(0x70, 0, 0, 22, 22, override_redirect=1)
    window = gui.window("untrusted", 0x70)
    wait_until(lambda: gui.is_viewable(window))
    agent.send(m.Dock(window=0x70))
    agent.send(m.SetTitle(window=0x70, title="sync"))
    wait_until(lambda: gui.text_property(window, "_NET_WM_NAME") == "sync")
    assert gui.is_viewable(window)
    assert window.get_attributes().override_redirect
    assert "a mapped window cannot be docked" in untrusted.log()


def test_docked_window_drops_override_redirect_and_stays_hidden(gui, untrusted):
    agent = untrusted.connect()
    agent.create_window(0x71, 0, 0, 22, 22, override_redirect=1, map_it=False)
    agent.send(m.Dock(window=0x71))
    agent.send(m.MapWindow(window=0x71, transient_for=0, override_redirect=1))
    agent.send(m.SetTitle(window=0x71, title="sync"))
    window = gui.window("untrusted", 0x71)
    wait_until(lambda: gui.text_property(window, "_NET_WM_NAME") == "sync")
    assert not gui.is_viewable(window)
    assert not window.get_attributes().override_redirect
