"""Framing: headers, lengths checked before bodies, chunking, buffer cap, handles."""

from __future__ import annotations

import pytest

from protocol import (
    NEED_DATA,
    READ_CHUNK_SIZE,
    RECEIVE_BUFFER_LIMIT,
    BufferTransport,
    LocalProtocolError,
    RemoteProtocolError,
    State,
)
from protocol import limits
from protocol import messages as m

from .protocol_support import drain, established_pair, frame

WINDOW = 0x400001


def damage(x=0, y=0, width=10, height=10, serial=1, window=WINDOW):
    return m.Damage(window=window, x=x, y=y, width=width, height=height, serial=serial)


def set_buffer(serial=1, **changes):
    fields = dict(window=WINDOW, width=64, height=32, stride=256, format=m.PIXEL_FORMAT_XRGB8888,
                  offset=0, serial=serial)
    fields.update(changes)
    return m.SetBuffer(**fields)


def test_messages_fed_byte_by_byte_parse_like_one_write():
    agent, daemon = established_pair()
    sent = [damage(x=i) for i in range(5)] + [m.SetTitle(window=WINDOW, title="t" * 40)]
    stream = b"".join(agent.send(message)[0] for message in sent)
    received = []
    for index in range(len(stream)):
        daemon.receive_data(stream[index:index + 1])
        received.extend(drain(daemon))
    assert received == sent


def test_partial_header_needs_more_data():
    agent, daemon = established_pair()
    data, _ = agent.send(damage())
    daemon.receive_data(data[:11])
    assert daemon.next_event() is NEED_DATA
    daemon.receive_data(data[11:])
    assert daemon.next_event() == damage()


def test_reject_unknown_message_type():
    _, daemon = established_pair()
    daemon.receive_data(frame(0xFFFF, WINDOW, b""))
    with pytest.raises(RemoteProtocolError) as raised:
        daemon.next_event()
    assert raised.value.field == "type"
    assert raised.value.value == 0xFFFF
    assert daemon.state is State.CLOSED


def test_reject_message_sent_in_wrong_direction():
    _, daemon = established_pair()
    daemon.receive_data(frame(m.Key.SPEC.code, WINDOW, bytes(12)))
    with pytest.raises(RemoteProtocolError, match="only a daemon may send"):
        daemon.next_event()


@pytest.mark.parametrize("length", [0, 4, 19, 21, 0xFFFF_FFFF])
def test_reject_fixed_size_message_with_wrong_length(length):
    _, daemon = established_pair()
    daemon.receive_data(frame(m.CreateWindow.SPEC.code, WINDOW, b"", length=length))
    with pytest.raises(RemoteProtocolError) as raised:
        daemon.next_event()
    assert raised.value.field == "length"
    assert raised.value.value == length


def test_reject_length_before_buffering_the_body():
    # Only the header is fed: the lie about the length is caught without waiting
    # for (or buffering) the 100,000 body bytes it announces.
    _, daemon = established_pair()
    daemon.receive_data(frame(m.SetTitle.SPEC.code, WINDOW, b"", length=100_000))
    with pytest.raises(RemoteProtocolError, match="body length must be 516"):
        daemon.next_event()


def test_reject_variable_message_above_its_maximum():
    _, daemon = established_pair()
    too_long = m.ClipboardData.SPEC.max_size + 1
    daemon.receive_data(frame(m.ClipboardData.SPEC.code, 0, b"", length=too_long))
    with pytest.raises(RemoteProtocolError) as raised:
        daemon.next_event()
    assert raised.value.value == too_long


def test_reject_variable_message_shorter_than_its_fixed_part():
    _, daemon = established_pair()
    daemon.receive_data(frame(m.ClipboardData.SPEC.code, 0, bytes(3)))
    with pytest.raises(RemoteProtocolError, match="body length must be 12"):
        daemon.next_event()


def test_title_header_with_wrong_length_then_valid_message_ends_session():
    # A mismatch is never "resynchronised": the session ends at the bad header.
    _, daemon = established_pair()
    bad = frame(m.SetTitle.SPEC.code, WINDOW, bytes(128), length=100_000)
    good = frame(m.UnmapWindow.SPEC.code, WINDOW, b"")
    daemon.receive_data(bad + good)
    with pytest.raises(RemoteProtocolError):
        daemon.next_event()
    assert daemon.state is State.CLOSED
    with pytest.raises(LocalProtocolError):
        daemon.next_event()


@pytest.mark.parametrize("window", [0, limits.MAX_WINDOW_ID + 1, 0xFFFF_FFFF])
def test_reject_window_message_with_invalid_window_id(window):
    _, daemon = established_pair()
    daemon.receive_data(frame(m.UnmapWindow.SPEC.code, window, b""))
    with pytest.raises(RemoteProtocolError) as raised:
        daemon.next_event()
    assert raised.value.field == "window"


def test_reject_global_message_with_window_id():
    _, daemon = established_pair()
    body = bytes(12)
    daemon.receive_data(frame(m.ClipboardData.SPEC.code, WINDOW, body))
    with pytest.raises(RemoteProtocolError, match="window must be 0"):
        daemon.next_event()


def test_eof_in_the_middle_of_a_message_leaves_it_incomplete():
    agent, daemon = established_pair()
    data, _ = agent.send(damage())
    daemon.receive_data(data[:20])
    assert daemon.next_event() is NEED_DATA
    assert daemon.next_event() is NEED_DATA


def test_receive_buffer_cap_rejects_undrained_input():
    _, daemon = established_pair()
    with pytest.raises(LocalProtocolError, match="receive buffer"):
        daemon.receive_data(bytes(RECEIVE_BUFFER_LIMIT + 1))


def test_receive_buffer_holds_largest_message_plus_one_read():
    agent, daemon = established_pair()
    largest = m.ClipboardData(window=0, serial=1, status=0, total_size=limits.CLIPBOARD_MAX_BYTES,
                              data=b"x" * limits.CLIPBOARD_MAX_BYTES)
    stream = agent.send(largest)[0] + agent.send(damage())[0] * 100
    position = 0
    events = []
    while position < len(stream):
        daemon.receive_data(stream[position:position + READ_CHUNK_SIZE])
        position += READ_CHUNK_SIZE
        events.extend(drain(daemon))
    assert events[0] == largest
    assert events[1:] == [damage()] * 100


def test_buffer_compaction_keeps_parsing_linear():
    # 200,000 messages through one connection: compaction must keep memory bounded.
    agent, daemon = established_pair()
    chunk = agent.send(damage())[0] * 2000
    for _ in range(100):
        daemon.receive_data(chunk)
        assert len(drain(daemon)) == 2000
        assert len(daemon._buffer) < 2 * len(chunk)


# -- handles ----------------------------------------------------------------


def test_set_buffer_claims_its_handle():
    agent, daemon = established_pair()
    data, handles = agent.send(set_buffer(handles=(41,)))
    assert handles == (41,)
    daemon.receive_data(data, handles)
    event = daemon.next_event()
    assert event.handles == (41,)
    assert daemon.drain_handles() == []


def test_handle_arriving_with_earlier_messages_goes_to_the_last_one():
    # The kernel may glue the bytes of earlier messages to the recvmsg that
    # carries a handle; the handle belongs to the message of the last byte.
    agent, daemon = established_pair()
    before = agent.send(damage())[0] + agent.send(damage(x=1))[0]
    data, handles = agent.send(set_buffer(handles=(7,)))
    daemon.receive_data(before + data[:10], handles)
    daemon.receive_data(data[10:])
    events = drain(daemon)
    assert events[:2] == [damage(), damage(x=1)]
    assert events[2].handles == (7,)


def test_reject_set_buffer_without_handle_in_fd_mode():
    agent, daemon = established_pair()
    data, _ = agent.send(set_buffer(handles=(5,)))
    daemon.receive_data(data)
    with pytest.raises(RemoteProtocolError, match="needs 1 handle"):
        daemon.next_event()


def test_reject_set_buffer_with_two_handles():
    agent, daemon = established_pair()
    data, _ = agent.send(set_buffer(handles=(5,)))
    daemon.receive_data(data[:4], (5,))
    daemon.receive_data(data[4:], (6,))
    with pytest.raises(RemoteProtocolError, match="at most 1 handle"):
        daemon.next_event()
    assert sorted(daemon.drain_handles()) == [5, 6]


def test_reject_handle_on_message_without_handles():
    agent, daemon = established_pair()
    data, _ = agent.send(damage())
    daemon.receive_data(data, (9,))
    with pytest.raises(RemoteProtocolError, match="carries no handles"):
        daemon.next_event()
    assert daemon.drain_handles() == [9]


def test_reject_handle_in_region_mode():
    agent, daemon = established_pair(BufferTransport.REGION)
    data, _ = agent.send(set_buffer())
    daemon.receive_data(data, (3,))
    with pytest.raises(RemoteProtocolError, match="carries no handles"):
        daemon.next_event()
    assert daemon.drain_handles() == [3]


def test_handles_of_a_rejected_body_stay_drainable():
    agent, daemon = established_pair()
    data, _ = agent.send(set_buffer(handles=(8,)))
    corrupt = bytearray(data)
    corrupt[12 + 12:12 + 16] = (0x1234).to_bytes(4, "little")  # format field
    daemon.receive_data(bytes(corrupt), (8,))
    with pytest.raises(RemoteProtocolError):
        daemon.next_event()
    assert daemon.drain_handles() == [8]


def test_handles_without_bytes_are_a_violation():
    _, daemon = established_pair()
    with pytest.raises(RemoteProtocolError):
        daemon.receive_data(b"", (4,))
    assert daemon.drain_handles() == [4]


def test_send_refuses_wrong_handle_count():
    agent, _ = established_pair()
    with pytest.raises(LocalProtocolError):
        agent.send(set_buffer())
    region_agent, _ = established_pair(BufferTransport.REGION)
    with pytest.raises(LocalProtocolError):
        region_agent.send(set_buffer(handles=(3,)))


def test_send_refuses_message_of_the_other_direction():
    agent, daemon = established_pair()
    with pytest.raises(LocalProtocolError):
        agent.send(m.Close(window=WINDOW))
    with pytest.raises(LocalProtocolError):
        daemon.send(damage())


def test_send_refuses_invalid_values():
    agent, _ = established_pair()
    with pytest.raises(LocalProtocolError):
        agent.send(m.CreateWindow(window=WINDOW, x=0, y=0, width=0, height=10, override_redirect=0))
    with pytest.raises(LocalProtocolError):
        agent.send(m.SetTitle(window=WINDOW, title="x" * (limits.TITLE_MAX_BYTES + 1)))
    with pytest.raises(LocalProtocolError):
        agent.send(m.UnmapWindow(window=0))
