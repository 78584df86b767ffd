"""The GUI display of a desktop: a headless Xvfb, a nested Xephyr, or an existing X server."""

from __future__ import annotations

import dataclasses
import logging
import os
import subprocess

from Xlib import display as xdisplay
from Xlib import error as xerror

from .xserver import XServer, XServerError, read_display_number, start_xvfb

logger = logging.getLogger(__name__)

DEFAULT_SIZE = (1920, 1080)


@dataclasses.dataclass
class GuiDisplay:
    """The display the desktop shows domains on; ``server`` is None for an existing display."""

    name: str
    width: int
    height: int
    server: XServer | None = None

    def stop(self) -> None:
        if self.server is not None:
            self.server.stop()


def start_headless(size: tuple[int, int] = DEFAULT_SIZE) -> GuiDisplay:
    server = start_xvfb(*size)
    logger.info("started headless GUI display %s (%dx%d)", server.display, *size)
    return GuiDisplay(server.display, size[0], size[1], server)


def start_nested(size: tuple[int, int] = DEFAULT_SIZE, parent: str | None = None) -> GuiDisplay:
    """Start Xephyr in a window of the parent display (default $DISPLAY)."""
    parent = parent or os.environ.get("DISPLAY")
    if not parent:
        raise XServerError("--nested needs a display to nest in: set DISPLAY")
    read_fd, write_fd = os.pipe()
    environment = dict(os.environ, DISPLAY=parent)
    try:
        process = subprocess.Popen(
            ["Xephyr", "-displayfd", str(write_fd), "-screen", f"{size[0]}x{size[1]}x24", "-nolisten", "tcp",
             "-noreset", "-title", "Odyssey", "-resizeable"],
            pass_fds=(write_fd,), env=environment, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL, start_new_session=True,
        )
    finally:
        os.close(write_fd)
    try:
        number = read_display_number(read_fd, process, 20.0)
    except BaseException:
        process.kill()
        process.wait()
        raise
    finally:
        os.close(read_fd)
    server = XServer(f":{number}", process, size[0], size[1])
    logger.info("started nested GUI display %s in %s (%dx%d)", server.display, parent, *size)
    return GuiDisplay(server.display, size[0], size[1], server)


def use_existing(name: str | None = None) -> GuiDisplay:
    """Use a running X server (default $DISPLAY) as the GUI display."""
    name = name or os.environ.get("DISPLAY")
    if not name:
        raise XServerError("no display to take over: DISPLAY is not set; use --headless for a virtual display "
                           "(--nested needs a running display too)")
    try:
        connection = xdisplay.Display(name)
    except (xerror.DisplayError, xerror.ConnectionClosedError) as error:
        raise XServerError(f"cannot open display {name}: {error}") from None
    screen = connection.screen()
    width, height = screen.width_in_pixels, screen.height_in_pixels
    connection.close()
    return GuiDisplay(name, width, height, None)
