"""The VM backend's shared region: allocator, bounds checks, read-only mapping."""

from __future__ import annotations

import fcntl
import mmap
import os

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from shm.errors import BufferRejected, RegionFull
from shm.region import RegionAllocator, SharedRegion, check_region_buffer, map_region_buffer
from shm.views import pixels

PAGE = mmap.PAGESIZE


def test_allocator_first_fit_page_aligned():
    allocator = RegionAllocator(16 * PAGE)
    first = allocator.allocate(100)
    second = allocator.allocate(PAGE + 1)
    third = allocator.allocate(PAGE)
    assert (first, second, third) == (0, PAGE, 3 * PAGE)
    assert allocator.length_at(second) == 2 * PAGE
    assert allocator.allocated_bytes == 4 * PAGE
    assert allocator.free_bytes == 12 * PAGE


def test_allocator_reuses_first_hole_that_fits():
    allocator = RegionAllocator(16 * PAGE)
    offsets = [allocator.allocate(PAGE) for _ in range(4)]
    allocator.release(offsets[1])
    assert allocator.allocate(2 * PAGE) == 4 * PAGE
    assert allocator.allocate(PAGE) == PAGE


def test_allocator_coalesces_freed_neighbours():
    allocator = RegionAllocator(4 * PAGE)
    offsets = [allocator.allocate(PAGE) for _ in range(4)]
    with pytest.raises(RegionFull):
        allocator.allocate(1)
    allocator.release(offsets[0])
    allocator.release(offsets[2])
    allocator.release(offsets[1])
    # The three freed pages form one range again.
    assert allocator.allocate(3 * PAGE) == 0


def test_allocator_raises_region_full_with_numbers():
    allocator = RegionAllocator(3 * PAGE)
    allocator.allocate(PAGE)
    with pytest.raises(RegionFull, match=f"no free range of {3 * PAGE} bytes in a region of {3 * PAGE} bytes"):
        allocator.allocate(2 * PAGE + 1)


def test_allocator_rejects_unknown_release_and_bad_arguments():
    allocator = RegionAllocator(4 * PAGE)
    offset = allocator.allocate(PAGE)
    allocator.release(offset)
    with pytest.raises(KeyError):
        allocator.release(offset)
    with pytest.raises(ValueError):
        allocator.allocate(0)
    with pytest.raises(ValueError):
        RegionAllocator(PAGE, alignment=3)
    with pytest.raises(ValueError):
        RegionAllocator(-1)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.booleans(), st.integers(1, 5 * PAGE)), max_size=60))
def test_allocator_ranges_never_overlap(operations):
    region_size = 40 * PAGE + 123
    allocator = RegionAllocator(region_size)
    live: dict[int, int] = {}
    for allocate, length in operations:
        if allocate or not live:
            try:
                offset = allocator.allocate(length)
            except RegionFull:
                continue
            assert offset % PAGE == 0
            assert offset + length <= region_size
            live[offset] = allocator.length_at(offset)
        else:
            offset = sorted(live)[length % len(live)]
            allocator.release(offset)
            del live[offset]

        ranges = sorted(live.items())
        for (start, size), (next_start, _) in zip(ranges, ranges[1:]):
            assert start + size <= next_start
        assert allocator.allocated_bytes + allocator.free_bytes == 40 * PAGE

    for offset in list(live):
        allocator.release(offset)
    assert allocator.allocate(40 * PAGE) == 0


@pytest.mark.parametrize(
    ("offset", "stride", "height", "reason"),
    [
        (8192, 64, 128, "region buffer at offset 8192 with 8192 bytes ends at 16384, past the region's 12288 bytes"),
        (12288, 4, 1, "region buffer at offset 12288 with 4 bytes ends at 12292, past the region's 12288 bytes"),
        (0, 4096, 4, "region buffer at offset 0 with 16384 bytes ends at 16384, past the region's 12288 bytes"),
        (-4096, 64, 1, "region buffer offset -4096 is outside 0..4294967295"),
        (2**32, 64, 1, "region buffer offset 4294967296 is outside 0..4294967295"),
        (0, 0, 1, "region buffer stride 0 is not a multiple of 4 in 4..65600"),
        (0, 66, 1, "region buffer stride 66 is not a multiple of 4 in 4..65600"),
        (0, 64, 0, "region buffer height 0 is outside 1..6144"),
        (0, 64, -1, "region buffer height -1 is outside 1..6144"),
    ],
)
def test_reject_region_buffer_out_of_bounds(offset, stride, height, reason):
    with pytest.raises(BufferRejected) as caught:
        check_region_buffer(3 * PAGE, offset, stride, height)
    assert caught.value.reason == reason


def test_accept_buffer_ending_at_region_end():
    assert check_region_buffer(3 * PAGE, 2 * PAGE, 64, PAGE // 64) == 3 * PAGE


def test_region_buffer_read_only_view():
    with SharedRegion.create(8 * PAGE) as owner, SharedRegion.open_read_only(owner.fd) as reader:
        assert not reader.writable
        assert reader.size == 8 * PAGE
        pixels(owner.map, 16, 4, 64, offset=2 * PAGE)[1, 2] = (9, 8, 7, 0)

        buffer = map_region_buffer(reader, width=16, height=4, stride=64, offset=2 * PAGE)
        view = pixels(buffer.map, 16, 4, 64, offset=buffer.offset)
        assert tuple(view[1, 2]) == (9, 8, 7, 0)
        assert not view.flags.writeable
        with pytest.raises(TypeError):
            buffer.map[0] = 1
        del view
        buffer.release()


def test_map_region_buffer_past_end():
    with SharedRegion.create(2 * PAGE) as region:
        with pytest.raises(BufferRejected, match="past the region's 8192 bytes"):
            map_region_buffer(region, width=16, height=128, stride=64, offset=PAGE)
        with pytest.raises(BufferRejected, match="stride 60 is outside 64"):
            map_region_buffer(region, width=16, height=1, stride=60, offset=0)


def test_region_is_sealed_and_reader_cannot_write():
    with SharedRegion.create(4 * PAGE) as owner:
        with pytest.raises(PermissionError):
            os.ftruncate(owner.fd, PAGE)
        with SharedRegion.open_read_only(owner.fd) as reader:
            with pytest.raises(PermissionError):
                mmap.mmap(reader.fd, reader.size, mmap.MAP_SHARED, mmap.PROT_READ | mmap.PROT_WRITE)
            with pytest.raises(TypeError):
                reader.map[0] = 1


def test_reject_unsealed_region():
    fd = os.memfd_create("unsealed-region", os.MFD_CLOEXEC | os.MFD_ALLOW_SEALING)
    os.ftruncate(fd, 4 * PAGE)
    fcntl.fcntl(fd, fcntl.F_ADD_SEALS, fcntl.F_SEAL_GROW)
    try:
        with pytest.raises(BufferRejected, match="F_SEAL_SHRINK missing"):
            SharedRegion.open_read_only(fd)
    finally:
        os.close(fd)


def test_region_create_rejects_invalid_size():
    with pytest.raises(ValueError):
        SharedRegion.create(0)
