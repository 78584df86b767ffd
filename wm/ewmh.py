"""The EWMH root-window properties and the _NET_WM_STATE of each client.

Only the subset listed in ``properties.NET_SUPPORTED_ATOMS`` is announced.
"""

from __future__ import annotations

from Xlib import X, Xatom

from . import properties
from .client import Client
from .geometry import Rect

# _NET_WM_STATE client message actions.
STATE_REMOVE = 0
STATE_ADD = 1
STATE_TOGGLE = 2


class Ewmh:
    """Writer of the root properties and client states, with the atoms it uses."""

    def __init__(self, display, root) -> None:
        self.display = display
        self.root = root
        atom = display.get_atom
        self.utf8 = atom(properties.UTF8_STRING)
        self.net_wm_state = atom(properties.NET_WM_STATE)
        self.fullscreen = atom(properties.NET_WM_STATE_FULLSCREEN)
        self.maximized_vert = atom(properties.NET_WM_STATE_MAXIMIZED_VERT)
        self.maximized_horz = atom(properties.NET_WM_STATE_MAXIMIZED_HORZ)
        self.demands_attention = atom(properties.NET_WM_STATE_DEMANDS_ATTENTION)
        self.hidden = atom(properties.NET_WM_STATE_HIDDEN)

    def announce(self, check_window, workarea: Rect, screen_width: int, screen_height: int) -> None:
        """Set _NET_SUPPORTING_WM_CHECK, _NET_SUPPORTED and the desktop properties."""
        atom = self.display.get_atom
        check = atom(properties.NET_SUPPORTING_WM_CHECK)
        check_window.change_property(check, Xatom.WINDOW, 32, [check_window.id])
        check_window.change_property(atom(properties.NET_WM_NAME), self.utf8, 8,
                                     properties.WM_NAME_ANNOUNCED.encode())
        self.root.change_property(atom(properties.NET_SUPPORTED), Xatom.ATOM, 32,
                                  [atom(name) for name in properties.NET_SUPPORTED_ATOMS])
        self.root.change_property(atom(properties.NET_NUMBER_OF_DESKTOPS), Xatom.CARDINAL, 32, [1])
        self.root.change_property(atom(properties.NET_CURRENT_DESKTOP), Xatom.CARDINAL, 32, [0])
        self.set_workarea(workarea)
        self.set_client_list([])
        self.set_active_window(None)
        # Set last: clients take this property as "a window manager is ready".
        self.root.change_property(check, Xatom.WINDOW, 32, [check_window.id])

    def withdraw(self) -> None:
        """Delete the root properties on shutdown, so no client sees a window manager that left."""
        for name in (properties.NET_SUPPORTING_WM_CHECK, properties.NET_SUPPORTED,
                     properties.NET_CLIENT_LIST, properties.NET_ACTIVE_WINDOW, properties.NET_WORKAREA):
            self.root.delete_property(self.display.get_atom(name))

    def set_workarea(self, area: Rect) -> None:
        self.root.change_property(self.display.get_atom(properties.NET_WORKAREA), Xatom.CARDINAL, 32,
                                  [area.x, area.y, area.width, area.height])

    def set_client_list(self, window_ids: list[int]) -> None:
        self.root.change_property(self.display.get_atom(properties.NET_CLIENT_LIST), Xatom.WINDOW, 32,
                                  window_ids)

    def set_active_window(self, window_id: int | None) -> None:
        self.root.change_property(self.display.get_atom(properties.NET_ACTIVE_WINDOW), Xatom.WINDOW, 32,
                                  [window_id or X.NONE])

    def set_client_state(self, client: Client) -> None:
        """Write _NET_WM_STATE of a client from the window manager's view of it."""
        states = []
        if client.fullscreen:
            states.append(self.fullscreen)
        if client.maximized:
            states += [self.maximized_vert, self.maximized_horz]
        if client.demands_attention:
            states.append(self.demands_attention)
        if client.iconic:
            states.append(self.hidden)
        client.window.change_property(self.net_wm_state, Xatom.ATOM, 32, states)

    def set_frame_extents(self, client: Client) -> None:
        decorations = client.decorations
        client.window.change_property(self.display.get_atom(properties.NET_FRAME_EXTENTS), Xatom.CARDINAL, 32,
                                      [decorations.border, decorations.border, decorations.title,
                                       decorations.border])

    def set_bar_strut(self, bar_window, screen_width: int, bar_height: int) -> None:
        """Reserve the bar's rows at the top of the screen (_NET_WM_STRUT_PARTIAL)."""
        # left, right, top, bottom, then start/end pairs for each: the top strut spans the screen.
        bar_window.change_property(self.display.get_atom(properties.NET_WM_STRUT_PARTIAL), Xatom.CARDINAL, 32,
                                   [0, 0, bar_height, 0, 0, 0, 0, 0, 0, screen_width - 1, 0, 0])


def apply_state_action(action: int, current: bool) -> bool:
    """Return the new value of a state flag after a _NET_WM_STATE add, remove or toggle."""
    if action == STATE_ADD:
        return True
    if action == STATE_REMOVE:
        return False
    if action == STATE_TOGGLE:
        return not current
    return current
