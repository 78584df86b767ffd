"""Window buffers of the process backend: one sealed memfd per window.

The agent creates the buffer, attaches a duplicate of its fd to the domain's X
server (which writes the window's pixels into it) and sends the fd to the daemon.
The seals guarantee the receiver that the file never becomes shorter, so a mapping
of it can never fault with SIGBUS, and F_SEAL_SEAL keeps anyone from changing the
seals later.
"""

from __future__ import annotations

import fcntl
import logging
import mmap
import operator
import os

from protocol import limits

logger = logging.getLogger(__name__)

# XRGB8888, the layout of Xvfb's depth-24 visual at 32 bits per pixel: bytes B, G, R, unused.
BYTES_PER_PIXEL = 4

# Seals every window buffer carries. Receivers require at least F_SEAL_SHRINK.
BUFFER_SEALS = fcntl.F_SEAL_SHRINK | fcntl.F_SEAL_GROW | fcntl.F_SEAL_SEAL


def buffer_stride(width: int) -> int:
    """Return the row length in bytes of an XRGB8888 buffer ``width`` pixels wide."""
    return width * BYTES_PER_PIXEL


class WindowBuffer:
    """A sealed memfd of exactly ``stride * height`` bytes holding one window's pixels.

    The buffer owns ``fd`` until ``close()``. Attributes: ``width`` and ``height`` in
    pixels, ``stride`` and ``size`` in bytes.
    """

    def __init__(self, fd: int, width: int, height: int) -> None:
        # Use create(); this constructor takes over an fd that create() has sealed.
        self.fd = fd
        self.width = width
        self.height = height
        self.stride = buffer_stride(width)
        self.size = self.stride * height

    @classmethod
    def create(cls, width: int, height: int) -> WindowBuffer:
        """Create a zero-filled, sealed buffer for a window of ``width`` x ``height`` pixels.

        Raises ValueError for a size outside 1..MAX_WINDOW_WIDTH by
        1..MAX_WINDOW_HEIGHT, and OSError when the kernel refuses the memfd.
        """
        width = operator.index(width)
        height = operator.index(height)
        if not 1 <= width <= limits.MAX_WINDOW_WIDTH:
            raise ValueError(f"buffer width {width} is outside 1..{limits.MAX_WINDOW_WIDTH}")
        if not 1 <= height <= limits.MAX_WINDOW_HEIGHT:
            raise ValueError(f"buffer height {height} is outside 1..{limits.MAX_WINDOW_HEIGHT}")

        fd = os.memfd_create(f"odyssey-window-{width}x{height}", os.MFD_CLOEXEC | os.MFD_ALLOW_SEALING)
        try:
            os.ftruncate(fd, buffer_stride(width) * height)
            fcntl.fcntl(fd, fcntl.F_ADD_SEALS, BUFFER_SEALS)
        except BaseException:
            os.close(fd)
            raise
        buffer = cls(fd, width, height)
        logger.debug("created window buffer fd %d, %dx%d, %d bytes", fd, width, height, buffer.size)
        return buffer

    def open_mapping(self) -> mmap.mmap:
        """Map the whole buffer read-write; the caller owns and closes the mapping.

        For tests and tools that draw into a buffer: the agent itself never touches
        pixels, the X server writes them.
        """
        self._require_open()
        return mmap.mmap(self.fd, self.size, mmap.MAP_SHARED, mmap.PROT_READ | mmap.PROT_WRITE)

    def close(self) -> None:
        """Close the fd; mappings made from it stay valid until they are closed. Idempotent."""
        if self.fd >= 0:
            os.close(self.fd)
            self.fd = -1

    def _require_open(self) -> None:
        if self.fd < 0:
            raise ValueError("window buffer is closed")

    def __enter__(self) -> WindowBuffer:
        return self

    def __exit__(self, *exc_info) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"WindowBuffer(fd={self.fd}, {self.width}x{self.height}, stride={self.stride})"
