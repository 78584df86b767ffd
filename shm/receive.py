"""The receiving side of a window buffer: check the fd a domain sent, then map it read-only.

Every check runs before anything is mapped, in this order:

1. the image layout (width, height, stride, offset) is consistent and within the
   protocol's limits;
2. the fd is a regular file (a memfd is one), not a pipe, socket or device;
3. its seals include F_SEAL_SHRINK, so the domain can never make it shorter: a
   mapping of a file truncated under it faults with SIGBUS, which kills the process;
4. its size covers ``offset + stride * height``;
5. it is re-opened read-only through ``/proc/self/fd``, because a received memfd
   is writable and this process must not be able to write into it;
6. the read-only fd is mapped ``PROT_READ`` and ``MAP_SHARED``.

A failed check raises BufferRejected, which the daemon turns into a protocol
violation of that domain.
"""

from __future__ import annotations

import errno
import fcntl
import logging
import mmap
import operator
import os
import stat

from protocol import limits

from .buffer import BYTES_PER_PIXEL
from .errors import BufferRejected

logger = logging.getLogger(__name__)


class MappedFile:
    """An owned fd and a mapping of its file, both released by ``close``.

    Subclasses set ``fd`` and ``map``. ``close`` is idempotent and raises
    BufferError, releasing nothing, while views of ``map`` (memoryviews, numpy
    arrays) still exist.
    """

    fd: int
    map: mmap.mmap | None

    def close(self) -> None:
        """Unmap, then close the fd. Idempotent."""
        if self.map is not None:
            self.map.close()
            self.map = None
        if self.fd >= 0:
            os.close(self.fd)
            self.fd = -1

    def __enter__(self):
        return self

    def __exit__(self, *exc_info) -> None:
        self.close()


class MappedBuffer(MappedFile):
    """A received buffer, mapped read-only.

    Owns ``fd`` (the read-only re-opened fd, suitable for ``attach_fd(fd,
    read_only=True)``) and ``map`` (a ``PROT_READ`` mmap of the file from byte 0 to
    ``offset + stride * height``). The image starts at byte ``offset`` of both.
    """

    def __init__(self, fd: int, mapping: mmap.mmap, width: int, height: int, stride: int, offset: int) -> None:
        self.fd = fd
        self.map = mapping
        self.width = width
        self.height = height
        self.stride = stride
        self.offset = offset
        self.size = stride * height

    def __repr__(self) -> str:
        return (
            f"MappedBuffer(fd={self.fd}, {self.width}x{self.height}, "
            f"stride={self.stride}, offset={self.offset})"
        )


def map_received_buffer(fd: int, *, width: int, height: int, stride: int, offset: int = 0) -> MappedBuffer:
    """Check a buffer fd received from a domain and map it read-only.

    ``fd`` stays the caller's: it is neither closed nor kept. The returned
    MappedBuffer owns a new read-only fd and the mapping. Raises BufferRejected
    when any check fails; the reason names the check and the numbers.
    """
    end = check_image_layout(width=width, height=height, stride=stride, offset=offset)
    file_stat = check_sealed_file(fd, end)
    read_only_fd, mapping = open_read_only_mapping(fd, file_stat, end)
    logger.debug(
        "mapped received buffer %dx%d stride %d offset %d (%d bytes of %d)",
        width, height, stride, offset, end, file_stat.st_size,
    )
    return MappedBuffer(read_only_fd, mapping, width, height, stride, offset)


def check_image_layout(*, width: int, height: int, stride: int, offset: int) -> int:
    """Check an XRGB8888 image layout and return its end, ``offset + stride * height``.

    Bounds: width and height within the protocol's window maximum, stride a
    multiple of 4 covering one row and at most MAX_STRIDE, offset within 32 bits.
    The end is therefore below MAX_REGION_OFFSET + MAX_BUFFER_BYTES (less than
    2**33), which fits every size type on the way to mmap and the X server.
    """
    for name, value in (("width", width), ("height", height), ("stride", stride), ("offset", offset)):
        if not isinstance(value, int) or isinstance(value, bool):
            raise BufferRejected(f"buffer {name} must be an integer, not {type(value).__name__}")
    if not 1 <= width <= limits.MAX_WINDOW_WIDTH:
        raise BufferRejected(f"buffer width {width} is outside 1..{limits.MAX_WINDOW_WIDTH}")
    if not 1 <= height <= limits.MAX_WINDOW_HEIGHT:
        raise BufferRejected(f"buffer height {height} is outside 1..{limits.MAX_WINDOW_HEIGHT}")
    if stride % BYTES_PER_PIXEL != 0:
        raise BufferRejected(f"buffer stride {stride} is not a multiple of {BYTES_PER_PIXEL}")
    if not width * BYTES_PER_PIXEL <= stride <= limits.MAX_STRIDE:
        raise BufferRejected(
            f"buffer stride {stride} is outside {width * BYTES_PER_PIXEL}..{limits.MAX_STRIDE} "
            f"for width {width}"
        )
    if not 0 <= offset <= limits.MAX_REGION_OFFSET:
        raise BufferRejected(f"buffer offset {offset} is outside 0..{limits.MAX_REGION_OFFSET}")
    # Now 1 <= stride * height <= MAX_BUFFER_BYTES and 0 <= offset < 2**32.
    return offset + stride * height


def check_sealed_file(fd: int, required_size: int) -> os.stat_result:
    """Check that ``fd`` is a regular file sealed against shrinking and at least ``required_size`` bytes.

    Returns the file's stat. Raises BufferRejected otherwise, and OSError only
    when ``fd`` is not an open fd of this process.
    """
    fd = operator.index(fd)
    untrusted_stat = os.fstat(fd)
    if not stat.S_ISREG(untrusted_stat.st_mode):
        raise BufferRejected(
            f"buffer fd is not a memfd or regular file (file type {stat.S_IFMT(untrusted_stat.st_mode):#o})"
        )

    try:
        untrusted_seals = fcntl.fcntl(fd, fcntl.F_GET_SEALS)
    except OSError as error:
        if error.errno != errno.EINVAL:
            raise
        raise BufferRejected("buffer fd does not support seals: it is a regular file, not a memfd") from None
    if not untrusted_seals & fcntl.F_SEAL_SHRINK:
        raise BufferRejected(
            f"buffer is not sealed against shrinking (seals {untrusted_seals:#x}, F_SEAL_SHRINK missing)"
        )

    # The file can no longer shrink, so a size read from now on stays true while it
    # is mapped. The first fstat came before the seal check and may be stale.
    sealed_stat = os.fstat(fd)
    if sealed_stat.st_size < required_size:
        raise BufferRejected(
            f"buffer file has {sealed_stat.st_size} bytes but the image needs {required_size}"
        )
    return sealed_stat


def reopen_read_only(fd: int, expected_stat: os.stat_result) -> int:
    """Open the file behind ``fd`` again, read-only, through ``/proc/self/fd``.

    Returns the new fd, which the caller owns. Raises BufferRejected when the
    re-open fails or yields a different file than ``expected_stat`` describes.
    """
    try:
        read_only_fd = os.open(f"/proc/self/fd/{fd}", os.O_RDONLY | os.O_CLOEXEC | os.O_NOCTTY)
    except OSError as error:
        raise BufferRejected(f"re-opening the buffer read-only failed: {error.strerror}") from None
    reopened = os.fstat(read_only_fd)
    if (reopened.st_dev, reopened.st_ino) != (expected_stat.st_dev, expected_stat.st_ino):
        os.close(read_only_fd)
        raise BufferRejected("re-opening the buffer read-only yielded a different file")
    return read_only_fd


def map_read_only(fd: int, length: int) -> mmap.mmap:
    """Map the first ``length`` bytes of ``fd`` with PROT_READ and MAP_SHARED.

    Raises BufferRejected when the kernel refuses the mapping.
    """
    try:
        return mmap.mmap(fd, length, mmap.MAP_SHARED, mmap.PROT_READ)
    except OSError as error:
        raise BufferRejected(f"mapping {length} bytes of the buffer read-only failed: {error.strerror}") from None


def open_read_only_mapping(fd: int, file_stat: os.stat_result, length: int) -> tuple[int, mmap.mmap]:
    """Re-open ``fd`` read-only and map its first ``length`` bytes ``PROT_READ``.

    Returns the new fd and the mapping, both owned by the caller. ``fd`` stays open.
    Raises BufferRejected, leaving nothing open, when either step fails.
    """
    read_only_fd = reopen_read_only(fd, file_stat)
    try:
        return read_only_fd, map_read_only(read_only_fd, length)
    except BaseException:
        os.close(read_only_fd)
        raise
