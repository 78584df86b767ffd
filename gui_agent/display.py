"""The agent's python-xlib connection to the domain's X server.

Opening the display also works around two python-xlib 0.33 bugs and checks that
the extensions the agent depends on are present. X errors are asynchronous: the
error handler installed here logs them instead of letting python-xlib print or
raise them from an unrelated call.
"""

from __future__ import annotations

import logging

from Xlib import X, error
from Xlib import display as xdisplay

logger = logging.getLogger(__name__)

REQUIRED_EXTENSIONS = ("Composite", "DAMAGE", "XFIXES", "XTEST")

# X errors that follow from a window (or its damage object) vanishing between the
# event that named it and the request the agent sent about it. They are normal for
# a window manager and logged at debug level.
_RACE_ERROR_CODES = frozenset({X.BadWindow, X.BadDrawable, X.BadMatch})


class DisplayError(RuntimeError):
    """The domain's X server cannot be used by the agent."""


def open_display(name: str) -> xdisplay.Display:
    """Connect to the X server ``name`` and prepare the extensions the agent uses.

    Raises DisplayError when the connection fails or an extension is missing.
    """
    try:
        display = xdisplay.Display(name)
    except (error.DisplayError, error.ConnectionClosedError, OSError) as failure:
        raise DisplayError(f"cannot connect to X display {name}: {failure}") from None

    # python-xlib's RANDR and DAMAGE modules register their error classes at the raw
    # codes 1 and 2, so core BadRequest and BadValue would decode as extension errors.
    display.display.error_classes[X.BadRequest] = error.BadRequest
    display.display.error_classes[X.BadValue] = error.BadValue

    missing = [name for name in REQUIRED_EXTENSIONS if not display.has_extension(name)]
    if missing:
        display.close()
        raise DisplayError(f"X display {name} lacks the extensions {', '.join(missing)}")

    # DAMAGE replies BadRequest to DamageCreate until the version was negotiated,
    # and XFIXES cursor and selection events need version 2 or later.
    display.damage_query_version()
    display.xfixes_query_version()
    # BadDamage, the first DAMAGE error: a damage object dies with its window.
    bad_damage = display.query_extension("DAMAGE").first_error
    display.set_error_handler(_error_logger(_RACE_ERROR_CODES | {bad_damage}))
    return display


def _error_logger(race_codes: frozenset[int]):
    """Return an error handler that logs X errors no request caught; they never end the agent."""

    def log_error(x_error: error.XError, request) -> None:
        # Some python-xlib extension error classes lack the usual fields.
        name = type(x_error).__name__
        code = getattr(x_error, "code", -1)
        resource = resource_id(getattr(x_error, "resource_id", 0))
        major = getattr(x_error, "major_opcode", 0)
        minor = getattr(x_error, "minor_opcode", 0)
        if code in race_codes:
            logger.debug("X error %s (code %d) on resource %#x, request %d.%d: the window is probably gone",
                         name, code, resource, major, minor)
            return
        logger.warning("X error %s (code %d) on resource %#x, request %d.%d", name, code, resource, major, minor)

    return log_error


def queued_events(display: xdisplay.Display) -> int:
    """Return how many events python-xlib has already read, without reading the socket.

    ``pending_events()`` also tries to read the socket (a select and often a recv
    through python-xlib's locking code), which costs more than the event itself
    when called several times per loop turn. This reads python-xlib 0.33's
    internal event queue instead.
    """
    return len(display.display.event_queue)


def has_unsent_requests(display: xdisplay.Display) -> bool:
    """Return True when python-xlib has requests that ``flush()`` would send (python-xlib 0.33 internals).

    New requests wait in ``request_queue``; a partly sent buffer stays in ``data_send``.
    """
    connection = display.display
    return bool(connection.request_queue or connection.data_send)


class Atoms:
    """Interned atoms by name, cached per display (``atoms.WM_NAME``)."""

    def __init__(self, display: xdisplay.Display):
        self._display = display

    def __getattr__(self, name: str) -> int:
        atom = self._display.get_atom(name)
        setattr(self, name, atom)
        return atom

    def name(self, atom: int) -> str | None:
        """Return the name of an atom, or None for an unknown one."""
        try:
            return self._display.get_atom_name(atom)
        except error.XError:
            return None


def resource_id(value) -> int:
    """Return the id of a python-xlib resource field, which is an object or a plain 0."""
    return getattr(value, "id", value)
