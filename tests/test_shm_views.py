"""numpy views of XRGB8888 buffers."""

from __future__ import annotations

import mmap

import numpy as np
import pytest

from shm.views import pixel_values, pixels


def test_pixels_view_bgrx_shared():
    data = bytearray(64 * 3)
    view = pixels(data, 10, 3, 64)
    assert view.shape == (3, 10, 4)
    assert view.dtype == np.uint8
    view[1, 2] = (0x10, 0x20, 0x30, 0x00)
    assert data[64 + 8:64 + 12] == b"\x10\x20\x30\x00"
    assert pixel_values(data, 10, 3, 64)[1, 2] == 0x00302010


def test_pixels_view_honours_offset():
    data = bytearray(4096 + 16)
    data[4096 + 4:4096 + 8] = b"\x01\x02\x03\x04"
    assert tuple(pixels(data, 2, 2, 8, offset=4096)[0, 1]) == (1, 2, 3, 4)


def test_view_of_read_only_mapping():
    mapping = mmap.mmap(-1, 4096, prot=mmap.PROT_READ)
    view = pixels(mapping, 4, 4, 16)
    assert not view.flags.writeable
    del view
    mapping.close()


def test_mapping_cannot_close_under_a_view():
    mapping = mmap.mmap(-1, 4096)
    values = pixel_values(mapping, 4, 4, 16)
    with pytest.raises(BufferError):
        mapping.close()
    del values
    mapping.close()


@pytest.mark.parametrize(
    ("width", "height", "stride", "offset", "message"),
    [
        (16, 5, 64, 0, "ends at 320, past 256 bytes"),
        (4, 4, 16, 250, "ends at 314, past 256 bytes"),
        (0, 4, 16, 0, "invalid image layout"),
        (4, 4, 12, 0, "invalid image layout"),
        (4, 4, 16, -4, "invalid image layout"),
    ],
)
def test_views_reject_layouts_outside_the_buffer(width, height, stride, offset, message):
    with pytest.raises(ValueError, match=message):
        pixels(bytearray(256), width, height, stride, offset)


def test_last_row_needs_no_full_stride():
    assert pixels(bytearray(64 + 16), 4, 2, 64).shape == (2, 4, 4)


def test_pixel_values_rejects_unaligned_stride():
    with pytest.raises(ValueError, match="multiple of 4"):
        pixel_values(bytearray(256), 4, 2, 18)
