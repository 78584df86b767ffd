"""numpy views of XRGB8888 buffers, for tests and tools; never used on the pixel path.

The views share memory with the buffer (no copy). A view of a read-only mapping is
read-only. While a view exists, the mmap it comes from cannot be closed.
"""

from __future__ import annotations

import numpy as np
from numpy.lib.stride_tricks import as_strided

from .buffer import BYTES_PER_PIXEL


def pixels(mapping, width: int, height: int, stride: int, offset: int = 0) -> np.ndarray:
    """Return a (height, width, 4) uint8 view of an image in ``mapping``; channels are B, G, R, X.

    ``mapping`` is any buffer object (mmap, memoryview, bytearray). Raises
    ValueError when the image does not fit in it.
    """
    flat = _export(mapping, np.uint8, width, height, stride, offset)
    return as_strided(flat, shape=(height, width, BYTES_PER_PIXEL), strides=(stride, BYTES_PER_PIXEL, 1))


def pixel_values(mapping, width: int, height: int, stride: int, offset: int = 0) -> np.ndarray:
    """Return a (height, width) view of 32-bit pixel values 0xXXRRGGBB (little-endian)."""
    if stride % BYTES_PER_PIXEL:
        raise ValueError(f"stride {stride} is not a multiple of {BYTES_PER_PIXEL}")
    flat = _export(mapping, np.dtype("<u4"), width, height, stride, offset)
    return as_strided(flat, shape=(height, width), strides=(stride, BYTES_PER_PIXEL))


def _export(mapping, dtype, width: int, height: int, stride: int, offset: int) -> np.ndarray:
    """Return a flat array over the image's bytes that keeps a buffer export of ``mapping``.

    np.frombuffer keeps the export, so the mmap cannot be closed under the view.
    np.ndarray(buffer=...) does not keep it: closing the mmap would leave the view
    pointing at unmapped memory.
    """
    if width < 1 or height < 1 or offset < 0 or stride < width * BYTES_PER_PIXEL:
        raise ValueError(f"invalid image layout {width}x{height}, stride {stride}, offset {offset}")
    length = memoryview(mapping).nbytes
    # The last row needs only width * 4 bytes, not a whole stride.
    image_bytes = stride * (height - 1) + width * BYTES_PER_PIXEL
    if offset + image_bytes > length:
        raise ValueError(
            f"image {width}x{height} with stride {stride} at offset {offset} ends at "
            f"{offset + image_bytes}, past {length} bytes"
        )
    dtype = np.dtype(dtype)
    return np.frombuffer(mapping, dtype=dtype, count=image_bytes // dtype.itemsize, offset=offset)
