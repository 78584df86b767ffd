"""Sanitizing of text that a domain sends: window titles and classes.

The trusted side shows titles next to a prefix it generates itself
(``[domain] title``), so a title must not be able to hide, reorder or imitate
that prefix, forge extra lines, or carry bytes a renderer could misparse. The
rules, applied in this order:

1. Bytes that are not valid UTF-8 (including overlong forms, surrogates and
   code points above U+10FFFF) become U+FFFD, one per invalid sequence.
2. Control characters (C0, DEL, C1), line and paragraph separators, private-use
   and unassigned code points become U+FFFD: visible, never acted upon.
3. Format characters (category Cf) are removed: bidirectional embeddings,
   overrides, isolates and marks, zero-width spaces and joiners, soft hyphens,
   tag characters. Without them no title can reorder the text around it.
4. Runs of combining marks are cut to ``MAX_COMBINING_RUN`` per base character,
   so a title cannot stack marks into the line above.

Length is bounded by the wire (``limits.TITLE_MAX_BYTES``); the window manager
clips what does not fit its title bar.
"""

from __future__ import annotations

import unicodedata

REPLACEMENT = "\ufffd"
ELLIPSIS = "\u2026"

# Three stacked marks cover every real orthography (Vietnamese uses two).
MAX_COMBINING_RUN = 3

_REPLACED_CATEGORIES = frozenset({"Cc", "Zl", "Zp", "Co", "Cn", "Cs"})
_REMOVED_CATEGORIES = frozenset({"Cf"})
_COMBINING_CATEGORIES = frozenset({"Mn", "Me", "Mc"})


def sanitize_title(untrusted_title: bytes) -> str:
    """Return a title that is safe to show next to the trusted domain prefix."""
    decoded = untrusted_title.decode("utf-8", errors="replace")
    characters: list[str] = []
    combining_run = 0
    for character in decoded:
        category = unicodedata.category(character)
        if category in _REMOVED_CATEGORIES:
            continue
        if category in _REPLACED_CATEGORIES:
            character = REPLACEMENT
        if category in _COMBINING_CATEGORIES:
            combining_run += 1
            if combining_run > MAX_COMBINING_RUN:
                continue
        else:
            combining_run = 0
        characters.append(character)
    return "".join(characters)


# WM_CLASS strings select GUI-domain rules (window manager, desktop files), so they
# are kept to a small ASCII set; anything else becomes "_".
_CLASS_CHARACTERS = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-_+ ")


def sanitize_class(untrusted_class: bytes) -> str:
    """Return a WM_CLASS part restricted to letters, digits and ``.-_+`` and space."""
    decoded = untrusted_class.decode("ascii", errors="replace")
    return "".join(character if character in _CLASS_CHARACTERS else "_" for character in decoded)


def cut_utf8(text: str, max_bytes: int, mark: str = ELLIPSIS) -> bytes:
    """Encode text as UTF-8 in at most max_bytes, cutting on a character boundary.

    A cut result ends with ``mark`` so the reader sees that text is missing.
    """
    encoded = text.encode("utf-8", errors="replace")
    if len(encoded) <= max_bytes:
        return encoded
    mark_bytes = mark.encode("utf-8")
    room = max_bytes - len(mark_bytes)
    if room < 0:
        raise ValueError(f"max_bytes {max_bytes} is smaller than the cut mark")
    # The encoding of a str is valid UTF-8, so the only invalid part of the cut is
    # a multi-byte sequence split at its end, which "ignore" drops.
    cut = encoded[:room].decode("utf-8", errors="ignore").encode("utf-8")
    return cut + mark_bytes


_XKB_NAME_CHARACTERS = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-+,:()")


def check_xkb_name(untrusted_name: bytes) -> str:
    """Return an XKB rules, model, layout, variant or options string, or raise ValueError.

    These strings end up as arguments of setxkbmap in the domain, so only the
    characters that xkeyboard-config names use are accepted.
    """
    try:
        name = untrusted_name.decode("ascii")
    except UnicodeDecodeError:
        raise ValueError("XKB names must be ASCII") from None
    if not set(name) <= _XKB_NAME_CHARACTERS:
        raise ValueError("XKB names may contain only letters, digits and _-+,:()")
    return name
