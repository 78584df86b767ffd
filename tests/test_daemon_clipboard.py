"""The secure clipboard between real daemons: copy and paste only on the user's hotkeys."""

from __future__ import annotations

import pytest
from Xlib import X, XK
from Xlib.ext import xtest

from gui_daemon.clipboard import ClipboardEntry, ClipboardStore
from protocol import messages as m

from .daemon_support import start_daemon
from .support import wait_until

LIMIT = 256 * 1024


class Domain:
    """A daemon, its hostile agent and one window that can take the focus."""

    def __init__(self, gui, daemon, remote_id, x):
        self.gui = gui
        self.daemon = daemon
        self.agent = daemon.connect()
        self.agent.create_window(remote_id, x, 100, 200, 100)
        self.window = gui.window(daemon.domain, remote_id)
        wait_until(lambda: gui.is_viewable(self.window))

    def focus(self):
        self.window.set_input_focus(X.RevertToParent, X.CurrentTime)
        self.gui.display.sync()

    def hotkey(self, key):
        self.focus()
        codes = [self.gui.display.keysym_to_keycode(XK.string_to_keysym(name)) for name in ("Control_L", "Shift_L", key)]
        for code in codes:
            xtest.fake_input(self.gui.display, X.KeyPress, code)
        for code in reversed(codes):
            xtest.fake_input(self.gui.display, X.KeyRelease, code)
        self.gui.display.sync()

    def copy(self, data: bytes, status=m.ClipboardStatus.OK, total_size=None):
        """Press the copy hotkey here and answer the request with data."""
        count = sum(isinstance(event, m.ClipboardRequest) for event in self.agent.received)
        self.hotkey("c")
        wait_until(lambda: self.agent.poll(0.01) and
                   sum(isinstance(event, m.ClipboardRequest) for event in self.agent.received) > count)
        request = [event for event in self.agent.received if isinstance(event, m.ClipboardRequest)][-1]
        size = len(data) if total_size is None else total_size
        self.agent.send(m.ClipboardData(window=0, serial=request.serial, status=status, total_size=size,
                                        data=data if status == m.ClipboardStatus.OK else b""))
        return request

    def paste(self):
        self.hotkey("v")

    def pasted(self):
        return [event.data for event in self.agent.received if isinstance(event, m.ClipboardPaste)]


@pytest.fixture
def desktop(xvfb, tmp_path, gui):
    daemons = []

    def domain(name, label, x, *extra):
        daemon = start_daemon(xvfb.display, tmp_path, name, label, *extra)
        daemons.append(daemon)
        return Domain(gui, daemon, 0x100 + len(daemons), x)

    yield domain
    for daemon in daemons:
        daemon.stop()


def store_of(tmp_path):
    return ClipboardStore(tmp_path / "run" / "odyssey")


def notices(gui):
    return gui.text_property(gui.root, "_ODYSSEY_NOTICES") or ""


def test_copy_and_paste_between_domains(desktop, tmp_path, gui):
    work = desktop("work", "blue", 0)
    personal = desktop("personal", "green", 400)
    text = "naïve café 日本語 🙂\r\nline two\tend".encode()
    work.copy(text)
    wait_until(lambda: store_of(tmp_path).peek() is not None)
    personal.paste()
    personal.agent.wait_for(lambda event: isinstance(event, m.ClipboardPaste))
    assert personal.pasted() == [text]
    assert store_of(tmp_path).peek() is None, "a paste clears the global clipboard"
    shown = wait_until(lambda: "Pasted" in notices(gui) and notices(gui))
    assert f"Copied {len(text)} bytes from work" in shown
    assert f"Pasted {len(text)} bytes from work into personal" in shown


def test_shorter_copy_leaves_no_tail_of_a_longer_one(desktop, tmp_path):
    vault = desktop("vault", "black", 0)
    work = desktop("work", "blue", 300)
    personal = desktop("personal", "green", 600)
    vault.copy(b"V" * 5000)
    wait_until(lambda: store_of(tmp_path).peek() is not None)
    work.copy(b"0123456789")
    wait_until(lambda: store_of(tmp_path).peek().source == "work")
    personal.paste()
    personal.agent.wait_for(lambda event: isinstance(event, m.ClipboardPaste))
    assert personal.pasted() == [b"0123456789"]


def test_data_without_a_hotkey_is_never_stored(desktop, tmp_path):
    untrusted = desktop("untrusted", "red", 0)
    untrusted.agent.send(m.ClipboardData(window=0, serial=1, status=0, total_size=12, data=b"hello world!"))
    untrusted.agent.send(m.SetTitle(window=0x101, title="sync"))
    wait_until(lambda: untrusted.gui.text_property(untrusted.window, "_NET_WM_NAME") == "sync")
    assert store_of(tmp_path).peek() is None
    assert "ignored clipboard data nobody requested" in untrusted.daemon.log()


def test_late_reply_with_old_serial_is_ignored(desktop, tmp_path):
    work = desktop("work", "blue", 0)
    request = work.copy(b"first")
    wait_until(lambda: store_of(tmp_path).peek() is not None)
    work.agent.send(m.ClipboardData(window=0, serial=request.serial, status=0, total_size=6, data=b"second"))
    work.agent.send(m.SetTitle(window=0x101, title="sync"))
    wait_until(lambda: work.gui.text_property(work.window, "_NET_WM_NAME") == "sync")
    assert store_of(tmp_path).peek().data == b"first"


def test_paste_denied_by_policy_sends_nothing(desktop, tmp_path, gui):
    vault = desktop("vault", "black", 0)
    untrusted = desktop("untrusted", "red", 400, "--clipboard-paste-from", "work")
    vault.copy(b"secret")
    wait_until(lambda: store_of(tmp_path).peek() is not None)
    untrusted.paste()
    wait_until(lambda: "denied by policy" in notices(gui))
    untrusted.agent.poll(0.1)
    assert untrusted.pasted() == []
    assert store_of(tmp_path).peek().data == b"secret", "a refused paste keeps the clipboard"


def test_source_policy_limits_where_a_copy_goes(desktop, tmp_path, gui):
    vault = desktop("vault", "black", 0, "--clipboard-copy-to", "work")
    personal = desktop("personal", "green", 400)
    vault.copy(b"secret")
    wait_until(lambda: store_of(tmp_path).peek() is not None)
    personal.paste()
    wait_until(lambda: "denied by policy" in notices(gui))
    assert personal.pasted() == []


def test_focused_domain_without_paste_hotkey_gets_nothing(desktop, tmp_path):
    vault = desktop("vault", "black", 0)
    untrusted = desktop("untrusted", "red", 400)
    vault.copy(b"secret")
    wait_until(lambda: store_of(tmp_path).peek() is not None)
    untrusted.focus()
    untrusted.agent.send(m.ClipboardData(window=0, serial=1, status=0, total_size=1, data=b"x"))
    untrusted.agent.poll(0.2)
    assert untrusted.pasted() == []
    assert store_of(tmp_path).peek().data == b"secret"


@pytest.mark.parametrize("size", [64_000, LIMIT])
def test_copy_up_to_the_limit_is_byte_exact(desktop, tmp_path, size):
    work = desktop("work", "blue", 0)
    personal = desktop("personal", "green", 400)
    data = bytes(32 + index % 90 for index in range(size))
    work.copy(data)
    wait_until(lambda: store_of(tmp_path).peek() is not None)
    personal.paste()
    personal.agent.wait_for(lambda event: isinstance(event, m.ClipboardPaste))
    assert personal.pasted() == [data]


def test_copy_over_the_limit_is_refused_with_its_size(desktop, tmp_path, gui):
    work = desktop("work", "blue", 0)
    work.copy(b"", status=m.ClipboardStatus.TOO_LARGE, total_size=500_000)
    wait_until(lambda: "refused" in notices(gui))
    assert "500000 bytes" in notices(gui) and str(LIMIT) in notices(gui)
    assert store_of(tmp_path).peek() is None


def test_data_over_the_requested_limit_disconnects(desktop, gui):
    work = desktop("work", "blue", 0)
    work.copy(b"x" * (LIMIT + 1))
    work.agent.wait_closed()
    assert "ClipboardData" in work.daemon.log()


@pytest.mark.parametrize("data", [b"\xff\xfeA", b"caf\xe9", b"a\x00b"])
def test_invalid_text_is_refused_for_every_domain(desktop, tmp_path, gui, data):
    work = desktop("work", "blue", 0)
    work.copy(data)
    wait_until(lambda: "refused" in notices(gui))
    assert store_of(tmp_path).peek() is None


def test_empty_source_clipboard_gives_a_notice(desktop, gui):
    work = desktop("work", "blue", 0)
    work.copy(b"", status=m.ClipboardStatus.EMPTY, total_size=0)
    wait_until(lambda: "empty" in notices(gui))


def test_store_keeps_the_newer_copy(tmp_path):
    store = ClipboardStore(tmp_path)
    assert store.store(ClipboardEntry("work", ("*",), 2000, b"new"))
    assert not store.store(ClipboardEntry("vault", ("*",), 1000, b"old"))
    assert store.peek().data == b"new"
    assert not store.store(ClipboardEntry("vault", ("*",), 5, b"older"))
    # X server time wraps after 49.7 days: a small time just after the wrap is newer.
    wrapped = ClipboardStore(tmp_path / "wrap")
    wrapped.store(ClipboardEntry("work", ("*",), 0xFFFF_FF00, b"before"))
    assert wrapped.store(ClipboardEntry("work", ("*",), 10, b"after"))
