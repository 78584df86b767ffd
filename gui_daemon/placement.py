"""Where a domain's undecorated windows may appear: inside the work area, and small.

Undecorated (override-redirect) windows skip the window manager, so the daemon
keeps them honest: each lies inside the work area (the trusted bar stays visible),
and once one of them, or all of a domain's together, would cover more than
``MAX_UNDECORATED_COVERAGE`` of the work area, the window loses the privilege and
is framed by the window manager like any other window.
"""

from __future__ import annotations

import dataclasses

from .windows import Geometry

# Menus, tooltips and splash screens cover far less than half of a screen; a
# surface larger than that could imitate another domain's window or the desktop.
MAX_UNDECORATED_COVERAGE = 0.5


@dataclasses.dataclass
class ScreenArea:
    """The GUI display's size and its work area (the screen minus the trusted bar)."""

    width: int
    height: int
    work_area: Geometry

    def update_work_area(self, candidate: Geometry) -> bool:
        """Adopt a work area reported by the window manager if it is sane; return True if adopted.

        A work area that is empty or reaches outside the screen is a transient glitch
        of the desktop (for example while a monitor is unplugged): the last valid one
        stays in force.
        """
        if candidate.width <= 0 or candidate.height <= 0 or candidate.x < 0 or candidate.y < 0:
            return False
        if candidate.x + candidate.width > self.width or candidate.y + candidate.height > self.height:
            return False
        self.work_area = candidate
        return True


def constrain_override_redirect(geometry: Geometry, work_area: Geometry) -> Geometry:
    """Move a window inside the work area; a window larger than it starts at its corner."""
    x = min(max(geometry.x, work_area.x), work_area.x + work_area.width - geometry.width)
    y = min(max(geometry.y, work_area.y), work_area.y + work_area.height - geometry.height)
    return Geometry(max(x, work_area.x), max(y, work_area.y), geometry.width, geometry.height)


def _intersection(a: Geometry, b: Geometry) -> Geometry | None:
    left, top = max(a.x, b.x), max(a.y, b.y)
    right, bottom = min(a.x + a.width, b.x + b.width), min(a.y + a.height, b.y + b.height)
    if right <= left or bottom <= top:
        return None
    return Geometry(left, top, right - left, bottom - top)


def union_area(rectangles: list[Geometry]) -> int:
    """Return the area covered by the union of rectangles (coordinate compression)."""
    xs = sorted({edge for r in rectangles for edge in (r.x, r.x + r.width)})
    area = 0
    for left, right in zip(xs, xs[1:]):
        spans = sorted((r.y, r.y + r.height) for r in rectangles if r.x <= left and r.x + r.width >= right)
        covered, reach = 0, None
        for top, bottom in spans:
            if reach is None or top > reach:
                covered += bottom - top
                reach = bottom
            elif bottom > reach:
                covered += bottom - reach
                reach = bottom
        area += covered * (right - left)
    return area


def covers_most(window: Geometry, others: list[Geometry], work_area: Geometry) -> bool:
    """Return True when window, alone or with the other undecorated windows, covers too much."""
    limit = MAX_UNDECORATED_COVERAGE * work_area.width * work_area.height
    own = _intersection(window, work_area)
    if own is None:
        return False
    if own.width * own.height > limit:
        return True
    visible = [part for part in (_intersection(other, work_area) for other in others) if part is not None]
    return union_area([own, *visible]) > limit
