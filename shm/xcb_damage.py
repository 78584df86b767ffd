"""DAMAGE objects and their events on an ``XcbConnection``.

The agent captures windows on an ``XcbConnection``. Creating, subtracting and
reading damage on that same connection orders each subtract before the
capture that follows it, because the X server runs one connection's requests
in order. That makes the DeltaRectangles report level safe: the server reports
only areas newly added to a damage region, so a window redrawn a hundred times
between two captures costs one event, not a hundred. The agent subtracts the
whole region right before capturing. Drawing after the subtract produces a new
event, so nothing drawn after a capture is lost.

Requests here are unchecked. Their errors (BadDamage or BadWindow when a window
vanished first) arrive with the events and ``poll`` returns them.
"""

from __future__ import annotations

import logging
from typing import NamedTuple

from ._xcb_shm import ffi, lib
from .errors import XcbError
from .xcb import UINT32_RANGE, XcbConnection, check_int

logger = logging.getLogger(__name__)

# The version this binding requests; Xvfb 21.1 replies 1.1 even when asked for more.
REQUIRED_DAMAGE_VERSION = (1, 1)

REPORT_RAW_RECTANGLES = lib.XCB_DAMAGE_REPORT_LEVEL_RAW_RECTANGLES
REPORT_DELTA_RECTANGLES = lib.XCB_DAMAGE_REPORT_LEVEL_DELTA_RECTANGLES

_XCB_NONE = 0


class DamageUnavailable(XcbError):
    """The X server has no DAMAGE extension, or one older than 1.1."""


class DamageNotify(NamedTuple):
    """One DamageNotify: ``drawable`` got the rectangle (x, y, width, height) damaged."""

    drawable: int
    damage: int
    x: int
    y: int
    width: int
    height: int


class XcbDamage:
    """Damage objects of one ``XcbConnection`` and the events they send."""

    def __init__(self, xcb: XcbConnection) -> None:
        """Check the server's DAMAGE version; raises DamageUnavailable without DAMAGE 1.1."""
        self.xcb = xcb
        connection = xcb._require_open()
        # Asking for the extension first keeps libxcb from shutting the connection down,
        # which it does when an extension request goes to a server without it.
        extension = lib.xcb_get_extension_data(connection, ffi.addressof(lib, "xcb_damage_id"))
        if extension == ffi.NULL:
            xcb._check_connection()
            raise XcbError("QueryExtension for DAMAGE got no reply")
        if not extension.present:
            raise DamageUnavailable(f"X server on display {xcb.display!r} has no DAMAGE extension")
        self.notify_type = extension.first_event + lib.XCB_DAMAGE_NOTIFY
        self.first_error = extension.first_error
        # The server rejects DamageCreate with BadRequest until the version was negotiated.
        cookie = lib.xcb_damage_query_version(connection, *REQUIRED_DAMAGE_VERSION)
        reply = lib.xcb_damage_query_version_reply(connection, cookie, xcb._clear_error_slot())
        if reply == ffi.NULL:
            xcb._raise_reply_failure("DAMAGE QueryVersion")
        try:
            version = (reply.major_version, reply.minor_version)
        finally:
            lib.free(reply)
        if version < REQUIRED_DAMAGE_VERSION:
            raise DamageUnavailable(f"X server on display {xcb.display!r} has DAMAGE {version[0]}.{version[1]}; "
                                    f"the agent needs {REQUIRED_DAMAGE_VERSION[0]}.{REQUIRED_DAMAGE_VERSION[1]}")

    def create(self, drawable: int, level: int = REPORT_DELTA_RECTANGLES) -> int:
        """Create a damage object on ``drawable`` and return its id (unchecked)."""
        drawable = check_int("drawable", drawable, UINT32_RANGE)
        if level not in (REPORT_RAW_RECTANGLES, REPORT_DELTA_RECTANGLES):
            raise ValueError(f"report level {level} is not RawRectangles or DeltaRectangles; "
                             "the other levels carry no rectangles")
        damage = self.xcb._generate_id()
        lib.xcb_damage_create(self.xcb._require_open(), damage, drawable, level)
        return damage

    def destroy(self, damage: int) -> None:
        """Destroy a damage object (unchecked: one whose window is gone gives a BadDamage error)."""
        damage = check_int("damage", damage, UINT32_RANGE)
        lib.xcb_damage_destroy(self.xcb._require_open(), damage)

    def subtract_all(self, damage: int) -> None:
        """Empty the damage region, so the next drawing sends a new event (unchecked)."""
        damage = check_int("damage", damage, UINT32_RANGE)
        lib.xcb_damage_subtract(self.xcb._require_open(), damage, _XCB_NONE, _XCB_NONE)

    def poll(self, read_socket: bool = True) -> tuple[list[DamageNotify], list[XcbError]]:
        """Return the DamageNotify events and X errors received so far, oldest first.

        With ``read_socket`` false, only events that libxcb already read (during
        round trips) are returned. Otherwise the socket is read too, without
        blocking. Other events are dropped at debug level.
        """
        connection = self.xcb._require_open()
        poll_function = lib.xcb_poll_for_event if read_socket else lib.xcb_poll_for_queued_event
        notifications: list[DamageNotify] = []
        errors: list[XcbError] = []
        while True:
            event = poll_function(connection)
            if event == ffi.NULL:
                break
            try:
                kind = event.response_type & 0x7F
                if kind == self.notify_type:
                    notify = ffi.cast("xcb_damage_notify_event_t *", event)
                    area = notify.area
                    notifications.append(DamageNotify(notify.drawable, notify.damage, area.x, area.y,
                                                      area.width, area.height))
                elif event.response_type == 0:
                    errors.append(self.xcb._make_error(ffi.cast("xcb_generic_error_t *", event), None))
                else:
                    logger.debug("dropping X event type %d", kind)
            finally:
                lib.free(event)
        self.xcb._check_connection()
        return notifications, errors

