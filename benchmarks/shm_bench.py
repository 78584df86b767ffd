"""Measure MIT-SHM capture and put against numpy's copy of the same bytes.

Two Xvfb servers stand for a domain and the GUI display. For full frames
(1920x1080) and small windows (256x256) the script times

- capture: ``get_image`` of a Composite-redirected window into a sealed memfd,
  and the same capture as a CopyArea into an MIT-SHM pixmap over that memfd,
- put: ``put_image`` from the read-only received mapping onto a window of the
  second server, followed by a round trip so the server has finished drawing,
- numpy: ``np.copyto`` of the same number of bytes, the memory-bandwidth floor,

each with warm caches and with cold caches (a large unrelated array is written
between iterations). It also compares three ways to land a damaged
sub-rectangle in the full-frame layout. The first captures a full-width band in
place. The second captures the rectangle into a staging segment and copies it into
place with numpy. The third copies it with CopyArea into an MIT-SHM pixmap whose
memory is the buffer.

Usage:
    .venv/bin/python benchmarks/shm_bench.py [--write docs/benchmarks.md]
"""

from __future__ import annotations

import argparse
import contextlib
import datetime
import gc
import os
import platform
import re
import shlex
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
from Xlib import X
from Xlib import display as xlib_display
from Xlib.ext import composite

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from domains.xserver import start_xvfb  # noqa: E402
from shm.buffer import WindowBuffer  # noqa: E402
from shm.capture import FrameCapture, capture_damage  # noqa: E402
from shm.receive import map_received_buffer  # noqa: E402
from shm.views import pixels  # noqa: E402
from shm.xcb import XcbConnection  # noqa: E402

SECTION_BEGIN = "<!-- shm_bench:begin -->"
SECTION_END = "<!-- shm_bench:end -->"

SCREEN_WIDTH, SCREEN_HEIGHT = 1920, 1080
WINDOW_SIZES = ((1920, 1080), (256, 256))

# Damaged rectangles (x, y, width, height) inside a 1920x1080 window for the
# band-versus-staging comparison, from a cursor blink to most of the screen.
DAMAGE_RECTANGLES = (
    (100, 100, 16, 16),
    (500, 300, 64, 64),
    (800, 400, 256, 256),
    (200, 200, 640, 480),
    (300, 150, 1280, 720),
    (0, 500, 1920, 100),
    (100, 500, 800, 16),
    (900, 0, 16, 1080),
)

# Written between cold iterations: twice the 32 MiB L3 cache of the reference
# machine, and more than 64 MiB for any machine.
EVICTION_BYTES = 96 * 1024 * 1024


class Timer:
    """Time functions with warm or cold caches; results in milliseconds.

    The functions compared in one call take turns, so load from other processes
    on the machine affects all of them alike. Warm: blocks of WARM_BLOCK timed
    calls per function, each block after two untimed calls that bring its data
    back into the caches. Cold: one call per function in turn, each after the
    eviction write.
    """

    WARM_BLOCK = 10

    def __init__(self, warm_iterations: int, cold_iterations: int) -> None:
        self.warm_iterations = warm_iterations
        self.cold_iterations = cold_iterations
        self._scratch = np.zeros(EVICTION_BYTES, dtype=np.uint8)

    def measure(self, functions: list[Callable[[], object]]) -> list[dict[str, tuple[float, float]]]:
        """Return, per function, the median and 90th percentile run time in ms, warm and cold."""
        warm = [[] for _ in functions]
        cold = [[] for _ in functions]
        gc.disable()
        try:
            for _ in range(-(-self.warm_iterations // self.WARM_BLOCK)):
                for function, samples in zip(functions, warm):
                    function()
                    function()
                    for _ in range(self.WARM_BLOCK):
                        start = time.perf_counter_ns()
                        function()
                        samples.append(time.perf_counter_ns() - start)
            for _ in range(self.cold_iterations):
                for function, samples in zip(functions, cold):
                    self._scratch += 1
                    start = time.perf_counter_ns()
                    function()
                    samples.append(time.perf_counter_ns() - start)
        finally:
            gc.enable()
        return [{"warm": _summarize(w), "cold": _summarize(c)} for w, c in zip(warm, cold)]


def _summarize(samples_ns: list[int]) -> tuple[float, float]:
    samples = np.array(samples_ns) / 1e6
    return float(np.median(samples)), float(np.percentile(samples, 90))


class DomainWindow:
    """A window with a colourful test pattern on the domain server, redirected with Composite."""

    def __init__(self, xlib: xlib_display.Display, width: int, height: int) -> None:
        screen = xlib.screen()
        self.window = screen.root.create_window(
            0, 0, width, height, 0, screen.root_depth, X.InputOutput, X.CopyFromParent,
            background_pixel=0x202020, override_redirect=True,
        )
        self.window.map()
        colour_gc = self.window.create_gc()
        step = max(width, height) // 16
        for index, (x, y) in enumerate((x, y) for y in range(0, height, step) for x in range(0, width, step)):
            colour_gc.change(foreground=((index + 1) * 0x35A7C3) & 0xFFFFFF)
            self.window.fill_rectangle(colour_gc, x, y, step, step)
        xlib.sync()


def open_xlib(display: str) -> xlib_display.Display:
    xlib = xlib_display.Display(display)
    xlib.composite_query_version()
    xlib.screen().root.composite_redirect_subwindows(composite.RedirectAutomatic)
    xlib.sync()
    return xlib


def measure_frames(timer: Timer, domain_display: str, gui_display: str) -> list[dict]:
    rows = []
    domain_xlib = open_xlib(domain_display)
    gui_xlib = xlib_display.Display(gui_display)
    with XcbConnection(domain_display) as domain, XcbConnection(gui_display) as gui:
        for width, height in WINDOW_SIZES:
            source = DomainWindow(domain_xlib, width, height)
            target = gui_xlib.screen().root.create_window(
                0, 0, width, height, 0, gui_xlib.screen().root_depth, override_redirect=True
            )
            target.map()
            gui_xlib.sync()

            with contextlib.ExitStack() as stack:
                buffer = stack.enter_context(WindowBuffer.create(width, height))
                received = stack.enter_context(
                    map_received_buffer(buffer.fd, width=width, height=height, stride=buffer.stride)
                )
                domain_segment = domain.attach_fd(buffer.fd, read_only=False)
                gui_segment = gui.attach_fd(received.fd, read_only=True)
                gui_gc = gui.create_gc(target.id)

                def capture():
                    domain.get_image(source.window.id, 0, 0, width, height, domain_segment, 0)

                frame_capture = FrameCapture(domain, domain_segment, width, height, buffer.stride)
                whole_window = (0, 0, width, height)

                def capture_by_copy():
                    frame_capture.capture(source.window.id, whole_window)

                def put():
                    gui.put_image(target.id, gui_gc, width, height, 0, 0, width, height, 0, 0, 24, gui_segment, 0)
                    gui.sync()

                numpy_source = np.ones(buffer.size, dtype=np.uint8)
                numpy_target = np.empty_like(numpy_source)

                def numpy_copy():
                    np.copyto(numpy_target, numpy_source)

                capture()
                frame = pixels(received.map, width, height, buffer.stride)
                if not frame[..., :3].any():
                    raise RuntimeError("capture produced an all-black frame; the benchmark setup is broken")
                del frame

                operations = (
                    ("capture (get_image)", capture),
                    ("capture (CopyArea to SHM pixmap)", capture_by_copy),
                    ("put (put_image)", put),
                    ("numpy copy", numpy_copy),
                )
                timings = timer.measure([function for _, function in operations])
                for (name, _), timing in zip(operations, timings):
                    rows.append({"operation": name, "size": f"{width}x{height}", "bytes": buffer.size, **timing})
                frame_capture.close()
                gui.free_gc(gui_gc)
                gui.detach(gui_segment)
                domain.detach(domain_segment)
            source.window.destroy()
            target.destroy()
    domain_xlib.close()
    gui_xlib.close()
    return rows


def measure_damage(timer: Timer, domain_display: str) -> list[dict]:
    rows = []
    width, height = SCREEN_WIDTH, SCREEN_HEIGHT
    domain_xlib = open_xlib(domain_display)
    source = DomainWindow(domain_xlib, width, height)
    with contextlib.ExitStack() as stack:
        domain = stack.enter_context(XcbConnection(domain_display))
        buffer = stack.enter_context(WindowBuffer.create(width, height))
        # Every rectangle fits in a staging segment of the window's size.
        staging = stack.enter_context(WindowBuffer.create(width, height))
        frame_map = buffer.open_mapping()
        staging_map = staging.open_mapping()
        stack.callback(frame_map.close)
        stack.callback(staging_map.close)
        frame_segment = domain.attach_fd(buffer.fd, read_only=False)
        staging_segment = domain.attach_fd(staging.fd, read_only=False)
        frame = pixels(frame_map, width, height, buffer.stride)
        frame_capture = FrameCapture(domain, frame_segment, width, height, buffer.stride)
        staging_bytes = np.frombuffer(staging_map, dtype=np.uint8)

        for rect in DAMAGE_RECTANGLES:
            x, y, w, h = rect

            def band():
                capture_damage(domain, source.window.id, rect, frame_segment, width, height, buffer.stride)

            def staged():
                domain.get_image(source.window.id, x, y, w, h, staging_segment, 0)
                frame[y:y + h, x:x + w] = staging_bytes[:w * h * 4].reshape(h, w, 4)

            def copied():
                frame_capture.capture(source.window.id, rect)

            # Every method must land the same pixels before its time means anything.
            band()
            expected = frame[y:y + h, x:x + w].copy()
            for method in (staged, copied):
                frame[y:y + h, x:x + w] = 0
                method()
                if not np.array_equal(frame[y:y + h, x:x + w], expected):
                    raise RuntimeError(f"{method.__name__} capture of {rect} differs from the band capture")

            methods = (("band (get_image)", band), ("staging + numpy copy", staged),
                       ("CopyArea to SHM pixmap", copied))
            timings = timer.measure([function for _, function in methods])
            for (name, _), timing in zip(methods, timings):
                rows.append({"operation": name, "size": f"{w}x{h} at {x},{y}", "bytes": w * h * 4, **timing})
        del frame, staging_bytes
        frame_capture.close()
        domain.detach(staging_segment)
        domain.detach(frame_segment)
    domain_xlib.close()
    return rows


def format_table(rows: list[dict]) -> str:
    lines = [
        "| operation | size | bytes | warm median ms | warm p90 ms | cold median ms | cold p90 ms |",
        "|---|---|---:|---:|---:|---:|---:|",
    ]
    for row in rows:
        lines.append(
            f"| {row['operation']} | {row['size']} | {row['bytes']:,} | {row['warm'][0]:.3f} | "
            f"{row['warm'][1]:.3f} | {row['cold'][0]:.3f} | {row['cold'][1]:.3f} |"
        )
    return "\n".join(lines)


def target_verdict(rows: list[dict]) -> str:
    """Compare full-frame capture and put with numpy's copy: each must take at most twice as long."""
    full = {row["operation"]: row for row in rows if row["size"] == f"{SCREEN_WIDTH}x{SCREEN_HEIGHT}"}
    floor = full["numpy copy"]
    lines = []
    for operation in ("capture (get_image)", "capture (CopyArea to SHM pixmap)", "put (put_image)"):
        for cache in ("warm", "cold"):
            ratio = full[operation][cache][0] / floor[cache][0]
            verdict = "met" if ratio <= 2.0 else "NOT met"
            lines.append(f"- {operation}, {cache} caches: {ratio:.2f}x the numpy copy (median): target {verdict}")
    return "\n".join(lines)


def relative_times(rows: list[dict]) -> str:
    """List, per damaged rectangle, each method's median relative to the fastest one, warm and cold."""
    by_size: dict[str, list[dict]] = {}
    for row in rows:
        by_size.setdefault(row["size"], []).append(row)
    lines = []
    for size, methods in by_size.items():
        fastest_warm = min(row["warm"][0] for row in methods)
        fastest_cold = min(row["cold"][0] for row in methods)
        parts = [
            f"{row['operation']} {row['warm'][0] / fastest_warm:.1f}x / {row['cold'][0] / fastest_cold:.1f}x"
            for row in methods
        ]
        lines.append(f"- {size}: " + ", ".join(parts))
    return "\n".join(lines)


def describe_machine(domain_display: str) -> str:
    cpu_model = "unknown"
    with open("/proc/cpuinfo", encoding="ascii", errors="replace") as cpuinfo:
        for line in cpuinfo:
            if line.startswith("model name"):
                cpu_model = line.split(":", 1)[1].strip()
                break
    xvfb_package = subprocess.run(
        ["dpkg-query", "-W", "-f", "${Version}", "xvfb"], capture_output=True, text=True, check=False
    ).stdout.strip() or "unknown"
    xlib = xlib_display.Display(domain_display)
    release = xlib.display.info.release_number
    vendor = xlib.display.info.vendor
    xlib.close()
    # X.Org encodes 21.1.7 as 1_21_01_007 in its vendor release number.
    server_version = f"{release // 100000 % 100}.{release // 1000 % 100}.{release % 1000}"
    return (
        f"- CPU: {cpu_model}, {os.cpu_count()} cores (L3 eviction array: {EVICTION_BYTES // 2**20} MiB)\n"
        f"- Kernel: Linux {platform.release()}\n"
        f"- Xvfb: {vendor} {server_version} (Debian package xvfb {xvfb_package})\n"
        f"- Python {platform.python_version()}, numpy {np.__version__}"
    )


def render_section(command: str, machine: str, frames: list[dict], damage: list[dict], timer: Timer) -> str:
    today = datetime.date.today().isoformat()
    return f"""{SECTION_BEGIN}
## Shared buffers and MIT-SHM (`benchmarks/shm_bench.py`)

Measured {today} with:

    {command}

{machine}

Warm: {timer.warm_iterations} iterations, in blocks of {Timer.WARM_BLOCK} per operation after two
untimed calls; cold: {timer.cold_iterations} iterations, each after writing a
{EVICTION_BYTES // 2**20} MiB array. The operations of one table block take turns, so
load from other processes affects them alike. The source is a Composite-redirected
window on one Xvfb. `capture (get_image)` is `XcbConnection.get_image` into a sealed
memfd. `capture (CopyArea to SHM pixmap)` is `shm.capture.FrameCapture.capture`,
a CopyArea into an MIT-SHM pixmap whose memory is that memfd. Both wait for the
server. Put is `put_image` from the read-only received mapping onto a window of a
second Xvfb plus a round trip (`sync`), so the time includes the server's drawing.
The numpy copy moves the same number of bytes between two arrays.

{format_table(frames)}

Target (capture and put of a full 1920x1080 frame each within 2x of the numpy copy):

{target_verdict(frames)}

### Damaged sub-rectangles of a 1920x1080 window: band, staging or CopyArea

`band (get_image)` captures the full-width rows of the rectangle straight into place
(`shm.capture.capture_damage`). `staging + numpy copy` captures the packed rectangle
into a separate segment and copies its rows into the frame with numpy.
`CopyArea to SHM pixmap` is `shm.capture.FrameCapture.capture`. Each time includes
the round trip that makes the pixels final.

{format_table(damage)}

Median of each method relative to the fastest for that rectangle (warm / cold):

{relative_times(damage)}
{SECTION_END}
"""


def write_section(path: Path, section: str) -> None:
    """Replace the marked section of ``path``, or append it; other sections are kept."""
    text = path.read_text(encoding="utf-8") if path.exists() else "# Benchmarks\n"
    pattern = re.compile(re.escape(SECTION_BEGIN) + r".*?" + re.escape(SECTION_END) + r"\n?", re.DOTALL)
    if pattern.search(text):
        text = pattern.sub(lambda _: section, text, count=1)
    else:
        text = text.rstrip("\n") + "\n\n" + section
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--iterations", type=int, default=300, help="warm iterations per measurement")
    parser.add_argument("--cold-iterations", type=int, default=100, help="cold iterations per measurement")
    parser.add_argument("--write", type=Path, metavar="PATH",
                        help="replace this benchmark's section of PATH (e.g. docs/benchmarks.md)")
    arguments = parser.parse_args()

    timer = Timer(arguments.iterations, arguments.cold_iterations)
    command = ".venv/bin/python " + shlex.join(sys.argv)
    with start_xvfb(SCREEN_WIDTH, SCREEN_HEIGHT) as domain_server, start_xvfb(SCREEN_WIDTH, SCREEN_HEIGHT) as gui_server:
        machine = describe_machine(domain_server.display)
        frames = measure_frames(timer, domain_server.display, gui_server.display)
        damage = measure_damage(timer, domain_server.display)

    section = render_section(command, machine, frames, damage, timer)
    print(section)
    if arguments.write:
        write_section(arguments.write, section)
        print(f"updated {arguments.write}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
