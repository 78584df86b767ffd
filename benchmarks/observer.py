"""The benchmark observer: logs when each frame counter appears on the viewer display.

It watches the viewer display's root window with a DAMAGE object at the
NonEmpty level, so it sleeps until something is drawn anywhere on the screen.
On each notification it subtracts the damage (re-arming the notification),
reads the one pixel at the point given (the centre of the benchmark window,
see ``drawing_app``), and when the pixel's value changed it logs
``value CLOCK_MONOTONIC-seconds``. The value is the application's frame counter.

The first logged value that can be a frame counter (1 to ``COUNTER_LIMIT - 1``,
never a window background) is also printed on standard output as
``first VALUE TIME``, so the harness learns that the window is visible. ``ready`` is
printed once the DAMAGE object exists. The observer runs until SIGTERM or
SIGINT, then writes its log and exits 0.
"""

from __future__ import annotations

import argparse
import os
import select
import signal
import sys
import time

from Xlib import X, error
from Xlib import display as xlib_display
from Xlib.ext import damage as xdamage

# Counters stay far below this in any run; backgrounds (0x404040, 0x808080) are above.
COUNTER_LIMIT = 0x100000


def read_pixel(root, x: int, y: int) -> int:
    """Return the pixel at (x, y) of the root window as 0xRRGGBB."""
    image = root.get_image(x, y, 1, 1, X.ZPixmap, 0xFFFFFFFF)
    blue, green, red = image.data[0], image.data[1], image.data[2]
    return (red << 16) | (green << 8) | blue


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Log the frame counters that appear at one point of a display.")
    parser.add_argument("--display", required=True, help="the viewer display")
    parser.add_argument("--x", type=int, default=960, help="x of the watched pixel in root coordinates")
    parser.add_argument("--y", type=int, default=540, help="y of the watched pixel in root coordinates")
    parser.add_argument("--log", required=True, help="file the (value, time) lines are written to at exit")
    arguments = parser.parse_args(argv)

    stop = []
    wakeup_read, wakeup_write = os.pipe2(os.O_NONBLOCK | os.O_CLOEXEC)
    signal.set_wakeup_fd(wakeup_write)
    signal.signal(signal.SIGTERM, lambda *_: stop.append(True))
    signal.signal(signal.SIGINT, lambda *_: stop.append(True))

    display = xlib_display.Display(arguments.display)
    # python-xlib's DAMAGE module registers its error class at raw code 2 (BadValue).
    display.display.error_classes[X.BadRequest] = error.BadRequest
    display.display.error_classes[X.BadValue] = error.BadValue
    display.damage_query_version()  # DamageCreate fails with BadRequest before this
    root = display.screen().root
    damage = root.damage_create(xdamage.DamageReportNonEmpty)
    damage_event = display.extension_event.DamageNotify
    display.sync()
    print("ready", flush=True)

    log: list[tuple[int, float]] = []
    last = read_pixel(root, arguments.x, arguments.y)
    announced = False
    while not stop:
        if not display.pending_events():
            readable, _, _ = select.select([display, wakeup_read], [], [])
            if wakeup_read in readable:
                continue
        notified = False
        while display.pending_events():
            event = display.next_event()
            notified = notified or event.type == damage_event
        if not notified:
            continue
        display.damage_subtract(damage, X.NONE, X.NONE)
        value = read_pixel(root, arguments.x, arguments.y)  # the round trip also sends the subtract
        if value != last:
            at = time.monotonic()
            last = value
            log.append((value, at))
            if not announced and 0 < value < COUNTER_LIMIT:
                print(f"first {value} {at:.6f}", flush=True)
                announced = True

    temporary = arguments.log + ".part"
    with open(temporary, "w") as file:
        file.write("".join(f"{value} {at:.6f}\n" for value, at in log))
    os.rename(temporary, arguments.log)
    return 0


if __name__ == "__main__":
    sys.exit(main())
