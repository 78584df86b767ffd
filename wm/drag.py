"""Moving and resizing a frame with the pointer: the geometry of one drag, without X."""

from __future__ import annotations

import dataclasses

from .decor import Decorations
from .geometry import Rect, SizeHints, apply_size_hints, clamp_into_area


@dataclasses.dataclass(frozen=True)
class Drag:
    """A drag in progress: what moves, from where the pointer and the frame started."""

    window_id: int  # the client window
    start_x: int  # pointer position on the root window at the press
    start_y: int
    start_frame: Rect
    resize: bool = False
    left: bool = False
    right: bool = False
    top: bool = False
    bottom: bool = False


def fit_client_size(width: int, height: int, hints: SizeHints, min_width: int) -> tuple[int, int]:
    """Return the client size the hints allow, at least ``min_width`` wide (room for the prefix)."""
    width, height = apply_size_hints(width, height, hints)
    return max(width, min_width), height


def dragged_frame(drag: Drag, pointer_x: int, pointer_y: int, decorations: Decorations, hints: SizeHints,
                  min_width: int, area: Rect) -> Rect:
    """Return the frame rectangle for the pointer at (pointer_x, pointer_y), kept inside ``area``."""
    dx = pointer_x - drag.start_x
    dy = pointer_y - drag.start_y
    start = drag.start_frame
    if not drag.resize:
        return clamp_into_area(Rect(start.x + dx, start.y + dy, start.width, start.height), area)

    inner = decorations.client_in_frame(start)
    width, height = inner.width, inner.height
    if drag.right:
        width += dx
    elif drag.left:
        width -= dx
    if drag.bottom:
        height += dy
    elif drag.top:
        height -= dy
    # The edges that do not move stay where they were.
    max_width = area.width - 2 * decorations.border
    max_height = area.height - decorations.title - decorations.border
    width = min(max(1, width), max_width)
    height = min(max(1, height), max_height)
    width, height = fit_client_size(width, height, hints, min_width)
    frame_width, frame_height = decorations.frame_size_for(width, height)
    x = start.right - frame_width if drag.left else start.x
    y = start.bottom - frame_height if drag.top else start.y
    return clamp_into_area(Rect(x, y, frame_width, frame_height), area)
