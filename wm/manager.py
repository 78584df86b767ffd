"""The window manager: start-up, the X event dispatch table and its handlers, shutdown.

Each X event type has one handler, found in ``self.handlers``. The comment at
the top of each handler explains what the event means. Event types without a
handler are ignored.
"""

from __future__ import annotations

import logging

from Xlib import X, Xatom, Xutil
from Xlib import error as xerror

from . import properties
from .bar import Bar
from .client import Client
from .config import ConfigError, WmConfig
from .decor import Control, Decorations
from .drag import Drag
from .ewmh import Ewmh, apply_state_action
from .focus import FocusPolicy
from .frame import FramePainter
from .geometry import Rect
from .input import InputHandling
from .keys import KeyBindings
from .lifecycle import Lifecycle
from .loop import EventLoop, Timer
from .notices import MAX_NOTICE_BYTES, parse_notices
from .operations import Operations
from .switcher import Switcher
from .text import CoreFont, FontError, open_core_font
from .trust import DaemonRegistry
from .xconn import Palette
from .xray import XRay

logger = logging.getLogger(__name__)

ROOT_EVENTS = (X.SubstructureRedirectMask | X.SubstructureNotifyMask | X.PropertyChangeMask
               | X.FocusChangeMask)


class AnotherWindowManager(RuntimeError):
    """Another client already manages the display (SubstructureRedirect on the root is taken)."""


class WindowManager(Lifecycle, Operations, FocusPolicy, InputHandling):
    """The state of the window manager of one X screen and its event handlers."""

    def __init__(self, display, config: WmConfig) -> None:
        self.display = display
        self.config = config
        self.screen = display.screen()
        self.root = self.screen.root
        self.screen_rect = Rect(0, 0, self.screen.width_in_pixels, self.screen.height_in_pixels)
        self.workarea = Rect(0, config.bar_height, self.screen_rect.width,
                             self.screen_rect.height - config.bar_height)
        # A missing font is a configuration error, found before the display is taken over.
        self.font = self._open_font("font", config.font)
        self.bold_font = self._open_font("bold_font", config.bold_font)
        self.xray_font = self._open_font("xray_font", config.xray_font)
        self.palette = Palette(self.screen.default_colormap)
        self.painter = FramePainter(self.root, self.palette, self.font, self.bold_font)
        self.decorations = Decorations(config.border_width,
                                       FramePainter.title_height_for(self.font, self.bold_font))
        self.registry = DaemonRegistry()
        self.ewmh = Ewmh(display, self.root)
        self.keys = KeyBindings(display, self.root, config.hotkeys)
        self.loop = EventLoop(display, self.handle_event)

        self.clients: dict[int, Client] = {}  # by client window id, in mapping order
        self.frames: dict[int, Client] = {}  # by frame window id
        self.stacking: list[Client] = []  # bottom to top
        self.focus_history: list[Client] = []  # most recently focused first
        self.focused: Client | None = None
        self.drag: Drag | None = None
        self.pressed_control: tuple[int, Control] | None = None
        self.own_windows: set[int] = set()
        self._fullscreen_shown_for: Client | None = None
        self._fullscreen_timer: Timer | None = None
        self._xray_hide_timer: Timer | None = None

        atom = display.get_atom
        self.notices_atom = atom(properties.ODYSSEY_NOTICES)
        # Client properties the window manager follows, and what it re-reads.
        self.property_updates = {
            Xatom.WM_NAME: self.update_title,
            atom(properties.NET_WM_NAME): self.update_title,
            Xatom.WM_NORMAL_HINTS: self.update_size_hints,
            Xatom.WM_HINTS: self.update_wm_hints,
            atom(properties.WM_PROTOCOLS): self.update_protocols,
            atom(properties.ODYSSEY_DOMAIN): self.reidentify,
            atom(properties.ODYSSEY_LABEL): self.reidentify,
        }

        self.handlers = {
            X.MapRequest: self.on_map_request,
            X.ConfigureRequest: self.on_configure_request,
            X.CirculateRequest: self.on_circulate_request,
            X.CreateNotify: self.on_create_notify,
            X.MapNotify: self.on_map_notify,
            X.UnmapNotify: self.on_unmap_notify,
            X.DestroyNotify: self.on_destroy_notify,
            X.ReparentNotify: self.on_reparent_notify,
            X.ConfigureNotify: self.on_configure_notify,
            X.PropertyNotify: self.on_property_notify,
            X.ClientMessage: self.on_client_message,
            X.ButtonPress: self.on_button_press,
            X.ButtonRelease: self.on_button_release,
            X.MotionNotify: self.on_motion_notify,
            X.KeyPress: self.on_key_press,
            X.KeyRelease: self.on_key_release,
            X.Expose: self.on_expose,
            X.FocusIn: self.on_focus_in,
            X.MappingNotify: self.on_mapping_notify,
        }

    def _open_font(self, key: str, name: str) -> CoreFont:
        try:
            return open_core_font(self.display, name)
        except FontError as exc:
            raise ConfigError(self.config.path, f"[wm] {key}", name, str(exc)) from None

    # Start and stop -----------------------------------------------------------

    def take_over(self) -> None:
        """Select SubstructureRedirect on the root; raise AnotherWindowManager if it is taken."""
        catcher = xerror.CatchError(xerror.BadAccess)
        self.root.change_attributes(event_mask=ROOT_EVENTS, onerror=catcher)
        self.display.sync()
        if catcher.get_error() is not None:
            raise AnotherWindowManager("another window manager is already running on this display")

    def start(self) -> None:
        """Create the window manager's own windows, announce it, and manage the existing windows."""
        self.support_window = self.root.create_window(
            -100, -100, 1, 1, 0, X.CopyFromParent, X.InputOnly, X.CopyFromParent,
            override_redirect=True, event_mask=X.FocusChangeMask,
        )
        self.support_window.map()
        self.bar = Bar(self.display, self.root, self.palette, self.font, self.bold_font, self.screen_rect.width,
                       self.config.bar_height, self.config.clock_format, self.config.notice_seconds, self.loop)
        self.switcher = Switcher(self.display, self.root, self.palette, self.font, self.bold_font,
                                 self.screen_rect)
        self.xray = XRay(self.display, self.root, self.palette, self.xray_font, self.bold_font,
                         self.screen_rect, self.screen.root_depth)
        self.own_windows.update({self.support_window.id, self.bar.window.id})
        self.ewmh.set_bar_strut(self.bar.window, self.screen_rect.width, self.config.bar_height)
        self.keys.grab_all()
        self.focus_nothing()
        self.manage_existing()
        self.bar.show()
        self.restack_trusted()
        self.read_notices()
        self.ewmh.announce(self.support_window, self.workarea, self.screen_rect.width, self.screen_rect.height)
        self.display.sync()
        logger.info("managing display %s (%dx%d, work area y %d..%d, %d windows)",
                    self.display.get_display_name(), self.screen_rect.width, self.screen_rect.height,
                    self.workarea.y, self.workarea.bottom, len(self.clients))

    def run(self) -> None:
        self.loop.run()

    def shutdown(self) -> None:
        """Give every window back to the root window and remove the window manager's windows."""
        logger.info("shutting down: releasing %d windows", len(self.clients))
        if self.switcher.active:
            self.switcher.close()
        self.xray.hide()
        self.release_all()
        self.ewmh.withdraw()
        self.bar.destroy()
        focus = self.display.get_input_focus().focus
        if getattr(focus, "id", focus) in (X.NONE, self.support_window.id):
            # Without a window manager the keys follow the pointer, the X default.
            self.display.set_input_focus(X.PointerRoot, X.RevertToPointerRoot, X.CurrentTime)
        self.support_window.destroy()
        self.display.sync()
        self.loop.close()

    # Dispatch -----------------------------------------------------------------

    def handle_event(self, event) -> None:
        handler = self.handlers.get(event.type)
        if handler is not None:
            handler(event)

    # Handlers -----------------------------------------------------------------

    def on_map_request(self, event) -> None:
        # A client asks to show a top-level window: frame it, or restore it if it was minimized.
        client = self.clients.get(event.window.id)
        if client is None:
            self.manage(event.window)
        elif client.iconic:
            self.deiconify(client)
            self.stack_new(client)

    def on_configure_request(self, event) -> None:
        # A client asks to move, resize or restack its window. Managed windows get
        # a frame inside the work area and never a restack; others are configured as asked.
        client = self.clients.get(event.window.id)
        mask = event.value_mask
        if client is None:
            changes = {}
            for flag, name in ((X.CWX, "x"), (X.CWY, "y"), (X.CWWidth, "width"), (X.CWHeight, "height"),
                               (X.CWBorderWidth, "border_width")):
                if mask & flag:
                    changes[name] = getattr(event, name)
            if changes:
                event.window.configure(**changes)
            return
        current = client.client_rect
        width = event.width if mask & X.CWWidth else current.width
        height = event.height if mask & X.CWHeight else current.height
        frame = client.frame_rect
        x, y = frame.x, frame.y
        if mask & (X.CWX | X.CWY):
            requested_x = event.x if mask & X.CWX else current.x
            requested_y = event.y if mask & X.CWY else current.y
            if client.hints.static_gravity:
                reference = client.decorations.frame_for_client(requested_x, requested_y, width, height)
                x, y = reference.x, reference.y
            else:
                x, y = requested_x, requested_y
        frame_width, frame_height = client.decorations.frame_size_for(width, height)
        self.set_normal_frame(client, Rect(x, y, frame_width, frame_height))

    def on_circulate_request(self, event) -> None:
        # A client asks to raise or lower its window among its siblings: only the
        # user restacks windows, so the request is refused by not carrying it out.
        logger.debug("ignoring a circulate request for window 0x%x", event.window.id)

    def on_create_notify(self, event) -> None:
        # A new top-level window exists. Watch override-redirect ones for focus,
        # so the bar can name the owner of a menu the user clicked into.
        if event.override and event.window.id not in self.own_windows:
            event.window.change_attributes(event_mask=X.FocusChangeMask)

    def on_map_notify(self, event) -> None:
        # A top-level window became visible; an override-redirect one may cover
        # the bar, so the trusted windows go back on top.
        if event.window.id not in self.own_windows and event.window.id not in self.frames and event.override:
            self.restack_trusted()

    def on_unmap_notify(self, event) -> None:
        # A client window was unmapped: by the window manager (reparenting,
        # minimizing), or by the client itself, which withdraws it.
        client = self.clients.get(event.window.id)
        if client is None:
            return
        if client.ignore_unmaps > 0 and not event.send_event:
            client.ignore_unmaps -= 1
            return
        logger.debug("window 0x%x unmapped itself (event window 0x%x, synthetic %s)", client.id,
                     event.event.id, bool(event.send_event))
        self.unmanage(client, destroyed=False)

    def on_destroy_notify(self, event) -> None:
        # A client window was destroyed.
        client = self.clients.get(event.window.id)
        if client is not None:
            self.unmanage(client, destroyed=True)

    def on_reparent_notify(self, event) -> None:
        # A window got a new parent; a client taken out of its frame by someone
        # else is no longer ours to manage.
        client = self.clients.get(event.window.id)
        if client is not None and event.parent.id != client.frame.id:
            logger.info("window 0x%x was reparented out of its frame by another client", client.id)
            self.unmanage(client, destroyed=True)

    def on_configure_notify(self, event) -> None:
        # A top-level window moved or changed its place in the stack; if it is
        # not ours it may now cover the bar.
        if event.window.id not in self.own_windows and event.window.id not in self.frames \
                and event.event.id == self.root.id:
            self.restack_trusted()

    def on_property_notify(self, event) -> None:
        # A property changed: trusted notices on the root, or a client's title,
        # hints, protocols or owner properties.
        if event.window.id == self.root.id:
            if event.atom == self.notices_atom and event.state == X.PropertyNewValue:
                self.read_notices()
            return
        client = self.clients.get(event.window.id)
        update = self.property_updates.get(event.atom)
        if client is not None and update is not None:
            update(client)

    def on_client_message(self, event) -> None:
        # A client asks for a state change: _NET_WM_STATE, WM_CHANGE_STATE (minimize),
        # _NET_ACTIVE_WINDOW (activation) or _NET_CLOSE_WINDOW.
        client = self.clients.get(event.window.id)
        data_format, data = event.data
        if client is None or data_format != 32:
            return
        message_type = event.client_type
        if message_type == self.ewmh.net_wm_state:
            self.change_net_state(client, data[0], {data[1], data[2]} - {X.NONE})
        elif message_type == self.display.get_atom(properties.WM_CHANGE_STATE):
            if data[0] == Xutil.IconicState:
                self.iconify(client)
        elif message_type == self.display.get_atom(properties.NET_ACTIVE_WINDOW):
            # Activation requests never move the focus: the window is marked instead.
            if client is not self.focused:
                logger.info("window 0x%x of %s asked to be activated: marked as demanding attention",
                            client.id, client.identity.domain)
                self.set_demands_attention(client, True)
        elif message_type == self.display.get_atom(properties.NET_CLOSE_WINDOW):
            self.close(client, data[0] or X.CurrentTime)

    def on_expose(self, event) -> None:
        # Part of one of the window manager's windows needs drawing again.
        if event.count != 0:
            return
        window_id = event.window.id
        client = self.frames.get(window_id)
        if client is not None:
            self.repaint(client)
        elif window_id == self.bar.window.id:
            self.bar.paint()
        elif self.switcher.window is not None and window_id == self.switcher.window.id:
            self.switcher.paint()

    def on_focus_in(self, event) -> None:
        # The keyboard focus moved: read where it is now and show its owner in the bar.
        if event.mode in (X.NotifyGrab, X.NotifyUngrab):
            return
        self.refresh_focus_truth()

    def on_mapping_notify(self, event) -> None:
        # The keyboard or modifier mapping changed: keycodes and modifier bits of the hotkeys may differ.
        if event.request in (X.MappingKeyboard, X.MappingModifier):
            self.display.refresh_keyboard_mapping(event)
            self.keys.refresh()
            for client in self.clients.values():
                self.grab_buttons(client, focused=client is self.focused)

    # Helpers of the handlers --------------------------------------------------

    def change_net_state(self, client: Client, action: int, atoms: set[int]) -> None:
        """Carry out a _NET_WM_STATE request (add, remove or toggle up to two states)."""
        ewmh = self.ewmh
        if ewmh.fullscreen in atoms:
            self.set_fullscreen(client, apply_state_action(action, client.fullscreen))
        if atoms & {ewmh.maximized_vert, ewmh.maximized_horz}:
            if apply_state_action(action, client.maximized) != client.maximized:
                self.toggle_maximize(client)
        if ewmh.demands_attention in atoms:
            demands = apply_state_action(action, client.demands_attention)
            # Attention is for windows the user is not looking at.
            self.set_demands_attention(client, demands and client is not self.focused)
        # _NET_WM_STATE_HIDDEN is the window manager's to set: minimizing is WM_CHANGE_STATE.

    def read_notices(self) -> None:
        """Take the trusted notices from the root property (deleting it) and queue them for the bar."""
        try:
            reply = self.root.get_property(self.notices_atom, X.AnyPropertyType, 0, MAX_NOTICE_BYTES // 4,
                                           delete=True)
        except xerror.XError as exc:
            logger.warning("reading %s failed: %s", properties.ODYSSEY_NOTICES, type(exc).__name__)
            return
        if reply is None or reply.format != 8:
            return
        if reply.bytes_after:
            # The server deletes the property only when everything was read.
            logger.warning("%s held %d bytes more than the %d read: dropped", properties.ODYSSEY_NOTICES,
                           reply.bytes_after, MAX_NOTICE_BYTES)
            self.root.delete_property(self.notices_atom)
        registered = {client.identity.domain: client.identity.label
                      for client in self.clients.values() if client.identity.from_daemon}
        notices = parse_notices(bytes(reply.value), registered)
        if notices:
            logger.info("%d trusted notices received", len(notices))
            self.bar.add_notices(notices)
