"""The agent's single select loop over the X connection and the channel.

Each turn drains every X event python-xlib has (already buffered or readable),
lets the agent capture once per damaged window, flushes both connections and
then sleeps in ``select`` until a connection is readable, the channel writable
(while output is queued), or the nearest deadline passes. Deadlines exist only
while something waits (a reconnection attempt, a clipboard owner, an INCR
transfer), so an idle agent sleeps without waking up.

The xcb connection used for MIT-SHM is not watched: the agent sends only
checked requests on it, whose errors return with the request's reply.
"""

from __future__ import annotations

import logging
import select
import time

from .agent import Agent
from .commands import CommandHandler
from .session import SessionEnded, SessionState

logger = logging.getLogger(__name__)


def run(agent: Agent) -> None:
    """Run until the X connection fails, the daemon rejects our version, or an inherited channel closes.

    Raises SessionEnded when an inherited channel closed, VersionRejectedError
    for another major version and Xlib's ConnectionClosedError when the X
    server goes away.
    """
    session = agent.session
    commands = CommandHandler(agent)
    display = agent.display
    while True:
        now = time.monotonic()
        if session.state is SessionState.DISCONNECTED:
            if not session.can_reconnect() and session.sessions_started:
                raise SessionEnded("the daemon closed the inherited channel")
            session.try_connect(now)

        agent.process_x_events()
        if session.configuration_complete(now):
            session.mark_ready()
            agent.announce_all()
        agent.flush_work()
        if display.pending_events():
            # Handling events made round trips that queued more events.
            continue

        readable = [display]
        writable = []
        if session.channel is not None:
            readable.append(session.channel)
            if session.wants_write:
                writable.append(session.channel)
        deadline = _nearest_deadline(agent)
        timeout = None if deadline is None else max(0.0, deadline - time.monotonic())
        ready_to_read, _, _ = select.select(readable, writable, [], timeout)

        if session.channel is not None and session.channel in ready_to_read:
            for message in session.receive():
                commands.handle(message)
        now = time.monotonic()
        agent.reader.check_timeout(now)
        agent.owner.check_timeout(now)


def _nearest_deadline(agent: Agent) -> float | None:
    deadlines = [agent.session.deadline, agent.reader.deadline, agent.owner.deadline]
    present = [deadline for deadline in deadlines if deadline is not None]
    return min(present) if present else None
