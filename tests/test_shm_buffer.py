"""Window buffers: sealed memfds of exactly stride * height bytes."""

from __future__ import annotations

import fcntl
import os
import stat

import pytest

from protocol import limits
from shm.buffer import BUFFER_SEALS, WindowBuffer


def test_window_buffer_layout():
    with WindowBuffer.create(300, 200) as buffer:
        assert buffer.width == 300
        assert buffer.height == 200
        assert buffer.stride == 1200
        assert buffer.size == 1200 * 200
        file_stat = os.fstat(buffer.fd)
        assert stat.S_ISREG(file_stat.st_mode)
        assert file_stat.st_size == buffer.size


def test_window_buffer_is_sealed_memfd():
    with WindowBuffer.create(16, 16) as buffer:
        seals = fcntl.fcntl(buffer.fd, fcntl.F_GET_SEALS)
        assert seals == BUFFER_SEALS
        assert seals & fcntl.F_SEAL_SHRINK
        assert seals & fcntl.F_SEAL_GROW
        assert seals & fcntl.F_SEAL_SEAL
        assert os.readlink(f"/proc/self/fd/{buffer.fd}").startswith("/memfd:odyssey-window-16x16")
        assert not os.get_inheritable(buffer.fd)


def test_window_buffer_cannot_shrink_or_grow():
    with WindowBuffer.create(64, 64) as buffer:
        with pytest.raises(PermissionError):
            os.ftruncate(buffer.fd, buffer.size - 4096)
        with pytest.raises(PermissionError):
            os.ftruncate(buffer.fd, buffer.size + 4096)
        assert os.fstat(buffer.fd).st_size == buffer.size


def test_window_buffer_seals_cannot_change():
    with WindowBuffer.create(16, 16) as buffer:
        with pytest.raises(PermissionError):
            fcntl.fcntl(buffer.fd, fcntl.F_ADD_SEALS, fcntl.F_SEAL_WRITE)


def test_window_buffer_starts_zeroed_and_maps_writable():
    with WindowBuffer.create(8, 4) as buffer:
        mapping = buffer.open_mapping()
        assert mapping[:] == bytes(buffer.size)
        mapping[0:4] = b"\x01\x02\x03\x00"
        assert os.pread(buffer.fd, 4, 0) == b"\x01\x02\x03\x00"
        mapping.close()


@pytest.mark.parametrize(
    ("width", "height"),
    [(0, 10), (10, 0), (-1, 10), (limits.MAX_WINDOW_WIDTH + 1, 1), (1, limits.MAX_WINDOW_HEIGHT + 1)],
)
def test_window_buffer_rejects_invalid_size(width, height):
    with pytest.raises(ValueError, match="outside"):
        WindowBuffer.create(width, height)


def test_window_buffer_rejects_non_integer_size():
    with pytest.raises(TypeError):
        WindowBuffer.create(10.5, 10)


def test_window_buffer_close_is_idempotent():
    buffer = WindowBuffer.create(4, 4)
    fd = buffer.fd
    buffer.close()
    buffer.close()
    assert buffer.fd == -1
    with pytest.raises(OSError):
        os.fstat(fd)
    with pytest.raises(ValueError, match="closed"):
        buffer.open_mapping()
