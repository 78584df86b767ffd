"""Damage coalescing: rectangles merged per window, bounded in number, rows captured once."""

from __future__ import annotations

from gui_agent.damage import MAX_RECTANGLES, DamageRegion, row_bands
from shm.capture import Rectangle


def test_overlapping_rectangles_merge_into_bounding_box():
    region = DamageRegion()
    region.add(0, 0, 10, 10, 100, 100)
    region.add(5, 5, 10, 10, 100, 100)
    assert region.take() == [Rectangle(0, 0, 15, 15)]


def test_disjoint_rectangles_stay_apart():
    region = DamageRegion()
    region.add(0, 0, 10, 10, 100, 100)
    region.add(50, 50, 10, 10, 100, 100)
    assert sorted(region.take()) == [Rectangle(0, 0, 10, 10), Rectangle(50, 50, 10, 10)]


def test_merge_chain_joins_earlier_pieces():
    region = DamageRegion()
    region.add(0, 0, 10, 10, 100, 100)
    region.add(30, 0, 10, 10, 100, 100)
    region.add(5, 0, 30, 5, 100, 100)
    assert region.take() == [Rectangle(0, 0, 40, 10)]


def test_damage_is_clipped_to_window():
    region = DamageRegion()
    region.add(-1, -1, 202, 202, 200, 200)
    assert region.take() == [Rectangle(0, 0, 200, 200)]


def test_damage_outside_window_is_dropped():
    region = DamageRegion()
    region.add(300, 0, 10, 10, 200, 200)
    region.add(0, 0, 0, 10, 200, 200)
    assert not region
    assert region.take() == []


def test_many_rectangles_collapse_to_bounding_box():
    region = DamageRegion()
    for index in range(MAX_RECTANGLES + 1):
        region.add(index * 20, index * 20, 5, 5, 1000, 1000)
    assert region.take() == [Rectangle(0, 0, MAX_RECTANGLES * 20 + 5, MAX_RECTANGLES * 20 + 5)]


def test_take_empties_region():
    region = DamageRegion()
    region.add(0, 0, 1, 1, 10, 10)
    region.take()
    assert not region


def test_row_bands_merge_shared_rows():
    rectangles = [Rectangle(0, 0, 5, 10), Rectangle(50, 5, 5, 10), Rectangle(0, 40, 5, 5)]
    assert row_bands(rectangles) == [(0, 15), (40, 5)]
