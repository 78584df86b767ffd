"""Draw the reference screenshots of odyssey-wm in docs/images/.

Usage: .venv/bin/python tools/wm_screenshots.py [OUTPUT_DIRECTORY]

Starts a private 1280x800 Xvfb, odyssey-wm and a few registered "daemon"
clients (the window owners of the test suite), sets up a desktop, and saves
wm-frames.png, wm-xray.png and wm-switcher.png as PNG files.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

import numpy
from PySide6.QtGui import QImage

TOP = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(TOP / "tests"))

from domains.xserver import start_xvfb  # noqa: E402
from wm import properties  # noqa: E402
from wm.geometry import Rect  # noqa: E402
from wm.labels import LABELS  # noqa: E402
from wm_support import SCREEN_HEIGHT, SCREEN_WIDTH, Desktop, wait_for  # noqa: E402


def save_screen(desktop: Desktop, path: Path) -> None:
    pixels = desktop.pixels(Rect(0, 0, SCREEN_WIDTH, SCREEN_HEIGHT)).astype(numpy.uint32)
    # Format_RGB32 reads 0xffRRGGBB words.
    image_data = numpy.ascontiguousarray(pixels | 0xFF000000)
    image = QImage(image_data.data, SCREEN_WIDTH, SCREEN_HEIGHT, SCREEN_WIDTH * 4, QImage.Format.Format_RGB32)
    if not image.save(str(path)):
        raise RuntimeError(f"cannot write {path}")
    print(f"wrote {path}")


def build_desktop(desktop: Desktop) -> dict[str, int]:
    owners = {name: desktop.owner(name, label) for name, label in
              (("work", "blue"), ("untrusted", "red"), ("vault", "black"), ("personal", "green"),
               ("media", "yellow"))}

    def create(domain: str, x: int, y: int, width: int, height: int, title: str, **spec) -> int:
        label = {"work": "blue", "untrusted": "red", "vault": "black", "personal": "green",
                 "media": "yellow"}[domain]
        window = owners[domain].create(x=x, y=y, width=width, height=height, domain=domain,
                                       label_rgb=LABELS[label].rgb, title=title, background=0xF5F5F5,
                                       size_hints={"flags": 4}, **spec)
        desktop.frame_of(window)
        return window

    windows = {
        "work": create("work", 30, 50, 520, 300, "Inbox \u2014 Thunderbird"),
        "vault": create("vault", 760, 60, 460, 240, "Password Safe"),
        "untrusted": create("untrusted", 590, 340, 520, 300, "\u202e]tluav[ Sign in \u2014 Firefox"),
        "personal": create("personal", 30, 420, 420, 280, "Photos"),
        "media": create("media", 1000, 560, 240, 180, "Music"),
    }
    desktop.spawn("xterm", "-geometry", "50x8+480+640", "-T", "GUI domain terminal")
    wait_for(lambda: any(desktop.frame_title(window) == "[gui] GUI domain terminal"
                         for window in desktop.top_level_order()), "the xterm is framed")
    hidden = create("personal", 300, 300, 300, 200, "Holiday plans")
    frame = desktop.rect_of(desktop.parent(hidden))
    desktop.click(frame.right - 4 - 48 + 7, frame.y + 10)  # its minimize control
    wait_for(lambda: desktop.wm_state(hidden) == 3, "the window is minimized")
    rect = desktop.rect_of(windows["work"])
    desktop.click(rect.x + 200, rect.y + 100)
    wait_for(lambda: desktop.bar_focus() == "work", "the work window has the focus")
    owners["media"].command(op="message", window=windows["media"], type=properties.NET_WM_STATE,
                            data=[1, desktop.x.get_atom(properties.NET_WM_STATE_DEMANDS_ATTENTION), 0, 1])
    wait_for(lambda: properties.NET_WM_STATE_DEMANDS_ATTENTION
             in desktop.atom_names(windows["media"], properties.NET_WM_STATE), "media demands attention")
    desktop.root.change_property(desktop.x.get_atom(properties.ODYSSEY_NOTICES),
                                 desktop.x.get_atom(properties.UTF8_STRING), 8,
                                 properties.encode_notice("vault", "black", "Copied 24 bytes to the clipboard"))
    desktop.x.sync()
    wait_for(lambda: desktop.utf8_property(desktop.bar_window(), properties.ODYSSEY_BAR_NOTICE),
             "the notice is shown")
    return windows


def main() -> int:
    output = Path(sys.argv[1]) if len(sys.argv) > 1 else TOP / "docs" / "images"
    output.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as base, start_xvfb(SCREEN_WIDTH, SCREEN_HEIGHT) as server:
        desktop = Desktop(server, Path(base))
        try:
            desktop.write_config("[wm]\nnotice_seconds = 60\n")
            desktop.start_wm()
            build_desktop(desktop)
            save_screen(desktop, output / "wm-frames.png")

            desktop.key_down("Super_L", "x")
            wait_for(lambda: any(desktop.utf8_property(window, properties.ODYSSEY_XRAY) is not None
                                 for window in desktop.top_level_order()), "the X-ray overlay is shown")
            save_screen(desktop, output / "wm-xray.png")
            desktop.key_up("Super_L", "x")

            desktop.key_down("Alt_L")
            desktop.press("Tab")
            wait_for(lambda: any(desktop.utf8_property(window, properties.ODYSSEY_SWITCHER) is not None
                                 for window in desktop.top_level_order()), "the switcher is shown")
            save_screen(desktop, output / "wm-switcher.png")
            desktop.key_up("Alt_L")
        finally:
            desktop.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
