"""Reading window properties into protocol messages: title, class, size hints and more.

Every property read is bounded: the agent requests from the X server at most what the
protocol can carry (plus one 32-bit unit, to tell that a value was longer), so
an application cannot make the agent read megabytes of title.

Functions return None when the window has no such property or has vanished.
"""

from __future__ import annotations

import logging

from Xlib import X, Xatom, error

from protocol import limits
from protocol import messages as m
from protocol.messages import HintFlags, WindowState
from protocol.text import cut_utf8

from .display import Atoms

logger = logging.getLogger(__name__)

# WM_NORMAL_HINTS flag bits (ICCCM 4.1.2.3).
US_POSITION = 1 << 0
P_POSITION = 1 << 2
P_MIN_SIZE = 1 << 4
P_MAX_SIZE = 1 << 5
P_RESIZE_INC = 1 << 6
P_BASE_SIZE = 1 << 8

# WM_HINTS flag bits and field index (ICCCM 4.1.2.4).
INPUT_HINT = 1 << 0
URGENCY_HINT = 1 << 8

# WM_SIZE_HINTS is 18 32-bit values: flags, 4 obsolete, min, max, increment,
# aspect (4), base, gravity.
_SIZE_HINTS_LENGTH = 18

# Atoms a window may list in WM_PROTOCOLS or _NET_WM_STATE are few; more is bogus.
_MAX_ATOM_LIST = 64


def _longs_for(max_bytes: int) -> int:
    """Return the 32-bit units to request for max_bytes plus one unit."""
    return max_bytes // 4 + 1


def _get(window, property_atom: int, property_type: int, max_longs: int):
    """Read at most max_longs 32-bit units of a property of the given type (or any type).

    A property of another type counts as missing: X then returns its type but no value.
    """
    try:
        reply = window.get_property(property_atom, property_type, 0, max_longs)
    except error.XError as failure:
        logger.debug("window %#x: reading property %d failed: %s", window.id, property_atom, type(failure).__name__)
        return None
    if reply is None:
        return None
    if property_type != X.AnyPropertyType and reply.property_type != property_type:
        return None
    return reply


def read_title(window, atoms: Atoms) -> bytes | None:
    """Return the title as UTF-8 cut to TITLE_MAX_BYTES, from _NET_WM_NAME or WM_NAME."""
    length = _longs_for(limits.TITLE_MAX_BYTES)
    reply = _get(window, atoms._NET_WM_NAME, atoms.UTF8_STRING, length)
    if reply is not None and reply.format == 8:
        text = bytes(reply.value).decode("utf-8", errors="replace")
    else:
        reply = _get(window, Xatom.WM_NAME, X.AnyPropertyType, length)
        if reply is None or reply.format != 8:
            return None
        raw = bytes(reply.value)
        if reply.property_type == atoms.UTF8_STRING:
            text = raw.decode("utf-8", errors="replace")
        else:
            # STRING is Latin-1 by definition. NOTE: COMPOUND_TEXT is read as
            # Latin-1 too, which is right for ASCII titles only.
            text = raw.decode("latin-1")
    # More bytes than the limit were read when the title is longer, so cut_utf8
    # finds it too long and ends it with the visible mark.
    return cut_utf8(text, limits.TITLE_MAX_BYTES)


def read_class(window) -> tuple[bytes, bytes] | None:
    """Return WM_CLASS as (res_name, res_class), each cut to CLASS_MAX_BYTES."""
    reply = _get(window, Xatom.WM_CLASS, Xatom.STRING, _longs_for(2 * limits.CLASS_MAX_BYTES + 2))
    if reply is None or reply.format != 8:
        return None
    parts = bytes(reply.value).split(b"\0")
    res_name = parts[0] if parts else b""
    res_class = parts[1] if len(parts) > 1 else b""
    return (
        cut_utf8(res_name.decode("latin-1"), limits.CLASS_MAX_BYTES, mark=""),
        cut_utf8(res_class.decode("latin-1"), limits.CLASS_MAX_BYTES, mark=""),
    )


def read_hints(window) -> m.SetHints | None:
    """Return WM_NORMAL_HINTS as a SetHints message, with sizes clamped to the protocol's limits."""
    reply = _get(window, Xatom.WM_NORMAL_HINTS, Xatom.WM_SIZE_HINTS, _SIZE_HINTS_LENGTH)
    if reply is None or reply.format != 32 or len(reply.value) < 15:
        return None
    values = [_signed(value) for value in reply.value]
    x_flags = values[0]

    def width(value: int) -> int:
        return max(0, min(value, limits.MAX_WINDOW_WIDTH))

    def height(value: int) -> int:
        return max(0, min(value, limits.MAX_WINDOW_HEIGHT))

    hint_flags = HintFlags(0)
    if x_flags & P_MIN_SIZE:
        hint_flags |= HintFlags.MIN_SIZE
    if x_flags & P_MAX_SIZE:
        hint_flags |= HintFlags.MAX_SIZE
    if x_flags & P_RESIZE_INC:
        hint_flags |= HintFlags.RESIZE_INCREMENT
    if x_flags & P_BASE_SIZE and len(values) >= 17:
        hint_flags |= HintFlags.BASE_SIZE
    if x_flags & US_POSITION:
        hint_flags |= HintFlags.USER_POSITION
    if x_flags & P_POSITION:
        hint_flags |= HintFlags.PROGRAM_POSITION
    base_width, base_height = (values[15], values[16]) if len(values) >= 17 else (0, 0)
    return m.SetHints(
        window=window.id, flags=hint_flags,
        min_width=width(values[5]), min_height=height(values[6]),
        max_width=width(values[7]), max_height=height(values[8]),
        width_inc=width(values[9]), height_inc=height(values[10]),
        base_width=width(base_width), base_height=height(base_height),
    )


def _signed(value: int) -> int:
    """Return a CARD32 that contains an X INT32 as a Python int."""
    return value - (1 << 32) if value & 0x8000_0000 else value


def read_transient_for(window) -> int:
    """Return the WM_TRANSIENT_FOR window id, or 0."""
    reply = _get(window, Xatom.WM_TRANSIENT_FOR, Xatom.WINDOW, 1)
    if reply is None or reply.format != 32 or not reply.value:
        return 0
    return int(reply.value[0])


def read_protocols(window, atoms: Atoms) -> frozenset[int]:
    """Return the atoms listed in WM_PROTOCOLS."""
    reply = _get(window, atoms.WM_PROTOCOLS, Xatom.ATOM, _MAX_ATOM_LIST)
    if reply is None or reply.format != 32:
        return frozenset()
    return frozenset(int(atom) for atom in reply.value)


def read_wm_hints(window) -> tuple[bool, bool]:
    """Return (accepts input, urgent) from WM_HINTS; windows without it accept input."""
    reply = _get(window, Xatom.WM_HINTS, Xatom.WM_HINTS, 9)
    if reply is None or reply.format != 32 or len(reply.value) < 2:
        return True, False
    x_flags = reply.value[0]
    accepts_input = bool(reply.value[1]) if x_flags & INPUT_HINT else True
    return accepts_input, bool(x_flags & URGENCY_HINT)


def read_net_wm_state(window, atoms: Atoms) -> list[int]:
    """Return the atoms in the window's _NET_WM_STATE."""
    reply = _get(window, atoms._NET_WM_STATE, Xatom.ATOM, _MAX_ATOM_LIST)
    if reply is None or reply.format != 32:
        return []
    return [int(atom) for atom in reply.value]


def state_atoms(atoms: Atoms) -> dict[int, WindowState]:
    """Return the _NET_WM_STATE atoms the protocol defines, with their state flag."""
    return {
        atoms._NET_WM_STATE_FULLSCREEN: WindowState.FULLSCREEN,
        atoms._NET_WM_STATE_DEMANDS_ATTENTION: WindowState.DEMANDS_ATTENTION,
        atoms._NET_WM_STATE_HIDDEN: WindowState.MINIMIZED,
        atoms._NET_WM_STATE_MAXIMIZED_VERT: WindowState.MAXIMIZED,
        atoms._NET_WM_STATE_MAXIMIZED_HORZ: WindowState.MAXIMIZED,
    }


def states_from_atoms(state_atom_list: list[int], atoms: Atoms) -> WindowState:
    """Return the protocol states named by a list of _NET_WM_STATE atoms."""
    known = state_atoms(atoms)
    states = WindowState(0)
    for atom in state_atom_list:
        states |= known.get(atom, WindowState(0))
    return states
