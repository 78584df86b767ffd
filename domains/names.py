"""Domain names: the one definition of what a valid name is.

A name appears in trusted places (title prefixes, WM_CLASS, file names under the
runtime and data directories, log lines), so it is kept to a set that no shell,
path or markup treats specially and that cannot imitate another name's prefix:
lowercase ASCII letters, digits and "-", starting with a letter, at most 32
characters. "gui" is reserved for the GUI domain itself.
"""

from __future__ import annotations

import re

MAX_NAME_LENGTH = 32
RESERVED_NAMES = frozenset({"gui"})
_NAME_PATTERN = re.compile(r"[a-z][a-z0-9-]*\Z")


class InvalidDomainName(ValueError):
    """A domain name breaks the naming rule; the message says which part."""


def check_domain_name(name: str) -> str:
    """Return name if it is a valid domain name, else raise InvalidDomainName."""
    if not isinstance(name, str) or not name:
        raise InvalidDomainName("invalid domain name: it must not be empty")
    if len(name) > MAX_NAME_LENGTH:
        raise InvalidDomainName(f"invalid domain name: {len(name)} characters long, the maximum is {MAX_NAME_LENGTH}")
    if not _NAME_PATTERN.match(name):
        raise InvalidDomainName(
            f"invalid domain name {name!r}: use lowercase letters, digits and '-', starting with a letter"
        )
    if name in RESERVED_NAMES:
        raise InvalidDomainName(f"invalid domain name {name!r}: it is reserved for the GUI domain")
    return name
