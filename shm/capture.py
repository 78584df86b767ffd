"""Capture damaged rectangles of a window into its buffer, in the full-frame layout.

``shm_get_image`` writes a sub-rectangle *packed* (rows of ``w * 4`` bytes from the
offset), not at its place in the frame. Two ways land it in place without Python
touching a pixel:

- ``FrameCapture``: an MIT-SHM pixmap whose memory is the buffer; a CopyArea from
  the window into that pixmap writes the rectangle at its place. Work is
  proportional to the rectangle. Needs shared-pixmap support (Xvfb has it) and a
  pixmap of the window's depth.
- ``capture_damage``: ``shm_get_image`` of the full-width rows of the rectangle at
  ``offset = y * stride``. A band of whole rows is already in frame layout. Works
  with any MIT-SHM 1.2 server, but a narrow tall rectangle costs almost a full frame.

``benchmarks/shm_bench.py`` compares both with a third way, capturing into a staging
segment and copying rows with numpy; the numbers are in docs/benchmarks.md.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, NamedTuple

from .buffer import BYTES_PER_PIXEL

if TYPE_CHECKING:
    from .xcb import XcbConnection

# Window depths whose pixels are 32 bits in ZPixmap format, matching XRGB8888 buffers.
SUPPORTED_DEPTHS = (24, 32)


class Rectangle(NamedTuple):
    """A rectangle in pixels; ``width`` and ``height`` are at least 1 once clipped."""

    x: int
    y: int
    width: int
    height: int


def clip_rectangle(x: int, y: int, width: int, height: int, bound_width: int, bound_height: int) -> Rectangle | None:
    """Intersect a rectangle with (0, 0, ``bound_width``, ``bound_height``).

    Returns None when the intersection is empty, including for zero or negative
    sizes. Python ints do not overflow, so huge and negative values are exact;
    the result always lies inside the bounds.
    """
    if width <= 0 or height <= 0 or bound_width <= 0 or bound_height <= 0:
        return None
    left = max(x, 0)
    top = max(y, 0)
    right = min(x + width, bound_width)
    bottom = min(y + height, bound_height)
    if right <= left or bottom <= top:
        return None
    # Now 0 <= left < right <= bound_width and 0 <= top < bottom <= bound_height.
    return Rectangle(left, top, right - left, bottom - top)


def _check_packed_stride(width: int, stride: int) -> None:
    # The X server writes rows of exactly width * 4 bytes, both for GetImage and
    # for a shared pixmap at 32 bits per pixel.
    if stride != width * BYTES_PER_PIXEL:
        raise ValueError(
            f"capture needs stride == width * {BYTES_PER_PIXEL}; got stride {stride} for width {width}"
        )


def capture_damage(
    xcb: XcbConnection,
    drawable: int,
    rect: tuple[int, int, int, int],
    segment: int,
    width: int,
    height: int,
    stride: int,
    offset: int = 0,
) -> Rectangle | None:
    """Capture the damaged ``rect`` of ``drawable`` into a buffer in the full-frame layout.

    The buffer is ``width`` x ``height`` pixels with rows of ``stride`` bytes and
    starts at ``offset`` in ``segment``. The rectangle is clipped to the buffer
    first. The function returns the clipped rectangle whose pixels are now in the
    buffer, or None when nothing of it lies inside (no request is sent then).
    Whole rows are captured, so pixels beside the rectangle are refreshed too.

    Raises ValueError when ``stride`` is not ``width * 4``, and XcbError when the
    server rejects the request, for example BadMatch because the drawable is
    smaller than the buffer or not viewable.
    """
    _check_packed_stride(width, stride)
    clipped = clip_rectangle(*rect, width, height)
    if clipped is None:
        return None
    xcb.get_image(drawable, 0, clipped.y, width, clipped.height, segment, offset + clipped.y * stride)
    return clipped


class FrameCapture:
    """Copies damaged rectangles of windows into one buffer through an MIT-SHM pixmap.

    Owns a pixmap over the buffer (``width`` x ``height`` at ``depth``, from
    ``offset`` in ``segment``) and a GC that includes child windows, as GetImage
    does. Close it before detaching the segment: the server keeps the segment's
    memory mapped while the pixmap exists.
    """

    def __init__(
        self,
        xcb: XcbConnection,
        segment: int,
        width: int,
        height: int,
        stride: int,
        *,
        depth: int = 24,
        offset: int = 0,
    ) -> None:
        """Create the pixmap and GC.

        ``depth`` must be the depth of the windows captured (24, or 32 for ARGB
        windows); CopyArea between different depths fails with BadMatch. Raises
        ValueError for another depth or a stride other than ``width * 4``,
        ShmUnavailable when the server has no shared pixmaps, XcbError when it
        rejects the pixmap.
        """
        _check_packed_stride(width, stride)
        if depth not in SUPPORTED_DEPTHS:
            raise ValueError(f"window depth {depth} has no 32-bit XRGB8888 layout; supported: {SUPPORTED_DEPTHS}")
        self.xcb = xcb
        self.width = width
        self.height = height
        self.depth = depth
        self.pixmap: int | None = xcb.create_shm_pixmap(xcb.root, width, height, depth, segment, offset)
        try:
            self.gc: int | None = xcb.create_gc(self.pixmap, include_inferiors=True)
        except BaseException:
            xcb.free_pixmap(self.pixmap)
            raise

    def capture(self, drawable: int, rect: tuple[int, int, int, int]) -> Rectangle | None:
        """Copy ``rect`` of ``drawable`` into the buffer, clipped to it; return the clipped rectangle.

        Returns None, sending nothing, when the rectangle lies outside the buffer.
        The server has written the pixels when this returns. Raises XcbError
        (BadDrawable for a window gone, BadMatch for a depth other than the
        pixmap's). An unmapped window raises nothing and leaves the buffer as it was.
        """
        captured = self.capture_many(drawable, (rect,))
        return captured[0] if captured else None

    def capture_many(self, drawable: int, rects: Iterable[tuple[int, int, int, int]]) -> list[Rectangle]:
        """Copy several rectangles of ``drawable`` with one round trip; return the clipped, non-empty ones."""
        if self.pixmap is None:
            raise ValueError("FrameCapture is closed")
        clipped = [c for c in (clip_rectangle(*rect, self.width, self.height) for rect in rects) if c is not None]
        if clipped:
            self.xcb.copy_rectangles(drawable, self.pixmap, self.gc, clipped)
        return clipped

    def close(self) -> None:
        """Free the GC and the pixmap. Idempotent."""
        gc, pixmap = self.gc, self.pixmap
        self.gc = self.pixmap = None
        if gc is not None:
            self.xcb.free_gc(gc)
        if pixmap is not None:
            self.xcb.free_pixmap(pixmap)

    def __enter__(self) -> FrameCapture:
        return self

    def __exit__(self, *exc_info) -> None:
        self.close()
