"""Reading and writing the ICCCM properties of client windows, with bounded reads.

Every property of a client window is set by that client. Each reader therefore
requests a bounded number of items and checks the format before using any
value, and a malformed property reads as "not set".
"""

from __future__ import annotations

import dataclasses
import logging

from Xlib import X, Xatom, Xutil
from Xlib import error as xerror
from Xlib.protocol import event as xevent

from . import properties
from .geometry import SizeHints
from .text import MAX_TITLE_BYTES
from .xconn import log_request_error

logger = logging.getLogger(__name__)

# WM_NORMAL_HINTS is 18 CARD32 values (flags, 4 obsolete, min, max, inc, aspects, base, gravity).
SIZE_HINTS_LENGTH = 18
# WM_HINTS is 9 CARD32 values.
WM_HINTS_LENGTH = 9
# Atoms read from WM_PROTOCOLS and _NET_WM_STATE; real clients list a handful.
MAX_ATOM_LIST = 32
# Sizes from hints above this are treated as this: an X window is at most 32767 wide.
MAX_HINT_SIZE = 32767


@dataclasses.dataclass(frozen=True)
class WmHints:
    """The parts of WM_HINTS the window manager honours."""

    accepts_input: bool = True  # ICCCM: a missing input field means the client wants keys
    urgent: bool = False
    starts_iconic: bool = False


def _read(window, atom: int, property_type: int, length: int):
    """Return the reply of a bounded GetProperty, or None if unset or the window is gone."""
    try:
        return window.get_property(atom, property_type, 0, length)
    except xerror.XError as exc:
        log_request_error(exc, "reading a property", window.id)
        return None


def _clean_size(value: int) -> int:
    return min(max(0, int(value)), MAX_HINT_SIZE)


def read_size_hints(window) -> SizeHints:
    """Return the window's WM_NORMAL_HINTS, with every size held to 0..32767."""
    reply = _read(window, Xatom.WM_NORMAL_HINTS, Xatom.WM_SIZE_HINTS, SIZE_HINTS_LENGTH)
    if reply is None or reply.format != 32 or len(reply.value) < 15:
        return SizeHints()
    values = [int(v) for v in reply.value]
    # Signed INT32 fields arrive as CARD32 through AnyPropertyType; negative means nonsense.
    values = [v - (1 << 32) if v >= 1 << 31 else v for v in values]
    flags = values[0] & 0xFFFFFFFF
    hints: dict = {
        "user_position": bool(flags & Xutil.USPosition),
        "program_position": bool(flags & Xutil.PPosition),
    }
    if flags & Xutil.PMinSize:
        hints["min_width"], hints["min_height"] = _clean_size(values[5]), _clean_size(values[6])
    if flags & Xutil.PMaxSize:
        hints["max_width"], hints["max_height"] = _clean_size(values[7]), _clean_size(values[8])
    if flags & Xutil.PResizeInc:
        hints["width_inc"], hints["height_inc"] = _clean_size(values[9]), _clean_size(values[10])
    if len(values) >= 17 and flags & Xutil.PBaseSize:
        hints["base_width"], hints["base_height"] = _clean_size(values[15]), _clean_size(values[16])
    if len(values) >= 18 and flags & Xutil.PWinGravity:
        hints["static_gravity"] = values[17] == X.StaticGravity
    return SizeHints(**hints)


def read_wm_hints(window) -> WmHints:
    """Return the input, urgency and initial-state parts of WM_HINTS."""
    reply = _read(window, Xatom.WM_HINTS, Xatom.WM_HINTS, WM_HINTS_LENGTH)
    if reply is None or reply.format != 32 or len(reply.value) < 3:
        return WmHints()
    flags, input_field, initial_state = (int(v) for v in reply.value[:3])
    return WmHints(
        accepts_input=bool(input_field) if flags & Xutil.InputHint else True,
        urgent=bool(flags & Xutil.UrgencyHint),
        starts_iconic=bool(flags & Xutil.StateHint) and initial_state == Xutil.IconicState,
    )


def read_atom_list(window, atom: int) -> list[int]:
    """Return at most MAX_ATOM_LIST atoms of an ATOM[] property."""
    reply = _read(window, atom, Xatom.ATOM, MAX_ATOM_LIST)
    if reply is None or reply.format != 32:
        return []
    return [int(v) for v in reply.value]


def read_transient_for(window) -> int | None:
    reply = _read(window, Xatom.WM_TRANSIENT_FOR, Xatom.WINDOW, 1)
    if reply is None or reply.format != 32 or len(reply.value) != 1:
        return None
    return int(reply.value[0]) or None


def read_title(display, window) -> tuple[bytes, bool]:
    """Return the raw title and whether it was longer than the bytes read.

    The title is _NET_WM_NAME (UTF-8) if set, else WM_NAME converted to UTF-8.
    """
    length = MAX_TITLE_BYTES // 4
    reply = _read(window, display.get_atom(properties.NET_WM_NAME), display.get_atom(properties.UTF8_STRING),
                  length)
    if reply is not None and reply.format == 8:
        return bytes(reply.value), reply.bytes_after > 0
    reply = _read(window, Xatom.WM_NAME, X.AnyPropertyType, length)
    if reply is None or reply.format != 8:
        return b"", False
    raw = bytes(reply.value)
    if reply.property_type == Xatom.STRING:
        # STRING is ISO 8859-1; COMPOUND_TEXT is shown as if it were, its escape
        # sequences become U+FFFD in the sanitizer.
        raw = raw.decode("latin-1").encode("utf-8")
    return raw, reply.bytes_after > 0


def set_wm_state(window, state: int) -> None:
    """Set WM_STATE (NormalState, IconicState or WithdrawnState) with no icon window."""
    atom = window.display.get_atom(properties.WM_STATE)
    window.change_property(atom, atom, 32, [state, X.NONE])


def send_protocol_message(window, protocol_atom: int, time: int) -> None:
    """Send a WM_PROTOCOLS client message (WM_DELETE_WINDOW, WM_TAKE_FOCUS) to the window."""
    display = window.display
    message = xevent.ClientMessage(
        window=window,
        client_type=display.get_atom(properties.WM_PROTOCOLS),
        data=(32, [protocol_atom, time, 0, 0, 0]),
    )
    window.send_event(message, event_mask=X.NoEventMask)


def send_synthetic_configure(window, x: int, y: int, width: int, height: int) -> None:
    """Tell the client where it is on the root window (ICCCM 4.1.5): a synthetic ConfigureNotify."""
    notify = xevent.ConfigureNotify(
        event=window, window=window, above_sibling=X.NONE,
        x=x, y=y, width=width, height=height, border_width=0, override=False,
    )
    window.send_event(notify, event_mask=X.StructureNotifyMask)
