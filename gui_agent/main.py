"""The ``odyssey-agent`` command: run the GUI agent of one domain.

Exit status: 0 after SIGTERM or SIGINT, or when an inherited channel closed;
1 when the X server or the MIT-SHM connection fails; 2 for a usage error;
3 when the daemon rejects the agent's protocol version.
"""

from __future__ import annotations

import argparse
import logging
import os
import signal
import sys

from Xlib import error as xerror

from shm.errors import ShmUnavailable, XcbConnectionError, XcbError

from . import loop
from .agent import Agent
from .display import DisplayError
from .session import Session, SessionEnded, VersionRejectedError

logger = logging.getLogger("gui_agent")

EXIT_OK = 0
EXIT_FAILURE = 1
EXIT_VERSION_REJECTED = 3

# Longer than any X display name ("host:display.screen") the domain init writes.
MAX_DISPLAY_NAME_BYTES = 255


def parse_arguments(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="odyssey-agent",
        description="Show the windows of this domain's X server through the Odyssey GUI daemon.",
    )
    display = parser.add_mutually_exclusive_group(required=True)
    display.add_argument("--display", help="the domain's X display, e.g. :1")
    display.add_argument("--display-fd", metavar="N", type=int,
                         help="inherited pipe that delivers the display name as one line once the X server runs, "
                              "so the agent loads while the server starts")
    channel = parser.add_mutually_exclusive_group(required=True)
    channel.add_argument("--channel", metavar="PATH",
                         help="Unix socket on which the daemon listens; reconnects after the daemon restarts")
    channel.add_argument("--channel-fd", metavar="N", type=int,
                         help="inherited file descriptor of a connected Unix stream socket to the daemon")
    parser.add_argument("--log-level", default="INFO", choices=["DEBUG", "INFO", "WARNING", "ERROR"],
                        help="lowest level of messages written to standard error (default INFO)")
    arguments = parser.parse_args(argv)
    for option, fd in (("--channel-fd", arguments.channel_fd), ("--display-fd", arguments.display_fd)):
        if fd is None:
            continue
        try:
            os.fstat(fd)
        except OSError:
            parser.error(f"{option} {fd} is not an open file descriptor")
    return arguments


def read_display_name(fd: int) -> str | None:
    """Read the display name, one line, from an inherited pipe and close it; None at end of file.

    Blocks until the line arrives: the domain init writes it once its X server
    accepts connections, or closes the pipe when the server failed.
    """
    received = b""
    try:
        while not received.endswith(b"\n") and len(received) <= MAX_DISPLAY_NAME_BYTES:
            chunk = os.read(fd, MAX_DISPLAY_NAME_BYTES + 1)
            if not chunk:
                break
            received += chunk
    finally:
        os.close(fd)
    name = received.strip().decode("ascii", errors="replace")
    if not received.endswith(b"\n") or not name or len(received) > MAX_DISPLAY_NAME_BYTES:
        return None
    return name


def main(argv: list[str] | None = None) -> int:
    arguments = parse_arguments(argv)
    logging.basicConfig(level=arguments.log_level, stream=sys.stderr,
                        format="%(asctime)s %(name)s %(levelname)s: %(message)s")

    # The handlers only record the signal. The wakeup pipe ends the loop's select,
    # so the loop stops at its next turn, never in the middle of a handler.
    received_signals: list[str] = []
    wakeup_read, wakeup_write = os.pipe2(os.O_NONBLOCK | os.O_CLOEXEC)
    signal.set_wakeup_fd(wakeup_write)

    def stop(signal_number, _frame):
        received_signals.append(signal.Signals(signal_number).name)

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)

    display_name = arguments.display
    if arguments.display_fd is not None:
        display_name = read_display_name(arguments.display_fd)
        if display_name is None:
            logger.error("no display name arrived on --display-fd %d; the domain's X server did not start",
                         arguments.display_fd)
            return EXIT_FAILURE
    session = Session(path=arguments.channel, fd=arguments.channel_fd)
    logger.info("odyssey-agent starting on display %s (pid %d)", display_name, os.getpid())
    try:
        agent = Agent(display_name, session)
        agent.start()
        loop.run(agent, wakeup_read, lambda: bool(received_signals))
        logger.info("stopping on %s", received_signals[0])
        return EXIT_OK
    except SessionEnded as ended:
        logger.info("stopping: %s", ended)
        return EXIT_OK
    except VersionRejectedError:
        return EXIT_VERSION_REJECTED
    except DisplayError as failure:
        logger.error("%s", failure)
        return EXIT_FAILURE
    except (ShmUnavailable, XcbConnectionError, XcbError) as failure:
        logger.error("MIT-SHM on display %s failed: %s", display_name, failure)
        return EXIT_FAILURE
    except xerror.ConnectionClosedError as failure:
        logger.error("the X server %s closed the connection: %s", display_name, failure)
        return EXIT_FAILURE
    finally:
        # Buffers die with the process; the X connection may be gone already.
        session.on_closed = lambda: None
        session.close()


if __name__ == "__main__":
    sys.exit(main())
