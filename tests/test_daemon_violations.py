"""A hostile domain costs only its own session: violations, quotas, floods.

Two real daemons share one GUI display: ``untrusted`` (red) misbehaves, ``work``
(blue) keeps drawing. After each violation the untrusted session ends, its
windows disappear, its daemon stays up and accepts a new session, and the work
domain's window keeps updating.
"""

from __future__ import annotations

import fcntl
import os
import struct

import pytest

from protocol import VersionMismatch
from protocol import messages as m

from .daemon_support import start_daemon
from .hostile_agent import PixelBuffer
from .support import grab_rgb, rgb, wait_until

WORK_WINDOW = 0x77


@pytest.fixture
def work(xvfb, tmp_path):
    daemon = start_daemon(xvfb.display, tmp_path, "work", "blue")
    agent = daemon.connect()
    agent.create_window(WORK_WINDOW, 1000, 100, 40, 40)
    pixels = PixelBuffer(40, 40)
    agent.attach(WORK_WINDOW, pixels)
    yield agent, pixels
    daemon.stop()


def work_still_draws(gui, work, color):
    agent, pixels = work
    pixels.fill(color)
    agent.damage(WORK_WINDOW, 0, 0, 40, 40)
    wait_until(lambda: tuple(grab_rgb(gui.display, gui.root, 1010, 110, 1, 1)[0, 0]) == rgb(color),
               message="the well-behaved domain stopped updating")


def assert_disconnected(gui, daemon, agent):
    agent.wait_closed()
    wait_until(lambda: not gui.windows_of(daemon.domain), message="the domain's windows were not removed")
    assert daemon.process.poll() is None, "the daemon itself must keep running"
    fresh = daemon.connect()  # a new session is possible
    fresh.create_window(0x1, 10, 10, 20, 20)
    gui.window(daemon.domain, 0x1)
    fresh.close()


def words(layout, *values):
    return struct.pack("<" + layout, *values)


VIOLATIONS = {
    "header_length_too_short": lambda agent: agent.send_frame(m.ConfigureWindow.SPEC.code, 0xA0, bytes(24), length=4),
    "title_length_lie": lambda agent: agent.send_frame(m.SetTitle.SPEC.code, 0xA0, bytes(128), length=100_000),
    "unknown_message_type": lambda agent: agent.send_frame(0xFFFF, 0xA0, b""),
    "damage_for_unknown_window": lambda agent: agent.send(
        m.Damage(window=0xDEAD, x=0, y=0, width=1, height=1, serial=1)),
    "duplicate_create": lambda agent: agent.send(
        m.CreateWindow(window=0xA0, x=0, y=0, width=10, height=10, override_redirect=0)),
    "negative_damage_width": lambda agent: agent.send_frame(
        m.Damage.SPEC.code, 0xA0, words("iiIII", 10, 10, 0xFFFF_FFFF, 50, 1)),
    "negative_configure_width": lambda agent: agent.send_frame(
        m.ConfigureWindow.SPEC.code, 0xA0, words("iiIIII", 0, 0, (-5) & 0xFFFF_FFFF, 10, 0, 0)),
    "window_too_large": lambda agent: agent.send_frame(
        m.CreateWindow.SPEC.code, 0xE0, words("iiIII", 0, 0, 16385, 6145, 0)),
    "window_of_zero_size": lambda agent: agent.send_frame(
        m.CreateWindow.SPEC.code, 0xE1, words("iiIII", 0, 0, 0, 0, 0)),
    "invalid_cursor": lambda agent: agent.send_frame(m.SetCursor.SPEC.code, 0xA0, words("I", 0xFFFF_FFFF)),
    "message_of_daemon_direction": lambda agent: agent.send_frame(m.Close.SPEC.code, 0xA0, b""),
}


@pytest.mark.parametrize("violation", sorted(VIOLATIONS))
def test_violation_disconnects_only_the_offender(gui, untrusted, work, violation):
    agent = untrusted.connect()
    agent.create_window(0xA0, 100, 100, 50, 50)
    gui.window("untrusted", 0xA0)
    VIOLATIONS[violation](agent)
    assert_disconnected(gui, untrusted, agent)
    work_still_draws(gui, work, 0x00FF00)
    assert "protocol violation" in untrusted.log()


def test_buffer_smaller_than_declared_disconnects(gui, untrusted, work):
    agent = untrusted.connect()
    agent.create_window(0xB0, 100, 100, 1000, 1000)
    memfd = os.memfd_create("small", os.MFD_ALLOW_SEALING)
    os.ftruncate(memfd, 4096)
    fcntl.fcntl(memfd, fcntl.F_ADD_SEALS, fcntl.F_SEAL_SHRINK | fcntl.F_SEAL_GROW)
    agent.send(m.SetBuffer(window=0xB0, width=1000, height=1000, stride=4000, format=m.PIXEL_FORMAT_XRGB8888,
                           offset=0, serial=1, handles=(memfd,)))
    os.close(memfd)
    assert_disconnected(gui, untrusted, agent)
    work_still_draws(gui, work, 0xFF00FF)


def test_buffer_without_shrink_seal_disconnects(gui, untrusted, work):
    agent = untrusted.connect()
    agent.create_window(0xB1, 100, 100, 16, 16)
    memfd = os.memfd_create("unsealed", 0)
    os.ftruncate(memfd, 16 * 16 * 4)
    agent.send(m.SetBuffer(window=0xB1, width=16, height=16, stride=64, format=m.PIXEL_FORMAT_XRGB8888,
                           offset=0, serial=1, handles=(memfd,)))
    os.close(memfd)
    assert_disconnected(gui, untrusted, agent)
    assert "seal" in untrusted.log().lower()


def test_buffer_offset_past_the_end_disconnects(gui, untrusted):
    agent = untrusted.connect()
    agent.create_window(0xB2, 100, 100, 16, 16)
    pixels = PixelBuffer(16, 16)
    agent.send(m.SetBuffer(window=0xB2, width=16, height=16, stride=64, format=m.PIXEL_FORMAT_XRGB8888,
                           offset=4095, serial=1, handles=(pixels.buffer.fd,)))
    assert_disconnected(gui, untrusted, agent)


def test_set_buffer_without_handle_disconnects(gui, untrusted):
    agent = untrusted.connect()
    agent.create_window(0xB3, 100, 100, 16, 16)
    agent.send_frame(m.SetBuffer.SPEC.code, 0xB3,
                     words("IIIIII", 16, 16, 64, m.PIXEL_FORMAT_XRGB8888, 0, 1))
    assert_disconnected(gui, untrusted, agent)


def test_window_quota_disconnects_a_window_flood(gui, untrusted, work):
    agent = untrusted.connect()
    body = b"".join(
        struct.pack("<III", m.CreateWindow.SPEC.code, 0x1000 + index, 20) + words("iiIII", 0, 0, 10, 10, 0)
        for index in range(600)
    )
    agent.send_raw(body)
    assert_disconnected(gui, untrusted, agent)
    work_still_draws(gui, work, 0x123456)
    assert "quota" in untrusted.log()


def test_buffer_memory_quota_disconnects(gui, untrusted):
    agent = untrusted.connect()
    buffers = []
    for index in range(12):
        agent.create_window(0x2000 + index, 0, 0, 16384, 6144, map_it=False)
        pixels = PixelBuffer(16384, 6144)
        buffers.append(pixels)
        agent.send(m.SetBuffer(window=0x2000 + index, width=16384, height=6144, stride=16384 * 4,
                               format=m.PIXEL_FORMAT_XRGB8888, offset=0, serial=1, handles=(pixels.buffer.fd,)))
        if agent.closed or not agent.poll(0.05):
            break
    assert_disconnected(gui, untrusted, agent)
    assert "quota" in untrusted.log()


def test_eof_in_the_middle_of_a_message_ends_the_session(gui, untrusted, work):
    agent = untrusted.connect()
    agent.create_window(0xA1, 100, 100, 50, 50)
    gui.window("untrusted", 0xA1)
    agent.send_raw(struct.pack("<III", m.SetTitle.SPEC.code, 0xA1, 516) + b"abc")
    agent.socket.shutdown(2)
    wait_until(lambda: not gui.windows_of("untrusted"))
    assert untrusted.process.poll() is None
    assert "in the middle of a message" in untrusted.log()
    work_still_draws(gui, work, 0x445566)


def test_other_major_version_is_refused(untrusted):
    agent = untrusted.connect(handshake=False)
    agent.connection.local_version = (2, 3)
    agent.send(m.Hello(window=0, major=2, minor=3))
    with pytest.raises(VersionMismatch) as raised:
        agent.wait_closed()
    assert raised.value.remote_version == (1, 0)
    wait_until(lambda: "incompatible" in untrusted.log())
    log = untrusted.log()
    assert "2.3" in log and "1.0" in log


def test_contradictory_state_flood_is_ignored(gui, untrusted):
    agent = untrusted.connect()
    agent.create_window(0x180, 100, 100, 50, 50)
    fullscreen = int(m.WindowState.FULLSCREEN)
    for _ in range(200):
        agent.send_frame(m.RequestState.SPEC.code, 0x180, words("II", fullscreen, fullscreen))
    agent.send(m.SetTitle(window=0x180, title="still here"))
    window = gui.window("untrusted", 0x180)
    wait_until(lambda: gui.text_property(window, "_NET_WM_NAME") == "still here")
    assert not agent.closed


def test_damage_flood_does_not_starve_another_domain(gui, untrusted, work):
    agent = untrusted.connect()
    agent.create_window(0x170, 100, 100, 64, 64)
    pixels = PixelBuffer(64, 64)
    agent.attach(0x170, pixels)
    one = struct.pack("<III", m.Damage.SPEC.code, 0x170, 20) + words("iiIII", 1, 1, 1, 1, 1)
    burst = one * 5000
    for round_number in range(20):
        agent.send_raw(burst)
        work_still_draws(gui, work, 0x010101 * (round_number + 1))
    assert untrusted.process.poll() is None


def test_unsolicited_clipboard_data_is_ignored(gui, untrusted, tmp_path):
    agent = untrusted.connect()
    for _ in range(1000):
        agent.send(m.ClipboardData(window=0, serial=1, status=0, total_size=12, data=b"hello world!"))
    agent.send(m.CreateWindow(window=0x190, x=0, y=0, width=10, height=10, override_redirect=0))
    gui.window("untrusted", 0x190)
    assert not (tmp_path / "run" / "odyssey" / "clipboard").exists()
    assert untrusted.log().count("ignored clipboard data nobody requested") == 1


@pytest.mark.parametrize("name", ["work; touch /tmp/pwned", "[vault]", "x" * 300, "café", "gui", ""])
def test_invalid_domain_names_are_refused_at_start(xvfb, tmp_path, name):
    with pytest.raises(AssertionError, match="exited with 1"):
        start_daemon(xvfb.display, tmp_path, name, "red")


def test_title_flood_is_rate_limited(gui, untrusted):
    from Xlib import X

    agent = untrusted.connect()
    agent.create_window(0x1A0, 100, 100, 50, 50)
    window = gui.window("untrusted", 0x1A0)
    window.change_attributes(event_mask=X.PropertyChangeMask)
    gui.display.sync()
    name_atom = gui.atom["_NET_WM_NAME"]
    burst = b"".join(
        struct.pack("<III", m.SetTitle.SPEC.code, 0x1A0, 516) + struct.pack("<I", 8) + f"title{index:03d}".encode()
        + bytes(504) for index in range(1000)
    )
    agent.send_raw(burst)
    wait_until(lambda: gui.text_property(window, "_NET_WM_NAME") == "title999",
               message="the last title never arrived")
    changes = 0
    while gui.display.pending_events():
        event = gui.display.next_event()
        if event.type == X.PropertyNotify and event.atom == name_atom:
            changes += 1
    assert 1 <= changes < 100, f"{changes} title changes reached the display for 1000 messages"


def test_damage_burst_is_merged_into_few_puts(gui, untrusted):
    import signal

    agent = untrusted.connect()
    agent.create_window(0x1B0, 100, 100, 64, 64)
    pixels = PixelBuffer(64, 64)
    agent.attach(0x1B0, pixels)
    one = struct.pack("<III", m.Damage.SPEC.code, 0x1B0, 20) + words("iiIII", 1, 1, 1, 1, 1)
    agent.send_raw(one * 3000)
    agent.send(m.SetTitle(window=0x1B0, title="synced"))
    window = gui.window("untrusted", 0x1B0)
    wait_until(lambda: gui.text_property(window, "_NET_WM_NAME") == "synced")
    untrusted.process.send_signal(signal.SIGUSR1)
    line = wait_until(lambda: [row for row in untrusted.log().splitlines() if "statistics:" in row])[-1]
    assert "Damage 3000" in line
    painted = int(line.split("damage rectangles ")[1].split(",")[0])
    assert 1 <= painted <= 100, line
