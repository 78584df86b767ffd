"""The trusted bar at the top of the screen: keyboard owner, minimized windows, notices, clock.

The bar is an override-redirect window of the window manager, kept above
every other window (see ``WindowManager.restack_trusted``). Its left end
always names the domain that has the keyboard focus, in that domain's
colour. Titles of minimized windows are drawn after their trusted
``[domain]`` prefix and clipped to their entry, like in frames.
"""

from __future__ import annotations

import dataclasses
import logging
import time

from Xlib import X

from . import properties
from .geometry import Rect
from .labels import Label
from .loop import EventLoop, Timer
from .notices import Notice, NoticeQueue
from .text import CoreFont, display_characters, draw_text, fit_characters
from .trust import Identity
from .xconn import Palette

logger = logging.getLogger(__name__)

BAR_BACKGROUND = 0x263238
BAR_TEXT = 0xFFFFFF
BAR_DIM_TEXT = 0xB0BEC5
PADDING = 6
# Title characters shown in one entry for a minimized window.
ENTRY_CHARACTERS = 28
NO_FOCUS_TEXT = "no keyboard focus"
KEYBOARD_TEXT = "keys:"


@dataclasses.dataclass(frozen=True)
class BarEntry:
    """A window listed in the bar: minimized, or asking for attention."""

    window_id: int
    identity: Identity
    title: str
    attention: bool


class Bar:
    """The bar window and what it shows."""

    def __init__(self, display, root, palette: Palette, font: CoreFont, bold_font: CoreFont,
                 screen_width: int, height: int, clock_format: str, notice_seconds: float,
                 loop: EventLoop) -> None:
        self.display = display
        self.palette = palette
        self.font = font
        self.bold_font = bold_font
        self.width = screen_width
        self.height = height
        self.clock_format = clock_format
        self.notice_seconds = notice_seconds
        self.loop = loop
        self.window = root.create_window(
            0, 0, screen_width, height, 0, X.CopyFromParent, X.InputOutput, X.CopyFromParent,
            background_pixel=palette.pixel(BAR_BACKGROUND), override_redirect=True,
            event_mask=X.ExposureMask | X.ButtonPressMask,
        )
        self.gc = self.window.create_gc(graphics_exposures=False)
        self.focus: Identity | None = None
        self.entries: list[BarEntry] = []
        self.entry_rects: list[tuple[Rect, int]] = []
        self.notices = NoticeQueue()
        self.notice: Notice | None = None
        self._notice_timer: Timer | None = None
        self._clock_timer: Timer | None = None
        self.clock_text = ""
        self.hidden = False

    # Life cycle ---------------------------------------------------------------

    def show(self) -> None:
        self.window.map()
        self._tick_clock()
        self._publish()

    def destroy(self) -> None:
        for timer in (self._notice_timer, self._clock_timer):
            if timer is not None:
                timer.cancel()
        self.window.destroy()

    def set_hidden(self, hidden: bool) -> None:
        """Hide the bar under an allowed fullscreen window that has the focus, or show it again."""
        if hidden == self.hidden:
            return
        self.hidden = hidden
        if hidden:
            self.window.unmap()
        else:
            self.window.map()
            self.window.configure(stack_mode=X.Above)

    # State --------------------------------------------------------------------

    def set_focus(self, identity: Identity | None) -> None:
        if identity != self.focus:
            self.focus = identity
            self._publish()
            self.paint()

    def set_entries(self, entries: list[BarEntry]) -> None:
        if entries != self.entries:
            self.entries = entries
            self.paint()

    def add_notices(self, notices: list[Notice]) -> None:
        self.notices.extend(notices)
        if self.notice is None:
            self._next_notice()

    def entry_at(self, x: int, y: int) -> int | None:
        """Return the window id of the entry at bar position (x, y), or None."""
        for rect, window_id in self.entry_rects:
            if rect.contains_point(x, y):
                return window_id
        return None

    def _next_notice(self) -> None:
        self.notice = self.notices.pop()
        self._notice_timer = None
        if self.notice is not None:
            self._notice_timer = self.loop.call_later(self.notice_seconds, self._next_notice)
        self._publish()
        self.paint()

    def _tick_clock(self) -> None:
        self.clock_text = time.strftime(self.clock_format)
        self.window.change_property(self.display.get_atom(properties.ODYSSEY_BAR_CLOCK),
                                    self.display.get_atom(properties.UTF8_STRING), 8,
                                    self.clock_text.encode("utf-8"))
        self.paint()
        # Once a minute, just after the minute changes: no wake-up in between.
        self._clock_timer = self.loop.call_later(60.05 - time.time() % 60, self._tick_clock)

    def _publish(self) -> None:
        """Write what the bar shows into properties of its window, for tests and tools."""
        utf8 = self.display.get_atom(properties.UTF8_STRING)
        focus = self.focus.domain if self.focus is not None else ""
        notice = self.notice.text if self.notice is not None else ""
        self.window.change_property(self.display.get_atom(properties.ODYSSEY_BAR_FOCUS), utf8, 8,
                                    focus.encode())
        self.window.change_property(self.display.get_atom(properties.ODYSSEY_BAR_NOTICE), utf8, 8,
                                    notice.encode())

    # Drawing ------------------------------------------------------------------

    def _text_top(self) -> int:
        return (self.height - max(self.font.height, self.bold_font.height)) // 2

    def _draw_label_box(self, x: int, prefix: str, title: str, label: Label, right_limit: int,
                        attention: bool = False) -> Rect:
        """Draw "[domain] title" on the label colour from x; returns the box drawn."""
        background = self.palette.pixel(label.rgb)
        foreground = self.palette.pixel(label.text_rgb)
        prefix_characters = display_characters(prefix)
        box_width = PADDING + self.bold_font.width_of(prefix_characters) + PADDING
        title_characters: list[int] = []
        if title:
            room = max(0, right_limit - x - box_width - self.font.cell_width)
            title_characters = fit_characters(display_characters(title), room, self.font.cell_width)
            if title_characters:
                box_width += self.font.cell_width + self.font.width_of(title_characters)
        box = Rect(x, 0, min(box_width, max(0, right_limit - x)), self.height)
        if box.is_empty():
            return box
        self.gc.change(foreground=background)
        self.window.fill_rectangle(self.gc, box.x, box.y, box.width, box.height)
        top = self._text_top()
        prefix_x = x + PADDING
        title_x = prefix_x + self.bold_font.width_of(prefix_characters) + self.font.cell_width
        if attention:
            # Stripes around the text, not behind it.
            self.gc.change(foreground=foreground, line_width=2)
            self.gc.set_clip_rectangles(0, 0, [(box.x, box.y, box.width, box.height)], X.Unsorted)
            self.window.poly_segment(self.gc, [(sx, self.height, sx + self.height, 0)
                                               for sx in range(box.x - self.height, box.right, 10)])
            self.gc.change(clip_mask=X.NONE, foreground=background)
            text_end = prefix_x + self.bold_font.width_of(prefix_characters)
            if title_characters:
                text_end = min(box.right, title_x + self.font.width_of(title_characters))
            self.window.fill_rectangle(self.gc, prefix_x - 2, top - 2, text_end - prefix_x + 4,
                                       max(self.font.height, self.bold_font.height) + 4)
        if title_characters:
            title_clip = Rect(title_x, 0, box.right - title_x, self.height)
            draw_text(self.window, self.gc, self.font, title_x, top, title_characters, foreground, background,
                      title_clip)
        draw_text(self.window, self.gc, self.bold_font, prefix_x, top, prefix_characters, foreground, background,
                  box)
        return box

    def _draw_plain(self, x: int, text: str, colour: int, right_limit: int) -> int:
        characters = fit_characters(display_characters(text), right_limit - x, self.font.cell_width)
        clip = Rect(x, 0, max(0, right_limit - x), self.height)
        draw_text(self.window, self.gc, self.font, x, self._text_top(), characters,
                  self.palette.pixel(colour), self.palette.pixel(BAR_BACKGROUND), clip)
        return x + self.font.width_of(characters)

    def paint(self) -> None:
        """Redraw the whole bar."""
        if self.hidden:
            return
        self.gc.change(foreground=self.palette.pixel(BAR_BACKGROUND))
        self.window.fill_rectangle(self.gc, 0, 0, self.width, self.height)

        # Right end: the clock, then the current notice to its left.
        clock_characters = display_characters(self.clock_text)
        clock_x = self.width - PADDING - self.font.width_of(clock_characters)
        self._draw_plain(clock_x, self.clock_text, BAR_TEXT, self.width)
        right_limit = clock_x - PADDING

        # Left end: the keyboard owner, drawn before the entries that share the space.
        x = self._draw_plain(PADDING, KEYBOARD_TEXT, BAR_DIM_TEXT, right_limit) + self.font.cell_width
        if self.focus is None:
            x = self._draw_plain(x, NO_FOCUS_TEXT, BAR_DIM_TEXT, right_limit) + PADDING
        else:
            x = self._draw_label_box(x, self.focus.prefix, "", self.focus.label, right_limit).right + PADDING
        left_limit = x + PADDING

        if self.notice is not None:
            notice_room = max(0, min(self.width // 2, right_limit - left_limit))
            prefix_characters = display_characters(f"[{self.notice.domain}]")
            needed = (2 * PADDING + self.bold_font.width_of(prefix_characters) + self.font.cell_width
                      + self.font.width_of(display_characters(self.notice.message)))
            notice_x = right_limit - min(needed, notice_room)
            self._draw_label_box(notice_x, f"[{self.notice.domain}]", self.notice.message,
                                 self.notice.label, right_limit)
            right_limit = notice_x - PADDING

        # Between them: minimized windows and windows asking for attention.
        self.entry_rects = []
        for entry in self.entries:
            if x >= right_limit:
                break
            # Room for the prefix, a space and ENTRY_CHARACTERS of title; a longer title ends with "…".
            limit = min(right_limit, x + 2 * PADDING + self.font.cell_width * (ENTRY_CHARACTERS + 1)
                        + self.bold_font.width_of(display_characters(entry.identity.prefix)))
            box = self._draw_label_box(x, entry.identity.prefix, entry.title, entry.identity.label, limit,
                                       attention=entry.attention)
            self.entry_rects.append((box, entry.window_id))
            x = box.right + PADDING
