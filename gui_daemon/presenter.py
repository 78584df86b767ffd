"""The daemon's windows on the GUI display: creation, trusted properties, frames, cursors.

Everything here runs on the daemon's python-xlib connection to the GUI display.
Pixels from the domain never pass through this module: ``painting`` puts them with
MIT-SHM on its own connection. The trusted properties are set only here, from the
daemon's policy, never from domain data except the sanitized title and class.

Undecorated (override-redirect) windows get a frame drawn by the daemon itself:
a border of ``OVERRIDE_REDIRECT_BORDER`` pixels in the label colour. Content is
only ever put inside that border (``paintable_area``), so no domain pixel can
cover it, and the border is drawn on map, on expose and on every resize.
"""

from __future__ import annotations

import logging

from Xlib import X, Xatom
from Xlib.protocol import event as xevent

from protocol import messages as m

from . import atoms
from .policy import DomainPolicy
from .windows import DomainWindow, Geometry

logger = logging.getLogger(__name__)

# Border of undecorated windows in pixels: wide enough to see at a glance, narrow
# enough not to hide menu items.
OVERRIDE_REDIRECT_BORDER = 2

# Background of a window before the domain sent any content: mid gray, so an empty
# window is visibly empty and never shows stale pixels or what lies behind it.
NEUTRAL_BACKGROUND = 0x808080

EVENT_MASK = (
    X.KeyPressMask | X.KeyReleaseMask | X.ButtonPressMask | X.ButtonReleaseMask
    | X.PointerMotionMask | X.EnterWindowMask | X.LeaveWindowMask | X.FocusChangeMask
    | X.ExposureMask | X.StructureNotifyMask | X.PropertyChangeMask
)

# ICCCM WM_NORMAL_HINTS flag bits.
_US_POSITION, _P_POSITION, _P_MIN_SIZE, _P_MAX_SIZE, _P_RESIZE_INC, _P_BASE_SIZE, _P_WIN_GRAVITY = (
    1, 4, 16, 32, 64, 256, 512)

_NET_WM_STATE_REMOVE, _NET_WM_STATE_ADD = 0, 1
_ICONIC_STATE = 3


def paintable_area(window: DomainWindow) -> tuple[int, int, int, int] | None:
    """Return the part of the window that domain pixels may cover, or None.

    For managed windows that is the whole window; the window manager frames it
    from outside. For undecorated windows it is the inside of the daemon's border,
    and a window too small to have an inside is all border.
    """
    width, height = window.geometry.width, window.geometry.height
    if not window.override_redirect:
        return 0, 0, width, height
    border = OVERRIDE_REDIRECT_BORDER
    if width <= 2 * border or height <= 2 * border:
        return None
    return border, border, width - 2 * border, height - 2 * border


class Presenter:
    """Creates and updates the daemon's windows for one domain."""

    def __init__(self, display, policy: DomainPolicy):
        self.display = display
        self.policy = policy
        self.screen = display.screen()
        self.root = self.screen.root
        self.atom = atoms.Atoms(display)
        self._label_pixel = self._allocate(policy.label_rgb)
        self._background_pixel = self._allocate(NEUTRAL_BACKGROUND)
        self._frame_gc = self.root.create_gc(foreground=self._label_pixel, graphics_exposures=False)
        self._cursor_font = None
        self._cursors: dict[int, int] = {}

    def _allocate(self, rgb: int) -> int:
        # TrueColor at depth 24: the pixel value is the RGB value itself.
        colormap = self.screen.default_colormap
        color = colormap.alloc_color(((rgb >> 16) & 0xFF) * 257, ((rgb >> 8) & 0xFF) * 257, (rgb & 0xFF) * 257)
        return color.pixel

    # -- life cycle --------------------------------------------------------------

    def create(self, window: DomainWindow) -> int:
        """Create the GUI window for a domain window (unmapped) and return its id."""
        geometry = window.geometry
        local = self.root.create_window(
            geometry.x, geometry.y, geometry.width, geometry.height, 0,
            self.screen.root_depth, X.InputOutput, X.CopyFromParent,
            background_pixel=self._background_pixel,
            override_redirect=window.override_redirect,
            event_mask=EVENT_MASK,
            bit_gravity=X.NorthWestGravity,
        )
        window.local = local
        self._set_trusted_properties(window)
        return local.id

    def _set_trusted_properties(self, window: DomainWindow) -> None:
        local = window.local
        atom = self.atom
        local.change_property(atom.DOMAIN, atom.UTF8_STRING, 8, self.policy.name.encode())
        local.change_property(atom.LABEL, Xatom.CARDINAL, 32, [self.policy.label_rgb])
        local.change_property(atom.REMOTE_WINDOW, Xatom.CARDINAL, 32, [window.remote_id])
        local.change_property(atom.WM_PROTOCOLS, Xatom.ATOM, 32, [atom.WM_DELETE_WINDOW])
        local.set_wm_hints(flags=1 | 2, input=1, initial_state=1)  # InputHint | StateHint, NormalState
        self.set_class(window, "window", "window")
        self.set_title(window, "")
        self.set_hints(window, None)

    def destroy(self, window: DomainWindow) -> None:
        if window.local is not None:
            window.local.destroy()
            window.local = None

    def map(self, window: DomainWindow) -> None:
        window.local.map()
        if window.override_redirect:
            window.local.configure(stack_mode=X.Above)
            self.draw_frame(window)

    def unmap(self, window: DomainWindow) -> None:
        window.local.unmap()

    def set_override_redirect(self, window: DomainWindow, override_redirect: bool) -> None:
        """Change the flag of an unmapped window (the window manager reads it at map time)."""
        window.override_redirect = override_redirect
        window.local.change_attributes(override_redirect=override_redirect)

    def move_resize(self, window: DomainWindow, geometry: Geometry) -> None:
        window.local.configure(x=geometry.x, y=geometry.y, width=geometry.width, height=geometry.height)

    def resize(self, window: DomainWindow, width: int, height: int) -> None:
        window.local.configure(width=width, height=height)

    def raise_window(self, window: DomainWindow) -> None:
        window.local.configure(stack_mode=X.Above)

    # -- metadata ----------------------------------------------------------------

    def set_title(self, window: DomainWindow, title: str) -> None:
        encoded = title.encode("utf-8")
        window.title = title
        window.local.change_property(self.atom.NET_WM_NAME, self.atom.UTF8_STRING, 8, encoded)
        window.local.change_property(Xatom.WM_NAME, self.atom.UTF8_STRING, 8, encoded)

    def set_class(self, window: DomainWindow, res_class: str, res_name: str) -> None:
        domain = self.policy.name
        value = f"{domain}:{res_name}\0{domain}:{res_class}\0".encode("ascii")
        window.local.change_property(Xatom.WM_CLASS, Xatom.STRING, 8, value)

    def set_hints(self, window: DomainWindow, hints) -> None:
        """Set WM_NORMAL_HINTS from a checked SetHints message (None: no hints yet).

        The position flags are passed only when the application asked for its
        position; otherwise the window manager places the window.
        """
        flags = 0
        values = dict(min_width=0, min_height=0, max_width=0, max_height=0,
                      width_inc=0, height_inc=0, base_width=0, base_height=0)
        if hints is not None:
            if hints.flags & m.HintFlags.USER_POSITION:
                flags |= _US_POSITION
            if hints.flags & m.HintFlags.PROGRAM_POSITION:
                flags |= _P_POSITION
            if hints.flags & m.HintFlags.MIN_SIZE:
                flags |= _P_MIN_SIZE
                values.update(min_width=hints.min_width, min_height=hints.min_height)
            if hints.flags & m.HintFlags.MAX_SIZE:
                flags |= _P_MAX_SIZE
                values.update(max_width=max(hints.max_width, 1), max_height=max(hints.max_height, 1))
            if hints.flags & m.HintFlags.RESIZE_INCREMENT:
                flags |= _P_RESIZE_INC
                values.update(width_inc=hints.width_inc, height_inc=hints.height_inc)
            if hints.flags & m.HintFlags.BASE_SIZE:
                flags |= _P_BASE_SIZE
                values.update(base_width=hints.base_width, base_height=hints.base_height)
        # StaticGravity: the window manager keeps the client window itself at the
        # requested position and puts the frame around it, so the domain's window
        # and the GUI window stay at the same screen position.
        flags |= _P_WIN_GRAVITY
        window.local.set_wm_normal_hints(flags=flags, win_gravity=X.StaticGravity, **values)

    def set_transient_for(self, window: DomainWindow, target: DomainWindow | None) -> None:
        if target is None or target.local is None:
            window.local.delete_property(Xatom.WM_TRANSIENT_FOR)
        else:
            window.local.change_property(Xatom.WM_TRANSIENT_FOR, Xatom.WINDOW, 32, [target.local.id])

    def set_cursor(self, window: DomainWindow, shape: int) -> None:
        """Show a core cursor-font shape over the window, or the default for CURSOR_DEFAULT."""
        if shape == m.CURSOR_DEFAULT:
            window.local.change_attributes(cursor=X.NONE)
            return
        cursor = self._cursors.get(shape)
        if cursor is None:
            if self._cursor_font is None:
                self._cursor_font = self.display.open_font("cursor")
            cursor = self._cursor_font.create_glyph_cursor(
                self._cursor_font, shape, shape + 1, (0, 0, 0), (0xFFFF, 0xFFFF, 0xFFFF)
            )
            self._cursors[shape] = cursor
        window.local.change_attributes(cursor=cursor)

    # -- window manager requests (EWMH) -------------------------------------------

    def request_state(self, window: DomainWindow, add: bool, *state_atoms: int) -> None:
        """Ask the window manager to add or remove _NET_WM_STATE atoms (at most two)."""
        first, second = (list(state_atoms) + [0, 0])[:2]
        self._client_message(window, self.atom.NET_WM_STATE,
                             [_NET_WM_STATE_ADD if add else _NET_WM_STATE_REMOVE, first, second, 1, 0])

    def request_iconify(self, window: DomainWindow) -> None:
        self._client_message(window, self.atom.WM_CHANGE_STATE, [_ICONIC_STATE, 0, 0, 0, 0])

    def _client_message(self, window: DomainWindow, message_type: int, data: list[int]) -> None:
        message = xevent.ClientMessage(window=window.local, client_type=message_type, data=(32, data))
        self.root.send_event(message, event_mask=X.SubstructureRedirectMask | X.SubstructureNotifyMask)

    def read_window_state(self, window: DomainWindow) -> tuple[set[int], bool]:
        """Return the window's _NET_WM_STATE atoms and whether WM_STATE is Iconic."""
        net_state = window.local.get_property(self.atom.NET_WM_STATE, Xatom.ATOM, 0, 32)
        wm_state = window.local.get_property(self.atom.WM_STATE, self.atom.WM_STATE, 0, 2)
        atoms = set(net_state.value) if net_state is not None else set()
        iconic = wm_state is not None and len(wm_state.value) > 0 and wm_state.value[0] == _ICONIC_STATE
        return atoms, iconic

    def root_position(self, window: DomainWindow, event) -> tuple[int, int]:
        """Return the window's top-left corner in root coordinates after a ConfigureNotify.

        A synthetic ConfigureNotify from the window manager carries root
        coordinates (ICCCM); a real one is relative to the frame, so ask the server.
        """
        if event.send_event:
            return event.x, event.y
        position = self.root.translate_coords(window.local, 0, 0)
        return position.x, position.y

    # -- the daemon's frame of undecorated windows -----------------------------------

    def draw_frame(self, window: DomainWindow) -> None:
        """Draw the label-coloured border of an undecorated window (all of a tiny one)."""
        if not window.override_redirect or window.local is None:
            return
        width, height = window.geometry.width, window.geometry.height
        if paintable_area(window) is None:
            window.local.fill_rectangle(self._frame_gc, 0, 0, width, height)
            return
        border = OVERRIDE_REDIRECT_BORDER
        window.local.poly_fill_rectangle(self._frame_gc, [
            (0, 0, width, border),
            (0, height - border, width, border),
            (0, 0, border, height),
            (width - border, 0, border, height),
        ])

    # -- notices ---------------------------------------------------------------------

    def notify(self, text: str) -> None:
        """Append a trusted notice for the window manager's bar (the text never contains domain data)."""
        line = f"{self.policy.name}\t{self.policy.label_name}\t{text}\n".encode("utf-8")
        self.root.change_property(self.atom.NOTICES, self.atom.UTF8_STRING, 8, line, mode=X.PropModeAppend)
