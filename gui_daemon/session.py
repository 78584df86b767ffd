"""One domain session: every message from the agent, through one dispatch table.

A ``Session`` receives typed messages that ``protocol`` has already checked
field by field. Its handlers add the rules that need state (the window table,
shared memory, quotas, policy) and call the presenter and the painter. A rule
broken here raises ``RemoteProtocolError`` like a parsing error does; the loop
turns either into the end of this session only.
"""

from __future__ import annotations

import logging
import os
import time

from protocol import IgnoredMessage, RemoteProtocolError, limits
from protocol import messages as m
from shm.errors import BufferRejected

from . import painting
from .clipboard_session import ClipboardSession
from .placement import ScreenArea, constrain_override_redirect, covers_most
from .policy import DomainPolicy
from .presenter import Presenter, paintable_area
from .stats import Statistics
from .windows import DomainWindow, Geometry, WindowTable

logger = logging.getLogger(__name__)

# Damage rectangles kept per window between two flushes; more are merged into
# their bounding box, so a flood of tiny rectangles costs one put.
MAX_PENDING_RECTANGLES = 16

# Pixels from the domain screen's origin within which a window without a requested
# position counts as never placed: X borders are a few pixels wide.
UNPLACED_MARGIN = 8

# Seconds between two title changes shown for one window (20 per second at most).
MIN_TITLE_INTERVAL = 0.05


class Session:
    """The state of one connected agent and the handlers of its messages."""

    def __init__(self, policy: DomainPolicy, presenter: Presenter, xcb, gc: int, channel,
                 screen: ScreenArea, clipboard: ClipboardSession, stats: Statistics,
                 region=None, region_segment: int = 0):
        self.policy = policy
        self.presenter = presenter
        self.xcb = xcb
        self.gc = gc
        self.channel = channel
        self.screen = screen
        self.clipboard = clipboard
        self.stats = stats
        # The VM backend's shared region and its segment on the GUI server; None with fd passing.
        self.region = region
        self.region_segment = region_segment
        self.windows = WindowTable(policy.max_windows)
        self.by_local_id: dict[int, DomainWindow] = {}
        self.configure_serial = 0
        self._privilege_notices: set[int] = set()
        # Windows with damage not yet put, and windows with a held-back title, by remote id.
        self._damaged: dict[int, DomainWindow] = {}
        self._damage_received_at = 0.0
        self._pending_titles: dict[int, DomainWindow] = {}
        self._handlers = {
            m.CreateWindow: self.handle_create,
            m.DestroyWindow: self.handle_destroy,
            m.MapWindow: self.handle_map,
            m.UnmapWindow: self.handle_unmap,
            m.ConfigureWindow: self.handle_configure,
            m.RaiseWindow: self.handle_raise,
            m.Dock: self.handle_dock,
            m.SetBuffer: self.handle_set_buffer,
            m.Damage: self.handle_damage,
            m.SetTitle: self.handle_title,
            m.SetClass: self.handle_class,
            m.SetHints: self.handle_hints,
            m.RequestState: self.handle_request_state,
            m.SetCursor: self.handle_cursor,
            m.ClipboardData: self.handle_clipboard_data,
        }

    # -- dispatch ----------------------------------------------------------------------

    def dispatch(self, event, received_at: float) -> None:
        """Handle one event from the codec; raises RemoteProtocolError for a violation."""
        if isinstance(event, IgnoredMessage):
            self.stats.ignored[event.message_type] += 1
            logger.debug("domain %s: ignored %s for window %#x: %s", self.policy.name,
                         event.message_type, event.window, event.rule)
            return
        if self._damaged and type(event) is not m.Damage:
            self.flush_damage()
        handler = self._handlers.get(type(event))
        if handler is None:
            # Every agent message type has a handler; a missing one is our bug, and
            # the session ends rather than letting the message pass unchecked.
            raise RemoteProtocolError(type(event).__name__, None, None, "message has no handler in the daemon")
        self.stats.messages[type(event).__name__] += 1
        handler(event, received_at)

    def ignore(self, message, rule: str) -> None:
        """Count and log a message that is valid but has no effect now."""
        name = type(message).__name__
        self.stats.ignored[name] += 1
        logger.debug("domain %s: ignored %s for window %#x: %s", self.policy.name, name, message.window, rule)

    # -- window life cycle ----------------------------------------------------------

    def handle_create(self, message, _received_at) -> None:
        geometry = Geometry(message.x, message.y, message.width, message.height)
        window = self.windows.create(message.window, geometry, bool(message.override_redirect))
        window.domain_position = (message.x, message.y)
        if window.override_redirect:
            window.geometry = constrain_override_redirect(geometry, self.screen.work_area)
        local_id = self.presenter.create(window)
        self.by_local_id[local_id] = window
        logger.debug("domain %s: window %#x created as %#x at %d,%d size %dx%d%s", self.policy.name,
                     window.remote_id, local_id, window.geometry.x, window.geometry.y, window.geometry.width,
                     window.geometry.height, " (undecorated)" if window.override_redirect else "")

    def handle_destroy(self, message, _received_at) -> None:
        window, orphans = self.windows.destroy(message.window)
        for orphan in orphans:
            self.presenter.set_transient_for(orphan, None)
        self._forget(window)

    def handle_map(self, message, _received_at) -> None:
        window = self.windows.require(message.window, "MapWindow")
        if window.docked:
            self.ignore(message, "a docked window is shown by the tray, not mapped")
            return
        requested_override = bool(message.override_redirect)
        if window.mapped:
            if requested_override != window.override_redirect:
                self.ignore(message, "override-redirect cannot change while the window is mapped")
            return
        if requested_override != window.override_redirect:
            self.presenter.set_override_redirect(window, requested_override)
        window.transient_for = self.windows.resolve_transient(window, message.transient_for)
        target = self.windows.find(window.transient_for) if window.transient_for else None
        self.presenter.set_transient_for(window, target)
        if window.override_redirect:
            self._constrain_undecorated(window)
        elif self._left_unplaced(window):
            # The application chose no position, so the window manager places the
            # window (it places windows at 0,0); the agent then learns the place
            # through Configure.
            window.geometry = Geometry(0, 0, window.geometry.width, window.geometry.height)
            self.presenter.move_resize(window, window.geometry)
        window.mapped = True
        window.ever_mapped = True
        self.presenter.map(window)

    @staticmethod
    def _left_unplaced(window: DomainWindow) -> bool:
        """Return True for a managed window shown for the first time where nobody placed it.

        The domain's X server leaves such a window at its origin, offset by the
        window's border. A window elsewhere keeps its place, e.g. when the agent
        replays its windows to a restarted daemon.
        """
        return (not window.ever_mapped and not window.position_requested
                and 0 <= window.geometry.x <= UNPLACED_MARGIN and 0 <= window.geometry.y <= UNPLACED_MARGIN)

    def handle_unmap(self, message, _received_at) -> None:
        window = self.windows.require(message.window, "UnmapWindow")
        if not window.mapped:
            self.ignore(message, "window is not mapped")
            return
        window.mapped = False
        self.presenter.unmap(window)

    def handle_configure(self, message, _received_at) -> None:
        window = self.windows.require(message.window, "ConfigureWindow")
        if message.override_redirect != window.override_redirect and window.mapped:
            self.ignore(message, "override-redirect cannot change while the window is mapped")
        if window.pending_configure_serial:
            if message.ack_serial != window.pending_configure_serial:
                # The user's move or resize wins until the agent acknowledges it.
                self.ignore(message, "a daemon Configure is not acknowledged yet")
                return
            window.pending_configure_serial = 0
        requested = Geometry(message.x, message.y, message.width, message.height)
        if window.override_redirect:
            window.geometry = constrain_override_redirect(requested, self.screen.work_area)
            if window.mapped:
                self._constrain_undecorated(window)
            self.presenter.move_resize(window, window.geometry)
            self.presenter.draw_frame(window)
            return
        # The domain moved the window only if its position differs from the last one
        # the domain reported; a resize alone keeps where the window manager put it.
        moved = (message.x, message.y) != window.domain_position
        window.domain_position = (message.x, message.y)
        if message.ack_serial:
            return  # the agent followed the window manager: nothing to ask for
        # A managed window: the window manager decides and reports back through
        # ConfigureNotify. Until then, a ConfigureNotify that still shows the old
        # size is stale and must not shrink the domain's window back.
        if (requested.width, requested.height) != (window.geometry.width, window.geometry.height):
            window.size_before_request = (window.geometry.width, window.geometry.height)
        if moved:
            window.geometry = requested
            self.presenter.move_resize(window, requested)
        else:
            window.geometry = Geometry(window.geometry.x, window.geometry.y, requested.width, requested.height)
            self.presenter.resize(window, requested.width, requested.height)

    def handle_raise(self, message, _received_at) -> None:
        window = self.windows.require(message.window, "RaiseWindow")
        if not window.mapped:
            self.ignore(message, "window is not mapped")
            return
        if window.override_redirect or self.has_focus():
            self.presenter.raise_window(window)
        else:
            self.ignore(message, "a domain without the focus cannot raise its windows")

    def handle_dock(self, message, _received_at) -> None:
        window = self.windows.require(message.window, "Dock")
        if window.mapped:
            self.ignore(message, "a mapped window cannot be docked")
            return
        # NOTE: the desktop has no tray yet, so a docked window stays hidden.
        window.docked = True
        if window.override_redirect:
            self.presenter.set_override_redirect(window, False)

    # -- buffers and damage ---------------------------------------------------------

    def handle_set_buffer(self, message, _received_at) -> None:
        try:
            window = self._check_set_buffer(message)
        except BaseException:
            _close_handles(message)
            raise
        try:
            if message.handles:
                buffer = painting.accept_fd_buffer(self.xcb, message)  # closes the fd in every case
            else:
                buffer = painting.accept_region_buffer(self.region, self.region_segment, message)
        except BufferRejected as error:
            raise RemoteProtocolError("SetBuffer", "handles", message.serial,
                                      f"buffer rejected: {error.reason}") from None
        if window.buffer is not None:
            window.buffer.release(self.xcb, owns_segment=self.region is None)
        window.buffer = buffer
        window.buffer_serial = message.serial
        self.channel.send(m.BufferAccepted(window=message.window, serial=message.serial))

    def _check_set_buffer(self, message) -> DomainWindow:
        window = self.windows.require(message.window, "SetBuffer")
        if message.serial <= window.buffer_serial:
            raise RemoteProtocolError("SetBuffer", "serial", message.serial,
                                      f"buffer serials must increase (last {window.buffer_serial})")
        old_bytes = window.buffer.size if window.buffer is not None else 0
        total = self.windows.buffer_bytes() - old_bytes + message.stride * message.height
        if total > self.policy.max_buffer_bytes:
            raise RemoteProtocolError("SetBuffer", "stride", message.stride,
                                      f"buffers would take {total} bytes, quota {self.policy.max_buffer_bytes}")
        return window

    def handle_damage(self, message, received_at) -> None:
        window = self.windows.require(message.window, "Damage")
        if not window.mapped:
            self.ignore(message, "window is not mapped")
            return
        buffer = window.buffer
        if buffer is None or message.serial != buffer.serial:
            self.ignore(message, "damage refers to no current buffer")
            return
        paintable = paintable_area(window)
        if paintable is None:
            return  # a tiny undecorated window is all frame
        rect = painting.clip_damage((message.x, message.y, message.width, message.height),
                                    window.geometry.width, window.geometry.height, buffer, paintable)
        if rect is None:
            self.ignore(message, "damage lies outside the window and buffer")
            return
        if not self._damaged:
            self._damage_received_at = received_at
        self._damaged[window.remote_id] = window
        window.pending_damage = painting.merge_damage(window.pending_damage, rect, MAX_PENDING_RECTANGLES)

    def flush_damage(self) -> None:
        """Put every rectangle damaged since the last flush: one put per rectangle left after merging.

        The loop calls this after each read from the channel, and ``dispatch`` before
        any other message, so a buffer, size or mapping change never overtakes the
        damage that came before it.
        """
        latency = time.monotonic() - self._damage_received_at
        for window in self._damaged.values():
            rectangles, window.pending_damage = window.pending_damage, []
            if window.buffer is None or window.local is None:
                continue
            for rect in rectangles:
                painting.put(self.xcb, window.local.id, self.gc, window.buffer, rect)
                self.stats.record_paint(rect.width * rect.height, latency)
            window.painted = True
        self._damaged.clear()

    def repaint(self, window: DomainWindow, x: int, y: int, width: int, height: int) -> None:
        """Repaint an exposed area from the buffer, then the daemon's frame."""
        buffer = window.buffer
        paintable = paintable_area(window)
        if buffer is not None and paintable is not None and window.painted:
            rect = painting.clip_damage((x, y, width, height), window.geometry.width, window.geometry.height,
                                        buffer, paintable)
            if rect is not None:
                painting.put(self.xcb, window.local.id, self.gc, buffer, rect)
        self.presenter.draw_frame(window)

    # -- metadata -------------------------------------------------------------------

    def handle_title(self, message, _received_at) -> None:
        window = self.windows.require(message.window, "SetTitle")
        now = time.monotonic()
        if now - window.title_applied_at >= MIN_TITLE_INTERVAL:
            self._apply_title(window, message.title, now)
            return
        # A title that changes faster than anyone can read costs the window manager a
        # redraw each time; keep only the latest and apply it when the interval is over.
        window.pending_title = message.title
        self._pending_titles[window.remote_id] = window

    def _apply_title(self, window: DomainWindow, title: str, now: float) -> None:
        window.pending_title = None
        window.title_applied_at = now
        self.presenter.set_title(window, title)

    def next_deadline(self) -> float | None:
        """Return when ``run_timers`` has work (a held-back title), or None."""
        deadlines = [window.title_applied_at + MIN_TITLE_INTERVAL for window in self._pending_titles.values()]
        clipboard_deadline = self.clipboard.next_deadline()
        if clipboard_deadline is not None:
            deadlines.append(clipboard_deadline)
        return min(deadlines) if deadlines else None

    def run_timers(self) -> None:
        now = time.monotonic()
        for remote_id, window in list(self._pending_titles.items()):
            if window.local is None:
                del self._pending_titles[remote_id]
            elif now >= window.title_applied_at + MIN_TITLE_INTERVAL:
                del self._pending_titles[remote_id]
                self._apply_title(window, window.pending_title, now)
        self.clipboard.expire()

    def handle_class(self, message, _received_at) -> None:
        window = self.windows.require(message.window, "SetClass")
        self.presenter.set_class(window, message.res_class, message.res_name)

    def handle_hints(self, message, _received_at) -> None:
        window = self.windows.require(message.window, "SetHints")
        window.position_requested = bool(message.flags & (m.HintFlags.USER_POSITION | m.HintFlags.PROGRAM_POSITION))
        self.presenter.set_hints(window, message)

    def handle_cursor(self, message, _received_at) -> None:
        window = self.windows.require(message.window, "SetCursor")
        self.presenter.set_cursor(window, message.shape)

    def handle_request_state(self, message, _received_at) -> None:
        window = self.windows.require(message.window, "RequestState")
        atom = self.presenter.atom
        wanted = m.WindowState(message.set)
        unwanted = m.WindowState(message.unset)
        if wanted & m.WindowState.FULLSCREEN:
            self._enter_fullscreen(window)
        if unwanted & m.WindowState.FULLSCREEN:
            self.presenter.request_state(window, False, atom.NET_WM_STATE_FULLSCREEN)
            if not self.policy.allow_fullscreen:
                self.presenter.request_state(window, False, atom.NET_WM_STATE_MAXIMIZED_VERT,
                                             atom.NET_WM_STATE_MAXIMIZED_HORZ)
        if wanted & m.WindowState.MAXIMIZED or unwanted & m.WindowState.MAXIMIZED:
            self.presenter.request_state(window, bool(wanted & m.WindowState.MAXIMIZED),
                                         atom.NET_WM_STATE_MAXIMIZED_VERT, atom.NET_WM_STATE_MAXIMIZED_HORZ)
        if wanted & m.WindowState.DEMANDS_ATTENTION or unwanted & m.WindowState.DEMANDS_ATTENTION:
            self.presenter.request_state(window, bool(wanted & m.WindowState.DEMANDS_ATTENTION),
                                         atom.NET_WM_STATE_DEMANDS_ATTENTION)
        if wanted & m.WindowState.MINIMIZED and window.mapped:
            self.presenter.request_iconify(window)

    def _enter_fullscreen(self, window: DomainWindow) -> None:
        atom = self.presenter.atom
        if self.policy.allow_fullscreen:
            self.presenter.request_state(window, True, atom.NET_WM_STATE_FULLSCREEN)
            return
        # Without permission, fullscreen becomes a maximize inside the work area, and
        # the agent receives the fullscreen state so the application can leave it cleanly.
        window.fullscreen_requested = True
        self.presenter.request_state(window, True, atom.NET_WM_STATE_MAXIMIZED_VERT, atom.NET_WM_STATE_MAXIMIZED_HORZ)
        self._report_state(window, window.reported_state | m.WindowState.FULLSCREEN)

    def window_state_changed(self, window: DomainWindow) -> None:
        """Report the state the window manager gave the window (maximized, minimized, ...)."""
        net_states, iconic = self.presenter.read_window_state(window)
        atom = self.presenter.atom
        state = m.WindowState(0)
        maximized = atom.NET_WM_STATE_MAXIMIZED_VERT in net_states and atom.NET_WM_STATE_MAXIMIZED_HORZ in net_states
        if atom.NET_WM_STATE_FULLSCREEN in net_states:
            state |= m.WindowState.FULLSCREEN
        if window.fullscreen_requested:
            if maximized:
                state |= m.WindowState.FULLSCREEN
            else:
                window.fullscreen_requested = False  # the user left the granted maximize
        elif maximized:
            state |= m.WindowState.MAXIMIZED
        if iconic or atom.NET_WM_STATE_HIDDEN in net_states:
            state |= m.WindowState.MINIMIZED
        if atom.NET_WM_STATE_DEMANDS_ATTENTION in net_states:
            state |= m.WindowState.DEMANDS_ATTENTION
        self._report_state(window, state)

    def _report_state(self, window: DomainWindow, state: int) -> None:
        if state != window.reported_state:
            window.reported_state = state
            self.channel.send(m.SetWindowState(window=window.remote_id, state=m.WindowState(state)))

    def window_configured(self, window: DomainWindow, event) -> None:
        """Tell the agent where the user put a managed window; the move wins until acknowledged."""
        if window.override_redirect:
            return  # the daemon placed it itself
        x, y = self.presenter.root_position(window, event)
        x = max(-limits.MAX_COORDINATE, min(limits.MAX_COORDINATE, x))
        y = max(-limits.MAX_COORDINATE, min(limits.MAX_COORDINATE, y))
        width = min(max(event.width, 1), limits.MAX_WINDOW_WIDTH)
        height = min(max(event.height, 1), limits.MAX_WINDOW_HEIGHT)
        if window.size_before_request is not None:
            if (width, height) == window.size_before_request:
                width, height = window.geometry.width, window.geometry.height  # stale: keep the requested size
            else:
                window.size_before_request = None  # the window manager applied (or adjusted) the request
        geometry = Geometry(x, y, width, height)
        if geometry == window.geometry:
            return
        window.geometry = geometry
        self.configure_serial += 1
        window.pending_configure_serial = self.configure_serial
        self.channel.send(m.Configure(window=window.remote_id, x=x, y=y, width=width, height=height,
                                      serial=self.configure_serial))

    def run_hotkey(self, action: str, event_time: int) -> None:
        """Carry out a secure hotkey pressed in one of this domain's windows."""
        if action == "copy":
            self.clipboard.request_copy(event_time)
        elif action == "paste":
            self.clipboard.paste()

    # -- clipboard ---------------------------------------------------------------------

    def handle_clipboard_data(self, message, _received_at) -> None:
        self.clipboard.receive(message)

    # -- helpers -----------------------------------------------------------------------

    def has_focus(self) -> bool:
        focus = self.presenter.display.get_input_focus().focus
        return getattr(focus, "id", None) in self.by_local_id

    def _constrain_undecorated(self, window: DomainWindow) -> None:
        """Keep an undecorated window in the work area, or take its privilege away."""
        window.geometry = constrain_override_redirect(window.geometry, self.screen.work_area)
        others = [other.geometry for other in self.windows
                  if other.override_redirect and other.mapped and other is not window]
        if not covers_most(window.geometry, others, self.screen.work_area):
            self.presenter.move_resize(window, window.geometry)
            return
        # Too large to be a menu or tooltip: the window manager frames it like any other.
        was_mapped = window.mapped
        if was_mapped:
            self.presenter.unmap(window)
        self.presenter.set_override_redirect(window, False)
        if window.remote_id not in self._privilege_notices:
            self._privilege_notices.add(window.remote_id)
            self.presenter.notify("an undecorated window covered most of the screen and is now framed")
            logger.warning("domain %s: window %#x covered most of the work area; it loses override-redirect",
                           self.policy.name, window.remote_id)
        if was_mapped:
            self.presenter.map(window)

    def _forget(self, window: DomainWindow) -> None:
        self._damaged.pop(window.remote_id, None)
        self._pending_titles.pop(window.remote_id, None)
        if window.buffer is not None:
            window.buffer.release(self.xcb, owns_segment=self.region is None)
            window.buffer = None
        if window.local is not None:
            self.by_local_id.pop(window.local.id, None)
        self.presenter.destroy(window)

    def close(self) -> None:
        """Remove every window of the domain and free its buffers (end of session)."""
        for window in self.windows.clear():
            self._forget(window)
        self.clipboard.cancel()


def _close_handles(message) -> None:
    for handle in getattr(message, "handles", ()):
        os.close(handle)
