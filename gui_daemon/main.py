"""``odyssey-guid``: run the GUI daemon of one domain."""

from __future__ import annotations

import argparse
import logging
import os
import sys
import tomllib
from pathlib import Path

from domains.channel import DEFAULT_MAX_OUTGOING_BYTES
from domains.names import InvalidDomainName
from wm.labels import LABELS

from .daemon import Daemon, OnDisconnect
from .hotkeys import Hotkey, InvalidHotkey
from .policy import DEFAULT_COPY_HOTKEY, DEFAULT_PASTE_HOTKEY, DomainPolicy, Hotkeys

logger = logging.getLogger("gui_daemon")


def default_config_path() -> Path:
    config_home = os.environ.get("XDG_CONFIG_HOME") or os.path.expanduser("~/.config")
    return Path(config_home) / "odyssey" / "desktop.toml"


def default_runtime_directory() -> Path:
    runtime = os.environ.get("XDG_RUNTIME_DIR")
    if not runtime:
        raise SystemExit("odyssey-guid: XDG_RUNTIME_DIR is not set; it holds the clipboard and the daemon registry")
    return Path(runtime) / "odyssey"


def parse_patterns(text: str) -> tuple[str, ...]:
    return tuple(part.strip() for part in text.split(",") if part.strip())


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="odyssey-guid",
        description="Show the windows of one domain on the GUI display and forward input to it.",
    )
    parser.add_argument("--domain", required=True, help="domain name (lowercase letters, digits, '-')")
    parser.add_argument("--label", required=True, choices=sorted(LABELS), help="label colour of the domain")
    parser.add_argument("--display", default=os.environ.get("DISPLAY"), help="GUI display (default: $DISPLAY)")
    parser.add_argument("--channel", required=True, help="path of the Unix socket the agent connects to")
    parser.add_argument("--allow-fullscreen", action="store_true", help="let the domain's windows go fullscreen")
    parser.add_argument("--clipboard-copy-to", default="*", type=parse_patterns,
                        help="comma-separated domains that may receive this domain's copies ('*' for all)")
    parser.add_argument("--clipboard-paste-from", default="*", type=parse_patterns,
                        help="comma-separated domains whose copies may be pasted here ('*' for all)")
    parser.add_argument("--on-disconnect", choices=[mode.value for mode in OnDisconnect], default="wait",
                        help="after a session ends: wait for the agent to reconnect, or exit")
    parser.add_argument("--max-outgoing-bytes", type=int, default=DEFAULT_MAX_OUTGOING_BYTES,
                        help="bytes of messages that may wait for the agent to read before it is disconnected")
    parser.add_argument("--config", type=Path, default=None,
                        help="desktop configuration (default: $XDG_CONFIG_HOME/odyssey/desktop.toml)")
    parser.add_argument("--log-level", default="INFO", help="logging level (DEBUG, INFO, WARNING, ERROR)")
    return parser


def load_hotkeys(path: Path) -> Hotkeys:
    """Read the [hotkeys] copy and paste keys of the desktop configuration; a missing file gives the defaults."""
    try:
        with path.open("rb") as file:
            config = tomllib.load(file)
    except FileNotFoundError:
        return Hotkeys()
    except tomllib.TOMLDecodeError as error:
        raise SystemExit(f"odyssey-guid: {path}: invalid TOML: {error}") from None
    section = config.get("hotkeys", {})
    values = {}
    for action, default in (("copy", DEFAULT_COPY_HOTKEY), ("paste", DEFAULT_PASTE_HOTKEY)):
        text = section.get(action, default)
        if not isinstance(text, str):
            raise SystemExit(f"odyssey-guid: {path}: [hotkeys] {action} must be a string like {default!r}")
        try:
            values[action] = Hotkey.parse(text)
        except InvalidHotkey as error:
            raise SystemExit(f"odyssey-guid: {path}: [hotkeys] {action}: {error}") from None
    return Hotkeys(**values)


def main(argv: list[str] | None = None) -> int:
    arguments = build_parser().parse_args(argv)
    logging.basicConfig(level=arguments.log_level.upper(),
                        format=f"%(asctime)s odyssey-guid[{arguments.domain}] %(levelname)s %(name)s: %(message)s")
    if not arguments.display:
        raise SystemExit("odyssey-guid: no GUI display: pass --display or set DISPLAY")
    label = LABELS[arguments.label]
    try:
        policy = DomainPolicy(
            name=arguments.domain, label_name=label.name, label_rgb=label.rgb,
            allow_fullscreen=arguments.allow_fullscreen,
            clipboard_copy_to=arguments.clipboard_copy_to,
            clipboard_paste_from=arguments.clipboard_paste_from,
        )
    except InvalidDomainName as error:
        raise SystemExit(f"odyssey-guid: {error}") from None
    hotkeys = load_hotkeys(arguments.config or default_config_path())
    daemon = Daemon(policy, arguments.display, arguments.channel, hotkeys=hotkeys,
                    clipboard_dir=default_runtime_directory(),
                    on_disconnect=OnDisconnect(arguments.on_disconnect),
                    max_outgoing_bytes=arguments.max_outgoing_bytes)
    return daemon.run()


if __name__ == "__main__":
    sys.exit(main())
