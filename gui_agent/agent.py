"""The agent's state and its handlers for X events.

``Agent`` ties the parts together: the window table, the captures, the window
manager, input, clipboard and the session to the daemon. X events update the
table and queue damage. Then ``flush_work`` makes buffers and captures each
damaged window once, so a burst of events costs one capture per window.
Messages from the daemon are handled in ``commands``.
"""

from __future__ import annotations

import logging

from Xlib import X, Xatom, error
from Xlib.ext import composite
from Xlib.ext import xfixes

from protocol import messages as m
from protocol.messages import CURSOR_DEFAULT, WindowState
from shm.errors import XcbError
from shm.xcb import XcbConnection
from shm.xcb_damage import DamageNotify, XcbDamage

from . import metadata
from .capture import Capturer
from .clipboard import ClipboardReader
from .clipboard_owner import ClipboardOwner
from .cursors import glyph_for_name, register_cursor_events
from .display import Atoms, DisplayError, has_unsent_requests, open_display, queued_events, resource_id
from .input import InputInjector
from .manager import WindowManager
from .session import Session
from .windows import WindowRecord, WindowTable

logger = logging.getLogger(__name__)

ROOT_EVENT_MASK = X.SubstructureRedirectMask | X.SubstructureNotifyMask
# Structure events of top-level windows come through the root; their own
# property changes carry the metadata.
TOPLEVEL_EVENT_MASK = X.PropertyChangeMask

# Bytes the channel may have queued before captures wait for the daemon to read:
# damage keeps merging meanwhile, so a slow daemon gets fewer, larger updates.
CAPTURE_BACKLOG_BYTES = 256 * 1024

_TITLE_ATOMS = ("_NET_WM_NAME", "WM_NAME")


class Agent:
    """The domain's windows, as seen by the agent, and the work they cause."""

    def __init__(self, display_name: str, session: Session):
        self.display_name = display_name
        self.session = session
        session.on_closed = self.on_session_closed
        self.display = open_display(display_name)
        self.atoms = Atoms(self.display)
        self.root = self.display.screen().root
        self.xcb = XcbConnection(display_name)
        self.xcb.query_shm_version()
        # Damage lives on the capturing connection, so each subtract precedes its capture.
        self.damage = XcbDamage(self.xcb)
        self._damage_race_errors = frozenset({X.BadWindow, X.BadDrawable, X.BadMatch, self.damage.first_error})
        self.capturer = Capturer(self.xcb, self.damage)
        self.table = WindowTable()

        # An unmapped override-redirect window far off screen: the target of
        # clipboard conversions, the selection owner and the EWMH check window.
        self.helper = self.root.create_window(
            -100, -100, 1, 1, 0, X.CopyFromParent, X.InputOutput, X.CopyFromParent,
            override_redirect=True, event_mask=X.PropertyChangeMask,
        )
        self.manager = WindowManager(self.display, self.atoms, self.helper)
        self.injector = InputInjector(self.display)
        self.owner = ClipboardOwner(self.display, self.atoms, self.helper)
        self.reader = ClipboardReader(self.display, self.atoms, self.helper, reply=session.send,
                                      local_contents=lambda: self.owner.contents)
        self._cursor_event = register_cursor_events(self.display)
        self.pointer_window: int | None = None
        self.cursor_glyph = CURSOR_DEFAULT
        self._handlers = {
            X.CreateNotify: self._on_create,
            X.DestroyNotify: self._on_destroy,
            X.MapRequest: self._on_map_request,
            X.MapNotify: self._on_map,
            X.UnmapNotify: self._on_unmap,
            X.ConfigureRequest: self.manager.on_configure_request,
            X.ConfigureNotify: self._on_configure,
            X.CirculateRequest: self._on_circulate_request,
            X.CirculateNotify: self._on_circulate,
            X.ReparentNotify: self._on_reparent,
            X.PropertyNotify: self._on_property,
            X.ClientMessage: self._on_client_message,
            X.SelectionRequest: self.owner.on_selection_request,
            X.SelectionClear: self.owner.on_selection_clear,
            X.SelectionNotify: self.reader.on_selection_notify,
            X.MappingNotify: self._on_mapping,
        }

    # -- start-up ----------------------------------------------------------------------

    def start(self) -> None:
        """Become the domain's window manager and compositor, and adopt existing windows.

        Raises DisplayError when another client already has either role.
        """
        caught = error.CatchError(error.BadAccess)
        self.root.change_attributes(event_mask=ROOT_EVENT_MASK, onerror=caught)
        self.display.sync()
        if caught.get_error():
            raise DisplayError(f"another window manager runs on {self.display_name}")
        caught = error.CatchError(error.BadAccess)
        # Manual redirection keeps every top-level window in its own pixmap, so a
        # capture is exact even where windows overlap.
        self.root.composite_redirect_subwindows(composite.RedirectManual, onerror=caught)
        self.display.sync()
        if caught.get_error():
            raise DisplayError(f"another compositor redirects the windows of {self.display_name}")
        self.display.xfixes_select_cursor_input(self.root, xfixes.XFixesDisplayCursorNotifyMask)
        # Key repeat comes from the GUI display, whose X server repeats held keys and
        # whose daemon forwards each repeat. A domain repeating on its own would keep
        # repeating a key whose release it has not seen yet (focus moved away).
        self.display.change_keyboard_control(auto_repeat_mode=X.AutoRepeatModeOff)
        self.manager.advertise()
        for child in self.root.query_tree().children:
            if child.id == self.helper.id:
                self.table.add_untracked(child.id)
            else:
                self._adopt(child.id)
        self.display.flush()
        logger.info("managing display %s with %d existing windows", self.display_name, len(self.table))

    def _adopt(self, window_id: int) -> WindowRecord | None:
        """Track a window that exists already (at start-up or reparented onto the root)."""
        window = self.display.create_resource_object("window", window_id)
        try:
            attributes = window.get_attributes()
            geometry = window.get_geometry()
        except error.XError:
            logger.debug("window %#x vanished before it was adopted", window_id)
            return None
        if attributes.win_class != X.InputOutput:
            self.table.add_untracked(window_id)
            return None
        record = self._track(window_id, geometry.x, geometry.y, geometry.width, geometry.height,
                             geometry.border_width, bool(attributes.override_redirect))
        if attributes.map_state != X.IsUnmapped:
            self._mapped(record)
        return record

    def _track(self, window_id, x, y, width, height, border_width, override_redirect) -> WindowRecord:
        record = WindowRecord(window_id, x, y, width, height, border_width, override_redirect)
        self.table.add(record)
        window = self.display.create_resource_object("window", window_id)
        window.change_attributes(event_mask=TOPLEVEL_EVENT_MASK)
        self._announce_create(record)
        return record

    # -- the X event loop's entry points -------------------------------------------------

    def process_x_events(self, read_socket: bool = True) -> int:
        """Handle every X event already queued, and those readable now if ``read_socket``; return how many.

        Pass ``read_socket=False`` when select found the connection not readable:
        then only the events python-xlib read during earlier round trips wait.
        """
        count = 0
        if read_socket:
            self.display.pending_events()
        while queued_events(self.display):
            event = self.display.next_event()
            count += 1
            try:
                self._dispatch(event)
            except error.XError as failure:
                # A reply request about a window that vanished meanwhile.
                logger.debug("X error while handling event %d: %s", event.type, type(failure).__name__)
        return count

    def _dispatch(self, event) -> None:
        handler = self._handlers.get(event.type)
        if handler is not None:
            handler(event)
        elif event.type == self._cursor_event[0] and getattr(event, "sub_code", None) == self._cursor_event[1]:
            self._on_cursor(event)

    def process_damage_events(self, read_socket: bool = True) -> int:
        """Handle the DamageNotify events of the capturing connection; return how many.

        With ``read_socket`` false only the events libxcb read during round trips
        (captures) are handled.
        """
        notifications, errors = self.damage.poll(read_socket)
        for notification in notifications:
            self._on_damage(notification)
        for failure in errors:
            if failure.error_code in self._damage_race_errors:
                logger.debug("X error on the capturing connection, the window is probably gone: %s", failure)
            else:
                logger.warning("X error on the capturing connection: %s", failure)
        return len(notifications)

    def flush_work(self) -> None:
        """Make the buffers and captures the handled events asked for, and send them."""
        if self.session.ready:
            congested = self.session.outgoing_bytes > CAPTURE_BACKLOG_BYTES
            for record in self.table:
                if record.mapped and record.needs_buffer:
                    self._send_new_buffer(record)
                if not congested and record.accepted and record.pending_damage:
                    for damage in self.capturer.capture_pending(record):
                        self.session.send(damage)
        if has_unsent_requests(self.display):
            self.display.flush()
        self.session.flush()
        if not self.session.wants_write:
            self.capturer.close_retired()

    def _send_new_buffer(self, record: WindowRecord) -> None:
        try:
            message = self.capturer.allocate(record)
        except (OSError, ValueError) as failure:
            logger.error("window %#x: cannot make a %dx%d buffer: %s", record.window_id,
                         *record.buffer_size(), failure)
            record.needs_buffer = False
            return
        except XcbError as failure:
            logger.error("window %#x: attaching its buffer failed: %s", record.window_id, failure)
            record.needs_buffer = False
            return
        self.session.send(message)

    # -- sessions --------------------------------------------------------------------------

    def announce_all(self) -> None:
        """Send the whole window table to a new daemon: create, metadata, map, buffers."""
        records = self.table.in_stacking_order()
        for record in records:
            record.forget_session()
            self._announce_create(record)
        for record in records:
            if record.mapped:
                self._announce_map(record)
                record.needs_buffer = True
        logger.info("announced %d windows (%d mapped)", len(records), sum(r.mapped for r in records))

    def on_session_closed(self) -> None:
        """Free every buffer: the daemon that mapped them is gone."""
        for record in self.table:
            self.capturer.release(record)
            record.forget_session()
            record.needs_buffer = record.mapped
        self.capturer.close_retired()
        self.reader.cancel()

    def _announce_create(self, record: WindowRecord) -> None:
        if not self.session.ready:
            return
        x, y, width, height = record.protocol_geometry()
        self.session.send(m.CreateWindow(window=record.window_id, x=x, y=y, width=width, height=height,
                                         override_redirect=int(record.override_redirect)))
        record.announced = True
        record.sent_geometry = (x, y, width, height, record.override_redirect)

    def _announce_map(self, record: WindowRecord) -> None:
        """Send the metadata of a window that is being shown, then MapWindow."""
        window = self.display.create_resource_object("window", record.window_id)
        self._send_metadata(record, window)
        transient_for = record.transient_for
        if transient_for == record.window_id or self.table.get(transient_for) is None:
            transient_for = 0
        self.session.send(m.MapWindow(window=record.window_id, transient_for=transient_for,
                                      override_redirect=int(record.override_redirect)))
        requested = metadata.states_from_atoms(metadata.read_net_wm_state(window, self.atoms), self.atoms)
        requested &= WindowState.FULLSCREEN | WindowState.DEMANDS_ATTENTION | WindowState.MAXIMIZED
        if requested:
            self.session.send(m.RequestState(window=record.window_id, set=requested, unset=WindowState(0)))

    def _send_metadata(self, record: WindowRecord, window, only: set[str] | None = None) -> None:
        """Send the title, class and hints that changed since they were last sent."""
        if only is None or "title" in only:
            title = metadata.read_title(window, self.atoms)
            if title is not None and title != record.sent.title:
                self.session.send(m.SetTitle(window=record.window_id, title=title))
                record.sent.title = title
        if only is None or "class" in only:
            window_class = metadata.read_class(window)
            if window_class is not None and window_class != record.sent.window_class:
                self.session.send(m.SetClass(window=record.window_id, res_class=window_class[1],
                                             res_name=window_class[0]))
                record.sent.window_class = window_class
        if only is None or "hints" in only:
            hints = metadata.read_hints(window)
            if hints is not None and hints != record.sent.hints:
                self.session.send(hints)
                record.sent.hints = hints

    def send_geometry(self, record: WindowRecord, ack_serial: int = 0) -> None:
        x, y, width, height = record.protocol_geometry()
        geometry = (x, y, width, height, record.override_redirect)
        if ack_serial == 0 and geometry == record.sent_geometry:
            return
        record.sent_geometry = geometry
        self.session.send(m.ConfigureWindow(window=record.window_id, x=x, y=y, width=width, height=height,
                                            override_redirect=int(record.override_redirect),
                                            ack_serial=ack_serial))

    # -- window life cycle ---------------------------------------------------------------------

    def _on_create(self, event) -> None:
        window_id = resource_id(event.window)
        if resource_id(event.parent) != self.root.id or window_id == self.helper.id:
            return
        window = self.display.create_resource_object("window", window_id)
        try:
            attributes = window.get_attributes()
        except error.XError:
            logger.debug("window %#x vanished right after its creation", window_id)
            return
        if attributes.win_class != X.InputOutput:
            self.table.add_untracked(window_id)
            return
        self._track(window_id, event.x, event.y, event.width, event.height, event.border_width,
                    bool(event.override))
        logger.debug("window %#x created, %dx%d", window_id, event.width, event.height)

    def _on_destroy(self, event) -> None:
        window_id = resource_id(event.window)
        record = self.table.remove(window_id)
        self.owner.forget_window(window_id)
        if record is None:
            return
        self.capturer.release(record)
        self.manager.forget(window_id)
        if self.pointer_window == window_id:
            self.pointer_window = None
        if record.announced:
            self.session.send(m.DestroyWindow(window=window_id))
        logger.debug("window %#x destroyed", window_id)

    def _on_map_request(self, event) -> None:
        self.manager.on_map_request(event, self.table.get(resource_id(event.window)))

    def _on_map(self, event) -> None:
        if resource_id(event.event) != self.root.id:
            return
        record = self.table.get(resource_id(event.window))
        if record is None or record.mapped:
            return
        record.override_redirect = bool(event.override)
        self._mapped(record)

    def _mapped(self, record: WindowRecord) -> None:
        """Start showing a window that X reports mapped: metadata, damage, a buffer."""
        window = self.display.create_resource_object("window", record.window_id)
        record.mapped = True
        record.protocols = metadata.read_protocols(window, self.atoms)
        record.accepts_input, _ = metadata.read_wm_hints(window)
        record.transient_for = metadata.read_transient_for(window)
        try:
            record.depth = window.get_geometry().depth
        except error.XError:
            logger.debug("window %#x vanished while it was mapped", record.window_id)
        record.damage = self.damage.create(record.window_id)
        record.needs_buffer = True
        if self.session.ready:
            self.send_geometry(record)
            self._announce_map(record)
        logger.debug("window %#x mapped", record.window_id)

    def _on_unmap(self, event) -> None:
        if resource_id(event.event) != self.root.id or event.send_event:
            return
        record = self.table.get(resource_id(event.window))
        if record is None or not record.mapped:
            return
        record.mapped = False
        record.needs_buffer = False
        self.capturer.release(record)
        if record.damage is not None:
            self.damage.destroy(record.damage)
            record.damage = None
        self.manager.withdraw(record)
        if record.announced:
            self.session.send(m.UnmapWindow(window=record.window_id))
        logger.debug("window %#x unmapped", record.window_id)

    def _on_configure(self, event) -> None:
        if resource_id(event.event) != self.root.id:
            return
        window_id = resource_id(event.window)
        record = self.table.get(window_id)
        top_before = self.table.topmost_mapped()
        self.table.restack(window_id, resource_id(event.above_sibling))
        if record is None:
            return
        record.x, record.y = event.x, event.y
        record.width, record.height = event.width, event.height
        record.border_width = event.border_width
        record.override_redirect = bool(event.override)
        if record.mapped and record.buffer is not None and \
                (record.buffer.width, record.buffer.height) != record.buffer_size():
            record.needs_buffer = True
        if record.announced:
            self.send_geometry(record)
        self._report_raise(record, top_before)

    def _on_circulate_request(self, event) -> None:
        window = self.display.create_resource_object("window", resource_id(event.window))
        window.configure(stack_mode=X.Above if event.place == X.PlaceOnTop else X.Below)

    def _on_circulate(self, event) -> None:
        window_id = resource_id(event.window)
        top_before = self.table.topmost_mapped()
        if event.place == X.PlaceOnTop:
            self.table.place_on_top(window_id)
        else:
            self.table.place_on_bottom(window_id)
        record = self.table.get(window_id)
        if record is not None:
            self._report_raise(record, top_before)

    def _report_raise(self, record: WindowRecord, top_before: int | None) -> None:
        if record.mapped and record.announced and top_before != record.window_id \
                and self.table.topmost_mapped() == record.window_id:
            self.session.send(m.RaiseWindow(window=record.window_id))

    def _on_reparent(self, event) -> None:
        window_id = resource_id(event.window)
        if resource_id(event.parent) == self.root.id:
            if self.table.get(window_id) is None:
                self._adopt(window_id)
            return
        # Reparented away from the root: no longer a top-level window.
        self._on_destroy(event)

    # -- metadata and requests -------------------------------------------------------------

    def _on_property(self, event) -> None:
        if self.reader.on_property_notify(event) or self.owner.on_property_notify(event):
            return
        record = self.table.get(resource_id(event.window))
        if record is None or not record.mapped:
            return
        window = self.display.create_resource_object("window", record.window_id)
        atom = event.atom
        atoms = self.atoms
        if atom == atoms.WM_PROTOCOLS:
            record.protocols = metadata.read_protocols(window, atoms)
        elif atom == Xatom.WM_TRANSIENT_FOR:
            record.transient_for = metadata.read_transient_for(window)
        elif atom == Xatom.WM_HINTS:
            accepts_input, urgent = metadata.read_wm_hints(window)
            record.accepts_input = accepts_input
            if urgent and not record.state & WindowState.DEMANDS_ATTENTION:
                self.session.send(m.RequestState(window=record.window_id, set=WindowState.DEMANDS_ATTENTION,
                                                 unset=WindowState(0)))
        elif not record.announced:
            return
        elif atom in (atoms._NET_WM_NAME, Xatom.WM_NAME):
            self._send_metadata(record, window, {"title"})
        elif atom == Xatom.WM_CLASS:
            self._send_metadata(record, window, {"class"})
        elif atom == Xatom.WM_NORMAL_HINTS:
            self._send_metadata(record, window, {"hints"})

    def _on_client_message(self, event) -> None:
        record = self.table.get(resource_id(event.window))
        if record is None or event.data[0] != 32:
            return
        request = self.manager.state_request(event, record)
        if request is not None and record.announced:
            self.session.send(request)

    def _on_mapping(self, event) -> None:
        self.display.refresh_keyboard_mapping(event)
        self.injector.refresh_modifiers()

    # -- pixels and cursor -----------------------------------------------------------------

    def _on_damage(self, notification: DamageNotify) -> None:
        record = self.table.get(notification.drawable)
        if record is None or not record.accepted or record.buffer is None:
            # Before acceptance the whole window is captured anyway, after a subtract.
            return
        record.pending_damage.add(notification.x, notification.y, notification.width, notification.height,
                                  record.buffer.width, record.buffer.height)

    def _on_cursor(self, event) -> None:
        name = self.atoms.name(event.name) if event.name else None
        self.cursor_glyph = glyph_for_name(name)
        self.send_cursor()

    def send_cursor(self) -> None:
        """Tell the daemon the pointer shape of the window under the domain's pointer."""
        record = self.table.get(self.pointer_window) if self.pointer_window else None
        if record is None or not record.mapped or not record.announced:
            return
        if record.sent.cursor != self.cursor_glyph:
            self.session.send(m.SetCursor(window=record.window_id, shape=self.cursor_glyph))
            record.sent.cursor = self.cursor_glyph
