"""The agent against a real Xvfb: window life cycle and metadata messages."""

from __future__ import annotations

from Xlib import X, Xatom
from Xlib import display as xdisplay
from Xlib.protocol import event as xevent

from protocol import limits
from protocol import messages as m
from protocol.messages import HintFlags, WindowState
from protocol.text import ELLIPSIS

from .agent_support import domain, wait_until  # noqa: F401  (domain is a fixture)



def index_of(messages, message_type, window):
    for index, message in enumerate(messages):
        if isinstance(message, message_type) and message.window == window:
            return index
    raise AssertionError(f"no {message_type.__name__} for window {window:#x}")


def test_new_window_sends_create_metadata_map_buffer(domain):
    app = domain.app("--geometry", "200x100+10+20", "--title", "Hello", "--class", "hello,Hello")
    window = domain.window(app.window_id)
    domain.daemon.wait_for_message(m.Damage, app.window_id)

    messages = domain.daemon.messages
    create = messages[index_of(messages, m.CreateWindow, app.window_id)]
    assert (create.x, create.y, create.width, create.height) == (10, 20, 200, 100)
    assert create.override_redirect == 0
    assert index_of(messages, m.CreateWindow, app.window_id) < index_of(messages, m.SetTitle, app.window_id)
    assert index_of(messages, m.SetTitle, app.window_id) < index_of(messages, m.MapWindow, app.window_id)
    assert index_of(messages, m.MapWindow, app.window_id) < index_of(messages, m.SetBuffer, app.window_id)
    assert window.title == "Hello"
    assert (window.res_name, window.res_class) == ("hello", "Hello")
    assert window.transient_for == 0
    set_buffer = domain.daemon.messages_of(m.SetBuffer, app.window_id)[0]
    assert (set_buffer.width, set_buffer.height, set_buffer.stride) == (200, 100, 800)
    assert set_buffer.format == m.PIXEL_FORMAT_XRGB8888
    damage = domain.daemon.messages_of(m.Damage, app.window_id)[0]
    assert (damage.x, damage.y, damage.width, damage.height, damage.serial) == (0, 0, 200, 100, set_buffer.serial)


def test_move_and_resize_send_configure_and_new_buffer(domain):
    app = domain.app("--geometry", "200x100+10+20")
    domain.window(app.window_id)

    app.command("move 50 60")
    domain.daemon.wait_for_message(m.ConfigureWindow, app.window_id, x=50, y=60, width=200, height=100)

    app.command("resize 300 150")
    domain.daemon.wait_for_message(m.ConfigureWindow, app.window_id, x=50, y=60, width=300, height=150)
    set_buffer = domain.daemon.wait_for_message(m.SetBuffer, app.window_id, serial=2)
    assert (set_buffer.width, set_buffer.height) == (300, 150)
    window = domain.daemon.wait_window(lambda w: w.window_id == app.window_id and w.serial == 2)
    assert window.width == 300


def test_title_change_is_sent(domain):
    app = domain.app("--title", "first")
    domain.window(app.window_id)
    app.command("title second title")
    domain.daemon.wait_window(lambda w: w.window_id == app.window_id and w.title == "second title")


def test_title_over_limit_is_cut_with_mark(domain):
    app = domain.app("--title", "short")
    domain.window(app.window_id)
    # 509 ASCII bytes then 3-byte characters: the cut lands inside a character.
    long_title = "a" * 508 + "\u20ac" * 40
    app.command("title " + long_title)
    window = domain.daemon.wait_window(lambda w: w.window_id == app.window_id and w.title != "short")
    encoded = window.title.encode("utf-8")
    assert len(encoded) <= limits.TITLE_MAX_BYTES
    assert window.title.endswith(ELLIPSIS)
    assert window.title[:-1] == long_title[:len(window.title) - 1]


def test_title_at_limit_is_kept_whole(domain):
    app = domain.app("--title", "short")
    domain.window(app.window_id)
    exact_title = "b" * limits.TITLE_MAX_BYTES
    app.command("title " + exact_title)
    domain.daemon.wait_window(lambda w: w.window_id == app.window_id and w.title == exact_title)


def test_size_hints_are_sent(domain):
    app = domain.app("--min-size", "120x80", "--max-size", "640x480")
    window = domain.window(app.window_id)
    hints = window.hints
    assert hints is not None
    assert hints.flags & HintFlags.MIN_SIZE
    assert hints.flags & HintFlags.MAX_SIZE
    assert (hints.min_width, hints.min_height) == (120, 80)
    assert (hints.max_width, hints.max_height) == (640, 480)


def test_transient_dialog_names_its_parent(domain):
    parent = domain.app("--title", "main")
    domain.window(parent.window_id)
    dialog = domain.app("--title", "dialog", "--transient-for", str(parent.window_id))
    window = domain.window(dialog.window_id)
    assert window.transient_for == parent.window_id


def test_override_redirect_menu_is_announced_as_such(domain):
    menu = domain.app("--override-redirect", "--geometry", "80x120+300+300", "--colors", "123456")
    window = domain.window(menu.window_id)
    create = domain.daemon.messages_of(m.CreateWindow, menu.window_id)[0]
    assert create.override_redirect == 1
    assert window.override_redirect
    domain.daemon.wait_pixels(menu.window_id, lambda pixels: (pixels == 0x123456).all())


def test_unmap_and_destroy_are_sent(domain):
    app = domain.app()
    domain.window(app.window_id)
    app.command("unmap")
    domain.daemon.wait_for_message(m.UnmapWindow, app.window_id)
    app.stop()
    domain.daemon.wait_for_message(m.DestroyWindow, app.window_id)


def test_raise_to_top_is_sent(domain):
    lower = domain.app("--geometry", "100x100+0+0")
    domain.window(lower.window_id)
    upper = domain.app("--geometry", "100x100+50+50")
    domain.window(upper.window_id)
    assert domain.daemon.messages_of(m.RaiseWindow, lower.window_id) == []
    lower.command("raise")
    domain.daemon.wait_for_message(m.RaiseWindow, lower.window_id)


def test_daemon_configure_moves_window_and_is_acknowledged(domain):
    app = domain.app("--geometry", "200x100+10+20")
    domain.window(app.window_id)
    domain.daemon.send(m.Configure(window=app.window_id, x=300, y=200, width=250, height=120, serial=7))
    domain.daemon.wait_for_message(m.ConfigureWindow, app.window_id, ack_serial=7, x=300, y=200,
                                   width=250, height=120)
    client = xdisplay.Display(domain.display)
    try:
        window = client.create_resource_object("window", app.window_id)
        geometry = wait_until(lambda: (lambda g: g if (g.x, g.y, g.width, g.height) == (300, 200, 250, 120)
                                       else None)(window.get_geometry()))
        assert geometry.width == 250
    finally:
        client.close()
    domain.daemon.wait_for_message(m.SetBuffer, app.window_id, serial=2, width=250, height=120)


def test_mapped_window_gets_wm_state_normal(domain):
    app = domain.app()
    domain.window(app.window_id)
    client = xdisplay.Display(domain.display)
    try:
        window = client.create_resource_object("window", app.window_id)
        wm_state = client.get_atom("WM_STATE")
        reply = window.get_property(wm_state, wm_state, 0, 2)
        assert reply is not None
        assert reply.value[0] == 1
    finally:
        client.close()


def _send_client_message(display_name, window_id, message_type, data):
    client = xdisplay.Display(display_name)
    try:
        root = client.screen().root
        window = client.create_resource_object("window", window_id)
        event = xevent.ClientMessage(window=window, client_type=client.get_atom(message_type),
                                     data=(32, [client.get_atom(item) if isinstance(item, str) else item
                                                for item in data]))
        root.send_event(event, event_mask=X.SubstructureRedirectMask | X.SubstructureNotifyMask)
        client.sync()
    finally:
        client.close()


def test_fullscreen_request_is_forwarded(domain):
    app = domain.app()
    domain.window(app.window_id)
    _send_client_message(domain.display, app.window_id, "_NET_WM_STATE", [1, "_NET_WM_STATE_FULLSCREEN", 0, 1, 0])
    request = domain.daemon.wait_for_message(m.RequestState, app.window_id)
    assert request.set == WindowState.FULLSCREEN
    assert request.unset == WindowState(0)


def test_iconify_request_is_forwarded(domain):
    app = domain.app()
    domain.window(app.window_id)
    _send_client_message(domain.display, app.window_id, "WM_CHANGE_STATE", [3, 0, 0, 0, 0])
    request = domain.daemon.wait_for_message(m.RequestState, app.window_id)
    assert request.set == WindowState.MINIMIZED


def test_set_window_state_updates_net_wm_state(domain):
    app = domain.app()
    domain.window(app.window_id)
    domain.daemon.send(m.SetWindowState(window=app.window_id, state=WindowState.FULLSCREEN))
    client = xdisplay.Display(domain.display)
    try:
        window = client.create_resource_object("window", app.window_id)
        fullscreen = client.get_atom("_NET_WM_STATE_FULLSCREEN")

        def state_atoms():
            reply = window.get_property(client.get_atom("_NET_WM_STATE"), Xatom.ATOM, 0, 16)
            return list(reply.value) if reply is not None else []

        wait_until(lambda: fullscreen in state_atoms(), message="_NET_WM_STATE_FULLSCREEN")
        domain.daemon.send(m.SetWindowState(window=app.window_id, state=WindowState(0)))
        wait_until(lambda: fullscreen not in state_atoms(), message="fullscreen to be removed")
    finally:
        client.close()


def test_named_cursor_is_sent_as_font_glyph(domain):
    app = domain.app("--geometry", "100x100+100+100", "--cursor-name", "pointer", "--cursor-glyph", "60")
    domain.window(app.window_id)
    domain.daemon.send(m.Crossing(window=app.window_id, entered=1, x=10, y=10, state=0, mode=0))
    domain.daemon.send(m.Motion(window=app.window_id, x=20, y=20, state=0))
    domain.daemon.wait_window(lambda w: w.window_id == app.window_id and w.cursor == 60)


def test_xclock_window_is_shown(domain):
    domain.spawn(["xclock", "-geometry", "120x120+40+40"])
    window = domain.daemon.wait_window(lambda w: w.res_class == "XClock" and w.mapped and w.buffer is not None)
    assert (window.width, window.height) == (120, 120)
    domain.daemon.wait_pixels(window.window_id, lambda pixels: len(set(pixels.ravel().tolist())) > 1)
