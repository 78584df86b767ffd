"""Input from the daemon reaches the domain's applications at the right place and state."""

from __future__ import annotations

from Xlib import X, XK
from Xlib import display as xdisplay

from protocol import messages as m

from .agent_support import domain, wait_until  # noqa: F401  (domain is a fixture)

SHIFT_MASK = X.ShiftMask


def key_is_down(keymap, keycode: int) -> bool:
    return bool(keymap[keycode // 8] & (1 << (keycode % 8)))


def keys_for_text(display, text: str) -> list[tuple[int, int]]:
    """Return (keycode, state) pairs that type text on the US layout."""
    keys = []
    for character in text:
        name = {" ": "space", ">": "greater", ".": "period", "_": "underscore", "/": "slash",
                "-": "minus", "\n": "Return"}.get(character, character)
        keysym = XK.string_to_keysym(name)
        keycode = display.keysym_to_keycode(keysym)
        assert keycode, f"no keycode for {character!r}"
        shifted = display.keycode_to_keysym(keycode, 0) != keysym
        keys.append((keycode, SHIFT_MASK if shifted else 0))
    return keys


def test_typed_keys_reach_xterm(domain, tmp_path):
    domain.spawn(["xterm", "-geometry", "80x10+0+0", "-e", "sh"], cwd=tmp_path)
    window = domain.daemon.wait_window(lambda w: w.res_class == "XTerm" and w.mapped and w.buffer is not None)
    domain.daemon.send(m.Focus(window=window.window_id, focused=1, mode=0))
    client = xdisplay.Display(domain.display)
    try:
        keys = keys_for_text(client, "echo typed > out.txt\n")
    finally:
        client.close()
    # Shift is never sent as a key: the agent presses and releases it from the state masks.
    for keycode, state in keys:
        domain.daemon.send(m.Key(window=window.window_id, pressed=1, keycode=keycode, state=state))
        domain.daemon.send(m.Key(window=window.window_id, pressed=0, keycode=keycode, state=state))
    output = tmp_path / "out.txt"
    wait_until(lambda: output.exists() and output.read_text() == "typed\n", message="xterm to write out.txt")


def test_pointer_motion_and_clicks_land_at_window_coordinates(domain):
    app = domain.app("--geometry", "200x150+300+200", "--report-input")
    domain.window(app.window_id)
    domain.daemon.send(m.Crossing(window=app.window_id, entered=1, x=5, y=5, state=0, mode=0))
    domain.daemon.send(m.Motion(window=app.window_id, x=30, y=40, state=0))
    app.read_line(lambda line: line == "motion 30 40")
    domain.daemon.send(m.Button(window=app.window_id, pressed=1, button=1, x=120, y=90, state=0))
    app.read_line(lambda line: line == "button-press 1 120 90")
    domain.daemon.send(m.Button(window=app.window_id, pressed=0, button=1, x=121, y=91, state=X.Button1Mask))
    app.read_line(lambda line: line == "button-release 1 121 91")


def test_clicks_follow_window_moved_by_daemon(domain):
    app = domain.app("--geometry", "100x100+10+10", "--report-input")
    domain.window(app.window_id)
    domain.daemon.send(m.Configure(window=app.window_id, x=500, y=400, width=100, height=100, serial=1))
    domain.daemon.wait_for_message(m.ConfigureWindow, app.window_id, ack_serial=1)
    domain.daemon.send(m.Button(window=app.window_id, pressed=1, button=3, x=7, y=9, state=0))
    app.read_line(lambda line: line == "button-press 3 7 9")
    domain.daemon.send(m.Button(window=app.window_id, pressed=0, button=3, x=7, y=9, state=X.Button3Mask))
    app.read_line(lambda line: line == "button-release 3 7 9")


def test_keymap_state_releases_stuck_key(domain):
    app = domain.app()
    domain.window(app.window_id)
    client = xdisplay.Display(domain.display)
    try:
        shift = client.keysym_to_keycode(XK.XK_Shift_L)
        domain.daemon.send(m.Key(window=app.window_id, pressed=1, keycode=shift, state=0))
        wait_until(lambda: key_is_down(client.query_keymap(), shift), message="Shift to be down")

        domain.daemon.send(m.KeymapState(window=0, keys=bytes(32)))
        wait_until(lambda: not key_is_down(client.query_keymap(), shift), message="Shift to be released")
    finally:
        client.close()


def test_keymap_state_never_presses_keys(domain):
    app = domain.app()
    domain.window(app.window_id)
    client = xdisplay.Display(domain.display)
    try:
        control = client.keysym_to_keycode(XK.XK_Control_L)
        shift = client.keysym_to_keycode(XK.XK_Shift_L)
        keys = bytearray(32)
        keys[control // 8] |= 1 << (control % 8)
        domain.daemon.send(m.Key(window=app.window_id, pressed=1, keycode=shift, state=0))
        domain.daemon.send(m.KeymapState(window=0, keys=bytes(keys)))
        wait_until(lambda: not key_is_down(client.query_keymap(), shift), message="Shift to be released")
        assert not key_is_down(client.query_keymap(), control)
    finally:
        client.close()


def test_modifier_state_is_released_before_key(domain):
    app = domain.app("--report-input")
    domain.window(app.window_id)
    client = xdisplay.Display(domain.display)
    try:
        shift = client.keysym_to_keycode(XK.XK_Shift_L)
        letter = client.keysym_to_keycode(XK.XK_a)
        domain.daemon.send(m.Focus(window=app.window_id, focused=1, mode=0))
        domain.daemon.send(m.Key(window=app.window_id, pressed=1, keycode=letter, state=SHIFT_MASK))
        app.read_line(lambda line: line == f"key-press {letter}")
        assert key_is_down(client.query_keymap(), shift)
        domain.daemon.send(m.Key(window=app.window_id, pressed=0, keycode=letter, state=0))
        app.read_line(lambda line: line == f"key-release {letter}")
        assert not key_is_down(client.query_keymap(), shift)
    finally:
        client.close()


def test_close_sends_wm_delete_window(domain):
    app = domain.app()
    domain.window(app.window_id)
    domain.daemon.send(m.Close(window=app.window_id))
    app.read_line(lambda line: line == "closed")
    assert app.process.wait(10) == 0


def test_close_kills_client_without_wm_delete_window(domain):
    app = domain.app("--no-delete-window")
    domain.window(app.window_id)
    domain.daemon.send(m.Close(window=app.window_id))
    assert app.process.wait(10) != 0
    domain.daemon.wait_for_message(m.DestroyWindow, app.window_id)


def test_close_ends_xclock(domain):
    xclock = domain.spawn(["xclock", "-geometry", "100x100+0+0"])
    window = domain.daemon.wait_window(lambda w: w.res_class == "XClock" and w.mapped)
    domain.daemon.send(m.Close(window=window.window_id))
    xclock.wait(10)
    domain.daemon.wait_for_message(m.DestroyWindow, window.window_id)
