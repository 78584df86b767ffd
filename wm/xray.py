"""X-ray mode: every window tinted in its owner's colour and labelled with its domain name.

The overlay is one override-redirect window of the window manager covering the
screen, kept above every other window while it is shown. Its picture is made
from a snapshot of the screen: each window's visible part is blended with its
label colour, outlined, and labelled ``[domain]`` in large letters inside a
part of it that no other window covers. The picture is the overlay's
background pixmap, so the X server repaints it itself and no client can draw
over it. Because it is a snapshot, nothing a domain draws while X-ray is shown
appears on screen.
"""

from __future__ import annotations

import dataclasses
import logging

import numpy

from Xlib import X

from . import properties
from .geometry import Rect, visible_parts
from .labels import rgb_to_components
from .text import CoreFont, display_characters, draw_text
from .trust import Identity
from .xconn import Palette

logger = logging.getLogger(__name__)

# Share of the label colour in a tinted pixel.
TINT_ALPHA = 0.45
OUTLINE_WIDTH = 4
LABEL_PADDING = 10
# Rows per GetImage/PutImage request: 32 rows of a 1920-pixel screen are 240 KiB,
# under the 256 KiB request limit of a server without BIG-REQUESTS support in python-xlib.
BAND_BYTES = 240 * 1024


@dataclasses.dataclass(frozen=True)
class XRayTarget:
    """A window shown in X-ray: its rectangle on the screen and its owner."""

    rect: Rect
    identity: Identity


@dataclasses.dataclass(frozen=True)
class XRayLabel:
    """The position of a window's label on the overlay."""

    domain: str
    box: Rect


class XRay:
    """The X-ray overlay; ``show`` builds it from a snapshot, ``hide`` removes it."""

    def __init__(self, display, root, palette: Palette, large_font: CoreFont, small_font: CoreFont,
                 screen: Rect, depth: int) -> None:
        self.display = display
        self.root = root
        self.palette = palette
        self.large_font = large_font
        self.small_font = small_font
        self.screen = screen
        self.depth = depth
        self.window = None
        self.labels: list[XRayLabel] = []

    @property
    def active(self) -> bool:
        return self.window is not None

    def _band_rows(self) -> int:
        return max(1, BAND_BYTES // (self.screen.width * 4))

    def _snapshot(self) -> numpy.ndarray:
        rows = []
        for top in range(0, self.screen.height, self._band_rows()):
            height = min(self._band_rows(), self.screen.height - top)
            image = self.root.get_image(0, top, self.screen.width, height, X.ZPixmap, 0xFFFFFFFF)
            rows.append(numpy.frombuffer(image.data, dtype=numpy.uint8).reshape(height, self.screen.width, 4))
        return numpy.concatenate(rows)

    def _put(self, drawable, gc, pixels: numpy.ndarray) -> None:
        for top in range(0, self.screen.height, self._band_rows()):
            band = pixels[top : top + self._band_rows()]
            drawable.put_image(gc, 0, top, self.screen.width, band.shape[0], X.ZPixmap, self.depth, 0,
                               band.tobytes())

    def show(self, targets: list[XRayTarget]) -> None:
        """Build and map the overlay for ``targets``, listed from the bottom of the stack to the top."""
        if self.active:
            self.hide()
        pixels = self._snapshot().copy()
        parts_of: list[list[Rect]] = []
        for index, target in enumerate(targets):
            rect = target.rect.intersect(self.screen)
            covering = [above.rect for above in targets[index + 1 :]]
            parts = visible_parts(rect, covering) if not rect.is_empty() else []
            parts_of.append(parts)
            red, green, blue = rgb_to_components(target.identity.label.rgb)
            colour = numpy.array([blue, green, red], dtype=numpy.float32)
            for part in parts:
                area = pixels[part.y : part.bottom, part.x : part.right, :3]
                area[...] = (area * (1 - TINT_ALPHA) + colour * TINT_ALPHA).astype(numpy.uint8)

        pixmap = self.root.create_pixmap(self.screen.width, self.screen.height, self.depth)
        gc = pixmap.create_gc(graphics_exposures=False, line_width=OUTLINE_WIDTH)
        self._put(pixmap, gc, pixels)
        self.labels = []
        for target, parts in zip(targets, parts_of):
            self._draw_outline(pixmap, gc, target, parts)
        for target, parts in zip(targets, parts_of):
            self._draw_label(pixmap, gc, target, parts)

        self.window = self.root.create_window(
            0, 0, self.screen.width, self.screen.height, 0, X.CopyFromParent, X.InputOutput, X.CopyFromParent,
            background_pixmap=pixmap, override_redirect=True, event_mask=X.NoEventMask,
        )
        text = "".join(f"{label.domain} {label.box.x} {label.box.y} {label.box.width} {label.box.height}\n"
                       for label in self.labels)
        self.window.change_property(self.display.get_atom(properties.ODYSSEY_XRAY),
                                    self.display.get_atom(properties.UTF8_STRING), 8, text.encode())
        self.window.map()
        gc.free()
        pixmap.free()
        logger.debug("X-ray shows %d windows", len(targets))

    def _draw_outline(self, pixmap, gc, target: XRayTarget, parts: list[Rect]) -> None:
        if not parts:
            return
        rect = target.rect
        gc.change(foreground=self.palette.pixel(target.identity.label.rgb), line_width=OUTLINE_WIDTH)
        gc.set_clip_rectangles(0, 0, [(p.x, p.y, p.width, p.height) for p in parts], X.Unsorted)
        half = OUTLINE_WIDTH // 2
        pixmap.rectangle(gc, rect.x + half, rect.y + half, max(0, rect.width - OUTLINE_WIDTH),
                         max(0, rect.height - OUTLINE_WIDTH))
        gc.change(clip_mask=X.NONE)

    def _draw_label(self, pixmap, gc, target: XRayTarget, parts: list[Rect]) -> None:
        if not parts:
            return
        largest = max(parts, key=lambda part: part.area)
        characters = display_characters(target.identity.prefix)
        label = target.identity.label
        for font in (self.large_font, self.small_font):
            width = font.width_of(characters) + 2 * LABEL_PADDING
            height = font.height + 2 * LABEL_PADDING
            if width <= largest.width and height <= largest.height:
                break
        else:
            return
        box = Rect(largest.x + (largest.width - width) // 2, largest.y + (largest.height - height) // 2,
                   width, height)
        background = self.palette.pixel(label.rgb)
        gc.change(foreground=background)
        pixmap.fill_rectangle(gc, box.x, box.y, box.width, box.height)
        draw_text(pixmap, gc, font, box.x + LABEL_PADDING, box.y + LABEL_PADDING, characters,
                  self.palette.pixel(label.text_rgb), background, box)
        self.labels.append(XRayLabel(target.identity.domain, box))

    def hide(self) -> None:
        if self.window is not None:
            self.window.destroy()
            self.window = None
            self.labels = []
