"""The VM backend's shared region: one fixed-size file holding all buffers of a domain.

The host creates the region once, as a sealed memfd, and the domain places its
window buffers inside it as (offset, length) ranges from a RegionAllocator. A
buffer announced by the domain is only an offset, so the daemon checks every
offset and length against the region's size before it reads a byte.
"""

from __future__ import annotations

import bisect
import fcntl
import logging
import mmap
import operator
import os

from protocol import limits

from .buffer import BUFFER_SEALS, BYTES_PER_PIXEL
from .errors import BufferRejected, RegionFull
from .receive import MappedFile, check_image_layout, check_sealed_file, open_read_only_mapping

logger = logging.getLogger(__name__)

# Offsets in the protocol are 32-bit and a buffer may start at the last one, so
# no byte beyond this is ever addressed: larger regions would only waste memory.
MAX_REGION_SIZE = limits.MAX_REGION_OFFSET + 1 + limits.MAX_BUFFER_BYTES


class SharedRegion(MappedFile):
    """A fixed-size shared file, mapped whole.

    Owns ``fd`` and ``map``. A region made by ``create`` is mapped read-write, one
    opened with ``open_read_only`` is mapped ``PROT_READ`` through its own
    read-only fd. ``size`` is in bytes.
    """

    def __init__(self, fd: int, size: int, mapping: mmap.mmap, writable: bool) -> None:
        self.fd = fd
        self.size = size
        self.map = mapping
        self.writable = writable

    @classmethod
    def create(cls, size: int) -> SharedRegion:
        """Create a zero-filled region of ``size`` bytes as a memfd sealed against any size change."""
        size = operator.index(size)
        if not 1 <= size <= MAX_REGION_SIZE:
            raise ValueError(f"region size {size} is outside 1..{MAX_REGION_SIZE}")
        fd = os.memfd_create("odyssey-region", os.MFD_CLOEXEC | os.MFD_ALLOW_SEALING)
        try:
            os.ftruncate(fd, size)
            fcntl.fcntl(fd, fcntl.F_ADD_SEALS, BUFFER_SEALS)
            mapping = mmap.mmap(fd, size, mmap.MAP_SHARED, mmap.PROT_READ | mmap.PROT_WRITE)
        except BaseException:
            os.close(fd)
            raise
        logger.debug("created shared region fd %d, %d bytes", fd, size)
        return cls(fd, size, mapping, writable=True)

    @classmethod
    def open_read_only(cls, fd: int) -> SharedRegion:
        """Check a region fd like a received buffer, re-open it read-only and map it whole.

        ``fd`` stays the caller's. Raises BufferRejected when the file is not a
        regular file sealed against shrinking, or its size is outside
        1..MAX_REGION_SIZE.
        """
        file_stat = check_sealed_file(fd, 1)
        size = file_stat.st_size
        if size > MAX_REGION_SIZE:
            raise BufferRejected(f"region of {size} bytes is larger than the maximum {MAX_REGION_SIZE}")
        read_only_fd, mapping = open_read_only_mapping(fd, file_stat, size)
        return cls(read_only_fd, size, mapping, writable=False)


class RegionBuffer:
    """One window buffer inside a region, checked against the region's bounds.

    ``map`` is a read-only memoryview of the whole region, so ``offset`` means the
    same in it as in an X segment attached from the region's fd.
    """

    def __init__(self, view: memoryview, width: int, height: int, stride: int, offset: int) -> None:
        self.map = view
        self.width = width
        self.height = height
        self.stride = stride
        self.offset = offset
        self.size = stride * height

    def release(self) -> None:
        """Release the memoryview so the region can be closed. Idempotent."""
        if self.map is not None:
            self.map.release()
            self.map = None


def check_region_buffer(region_size: int, offset: int, stride: int, height: int) -> int:
    """Check that ``stride * height`` bytes at ``offset`` lie inside a region of ``region_size`` bytes.

    Returns the end of the buffer. Raises BufferRejected naming the numbers. The
    same bounds as for a received fd apply (stride a multiple of 4 up to
    MAX_STRIDE, height up to MAX_WINDOW_HEIGHT, offset within 32 bits), so the end
    is below 2**33 before it is compared with the region's size.
    """
    for name, value in (("offset", offset), ("stride", stride), ("height", height)):
        if not isinstance(value, int) or isinstance(value, bool):
            raise BufferRejected(f"region buffer {name} must be an integer, not {type(value).__name__}")
    if not 1 <= height <= limits.MAX_WINDOW_HEIGHT:
        raise BufferRejected(f"region buffer height {height} is outside 1..{limits.MAX_WINDOW_HEIGHT}")
    if stride % BYTES_PER_PIXEL != 0 or not BYTES_PER_PIXEL <= stride <= limits.MAX_STRIDE:
        raise BufferRejected(
            f"region buffer stride {stride} is not a multiple of {BYTES_PER_PIXEL} "
            f"in {BYTES_PER_PIXEL}..{limits.MAX_STRIDE}"
        )
    if not 0 <= offset <= limits.MAX_REGION_OFFSET:
        raise BufferRejected(f"region buffer offset {offset} is outside 0..{limits.MAX_REGION_OFFSET}")

    end = offset + stride * height
    if end > region_size:
        raise BufferRejected(
            f"region buffer at offset {offset} with {stride * height} bytes ends at {end}, "
            f"past the region's {region_size} bytes"
        )
    return end


def map_region_buffer(region: SharedRegion, *, width: int, height: int, stride: int, offset: int) -> RegionBuffer:
    """Check a buffer announced inside ``region`` and return a read-only view of the region for it.

    Raises BufferRejected when the layout is inconsistent or the buffer leaves the region.
    """
    if region.map is None:
        raise ValueError("shared region is closed")
    check_image_layout(width=width, height=height, stride=stride, offset=offset)
    check_region_buffer(region.size, offset, stride, height)
    view = memoryview(region.map).toreadonly()
    return RegionBuffer(view, width, height, stride, offset)


class RegionAllocator:
    """First-fit allocator of aligned (offset, length) ranges inside a region.

    Offsets are multiples of ``alignment`` (the page size by default), and every
    length is rounded up to it. ``usable_size`` is the region size rounded down to it. Freed ranges are merged with free neighbours, so
    the region does not fragment into ranges smaller than what was freed.
    """

    def __init__(self, region_size: int, alignment: int = mmap.PAGESIZE) -> None:
        region_size = operator.index(region_size)
        alignment = operator.index(alignment)
        if region_size < 0:
            raise ValueError(f"region size {region_size} is negative")
        if alignment < 1 or alignment & (alignment - 1):
            raise ValueError(f"alignment {alignment} is not a power of two")
        self.region_size = region_size
        self.alignment = alignment
        # Every range is a whole number of alignment units, so a partial unit at the
        # end of the region is never handed out.
        self.usable_size = region_size - region_size % alignment
        # Free ranges as parallel sorted lists of offsets and lengths, never adjacent.
        self._free_offsets: list[int] = [0] if self.usable_size else []
        self._free_lengths: list[int] = [self.usable_size] if self.usable_size else []
        self._allocated: dict[int, int] = {}

    @property
    def free_bytes(self) -> int:
        return sum(self._free_lengths)

    @property
    def allocated_bytes(self) -> int:
        return sum(self._allocated.values())

    def allocate(self, length: int) -> int:
        """Reserve ``length`` bytes (rounded up to the alignment) and return their offset.

        Raises RegionFull when no free range is large enough, ValueError for a
        length below 1.
        """
        length = operator.index(length)
        if length < 1:
            raise ValueError(f"allocation length {length} is below 1")
        rounded = -(-length // self.alignment) * self.alignment

        for index, free_length in enumerate(self._free_lengths):
            if free_length < rounded:
                continue
            offset = self._free_offsets[index]
            if free_length == rounded:
                del self._free_offsets[index]
                del self._free_lengths[index]
            else:
                self._free_offsets[index] = offset + rounded
                self._free_lengths[index] = free_length - rounded
            self._allocated[offset] = rounded
            return offset

        raise RegionFull(
            f"no free range of {rounded} bytes in a region of {self.region_size} bytes "
            f"({self.free_bytes} bytes free in {len(self._free_lengths)} ranges)"
        )

    def length_at(self, offset: int) -> int:
        """Return the rounded length of the allocation at ``offset``; KeyError if none starts there."""
        return self._allocated[offset]

    def release(self, offset: int) -> None:
        """Return the range allocated at ``offset`` to the free list; KeyError if none starts there."""
        length = self._allocated.pop(offset)
        index = bisect.bisect_left(self._free_offsets, offset)
        self._free_offsets.insert(index, offset)
        self._free_lengths.insert(index, length)

        # Merge with the following range, then with the preceding one.
        if index + 1 < len(self._free_offsets) and offset + length == self._free_offsets[index + 1]:
            self._free_lengths[index] += self._free_lengths[index + 1]
            del self._free_offsets[index + 1]
            del self._free_lengths[index + 1]
        if index > 0 and self._free_offsets[index - 1] + self._free_lengths[index - 1] == offset:
            self._free_lengths[index - 1] += self._free_lengths[index]
            del self._free_offsets[index]
            del self._free_lengths[index]
