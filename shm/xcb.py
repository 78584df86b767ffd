"""A small libxcb binding for MIT-SHM: attach an fd, get and put images through it.

The binding is cffi's out-of-line API mode (``shm/_xcb_shm_build.py``), so the C
compiler checks every declaration against the xcb headers. Each C call is checked
where it is made: replies and errors are freed, X errors become XcbError, a broken
connection becomes XcbConnectionError. Python arguments are range-checked before
they reach C, because X carries positions as int16 and sizes as uint16, and cffi
would otherwise raise OverflowError or, for some types, wrap.
"""

from __future__ import annotations

import logging
import operator
import os
from typing import NamedTuple

from ._xcb_shm import ffi, lib
from .errors import CORE_ERROR_NAMES, ShmUnavailable, XcbConnectionError, XcbError

logger = logging.getLogger(__name__)

INT16_RANGE = (-0x8000, 0x7FFF)
UINT16_RANGE = (0, 0xFFFF)
UINT32_RANGE = (0, 0xFFFF_FFFF)

# Sizes of a request: X allows 0 in some requests, but an empty image is always a caller error.
IMAGE_SIZE_RANGE = (1, 0xFFFF)

ALL_PLANES = 0xFFFF_FFFF

# MIT-SHM 1.2 added ShmAttachFd, the only way this binding attaches memory.
REQUIRED_SHM_VERSION = (1, 2)

# xcb_generate_id returns -1 (as uint32) once the connection has an error.
_INVALID_ID = 0xFFFF_FFFF

# Requests this binding sends, for error messages: core major codes and MIT-SHM minor codes.
_CORE_REQUEST_NAMES = {43: "GetInputFocus", 54: "FreePixmap", 55: "CreateGC", 60: "FreeGC", 62: "CopyArea"}
_SHM_REQUEST_NAMES = {
    0: "QueryVersion", 1: "Attach", 2: "Detach", 3: "PutImage",
    4: "GetImage", 5: "CreatePixmap", 6: "AttachFd", 7: "CreateSegment",
}

_CONNECTION_ERROR_REASONS = {
    lib.XCB_CONN_ERROR: "socket or stream error (no server on that display, or it went away)",
    lib.XCB_CONN_CLOSED_EXT_NOTSUPPORTED: "a request needed an extension the server lacks",
    lib.XCB_CONN_CLOSED_MEM_INSUFFICIENT: "libxcb ran out of memory",
    lib.XCB_CONN_CLOSED_REQ_LEN_EXCEED: "a request exceeded the server's maximum request length",
    lib.XCB_CONN_CLOSED_PARSE_ERR: "invalid display name",
    lib.XCB_CONN_CLOSED_INVALID_SCREEN: "the server has no such screen",
    lib.XCB_CONN_CLOSED_FDPASSING_FAILED: "passing an fd to the server failed",
}


class ShmVersion(NamedTuple):
    """The server's MIT-SHM version and capabilities."""

    major: int
    minor: int
    shared_pixmaps: bool
    pixmap_format: int


def check_int(name: str, value: int, bounds: tuple[int, int]) -> int:
    """Return ``value`` as an int if it lies within ``bounds`` (inclusive).

    Raises TypeError for a non-integer and ValueError outside the bounds.
    """
    value = operator.index(value)
    low, high = bounds
    if not low <= value <= high:
        raise ValueError(f"{name} {value} is outside {low}..{high}, the range of its X protocol field")
    return value


class XcbConnection:
    """One connection to an X server, for MIT-SHM transfers.

    Attributes of the default screen: ``root`` (window id), ``root_depth``,
    ``root_visual``, ``screen_width`` and ``screen_height`` in pixels. The
    connection is not thread-safe as used here; use one per thread.
    """

    def __init__(self, display: str | None = None) -> None:
        """Connect to ``display`` (``$DISPLAY`` when None).

        Raises XcbConnectionError when no server listens there or the name is invalid.
        """
        self.display = display if display is not None else os.environ.get("DISPLAY", "")
        self._connection = ffi.NULL
        self._shm_version: ShmVersion | None = None
        self._shm_major_opcode = -1
        self._shm_first_error = -1
        # One reusable slot for the error pointer of reply functions.
        self._error_slot = ffi.new("xcb_generic_error_t **")

        screen_number = ffi.new("int *")
        name = ffi.NULL if display is None else display.encode()
        connection = lib.xcb_connect(name, screen_number)
        if connection == ffi.NULL:
            raise XcbConnectionError(f"cannot connect to X display {self.display!r}: libxcb returned no connection")
        code = lib.xcb_connection_has_error(connection)
        if code:
            # xcb_disconnect is defined for failed connections too and frees them.
            lib.xcb_disconnect(connection)
            reason = _CONNECTION_ERROR_REASONS.get(code, f"libxcb error {code}")
            raise XcbConnectionError(f"cannot connect to X display {self.display!r}: {reason}", code)
        self._connection = connection

        iterator = lib.xcb_setup_roots_iterator(lib.xcb_get_setup(connection))
        for _ in range(screen_number[0]):
            lib.xcb_screen_next(ffi.addressof(iterator))
        if iterator.rem <= 0 or iterator.data == ffi.NULL:
            self.close()
            raise XcbConnectionError(
                f"X display {self.display!r} has no screen {screen_number[0]}",
                lib.XCB_CONN_CLOSED_INVALID_SCREEN,
            )
        screen = iterator.data
        self.screen_number = screen_number[0]
        self.root = screen.root
        self.root_depth = screen.root_depth
        self.root_visual = screen.root_visual
        self.screen_width = screen.width_in_pixels
        self.screen_height = screen.height_in_pixels

    # -- MIT-SHM --------------------------------------------------------------------

    def query_shm_version(self) -> ShmVersion:
        """Return the server's MIT-SHM version; the result is cached.

        Raises ShmUnavailable when the server lacks MIT-SHM or its version is below
        1.2, which has no fd passing.
        """
        if self._shm_version is not None:
            return self._shm_version
        connection = self._require_open()

        # Asking for the extension first keeps libxcb from shutting the connection
        # down, which it does when an extension request goes to a server without it.
        extension = lib.xcb_get_extension_data(connection, ffi.addressof(lib, "xcb_shm_id"))
        if extension == ffi.NULL:
            self._check_connection()
            raise XcbError("QueryExtension for MIT-SHM got no reply")
        if not extension.present:
            raise ShmUnavailable(f"X server on display {self.display!r} has no MIT-SHM extension")
        self._shm_major_opcode = extension.major_opcode
        self._shm_first_error = extension.first_error

        cookie = lib.xcb_shm_query_version(connection)
        reply = lib.xcb_shm_query_version_reply(connection, cookie, self._clear_error_slot())
        if reply == ffi.NULL:
            self._raise_reply_failure("MIT-SHM QueryVersion")
        try:
            version = ShmVersion(
                reply.major_version, reply.minor_version, bool(reply.shared_pixmaps), reply.pixmap_format
            )
        finally:
            lib.free(reply)

        if (version.major, version.minor) < REQUIRED_SHM_VERSION:
            raise ShmUnavailable(
                f"X server on display {self.display!r} has MIT-SHM {version.major}.{version.minor}; "
                f"fd passing needs {REQUIRED_SHM_VERSION[0]}.{REQUIRED_SHM_VERSION[1]}"
            )
        self._shm_version = version
        return version

    def attach_fd(self, fd: int, read_only: bool) -> int:
        """Attach a duplicate of ``fd`` to the server as a new segment and return its id.

        libxcb closes the fd it sends, so the binding passes ``os.dup(fd)`` and the
        caller keeps ``fd``. A read-only fd needs ``read_only=True``, or the server
        returns BadAccess. Raises XcbError when the server rejects it.
        """
        connection = self._require_shm()
        fd = check_int("fd", fd, (0, 0x7FFF_FFFF))
        segment = self._generate_id()
        duplicate = os.dup(fd)
        # From here libxcb owns the duplicate and closes it, also when sending fails.
        cookie = lib.xcb_shm_attach_fd_checked(connection, segment, duplicate, 1 if read_only else 0)
        self._check_void_request(cookie, "MIT-SHM AttachFd")
        return segment

    def detach(self, segment: int) -> None:
        """Detach a segment; the server unmaps its memory. Raises XcbError for an unknown segment."""
        connection = self._require_shm()
        segment = check_int("segment", segment, UINT32_RANGE)
        cookie = lib.xcb_shm_detach_checked(connection, segment)
        self._check_void_request(cookie, "MIT-SHM Detach")

    def get_image(
        self, drawable: int, x: int, y: int, width: int, height: int, segment: int, offset: int
    ) -> int:
        """Copy a rectangle of ``drawable`` into ``segment`` at ``offset`` and return the bytes written.

        The image is ZPixmap with all planes, written *packed*: rows of
        ``width * 4`` bytes at depth 24/32 bpp, one after another from ``offset``.
        The call waits for the reply. Raises XcbError (BadDrawable, BadMatch for a
        rectangle outside the drawable, BadValue for a segment too small, ...).
        """
        connection = self._require_shm()
        drawable = check_int("drawable", drawable, UINT32_RANGE)
        x = check_int("x", x, INT16_RANGE)
        y = check_int("y", y, INT16_RANGE)
        width = check_int("width", width, IMAGE_SIZE_RANGE)
        height = check_int("height", height, IMAGE_SIZE_RANGE)
        segment = check_int("segment", segment, UINT32_RANGE)
        offset = check_int("offset", offset, UINT32_RANGE)

        cookie = lib.xcb_shm_get_image(
            connection, drawable, x, y, width, height, ALL_PLANES,
            lib.XCB_IMAGE_FORMAT_Z_PIXMAP, segment, offset,
        )
        reply = lib.xcb_shm_get_image_reply(connection, cookie, self._clear_error_slot())
        if reply == ffi.NULL:
            self._raise_reply_failure("MIT-SHM GetImage")
        try:
            return reply.size
        finally:
            lib.free(reply)

    def put_image(
        self,
        drawable: int,
        gc: int,
        total_width: int,
        total_height: int,
        src_x: int,
        src_y: int,
        width: int,
        height: int,
        dst_x: int,
        dst_y: int,
        depth: int,
        segment: int,
        offset: int,
    ) -> None:
        """Draw a rectangle of the image in ``segment`` onto ``drawable``, without waiting.

        The segment contains a ZPixmap of ``total_width`` x ``total_height`` from
        ``offset``; the rectangle at (``src_x``, ``src_y``) of ``width`` x ``height``
        lands at (``dst_x``, ``dst_y``). No completion event is requested. The
        request is unchecked: its X errors arrive later and ``poll_errors()``
        returns them.
        """
        connection = self._require_shm()
        arguments = (
            check_int("drawable", drawable, UINT32_RANGE),
            check_int("gc", gc, UINT32_RANGE),
            check_int("total_width", total_width, IMAGE_SIZE_RANGE),
            check_int("total_height", total_height, IMAGE_SIZE_RANGE),
            check_int("src_x", src_x, UINT16_RANGE),
            check_int("src_y", src_y, UINT16_RANGE),
            check_int("width", width, IMAGE_SIZE_RANGE),
            check_int("height", height, IMAGE_SIZE_RANGE),
            check_int("dst_x", dst_x, INT16_RANGE),
            check_int("dst_y", dst_y, INT16_RANGE),
            check_int("depth", depth, (1, 32)),
            lib.XCB_IMAGE_FORMAT_Z_PIXMAP,
            0,  # send_event: no ShmCompletion event
            check_int("segment", segment, UINT32_RANGE),
            check_int("offset", offset, UINT32_RANGE),
        )
        lib.xcb_shm_put_image(connection, *arguments)
        self._check_connection()

    def create_shm_pixmap(
        self, drawable: int, width: int, height: int, depth: int, segment: int, offset: int
    ) -> int:
        """Create a pixmap whose pixels are the memory of ``segment`` from ``offset`` and return its id.

        Drawing into the pixmap writes straight into the shared buffer, in rows of
        the server's pixmap pitch (``width * 4`` bytes at 32 bits per pixel).
        ``drawable`` selects the screen. Raises ShmUnavailable when the server has
        no shared pixmaps, XcbError when it rejects the request (BadValue for a
        segment too small, BadMatch for an unsupported depth).
        """
        connection = self._require_shm()
        if not self._shm_version.shared_pixmaps:
            raise ShmUnavailable(f"X server on display {self.display!r} does not support MIT-SHM pixmaps")
        drawable = check_int("drawable", drawable, UINT32_RANGE)
        width = check_int("width", width, IMAGE_SIZE_RANGE)
        height = check_int("height", height, IMAGE_SIZE_RANGE)
        depth = check_int("depth", depth, (1, 32))
        segment = check_int("segment", segment, UINT32_RANGE)
        offset = check_int("offset", offset, UINT32_RANGE)
        pixmap = self._generate_id()
        cookie = lib.xcb_shm_create_pixmap_checked(connection, pixmap, drawable, width, height, depth, segment, offset)
        self._check_void_request(cookie, "MIT-SHM CreatePixmap")
        return pixmap

    # -- core requests -------------------------------------------------------------

    def create_gc(self, drawable: int, include_inferiors: bool = False) -> int:
        """Create a graphics context for ``drawable`` with graphics exposures off and return its id.

        Without exposures off, every put_image or copy would generate a NoExposure
        event. ``include_inferiors`` makes copies from a window include its child
        windows, as GetImage does.
        """
        connection = self._require_open()
        drawable = check_int("drawable", drawable, UINT32_RANGE)
        gc = self._generate_id()
        # Values go in the order of their mask bits: SUBWINDOW_MODE (bit 15) before GRAPHICS_EXPOSURES (bit 16).
        mask = lib.XCB_GC_GRAPHICS_EXPOSURES
        values = [0]
        if include_inferiors:
            mask |= lib.XCB_GC_SUBWINDOW_MODE
            values.insert(0, lib.XCB_SUBWINDOW_MODE_INCLUDE_INFERIORS)
        value_list = ffi.new("uint32_t[]", values)
        cookie = lib.xcb_create_gc_checked(connection, gc, drawable, mask, value_list)
        self._check_void_request(cookie, "CreateGC")
        return gc

    def free_gc(self, gc: int) -> None:
        """Free a graphics context made by ``create_gc``. Raises XcbError for an unknown one."""
        connection = self._require_open()
        gc = check_int("gc", gc, UINT32_RANGE)
        cookie = lib.xcb_free_gc_checked(connection, gc)
        self._check_void_request(cookie, "FreeGC")

    def free_pixmap(self, pixmap: int) -> None:
        """Free a pixmap. Raises XcbError for an unknown one."""
        connection = self._require_open()
        pixmap = check_int("pixmap", pixmap, UINT32_RANGE)
        cookie = lib.xcb_free_pixmap_checked(connection, pixmap)
        self._check_void_request(cookie, "FreePixmap")

    def copy_rectangles(self, source: int, destination: int, gc: int, rectangles) -> None:
        """Copy each (x, y, width, height) rectangle of ``source`` to the same place in ``destination``.

        The copies are checked together with one round trip, so when this returns
        the server has finished them. Raises XcbError for the first one it
        rejected (BadDrawable, BadMatch for drawables of different depths).
        """
        connection = self._require_open()
        source = check_int("source", source, UINT32_RANGE)
        destination = check_int("destination", destination, UINT32_RANGE)
        gc = check_int("gc", gc, UINT32_RANGE)
        checked = [
            (
                check_int("x", x, INT16_RANGE),
                check_int("y", y, INT16_RANGE),
                check_int("width", width, IMAGE_SIZE_RANGE),
                check_int("height", height, IMAGE_SIZE_RANGE),
            )
            for x, y, width, height in rectangles
        ]
        cookies = [
            lib.xcb_copy_area_checked(connection, source, destination, gc, x, y, x, y, width, height)
            for x, y, width, height in checked
        ]
        # The first check waits for one round trip, after which the server has replied to all.
        first_error = None
        for cookie in cookies:
            error = lib.xcb_request_check(connection, cookie)
            if error != ffi.NULL:
                if first_error is None:
                    first_error = self._make_error(error, "CopyArea")
                lib.free(error)
        if first_error is not None:
            raise first_error
        self._check_connection()

    def sync(self) -> None:
        """Wait until the server has processed every request sent so far.

        Afterwards ``poll_errors()`` returns the errors of all earlier unchecked
        requests, and other clients see their effects.
        """
        connection = self._require_open()
        cookie = lib.xcb_get_input_focus(connection)
        reply = lib.xcb_get_input_focus_reply(connection, cookie, self._clear_error_slot())
        if reply == ffi.NULL:
            self._raise_reply_failure("GetInputFocus")
        lib.free(reply)

    def poll_errors(self) -> list[XcbError]:
        """Return the X errors of unchecked requests (put_image) queued so far, oldest first.

        Reads only what has already arrived; call ``sync()`` first to collect the
        errors of every request sent. Other events are dropped: this connection
        selects none, so any that arrive are logged at debug level.
        """
        connection = self._require_open()
        errors: list[XcbError] = []
        while True:
            event = lib.xcb_poll_for_event(connection)
            if event == ffi.NULL:
                break
            try:
                if event.response_type == 0:
                    errors.append(self._make_error(ffi.cast("xcb_generic_error_t *", event), None))
                else:
                    logger.debug("dropping X event type %d", event.response_type & 0x7F)
            finally:
                lib.free(event)
        self._check_connection()
        return errors

    def flush(self) -> None:
        """Send every buffered request. Raises XcbConnectionError when the connection broke."""
        connection = self._require_open()
        if lib.xcb_flush(connection) <= 0:
            self._check_connection()
            raise XcbConnectionError(f"flushing requests to X display {self.display!r} failed")

    def fileno(self) -> int:
        """Return the connection's socket fd, for select/poll; libxcb owns it."""
        return lib.xcb_get_file_descriptor(self._require_open())

    def close(self) -> None:
        """Disconnect; the server frees this connection's segments and GCs. Idempotent."""
        if self._connection != ffi.NULL:
            lib.xcb_disconnect(self._connection)
            self._connection = ffi.NULL

    @property
    def closed(self) -> bool:
        return self._connection == ffi.NULL

    def __enter__(self) -> XcbConnection:
        return self

    def __exit__(self, *exc_info) -> None:
        self.close()

    # -- checks and error conversion ----------------------------------------------

    def _require_open(self):
        if self._connection == ffi.NULL:
            raise ValueError(f"XcbConnection to {self.display!r} is closed")
        return self._connection

    def _require_shm(self):
        # Every MIT-SHM request needs the version check first; see query_shm_version.
        if self._shm_version is None:
            self.query_shm_version()
        return self._require_open()

    def _generate_id(self) -> int:
        new_id = lib.xcb_generate_id(self._connection)
        if new_id == _INVALID_ID:
            self._check_connection()
            raise XcbError("xcb_generate_id failed: the connection has no free resource ids")
        return new_id

    def _clear_error_slot(self):
        self._error_slot[0] = ffi.NULL
        return self._error_slot

    def _check_connection(self) -> None:
        code = lib.xcb_connection_has_error(self._connection)
        if code:
            reason = _CONNECTION_ERROR_REASONS.get(code, f"libxcb error {code}")
            raise XcbConnectionError(f"connection to X display {self.display!r} broke: {reason}", code)

    def _check_void_request(self, cookie, request_name: str) -> None:
        error = lib.xcb_request_check(self._connection, cookie)
        if error != ffi.NULL:
            try:
                raise self._make_error(error, request_name)
            finally:
                lib.free(error)
        # xcb_request_check also returns NULL when the connection broke.
        self._check_connection()

    def _raise_reply_failure(self, request_name: str):
        error = self._error_slot[0]
        if error != ffi.NULL:
            self._error_slot[0] = ffi.NULL
            try:
                raise self._make_error(error, request_name)
            finally:
                lib.free(error)
        self._check_connection()
        raise XcbError(f"{request_name} got neither a reply nor an error")

    def _make_error(self, error, request_name: str | None) -> XcbError:
        """Copy an X error into an XcbError; the caller frees ``error``."""
        code = error.error_code
        major = error.major_code
        minor = error.minor_code
        if self._shm_first_error >= 0 and code == self._shm_first_error:
            name = "BadShmSeg"
        else:
            name = CORE_ERROR_NAMES.get(code, f"error {code}")
        if request_name is None:
            request_name = self._request_name(major, minor)
        message = (
            f"{name} (X error {code}) from {request_name} (major {major}, minor {minor}) "
            f"on resource {error.resource_id:#x}, display {self.display!r}"
        )
        return XcbError(
            message,
            error_code=code,
            major_code=major,
            minor_code=minor,
            resource_id=error.resource_id,
            sequence=error.sequence,
            name=name,
        )

    def _request_name(self, major: int, minor: int) -> str:
        if major == self._shm_major_opcode:
            return "MIT-SHM " + _SHM_REQUEST_NAMES.get(minor, f"request {minor}")
        return _CORE_REQUEST_NAMES.get(major, f"request {major}")
