"""The agent's side of the channel: connecting, the handshake, and reconnecting.

States of a session:

- DISCONNECTED: no daemon. With ``--channel PATH`` the agent tries to connect
  again after a delay that doubles from ``RETRY_INITIAL`` up to ``RETRY_MAX``
  seconds. An inherited ``--channel-fd`` cannot be reopened.
- HANDSHAKE: ``Hello`` is sent, ``Welcome`` not yet received.
- CONFIGURING: waiting for ``ScreenConfiguration`` and ``KeyboardLayout``, which
  the daemon sends right after ``Welcome``.
- READY: window messages flow. The agent announces (or replays) its windows on
  entering this state.

Window messages are only sent in READY; before that they are dropped, because
entering READY replays the whole window table anyway.
"""

from __future__ import annotations

import enum
import logging
import socket
import time
from collections.abc import Callable

from domains.channel import Channel, ChannelClosed, OutgoingQueueFull, connect_unix
from protocol import Connection, ProtocolError, RemoteProtocolError, Role, VersionMismatch
from protocol import messages as m

logger = logging.getLogger(__name__)

# Reconnection delays in seconds: short at first, so a restarted daemon finds its
# windows back quickly, and bounded, so a long absence costs one wake-up a second.
RETRY_INITIAL = 0.02
RETRY_MAX = 1.0

# Seconds to wait for ScreenConfiguration and KeyboardLayout after Welcome before
# announcing the windows anyway.
CONFIGURATION_TIMEOUT = 5.0


class SessionState(enum.Enum):
    DISCONNECTED = "disconnected"
    HANDSHAKE = "handshake"
    CONFIGURING = "configuring"
    READY = "ready"


class VersionRejectedError(Exception):
    """The daemon speaks another major protocol version; the agent must exit."""


class SessionEnded(Exception):
    """The channel closed and cannot be reopened (an inherited fd)."""


class Session:
    """One channel to the daemon at a time, reopened after the daemon goes away."""

    def __init__(self, *, path: str | None = None, fd: int | None = None,
                 clock: Callable[[], float] = time.monotonic):
        if (path is None) == (fd is None):
            raise ValueError("give exactly one of path and fd")
        self.path = path
        self._inherited_fd = fd
        self._clock = clock
        self.channel: Channel | None = None
        self.state = SessionState.DISCONNECTED
        self._retry_delay = RETRY_INITIAL
        self._next_attempt = clock()
        self._waiting_logged = False
        self._configuration_deadline: float | None = None
        self.screen: m.ScreenConfiguration | None = None
        self.keyboard: m.KeyboardLayout | None = None
        self.sessions_started = 0
        # Called after the channel closed, to free what the daemon held (buffers).
        self.on_closed: Callable[[], None] = lambda: None

    # -- connecting ----------------------------------------------------------------

    @property
    def deadline(self) -> float | None:
        """The time at which the session needs attention without any I/O."""
        if self.state is SessionState.DISCONNECTED and self.path is not None:
            return self._next_attempt
        if self.state is SessionState.CONFIGURING:
            return self._configuration_deadline
        return None

    def try_connect(self, now: float) -> bool:
        """Open the channel and send Hello when it is time to; return True on success."""
        if self.state is not SessionState.DISCONNECTED:
            return False
        if self._inherited_fd is not None:
            fd, self._inherited_fd = self._inherited_fd, None
            sock = socket.socket(fileno=fd)
        else:
            if now < self._next_attempt:
                return False
            try:
                sock = connect_unix(self.path)
            except OSError as failure:
                if not self._waiting_logged:
                    logger.info("waiting for the daemon at %s (%s)", self.path, failure.strerror or failure)
                    self._waiting_logged = True
                self._next_attempt = now + self._retry_delay
                self._retry_delay = min(self._retry_delay * 2, RETRY_MAX)
                return False
        self._retry_delay = RETRY_INITIAL
        self._waiting_logged = False
        self.channel = Channel(sock, Connection(Role.AGENT))
        self.state = SessionState.HANDSHAKE
        self.sessions_started += 1
        logger.info("connected to the daemon (session %d); sending Hello", self.sessions_started)
        self.channel.send(m.Hello(window=0, major=self.channel.connection.local_version[0],
                                  minor=self.channel.connection.local_version[1]))
        return True

    def can_reconnect(self) -> bool:
        return self.path is not None

    # -- receiving -----------------------------------------------------------------

    def receive(self) -> list:
        """Read from the channel and return the messages for the agent to handle.

        Handshake and configuration messages are consumed here except
        ScreenConfiguration and KeyboardLayout, which are returned too so the
        agent applies them. Raises VersionRejectedError for a VersionRejected.
        On a closed channel or a protocol violation the session is closed and
        the messages received so far are returned.
        """
        if self.channel is None:
            return []
        try:
            events = self.channel.receive()
        except VersionMismatch as mismatch:
            local, remote = mismatch.local_version, mismatch.remote_version
            logger.error("the daemon rejected protocol version %d.%d; it speaks %d.%d",
                         local[0], local[1], remote[0], remote[1])
            self.close()
            raise VersionRejectedError(mismatch.describe()) from None
        except ChannelClosed as closed:
            logger.warning("the daemon closed the channel%s", " in the middle of a message" if closed.mid_message else "")
            self.close()
            return []
        except RemoteProtocolError as violation:
            logger.error("the daemon broke the protocol: %s", violation.describe())
            self.close()
            return []
        except OSError as failure:
            logger.warning("reading from the daemon failed: %s", failure)
            self.close()
            return []
        messages = []
        for event in events:
            if isinstance(event, m.Welcome):
                logger.info("protocol version %d.%d agreed", event.major, event.minor)
                self.state = SessionState.CONFIGURING
                self.screen = self.keyboard = None
                self._configuration_deadline = self._clock() + CONFIGURATION_TIMEOUT
                continue
            if isinstance(event, m.ScreenConfiguration):
                self.screen = event
            elif isinstance(event, m.KeyboardLayout):
                self.keyboard = event
            messages.append(event)
        return messages

    def configuration_complete(self, now: float) -> bool:
        """Return True when the agent may announce its windows (enter READY)."""
        if self.state is not SessionState.CONFIGURING:
            return False
        if self.screen is not None and self.keyboard is not None:
            return True
        if now >= self._configuration_deadline:
            logger.warning("the daemon sent no %s within %.0f s; announcing windows anyway",
                           "ScreenConfiguration" if self.screen is None else "KeyboardLayout",
                           CONFIGURATION_TIMEOUT)
            return True
        return False

    def mark_ready(self) -> None:
        self.state = SessionState.READY

    # -- sending -------------------------------------------------------------------

    @property
    def ready(self) -> bool:
        return self.state is SessionState.READY

    def send(self, message) -> None:
        """Send a message in READY; drop it otherwise (the next session replays state)."""
        if self.state is not SessionState.READY:
            return
        try:
            self.channel.send(message)
        except OutgoingQueueFull as full:
            logger.error("the daemon stopped reading (%s); closing the channel", full)
            self.close()
        except OSError as failure:
            logger.warning("writing to the daemon failed: %s", failure)
            self.close()
        except ProtocolError as failure:
            # Our own message broke a protocol rule: a bug, but it must cost
            # only this message, never the agent.
            logger.error("not sending invalid %s: %s", message.SPEC.name, failure)

    def flush(self) -> None:
        if self.channel is None:
            return
        try:
            self.channel.flush()
        except OSError as failure:
            logger.warning("writing to the daemon failed: %s", failure)
            self.close()

    @property
    def wants_write(self) -> bool:
        return self.channel is not None and self.channel.wants_write

    @property
    def outgoing_bytes(self) -> int:
        return self.channel.outgoing_bytes if self.channel is not None else 0

    def close(self) -> None:
        """Close the channel; the next attempt to reconnect is due at once."""
        was_open = self.state is not SessionState.DISCONNECTED
        if self.channel is not None:
            self.channel.close()
            self.channel = None
        self.state = SessionState.DISCONNECTED
        self._next_attempt = self._clock()
        if was_open:
            logger.info("session %d closed", self.sessions_started)
            self.on_closed()
