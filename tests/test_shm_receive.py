"""The receiving side: every check before mapping, the read-only mapping, fd ownership."""

from __future__ import annotations

import errno
import faulthandler
import fcntl
import mmap
import os
import signal
import socket

import pytest

from protocol import limits
from shm.buffer import WindowBuffer
from shm.errors import BufferRejected
from shm.fdpass import receive_with_fds, send_with_fds
from shm.receive import map_received_buffer
from shm.views import pixels

from .shm_support import open_fd_count


def make_memfd(size: int, seals: int = 0) -> int:
    fd = os.memfd_create("test-buffer", os.MFD_CLOEXEC | os.MFD_ALLOW_SEALING)
    os.ftruncate(fd, size)
    if seals:
        fcntl.fcntl(fd, fcntl.F_ADD_SEALS, seals)
    return fd


@pytest.fixture
def sealed_buffer():
    with WindowBuffer.create(32, 8) as buffer:
        yield buffer


def test_received_buffer_shows_sender_pixels(sealed_buffer):
    writer = sealed_buffer.open_mapping()
    with map_received_buffer(sealed_buffer.fd, width=32, height=8, stride=128) as received:
        assert (received.width, received.height, received.stride, received.offset) == (32, 8, 128, 0)
        assert received.size == 128 * 8
        pixels(writer, 32, 8, 128)[3, 5] = (0x11, 0x22, 0x33, 0)

        # The mapping is shared: a write after mapping is visible too.
        assert tuple(pixels(received.map, 32, 8, 128)[3, 5]) == (0x11, 0x22, 0x33, 0)
    writer.close()


def test_received_buffer_at_offset_with_padded_stride():
    fd = make_memfd(8192, fcntl.F_SEAL_SHRINK)
    try:
        os.pwrite(fd, b"\xaa\xbb\xcc\x00", 4096 + 2 * 48)
        with map_received_buffer(fd, width=10, height=20, stride=48, offset=4096) as received:
            view = pixels(received.map, 10, 20, 48, offset=received.offset)
            assert tuple(view[2, 0]) == (0xAA, 0xBB, 0xCC, 0)
            assert len(received.map) == 4096 + 48 * 20
            del view
    finally:
        os.close(fd)


def test_reject_buffer_without_shrink_seal():
    fd = make_memfd(4096, fcntl.F_SEAL_GROW)
    try:
        with pytest.raises(BufferRejected, match="F_SEAL_SHRINK missing") as caught:
            map_received_buffer(fd, width=16, height=16, stride=64)
        assert "seals 0x4" in caught.value.reason
    finally:
        os.close(fd)


def test_reject_unsealed_memfd():
    fd = make_memfd(4096)
    try:
        with pytest.raises(BufferRejected, match="not sealed against shrinking"):
            map_received_buffer(fd, width=16, height=16, stride=64)
    finally:
        os.close(fd)


def test_reject_buffer_smaller_than_image():
    fd = make_memfd(1000, fcntl.F_SEAL_SHRINK)
    try:
        with pytest.raises(BufferRejected) as caught:
            map_received_buffer(fd, width=16, height=16, stride=64)
        assert caught.value.reason == "buffer file has 1000 bytes but the image needs 1024"
    finally:
        os.close(fd)


def test_reject_buffer_offset_past_end(sealed_buffer):
    with pytest.raises(BufferRejected) as caught:
        map_received_buffer(sealed_buffer.fd, width=32, height=8, stride=128, offset=4)
    assert caught.value.reason == "buffer file has 1024 bytes but the image needs 1028"


def test_reject_pipe():
    read_end, write_end = os.pipe()
    try:
        with pytest.raises(BufferRejected, match="not a memfd or regular file"):
            map_received_buffer(read_end, width=1, height=1, stride=4)
    finally:
        os.close(read_end)
        os.close(write_end)


def test_reject_socket():
    left, right = socket.socketpair()
    with left, right:
        with pytest.raises(BufferRejected, match="not a memfd or regular file"):
            map_received_buffer(left.fileno(), width=1, height=1, stride=4)


def test_reject_regular_file_without_seals(tmp_path):
    path = tmp_path / "buffer"
    path.write_bytes(bytes(4096))
    fd = os.open(path, os.O_RDWR)
    try:
        # On a disk file system F_GET_SEALS fails; on tmpfs the file is sealed with F_SEAL_SEAL only.
        with pytest.raises(BufferRejected, match="does not support seals|not sealed against shrinking"):
            map_received_buffer(fd, width=16, height=16, stride=64)
    finally:
        os.close(fd)


@pytest.mark.parametrize(
    ("layout", "reason"),
    [
        ({"width": 0, "height": 8, "stride": 128}, "buffer width 0 is outside 1..16384"),
        ({"width": 32, "height": 0, "stride": 128}, "buffer height 0 is outside 1..6144"),
        ({"width": limits.MAX_WINDOW_WIDTH + 1, "height": 1, "stride": 65540}, "buffer width 16385"),
        ({"width": 32, "height": limits.MAX_WINDOW_HEIGHT + 1, "stride": 128}, "buffer height 6145"),
        ({"width": 32, "height": 8, "stride": 124}, "buffer stride 124 is outside 128..65600 for width 32"),
        ({"width": 32, "height": 8, "stride": 130}, "buffer stride 130 is not a multiple of 4"),
        ({"width": 32, "height": 8, "stride": -128}, "buffer stride -128 is outside"),
        ({"width": 32, "height": 8, "stride": 128, "offset": -4}, "buffer offset -4 is outside"),
        ({"width": 32, "height": 8, "stride": 128, "offset": 2**32}, "buffer offset 4294967296 is outside"),
        ({"width": 32.0, "height": 8, "stride": 128}, "buffer width must be an integer, not float"),
        ({"width": 32, "height": True, "stride": 128}, "buffer height must be an integer, not bool"),
    ],
)
def test_reject_inconsistent_layout(sealed_buffer, layout, reason):
    with pytest.raises(BufferRejected) as caught:
        map_received_buffer(sealed_buffer.fd, **layout)
    assert caught.value.reason.startswith(reason)


def test_received_mapping_is_read_only(sealed_buffer):
    with map_received_buffer(sealed_buffer.fd, width=32, height=8, stride=128) as received:
        with pytest.raises(TypeError, match="read"):
            received.map[0] = 1
        with pytest.raises(ValueError, match="read-only"):
            pixels(received.map, 32, 8, 128)[0, 0, 0] = 1
        with pytest.raises(PermissionError):
            mmap.mmap(received.fd, received.size, mmap.MAP_SHARED, mmap.PROT_READ | mmap.PROT_WRITE)
        with pytest.raises(OSError) as caught:
            os.write(received.fd, b"x")
        assert caught.value.errno == errno.EBADF
        assert fcntl.fcntl(received.fd, fcntl.F_GETFL) & os.O_ACCMODE == os.O_RDONLY


def test_received_fd_is_neither_closed_nor_kept(sealed_buffer):
    before = open_fd_count()
    received = map_received_buffer(sealed_buffer.fd, width=32, height=8, stride=128)
    assert received.fd != sealed_buffer.fd
    received.close()
    received.close()
    assert open_fd_count() == before
    os.fstat(sealed_buffer.fd)


@pytest.mark.parametrize("size", [100, 4096])
def test_rejection_leaves_no_fd_open(size):
    fd = make_memfd(size, fcntl.F_SEAL_SHRINK if size == 100 else 0)
    before = open_fd_count()
    with pytest.raises(BufferRejected):
        map_received_buffer(fd, width=16, height=16, stride=64)
    assert open_fd_count() == before
    os.close(fd)


def test_close_with_live_view_raises(sealed_buffer):
    received = map_received_buffer(sealed_buffer.fd, width=32, height=8, stride=128)
    view = pixels(received.map, 32, 8, 128)
    with pytest.raises(BufferError):
        received.close()
    assert received.map is not None
    del view
    received.close()
    assert received.fd == -1


def start_child(child) -> int:
    """Fork a process that runs ``child()`` and exits with its return value (3 on an exception)."""
    pid = os.fork()
    if pid == 0:
        # pytest's fault handler would print a traceback for an expected SIGBUS.
        faulthandler.disable()
        status = 3
        try:
            status = child()
        finally:
            os._exit(status)
    return pid


@pytest.mark.parametrize("truncate_before_check", [True, False], ids=["before-check", "after-check"])
def test_reject_buffer_truncated_by_sender(truncate_before_check):
    """The sender shrinks an unsealed buffer after sending it; the receiver must reject it, not die.

    Truncating after the receiver's check is the dangerous order: a receiver that
    mapped the file would die of SIGBUS when it reads the pages.
    """
    sender, receiver = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
    fd = make_memfd(256 * 256 * 4)

    def receive_map_and_read() -> int:
        sender.close()
        data, fds = receive_with_fds(receiver, 16, 1)
        assert data == b"buffer"
        if truncate_before_check:
            assert receiver.recv(16) == b"truncated"

        buffer = None
        try:
            buffer = map_received_buffer(fds[0], width=256, height=256, stride=1024)
        except BufferRejected as rejected:
            status = 0 if "F_SEAL_SHRINK missing" in rejected.reason else 2
        else:
            status = 1

        if not truncate_before_check:
            receiver.sendall(b"checked")
            assert receiver.recv(16) == b"truncated"
        if buffer is not None:
            sum(buffer.map[offset] for offset in range(0, buffer.size, 4096))
        return status

    pid = start_child(receive_map_and_read)
    receiver.close()
    send_with_fds(sender, b"buffer", [fd])
    if not truncate_before_check:
        assert sender.recv(16) == b"checked"
    os.ftruncate(fd, 0)
    sender.sendall(b"truncated")
    _, wait_status = os.waitpid(pid, 0)
    sender.close()
    os.close(fd)

    assert not os.WIFSIGNALED(wait_status), f"receiver died of signal {os.WTERMSIG(wait_status)}"
    assert os.WEXITSTATUS(wait_status) == 0


def test_unsealed_truncation_causes_sigbus():
    """Why the shrink seal is required: this is what the receive checks prevent."""
    fd = make_memfd(64 * 1024)
    mapping = mmap.mmap(fd, 64 * 1024, mmap.MAP_SHARED, mmap.PROT_READ)
    os.ftruncate(fd, 0)

    def touch_last_page() -> int:
        mapping[60 * 1024]
        return 0

    _, wait_status = os.waitpid(start_child(touch_last_page), 0)
    mapping.close()
    os.close(fd)
    assert os.WIFSIGNALED(wait_status)
    assert os.WTERMSIG(wait_status) == signal.SIGBUS


def test_sealed_buffer_survives_truncation_attempt(sealed_buffer):
    with map_received_buffer(sealed_buffer.fd, width=32, height=8, stride=128) as received:
        with pytest.raises(PermissionError):
            os.ftruncate(sealed_buffer.fd, 0)
        assert received.map[received.size - 1] == 0
