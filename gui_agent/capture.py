"""Window buffers and captures: the pixels of each mapped window in shared memory.

Each mapped window gets a sealed memfd buffer of its size, attached read-write to
the domain's X server through MIT-SHM, so the X server writes the window's
pixels straight into memory the daemon maps. Python never touches a pixel.

A buffer is captured into only after the daemon accepted it (``BufferAccepted``
with its serial), because until then the daemon may still read the previous one. A resize makes a new buffer with a new serial.

Captures copy each damaged rectangle with CopyArea into an MIT-SHM pixmap over
the buffer (``shm.capture.FrameCapture``), all rectangles of a window with one
round trip, so the X server copies only the damaged pixels. A window whose
depth has no 32-bit layout, or a server without shared pixmaps, falls back to
full-width row bands with ShmGetImage (``capture_damage``).

File descriptor lifetime: the fd of a buffer that is replaced or freed stays
open until the channel has written every queued byte, because a queued
``SetBuffer`` still refers to it by number (``close_retired``).
"""

from __future__ import annotations

import logging

from protocol import messages as m
from shm.buffer import WindowBuffer
from shm.capture import SUPPORTED_DEPTHS, FrameCapture, Rectangle, capture_damage
from shm.errors import ShmUnavailable, XcbError
from shm.xcb import XcbConnection
from shm.xcb_damage import XcbDamage

from .damage import row_bands
from .windows import WindowRecord

logger = logging.getLogger(__name__)


class Capturer:
    """Creates, captures into and frees the window buffers of one domain."""

    def __init__(self, xcb: XcbConnection, damage: XcbDamage):
        self.xcb = xcb
        self.damage = damage
        self._retired: list[WindowBuffer] = []

    # -- buffers ---------------------------------------------------------------

    def allocate(self, record: WindowRecord) -> m.SetBuffer:
        """Give the window a new buffer of its current size and return its SetBuffer.

        Raises OSError when the memfd cannot be made and XcbError when the X
        server refuses to attach it.
        """
        self.release(record)
        width, height = record.buffer_size()
        buffer = WindowBuffer.create(width, height)
        try:
            segment = self.xcb.attach_fd(buffer.fd, read_only=False)
        except BaseException:
            buffer.close()
            raise
        record.buffer = buffer
        record.segment = segment
        record.frame_capture = self._frame_capture(record, segment, width, height, buffer.stride)
        record.serial += 1
        record.accepted = False
        record.needs_buffer = False
        logger.debug("window %#x: buffer serial %d, %dx%d", record.window_id, record.serial, width, height)
        return m.SetBuffer(
            window=record.window_id, width=width, height=height, stride=buffer.stride,
            format=m.PIXEL_FORMAT_XRGB8888, offset=0, serial=record.serial, handles=(buffer.fd,),
        )

    def _frame_capture(self, record: WindowRecord, segment: int, width: int, height: int,
                       stride: int) -> FrameCapture | None:
        """Return a CopyArea capture over the new buffer, or None to capture row bands instead."""
        if record.depth not in SUPPORTED_DEPTHS:
            return None
        try:
            return FrameCapture(self.xcb, segment, width, height, stride, depth=record.depth)
        except (ShmUnavailable, XcbError) as failure:
            logger.debug("window %#x: capturing row bands, no shared pixmap (%s)", record.window_id, failure)
            return None

    def release(self, record: WindowRecord) -> None:
        """Detach and retire the window's buffer, if it has one."""
        record.accepted = False
        record.pending_damage.clear()
        if record.frame_capture is not None:
            # The server keeps the segment mapped while the pixmap over it exists.
            try:
                record.frame_capture.close()
            except XcbError as failure:
                logger.warning("window %#x: freeing its capture pixmap failed: %s", record.window_id, failure)
            record.frame_capture = None
        if record.segment is not None:
            try:
                self.xcb.detach(record.segment)
            except XcbError as failure:
                logger.warning("window %#x: detaching segment %#x failed: %s",
                               record.window_id, record.segment, failure)
            record.segment = None
        if record.buffer is not None:
            self._retired.append(record.buffer)
            record.buffer = None

    def close_retired(self) -> None:
        """Close the fds of freed buffers; call only when no queued message refers to them."""
        for buffer in self._retired:
            buffer.close()
        self._retired.clear()

    # -- captures --------------------------------------------------------------

    def accept(self, record: WindowRecord, serial: int) -> m.Damage | None:
        """Mark the buffer ``serial`` accepted, capture the whole window and return its Damage.

        Returns None when ``serial`` is not the window's current buffer (the
        daemon accepted a buffer that a resize replaced meanwhile).
        """
        if record.buffer is None or serial != record.serial:
            logger.debug("window %#x: BufferAccepted for serial %d, current %d",
                         record.window_id, serial, record.serial)
            return None
        record.accepted = True
        record.pending_damage.clear()
        self._subtract(record)
        width, height = record.buffer_size()
        if not self._capture(record, [Rectangle(0, 0, width, height)]):
            return None
        return m.Damage(window=record.window_id, x=0, y=0, width=width, height=height, serial=record.serial)

    def capture_pending(self, record: WindowRecord) -> list[m.Damage]:
        """Capture the window's merged damage once and return one Damage per rectangle."""
        if not record.accepted or not record.pending_damage:
            return []
        rectangles = record.pending_damage.take()
        self._subtract(record)
        if not self._capture(record, rectangles):
            return []
        return [
            m.Damage(window=record.window_id, x=r.x, y=r.y, width=r.width, height=r.height, serial=record.serial)
            for r in rectangles
        ]

    def _subtract(self, record: WindowRecord) -> None:
        # The damage objects report only newly damaged areas (DeltaRectangles), so the
        # region is emptied before each capture: drawing after it sends a new event.
        # Subtract and capture share one connection, so the server runs them in order.
        if record.damage is not None:
            self.damage.subtract_all(record.damage)

    def _capture(self, record: WindowRecord, rectangles: list[Rectangle]) -> bool:
        """Capture the rectangles (inside the buffer) into the buffer; return False when the window changed."""
        buffer = record.buffer
        try:
            if record.frame_capture is not None:
                record.frame_capture.capture_many(record.window_id, rectangles)
            else:
                for top, rows in row_bands(rectangles):
                    capture_damage(self.xcb, record.window_id, (0, top, buffer.width, rows),
                                   record.segment, buffer.width, buffer.height, buffer.stride)
        except XcbError as failure:
            # The window shrank, was unmapped or destroyed after the events the agent
            # has read. The events that follow give it a new buffer or remove it.
            logger.debug("window %#x: capture failed (%s); the window changed meanwhile",
                         record.window_id, failure)
            return False
        return True
