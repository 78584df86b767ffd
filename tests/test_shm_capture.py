"""Window pixels from one Xvfb, through a shared buffer, onto a window of a second Xvfb."""

from __future__ import annotations

import contextlib

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from shm.buffer import WindowBuffer
from shm.capture import FrameCapture, Rectangle, capture_damage, clip_rectangle
from shm.errors import XcbError
from shm.receive import map_received_buffer
from shm.views import pixel_values
from shm.xcb import XcbConnection

from .shm_support import (
    PATTERN_HEIGHT,
    PATTERN_WIDTH,
    TEST_PATTERN,
    create_window,
    expected_pixels,
    fill_rectangles,
    open_display,
    read_pixels,
    redirect_top_level_windows,
)

W, H = PATTERN_WIDTH, PATTERN_HEIGHT
EXPECTED = expected_pixels(W, H, TEST_PATTERN)


# -- clipping -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("rect", "bounds", "clipped"),
    [
        ((10, 20, 30, 40), (100, 100), Rectangle(10, 20, 30, 40)),
        ((-5, -7, 30, 40), (100, 100), Rectangle(0, 0, 25, 33)),
        ((90, 95, 30, 40), (100, 100), Rectangle(90, 95, 10, 5)),
        ((-1, -1, 202, 202), (200, 200), Rectangle(0, 0, 200, 200)),
        ((0, 0, 2**40, 2**40), (100, 50), Rectangle(0, 0, 100, 50)),
        ((-(2**40), 3, 2**41, 1), (100, 50), Rectangle(0, 3, 100, 1)),
        ((100, 0, 1, 1), (100, 100), None),
        ((0, 100, 1, 1), (100, 100), None),
        ((-30, 0, 30, 10), (100, 100), None),
        ((10, 10, 0, 10), (100, 100), None),
        ((10, 10, 10, -10), (100, 100), None),
        ((10, 10, -(2**63), 10), (100, 100), None),
        ((0, 0, 10, 10), (0, 100), None),
    ],
)
def test_clip_rectangle(rect, bounds, clipped):
    assert clip_rectangle(*rect, *bounds) == clipped


@given(
    st.integers(-(2**33), 2**33), st.integers(-(2**33), 2**33),
    st.integers(-(2**33), 2**33), st.integers(-(2**33), 2**33),
    st.integers(0, 20), st.integers(0, 20),
)
def test_clip_rectangle_matches_pixel_set_intersection(x, y, width, height, bound_width, bound_height):
    clipped = clip_rectangle(x, y, width, height, bound_width, bound_height)
    inside = {
        (px, py)
        for px in range(bound_width)
        for py in range(bound_height)
        if x <= px < x + width and y <= py < y + height
    }
    if clipped is None:
        assert not inside
    else:
        assert inside == {
            (px, py)
            for px in range(clipped.x, clipped.x + clipped.width)
            for py in range(clipped.y, clipped.y + clipped.height)
        }


# -- capture and put between two servers --------------------------------------


class Pipeline:
    """A domain window with the test pattern, its buffer on both sides, and a GUI window."""

    def __init__(self, stack: contextlib.ExitStack, domain_display: str, gui_display: str, redirect: bool) -> None:
        self.domain_xlib = open_display(domain_display)
        stack.callback(self.domain_xlib.close)
        if redirect:
            redirect_top_level_windows(self.domain_xlib)
        self.source = create_window(self.domain_xlib, 40, 30, W, H)
        fill_rectangles(self.domain_xlib, self.source, TEST_PATTERN)

        self.gui_xlib = open_display(gui_display)
        stack.callback(self.gui_xlib.close)
        self.target = create_window(self.gui_xlib, 70, 50, W, H, background=0x000000)

        self.domain = stack.enter_context(XcbConnection(domain_display))
        self.gui = stack.enter_context(XcbConnection(gui_display))
        self.buffer = stack.enter_context(WindowBuffer.create(W, H))
        self.segment = self.domain.attach_fd(self.buffer.fd, read_only=False)

        self.received = stack.enter_context(
            map_received_buffer(self.buffer.fd, width=W, height=H, stride=self.buffer.stride)
        )
        self.gui_segment = self.gui.attach_fd(self.received.fd, read_only=True)
        self.gui_gc = self.gui.create_gc(self.target.id)

    def buffer_pixels(self) -> np.ndarray:
        return pixel_values(self.received.map, W, H, self.buffer.stride) & 0xFFFFFF

    def put(self, x: int, y: int, width: int, height: int) -> None:
        self.gui.put_image(
            self.target.id, self.gui_gc, W, H, x, y, width, height, x, y, 24, self.gui_segment, 0
        )
        self.gui.sync()
        assert self.gui.poll_errors() == []

    def gui_pixels(self) -> np.ndarray:
        return read_pixels(self.target, 0, 0, W, H)


@pytest.fixture
def pipeline(xvfb_factory):
    domain_server = xvfb_factory(640, 480)
    gui_server = xvfb_factory(640, 480)
    with contextlib.ExitStack() as stack:
        yield Pipeline(stack, domain_server.display, gui_server.display, redirect=True)


pytestmark = pytest.mark.xserver


def test_full_window_reaches_second_server(pipeline):
    assert np.array_equal(read_pixels(pipeline.source, 0, 0, W, H), EXPECTED)

    captured = capture_damage(
        pipeline.domain, pipeline.source.id, (0, 0, W, H), pipeline.segment, W, H, pipeline.buffer.stride
    )
    assert captured == Rectangle(0, 0, W, H)
    assert np.array_equal(pipeline.buffer_pixels(), EXPECTED)

    pipeline.put(0, 0, W, H)
    assert np.array_equal(pipeline.gui_pixels(), EXPECTED)


def test_buffer_bytes_are_blue_green_red_unused(pipeline):
    capture_damage(pipeline.domain, pipeline.source.id, (0, 0, W, H), pipeline.segment, W, H, pipeline.buffer.stride)
    # Pixel (10, 10) is the first filled rectangle, 0xE53935.
    offset = 10 * pipeline.buffer.stride + 10 * 4
    assert pipeline.received.map[offset:offset + 4] == bytes((0x35, 0x39, 0xE5, 0x00))


def test_band_capture_lands_rectangle_in_frame_layout(pipeline):
    rect = Rectangle(75, 15, 70, 80)
    captured = capture_damage(pipeline.domain, pipeline.source.id, rect, pipeline.segment, W, H, pipeline.buffer.stride)
    assert captured == rect

    frame = pipeline.buffer_pixels()
    rows = slice(rect.y, rect.y + rect.height)
    assert np.array_equal(frame[rows], EXPECTED[rows])
    # Rows outside the rectangle's band are untouched.
    assert not frame[:rect.y].any()
    assert not frame[rect.y + rect.height:].any()


def test_frame_capture_lands_only_the_rectangle(pipeline):
    rect = Rectangle(75, 15, 70, 80)
    with FrameCapture(pipeline.domain, pipeline.segment, W, H, pipeline.buffer.stride) as capture:
        assert capture.capture(pipeline.source.id, rect) == rect

    frame = pipeline.buffer_pixels()
    expected = np.zeros_like(EXPECTED)
    expected[rect.y:rect.y + rect.height, rect.x:rect.x + rect.width] = \
        EXPECTED[rect.y:rect.y + rect.height, rect.x:rect.x + rect.width]
    assert np.array_equal(frame, expected)


def test_frame_capture_of_several_rectangles_clips_each(pipeline):
    rects = [(-10, -10, 30, 30), (180, 130, 50, 50), (300, 0, 10, 10), (5, 100, 10, 0)]
    with FrameCapture(pipeline.domain, pipeline.segment, W, H, pipeline.buffer.stride) as capture:
        captured = capture.capture_many(pipeline.source.id, rects)
    assert captured == [Rectangle(0, 0, 20, 20), Rectangle(180, 130, 20, 20)]

    frame = pipeline.buffer_pixels()
    assert np.array_equal(frame[0:20, 0:20], EXPECTED[0:20, 0:20])
    assert np.array_equal(frame[130:150, 180:200], EXPECTED[130:150, 180:200])
    assert not frame[20:130].any()


def test_sub_rectangle_put_changes_only_that_area(pipeline):
    capture_damage(pipeline.domain, pipeline.source.id, (0, 0, W, H), pipeline.segment, W, H, pipeline.buffer.stride)
    pipeline.put(20, 40, 100, 60)

    gui = pipeline.gui_pixels()
    expected = np.zeros_like(EXPECTED)
    expected[40:100, 20:120] = EXPECTED[40:100, 20:120]
    assert np.array_equal(gui, expected)


def test_partly_covered_window_is_captured_whole(pipeline):
    cover = create_window(pipeline.domain_xlib, 100, 80, 120, 90, background=0x00FF00)
    assert (read_pixels(pipeline.domain_xlib.screen().root, 100, 80, 1, 1) == 0x00FF00).all()

    with FrameCapture(pipeline.domain, pipeline.segment, W, H, pipeline.buffer.stride) as capture:
        capture.capture(pipeline.source.id, (0, 0, W, H))
    assert np.array_equal(pipeline.buffer_pixels(), EXPECTED)

    # The band capture reads through the same redirection.
    capture_damage(pipeline.domain, pipeline.source.id, (0, 0, W, H), pipeline.segment, W, H, pipeline.buffer.stride)
    assert np.array_equal(pipeline.buffer_pixels(), EXPECTED)

    pipeline.put(0, 0, W, H)
    assert np.array_equal(pipeline.gui_pixels(), EXPECTED)
    cover.destroy()


def test_covered_window_without_redirection_loses_covered_pixels(xvfb_factory):
    """Without Composite, GetImage returns undefined contents where another window covers the source.

    That is why the agent redirects its windows. Xvfb 21.1 returned black there.
    """
    domain_server = xvfb_factory(640, 480)
    gui_server = xvfb_factory(640, 480)
    with contextlib.ExitStack() as stack:
        pipeline = Pipeline(stack, domain_server.display, gui_server.display, redirect=False)
        create_window(pipeline.domain_xlib, 100, 80, 120, 90, background=0x00FF00)
        capture_damage(pipeline.domain, pipeline.source.id, (0, 0, W, H), pipeline.segment, W, H, pipeline.buffer.stride)

        # The cover spans x 60..179 and y 50..139 in the source window's coordinates.
        frame = pipeline.buffer_pixels()
        assert not np.array_equal(frame[50:140, 60:180], EXPECTED[50:140, 60:180])
        assert np.array_equal(frame[:50], EXPECTED[:50])


def test_capture_outside_buffer_sends_nothing(pipeline):
    stride = pipeline.buffer.stride
    assert capture_damage(pipeline.domain, 0x3FFFFF, (W, 0, 10, 10), pipeline.segment, W, H, stride) is None
    with FrameCapture(pipeline.domain, pipeline.segment, W, H, stride) as capture:
        assert capture.capture(0x3FFFFF, (0, -20, 10, 20)) is None


def test_capture_of_missing_window_raises(pipeline):
    stride = pipeline.buffer.stride
    with pytest.raises(XcbError, match="BadDrawable"):
        capture_damage(pipeline.domain, 0x3FFFFF, (0, 0, 10, 10), pipeline.segment, W, H, stride)
    with FrameCapture(pipeline.domain, pipeline.segment, W, H, stride) as capture:
        with pytest.raises(XcbError, match="BadDrawable .* from CopyArea"):
            capture.capture(0x3FFFFF, (0, 0, 10, 10))


def test_capture_rejects_stride_other_than_width(pipeline):
    with pytest.raises(ValueError, match="stride == width"):
        capture_damage(pipeline.domain, pipeline.source.id, (0, 0, 4, 4), pipeline.segment, W, H, W * 4 + 64)
    with pytest.raises(ValueError, match="stride == width"):
        FrameCapture(pipeline.domain, pipeline.segment, W, H, W * 4 + 64)


def test_frame_capture_rejects_unsupported_depth(pipeline):
    with pytest.raises(ValueError, match="depth 16"):
        FrameCapture(pipeline.domain, pipeline.segment, W, H, pipeline.buffer.stride, depth=16)


def test_frame_capture_larger_than_segment_raises(pipeline):
    with pytest.raises(XcbError) as caught:
        FrameCapture(pipeline.domain, pipeline.segment, W, H + 1, pipeline.buffer.stride)
    assert caught.value.minor_code == 5


def test_frame_capture_close_is_idempotent(pipeline):
    capture = FrameCapture(pipeline.domain, pipeline.segment, W, H, pipeline.buffer.stride)
    pixmap = capture.pixmap
    capture.close()
    capture.close()
    with pytest.raises(ValueError, match="closed"):
        capture.capture(pipeline.source.id, (0, 0, 1, 1))
    with pytest.raises(XcbError, match="BadPixmap"):
        pipeline.domain.free_pixmap(pixmap)


def test_frame_capture_unmapped_window(pipeline):
    pipeline.source.unmap()
    pipeline.domain_xlib.sync()
    with FrameCapture(pipeline.domain, pipeline.segment, W, H, pipeline.buffer.stride) as capture:
        assert capture.capture(pipeline.source.id, (0, 0, W, H)) == Rectangle(0, 0, W, H)
    assert not pipeline.buffer_pixels().any()

    with pytest.raises(XcbError, match="BadMatch"):
        capture_damage(pipeline.domain, pipeline.source.id, (0, 0, W, H), pipeline.segment, W, H, pipeline.buffer.stride)


def test_frame_capture_needs_the_window_depth(pipeline):
    xlib = pipeline.domain_xlib
    screen = xlib.screen()
    argb_visual = next(
        visual.visual_id
        for depth in screen.allowed_depths if depth.depth == 32
        for visual in depth.visuals
    )
    colormap = screen.root.create_colormap(argb_visual, 0)
    window = screen.root.create_window(
        300, 200, 64, 32, 0, 32, visual=argb_visual, colormap=colormap,
        border_pixel=0, background_pixel=0xFF336699, override_redirect=True,
    )
    window.map()
    xlib.sync()

    with FrameCapture(pipeline.domain, pipeline.segment, W, H, pipeline.buffer.stride) as capture:
        with pytest.raises(XcbError, match="BadMatch .* from CopyArea"):
            capture.capture(window.id, (0, 0, 64, 32))
    with FrameCapture(pipeline.domain, pipeline.segment, W, H, pipeline.buffer.stride, depth=32) as capture:
        capture.capture(window.id, (0, 0, 64, 32))

    # Depth-32 pixels keep their alpha in the fourth byte.
    values = pixel_values(pipeline.received.map, W, H, pipeline.buffer.stride)
    assert (values[:32, :64] == 0xFF336699).all()
    assert not values[32:].any()
    del values
