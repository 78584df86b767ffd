"""``odyssey``: create, start, stop and use domains, and run the desktop.

Domain management talks to the running desktop (``odyssey desktop``) over its
control socket, as Qubes' ``qvm-*`` tools talk to qubesd. ``create`` and ``list``
also work without a desktop.
"""

from __future__ import annotations

import argparse
import logging
import os
import shlex
import sys
from pathlib import Path

from wm.labels import LABELS

from . import control, paths
from .config import ConfigError, DomainConfig, load_domains, save_domain
from .desktop import DesktopError
from .xserver import XServerError
from .names import InvalidDomainName, check_domain_name

logger = logging.getLogger("odyssey")

LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR")


def ensure_runtime_environment() -> None:
    """Give every child the same private runtime directory, even without a login session."""
    if not os.environ.get("XDG_RUNTIME_DIR"):
        base = Path("/tmp") / f"odyssey-runtime-{os.getuid()}"
        base.mkdir(mode=0o700, exist_ok=True)
        os.environ["XDG_RUNTIME_DIR"] = str(base)
    paths.runtime_directory()


def parse_size(text: str) -> tuple[int, int]:
    try:
        width, height = (int(part) for part in text.lower().split("x"))
    except ValueError:
        raise argparse.ArgumentTypeError(f"invalid size {text!r}: use WIDTHxHEIGHT, e.g. 1920x1080") from None
    if not (320 <= width <= 16384 and 240 <= height <= 16384):
        raise argparse.ArgumentTypeError(f"size {text} is outside 320x240..16384x16384")
    return width, height


def domain_name(text: str) -> str:
    try:
        return check_domain_name(text)
    except InvalidDomainName as error:
        raise argparse.ArgumentTypeError(str(error)) from None


def desktop_request(message: dict, *, quiet: bool = False) -> dict:
    """Send a request to the running desktop, print its progress, return the final reply."""
    for reply in control.request(paths.control_socket_path(), message):
        if "progress" in reply and not quiet:
            print(f"  {reply['progress']}", flush=True)
        if "ok" in reply:
            if not reply["ok"]:
                raise control.ControlError(reply.get("error", "the desktop rejected the request"))
            return reply
    raise control.ControlError("the desktop sent no final reply")


# -- subcommands ------------------------------------------------------------------------


def command_create(arguments) -> int:
    config = DomainConfig(
        name=arguments.name, label=arguments.label, allow_fullscreen=arguments.allow_fullscreen,
        autostart=arguments.autostart, applications=tuple(tuple(shlex.split(app)) for app in arguments.app),
    )
    path = save_domain(config)
    print(f"created domain {config.name} ({config.label}): {path}")
    return 0


def command_list(arguments) -> int:
    try:
        reply = desktop_request({"op": "list"}, quiet=True)
        rows, errors, note = reply["domains"], reply.get("errors", []), None
    except control.ControlError:
        errors = []
        rows = [{"name": config.name, "label": config.label, "backend": config.backend, "state": "stopped"}
                for config in load_domains(errors=errors)]
        note = "no desktop is running: every domain is stopped (start one with 'odyssey desktop')"
    for error in errors:
        print(f"odyssey: skipped an invalid domain definition: {error}", file=sys.stderr)
    if not rows:
        print("no domains; create one with: odyssey create NAME --label COLOUR")
        return 1 if errors else 0
    print(f"{'NAME':<20} {'STATE':<9} {'LABEL':<8} BACKEND")
    for row in rows:
        print(f"{row['name']:<20} {row['state']:<9} {row['label']:<8} {row['backend']}")
    if note:
        print(note)
    return 1 if errors else 0


def command_start(arguments) -> int:
    desktop_request({"op": "start", "name": arguments.name})
    return 0


def command_stop(arguments) -> int:
    desktop_request({"op": "stop", "name": arguments.name})
    print(f"stopped {arguments.name}")
    return 0


def command_run(arguments) -> int:
    command = arguments.command[1:] if arguments.command[:1] == ["--"] else arguments.command
    if not command:
        raise control.ControlError("give the command after --, e.g. odyssey run work -- xterm")
    reply = desktop_request({"op": "run", "name": arguments.name, "command": command})
    print(f"started {reply.get('started', command[0])} in {arguments.name}")
    return 0


def command_screenshot(arguments) -> int:
    path = Path(arguments.file).resolve()
    if path.suffix.lower() != ".png":
        raise control.ControlError(f"screenshots are PNG files: give a name ending in .png, not {path.name!r}")
    if not path.parent.is_dir():
        raise control.ControlError(f"directory {path.parent} does not exist")
    reply = desktop_request({"op": "screenshot", "path": str(path)})
    print(f"wrote {reply['path']}")
    return 0


def command_desktop(arguments) -> int:
    from .desktop import Desktop
    from .display import start_headless, start_nested, use_existing

    if arguments.headless:
        gui = start_headless(arguments.size)
    elif arguments.nested:
        gui = start_nested(arguments.size)
    else:
        gui = use_existing(arguments.display)
    desktop = Desktop(gui, log_level=arguments.children_log_level)
    try:
        desktop.start()
        print(f"Odyssey desktop on display {gui.name} ({gui.width}x{gui.height}); logs in {desktop.log_directory}",
              flush=True)
        desktop.autostart(lambda text: print(f"  {text}", flush=True))
        desktop.serve()
    finally:
        desktop.shutdown()
    return 0


def command_demo(arguments) -> int:
    from .demo import run_demo

    return run_demo(arguments)


# -- the parser ---------------------------------------------------------------------------


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="odyssey",
        description="Run applications in isolated domains and show their windows on one trusted desktop.",
    )
    parser.add_argument("--log-level", type=str.upper, choices=LOG_LEVELS, default=None,
                        help="logging level: DEBUG, INFO, WARNING or ERROR (default WARNING; INFO for "
                             "desktop and demo, whose window manager and daemons log at this level too)")
    commands = parser.add_subparsers(dest="subcommand", required=True, metavar="COMMAND")

    create = commands.add_parser("create", help="define a new domain",
                                 description="Write a new domain definition to the configuration directory.")
    create.add_argument("name", type=domain_name, help="domain name: lowercase letters, digits, '-'")
    create.add_argument("--label", required=True, choices=list(LABELS), help="colour of the domain's frames")
    create.add_argument("--allow-fullscreen", action="store_true", help="let the domain's windows go fullscreen")
    create.add_argument("--autostart", action="store_true", help="start the domain with the desktop")
    create.add_argument("--app", action="append", default=[], metavar="COMMAND",
                        help="application to start with the domain (repeat for several), e.g. --app xterm")
    create.set_defaults(handler=command_create)

    listing = commands.add_parser("list", help="list domains with their state and label",
                                  description="List every defined domain, its state, label and backend.")
    listing.set_defaults(handler=command_list)

    start = commands.add_parser("start", help="start a domain on the running desktop",
                                description="Start a domain: its sandbox, X server, agent, applications and daemon.")
    start.add_argument("name", type=domain_name)
    start.set_defaults(handler=command_start)

    stop = commands.add_parser("stop", help="stop a domain",
                               description="Stop every process of a domain and remove its runtime files.")
    stop.add_argument("name", type=domain_name)
    stop.set_defaults(handler=command_stop)

    run = commands.add_parser("run", help="run an application in a domain (starting it if needed)",
                              description="Run COMMAND inside the domain, starting the domain first if needed.")
    run.add_argument("name", type=domain_name)
    run.add_argument("command", nargs=argparse.REMAINDER, help="-- followed by the command and its arguments")
    run.set_defaults(handler=command_run)

    desktop = commands.add_parser("desktop", help="run the desktop session in the foreground",
                                  description="Run the trusted window manager and supervise domains until "
                                              "interrupted. Without --headless or --nested it takes over $DISPLAY.")
    where = desktop.add_mutually_exclusive_group()
    where.add_argument("--headless", action="store_true", help="on a new virtual display (Xvfb)")
    where.add_argument("--nested", action="store_true", help="in a window of the current display (Xephyr)")
    desktop.add_argument("--display", help="existing display to take over (default $DISPLAY)")
    desktop.add_argument("--size", type=parse_size, default=(1920, 1080),
                         help="screen size for --headless and --nested, in pixels (default 1920x1080)")
    desktop.set_defaults(handler=command_desktop)

    screenshot = commands.add_parser("screenshot", help="write a PNG of the desktop",
                                     description="Write a PNG screenshot of the running desktop's display.")
    screenshot.add_argument("file", help="PNG file to write")
    screenshot.set_defaults(handler=command_screenshot)

    demo = commands.add_parser("demo", help="run the demo: three domains with real applications",
                               description="Start a desktop (headless, or nested when DISPLAY is set) with three "
                                           "domains (work, personal, untrusted) running xterm, xeyes and xclock; "
                                           "type into one, copy text between two with the secure hotkeys, and "
                                           "write a screenshot.")
    demo.add_argument("--duration", type=float, default=None,
                      help="seconds to keep the desktop after the demo steps (default: until interrupted)")
    demo.add_argument("--screenshot", default="odyssey-demo.png", help="PNG file to write (default odyssey-demo.png)")
    demo.add_argument("--headless", action="store_true", help="never nest, even when DISPLAY is set")
    demo.add_argument("--keep-files", action="store_true",
                      help="keep the demo's temporary configuration, domain homes and logs")
    demo.set_defaults(handler=command_demo)
    return parser


def main(argv: list[str] | None = None) -> int:
    arguments = build_parser().parse_args(argv)
    long_running = arguments.subcommand in ("desktop", "demo")
    level = arguments.log_level or ("INFO" if long_running else "WARNING")
    arguments.children_log_level = arguments.log_level or "INFO"
    logging.basicConfig(level=level, format="odyssey: %(levelname)s %(name)s: %(message)s")
    ensure_runtime_environment()
    try:
        return arguments.handler(arguments)
    except (control.ControlError, ConfigError, DesktopError, XServerError) as error:
        print(f"odyssey: {error}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
