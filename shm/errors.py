"""Exceptions raised by the shared-buffer package and its libxcb binding."""

from __future__ import annotations

# Core X11 error codes (X Window System Protocol, section "Errors"), for messages.
CORE_ERROR_NAMES = {
    1: "BadRequest",
    2: "BadValue",
    3: "BadWindow",
    4: "BadPixmap",
    5: "BadAtom",
    6: "BadCursor",
    7: "BadFont",
    8: "BadMatch",
    9: "BadDrawable",
    10: "BadAccess",
    11: "BadAlloc",
    12: "BadColormap",
    13: "BadGContext",
    14: "BadIDChoice",
    15: "BadName",
    16: "BadLength",
    17: "BadImplementation",
}


class BufferRejected(Exception):
    """A buffer announced by a domain failed a check before it was mapped.

    Raised by ``shm.receive`` and ``shm.region``. The daemon treats it as a
    protocol violation and ends that domain's session. ``reason`` names the
    check and the numbers involved; it never contains domain-supplied text.
    """

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class RegionFull(Exception):
    """The shared region has no free range large enough for a requested buffer."""


class FdPassingError(Exception):
    """Fds attached to a socket message were lost, or more arrived than expected.

    Raised by ``shm.fdpass.receive_with_fds``; every fd that did arrive with the
    message has been closed.
    """


class XcbError(Exception):
    """An X protocol error, or a libxcb call that failed without breaking the connection.

    ``error_code``, ``major_code``, ``minor_code`` and ``resource_id`` are the fields
    of the X error. They are 0 when libxcb failed without an X error, for example for
    a request that got neither a reply nor an error. ``name`` is the error's name,
    such as ``BadDrawable``, when it is known.
    """

    def __init__(
        self,
        message: str,
        *,
        error_code: int = 0,
        major_code: int = 0,
        minor_code: int = 0,
        resource_id: int = 0,
        sequence: int = 0,
        name: str = "",
    ) -> None:
        super().__init__(message)
        self.error_code = error_code
        self.major_code = major_code
        self.minor_code = minor_code
        self.resource_id = resource_id
        self.sequence = sequence
        self.name = name


class ShmUnavailable(Exception):
    """The X server lacks MIT-SHM, or its version is older than 1.2 (no fd passing).

    The binding needs ``ShmAttachFd`` from MIT-SHM 1.2; without it no buffer can
    be shared with that server.
    """


class XcbConnectionError(Exception):
    """The connection to the X server could not be made or has broken.

    Raised for a missing server, an invalid display name or screen, and for a
    connection that libxcb has shut down (server gone, protocol error). The
    connection cannot be used afterwards; ``code`` is libxcb's
    ``xcb_connection_has_error`` value.
    """

    def __init__(self, message: str, code: int = 0) -> None:
        super().__init__(message)
        self.code = code
