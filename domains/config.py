"""Domain definitions: TOML files in ``$XDG_CONFIG_HOME/odyssey/domains/NAME.toml``.

A definition looks like this::

    label = "blue"             # red, orange, yellow, green, gray, blue, purple, black
    backend = "process"        # the only backend built so far
    allow_fullscreen = false
    autostart = true           # start with the desktop
    applications = [["xterm"], ["xclock", "-update", "1"]]

    [clipboard]
    copy_to = ["*"]            # domains that may paste what this domain copies
    paste_from = ["*"]         # domains whose copies may be pasted here

The file name gives the domain's name. Every error names the file, the line and
the key, and says what is allowed.
"""

from __future__ import annotations

import dataclasses
import re
import tomllib
from pathlib import Path

import tomli_w

from wm.labels import LABELS

from . import paths
from .names import InvalidDomainName, check_domain_name

BACKENDS = ("process",)

_TOP_LEVEL_KEYS = {"label", "backend", "allow_fullscreen", "autostart", "applications", "clipboard"}
_CLIPBOARD_KEYS = {"copy_to", "paste_from"}

# An application is at most this many arguments of at most this many characters:
# enough for real command lines, small enough to keep a definition readable.
MAX_APPLICATION_ARGUMENTS = 64
MAX_ARGUMENT_LENGTH = 4096


class ConfigError(ValueError):
    """A configuration file is invalid; the message names the file, line and key."""


@dataclasses.dataclass(frozen=True)
class DomainConfig:
    """One domain's trusted definition."""

    name: str
    label: str
    backend: str = "process"
    allow_fullscreen: bool = False
    autostart: bool = False
    applications: tuple[tuple[str, ...], ...] = ()
    clipboard_copy_to: tuple[str, ...] = ("*",)
    clipboard_paste_from: tuple[str, ...] = ("*",)

    def to_toml(self) -> str:
        document = {
            "label": self.label,
            "backend": self.backend,
            "allow_fullscreen": self.allow_fullscreen,
            "autostart": self.autostart,
            "applications": [list(application) for application in self.applications],
            "clipboard": {"copy_to": list(self.clipboard_copy_to), "paste_from": list(self.clipboard_paste_from)},
        }
        return tomli_w.dumps(document)


def _line_of(text: str, key: str, table: str | None = None) -> int | None:
    """Return the 1-based line where key is assigned (inside [table] if given), or None."""
    current_table = None  # None is the top level, before any [table] header
    for number, line in enumerate(text.splitlines(), start=1):
        stripped = line.strip()
        if stripped.startswith("["):
            current_table = stripped.strip("[] ")
            continue
        if current_table == table and re.match(rf"{re.escape(key)}\s*=", stripped):
            return number
    return None


class _Reader:
    """Checks one file's values and words errors with file, line and key."""

    def __init__(self, path: Path, text: str):
        self.path = path
        self.text = text

    def error(self, key: str, problem: str, table: str | None = None) -> ConfigError:
        line = _line_of(self.text, key, table)
        where = f"{self.path}:{line}" if line else str(self.path)
        full_key = f"{table}.{key}" if table else key
        return ConfigError(f"{where}: {full_key}: {problem}")

    def boolean(self, values: dict, key: str, default: bool) -> bool:
        value = values.get(key, default)
        if not isinstance(value, bool):
            raise self.error(key, f"must be true or false, not {value!r}")
        return value

    def domain_patterns(self, values: dict, key: str, table: str) -> tuple[str, ...]:
        value = values.get(key, ["*"])
        if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
            raise self.error(key, 'must be a list of domain names or "*"', table)
        for item in value:
            if item == "*":
                continue
            try:
                check_domain_name(item)
            except InvalidDomainName as problem:
                raise self.error(key, str(problem), table) from None
        return tuple(value)

    def applications(self, values: dict) -> tuple[tuple[str, ...], ...]:
        value = values.get("applications", [])
        if not isinstance(value, list):
            raise self.error("applications", 'must be a list of commands, e.g. [["xterm"], ["xclock"]]')
        commands = []
        for command in value:
            valid = (isinstance(command, list) and 0 < len(command) <= MAX_APPLICATION_ARGUMENTS
                     and all(isinstance(argument, str) and 0 < len(argument) <= MAX_ARGUMENT_LENGTH
                             for argument in command))
            if not valid:
                raise self.error("applications", f"each command must be a list of 1 to {MAX_APPLICATION_ARGUMENTS} "
                                 f"non-empty strings, e.g. [\"xclock\", \"-update\", \"1\"]; got {command!r}")
            commands.append(tuple(command))
        return tuple(commands)


def parse_domain(path: Path, text: str) -> DomainConfig:
    """Parse and check one domain definition; raise ConfigError naming file, line and key."""
    try:
        name = check_domain_name(path.stem)
    except InvalidDomainName as problem:
        raise ConfigError(f"{path}: the file name gives the domain name: {problem}") from None
    try:
        values = tomllib.loads(text)
    except tomllib.TOMLDecodeError as problem:
        raise ConfigError(f"{path}: invalid TOML: {problem}") from None
    reader = _Reader(path, text)
    unknown = sorted(set(values) - _TOP_LEVEL_KEYS)
    if unknown:
        raise reader.error(unknown[0], f"unknown key; the keys are {', '.join(sorted(_TOP_LEVEL_KEYS))}")
    label = values.get("label")
    if label not in LABELS:
        raise reader.error("label", f"must be one of {', '.join(LABELS)}, not {label!r}")
    backend = values.get("backend", "process")
    if backend not in BACKENDS:
        raise reader.error("backend", f"must be one of {', '.join(BACKENDS)}, not {backend!r}")
    clipboard = values.get("clipboard", {})
    if not isinstance(clipboard, dict):
        raise reader.error("clipboard", "must be a table with copy_to and paste_from")
    unknown = sorted(set(clipboard) - _CLIPBOARD_KEYS)
    if unknown:
        raise reader.error(unknown[0], "unknown key; the keys are copy_to, paste_from", "clipboard")
    return DomainConfig(
        name=name,
        label=label,
        backend=backend,
        allow_fullscreen=reader.boolean(values, "allow_fullscreen", False),
        autostart=reader.boolean(values, "autostart", False),
        applications=reader.applications(values),
        clipboard_copy_to=reader.domain_patterns(clipboard, "copy_to", "clipboard"),
        clipboard_paste_from=reader.domain_patterns(clipboard, "paste_from", "clipboard"),
    )


def load_domain(name: str, directory: Path | None = None) -> DomainConfig:
    """Load the definition of one domain; raise ConfigError when it is missing or invalid."""
    check_domain_name(name)
    path = (directory or paths.domain_config_directory()) / f"{name}.toml"
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError(f"no domain named {name!r}: {path} does not exist; create it with "
                          f"'odyssey create {name} --label COLOUR'") from None
    except UnicodeDecodeError:
        raise ConfigError(f"{path}: the file is not UTF-8 text") from None
    return parse_domain(path, text)


def load_domains(directory: Path | None = None, errors: list[str] | None = None) -> list[DomainConfig]:
    """Load every valid domain definition, sorted by name.

    One invalid file must not hide the others: its error is appended to
    ``errors`` when given, else raised as ConfigError.
    """
    directory = directory or paths.domain_config_directory()
    if not directory.is_dir():
        return []
    configs = []
    for path in sorted(directory.glob("*.toml")):
        try:
            configs.append(load_domain(path.stem, directory))
        except (ConfigError, InvalidDomainName) as error:
            if errors is None:
                raise ConfigError(str(error)) from None
            errors.append(str(error) if str(path) in str(error) else f"{path}: {error}")
    return configs


def save_domain(config: DomainConfig, directory: Path | None = None, *, replace: bool = False) -> Path:
    """Write a domain definition; refuse to overwrite one unless replace is set."""
    directory = directory or paths.domain_config_directory()
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / f"{config.name}.toml"
    if path.exists() and not replace:
        raise ConfigError(f"domain {config.name!r} exists already: {path}")
    path.write_text(config.to_toml(), encoding="utf-8")
    return path
