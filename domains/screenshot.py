"""Screenshots of the GUI display as PNG files."""

from __future__ import annotations

from pathlib import Path

from Xlib import X
from Xlib import display as xdisplay

# python-xlib lacks BIG-REQUESTS, so each GetImage reply stays below 256 KiB.
_MAX_BAND_BYTES = 200 * 1024


def grab_root(display_name: str) -> tuple[int, int, bytes]:
    """Return (width, height, pixels) of the whole screen, pixels as B G R X rows."""
    connection = xdisplay.Display(display_name)
    try:
        screen = connection.screen()
        width, height = screen.width_in_pixels, screen.height_in_pixels
        rows = max(1, _MAX_BAND_BYTES // (width * 4))
        bands = []
        for top in range(0, height, rows):
            band = min(rows, height - top)
            bands.append(screen.root.get_image(0, top, width, band, X.ZPixmap, 0xFFFFFFFF).data)
        return width, height, b"".join(bands)
    finally:
        connection.close()


def save_screenshot(display_name: str, path: Path) -> Path:
    """Write a PNG of the display to path and return it."""
    from PySide6.QtGui import QImage  # Qt loads only for screenshots

    width, height, pixels = grab_root(display_name)
    # Format_RGB32 reads B G R X bytes as they are (Xvfb's depth-24 layout).
    image = QImage(pixels, width, height, width * 4, QImage.Format.Format_RGB32)
    path = Path(path)
    if not path.parent.is_dir():
        raise OSError(f"cannot write the screenshot {path}: directory {path.parent} does not exist")
    if not image.save(str(path), "PNG"):
        raise OSError(f"cannot write the screenshot {path}")
    return path
