"""The libxcb MIT-SHM binding against real Xvfb servers: errors, ownership, argument checks."""

from __future__ import annotations

import os
import stat

import pytest

from shm.buffer import WindowBuffer
from shm.errors import ShmUnavailable, XcbConnectionError, XcbError
from shm.receive import map_received_buffer
from shm.xcb import XcbConnection

from .shm_support import open_fd_count, unused_display_name

pytestmark = pytest.mark.xserver

WIDTH, HEIGHT = 320, 240


@pytest.fixture
def xcb(xvfb_factory):
    server = xvfb_factory(WIDTH, HEIGHT)
    with XcbConnection(server.display) as connection:
        yield connection


@pytest.fixture
def attached(xcb):
    """A writable 320x240 buffer attached to the server: (buffer, segment)."""
    with WindowBuffer.create(WIDTH, HEIGHT) as buffer:
        yield buffer, xcb.attach_fd(buffer.fd, read_only=False)


def test_connect_to_missing_server_raises():
    display = unused_display_name()
    with pytest.raises(XcbConnectionError, match=f"cannot connect to X display '{display}': socket or stream error"):
        XcbConnection(display)


@pytest.mark.parametrize("display", ["no-colon", "::::", ":1.x"])
def test_connect_with_invalid_display_name_raises(display):
    with pytest.raises(XcbConnectionError, match="invalid display name") as caught:
        XcbConnection(display)
    assert caught.value.code == 5


def test_connect_to_missing_screen_raises(xvfb):
    with pytest.raises(XcbConnectionError, match="no such screen"):
        XcbConnection(xvfb.display + ".3")


def test_default_screen_attributes(xcb):
    assert xcb.root != 0
    assert xcb.root_depth == 24
    assert (xcb.screen_width, xcb.screen_height) == (WIDTH, HEIGHT)
    assert stat.S_ISSOCK(os.fstat(xcb.fileno()).st_mode)


def test_query_shm_version_supports_fd_passing(xcb):
    version = xcb.query_shm_version()
    assert (version.major, version.minor) >= (1, 2)
    assert xcb.query_shm_version() is version


def test_server_without_mit_shm_raises_shm_unavailable(xvfb_factory):
    server = xvfb_factory(64, 64, extra_args=["-extension", "MIT-SHM"])
    with XcbConnection(server.display) as xcb, WindowBuffer.create(8, 8) as buffer:
        with pytest.raises(ShmUnavailable, match="has no MIT-SHM extension"):
            xcb.query_shm_version()
        with pytest.raises(ShmUnavailable):
            xcb.attach_fd(buffer.fd, read_only=False)
        # The refusal happens before any MIT-SHM request, so the connection stays usable.
        xcb.sync()
        xcb.free_gc(xcb.create_gc(xcb.root))


def test_attach_fd_keeps_callers_fd(xcb):
    with WindowBuffer.create(8, 8) as buffer:
        before = open_fd_count()
        segment = xcb.attach_fd(buffer.fd, read_only=False)
        assert open_fd_count() == before
        xcb.detach(segment)
        os.fstat(buffer.fd)


def test_get_image_returns_bytes_written(xcb, attached):
    buffer, segment = attached
    assert xcb.get_image(xcb.root, 0, 0, WIDTH, HEIGHT, segment, 0) == buffer.size
    assert xcb.get_image(xcb.root, 10, 20, 30, 40, segment, 4096) == 30 * 40 * 4


def test_get_image_missing_drawable(xcb, attached):
    _, segment = attached
    with pytest.raises(XcbError) as caught:
        xcb.get_image(0x3FFFFF, 0, 0, 10, 10, segment, 0)
    error = caught.value
    assert error.name == "BadDrawable"
    assert error.error_code == 9
    assert error.resource_id == 0x3FFFFF
    assert error.minor_code == 4
    assert "BadDrawable (X error 9) from MIT-SHM GetImage" in str(error)


def test_get_image_outside_drawable_raises_bad_match(xcb, attached):
    _, segment = attached
    with pytest.raises(XcbError) as caught:
        xcb.get_image(xcb.root, WIDTH - 5, 0, 10, 10, segment, 0)
    assert caught.value.name == "BadMatch"


def test_get_image_past_segment_end_raises(xcb, attached):
    buffer, segment = attached
    with pytest.raises(XcbError) as caught:
        xcb.get_image(xcb.root, 0, 0, WIDTH, HEIGHT, segment, 4096)
    assert caught.value.name == "BadAccess"
    assert caught.value.minor_code == 4


def test_get_image_unknown_segment(xcb):
    xcb.query_shm_version()
    with pytest.raises(XcbError) as caught:
        xcb.get_image(xcb.root, 0, 0, 4, 4, 0x1FFFFF, 0)
    assert caught.value.name == "BadShmSeg"


def test_read_only_segment_put_only(xcb, attached):
    buffer, _ = attached
    with map_received_buffer(buffer.fd, width=WIDTH, height=HEIGHT, stride=buffer.stride) as received:
        with pytest.raises(XcbError) as caught:
            xcb.attach_fd(received.fd, read_only=False)
        assert caught.value.name == "BadAccess"

        segment = xcb.attach_fd(received.fd, read_only=True)
        with pytest.raises(XcbError) as caught:
            xcb.get_image(xcb.root, 0, 0, 8, 8, segment, 0)
        assert caught.value.name == "BadAccess"

        gc = xcb.create_gc(xcb.root)
        xcb.put_image(xcb.root, gc, WIDTH, HEIGHT, 0, 0, WIDTH, HEIGHT, 0, 0, 24, segment, 0)
        xcb.sync()
        assert xcb.poll_errors() == []
        xcb.detach(segment)


def test_put_image_errors_arrive_through_poll_errors(xcb, attached):
    _, segment = attached
    gc = xcb.create_gc(xcb.root)
    xcb.put_image(xcb.root, gc, WIDTH, HEIGHT, WIDTH - 10, 0, 20, 20, 0, 0, 24, segment, 0)
    xcb.put_image(xcb.root, gc, WIDTH, HEIGHT, 0, 0, 20, 20, 0, 0, 32, segment, 0)
    xcb.put_image(xcb.root, gc, WIDTH, HEIGHT, 0, 0, 20, 20, 0, 0, 24, segment, 0)
    xcb.sync()

    errors = xcb.poll_errors()
    assert [error.name for error in errors] == ["BadValue", "BadMatch"]
    assert all(error.minor_code == 3 for error in errors)
    assert "MIT-SHM PutImage" in str(errors[0])
    assert xcb.poll_errors() == []


def test_detach_unknown_segment_raises_bad_shm_seg(xcb, attached):
    _, segment = attached
    xcb.detach(segment)
    with pytest.raises(XcbError) as caught:
        xcb.detach(segment)
    assert caught.value.name == "BadShmSeg"
    assert caught.value.resource_id == segment


def test_free_unknown_gc_raises_bad_gcontext(xcb):
    gc = xcb.create_gc(xcb.root)
    xcb.free_gc(gc)
    with pytest.raises(XcbError) as caught:
        xcb.free_gc(gc)
    assert caught.value.name == "BadGContext"


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        ({"x": 32768}, "x 32768 is outside -32768..32767"),
        ({"y": -32769}, "y -32769 is outside -32768..32767"),
        ({"width": 0}, "width 0 is outside 1..65535"),
        ({"height": 65536}, "height 65536 is outside 1..65535"),
        ({"offset": -1}, "offset -1 is outside 0..4294967295"),
        ({"offset": 2**32}, "offset 4294967296 is outside 0..4294967295"),
        ({"segment": -1}, "segment -1 is outside 0..4294967295"),
        ({"drawable": 2**32}, "drawable 4294967296 is outside 0..4294967295"),
    ],
)
def test_get_image_argument_ranges(xcb, attached, arguments, message):
    _, segment = attached
    call = {"drawable": xcb.root, "x": 0, "y": 0, "width": 4, "height": 4, "segment": segment, "offset": 0}
    call.update(arguments)
    with pytest.raises(ValueError, match=message):
        xcb.get_image(**call)


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        ({"src_x": -1}, "src_x -1 is outside 0..65535"),
        ({"src_y": 65536}, "src_y 65536 is outside 0..65535"),
        ({"total_width": 70000}, "total_width 70000 is outside 1..65535"),
        ({"dst_x": 40000}, "dst_x 40000 is outside -32768..32767"),
        ({"dst_y": -40000}, "dst_y -40000 is outside -32768..32767"),
        ({"depth": 0}, "depth 0 is outside 1..32"),
        ({"gc": -5}, "gc -5 is outside 0..4294967295"),
    ],
)
def test_put_image_argument_ranges(xcb, attached, arguments, message):
    _, segment = attached
    call = {
        "drawable": xcb.root, "gc": 1, "total_width": WIDTH, "total_height": HEIGHT, "src_x": 0, "src_y": 0,
        "width": 4, "height": 4, "dst_x": 0, "dst_y": 0, "depth": 24, "segment": segment, "offset": 0,
    }
    call.update(arguments)
    with pytest.raises(ValueError, match=message):
        xcb.put_image(**call)
    xcb.sync()
    assert xcb.poll_errors() == []


def test_non_integer_arguments_raise_type_error(xcb, attached):
    _, segment = attached
    with pytest.raises(TypeError):
        xcb.get_image(xcb.root, 0.0, 0, 4, 4, segment, 0)
    with pytest.raises(TypeError):
        xcb.attach_fd("3", read_only=True)


def test_attach_fd_rejects_negative_fd(xcb):
    with pytest.raises(ValueError, match="fd -1 is outside"):
        xcb.attach_fd(-1, read_only=True)


def test_lost_server_raises_connection_error(xvfb_factory):
    server = xvfb_factory(64, 64)
    xcb = XcbConnection(server.display)
    server.stop()
    with pytest.raises(XcbConnectionError, match="broke: socket or stream error"):
        xcb.sync()
    with pytest.raises(XcbConnectionError):
        xcb.create_gc(xcb.root)
    xcb.close()


def test_close_is_idempotent_and_final(xvfb):
    xcb = XcbConnection(xvfb.display)
    xcb.close()
    xcb.close()
    assert xcb.closed
    with pytest.raises(ValueError, match="is closed"):
        xcb.sync()
    with pytest.raises(ValueError, match="is closed"):
        xcb.fileno()
