"""The Alt+Tab switcher: a trusted list of windows, each with its owner, drawn by the window manager.

While the switcher is open, the window manager has an active keyboard grab, so
no client sees the Tab presses. Releasing the hotkey's modifier focuses the
selected window (and restores it if it was minimized). Escape cancels.
"""

from __future__ import annotations

import logging

from Xlib import X

from . import properties
from .bar import BAR_BACKGROUND, BAR_TEXT
from .client import Client
from .geometry import Rect, centered_in
from .text import CoreFont, display_characters, draw_text, fit_characters
from .xconn import Palette

logger = logging.getLogger(__name__)

ROW_PADDING = 4
MARGIN = 8
# Characters of "[domain] title" per row; the switcher is as wide as the longest row needs.
ROW_CHARACTERS = 60
MAX_ROWS = 20
MINIMIZED_MARK = " (minimized)"


class Switcher:
    """The switcher overlay window and the selection in it."""

    def __init__(self, display, root, palette: Palette, font: CoreFont, bold_font: CoreFont,
                 screen: Rect) -> None:
        self.display = display
        self.root = root
        self.palette = palette
        self.font = font
        self.bold_font = bold_font
        self.screen = screen
        self.window = None
        self.gc = None
        self.candidates: list[Client] = []
        self.selected = 0

    @property
    def active(self) -> bool:
        return self.window is not None

    def row_height(self) -> int:
        return max(self.font.height, self.bold_font.height) + 2 * ROW_PADDING

    def open(self, candidates: list[Client], step: int) -> None:
        """Show the switcher over ``candidates`` (most recently focused first), one step from the first."""
        self.candidates = candidates[:MAX_ROWS]
        self.selected = step % len(self.candidates) if self.candidates else 0
        width = 2 * MARGIN + self.bold_font.cell_width * 34 + self.font.cell_width * ROW_CHARACTERS
        width = min(width, self.screen.width)
        height = min(2 * MARGIN + self.row_height() * max(1, len(self.candidates)), self.screen.height)
        area = centered_in((width, height), self.screen)
        self.window = self.root.create_window(
            area.x, area.y, area.width, area.height, 0, X.CopyFromParent, X.InputOutput, X.CopyFromParent,
            background_pixel=self.palette.pixel(BAR_BACKGROUND), override_redirect=True,
            event_mask=X.ExposureMask,
        )
        self.gc = self.window.create_gc(graphics_exposures=False, line_width=2)
        self.size = area
        self.window.map()
        self.paint()

    def move(self, step: int) -> None:
        if self.candidates:
            self.selected = (self.selected + step) % len(self.candidates)
            self.paint()

    def close(self) -> Client | None:
        """Hide the switcher and return the selected client (None if there was none)."""
        chosen = self.candidates[self.selected] if self.candidates else None
        if self.window is not None:
            self.window.destroy()
        self.window = None
        self.gc = None
        self.candidates = []
        return chosen

    def forget(self, client: Client) -> None:
        """Drop a client that went away while the switcher is open."""
        if client in self.candidates:
            index = self.candidates.index(client)
            self.candidates.remove(client)
            if index < self.selected or self.selected >= len(self.candidates):
                self.selected = max(0, self.selected - 1)
            self.paint()

    def _publish(self) -> None:
        rows = "".join(("*" if index == self.selected else " ") + f"{client.identity.prefix} {client.title}\n"
                       for index, client in enumerate(self.candidates))
        self.window.change_property(self.display.get_atom(properties.ODYSSEY_SWITCHER),
                                    self.display.get_atom(properties.UTF8_STRING), 8, rows.encode("utf-8"))

    def paint(self) -> None:
        if self.window is None:
            return
        self._publish()
        gc = self.gc
        gc.change(foreground=self.palette.pixel(BAR_BACKGROUND))
        self.window.fill_rectangle(gc, 0, 0, self.size.width, self.size.height)
        row_height = self.row_height()
        text_right = self.size.width - MARGIN - ROW_PADDING
        for index, client in enumerate(self.candidates):
            top = MARGIN + index * row_height
            label = client.identity.label
            background = self.palette.pixel(label.rgb)
            foreground = self.palette.pixel(label.text_rgb)
            gc.change(foreground=background)
            self.window.fill_rectangle(gc, MARGIN, top, self.size.width - 2 * MARGIN, row_height - 2)
            text_top = top + ROW_PADDING - 1
            prefix = display_characters(client.identity.prefix)
            prefix_x = MARGIN + ROW_PADDING
            title_x = prefix_x + self.bold_font.width_of(prefix) + self.font.cell_width
            title = client.title + (MINIMIZED_MARK if client.iconic else "")
            title_clip = Rect(title_x, top, max(0, text_right - title_x), row_height)
            draw_text(self.window, gc, self.font, title_x, text_top,
                      fit_characters(display_characters(title), title_clip.width, self.font.cell_width),
                      foreground, background, title_clip)
            draw_text(self.window, gc, self.bold_font, prefix_x, text_top, prefix, foreground, background,
                      Rect(prefix_x, top, text_right - prefix_x, row_height))
            if index == self.selected:
                gc.change(foreground=self.palette.pixel(BAR_TEXT), line_width=2)
                self.window.rectangle(gc, MARGIN - 3, top - 3, self.size.width - 2 * MARGIN + 5, row_height + 3)
