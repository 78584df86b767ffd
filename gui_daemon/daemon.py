"""The daemon's I/O loop: one domain's channel, the GUI display, timers and signals.

The loop is thin. Bytes from the channel go into ``protocol`` (inside
``Channel.receive``); typed messages go to ``Session.dispatch``; X events from
the GUI display go to ``InputHandlers`` or the root-window handlers here. Nothing
waits for the agent: the channel is non-blocking, a domain that stops reading is
cut off when its outgoing queue is full, and a domain that stops halfway through a
message only leaves bytes in its own receive buffer.

Any protocol violation, and any other exception while handling the domain's
input, ends that domain's session: its windows are destroyed and its buffers
freed. Then the daemon waits for the agent to reconnect, or exits, as configured.
"""

from __future__ import annotations

import enum
import logging
import os
import select
import signal
import time
from pathlib import Path

from Xlib import X, Xatom

from domains.channel import DEFAULT_MAX_OUTGOING_BYTES, Channel, ChannelClosed, OutgoingQueueFull, listen_unix
from protocol import BufferTransport, Connection, RemoteProtocolError, Role, VersionMismatch
from protocol import limits
from protocol import messages as m
from shm.xcb import XcbConnection
from wm.trust import register_daemon, unregister_daemon
from wm.xconn import has_unsent_requests, open_display, queued_events

from .clipboard import ClipboardStore
from .clipboard_session import ClipboardSession
from .hotkeys import HotkeyMatcher
from .input import InputHandlers
from .placement import ScreenArea
from .policy import DomainPolicy, Hotkeys
from .presenter import Presenter
from .session import Session
from .stats import Statistics
from .windows import Geometry

logger = logging.getLogger(__name__)

# Seconds a connected agent has to complete the version handshake.
HANDSHAKE_TIMEOUT = 10.0

# XKB names sent when the GUI display does not publish _XKB_RULES_NAMES.
DEFAULT_XKB = ("evdev", "pc105", "us", "", "")


class OnDisconnect(enum.Enum):
    """The daemon's action when a domain's session ends."""

    WAIT = "wait"  # keep listening for the agent to reconnect
    EXIT = "exit"  # exit (the supervisor decides what happens next)


class Daemon:
    """The GUI daemon of one domain."""

    def __init__(self, policy: DomainPolicy, display_name: str, channel_path: str, *,
                 hotkeys: Hotkeys = Hotkeys(), clipboard_dir: Path,
                 on_disconnect: OnDisconnect = OnDisconnect.WAIT,
                 max_outgoing_bytes: int = DEFAULT_MAX_OUTGOING_BYTES):
        self.policy = policy
        self.display_name = display_name
        self.channel_path = channel_path
        self.hotkeys = hotkeys
        self.on_disconnect = on_disconnect
        self.max_outgoing_bytes = max_outgoing_bytes
        self.stats = Statistics()
        self.clipboard_store = ClipboardStore(clipboard_dir)
        self.session: Session | None = None
        self.handshake_deadline: float | None = None
        self._pending_channel: Channel | None = None
        self._stop = False
        self._report_stats = False
        # Whether the GUI display's connection may have unread data: true at first, then as select reports.
        self._display_readable = True

    # -- set-up and tear-down ------------------------------------------------------------

    def open(self) -> None:
        """Connect to the GUI display, register with the window manager, listen for the agent."""
        self.display = open_display(self.display_name)
        self.xcb = XcbConnection(self.display_name)
        self.xcb.query_shm_version()
        self.presenter = Presenter(self.display, self.policy)
        self.root = self.presenter.root
        self.root.change_attributes(event_mask=X.PropertyChangeMask)
        self.gc = self.xcb.create_gc(self.root.id)
        self.hotkey_matcher = HotkeyMatcher(self.display, self.hotkeys.by_action())
        self.screen = ScreenArea(self.presenter.screen.width_in_pixels, self.presenter.screen.height_in_pixels,
                                 Geometry(0, 0, self.presenter.screen.width_in_pixels,
                                          self.presenter.screen.height_in_pixels))
        self._read_work_area()
        self.registration = register_daemon(self.policy.name, self.policy.label_name)
        self.listener = listen_unix(self.channel_path)
        self.listener.setblocking(False)
        self._wakeup_read, self._wakeup_write = os.pipe2(os.O_NONBLOCK | os.O_CLOEXEC)
        signal.set_wakeup_fd(self._wakeup_write)
        signal.signal(signal.SIGTERM, self._on_stop_signal)
        signal.signal(signal.SIGINT, self._on_stop_signal)
        signal.signal(signal.SIGUSR1, self._on_stats_signal)
        self.display.sync()
        logger.info("daemon of domain %s (label %s) listening on %s, GUI display %s", self.policy.name,
                    self.policy.label_name, self.channel_path, self.display_name)

    def close(self) -> None:
        if self.session is not None:
            self.end_session("the daemon stops")
        if self._pending_channel is not None:
            self._pending_channel.close()
        self.listener.close()
        try:
            os.unlink(self.channel_path)
        except FileNotFoundError:
            pass
        unregister_daemon(self.registration)
        logger.info("domain %s: statistics: %s", self.policy.name, self.stats.summary())
        self.display.close()
        self.xcb.close()

    def _on_stop_signal(self, signum, _frame) -> None:
        self._stop = True

    def _on_stats_signal(self, signum, _frame) -> None:
        self._report_stats = True

    # -- the loop -------------------------------------------------------------------------------

    def run(self) -> int:
        """Serve the domain until SIGTERM, or until its session ends in exit mode; return the exit status."""
        self.open()
        status = 0
        try:
            while not self._stop:
                if self._run_once() is False:
                    status = 1
                    break
        finally:
            self.close()
        return status

    def _run_once(self) -> bool | None:
        self._handle_x_events()  # python-xlib may hold events it read while waiting for a reply
        if has_unsent_requests(self.display):
            self.display.flush()
        self.xcb.flush()
        readers = [self.display.fileno(), self.xcb.fileno(), self._wakeup_read]
        writers = []
        channel = self.session.channel if self.session else self._pending_channel
        if channel is not None:
            readers.append(channel.fileno())
            if channel.wants_write:
                writers.append(channel.fileno())
        else:
            readers.append(self.listener.fileno())
        # Flushing may read events into python-xlib's queue: then select only polls.
        timeout = 0.0 if queued_events(self.display) else self._timeout()
        readable, writable, _ = select.select(readers, writers, [], timeout)
        self._display_readable = self.display.fileno() in readable
        if self._wakeup_read in readable:
            while True:
                try:
                    if not os.read(self._wakeup_read, 64):
                        break
                except BlockingIOError:
                    break
        if self._report_stats:
            self._report_stats = False
            logger.info("domain %s: statistics: %s", self.policy.name, self.stats.summary())
        if self.xcb.fileno() in readable:
            self._log_xcb_errors()
        if channel is None and self.listener.fileno() in readable:
            self._accept()
        elif channel is not None:
            ended = self._serve_channel(channel, channel.fileno() in readable, channel.fileno() in writable)
            if ended and self.on_disconnect is OnDisconnect.EXIT:
                return False
        self._run_timers()
        return None

    def _timeout(self) -> float | None:
        deadlines = [deadline for deadline in (self.handshake_deadline,
                                               self.session.next_deadline() if self.session else None)
                     if deadline is not None]
        if not deadlines:
            return None
        return max(0.0, min(deadlines) - time.monotonic())

    def _run_timers(self) -> None:
        now = time.monotonic()
        if self.handshake_deadline is not None and now >= self.handshake_deadline:
            logger.warning("domain %s: the agent did not complete the handshake within %.0f s",
                           self.policy.name, HANDSHAKE_TIMEOUT)
            self._drop_pending()
        if self.session is not None:
            self.session.run_timers()

    # -- the channel ---------------------------------------------------------------------------

    def _accept(self) -> None:
        try:
            sock, _ = self.listener.accept()
        except (BlockingIOError, InterruptedError):
            return
        self._pending_channel = Channel(sock, Connection(Role.DAEMON, BufferTransport.FD), self.max_outgoing_bytes)
        self.handshake_deadline = time.monotonic() + HANDSHAKE_TIMEOUT
        logger.info("domain %s: agent connected", self.policy.name)

    def _drop_pending(self) -> None:
        if self._pending_channel is not None:
            self._pending_channel.close()
        self._pending_channel = None
        self.handshake_deadline = None

    def _serve_channel(self, channel: Channel, readable: bool, writable: bool) -> bool:
        """Read, dispatch and write; return True when the session ended."""
        try:
            if writable:
                channel.flush()
            if readable:
                received_at = time.monotonic()
                for event in channel.receive():
                    if self.session is None:
                        self._handshake(channel, event)
                    else:
                        self.session.dispatch(event, received_at)
                if self.session is not None:
                    self.session.flush_damage()
                channel.flush()
        except VersionMismatch as error:
            logger.error("domain %s: %s", self.policy.name, error)
            return self._end(channel, "incompatible protocol version")
        except RemoteProtocolError as error:
            logger.warning("domain %s: protocol violation: %s", self.policy.name, error.describe())
            return self._end(channel, f"protocol violation in {error.message_type}")
        except ChannelClosed as closed:
            reason = "the agent closed the channel" + (" in the middle of a message" if closed.mid_message else "")
            logger.info("domain %s: %s", self.policy.name, reason)
            return self._end(channel, reason)
        except OutgoingQueueFull as error:
            logger.warning("domain %s: the agent stopped reading: %s", self.policy.name, error)
            return self._end(channel, "the agent stopped reading")
        except ConnectionError as error:
            logger.warning("domain %s: channel failed: %s", self.policy.name, error)
            return self._end(channel, "channel failed")
        except Exception:
            # A bug of ours, triggered by this domain's input: it still costs only this session.
            logger.exception("domain %s: internal error while handling the agent's input", self.policy.name)
            return self._end(channel, "internal error")
        return False

    def _handshake(self, channel: Channel, hello) -> None:
        reply = channel.connection.accept_hello(hello)
        channel.send(reply)
        if isinstance(reply, m.VersionRejected):
            channel.flush()
            raise channel.connection.mismatch
        self.handshake_deadline = None
        self._pending_channel = None
        clipboard = ClipboardSession(self.policy, self.clipboard_store, channel.send, self.presenter.notify)
        self.session = Session(self.policy, self.presenter, self.xcb, self.gc, channel, self.screen,
                               clipboard, self.stats)
        self.input = InputHandlers(self.session, self.hotkey_matcher)
        self.stats.sessions += 1
        self._send_screen_configuration()
        self._send_keyboard_layout()
        logger.info("domain %s: session started (protocol %d.%d)", self.policy.name, hello.major,
                    channel.connection.negotiated_minor)

    def _end(self, channel: Channel, reason: str) -> bool:
        if self.session is not None:
            self.end_session(reason)
        else:
            self._drop_pending()
            channel.close()
        return True

    def end_session(self, reason: str) -> None:
        """Remove the domain's windows, free its buffers and close its channel."""
        session = self.session
        self.session = None
        self.stats.disconnects += 1
        window_count = len(session.windows)
        session.close()
        session.channel.close()
        self.display.flush()
        logger.info("domain %s: session ended (%s); removed %d windows", self.policy.name, reason, window_count)

    # -- the GUI display ---------------------------------------------------------------------------

    def _handle_x_events(self) -> None:
        # Each read costs a select and python-xlib's locking, so the socket is read
        # only when select reported data. Events already queued are handled always.
        if self._display_readable:
            self.display.pending_events()
        while queued_events(self.display):
            event = self.display.next_event()
            try:
                self._handle_x_event(event)
            except OutgoingQueueFull as error:
                logger.warning("domain %s: the agent stopped reading: %s", self.policy.name, error)
                self.end_session("the agent stopped reading")
            except ConnectionError as error:
                logger.warning("domain %s: sending input failed: %s", self.policy.name, error)
                self.end_session("channel failed while forwarding input")

    def _handle_x_event(self, event) -> None:
        if event.type == X.MappingNotify:
            self.display.refresh_keyboard_mapping(event)
            self.hotkey_matcher = HotkeyMatcher(self.display, self.hotkeys.by_action())
            if self.session is not None:
                self.input.hotkeys = self.hotkey_matcher
            return
        if event.type == X.PropertyNotify and event.window == self.root:
            self._root_property_changed(event.atom)
            return
        if self.session is not None:
            self.input.handle(event)

    def _root_property_changed(self, atom: int) -> None:
        if atom == self.presenter.atom.NET_WORKAREA:
            if self._read_work_area() and self.session is not None:
                self._send_screen_configuration()
        elif atom == self.presenter.atom.XKB_RULES_NAMES and self.session is not None:
            self._send_keyboard_layout()

    def _read_work_area(self) -> bool:
        reply = self.root.get_property(self.presenter.atom.NET_WORKAREA, Xatom.CARDINAL, 0, 4)
        if reply is None or len(reply.value) < 4:
            return False
        x, y, width, height = (int(value) for value in reply.value[:4])
        if not self.screen.update_work_area(Geometry(x, y, width, height)):
            logger.warning("domain %s: ignored an invalid work area %d,%d %dx%d", self.policy.name, x, y, width,
                           height)
            return False
        return True

    def _send_screen_configuration(self) -> None:
        work = self.screen.work_area
        self.session.channel.send(m.ScreenConfiguration(
            window=0, width=min(self.screen.width, limits.MAX_SCREEN_WIDTH),
            height=min(self.screen.height, limits.MAX_SCREEN_HEIGHT),
            work_x=work.x, work_y=work.y, work_width=work.width, work_height=work.height, scale_percent=100,
        ))

    def _send_keyboard_layout(self) -> None:
        rules, model, layout, variant, options = self._xkb_names()
        self.session.channel.send(m.KeyboardLayout(window=0, rules=rules, model=model, layout=layout,
                                                   variant=variant, options=options))

    def _xkb_names(self) -> tuple[str, str, str, str, str]:
        reply = self.root.get_property(self.presenter.atom.XKB_RULES_NAMES, Xatom.STRING, 0, 256)
        if reply is None or not reply.value:
            return DEFAULT_XKB
        raw = bytes(reply.value) if not isinstance(reply.value, bytes) else reply.value
        names = raw.split(b"\0")[:5]
        names += [b""] * (5 - len(names))
        limits_by_field = [limits.XKB_NAME_MAX_BYTES] * 4 + [limits.XKB_OPTIONS_MAX_BYTES]
        decoded = []
        for name, limit in zip(names, limits_by_field):
            text = name.decode("ascii", errors="replace")[:limit]
            decoded.append(text if all(c.isalnum() or c in "_-+,:()" for c in text) else "")
        return tuple(decoded)

    def _log_xcb_errors(self) -> None:
        for error in self.xcb.poll_errors():
            # A window destroyed while a put was on its way is an expected race.
            if error.error_code in (3, 9):  # BadWindow, BadDrawable
                logger.debug("domain %s: X error on the painting connection: %s", self.policy.name, error)
            else:
                logger.warning("domain %s: X error on the painting connection: %s", self.policy.name, error)
