"""Pure geometry of the window manager: size hints, the work-area clamp, drags, frame layout."""

from __future__ import annotations

import pytest

from wm.decor import Control, Decorations
from wm.drag import Drag, dragged_frame
from wm.geometry import Rect, SizeHints, apply_size_hints, clamp_into_area, visible_parts

AREA = Rect(0, 24, 1280, 776)
DECORATIONS = Decorations(border=4, title=20)


@pytest.mark.parametrize("requested, hints, expected", [
    ((300, 200), SizeHints(), (300, 200)),
    ((10, 10), SizeHints(min_width=100, min_height=50), (100, 50)),
    ((900, 900), SizeHints(max_width=500, max_height=400), (500, 400)),
    # Increments count from the base size: 5 + 21 * 10 = 215, 3 + 5 * 20 = 103.
    ((218, 118), SizeHints(width_inc=10, height_inc=20, base_width=5, base_height=3), (215, 103)),
    # Without a base size, the minimum size is the origin of the increments.
    ((215, 113), SizeHints(min_width=8, min_height=8, width_inc=10, height_inc=10), (208, 108)),
    # A maximum off the increment grid: the largest size on the grid below it.
    ((900, 900), SizeHints(max_width=500, max_height=400, width_inc=10, height_inc=20, base_width=5,
                           base_height=3), (495, 383)),
    # A minimum above the maximum is the client's contradiction: the minimum wins.
    ((300, 300), SizeHints(min_width=400, max_width=200), (400, 300)),
    ((0, -5), SizeHints(), (1, 1)),
])
def test_apply_size_hints(requested, hints, expected):
    assert apply_size_hints(*requested, hints) == expected


@pytest.mark.parametrize("width, height", [(1, 1), (217, 99), (999, 999), (5000, 3)])
def test_size_hints_are_stable(width, height):
    hints = SizeHints(min_width=30, min_height=20, max_width=700, max_height=650, width_inc=7, height_inc=13,
                      base_width=2, base_height=4)
    once = apply_size_hints(width, height, hints)
    assert apply_size_hints(*once, hints) == once


@pytest.mark.parametrize("frame, expected", [
    (Rect(100, 100, 300, 200), Rect(100, 100, 300, 200)),
    (Rect(-500, -300, 300, 200), Rect(0, 24, 300, 200)),
    (Rect(30000, 30000, 300, 200), Rect(980, 600, 300, 200)),
    (Rect(-5, 500, 5000, 6000), Rect(0, 24, 1280, 776)),
    (Rect(100, 100, 0, -3), Rect(100, 100, 1, 1)),
])
def test_clamp_into_area(frame, expected):
    clamped = clamp_into_area(frame, AREA)
    assert clamped == expected
    assert AREA.contains(clamped)


def test_visible_parts_of_covered_window():
    lower = Rect(0, 0, 100, 100)
    parts = visible_parts(lower, [Rect(50, 50, 100, 100)])
    assert sum(part.area for part in parts) == 100 * 100 - 50 * 50
    assert all(part.intersect(Rect(50, 50, 100, 100)).is_empty() for part in parts)
    assert visible_parts(lower, [Rect(-10, -10, 200, 200)]) == []


def test_drag_move_stops_at_work_area():
    drag = Drag(1, start_x=500, start_y=300, start_frame=Rect(400, 200, 308, 224))
    assert dragged_frame(drag, 550, 330, DECORATIONS, SizeHints(), 1, AREA) == Rect(450, 230, 308, 224)
    assert dragged_frame(drag, -2000, -2000, DECORATIONS, SizeHints(), 1, AREA) == Rect(0, 24, 308, 224)


def test_left_edge_resize_keeps_right_edge():
    start = Rect(400, 200, 308, 224)
    drag = Drag(1, start_x=401, start_y=300, start_frame=start, resize=True, left=True)
    frame = dragged_frame(drag, 351, 300, DECORATIONS, SizeHints(), 1, AREA)
    assert frame.right == start.right
    assert frame.width == start.width + 50


def test_drag_resize_respects_hints():
    start = Rect(400, 200, 308, 224)
    drag = Drag(1, start_x=707, start_y=423, start_frame=start, resize=True, right=True, bottom=True)
    hints = SizeHints(width_inc=10, height_inc=10)
    frame = dragged_frame(drag, 764, 456, DECORATIONS, hints, 1, AREA)
    assert DECORATIONS.client_in_frame(frame).width == 350
    assert DECORATIONS.client_in_frame(frame).height == 230
    shrunk = dragged_frame(drag, 0, 423, DECORATIONS, SizeHints(), 250, AREA)
    assert DECORATIONS.client_in_frame(shrunk).width == 250


def test_frame_hit_test():
    width, height = 308, 224
    assert DECORATIONS.hit_test(100, 10, width, height).title
    assert DECORATIONS.hit_test(100, 100, width, height).control is None
    assert not DECORATIONS.hit_test(100, 100, width, height).is_edge
    for control in Control:
        box = DECORATIONS.control_rect(control, width)
        assert DECORATIONS.hit_test(box.x + 3, box.y + 3, width, height).control is control
    corner = DECORATIONS.hit_test(width - 1, height - 1, width, height)
    assert corner.right
    assert corner.bottom
    edge = DECORATIONS.hit_test(1, 100, width, height)
    assert edge.left
    assert not edge.top
    assert not edge.bottom


def test_controls_leave_room_for_prefix():
    prefix_width = 7 * len("[a-domain-name-of-31-characters]")
    width = DECORATIONS.minimum_frame_width(prefix_width)
    assert DECORATIONS.controls_left(width) >= DECORATIONS.text_x() + prefix_width


def test_fullscreen_decorations_have_no_frame():
    none = Decorations.none()
    assert none.client_in_frame(Rect(0, 0, 1280, 800)) == Rect(0, 0, 1280, 800)
    assert none.hit_test(5, 5, 1280, 800).control is None
