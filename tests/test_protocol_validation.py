"""Field rules for everything a domain sends: disconnect, clamp or ignore.

Each test feeds raw bytes, as a hostile agent would, so values the packer would
refuse to produce still reach the parser.
"""

from __future__ import annotations

import struct

import pytest

from protocol import IgnoredMessage, RemoteProtocolError
from protocol import limits
from protocol import messages as m

from .protocol_support import established_pair, frame

WINDOW = 0xA0


def parse(code: int, body: bytes, window: int = WINDOW):
    _, daemon = established_pair()
    daemon.receive_data(frame(code, window, body))
    return daemon.next_event()


def words(layout: str, *values) -> bytes:
    return struct.pack("<" + layout, *values)


def create_body(x=0, y=0, width=100, height=100, override_redirect=0):
    return words("iiIII", x, y, width, height, override_redirect)


def damage_body(x=10, y=10, width=50, height=50, serial=1):
    return words("iiIII", x, y, width, height, serial)


def buffer_body(width=1000, height=1000, stride=4000, pixel_format=m.PIXEL_FORMAT_XRGB8888, offset=0, serial=1):
    return words("IIIIII", width, height, stride, pixel_format, offset, serial)


def text_body(text: bytes, size: int = limits.TITLE_MAX_BYTES, count: int | None = None) -> bytes:
    count = len(text) if count is None else count
    return words("I", count) + text + bytes(size - len(text))


def title_of(untrusted_title: bytes) -> str:
    return parse(m.SetTitle.SPEC.code, text_body(untrusted_title)).title


# -- negative and huge sizes -------------------------------------------------


@pytest.mark.parametrize("width, height", [(0xFFFF_FFFF, 50), (50, 0x8000_0000), (limits.MAX_WINDOW_WIDTH + 1, 1)])
def test_damage_with_negative_or_huge_size_disconnects(width, height):
    with pytest.raises(RemoteProtocolError) as raised:
        parse(m.Damage.SPEC.code, damage_body(width=width, height=height))
    assert raised.value.message_type == "Damage"
    assert raised.value.field in ("width", "height")


def test_configure_with_negative_width_disconnects():
    body = words("iiIIII", 0, 0, (-5) & 0xFFFF_FFFF, 10, 0, 0)
    with pytest.raises(RemoteProtocolError) as raised:
        parse(m.ConfigureWindow.SPEC.code, body)
    assert raised.value.field == "width"


def test_hints_with_negative_min_size_disconnects():
    body = words("I" * 9, m.HintFlags.MIN_SIZE, 0xFFFF_FFFF, 10, 0, 0, 0, 0, 0, 0)
    with pytest.raises(RemoteProtocolError) as raised:
        parse(m.SetHints.SPEC.code, body)
    assert raised.value.field == "min_width"


def test_empty_damage_is_ignored():
    event = parse(m.Damage.SPEC.code, damage_body(width=0, height=50))
    assert isinstance(event, IgnoredMessage)
    assert event.message_type == "Damage"


# -- positions are clamped ----------------------------------------------------


@pytest.mark.parametrize("x, y, expected", [
    (2147483647, -2147483648, (limits.MAX_COORDINATE, -limits.MAX_COORDINATE)),
    (40000, -40000, (limits.MAX_COORDINATE, -limits.MAX_COORDINATE)),
    (32767, 32767, (limits.MAX_COORDINATE, limits.MAX_COORDINATE)),
    (-200, 300, (-200, 300)),
])
def test_unbounded_positions_are_clamped(x, y, expected):
    event = parse(m.CreateWindow.SPEC.code, create_body(x=x, y=y))
    assert (event.x, event.y) == expected
    configure = parse(m.ConfigureWindow.SPEC.code, words("iiIIII", x, y, 100, 100, 0, 0))
    assert (configure.x, configure.y) == expected


def test_clamped_position_plus_width_fits_sixteen_bits():
    event = parse(m.CreateWindow.SPEC.code, create_body(x=10**9, width=limits.MAX_WINDOW_WIDTH))
    assert event.x + event.width <= 32767


def test_damage_origin_far_outside_is_clamped():
    event = parse(m.Damage.SPEC.code, damage_body(x=-(2**31), y=2**31 - 1))
    assert event.x == -limits.MAX_WINDOW_WIDTH
    assert event.y == limits.MAX_WINDOW_HEIGHT


# -- window sizes ----------------------------------------------------------------


@pytest.mark.parametrize("width, height", [(16385, 6144), (16384, 6145), (32768, 32768)])
def test_window_above_maximum_size_disconnects(width, height):
    with pytest.raises(RemoteProtocolError):
        parse(m.CreateWindow.SPEC.code, create_body(width=width, height=height))


def test_window_of_zero_size_disconnects():
    with pytest.raises(RemoteProtocolError) as raised:
        parse(m.CreateWindow.SPEC.code, create_body(width=0, height=0))
    assert raised.value.field == "width"


def test_window_of_maximum_size_is_accepted():
    event = parse(m.CreateWindow.SPEC.code, create_body(width=16384, height=6144))
    assert (event.width, event.height) == (16384, 6144)


def test_tiny_override_redirect_window_is_accepted():
    event = parse(m.CreateWindow.SPEC.code, create_body(width=1, height=1, override_redirect=1))
    assert (event.width, event.height, event.override_redirect) == (1, 1, 1)


@pytest.mark.parametrize("value", [2, 0xFFFF_FFFF])
def test_override_redirect_must_be_boolean(value):
    with pytest.raises(RemoteProtocolError) as raised:
        parse(m.MapWindow.SPEC.code, words("II", 0, value))
    assert raised.value.field == "override_redirect"


# -- buffers ------------------------------------------------------------------------


def test_buffer_stride_below_row_size_disconnects():
    with pytest.raises(RemoteProtocolError, match="stride must cover"):
        parse(m.SetBuffer.SPEC.code, buffer_body(stride=3999))


@pytest.mark.parametrize("stride", [2**31, limits.MAX_STRIDE + 4])
def test_buffer_stride_above_maximum_disconnects(stride):
    with pytest.raises(RemoteProtocolError) as raised:
        parse(m.SetBuffer.SPEC.code, buffer_body(stride=stride))
    assert raised.value.field == "stride"


def test_buffer_stride_not_word_aligned_disconnects():
    with pytest.raises(RemoteProtocolError, match="multiple of 4"):
        parse(m.SetBuffer.SPEC.code, buffer_body(stride=4002))


@pytest.mark.parametrize("pixel_format", [0, 0x34325241, 0x34324258])  # none, ARGB8888, XBGR8888
def test_buffer_with_unsupported_pixel_format_disconnects(pixel_format):
    with pytest.raises(RemoteProtocolError) as raised:
        parse(m.SetBuffer.SPEC.code, buffer_body(pixel_format=pixel_format))
    assert raised.value.field == "format"


def test_buffer_size_product_cannot_overflow_32_bits():
    # The largest accepted stride times the largest height stays below 2**32.
    assert limits.MAX_STRIDE * limits.MAX_WINDOW_HEIGHT < 2**32


def test_buffer_serial_zero_disconnects():
    with pytest.raises(RemoteProtocolError) as raised:
        parse(m.SetBuffer.SPEC.code, buffer_body(serial=0))
    assert raised.value.field == "serial"


# -- titles ----------------------------------------------------------------------------


def test_title_with_newline_cannot_forge_a_second_line():
    assert title_of(b"Inbox\n[vault] Password") == "Inbox\ufffd[vault] Password"


def test_title_escape_sequences_are_replaced():
    assert title_of(b"\x1b[31mred\x07") == "\ufffd[31mred\ufffd"


@pytest.mark.parametrize("untrusted", [b"\xc3\x28", b"\xc0\xaf", b"\xed\xa0\x80", b"\xf4\x90\x80\x80"])
def test_title_invalid_utf8_becomes_replacement(untrusted):
    title = title_of(untrusted)
    assert "\ufffd" in title
    assert all(ord(character) < 0xD800 or ord(character) > 0xDFFF for character in title)


@pytest.mark.parametrize("untrusted", ["\u202e]tluav[ \u202c", "\u2067abc\u2069", "a\u200fb\u200e", "\u061cx"])
def test_title_bidi_controls_are_removed(untrusted):
    title = title_of(untrusted.encode())
    for control in "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f\u061c":
        assert control not in title


def test_title_zero_width_characters_are_removed():
    assert title_of("\u200b".encode() * 120 + b"x") == "x"


def test_title_combining_marks_are_limited():
    title = title_of(("e" + "\u0301" * 200).encode())
    assert title == "e" + "\u0301" * 3


def test_title_fullwidth_brackets_pass_as_text():
    # Look-alike brackets are shown as they are: the real prefix is drawn before them.
    assert title_of("\uff3bvault\uff3d Sign in".encode()) == "\uff3bvault\uff3d Sign in"


def test_title_of_spaces_is_kept():
    assert title_of(b"    ") == "    "


def test_title_markup_is_plain_text():
    markup = "<span foreground='green'><b>[vault]</b></span> OK &amp; <img src=x>"
    assert title_of(markup.encode()) == markup


@pytest.mark.parametrize("length", [127, 128, 129, 300, limits.TITLE_MAX_BYTES])
def test_title_up_to_maximum_bytes_arrives_whole(length):
    assert title_of(b"a" * length) == "a" * length


def test_title_count_above_array_disconnects():
    with pytest.raises(RemoteProtocolError) as raised:
        parse(m.SetTitle.SPEC.code, text_body(b"abc", count=limits.TITLE_MAX_BYTES + 1))
    assert raised.value.field == "title"


def test_title_with_bytes_past_its_count_disconnects():
    body = words("I", 3) + b"abcdef" + bytes(limits.TITLE_MAX_BYTES - 6)
    with pytest.raises(RemoteProtocolError, match="past the count must be zero"):
        parse(m.SetTitle.SPEC.code, body)


def test_title_cut_inside_utf8_sequence_shows_replacement():
    untrusted = "x" * 10 + "\u65e5"
    cut = untrusted.encode()[:-1]  # the last character loses its final byte
    assert title_of(cut) == "x" * 10 + "\ufffd"


def test_class_is_restricted_to_safe_ascii():
    body = text_body(b"Fire fox<>!\xff", limits.CLASS_MAX_BYTES) + text_body(b"nav", limits.CLASS_MAX_BYTES)
    event = parse(m.SetClass.SPEC.code, body)
    assert event.res_class == "Fire fox____"
    assert event.res_name == "nav"


# -- hints, states, cursors ------------------------------------------------------------


def test_hints_with_unknown_flag_bits_disconnect():
    with pytest.raises(RemoteProtocolError) as raised:
        parse(m.SetHints.SPEC.code, words("I" * 9, 0x80, 0, 0, 0, 0, 0, 0, 0, 0))
    assert raised.value.field == "flags"


def test_hints_min_above_max_drops_size_limits():
    both = m.HintFlags.MIN_SIZE | m.HintFlags.MAX_SIZE | m.HintFlags.BASE_SIZE
    event = parse(m.SetHints.SPEC.code, words("I" * 9, both, 500, 500, 100, 100, 0, 0, 10, 10))
    assert event.flags == m.HintFlags.BASE_SIZE


def test_hints_zero_increment_drops_increment():
    event = parse(m.SetHints.SPEC.code, words("I" * 9, m.HintFlags.RESIZE_INCREMENT, 0, 0, 0, 0, 0, 13, 0, 0))
    assert event.flags == 0


def test_state_set_and_unset_same_bit_is_ignored():
    fullscreen = int(m.WindowState.FULLSCREEN)
    for _ in range(200):
        event = parse(m.RequestState.SPEC.code, words("II", fullscreen, fullscreen))
        assert isinstance(event, IgnoredMessage)
        assert "both set and unset" in event.rule


def test_state_with_unknown_bits_disconnects():
    with pytest.raises(RemoteProtocolError) as raised:
        parse(m.RequestState.SPEC.code, words("II", 0x100, 0))
    assert raised.value.field == "set"


@pytest.mark.parametrize("shape", [limits.CURSOR_FONT_GLYPHS, 153, 1, 0xFFFF_FFFF, m.CURSOR_DEFAULT + 1])
def test_cursor_outside_font_shapes_disconnects(shape):
    with pytest.raises(RemoteProtocolError):
        parse(m.SetCursor.SPEC.code, words("I", shape))


@pytest.mark.parametrize("shape", [0, 152, 68, m.CURSOR_DEFAULT])  # X_cursor, xterm, left_ptr, default
def test_cursor_font_shapes_are_accepted(shape):
    assert parse(m.SetCursor.SPEC.code, words("I", shape)).shape == shape


# -- clipboard --------------------------------------------------------------------------


def clipboard_body(serial=1, status=0, total_size=None, data=b""):
    total = len(data) if total_size is None else total_size
    return words("III", serial, status, total) + data


def test_clipboard_at_maximum_arrives_whole():
    data = b"q" * limits.CLIPBOARD_MAX_BYTES
    event = parse(m.ClipboardData.SPEC.code, clipboard_body(data=data), window=0)
    assert event.data == data


def test_clipboard_with_unknown_status_disconnects():
    with pytest.raises(RemoteProtocolError) as raised:
        parse(m.ClipboardData.SPEC.code, clipboard_body(status=7), window=0)
    assert raised.value.field == "status"


def test_clipboard_too_large_must_carry_no_data():
    with pytest.raises(RemoteProtocolError, match="data must match status"):
        parse(m.ClipboardData.SPEC.code, clipboard_body(status=2, total_size=500_000, data=b"x"), window=0)


def test_clipboard_too_large_reports_size_only():
    event = parse(m.ClipboardData.SPEC.code, clipboard_body(status=2, total_size=500_000), window=0)
    assert event.status == m.ClipboardStatus.TOO_LARGE
    assert event.total_size == 500_000
    assert event.data == b""


def test_clipboard_size_must_match_data():
    with pytest.raises(RemoteProtocolError, match="total_size"):
        parse(m.ClipboardData.SPEC.code, clipboard_body(total_size=99, data=b"abc"), window=0)


def test_clipboard_keeps_nul_and_crlf_bytes():
    data = b"a\x00b\r\n\xff\xfeA"
    assert parse(m.ClipboardData.SPEC.code, clipboard_body(data=data), window=0).data == data


# -- errors never carry untrusted text ---------------------------------------------------


def test_error_text_names_numbers_not_content():
    secret = b"Re: contract draft \xe2\x80\x93 confidential"
    with pytest.raises(RemoteProtocolError) as raised:
        parse(m.SetTitle.SPEC.code, words("I", 600) + secret + bytes(limits.TITLE_MAX_BYTES - len(secret)))
    assert "contract" not in str(raised.value)
    assert "600" in str(raised.value)
