"""Golden bytes: the exact wire form of every message type, packed and parsed.

The byte strings are written out by hand from the layout in docs/protocol.md, so a
change of any field's order, width or signedness fails here.
"""

from __future__ import annotations

import pytest

from protocol import NEED_DATA, REGISTRY, BufferTransport, Connection, Role
from protocol import messages as m

from .protocol_support import established_pair

XR24 = m.PIXEL_FORMAT_XRGB8888
WINDOW = 0x200001


def h(text: str) -> bytes:
    return bytes.fromhex(text.replace(" ", ""))


# (message, its wire bytes): header (type, window, length), then the body.
GOLDEN = [
    (m.Hello(window=0, major=1, minor=0),
     h("01000000 00000000 08000000  01000000 00000000")),
    (m.Welcome(window=0, major=1, minor=0),
     h("02000000 00000000 08000000  01000000 00000000")),
    (m.VersionRejected(window=0, major=1, minor=0),
     h("03000000 00000000 08000000  01000000 00000000")),
    (m.CreateWindow(window=WINDOW, x=-5, y=40, width=640, height=480, override_redirect=0),
     h("01010000 01002000 14000000  fbffffff 28000000 80020000 e0010000 00000000")),
    (m.DestroyWindow(window=WINDOW),
     h("02010000 01002000 00000000")),
    (m.MapWindow(window=0x200002, transient_for=WINDOW, override_redirect=0),
     h("03010000 02002000 08000000  01002000 00000000")),
    (m.UnmapWindow(window=WINDOW),
     h("04010000 01002000 00000000")),
    (m.ConfigureWindow(window=WINDOW, x=10, y=-20, width=800, height=600, override_redirect=1, ack_serial=7),
     h("05010000 01002000 18000000  0a000000 ecffffff 20030000 58020000 01000000 07000000")),
    (m.RaiseWindow(window=WINDOW),
     h("06010000 01002000 00000000")),
    (m.Dock(window=0x200003),
     h("07010000 03002000 00000000")),
    (m.SetBuffer(window=WINDOW, width=640, height=480, stride=2560, format=XR24, offset=4096, serial=3),
     h("10010000 01002000 18000000  80020000 e0010000 000a0000 58523234 00100000 03000000")),
    (m.Damage(window=WINDOW, x=-1, y=2, width=30, height=40, serial=3),
     h("11010000 01002000 14000000  ffffffff 02000000 1e000000 28000000 03000000")),
    (m.SetTitle(window=WINDOW, title="Hi \u00e9"),
     h("20010000 01002000 04020000  05000000 486920c3a9") + bytes(507)),
    (m.SetClass(window=WINDOW, res_class="XTerm", res_name="xterm"),
     h("21010000 01002000 88000000  05000000 585465726d") + bytes(59) + h("05000000 787465726d") + bytes(59)),
    (m.SetHints(window=WINDOW, flags=m.HintFlags.MIN_SIZE | m.HintFlags.RESIZE_INCREMENT,
                min_width=100, min_height=50, max_width=0, max_height=0, width_inc=6, height_inc=13,
                base_width=0, base_height=0),
     h("22010000 01002000 24000000  05000000 64000000 32000000 00000000 00000000"
       "06000000 0d000000 00000000 00000000")),
    (m.RequestState(window=WINDOW, set=m.WindowState.FULLSCREEN, unset=m.WindowState.MINIMIZED),
     h("23010000 01002000 08000000  01000000 04000000")),
    (m.SetCursor(window=WINDOW, shape=152),
     h("24010000 01002000 04000000  98000000")),
    (m.ClipboardData(window=0, serial=9, status=m.ClipboardStatus.OK, total_size=5, data=b"hello"),
     h("30010000 00000000 11000000  09000000 00000000 05000000 68656c6c6f")),
    (m.ScreenConfiguration(window=0, width=1920, height=1080, work_x=0, work_y=24, work_width=1920,
                           work_height=1056, scale_percent=100),
     h("01020000 00000000 1c000000  80070000 38040000 00000000 18000000 80070000 20040000 64000000")),
    (m.KeyboardLayout(window=0, rules="evdev", model="pc105", layout="us,de", variant=",",
                      options="grp:alt_shift_toggle"),
     h("02020000 00000000 14020000")
     + h("05000000 6576646576") + bytes(59)
     + h("05000000 7063313035") + bytes(59)
     + h("05000000 75732c6465") + bytes(59)
     + h("01000000 2c") + bytes(63)
     + h("14000000") + b"grp:alt_shift_toggle" + bytes(236)),
    (m.BufferAccepted(window=WINDOW, serial=3),
     h("03020000 01002000 04000000  03000000")),
    (m.Configure(window=WINDOW, x=100, y=-30, width=500, height=400, serial=2),
     h("04020000 01002000 14000000  64000000 e2ffffff f4010000 90010000 02000000")),
    (m.SetWindowState(window=WINDOW, state=m.WindowState.FULLSCREEN | m.WindowState.MAXIMIZED),
     h("05020000 01002000 04000000  09000000")),
    (m.Close(window=WINDOW),
     h("06020000 01002000 00000000")),
    (m.Key(window=WINDOW, pressed=1, keycode=38, state=0x5),
     h("10020000 01002000 0c000000  01000000 26000000 05000000")),
    (m.Button(window=WINDOW, pressed=0, button=3, x=-4, y=300, state=0x100),
     h("11020000 01002000 14000000  00000000 03000000 fcffffff 2c010000 00010000")),
    (m.Motion(window=WINDOW, x=12, y=34, state=0),
     h("12020000 01002000 0c000000  0c000000 22000000 00000000")),
    (m.Crossing(window=WINDOW, entered=1, x=0, y=5, state=0x1, mode=0),
     h("13020000 01002000 14000000  01000000 00000000 05000000 01000000 00000000")),
    (m.Focus(window=WINDOW, focused=0, mode=2),
     h("14020000 01002000 08000000  00000000 02000000")),
    (m.KeymapState(window=0, keys=bytes(4) + b"\x40" + bytes(27)),
     h("15020000 00000000 20000000  00000000 40") + bytes(27)),
    (m.ClipboardRequest(window=0, serial=4, max_bytes=65536),
     h("20020000 00000000 08000000  04000000 00000100")),
    (m.ClipboardPaste(window=0, data=b"a\r\nb"),
     h("21020000 00000000 04000000  610d0a62")),
]

HANDSHAKE = {"Hello", "Welcome", "VersionRejected"}


def test_golden_table_covers_every_message_type():
    assert {type(message).SPEC.code for message, _ in GOLDEN} == set(REGISTRY)


def _sender_and_receiver(message):
    """Return (sender, receiver) connections in the right state for this message."""
    name = type(message).SPEC.name
    agent_sends = message.SPEC.direction is m.TO_DAEMON
    if name == "Hello":
        return Connection(Role.AGENT), Connection(Role.DAEMON)
    if name in ("Welcome", "VersionRejected"):
        agent = Connection(Role.AGENT)
        agent.send(m.Hello(window=0, major=1, minor=0))
        return Connection(Role.DAEMON), agent
    agent, daemon = established_pair(BufferTransport.REGION)
    return (agent, daemon) if agent_sends else (daemon, agent)


@pytest.mark.parametrize("message, wire", GOLDEN, ids=[type(message).__name__ for message, _ in GOLDEN])
def test_golden_bytes_pack(message, wire):
    sender, _ = _sender_and_receiver(message)
    data, handles = sender.send(message)
    assert data == wire
    assert handles == ()


@pytest.mark.parametrize("message, wire", [pair for pair in GOLDEN if type(pair[0]).__name__ != "VersionRejected"],
                         ids=[type(message).__name__ for message, _ in GOLDEN if type(message).__name__ != "VersionRejected"])
def test_golden_bytes_parse(message, wire):
    _, receiver = _sender_and_receiver(message)
    receiver.receive_data(wire)
    assert receiver.next_event() == message
    assert receiver.next_event() is NEED_DATA


def test_golden_version_rejected_parses_as_mismatch():
    from protocol import VersionMismatch

    agent = Connection(Role.AGENT)
    agent.send(m.Hello(window=0, major=1, minor=0))
    agent.receive_data(h("03000000 00000000 08000000  02000000 05000000"))
    with pytest.raises(VersionMismatch) as raised:
        agent.next_event()
    assert raised.value.remote_version == (2, 5)
    assert "2.5" in str(raised.value) and "1.0" in str(raised.value)
