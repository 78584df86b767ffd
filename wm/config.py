"""The window manager's settings: the ``[wm]`` and ``[hotkeys]`` sections of desktop.toml.

Every Odyssey program shares the file. This module reads only the two sections
above, plus the daemon's ``copy`` and ``paste`` hotkeys so that it can reject a
window manager hotkey that would take them. A missing file means defaults.
A value that is invalid raises ConfigError naming the file, the key and the
value; ``odyssey-wm`` then exits with status 2.
"""

from __future__ import annotations

import dataclasses
import logging
import os
import time
import tomllib
from pathlib import Path

from Xlib import XK

from .labels import GUI_DOMAIN
from .trust import check_domain_name

logger = logging.getLogger(__name__)

# Fonts are X core fonts (the server renders them): charcell fonts from
# xfonts-base with the iso10646-1 encoding, so every character has the same
# width and titles can be clipped by counting characters.
DEFAULT_FONT = "-misc-fixed-medium-r-normal--13-120-75-75-c-70-iso10646-1"
DEFAULT_BOLD_FONT = "-misc-fixed-bold-r-normal--13-120-75-75-c-70-iso10646-1"
# The server scales the misc-fixed bitmaps to the size asked for (48 pixels here).
DEFAULT_XRAY_FONT = "-misc-fixed-bold-r-normal--48-*-75-75-c-*-iso10646-1"

# Hotkey actions of the window manager and their defaults.
DEFAULT_HOTKEYS: dict[str, str] = {
    "switch_next": "Alt+Tab",
    "switch_previous": "Alt+Shift+Tab",
    "xray": "Super+X",
    "close": "Alt+F4",
    "maximize": "Super+M",
    "minimize": "Super+N",
    "move_left": "Super+Left",
    "move_right": "Super+Right",
    "move_up": "Super+Up",
    "move_down": "Super+Down",
    "resize_narrower": "Super+Shift+Left",
    "resize_wider": "Super+Shift+Right",
    "resize_shorter": "Super+Shift+Up",
    "resize_taller": "Super+Shift+Down",
}

# Hotkeys of the GUI daemon in the same section. The window manager never grabs
# them and rejects its own hotkeys that collide with them.
DAEMON_HOTKEYS: dict[str, str] = {"copy": "Ctrl+Shift+C", "paste": "Ctrl+Shift+V"}

# Modifier names accepted in hotkeys, mapped to the key whose modifier bit they mean.
MODIFIER_NAMES: dict[str, str] = {
    "shift": "Shift",
    "ctrl": "Control",
    "control": "Control",
    "alt": "Alt",
    "mod1": "Alt",
    "meta": "Alt",
    "super": "Super",
    "win": "Super",
    "mod4": "Super",
}

XRAY_MODES = ("hold", "toggle")


class ConfigError(ValueError):
    """An invalid configuration value: names the file, the key and the value."""

    def __init__(self, path: Path, key: str, value: object, reason: str) -> None:
        super().__init__(f"{path}: {key} = {value!r}: {reason}")
        self.path = path
        self.key = key
        self.value = value
        self.reason = reason


@dataclasses.dataclass(frozen=True)
class Hotkey:
    """A key combination: modifier names ("Shift", "Control", "Alt", "Super") and a keysym."""

    modifiers: frozenset[str]
    keysym: int
    text: str


@dataclasses.dataclass(frozen=True)
class WmConfig:
    """Every setting of the window manager, with its default."""

    bar_height: int = 24  # pixels, at the top of the screen
    border_width: int = 4  # pixels of frame on the left, right and bottom
    font: str = DEFAULT_FONT
    bold_font: str = DEFAULT_BOLD_FONT  # the [domain] prefix
    xray_font: str = DEFAULT_XRAY_FONT
    clock_format: str = "%a %d %b %H:%M"  # time.strftime format
    notice_seconds: float = 5.0  # how long each trusted notice stays in the bar
    xray_mode: str = "hold"  # "hold": shown while the hotkey is held; "toggle": press twice
    fullscreen_domains: tuple[str, ...] = ()  # domains (or "gui") allowed to cover the bar when focused
    move_step: int = 32  # pixels per keyboard move or resize step
    hotkeys: dict[str, Hotkey] = dataclasses.field(default_factory=dict)
    path: Path | None = None


def default_config_path() -> Path:
    """Return ``$XDG_CONFIG_HOME/odyssey/desktop.toml`` (``~/.config`` when unset)."""
    base = os.environ.get("XDG_CONFIG_HOME") or os.path.join(os.path.expanduser("~"), ".config")
    return Path(base) / "odyssey" / "desktop.toml"


def parse_hotkey(text: str) -> Hotkey:
    """Parse "Mod+Mod+Key" (e.g. "Super+Shift+Left") or raise ValueError saying what is wrong."""
    parts = [part.strip() for part in text.split("+")]
    if not text.strip() or any(not part for part in parts):
        raise ValueError("expected modifiers and a key joined by '+', e.g. \"Super+X\"")
    *modifier_parts, key_name = parts
    modifiers: set[str] = set()
    for part in modifier_parts:
        modifier = MODIFIER_NAMES.get(part.lower())
        if modifier is None:
            raise ValueError(f"unknown modifier {part!r}: use Shift, Ctrl, Alt or Super")
        modifiers.add(modifier)
    if len(key_name) == 1:
        key_name = key_name.lower()
    keysym = XK.string_to_keysym(key_name)
    if keysym == XK.NoSymbol:
        raise ValueError(f"unknown key {key_name!r}: use an X keysym name such as Tab, F4, Left or x")
    if key_name in ("Shift_L", "Shift_R", "Control_L", "Control_R", "Alt_L", "Alt_R",
                    "Super_L", "Super_R", "Meta_L", "Meta_R"):
        raise ValueError(f"{key_name!r} is a modifier; a hotkey needs a non-modifier key")
    return Hotkey(frozenset(modifiers), keysym, text)


def _require_int(path: Path, key: str, value: object, low: int, high: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise ConfigError(path, key, value, f"must be an integer from {low} to {high}")
    return value


def _require_string(path: Path, key: str, value: object) -> str:
    if not isinstance(value, str) or not value:
        raise ConfigError(path, key, value, "must be a non-empty string")
    return value


def _parse_wm_section(path: Path, section: dict) -> dict:
    settings: dict = {}
    for key, value in section.items():
        name = f"[wm] {key}"
        if key == "bar_height":
            settings[key] = _require_int(path, name, value, 16, 64)
        elif key == "border_width":
            settings[key] = _require_int(path, name, value, 1, 16)
        elif key == "move_step":
            settings[key] = _require_int(path, name, value, 1, 1000)
        elif key in ("font", "bold_font", "xray_font"):
            font = _require_string(path, name, value)
            if not font.isascii() or not font.isprintable():
                raise ConfigError(path, name, value, "must be a printable ASCII X font name")
            settings[key] = font
        elif key == "clock_format":
            clock_format = _require_string(path, name, value)
            try:
                time.strftime(clock_format)
            except ValueError as exc:
                raise ConfigError(path, name, value, f"is not a valid strftime format: {exc}") from None
            settings[key] = clock_format
        elif key == "notice_seconds":
            if isinstance(value, bool) or not isinstance(value, (int, float)) or not 1 <= value <= 60:
                raise ConfigError(path, name, value, "must be a number of seconds from 1 to 60")
            settings[key] = float(value)
        elif key == "xray_mode":
            if value not in XRAY_MODES:
                raise ConfigError(path, name, value, f"must be one of {', '.join(XRAY_MODES)}")
            settings[key] = value
        elif key == "fullscreen_domains":
            if not isinstance(value, list):
                raise ConfigError(path, name, value, "must be a list of domain names")
            for domain in value:
                if not isinstance(domain, str):
                    raise ConfigError(path, name, value, "must be a list of domain names")
                if domain == GUI_DOMAIN:
                    continue
                try:
                    check_domain_name(domain)
                except ValueError as exc:
                    raise ConfigError(path, name, value, str(exc)) from None
            settings[key] = tuple(value)
        else:
            logger.warning("%s: unknown key [wm] %s is ignored", path, key)
    return settings


def _parse_hotkeys_section(path: Path, section: dict) -> dict[str, Hotkey]:
    texts = dict(DEFAULT_HOTKEYS)
    daemon_texts = dict(DAEMON_HOTKEYS)
    for key, value in section.items():
        if key in texts:
            texts[key] = value
        elif key in daemon_texts:
            daemon_texts[key] = value
        else:
            # Other programs may add hotkeys to this shared section.
            logger.debug("%s: [hotkeys] %s is not a window manager hotkey", path, key)
    hotkeys: dict[str, Hotkey] = {}
    owners: dict[tuple[frozenset[str], int], str] = {}
    for key, value in [*daemon_texts.items(), *texts.items()]:
        name = f"[hotkeys] {key}"
        text = _require_string(path, name, value)
        try:
            hotkey = parse_hotkey(text)
        except ValueError as exc:
            raise ConfigError(path, name, value, str(exc)) from None
        combination = (hotkey.modifiers, hotkey.keysym)
        if combination in owners:
            raise ConfigError(path, name, value, f"is already the hotkey of {owners[combination]}")
        owners[combination] = key
        if key in texts:
            hotkeys[key] = hotkey
    return hotkeys


def load_config(path: Path | None = None) -> WmConfig:
    """Read the configuration from ``path`` (default: ``default_config_path()``).

    A missing file gives the defaults. Raises ConfigError for invalid TOML or values.
    """
    explicit = path is not None
    path = Path(path) if path is not None else default_config_path()
    try:
        with open(path, "rb") as config_file:
            document = tomllib.load(config_file)
    except FileNotFoundError:
        if explicit:
            logger.info("configuration file %s does not exist: using the defaults", path)
        document = {}
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(path, "(file)", "", f"is not valid TOML: {exc}") from None
    except OSError as exc:
        raise ConfigError(path, "(file)", "", f"cannot be read: {exc.strerror}") from None
    wm_section = document.get("wm", {})
    hotkeys_section = document.get("hotkeys", {})
    if not isinstance(wm_section, dict):
        raise ConfigError(path, "[wm]", wm_section, "must be a table")
    if not isinstance(hotkeys_section, dict):
        raise ConfigError(path, "[hotkeys]", hotkeys_section, "must be a table")
    settings = _parse_wm_section(path, wm_section)
    return WmConfig(**settings, hotkeys=_parse_hotkeys_section(path, hotkeys_section), path=path)
