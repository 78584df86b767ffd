"""Text drawn by the window manager with X core fonts: safe for untrusted titles.

The X server draws core-font text glyph by glyph, left to right, in the order
of the characters: there is no bidirectional reordering, no shaping, no font
fallback and no markup. In a charcell font every glyph has the same width, so
the width of a string is its length times the cell width. The window manager
cuts a title to its space by counting characters, and a GC clip rectangle
keeps every pixel of the title inside that space whatever the glyphs are.

ImageText16 takes 16-bit characters, so characters outside the Basic
Multilingual Plane become U+FFFD; characters the font lacks are drawn as the
font's default glyph (a box in misc-fixed).
"""

from __future__ import annotations

import dataclasses
import logging

from Xlib import X
from Xlib import error as xerror

from protocol.text import sanitize_title

from .geometry import Rect

logger = logging.getLogger(__name__)

REPLACEMENT = 0xFFFD
ELLIPSIS = 0x2026

# ImageText16 carries at most 255 characters per request (its length is one byte).
MAX_CHARACTERS_PER_REQUEST = 255

# Bytes of a title read from a window: twice the protocol's 512-byte title limit,
# so a GUI-domain title is cut by sanitize_title (with a visible mark), not here.
MAX_TITLE_BYTES = 1024

# Characters of a title the window manager keeps; a title bar shows far fewer, and
# a longer title ends with "…" so the cut is visible.
MAX_TITLE_CHARACTERS = 256


class FontError(ValueError):
    """A configured font is missing on the display or is not a charcell font."""


@dataclasses.dataclass
class CoreFont:
    """An opened X core font with the metrics the layout needs, in pixels."""

    name: str
    font: object  # Xlib.xobject.fontable.Font
    ascent: int
    descent: int
    cell_width: int

    @property
    def height(self) -> int:
        return self.ascent + self.descent

    def width_of(self, characters: list[int]) -> int:
        return len(characters) * self.cell_width


def open_core_font(display, name: str) -> CoreFont:
    """Open ``name`` on the display; raise FontError if it is missing or not charcell."""
    try:
        # python-xlib returns None when the server has no font of that name.
        font = display.open_font(name)
        metrics = font.query() if font is not None else None
    except xerror.XError:
        metrics = None
    if metrics is None:
        raise FontError("no such font on the display")
    cell_width = metrics.max_bounds.character_width
    if cell_width <= 0 or metrics.min_bounds.character_width != cell_width:
        font.close()
        raise FontError("not a charcell font: every glyph must have the same width")
    return CoreFont(name, font, metrics.font_ascent, metrics.font_descent, cell_width)


def display_characters(text: str) -> list[int]:
    """Return ``text`` as 16-bit characters for ImageText16 (non-BMP becomes U+FFFD)."""
    return [code if code <= 0xFFFF else REPLACEMENT for code in map(ord, text)]


def sanitize_untrusted_title(untrusted_title: bytes, truncated: bool = False) -> str:
    """Return a title that is safe to lay out next to the prefix, from any client.

    The daemon sanitizes the titles of its windows, but GUI-domain clients set
    anything, so the window manager applies the same rules again: no control,
    format or bidirectional characters, limited combining marks, and a visible
    mark where text was cut. ``truncated`` means the bytes are the start of a
    longer property, so the title then ends with "…".
    """
    untrusted_title = untrusted_title[:MAX_TITLE_BYTES]
    if truncated:
        untrusted_title = _drop_cut_utf8_sequence(untrusted_title)
    title = sanitize_title(untrusted_title)
    if len(title) > MAX_TITLE_CHARACTERS:
        title, truncated = title[: MAX_TITLE_CHARACTERS - 1], True
    if not truncated:
        return title
    return title if title.endswith(chr(ELLIPSIS)) else title + chr(ELLIPSIS)


def _drop_cut_utf8_sequence(data: bytes) -> bytes:
    """Remove a multi-byte UTF-8 sequence that a bounded read cut off at the end of ``data``."""
    for length in range(1, 4):
        if length > len(data):
            break
        byte = data[-length]
        if byte & 0xC0 == 0x80:
            continue  # a continuation byte: look further back for the lead byte
        if byte & 0xC0 == 0xC0:
            if byte >= 0xF0:
                needed = 4
            elif byte >= 0xE0:
                needed = 3
            else:
                needed = 2
            if needed > length:
                return data[:-length]
        break
    return data


def fit_characters(characters: list[int], max_width: int, cell_width: int) -> list[int]:
    """Return the characters that fit ``max_width`` pixels; a cut text ends with "…"."""
    fitting = max(0, max_width // cell_width)
    if len(characters) <= fitting:
        return characters
    if fitting == 0:
        return []
    return characters[: fitting - 1] + [ELLIPSIS]


def draw_text(drawable, gc, font: CoreFont, x: int, y: int, characters: list[int],
              foreground: int, background: int, clip: Rect) -> None:
    """Draw characters with their cell backgrounds, the top of the cells at ``y``.

    No pixel is drawn outside ``clip``: the GC clip rectangle bounds the glyphs
    even if a glyph's ink were wider than its cell.
    """
    if clip.is_empty() or not characters:
        return
    gc.change(foreground=foreground, background=background, font=font.font)
    gc.set_clip_rectangles(0, 0, [(clip.x, clip.y, clip.width, clip.height)], X.Unsorted)
    baseline = y + font.ascent
    for start in range(0, len(characters), MAX_CHARACTERS_PER_REQUEST):
        chunk = characters[start : start + MAX_CHARACTERS_PER_REQUEST]
        drawable.image_text_16(gc, x + start * font.cell_width, baseline, chunk)
    gc.change(clip_mask=X.NONE)
