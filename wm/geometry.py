"""Rectangles, ICCCM size hints and the rule that keeps every frame inside the work area.

Pure functions without X, so every clamp can be tested on its own. All values
are in pixels of the GUI display. X carries sizes as 16-bit numbers, and the
frames computed here lie inside the screen, so their values fit.
"""

from __future__ import annotations

import dataclasses


@dataclasses.dataclass(frozen=True)
class Rect:
    """An axis-aligned rectangle: top-left corner and size in pixels."""

    x: int
    y: int
    width: int
    height: int

    @property
    def right(self) -> int:
        return self.x + self.width

    @property
    def bottom(self) -> int:
        return self.y + self.height

    @property
    def area(self) -> int:
        return max(0, self.width) * max(0, self.height)

    def is_empty(self) -> bool:
        return self.width <= 0 or self.height <= 0

    def intersect(self, other: Rect) -> Rect:
        x = max(self.x, other.x)
        y = max(self.y, other.y)
        right = min(self.right, other.right)
        bottom = min(self.bottom, other.bottom)
        return Rect(x, y, max(0, right - x), max(0, bottom - y))

    def contains(self, other: Rect) -> bool:
        return (self.x <= other.x and self.y <= other.y
                and other.right <= self.right and other.bottom <= self.bottom)

    def contains_point(self, x: int, y: int) -> bool:
        return self.x <= x < self.right and self.y <= y < self.bottom

    def subtract(self, other: Rect) -> list[Rect]:
        """Return up to four rectangles covering this one minus ``other``."""
        overlap = self.intersect(other)
        if overlap.is_empty():
            return [self]
        pieces = [
            Rect(self.x, self.y, self.width, overlap.y - self.y),  # above
            Rect(self.x, overlap.bottom, self.width, self.bottom - overlap.bottom),  # below
            Rect(self.x, overlap.y, overlap.x - self.x, overlap.height),  # left
            Rect(overlap.right, overlap.y, self.right - overlap.right, overlap.height),  # right
        ]
        return [piece for piece in pieces if not piece.is_empty()]


def visible_parts(rect: Rect, covering: list[Rect]) -> list[Rect]:
    """Return the parts of ``rect`` that none of the ``covering`` rectangles hide."""
    parts = [rect]
    for cover in covering:
        parts = [piece for part in parts for piece in part.subtract(cover)]
        if not parts:
            break
    return parts


@dataclasses.dataclass(frozen=True)
class SizeHints:
    """The parts of WM_NORMAL_HINTS the window manager honours, already checked.

    Zero means "not given" for every field; increments of 0 mean 1.
    """

    min_width: int = 0
    min_height: int = 0
    max_width: int = 0
    max_height: int = 0
    width_inc: int = 0
    height_inc: int = 0
    base_width: int = 0
    base_height: int = 0
    user_position: bool = False
    program_position: bool = False
    static_gravity: bool = False


def apply_size_hints(width: int, height: int, hints: SizeHints) -> tuple[int, int]:
    """Return the client size closest to (width, height) that the hints allow.

    The steps follow ICCCM 4.1.2.3, in an order that makes the result stable,
    so applying the hints to their own result changes nothing. The maximum
    comes first. Then the size is rounded down to the base size (or the
    minimum size when no base is given) plus a whole number of increments.
    The minimum comes last. The result is at least 1x1.
    """
    if hints.max_width:
        width = min(width, hints.max_width)
    if hints.max_height:
        height = min(height, hints.max_height)

    base_width = hints.base_width or hints.min_width
    base_height = hints.base_height or hints.min_height
    width_inc = max(1, hints.width_inc)
    height_inc = max(1, hints.height_inc)
    if width > base_width:
        width = base_width + (width - base_width) // width_inc * width_inc
    if height > base_height:
        height = base_height + (height - base_height) // height_inc * height_inc

    # The minimum last: a client whose minimum exceeds its maximum gets its minimum.
    width = max(width, hints.min_width)
    height = max(height, hints.min_height)
    return max(1, width), max(1, height)


def clamp_into_area(frame: Rect, area: Rect) -> Rect:
    """Return ``frame`` moved (and if needed shrunk) so that it lies entirely inside ``area``."""
    width = min(max(1, frame.width), area.width)
    height = min(max(1, frame.height), area.height)
    x = min(max(frame.x, area.x), area.right - width)
    y = min(max(frame.y, area.y), area.bottom - height)
    # Now area.x <= x, x + width <= area.right, and the same for y.
    return Rect(x, y, width, height)


def centered_in(size: tuple[int, int], outer: Rect) -> Rect:
    """Return a rectangle of ``size`` centred on ``outer``."""
    width, height = size
    return Rect(outer.x + (outer.width - width) // 2, outer.y + (outer.height - height) // 2, width, height)
