"""A benchmark application: draws numbered frames on an X display and logs when.

Each frame's number is drawn as a colour: the 24-bit frame counter is the pixel
value 0xRRGGBB, starting at 1 (0 is the black of a new window). The pixel at
the window's centre always carries the counter, so an observer on the viewer
display can tell which frame is on the screen. After each frame the application waits
for the X server (XSync, or the xcb round trip) and logs
``counter CLOCK_MONOTONIC-seconds``.

Scenes:

- ``full``: a 1920x1080 window at (0, 0), filled whole with the counter colour;
- ``square``: a 1280x720 window centred on a 1920x1080 screen, gray, where only
  the 256x256 square in the middle is filled with the counter colour;
- ``noise``: a 1920x1080 window at (0, 0), each frame one of a few pre-generated
  noise images put whole with MIT-SHM, with the counter in a 64x64 block at the
  centre (written into the image before the put);
- ``idle``: 20 windows of 300x200, filled once with counter 1, then nothing
  drawn until the end (the last one is centred and on top).

Every window is centred on the screen, so the counter pixel is at (960, 540) in
root coordinates whatever the forwarding system.

The application runs until SIGTERM or SIGINT, then writes its log and exits 0.
With ``--rate 0`` it draws as fast as the X server takes the frames.
"""

from __future__ import annotations

import argparse
import mmap
import os
import select
import signal
import sys
import time
from pathlib import Path

from Xlib import X
from Xlib import display as xlib_display

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

SCREEN_WIDTH, SCREEN_HEIGHT = 1920, 1080
SQUARE_WINDOW = (1280, 720)
SQUARE_SIZE = 256
NOISE_BLOCK = 64
# Noise images cycled: enough that no two consecutive frames share content.
NOISE_IMAGES = 4
BACKGROUND = 0x404040

SCENES = ("full", "square", "noise", "idle")
IDLE_WINDOWS = 20
IDLE_SIZE = (300, 200)


def window_geometry(scene: str) -> tuple[int, int, int, int]:
    """Return the (x, y, width, height) of the scene's window on a 1920x1080 screen."""
    if scene == "idle":
        width, height = IDLE_SIZE
    elif scene == "square":
        width, height = SQUARE_WINDOW
    else:
        width, height = SCREEN_WIDTH, SCREEN_HEIGHT
    return (SCREEN_WIDTH - width) // 2, (SCREEN_HEIGHT - height) // 2, width, height


class SolidScene:
    """Fills the window (``full``) or its central square (``square``) with the counter colour."""

    def __init__(self, display, window, scene: str):
        self.display = display
        self.window = window
        self.gc = window.create_gc(foreground=BACKGROUND, graphics_exposures=False)
        _, _, width, height = window_geometry(scene)
        if scene == "square":
            window.fill_rectangle(self.gc, 0, 0, width, height)
            self.area = ((width - SQUARE_SIZE) // 2, (height - SQUARE_SIZE) // 2, SQUARE_SIZE, SQUARE_SIZE)
        else:
            self.area = (0, 0, width, height)
        display.sync()

    def draw(self, counter: int) -> None:
        self.gc.change(foreground=counter & 0xFFFFFF)
        self.window.fill_rectangle(self.gc, *self.area)
        self.display.sync()


class NoiseScene:
    """Puts pre-generated noise images with MIT-SHM, the counter in a block at the centre."""

    def __init__(self, display_name: str, window_id: int):
        import numpy as np

        from shm.xcb import XcbConnection

        self.frame_bytes = SCREEN_WIDTH * SCREEN_HEIGHT * 4
        fd = os.memfd_create("noise-frames", os.MFD_CLOEXEC)
        os.ftruncate(fd, self.frame_bytes * NOISE_IMAGES)
        self.mapping = mmap.mmap(fd, self.frame_bytes * NOISE_IMAGES)
        frames = np.frombuffer(self.mapping, dtype=np.uint32).reshape(NOISE_IMAGES, SCREEN_HEIGHT, SCREEN_WIDTH)
        generator = np.random.default_rng(12345)
        frames[:] = generator.integers(0, 1 << 24, size=frames.shape, dtype=np.uint32)
        top = (SCREEN_HEIGHT - NOISE_BLOCK) // 2
        left = (SCREEN_WIDTH - NOISE_BLOCK) // 2
        self.blocks = [frames[index, top:top + NOISE_BLOCK, left:left + NOISE_BLOCK] for index in range(NOISE_IMAGES)]
        self.xcb = XcbConnection(display_name)
        self.segment = self.xcb.attach_fd(fd, read_only=False)
        os.close(fd)
        self.gc = self.xcb.create_gc(window_id)
        self.window_id = window_id

    def draw(self, counter: int) -> None:
        index = counter % NOISE_IMAGES
        self.blocks[index][:] = counter & 0xFFFFFF
        self.xcb.put_image(self.window_id, self.gc, SCREEN_WIDTH, SCREEN_HEIGHT, 0, 0, SCREEN_WIDTH, SCREEN_HEIGHT,
                           0, 0, 24, self.segment, index * self.frame_bytes)
        self.xcb.sync()


def wait_until_mapped(display, window_ids: set[int]) -> None:
    """Wait for the MapNotify of every window: a window manager (the agent) maps them later."""
    waiting = set(window_ids)
    while waiting:
        event = display.next_event()
        if event.type == X.MapNotify:
            waiting.discard(event.window.id)


def show_idle_windows(display, screen, stop: list) -> None:
    """Map IDLE_WINDOWS windows, fill each with counter 1, and repaint only on Expose until ``stop``.

    A compositing forwarder (xpra) redirects windows after mapping them, which
    discards their contents and sends Expose, so the windows repaint then, as
    any X application does.
    """
    width, height = IDLE_SIZE
    centre_x, centre_y, _, _ = window_geometry("idle")
    # Two rows above the centred window, so none of them covers the watched pixel.
    places = [(20 + 95 * (index % 10), 20 + 210 * (index // 10)) for index in range(IDLE_WINDOWS - 1)]
    places.append((centre_x, centre_y))
    windows = {}
    for number, (x, y) in enumerate(places):
        window = screen.root.create_window(x, y, width, height, 0, screen.root_depth, X.InputOutput,
                                           X.CopyFromParent, background_pixel=BACKGROUND,
                                           event_mask=X.StructureNotifyMask | X.ExposureMask)
        window.set_wm_name(f"benchmark idle {number}")
        window.set_wm_normal_hints(flags=1 | 4, x=x, y=y)
        window.map()
        windows[window.id] = (window, window.create_gc(foreground=1, graphics_exposures=False))
    display.sync()

    wakeup_read, wakeup_write = os.pipe2(os.O_NONBLOCK | os.O_CLOEXEC)
    signal.set_wakeup_fd(wakeup_write)
    while not stop:
        while display.pending_events():
            event = display.next_event()
            if event.type in (X.MapNotify, X.Expose) and event.window.id in windows:
                window, gc = windows[event.window.id]
                window.fill_rectangle(gc, 0, 0, width, height)
        display.flush()
        # No timeout: the application wakes only for X events and signals.
        select.select([display, wakeup_read], [], [])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Draw numbered frames and log when each reached the X server.")
    parser.add_argument("--display", default=os.environ.get("DISPLAY"), help="X display (default: $DISPLAY)")
    parser.add_argument("--scene", choices=SCENES, required=True, help="what each frame draws")
    parser.add_argument("--rate", type=float, default=60.0, help="frames per second; 0 draws as fast as possible")
    parser.add_argument("--log", required=True, help="file the (counter, time) lines are written to at exit")
    parser.add_argument("--max-seconds", type=float, default=600.0,
                        help="stop on its own after this many seconds (a guard against a lost SIGTERM)")
    arguments = parser.parse_args(argv)

    stop = []
    signal.signal(signal.SIGTERM, lambda *_: stop.append(True))
    signal.signal(signal.SIGINT, lambda *_: stop.append(True))

    display = xlib_display.Display(arguments.display)
    screen = display.screen()
    if arguments.scene == "idle":
        started = time.monotonic()
        show_idle_windows(display, screen, stop)
        write_log(arguments.log, [(1, started)])
        return 0

    x, y, width, height = window_geometry(arguments.scene)
    window = screen.root.create_window(x, y, width, height, 0, screen.root_depth, X.InputOutput, X.CopyFromParent,
                                       background_pixel=BACKGROUND, event_mask=X.StructureNotifyMask)
    window.set_wm_name(f"benchmark {arguments.scene}")
    window.set_wm_normal_hints(flags=1 | 4, x=x, y=y)  # USPosition | PPosition: keep it centred
    window.map()
    # Drawing into a window before it is mapped is lost, as in any X application.
    wait_until_mapped(display, {window.id})
    if arguments.scene == "noise":
        scene = NoiseScene(arguments.display, window.id)
    else:
        scene = SolidScene(display, window, arguments.scene)

    log: list[tuple[int, float]] = []
    counter = 0
    started = time.monotonic()
    interval = 1.0 / arguments.rate if arguments.rate > 0 else 0.0
    while not stop and time.monotonic() - started < arguments.max_seconds:
        counter += 1
        if interval:
            due = started + counter * interval
            delay = due - time.monotonic()
            if delay > 0:
                time.sleep(delay)
            if stop:
                break
        scene.draw(counter)
        log.append((counter, time.monotonic()))
        # Events (ConfigureNotify and the like) are never needed; drop them so the queue stays empty.
        while display.pending_events():
            display.next_event()

    write_log(arguments.log, log)
    return 0


def write_log(path: str, log: list[tuple[int, float]]) -> None:
    """Write the log under a temporary name first, so a reader never sees half of it."""
    temporary = path + ".part"
    with open(temporary, "w") as file:
        file.write("".join(f"{number} {at:.6f}\n" for number, at in log))
    os.rename(temporary, path)


if __name__ == "__main__":
    sys.exit(main())
