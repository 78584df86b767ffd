"""Input on the daemon's windows reaches its domain, and only its domain.

The user is simulated with XTEST on the GUI display; what the daemon forwards is
read by the hostile agent harness.
"""

from __future__ import annotations

import pytest
from Xlib import X, XK
from Xlib.ext import xtest
from Xlib.protocol import event as xevent

from protocol import messages as m

from .daemon_support import start_daemon
from .support import wait_until


def keycode(gui, name: str) -> int:
    return gui.display.keysym_to_keycode(XK.string_to_keysym(name))


def tap(gui, *names: str) -> None:
    """Press the keys in order, then release them in reverse order, through XTEST."""
    codes = [keycode(gui, name) for name in names]
    for code in codes:
        xtest.fake_input(gui.display, X.KeyPress, code)
    for code in reversed(codes):
        xtest.fake_input(gui.display, X.KeyRelease, code)
    gui.display.sync()


def focused_window(gui, untrusted, remote_id=0x10, x=100, y=100):
    agent = untrusted.connect()
    agent.create_window(remote_id, x, y, 200, 150)
    window = gui.window("untrusted", remote_id)
    wait_until(lambda: gui.is_viewable(window))
    window.set_input_focus(X.RevertToParent, X.CurrentTime)
    gui.display.sync()
    agent.wait_for(lambda event: isinstance(event, m.Focus) and event.focused)
    return agent, window


def key_events(agent, code):
    return [event for event in agent.received if isinstance(event, m.Key) and event.keycode == code]


def test_keys_reach_the_focused_window(gui, untrusted):
    agent, _ = focused_window(gui, untrusted)
    tap(gui, "a")
    code = keycode(gui, "a")
    agent.wait_for(lambda event: isinstance(event, m.Key) and event.keycode == code and not event.pressed)
    assert [event.pressed for event in key_events(agent, code)] == [1, 0]


def test_keymap_state_comes_before_focus(gui, untrusted):
    agent, _ = focused_window(gui, untrusted)
    kinds = [type(event).__name__ for event in agent.received]
    focus_index = kinds.index("Focus")
    assert "KeymapState" in kinds[:focus_index]


def test_mapping_a_window_does_not_take_the_focus(gui, untrusted):
    before = gui.display.get_input_focus().focus
    agent = untrusted.connect()
    agent.create_window(0x11, 50, 50, 100, 100)
    window = gui.window("untrusted", 0x11)
    wait_until(lambda: gui.is_viewable(window))
    assert gui.display.get_input_focus().focus == before


def test_click_lands_at_window_relative_coordinates(gui, untrusted):
    agent, _ = focused_window(gui, untrusted, x=300, y=200)
    xtest.fake_input(gui.display, X.MotionNotify, x=340, y=230)
    xtest.fake_input(gui.display, X.ButtonPress, 1)
    xtest.fake_input(gui.display, X.ButtonRelease, 1)
    gui.display.sync()
    press = agent.wait_for(lambda event: isinstance(event, m.Button) and event.pressed)
    assert (press.x, press.y, press.button) == (40, 30, 1)
    crossing = agent.wait_for(lambda event: isinstance(event, m.Crossing) and event.entered)
    assert (crossing.x, crossing.y) == (40, 30)


def test_copy_hotkey_is_swallowed(gui, untrusted):
    agent, _ = focused_window(gui, untrusted)
    tap(gui, "Control_L", "Shift_L", "c")
    request = agent.wait_for(lambda event: isinstance(event, m.ClipboardRequest))
    assert request.max_bytes > 0
    assert key_events(agent, keycode(gui, "c")) == []


@pytest.mark.parametrize("lock", ["Num_Lock", "Caps_Lock"])
def test_copy_hotkey_works_with_lock_keys_on(gui, untrusted, lock):
    agent, _ = focused_window(gui, untrusted)
    tap(gui, lock)
    tap(gui, "Control_L", "Shift_L", "c")
    agent.wait_for(lambda event: isinstance(event, m.ClipboardRequest))
    tap(gui, lock)
    assert key_events(agent, keycode(gui, "c")) == []


def test_other_combinations_reach_the_application(gui, untrusted):
    agent, _ = focused_window(gui, untrusted)
    tap(gui, "Control_L", "Shift_L", "x")
    code = keycode(gui, "x")
    agent.wait_for(lambda event: isinstance(event, m.Key) and event.keycode == code and not event.pressed)
    assert not any(isinstance(event, m.ClipboardRequest) for event in agent.received)


def test_configured_hotkeys_replace_the_defaults(xvfb, tmp_path, gui):
    config = tmp_path / "config" / "odyssey"
    config.mkdir(parents=True)
    (config / "desktop.toml").write_text('[hotkeys]\ncopy = "Super+C"\npaste = "Super+V"\n')
    daemon = start_daemon(xvfb.display, tmp_path, "untrusted", "red")
    try:
        agent, _ = focused_window(gui, daemon)
        tap(gui, "Control_L", "Shift_L", "v")  # no longer a hotkey: reaches the application
        code = keycode(gui, "v")
        agent.wait_for(lambda event: isinstance(event, m.Key) and event.keycode == code)
        tap(gui, "Super_L", "c")
        agent.wait_for(lambda event: isinstance(event, m.ClipboardRequest))
    finally:
        daemon.stop()


def test_user_move_is_sent_and_wins_until_acknowledged(gui, untrusted):
    agent = untrusted.connect()
    agent.create_window(0x12, 100, 100, 200, 150)
    window = gui.window("untrusted", 0x12)
    wait_until(lambda: gui.is_viewable(window))
    window.configure(x=400, y=300)  # as a window manager would move it
    gui.display.sync()
    configure = agent.wait_for(lambda event: isinstance(event, m.Configure))
    assert (configure.x, configure.y, configure.width, configure.height) == (400, 300, 200, 150)
    # The domain's own late move is ignored until it acknowledges the user's move.
    agent.send(m.ConfigureWindow(window=0x12, x=10, y=10, width=200, height=150, override_redirect=0, ack_serial=0))
    agent.send(m.ConfigureWindow(window=0x12, x=400, y=300, width=200, height=150, override_redirect=0,
                                 ack_serial=configure.serial))
    agent.send(m.SetTitle(window=0x12, title="synced"))
    wait_until(lambda: gui.text_property(window, "_NET_WM_NAME") == "synced")
    geometry = window.get_geometry()
    assert (geometry.x, geometry.y) == (400, 300)


def test_close_request_is_forwarded(gui, untrusted):
    agent = untrusted.connect()
    agent.create_window(0x13, 100, 100, 50, 50)
    window = gui.window("untrusted", 0x13)
    protocols = gui.atom["WM_PROTOCOLS"]
    delete = gui.display.intern_atom("WM_DELETE_WINDOW")
    window.send_event(xevent.ClientMessage(window=window, client_type=protocols, data=(32, [delete, 0, 0, 0, 0])))
    gui.display.sync()
    agent.wait_for(lambda event: isinstance(event, m.Close) and event.window == 0x13)


def state_requests(gui):
    """Collect _NET_WM_STATE client messages sent to the root window (what a window manager sees)."""
    gui.root.change_attributes(event_mask=X.SubstructureNotifyMask)
    gui.display.sync()
    seen = []

    def collect():
        while gui.display.pending_events():
            event = gui.display.next_event()
            if event.type == X.ClientMessage and event.client_type == gui.atom["_NET_WM_STATE"]:
                seen.append([gui.display.get_atom_name(atom) for atom in event.data[1][1:3] if atom])
        return seen

    return collect


def test_fullscreen_without_permission_becomes_maximize(gui, untrusted):
    collect = state_requests(gui)
    agent = untrusted.connect()
    agent.create_window(0x110, 100, 100, 300, 200)
    gui.window("untrusted", 0x110)
    agent.send(m.RequestState(window=0x110, set=m.WindowState.FULLSCREEN, unset=m.WindowState(0)))
    reported = agent.wait_for(lambda event: isinstance(event, m.SetWindowState))
    assert reported.state & m.WindowState.FULLSCREEN
    requests = wait_until(collect)
    assert requests == [["_NET_WM_STATE_MAXIMIZED_VERT", "_NET_WM_STATE_MAXIMIZED_HORZ"]]


def test_fullscreen_with_permission_is_requested(xvfb, tmp_path, gui):
    collect = state_requests(gui)
    daemon = start_daemon(xvfb.display, tmp_path, "games", "purple", "--allow-fullscreen")
    try:
        agent = daemon.connect()
        agent.create_window(0x111, 100, 100, 300, 200)
        gui.window("games", 0x111)
        agent.send(m.RequestState(window=0x111, set=m.WindowState.FULLSCREEN, unset=m.WindowState(0)))
        requests = wait_until(collect)
        assert requests == [["_NET_WM_STATE_FULLSCREEN"]]
    finally:
        daemon.stop()


def test_agent_that_stops_reading_is_disconnected(xvfb, tmp_path, gui):
    daemon = start_daemon(xvfb.display, tmp_path, "untrusted", "red", "--max-outgoing-bytes", "4096")
    try:
        agent, window = focused_window(gui, daemon)
        for step in range(20000):
            xtest.fake_input(gui.display, X.MotionNotify, x=110 + step % 50, y=110 + step % 40)
            if step % 500 == 0:
                gui.display.sync()
                if "stopped reading" in daemon.log():
                    break
        wait_until(lambda: "stopped reading" in daemon.log(), message="the daemon never cut off the agent")
        wait_until(lambda: not gui.windows_of("untrusted"))
        assert daemon.process.poll() is None
    finally:
        daemon.stop()


def test_click_on_undecorated_window_gives_it_the_keyboard(gui, untrusted):
    agent = untrusted.connect()
    agent.create_window(0x30, 500, 500, 120, 80, override_redirect=1)
    popup = gui.window("untrusted", 0x30)
    wait_until(lambda: gui.is_viewable(popup))
    assert gui.display.get_input_focus().focus != popup
    xtest.fake_input(gui.display, X.MotionNotify, x=560, y=540)
    xtest.fake_input(gui.display, X.ButtonPress, 1)
    xtest.fake_input(gui.display, X.ButtonRelease, 1)
    gui.display.sync()
    wait_until(lambda: gui.display.get_input_focus().focus == popup)
    tap(gui, "q")
    code = keycode(gui, "q")
    agent.wait_for(lambda event: isinstance(event, m.Key) and event.keycode == code and event.window == 0x30)


def test_undecorated_window_without_a_click_gets_no_keys(gui, untrusted):
    agent, _ = focused_window(gui, untrusted, remote_id=0x31, x=100, y=100)
    agent.create_window(0x32, 600, 600, 100, 60, override_redirect=1)
    popup = gui.window("untrusted", 0x32)
    wait_until(lambda: gui.is_viewable(popup))
    tap(gui, "w")
    code = keycode(gui, "w")
    event = agent.wait_for(lambda event: isinstance(event, m.Key) and event.keycode == code)
    assert event.window == 0x31
