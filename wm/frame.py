"""Drawing of frames: the border, the title bar with ``[domain] title``, and the controls.

The drawing order is the security argument. The title bar is filled with the
label colour first. The untrusted title comes next, clipped to its own
rectangle. The trusted prefix and the controls are drawn last, each in a fixed
place that the title's rectangle does not reach. The border needs no drawing
because it is the frame window's background, which the X server paints itself.
"""

from __future__ import annotations

from Xlib import X

from .client import Client
from .decor import TEXT_PADDING, Control, Decorations
from .geometry import Rect
from .labels import Label
from .text import CoreFont, display_characters, draw_text, fit_characters
from .xconn import Palette

# Attention stripes: one diagonal line every STRIPE_SPACING pixels, STRIPE_WIDTH wide.
STRIPE_SPACING = 10
STRIPE_WIDTH = 2
# Height of the line under the text that marks the window with the keyboard focus.
FOCUS_MARK_HEIGHT = 2


class FramePainter:
    """Draws every frame with one GC and the configured fonts."""

    def __init__(self, root, palette: Palette, font: CoreFont, bold_font: CoreFont) -> None:
        self.palette = palette
        self.font = font
        self.bold_font = bold_font
        self.gc = root.create_gc(foreground=0, background=0, line_width=STRIPE_WIDTH,
                                 graphics_exposures=False)

    @staticmethod
    def title_height_for(font: CoreFont, bold_font: CoreFont) -> int:
        return max(font.height, bold_font.height) + 7

    def prefix_width(self, prefix: str) -> int:
        return self.bold_font.width_of(display_characters(prefix))

    def paint(self, client: Client, focused: bool) -> None:
        """Draw the title bar of ``client``'s frame (the border is the window background)."""
        decorations = client.decorations
        if decorations.title == 0:
            return
        frame = client.frame
        width = client.frame_rect.width
        label = client.identity.label
        background = self.palette.pixel(label.rgb)
        foreground = self.palette.pixel(label.text_rgb)
        gc = self.gc

        controls_left = decorations.controls_left(width)
        text_top = (decorations.title - max(self.font.height, self.bold_font.height)) // 2
        prefix = display_characters(client.identity.prefix)
        prefix_x = decorations.text_x()
        prefix_width = self.bold_font.width_of(prefix)
        title_x = prefix_x + prefix_width + self.font.cell_width
        title_clip = Rect(title_x, 0, controls_left - TEXT_PADDING - title_x, decorations.title)
        title: list[int] = []
        if not title_clip.is_empty() and client.title:
            title = fit_characters(display_characters(client.title), title_clip.width, self.font.cell_width)

        gc.change(foreground=background)
        frame.fill_rectangle(gc, 0, 0, width, decorations.title)
        if client.wants_attention:
            # Stripes everywhere but behind the text, which stays readable.
            self._draw_stripes(frame, Rect(0, 0, width, decorations.title), foreground)
            text_end = title_x + self.font.width_of(title) if title else prefix_x + prefix_width
            gc.change(foreground=background)
            frame.fill_rectangle(gc, prefix_x - 2, 0, min(text_end, controls_left) - prefix_x + 4, decorations.title)

        # The untrusted title first, clipped between the prefix and the controls.
        if title:
            draw_text(frame, gc, self.font, title_x, text_top, title, foreground, background, title_clip)

        # The trusted prefix, always at the same place, clipped only by the controls.
        prefix_clip = Rect(prefix_x, 0, controls_left - prefix_x, decorations.title)
        draw_text(frame, gc, self.bold_font, prefix_x, text_top, prefix, foreground, background, prefix_clip)

        if focused:
            gc.change(foreground=foreground)
            frame.fill_rectangle(gc, prefix_x, decorations.title - FOCUS_MARK_HEIGHT - 1,
                                 max(0, controls_left - TEXT_PADDING - prefix_x), FOCUS_MARK_HEIGHT)
        self._draw_controls(frame, decorations, width, label, background, foreground, client.maximized)

    def _draw_stripes(self, drawable, area: Rect, foreground: int) -> None:
        self.gc.change(foreground=foreground, line_width=STRIPE_WIDTH)
        self.gc.set_clip_rectangles(0, 0, [(area.x, area.y, area.width, area.height)], X.Unsorted)
        segments = [
            (x, area.bottom, x + area.height, area.y)
            for x in range(area.x - area.height, area.right, STRIPE_SPACING)
        ]
        drawable.poly_segment(self.gc, segments)
        self.gc.change(clip_mask=X.NONE)

    def _draw_controls(self, frame, decorations: Decorations, width: int, label: Label,
                       background: int, foreground: int, maximized: bool) -> None:
        gc = self.gc
        for control in Control:
            box = decorations.control_rect(control, width)
            gc.change(foreground=background)
            frame.fill_rectangle(gc, box.x, box.y, box.width, box.height)
            gc.change(foreground=foreground, line_width=1)
            frame.rectangle(gc, box.x, box.y, box.width - 1, box.height - 1)
            inset = 3
            left, top = box.x + inset, box.y + inset
            right, bottom = box.right - 1 - inset, box.bottom - 1 - inset
            gc.change(line_width=2)
            if control is Control.CLOSE:
                frame.poly_segment(gc, [(left, top, right, bottom), (left, bottom, right, top)])
            elif control is Control.MAXIMIZE:
                if maximized:
                    frame.rectangle(gc, left + 2, top + 2, right - left - 2, bottom - top - 2)
                else:
                    frame.rectangle(gc, left, top, right - left, bottom - top)
            else:
                frame.fill_rectangle(gc, left, bottom - 1, right - left + 1, 2)
        gc.change(line_width=STRIPE_WIDTH)
