"""The daemon's session set-up and life cycle: screen, layout, work area, signals."""

from __future__ import annotations

import signal

import pytest
from Xlib import Xatom

from protocol import messages as m

from .support import wait_until


def set_work_area(gui, x, y, width, height):
    atom = gui.display.intern_atom("_NET_WORKAREA")
    gui.root.change_property(atom, Xatom.CARDINAL, 32, [x, y, width, height])
    gui.display.sync()


def test_session_starts_with_screen_and_layout(untrusted):
    agent = untrusted.connect()
    screen = agent.wait_for(lambda event: isinstance(event, m.ScreenConfiguration))
    assert (screen.width, screen.height) == (1920, 1080)
    assert (screen.work_x, screen.work_y, screen.work_width, screen.work_height) == (0, 0, 1920, 1080)
    layout = agent.wait_for(lambda event: isinstance(event, m.KeyboardLayout))
    assert layout.layout == "us"


def test_work_area_change_is_sent(gui, untrusted):
    agent = untrusted.connect()
    agent.wait_for(lambda event: isinstance(event, m.ScreenConfiguration))
    set_work_area(gui, 0, 24, 1920, 1056)
    screen = agent.wait_for(lambda event: isinstance(event, m.ScreenConfiguration) and event.work_y == 24)
    assert screen.work_height == 1056


@pytest.mark.parametrize("area", [(0, 0, 0, 0), (0, 24, 1920, 5000), (3000, 0, 100, 100)])
def test_invalid_work_area_keeps_the_last_valid(gui, untrusted, area):
    set_work_area(gui, 0, 24, 1920, 1056)
    agent = untrusted.connect()
    agent.wait_for(lambda event: isinstance(event, m.ScreenConfiguration))
    set_work_area(gui, *area)
    wait_until(lambda: "ignored an invalid work area" in untrusted.log())
    agent.create_window(0x10, 0, 0, 100, 50, override_redirect=1)
    window = gui.window("untrusted", 0x10)
    wait_until(lambda: gui.is_viewable(window))
    assert window.get_geometry().y >= 24, "undecorated windows stay below the bar"
    assert untrusted.process.poll() is None


def test_keyboard_layout_change_is_sent(gui, untrusted):
    agent = untrusted.connect()
    agent.wait_for(lambda event: isinstance(event, m.KeyboardLayout))
    atom = gui.display.intern_atom("_XKB_RULES_NAMES")
    gui.root.change_property(atom, Xatom.STRING, 8, b"evdev\0pc105\0de,ru\0\0grp:alt_shift_toggle\0")
    gui.display.sync()
    layout = agent.wait_for(lambda event: isinstance(event, m.KeyboardLayout) and event.layout == "de,ru")
    assert layout.options == "grp:alt_shift_toggle"


def test_statistics_are_logged_on_sigusr1(gui, untrusted):
    agent = untrusted.connect()
    agent.create_window(0x10, 0, 0, 10, 10)
    gui.window("untrusted", 0x10)
    untrusted.process.send_signal(signal.SIGUSR1)
    wait_until(lambda: "statistics:" in untrusted.log())
    assert "CreateWindow 1" in untrusted.log()


def test_sigterm_removes_windows_socket_and_registration(gui, untrusted, tmp_path):
    agent = untrusted.connect()
    agent.create_window(0x10, 0, 0, 10, 10)
    gui.window("untrusted", 0x10)
    registry = tmp_path / "run" / "odyssey" / "daemons"
    assert list(registry.iterdir())
    assert untrusted.stop() == 0
    assert not gui.windows_of("untrusted")
    assert not list(registry.iterdir())
    assert not (tmp_path / "daemon-0.sock").exists()


def test_second_agent_waits_until_the_first_session_ends(untrusted):
    first = untrusted.connect()
    first.create_window(0x10, 0, 0, 10, 10)
    second = untrusted.connect(handshake=False)
    second.send(m.Hello(window=0, major=1, minor=0))
    assert second.poll(0.3) and not second.received, "no Welcome while another session runs"
    first.close()
    second.wait_for(lambda event: isinstance(event, m.Welcome))
