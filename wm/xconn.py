"""The window manager's X connection: opening it, its error handler, colours.

X errors of asynchronous requests arrive later than the request, often for a
window that a client destroyed between the event the window manager handled
and the request it sent. Those races are normal in a window manager and are
logged at debug; every other error is logged at warning. No X error ends the
window manager.
"""

from __future__ import annotations

import logging

from Xlib import X, display as xdisplay
from Xlib import error as xerror

from .labels import rgb_to_components

logger = logging.getLogger(__name__)

# Errors that mean "the window went away before this request reached the server".
EXPECTED_RACE_ERRORS = (xerror.BadWindow, xerror.BadDrawable)


class XErrorLog:
    """The display's error handler: logs each asynchronous X error and counts them."""

    def __init__(self) -> None:
        self.expected_races = 0
        self.other_errors = 0

    def __call__(self, error, request) -> None:
        major = getattr(error, "major_opcode", 0)
        resource = getattr(error, "resource_id", 0)
        # python-xlib gives the resource as a Resource object for some error classes.
        resource = getattr(resource, "id", resource)
        if isinstance(error, EXPECTED_RACE_ERRORS):
            self.expected_races += 1
            logger.debug("X error %s (request %d) for resource 0x%x: it is gone",
                         type(error).__name__, major, resource)
        else:
            self.other_errors += 1
            logger.warning("X error %s (request %d) for resource 0x%x",
                           type(error).__name__, major, resource)


def open_display(name: str) -> xdisplay.Display:
    """Connect to display ``name`` and install the logging error handler.

    Raises Xlib.error.DisplayError when the display cannot be opened.
    """
    display = xdisplay.Display(name)
    # python-xlib 0.33: the RANDR and DAMAGE modules register their errors at raw
    # codes 0..2 and so hide the core BadRequest and BadValue; put those back.
    error_classes = display.display.error_classes
    error_classes[1] = xerror.BadRequest
    error_classes[2] = xerror.BadValue
    display.set_error_handler(XErrorLog())
    return display


class Palette:
    """Pixel values of 0xRRGGBB colours on the default colormap, allocated once each."""

    def __init__(self, colormap) -> None:
        self._colormap = colormap
        self._pixels: dict[int, int] = {}

    def pixel(self, rgb: int) -> int:
        pixel = self._pixels.get(rgb)
        if pixel is None:
            red, green, blue = rgb_to_components(rgb)
            pixel = self._colormap.alloc_color(red * 257, green * 257, blue * 257).pixel
            self._pixels[rgb] = pixel
        return pixel


def is_expected_race(exc: xerror.XError) -> bool:
    return isinstance(exc, EXPECTED_RACE_ERRORS)


def log_request_error(exc: xerror.XError, what: str, window_id: int) -> None:
    """Log an error raised by a request with a reply: races at debug, others at warning."""
    if is_expected_race(exc):
        logger.debug("%s for window 0x%x failed: %s (it is gone)", what, window_id, type(exc).__name__)
    else:
        logger.warning("%s for window 0x%x failed: %s", what, window_id, type(exc).__name__)


def queued_events(display: xdisplay.Display) -> int:
    """Return how many events python-xlib 0.33 has already read, without reading the socket.

    ``flush()`` and round trips read whatever the server sent into this queue,
    where a select on the socket cannot see it.
    """
    return len(display.display.event_queue)


def has_unsent_requests(display: xdisplay.Display) -> bool:
    """Return True when python-xlib 0.33 has requests that ``flush()`` would send."""
    connection = display.display
    return bool(connection.request_queue or connection.data_send)


def event_time(event) -> int:
    """Return the timestamp of an X event, or CurrentTime for events without one."""
    return getattr(event, "time", X.CurrentTime)
