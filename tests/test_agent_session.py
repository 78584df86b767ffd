"""The agent's channel: handshake, version rejection, waiting for and reconnecting to a daemon."""

from __future__ import annotations

import socket
import subprocess
import sys

import numpy as np
from Xlib import XK
from Xlib import display as xdisplay

from protocol import messages as m

from .agent_support import (
    TOP,
    Domain,
    KnownPixelsApp,
    RecordingDaemon,
    domain,  # noqa: F401  (a fixture)
    quadrants,
    start_agent,
    stop_process,
    wait_until,
)

COLORS = (0xFF0000, 0x00FF00, 0x0000FF, 0xFFFFFF)


def test_agent_exits_3_when_version_rejected(xvfb, tmp_path):
    daemon = RecordingDaemon(tmp_path / "agent.sock", version=(2, 0))
    agent = start_agent(xvfb.display, tmp_path / "agent.sock", tmp_path / "agent.log")
    try:
        assert agent.wait(15) == 3
    finally:
        stop_process(agent)
        daemon.close()
    log = (tmp_path / "agent.log").read_text()
    assert "rejected protocol version 1.0; it speaks 2.0" in log


def test_agent_waits_for_daemon_and_logs_once(xvfb, tmp_path):
    socket_path = tmp_path / "agent.sock"
    agent = start_agent(xvfb.display, socket_path, tmp_path / "agent.log")
    try:
        log_path = tmp_path / "agent.log"
        wait_until(lambda: log_path.exists() and "waiting for the daemon" in log_path.read_text(),
                   message="the agent to wait for the daemon")
        # The agent already manages windows while it waits.
        app = KnownPixelsApp(xvfb.display, "--geometry", "50x40+5+5")
        with RecordingDaemon(socket_path) as daemon:
            daemon.wait_window(lambda w: w.window_id == app.window_id and w.mapped and w.buffer is not None)
            # Many failed attempts, one line: the agent logs each wait once.
            assert log_path.read_text().count("waiting for the daemon") == 1
        app.stop()
    finally:
        assert stop_process(agent) == 0


def test_reconnect_replays_windows_with_buffers(xvfb, tmp_path):
    domain = Domain(xvfb, tmp_path)
    try:
        app = domain.app("--geometry", "120x80+30+40", "--title", "kept", "--colors", "ff0000,00ff00,0000ff,ffffff")
        dialog = domain.app("--geometry", "60x50+60+60", "--transient-for", str(app.window_id))
        domain.window(dialog.window_id)
        domain.daemon.wait_pixels(app.window_id, lambda pixels: np.array_equal(pixels, quadrants(120, 80, COLORS)))

        domain.daemon.close()
        app.command("fill 0 0 10 10 00ffff")
        domain.daemon = RecordingDaemon(domain.socket_path)
        daemon = domain.daemon
        window = daemon.wait_window(lambda w: w.window_id == app.window_id and w.mapped and w.buffer is not None)
        assert window.title == "kept"
        assert (window.x, window.y, window.width, window.height) == (30, 40, 120, 80)
        replayed_dialog = daemon.wait_window(lambda w: w.window_id == dialog.window_id and w.mapped)
        assert replayed_dialog.transient_for == app.window_id
        daemon.wait_for_message(m.Damage, app.window_id, x=0, y=0, width=120, height=80)
        expected = quadrants(120, 80, COLORS)
        expected[0:10, 0:10] = 0x00FFFF
        daemon.wait_pixels(app.window_id, lambda pixels: np.array_equal(pixels, expected))
        creates = [message.window for message in daemon.messages_of(m.CreateWindow)]
        assert creates.index(app.window_id) < creates.index(dialog.window_id)
    finally:
        assert domain.close() == 0
    log = domain.log()
    assert "Traceback" not in log
    assert "session 2" in log


def test_agent_uses_inherited_channel_fd(xvfb, tmp_path):
    agent_end, daemon_end = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
    log = open(tmp_path / "agent.log", "ab")
    agent = subprocess.Popen(
        [sys.executable, "-m", "gui_agent.main", "--display", xvfb.display, "--channel-fd", str(agent_end.fileno())],
        pass_fds=(agent_end.fileno(),), stdout=log, stderr=log, cwd=TOP, start_new_session=True)
    log.close()
    agent_end.close()
    daemon = RecordingDaemon(None, connected_socket=daemon_end)
    try:
        wait_until(lambda: daemon.handshakes == 1, message="the handshake")
        app = KnownPixelsApp(xvfb.display, "--geometry", "40x30+1+1")
        daemon.wait_window(lambda w: w.window_id == app.window_id and w.mapped and w.buffer is not None)
        daemon.disconnect()
        # An inherited channel cannot be reopened, so the agent exits with status 0.
        assert agent.wait(15) == 0
        app.stop()
    finally:
        stop_process(agent)
        daemon.close()


def test_keyboard_layout_is_applied(xvfb, tmp_path):
    layout = m.KeyboardLayout(window=0, rules="evdev", model="pc105", layout="de", variant="", options="")
    domain = Domain(xvfb, tmp_path, keyboard=layout)
    client = xdisplay.Display(domain.display)
    try:
        # Keycode 29 is the key right of T: Y on a US keyboard, Z on a German one.
        wait_until(lambda: _keysym(client, 29) == XK.XK_z, message="the German layout")
    finally:
        client.close()
        assert domain.close() == 0


def _keysym(client, keycode: int) -> int:
    mapping = client.get_keyboard_mapping(keycode, 1)
    return mapping[0][0]


def test_screen_size_mismatch_is_logged(xvfb, tmp_path):
    domain = Domain(xvfb, tmp_path, screen_size=(2560, 1440))
    try:
        wait_until(lambda: "RandR cannot resize it" in domain.log(), message="the size warning")
    finally:
        assert domain.close() == 0
