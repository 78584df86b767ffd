"""Domain pixels on the GUI display: checked buffers attached read-only, painted with MIT-SHM.

Pixels never pass through Python: the GUI X server reads them from the shared
buffer (``shm_put_image``). This module checks each buffer before the server sees
it, clips every damage rectangle to the window, the buffer and the window's
paintable area, and keeps the bookkeeping of attached segments.
"""

from __future__ import annotations

import logging
import os

from shm.capture import Rectangle, clip_rectangle
from shm.receive import MappedBuffer, map_received_buffer
from shm.region import SharedRegion, check_region_buffer

logger = logging.getLogger(__name__)

# Depth of XRGB8888 windows on the GUI display (Xvfb and Xorg at 24-bit colour).
WINDOW_DEPTH = 24


class AttachedBuffer:
    """A domain buffer that passed its checks and is attached read-only to the GUI X server."""

    def __init__(self, segment: int, width: int, height: int, stride: int, offset: int, serial: int,
                 mapped: MappedBuffer | None):
        self.segment = segment
        self.width = width
        self.height = height
        self.stride = stride
        self.offset = offset
        self.serial = serial
        self.size = stride * height
        self._mapped = mapped  # None for region buffers: the region owns the mapping

    def release(self, xcb, *, owns_segment: bool = True) -> None:
        """Detach the segment (unless it is the shared region's) and unmap the buffer."""
        if owns_segment and not xcb.closed:
            xcb.detach(self.segment)
        if self._mapped is not None:
            self._mapped.close()
            self._mapped = None


def accept_fd_buffer(xcb, message) -> AttachedBuffer:
    """Check and attach the memfd of a SetBuffer message (process backend).

    Takes ownership of the received fd and closes it in every case. Raises
    shm.errors.BufferRejected when the buffer fails a check.
    """
    (untrusted_fd,) = message.handles
    try:
        mapped = map_received_buffer(untrusted_fd, width=message.width, height=message.height,
                                     stride=message.stride, offset=message.offset)
    finally:
        os.close(untrusted_fd)
    try:
        segment = xcb.attach_fd(mapped.fd, read_only=True)
    except BaseException:
        mapped.close()
        raise
    return AttachedBuffer(segment, message.width, message.height, message.stride, message.offset,
                          message.serial, mapped)


def accept_region_buffer(region: SharedRegion, region_segment: int, message) -> AttachedBuffer:
    """Check a SetBuffer of region mode (VM backend) against the domain's shared region."""
    check_region_buffer(region.size, message.offset, message.stride, message.height)
    return AttachedBuffer(region_segment, message.width, message.height, message.stride, message.offset,
                          message.serial, None)


def clip_damage(untrusted_rect: tuple[int, int, int, int], window_width: int, window_height: int,
                buffer: AttachedBuffer, paintable: tuple[int, int, int, int]) -> Rectangle | None:
    """Intersect a damage rectangle with the window, the buffer and the paintable area."""
    rect = clip_rectangle(*untrusted_rect, min(window_width, buffer.width), min(window_height, buffer.height))
    if rect is None:
        return None
    area_x, area_y, area_width, area_height = paintable
    inside = clip_rectangle(rect.x - area_x, rect.y - area_y, rect.width, rect.height, area_width, area_height)
    if inside is None:
        return None
    # The result lies inside the window, the buffer and the paintable area.
    return Rectangle(inside.x + area_x, inside.y + area_y, inside.width, inside.height)


def merge_damage(pending: list[Rectangle], rect: Rectangle, max_rectangles: int) -> list[Rectangle]:
    """Add a rectangle to a window's pending damage; past max_rectangles, keep the bounding box."""
    for other in pending:
        if (other.x <= rect.x and other.y <= rect.y and rect.x + rect.width <= other.x + other.width
                and rect.y + rect.height <= other.y + other.height):
            return pending  # already covered
    rectangles = [*pending, rect]
    if len(rectangles) <= max_rectangles:
        return rectangles
    left = min(r.x for r in rectangles)
    top = min(r.y for r in rectangles)
    right = max(r.x + r.width for r in rectangles)
    bottom = max(r.y + r.height for r in rectangles)
    return [Rectangle(left, top, right - left, bottom - top)]


def put(xcb, drawable: int, gc: int, buffer: AttachedBuffer, rect: Rectangle) -> None:
    """Put one clipped rectangle of the buffer at the same place in the window."""
    xcb.put_image(
        drawable, gc,
        buffer.stride // 4, buffer.height,
        rect.x, rect.y, rect.width, rect.height,
        rect.x, rect.y,
        WINDOW_DEPTH, buffer.segment, buffer.offset,
    )
