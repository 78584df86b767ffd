"""Coalescing of damage rectangles per window between two captures.

Applications report damage in many small pieces (every glyph, every line). The
agent collects them while it drains the X event queue, merges them here, and
then captures once per window. Overlapping or touching rectangles are merged
into their bounding box; past ``MAX_RECTANGLES`` disjoint pieces everything
becomes one bounding box, so the work per capture stays bounded.
"""

from __future__ import annotations

from shm.capture import Rectangle, clip_rectangle

# Disjoint rectangles kept per window before they collapse into their bounding box.
MAX_RECTANGLES = 8


def _touch(a: Rectangle, b: Rectangle) -> bool:
    return (a.x <= b.x + b.width and b.x <= a.x + a.width
            and a.y <= b.y + b.height and b.y <= a.y + a.height)


def _union(a: Rectangle, b: Rectangle) -> Rectangle:
    left = min(a.x, b.x)
    top = min(a.y, b.y)
    right = max(a.x + a.width, b.x + b.width)
    bottom = max(a.y + a.height, b.y + b.height)
    return Rectangle(left, top, right - left, bottom - top)


class DamageRegion:
    """Damaged rectangles of one window, clipped to the window, merged as they arrive."""

    def __init__(self) -> None:
        self._rectangles: list[Rectangle] = []

    def __bool__(self) -> bool:
        return bool(self._rectangles)

    def add(self, x: int, y: int, width: int, height: int, bound_width: int, bound_height: int) -> None:
        """Add a rectangle, clipped to (0, 0, bound_width, bound_height)."""
        rectangle = clip_rectangle(x, y, width, height, bound_width, bound_height)
        if rectangle is None:
            return
        # Merging can make the union touch rectangles it did not touch before, so
        # repeat until the new piece is disjoint from all the others.
        merged = True
        while merged:
            merged = False
            for index, existing in enumerate(self._rectangles):
                if _touch(existing, rectangle):
                    rectangle = _union(existing, rectangle)
                    del self._rectangles[index]
                    merged = True
                    break
        self._rectangles.append(rectangle)
        if len(self._rectangles) > MAX_RECTANGLES:
            bounding = self._rectangles[0]
            for other in self._rectangles[1:]:
                bounding = _union(bounding, other)
            self._rectangles = [bounding]

    def take(self) -> list[Rectangle]:
        """Return the rectangles and start over empty."""
        rectangles, self._rectangles = self._rectangles, []
        return rectangles

    def clear(self) -> None:
        self._rectangles = []


def row_bands(rectangles: list[Rectangle]) -> list[tuple[int, int]]:
    """Return the disjoint row ranges (top, height) that cover the rectangles.

    Captures copy whole rows, so each row is captured once even when several
    rectangles share it.
    """
    spans = sorted((r.y, r.y + r.height) for r in rectangles)
    bands: list[list[int]] = []
    for top, bottom in spans:
        if bands and top <= bands[-1][1]:
            bands[-1][1] = max(bands[-1][1], bottom)
        else:
            bands.append([top, bottom])
    return [(top, bottom - top) for top, bottom in bands]
