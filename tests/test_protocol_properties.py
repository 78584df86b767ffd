"""Property tests: round trips of valid messages, and arbitrary bytes never escape the error type."""

from __future__ import annotations

import struct

from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from protocol import (
    NEED_DATA,
    REGISTRY,
    BufferTransport,
    Connection,
    IgnoredMessage,
    Message,
    RemoteProtocolError,
    Role,
)
from protocol import limits
from protocol import messages as m
from protocol.schema import Kind
from protocol.text import sanitize_class, sanitize_title

from .protocol_support import established_pair

SETTINGS = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def number_strategy(field):
    if field.choices is not None:
        return st.sampled_from([int(choice) for choice in field.choices])
    if field.flag_bits is not None:
        return st.integers(0, field.flag_bits).map(lambda value: value & field.flag_bits).map(field.convert)
    if field.kind is Kind.I32:
        low, high = -(2**31), 2**31 - 1
    else:
        low, high = 0, 2**32 - 1
    if field.minimum is not None:
        low = field.minimum
    if field.maximum is not None:
        high = field.maximum
    return st.integers(low, high)


def canonical_text(field):
    sanitize = sanitize_class if field.name.startswith("res_") else sanitize_title

    def fit(text):
        encoded = sanitize(text.encode("utf-8", errors="replace")).encode()[: field.size]
        return sanitize(encoded)

    return st.text(max_size=field.size).map(fit).filter(lambda text: len(text.encode()) <= field.size)


XKB_ALPHABET = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-+,:()"


def field_strategy(spec, field):
    if field.kind is Kind.TEXT:
        if spec.name == "KeyboardLayout":
            return st.text(alphabet=XKB_ALPHABET, max_size=field.size)
        return canonical_text(field)
    if field.kind is Kind.BYTES:
        return st.binary(min_size=field.size, max_size=field.size)
    if field.kind is Kind.DATA:
        return st.binary(max_size=512)
    return number_strategy(field)


@st.composite
def valid_messages(draw):
    spec = draw(st.sampled_from(sorted(REGISTRY.values(), key=lambda spec: spec.code)))
    if spec.name in ("Hello", "Welcome", "VersionRejected"):
        assume(False)
    values = {field.name: draw(field_strategy(spec, field)) for field in spec.fields}
    if spec.name == "SetBuffer":
        values["stride"] = values["width"] * 4 + 4 * draw(st.integers(0, 16))
    if spec.name == "SetCursor":
        values["shape"] = draw(st.sampled_from(list(range(0, limits.CURSOR_FONT_GLYPHS, 2)) + [m.CURSOR_DEFAULT]))
    if spec.name == "ClipboardData":
        if values["status"] != m.ClipboardStatus.OK:
            values["data"] = b""
        else:
            values["total_size"] = len(values["data"])
    if spec.name == "RequestState":
        values["unset"] = m.WindowState(values["unset"] & ~values["set"])
    if spec.name == "Damage":
        assume(values["width"] and values["height"])
    if spec.name == "SetHints":
        flags = values["flags"]
        if flags & m.HintFlags.MIN_SIZE and flags & m.HintFlags.MAX_SIZE:
            assume(values["min_width"] <= values["max_width"] and values["min_height"] <= values["max_height"])
        if flags & m.HintFlags.RESIZE_INCREMENT:
            assume(values["width_inc"] and values["height_inc"])
    window = 0 if spec.window.value == "0" else draw(st.integers(1, limits.MAX_WINDOW_ID))
    return spec.message_class(window=window, **values)


@SETTINGS
@given(valid_messages(), st.integers(1, 64))
def test_valid_messages_round_trip_in_any_chunking(message, chunk_size):
    agent, daemon = established_pair(BufferTransport.REGION)
    sender, receiver = (agent, daemon) if message.SPEC.direction is m.TO_DAEMON else (daemon, agent)
    data, _ = sender.send(message)
    events = []
    for start in range(0, len(data), chunk_size):
        receiver.receive_data(data[start:start + chunk_size])
        while (event := receiver.next_event()) is not NEED_DATA:
            events.append(event)
    assert events == [message]


@SETTINGS
@given(st.binary(max_size=2048))
def test_title_sanitizing_is_idempotent(untrusted):
    once = sanitize_title(untrusted)
    assert sanitize_title(once.encode()) == once


def assert_within_schema(event):
    """Check that a parsed message holds only values its schema allows."""
    assert isinstance(event, (Message, IgnoredMessage))
    if isinstance(event, IgnoredMessage):
        return
    spec = event.SPEC
    for field in spec.fields:
        value = getattr(event, field.name)
        if field.kind in (Kind.U32, Kind.I32):
            if field.minimum is not None:
                assert value >= field.minimum
            if field.maximum is not None:
                assert value <= field.maximum
            if field.choices is not None:
                assert value in field.choices
        elif field.kind is Kind.TEXT:
            assert isinstance(value, str)
        elif field.kind is Kind.BYTES:
            assert len(value) == field.size
        else:
            assert len(value) <= field.size


def run_fuzz_input(connection: Connection, data: bytes, *, byte_by_byte: bool):
    """Feed data; return (events, error type or None). Only RemoteProtocolError may escape."""
    events = []
    pieces = [data[i:i + 1] for i in range(len(data))] if byte_by_byte else [data]
    try:
        for piece in pieces:
            connection.receive_data(piece)
            while (event := connection.next_event()) is not NEED_DATA:
                assert_within_schema(event)
                events.append(event)
    except RemoteProtocolError as error:
        return events, type(error)
    return events, None


def headed_stream():
    """Byte strings that often start with a valid header, so bodies get exercised too."""
    codes = sorted(REGISTRY)
    header = st.builds(
        lambda code, window, length: struct.pack("<III", code, window, length),
        st.sampled_from(codes + [0, 0xFFFF]),
        st.sampled_from([0, 1, 0xA0, limits.MAX_WINDOW_ID, 0xFFFF_FFFF]),
        st.sampled_from([0, 4, 8, 12, 16, 20, 24, 36, 516, 0xFFFF_FFFF]),
    )
    piece = st.one_of(header, st.binary(max_size=64))
    return st.lists(piece, max_size=12).map(b"".join)


@SETTINGS
@given(st.one_of(st.binary(max_size=600), headed_stream()), st.sampled_from(list(Role)))
def test_any_bytes_yield_valid_messages_or_remote_error(data, role):
    if role is Role.DAEMON:
        whole, by_byte = established_pair()[1], established_pair()[1]
    else:
        whole, by_byte = established_pair()[0], established_pair()[0]
    assert run_fuzz_input(whole, data, byte_by_byte=False) == run_fuzz_input(by_byte, data, byte_by_byte=True)


@SETTINGS
@given(st.one_of(st.binary(max_size=200), headed_stream()))
def test_any_bytes_during_handshake_yield_valid_messages_or_remote_error(data):
    whole = Connection(Role.DAEMON)
    by_byte = Connection(Role.DAEMON)
    assert run_fuzz_input(whole, data, byte_by_byte=False) == run_fuzz_input(by_byte, data, byte_by_byte=True)
