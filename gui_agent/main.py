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


def parse_arguments(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="odyssey-agent",
        description="Show the windows of this domain's X server through the Odyssey GUI daemon.",
    )
    parser.add_argument("--display", required=True, help="the domain's X display, e.g. :1")
    channel = parser.add_mutually_exclusive_group(required=True)
    channel.add_argument("--channel", metavar="PATH",
                         help="Unix socket on which the daemon listens; reconnects after the daemon restarts")
    channel.add_argument("--channel-fd", metavar="N", type=int,
                         help="inherited file descriptor of a connected Unix stream socket to the daemon")
    parser.add_argument("--log-level", default="INFO", choices=["DEBUG", "INFO", "WARNING", "ERROR"],
                        help="lowest level of messages written to standard error (default INFO)")
    arguments = parser.parse_args(argv)
    if arguments.channel_fd is not None:
        try:
            os.fstat(arguments.channel_fd)
        except OSError:
            parser.error(f"--channel-fd {arguments.channel_fd} is not an open file descriptor")
    return arguments


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

    session = Session(path=arguments.channel, fd=arguments.channel_fd)
    logger.info("odyssey-agent starting on display %s (pid %d)", arguments.display, os.getpid())
    try:
        agent = Agent(arguments.display, session)
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
        logger.error("MIT-SHM on display %s failed: %s", arguments.display, failure)
        return EXIT_FAILURE
    except xerror.ConnectionClosedError as failure:
        logger.error("the X server %s closed the connection: %s", arguments.display, failure)
        return EXIT_FAILURE
    finally:
        # Buffers die with the process; the X connection may be gone already.
        session.on_closed = lambda: None
        session.close()


if __name__ == "__main__":
    sys.exit(main())
