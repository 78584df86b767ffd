"""Start and stop Xvfb servers: the headless GUI display and each domain's display.

Xvfb picks a free display number itself (``-displayfd``), so two servers started
at the same moment never race for one number.
"""

from __future__ import annotations

import dataclasses
import logging
import os
import select
import signal
import subprocess
import time
from collections.abc import Sequence

logger = logging.getLogger(__name__)

# Xvfb normally writes its display number within 0.1 s here; 20 s leaves room for a
# loaded CI machine and still fails a hung start clearly.
XVFB_START_TIMEOUT = 20.0
XVFB_STOP_TIMEOUT = 5.0


class XServerError(RuntimeError):
    """An X server failed to start or stopped unexpectedly."""


@dataclasses.dataclass
class XServer:
    """A running X server that this process started and owns."""

    display: str
    process: subprocess.Popen
    width: int
    height: int

    @property
    def display_number(self) -> int:
        return int(self.display.lstrip(":"))

    def is_running(self) -> bool:
        return self.process.poll() is None

    def stop(self) -> None:
        """Terminate the server and wait for it; safe to call twice."""
        if self.process.poll() is not None:
            return
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(XVFB_STOP_TIMEOUT)
        except subprocess.TimeoutExpired:
            logger.warning("X server %s ignored SIGTERM; killing it", self.display)
            self.process.kill()
            self.process.wait()

    def __enter__(self) -> XServer:
        return self

    def __exit__(self, *exc_info) -> None:
        self.stop()


def xvfb_command(width: int, height: int, display_fd: int, extra_args: Sequence[str] = ()) -> list[str]:
    """Return the Xvfb command line for a depth-24 screen of width x height pixels."""
    return [
        "Xvfb",
        "-displayfd", str(display_fd),
        "-screen", "0", f"{width}x{height}x24",
        "-nolisten", "tcp",
        "-noreset",
        *extra_args,
    ]


def start_xvfb(
    width: int = 1920,
    height: int = 1080,
    *,
    extra_args: Sequence[str] = (),
    env: dict[str, str] | None = None,
    timeout: float = XVFB_START_TIMEOUT,
    stderr=subprocess.DEVNULL,
) -> XServer:
    """Start Xvfb and return once it accepts connections.

    Raises XServerError when Xvfb exits or stays silent for ``timeout`` seconds.
    """
    read_fd, write_fd = os.pipe()
    try:
        process = subprocess.Popen(
            xvfb_command(width, height, write_fd, extra_args),
            pass_fds=(write_fd,),
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=stderr,
            env=env,
            start_new_session=True,
        )
    except BaseException:
        os.close(read_fd)
        os.close(write_fd)
        raise
    os.close(write_fd)
    try:
        number = read_display_number(read_fd, process, timeout)
    except BaseException:
        process.kill()
        process.wait()
        raise
    finally:
        os.close(read_fd)
    server = XServer(display=f":{number}", process=process, width=width, height=height)
    logger.debug("started Xvfb %s (%dx%d, pid %d)", server.display, width, height, process.pid)
    return server


def read_display_number(read_fd: int, process: subprocess.Popen, timeout: float) -> int:
    deadline = time.monotonic() + timeout
    received = b""
    while not received.endswith(b"\n"):
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise XServerError(f"Xvfb did not report a display number within {timeout:.0f} s")
        readable, _, _ = select.select([read_fd], [], [], remaining)
        if not readable:
            continue
        chunk = os.read(read_fd, 64)
        if not chunk:
            raise XServerError(f"Xvfb exited during start-up with status {process.wait()}")
        received += chunk
    text = received.strip()
    if not text.isdigit():
        raise XServerError(f"Xvfb reported an invalid display number {text!r}")
    return int(text)
