"""fd passing over a real Unix stream socketpair."""

from __future__ import annotations

import array
import os
import socket
import threading

import pytest

from shm.buffer import WindowBuffer
from shm.errors import FdPassingError
from shm.fdpass import MAX_FDS_PER_MESSAGE, receive_with_fds, send_with_fds

from .shm_support import open_fd_count


@pytest.fixture
def socket_pair():
    left, right = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
    with left, right:
        yield left, right


def test_bytes_and_fd_arrive_together(socket_pair):
    sender, receiver = socket_pair
    with WindowBuffer.create(16, 16) as buffer:
        send_with_fds(sender, b"set-buffer", [buffer.fd])
        data, fds = receive_with_fds(receiver, 64, 1)

        assert data == b"set-buffer"
        assert len(fds) == 1
        received = fds[0]
        assert received != buffer.fd
        assert os.fstat(received).st_ino == os.fstat(buffer.fd).st_ino
        assert not os.get_inheritable(received)
        os.pwrite(buffer.fd, b"\x7f", 10)
        assert os.pread(received, 1, 10) == b"\x7f"
        os.close(received)


def test_sender_keeps_its_fd(socket_pair):
    sender, receiver = socket_pair
    read_end, write_end = os.pipe()
    send_with_fds(sender, b"x", [read_end])
    _, fds = receive_with_fds(receiver, 8, 1)
    os.close(fds[0])
    os.fstat(read_end)
    os.close(read_end)
    os.close(write_end)


def test_message_without_fd_is_detectable(socket_pair):
    sender, receiver = socket_pair
    send_with_fds(sender, b"no handle")
    data, fds = receive_with_fds(receiver, 64, 1)
    assert data == b"no handle"
    assert fds == []


def test_reject_extra_fds_and_close_them(socket_pair):
    sender, receiver = socket_pair
    read_end, write_end = os.pipe()
    before = open_fd_count()
    send_with_fds(sender, b"two", [read_end, write_end])
    with pytest.raises(FdPassingError, match="2 fds arrived with a message; at most 1 were expected"):
        receive_with_fds(receiver, 64, 1)
    assert open_fd_count() == before
    os.close(read_end)
    os.close(write_end)


def test_fds_beyond_reserved_room_raise_ctrunc_error(socket_pair):
    sender, receiver = socket_pair
    read_end, write_end = os.pipe()
    before = open_fd_count()
    send_with_fds(sender, b"many", [read_end, write_end] * 4)
    with pytest.raises(FdPassingError, match="MSG_CTRUNC"):
        receive_with_fds(receiver, 64, 1)
    assert open_fd_count() == before
    os.close(read_end)
    os.close(write_end)


def test_fd_when_none_expected_raises(socket_pair):
    sender, receiver = socket_pair
    read_end, write_end = os.pipe()
    send_with_fds(sender, b"surprise", [read_end])
    with pytest.raises(FdPassingError, match="room was reserved for 0"):
        receive_with_fds(receiver, 64, 0)
    os.close(read_end)
    os.close(write_end)


def test_end_of_stream_returns_empty(socket_pair):
    sender, receiver = socket_pair
    sender.shutdown(socket.SHUT_WR)
    assert receive_with_fds(receiver, 64, 1) == (b"", [])


def test_large_message_arrives_whole_with_its_fd(socket_pair):
    sender, receiver = socket_pair
    payload = bytes(range(256)) * 8192  # 2 MiB: more than the socket buffer takes at once
    read_end, write_end = os.pipe()
    writer = threading.Thread(target=send_with_fds, args=(sender, payload, [read_end]))
    writer.start()

    received = bytearray()
    all_fds = []
    while len(received) < len(payload):
        data, fds = receive_with_fds(receiver, 65536, 1)
        assert data
        received += data
        all_fds += fds
    writer.join()

    assert received == payload
    assert len(all_fds) == 1
    for fd in (all_fds[0], read_end, write_end):
        os.close(fd)


def test_fds_without_data_are_rejected(socket_pair):
    sender, _ = socket_pair
    with pytest.raises(ValueError, match="at least one byte"):
        send_with_fds(sender, b"", [0])


def test_too_many_fds_are_rejected_before_sending(socket_pair):
    sender, _ = socket_pair
    with pytest.raises(ValueError, match="the maximum is 253"):
        send_with_fds(sender, b"x", array.array("i", [0] * (MAX_FDS_PER_MESSAGE + 1)))


@pytest.mark.parametrize(("max_bytes", "max_fds"), [(0, 1), (8, -1), (8, MAX_FDS_PER_MESSAGE + 1)])
def test_receive_limits_are_validated(socket_pair, max_bytes, max_fds):
    _, receiver = socket_pair
    with pytest.raises(ValueError):
        receive_with_fds(receiver, max_bytes, max_fds)
