"""The agent's single select loop over the X connection and the channel.

Each turn handles every X event python-xlib has, already queued or readable
(the socket is read only when select reported it readable). Then the agent
captures each damaged window once and both connections are flushed. Then the loop sleeps in ``select`` until a connection is readable, the
channel is writable (while output is queued), or the nearest deadline passes. Deadlines exist only
while something waits (a reconnection attempt, a clipboard owner, an INCR
transfer), so an idle agent sleeps without waking up.

The xcb connection that captures also carries the windows' DAMAGE objects
(``shm.xcb_damage``), so it is watched too: its DamageNotify events and the
errors of its unchecked damage requests arrive there.
"""

from __future__ import annotations

import logging
import os
import select
import time

from .agent import Agent
from .commands import CommandHandler
from .display import queued_events
from .session import SessionEnded, SessionState

logger = logging.getLogger(__name__)


def run(agent: Agent, wakeup_fd: int | None = None, stop_requested=lambda: False) -> None:
    """Run until ``stop_requested()`` is true, the X connection fails, the daemon
    rejects our version, or an inherited channel closes.

    ``wakeup_fd`` is the read end of the pipe given to ``signal.set_wakeup_fd``:
    it wakes the loop when a signal arrives. Raises SessionEnded when an
    inherited channel closed, VersionRejectedError for another major version and
    Xlib's ConnectionClosedError when the X server goes away.
    """
    session = agent.session
    commands = CommandHandler(agent)
    display = agent.display
    xcb_fd = agent.xcb.fileno()
    # Whether the X connections may have unread data: true at first, then as select reports.
    display_readable = xcb_readable = True
    while not stop_requested():
        now = time.monotonic()
        _check_session_ended(session)
        if session.state is SessionState.DISCONNECTED:
            session.try_connect(now)

        agent.process_x_events(read_socket=display_readable)
        agent.process_damage_events(read_socket=xcb_readable)
        if session.configuration_complete(now):
            session.mark_ready()
            agent.announce_all()
        agent.flush_work()
        if queued_events(display) or agent.process_damage_events(read_socket=False):
            # Round trips while handling events or capturing queued more events.
            display_readable = xcb_readable = False
            continue

        # Sending may have closed the channel: without this check the loop would
        # sleep with no channel and no deadline.
        _check_session_ended(session)
        readable = [display, xcb_fd]
        if wakeup_fd is not None:
            readable.append(wakeup_fd)
        writable = []
        if session.channel is not None:
            readable.append(session.channel)
            if session.wants_write:
                writable.append(session.channel)
        deadline = _nearest_deadline(agent)
        timeout = None if deadline is None else max(0.0, deadline - time.monotonic())
        ready_to_read, _, _ = select.select(readable, writable, [], timeout)
        display_readable = display in ready_to_read
        xcb_readable = xcb_fd in ready_to_read
        if wakeup_fd is not None and wakeup_fd in ready_to_read:
            _drain(wakeup_fd)

        if session.channel is not None and session.channel in ready_to_read:
            for message in session.receive():
                commands.handle(message)
        now = time.monotonic()
        agent.reader.check_timeout(now)
        agent.owner.check_timeout(now)


def _check_session_ended(session) -> None:
    if session.state is SessionState.DISCONNECTED and not session.can_reconnect() and session.sessions_started:
        raise SessionEnded("the daemon closed the inherited channel")


def _drain(fd: int) -> None:
    try:
        while os.read(fd, 512):
            pass
    except BlockingIOError:
        pass


def _nearest_deadline(agent: Agent) -> float | None:
    deadlines = [agent.session.deadline, agent.reader.deadline, agent.owner.deadline]
    present = [deadline for deadline in deadlines if deadline is not None]
    return min(present) if present else None
