"""The agent as the domain's minimal window manager.

The agent has SubstructureRedirect on the domain's root, so requests to map
or configure a top-level window come to it. It grants them as asked (the GUI
display's window manager decides placement there, and the daemon reports moves
back with ``Configure``), keeps ICCCM's WM_STATE and EWMH's _NET_WM_STATE on
each window, gives the keyboard focus the ICCCM way and closes windows politely
(WM_DELETE_WINDOW) or not (XKillClient).

Windows are never reparented, so every application window stays a child of
the root and keeps its screen position equal to its position on the GUI display.
"""

from __future__ import annotations

import logging

from Xlib import X, Xatom
from Xlib.protocol import event as xevent

from protocol import limits
from protocol import messages as m
from protocol.messages import WindowState

from . import metadata
from .display import Atoms
from .windows import WindowRecord

logger = logging.getLogger(__name__)

# ICCCM WM_STATE values.
WITHDRAWN_STATE = 0
NORMAL_STATE = 1
ICONIC_STATE = 3

# _NET_WM_STATE client message actions (EWMH).
_NET_WM_STATE_REMOVE = 0
_NET_WM_STATE_ADD = 1
_NET_WM_STATE_TOGGLE = 2

_CONFIGURE_FIELDS = (
    (X.CWX, "x"), (X.CWY, "y"), (X.CWWidth, "width"), (X.CWHeight, "height"),
    (X.CWSibling, "sibling"), (X.CWStackMode, "stack_mode"),
)


class WindowManager:
    """Handles MapRequest, ConfigureRequest and client messages for the domain's windows."""

    def __init__(self, display, atoms: Atoms, helper_window):
        self.display = display
        self.atoms = atoms
        self.root = display.screen().root
        self.helper = helper_window
        self.focused: int | None = None

    def advertise(self) -> None:
        """Announce an EWMH window manager on the root, so toolkits send state requests."""
        atoms = self.atoms
        supported = [
            atoms._NET_SUPPORTED, atoms._NET_SUPPORTING_WM_CHECK, atoms._NET_WM_NAME, atoms._NET_WM_STATE,
            atoms._NET_WM_STATE_FULLSCREEN, atoms._NET_WM_STATE_DEMANDS_ATTENTION, atoms._NET_WM_STATE_HIDDEN,
            atoms._NET_WM_STATE_MAXIMIZED_VERT, atoms._NET_WM_STATE_MAXIMIZED_HORZ, atoms._NET_ACTIVE_WINDOW,
        ]
        self.root.change_property(atoms._NET_SUPPORTED, Xatom.ATOM, 32, supported)
        for window in (self.root, self.helper):
            window.change_property(atoms._NET_SUPPORTING_WM_CHECK, Xatom.WINDOW, 32, [self.helper.id])
        self.helper.change_property(atoms._NET_WM_NAME, atoms.UTF8_STRING, 8, b"odyssey-agent")

    # -- requests from applications ----------------------------------------------------

    def on_map_request(self, event, record: WindowRecord | None) -> None:
        """Map a window an application wants shown, in the normal state."""
        window = self.display.create_resource_object("window", event.window)
        if record is not None and not record.override_redirect:
            self.set_wm_state(window, NORMAL_STATE)
        window.map()

    def on_configure_request(self, event) -> None:
        """Grant a configure request as asked, with sizes kept within the protocol's limits."""
        values = {}
        for mask, name in _CONFIGURE_FIELDS:
            if event.value_mask & mask:
                values[name] = getattr(event, name)
        if "width" in values:
            values["width"] = max(1, min(values["width"], limits.MAX_WINDOW_WIDTH))
        if "height" in values:
            values["height"] = max(1, min(values["height"], limits.MAX_WINDOW_HEIGHT))
        if event.value_mask & X.CWBorderWidth:
            # Borders are not part of the captured pixels; the agent keeps none.
            values["border_width"] = 0
        if not values:
            return
        window = self.display.create_resource_object("window", event.window)
        window.configure(**values)

    def state_request(self, event, record: WindowRecord) -> m.RequestState | None:
        """Turn a _NET_WM_STATE or WM_CHANGE_STATE client message into a RequestState."""
        atoms = self.atoms
        data = event.data[1]
        if event.client_type == atoms.WM_CHANGE_STATE:
            if data[0] == ICONIC_STATE:
                return m.RequestState(window=record.window_id, set=WindowState.MINIMIZED, unset=WindowState(0))
            return None
        if event.client_type == atoms._NET_ACTIVE_WINDOW:
            # Focus moves between domains only by user action, so an application's
            # activation request becomes a request for the user's attention.
            return m.RequestState(window=record.window_id, set=WindowState.DEMANDS_ATTENTION, unset=WindowState(0))
        if event.client_type != atoms._NET_WM_STATE:
            return None
        action = data[0]
        known = metadata.state_atoms(atoms)
        requested = WindowState(0)
        for atom in (data[1], data[2]):
            requested |= known.get(atom, WindowState(0))
        if not requested:
            return None
        if action == _NET_WM_STATE_ADD:
            to_set, to_unset = requested, WindowState(0)
        elif action == _NET_WM_STATE_REMOVE:
            to_set, to_unset = WindowState(0), requested
        elif action == _NET_WM_STATE_TOGGLE:
            to_set, to_unset = requested & ~record.state, requested & record.state
        else:
            return None
        return m.RequestState(window=record.window_id, set=to_set, unset=to_unset)

    # -- state kept on the windows ---------------------------------------------------

    def set_wm_state(self, window, state: int) -> None:
        window.change_property(self.atoms.WM_STATE, self.atoms.WM_STATE, 32, [state, X.NONE])

    def withdraw(self, record: WindowRecord) -> None:
        """Mark an unmapped managed window withdrawn, as ICCCM requires of the window manager."""
        if record.override_redirect:
            return
        window = self.display.create_resource_object("window", record.window_id)
        window.delete_property(self.atoms.WM_STATE)
        window.delete_property(self.atoms._NET_WM_STATE)

    def apply_window_state(self, record: WindowRecord, state: WindowState) -> None:
        """Write the states the daemon reported into _NET_WM_STATE and WM_STATE.

        Atoms in _NET_WM_STATE that the protocol does not know (above, sticky,
        skip-taskbar) are kept as the application set them.
        """
        record.state = state
        window = self.display.create_resource_object("window", record.window_id)
        ours = metadata.state_atoms(self.atoms)
        kept = [atom for atom in metadata.read_net_wm_state(window, self.atoms) if atom not in ours]
        for atom, flag in ours.items():
            if state & flag:
                kept.append(atom)
        window.change_property(self.atoms._NET_WM_STATE, Xatom.ATOM, 32, kept)
        if not record.override_redirect and record.mapped:
            self.set_wm_state(window, ICONIC_STATE if state & WindowState.MINIMIZED else NORMAL_STATE)

    # -- focus and closing -------------------------------------------------------------

    def focus(self, record: WindowRecord, timestamp: int = X.CurrentTime) -> None:
        """Give the keyboard focus to a window the ICCCM way (input hint, WM_TAKE_FOCUS)."""
        window = self.display.create_resource_object("window", record.window_id)
        if record.accepts_input:
            window.set_input_focus(X.RevertToParent, timestamp)
        if self.atoms.WM_TAKE_FOCUS in record.protocols:
            self._send_protocol_message(window, self.atoms.WM_TAKE_FOCUS, timestamp)
        self.root.change_property(self.atoms._NET_ACTIVE_WINDOW, Xatom.WINDOW, 32, [record.window_id])
        self.focused = record.window_id

    def unfocus(self, record: WindowRecord) -> None:
        """Take the focus away from a window that lost it on the GUI display."""
        if self.focused != record.window_id:
            return
        self.display.set_input_focus(X.NONE, X.RevertToNone, X.CurrentTime)
        self.root.change_property(self.atoms._NET_ACTIVE_WINDOW, Xatom.WINDOW, 32, [X.NONE])
        self.focused = None

    def forget(self, window_id: int) -> None:
        if self.focused == window_id:
            self.focused = None

    def close(self, record: WindowRecord) -> None:
        """Ask the window to close with WM_DELETE_WINDOW, or kill its client if it does not speak it."""
        window = self.display.create_resource_object("window", record.window_id)
        if self.atoms.WM_DELETE_WINDOW in record.protocols:
            logger.info("window %#x: sending WM_DELETE_WINDOW", record.window_id)
            self._send_protocol_message(window, self.atoms.WM_DELETE_WINDOW, X.CurrentTime)
        else:
            logger.info("window %#x: no WM_DELETE_WINDOW; killing its client", record.window_id)
            window.kill_client()

    def _send_protocol_message(self, window, protocol_atom: int, timestamp: int) -> None:
        message = xevent.ClientMessage(
            window=window, client_type=self.atoms.WM_PROTOCOLS,
            data=(32, [protocol_atom, timestamp, 0, 0, 0]),
        )
        window.send_event(message, event_mask=0)
