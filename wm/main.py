"""``odyssey-wm``: run the trusted window manager on an X display.

Exit status:
  0  stopped by SIGTERM or SIGINT, after giving every window back to the root window;
  1  the display cannot be used, or the window manager failed;
  2  invalid configuration;
  3  another window manager already runs on the display.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys

from Xlib import error as xerror

from .config import ConfigError, load_config
from .manager import AnotherWindowManager, WindowManager
from .xconn import open_display

logger = logging.getLogger("wm")

EXIT_FAILURE = 1
EXIT_CONFIG = 2
EXIT_ANOTHER_WM = 3


def parse_arguments(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="odyssey-wm", description="Run the trusted window manager of the Odyssey desktop.")
    parser.add_argument("--display", default=os.environ.get("DISPLAY"),
                        help="X display to manage, e.g. :1 (default: $DISPLAY)")
    parser.add_argument("--config", default=None,
                        help="configuration file (default: $XDG_CONFIG_HOME/odyssey/desktop.toml)")
    parser.add_argument("--log-level", default="INFO", choices=["DEBUG", "INFO", "WARNING", "ERROR"],
                        help="lowest level of the messages logged to stderr (default: INFO)")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    arguments = parse_arguments(argv)
    logging.basicConfig(level=arguments.log_level, format="%(asctime)s odyssey-wm %(levelname)s %(name)s: %(message)s")
    if not arguments.display:
        print("odyssey-wm: no display: pass --display :N or set DISPLAY", file=sys.stderr)
        return EXIT_FAILURE
    try:
        config = load_config(arguments.config)
    except ConfigError as exc:
        print(f"odyssey-wm: invalid configuration: {exc}", file=sys.stderr)
        return EXIT_CONFIG

    try:
        display = open_display(arguments.display)
    except (xerror.DisplayError, xerror.ConnectionClosedError) as exc:
        print(f"odyssey-wm: cannot open display {arguments.display}: {exc}", file=sys.stderr)
        return EXIT_FAILURE
    try:
        manager = WindowManager(display, config)
    except ConfigError as exc:
        print(f"odyssey-wm: invalid configuration: {exc}", file=sys.stderr)
        return EXIT_CONFIG
    try:
        manager.take_over()
    except AnotherWindowManager as exc:
        print(f"odyssey-wm: cannot manage display {arguments.display}: {exc}", file=sys.stderr)
        return EXIT_ANOTHER_WM

    try:
        manager.start()
        manager.run()
    except xerror.ConnectionClosedError as exc:
        logger.error("the X server closed the connection: %s", exc)
        return EXIT_FAILURE
    except Exception:
        # A bug: give the windows back to the root window so they survive a restart.
        logger.exception("the window manager failed; releasing every window")
        try:
            manager.shutdown()
        except Exception:
            logger.exception("releasing the windows failed too")
        return EXIT_FAILURE
    manager.shutdown()
    logger.info("stopped (signal %s)", manager.loop.stop_signal)
    return 0


if __name__ == "__main__":
    sys.exit(main())
