"""A small X application that draws known solid colours, for tests of the pixel path.

Run it as::

    python tests/apps/known_pixels.py --display :1 --geometry 200x100+10+20 \\
        --title "Known pixels" --colors ff0000,00ff00,0000ff,ffffff

The window shows four quadrants in the given colours (top left, top right,
bottom left, bottom right; one colour fills the whole window). The quadrants
split the window's current size, so after a resize they follow it.

Options:

- ``--override-redirect``: an undecorated window, like a menu.
- ``--transient-for WINDOW``: set WM_TRANSIENT_FOR (decimal or 0x hex id).
- ``--class NAME,CLASS``: set WM_CLASS (default ``known_pixels,KnownPixels``).
- ``--min-size WxH`` / ``--max-size WxH``: set those WM_NORMAL_HINTS.
- ``--no-delete-window``: leave WM_DELETE_WINDOW out of WM_PROTOCOLS.
- ``--report-input``: print pointer and key events (see below).
- ``--cursor-name NAME``: give the window a cursor from the cursor font
  (``--cursor-glyph N``, default 68 left_ptr) named NAME with XFixes.
- ``--unmapped``: create the window without mapping it.

Lines on standard input (the reply to each is ``ok``, printed after XSync once
the X server has processed the change):

- ``fill X Y W H RRGGBB``: fill a rectangle; fills are kept and redrawn on Expose.
- ``title TEXT``: set WM_NAME (Latin-1) and _NET_WM_NAME (UTF-8) to TEXT.
- ``move X Y``, ``resize W H``: configure the window.
- ``map``, ``unmap``, ``raise``: as in X.
- ``quit``: exit with status 0.

Lines on standard output:

- ``ready WINDOW`` once the window is mapped and drawn (WINDOW in decimal), or
  at once with ``--unmapped``;
- ``ok`` after each command;
- with ``--report-input``: ``button-press B X Y``, ``button-release B X Y``,
  ``motion X Y`` (window-relative), ``key-press KEYCODE``, ``key-release KEYCODE``;
- ``closed`` when WM_DELETE_WINDOW arrives, then the program exits with status 0.
"""

from __future__ import annotations

import argparse
import os
import select
import sys

from Xlib import X, Xatom, Xutil
from Xlib import display as xdisplay
from Xlib.protocol import rq


class _SetCursorName(rq.Request):
    # XFixes SetCursorName (minor opcode 23); python-xlib 0.33 does not have it.
    _request = rq.Struct(
        rq.Card8("opcode"), rq.Opcode(23), rq.RequestLength(), rq.Card32("cursor"),
        rq.LengthOf("name", 2), rq.Pad(2), rq.String8("name"),
    )


def _size(text: str) -> tuple[int, int]:
    width, height = text.lower().split("x")
    return int(width), int(height)


def _geometry(text: str) -> tuple[int, int, int, int]:
    size, x, y = text.replace("-", "+-").split("+")
    width, height = _size(size)
    return width, height, int(x), int(y)


def parse_arguments(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--display", default=os.environ.get("DISPLAY"))
    parser.add_argument("--geometry", default="200x100+0+0", type=_geometry, help="WxH+X+Y")
    parser.add_argument("--title", default="known pixels")
    parser.add_argument("--colors", default="ff0000,00ff00,0000ff,ffffff",
                        help="one or four RRGGBB colours: top left, top right, bottom left, bottom right")
    parser.add_argument("--override-redirect", action="store_true")
    parser.add_argument("--transient-for", type=lambda text: int(text, 0), default=0)
    parser.add_argument("--class", dest="window_class", default="known_pixels,KnownPixels")
    parser.add_argument("--min-size", type=_size)
    parser.add_argument("--max-size", type=_size)
    parser.add_argument("--no-delete-window", action="store_true")
    parser.add_argument("--report-input", action="store_true")
    parser.add_argument("--cursor-name")
    parser.add_argument("--cursor-glyph", type=int, default=68)
    parser.add_argument("--unmapped", action="store_true")
    return parser.parse_args(argv)


class KnownPixels:
    def __init__(self, arguments: argparse.Namespace):
        self.arguments = arguments
        self.display = xdisplay.Display(arguments.display)
        self.screen = self.display.screen()
        colors = [int(color, 16) for color in arguments.colors.split(",")]
        self.quadrant_colors = colors * 4 if len(colors) == 1 else colors
        self.fills: list[tuple[int, int, int, int, int]] = []
        width, height, x, y = arguments.geometry
        self.width, self.height = width, height
        event_mask = X.ExposureMask | X.StructureNotifyMask
        if arguments.report_input:
            event_mask |= X.ButtonPressMask | X.ButtonReleaseMask | X.PointerMotionMask | X.KeyPressMask \
                | X.KeyReleaseMask
        self.window = self.screen.root.create_window(
            x, y, width, height, 0, self.screen.root_depth, X.InputOutput, X.CopyFromParent,
            background_pixel=0, event_mask=event_mask, override_redirect=arguments.override_redirect,
        )
        self.gc = self.window.create_gc()
        self._set_properties()
        if arguments.cursor_name:
            self._set_named_cursor(arguments.cursor_glyph, arguments.cursor_name)
        self.mapped = False

    def _set_properties(self) -> None:
        arguments = self.arguments
        self.set_title(arguments.title)
        name, _, window_class = arguments.window_class.partition(",")
        self.window.set_wm_class(name, window_class)
        if not arguments.no_delete_window:
            self.window.set_wm_protocols([self.display.get_atom("WM_DELETE_WINDOW")])
        hints = {}
        if arguments.min_size:
            hints["flags"] = hints.get("flags", 0) | Xutil.PMinSize
            hints["min_width"], hints["min_height"] = arguments.min_size
        if arguments.max_size:
            hints["flags"] = hints.get("flags", 0) | Xutil.PMaxSize
            hints["max_width"], hints["max_height"] = arguments.max_size
        if hints:
            self.window.set_wm_normal_hints(**hints)
        if arguments.transient_for:
            self.window.change_property(Xatom.WM_TRANSIENT_FOR, Xatom.WINDOW, 32, [arguments.transient_for])

    def _set_named_cursor(self, glyph: int, name: str) -> None:
        self.display.xfixes_query_version()  # XFixes replies BadRequest until a version is agreed
        font = self.display.open_font("cursor")
        cursor = font.create_glyph_cursor(font, glyph, glyph + 1, (0, 0, 0), (0xFFFF, 0xFFFF, 0xFFFF))
        _SetCursorName(display=self.display.display, opcode=self.display.display.get_extension_major("XFIXES"),
                       cursor=cursor.id, name=name.encode())
        self.window.change_attributes(cursor=cursor)

    def set_title(self, title: str) -> None:
        self.window.change_property(Xatom.WM_NAME, Xatom.STRING, 8, title.encode("latin-1", errors="replace"))
        self.window.change_property(self.display.get_atom("_NET_WM_NAME"), self.display.get_atom("UTF8_STRING"),
                                    8, title.encode("utf-8"))

    def draw(self) -> None:
        half_width, half_height = self.width // 2, self.height // 2
        quadrants = (
            (0, 0, half_width, half_height),
            (half_width, 0, self.width - half_width, half_height),
            (0, half_height, half_width, self.height - half_height),
            (half_width, half_height, self.width - half_width, self.height - half_height),
        )
        for color, (x, y, width, height) in zip(self.quadrant_colors, quadrants):
            self._fill(x, y, width, height, color)
        for x, y, width, height, color in self.fills:
            self._fill(x, y, width, height, color)

    def _fill(self, x, y, width, height, color) -> None:
        if width > 0 and height > 0:
            self.gc.change(foreground=color)
            self.window.fill_rectangle(self.gc, x, y, width, height)

    def run(self) -> int:
        if self.arguments.unmapped:
            self._say(f"ready {self.window.id}")
        else:
            self.window.map()
        self.display.flush()
        while True:
            while self.display.pending_events():
                if self._handle(self.display.next_event()):
                    return 0
            self.display.flush()
            if self.display.pending_events():
                continue  # python-xlib read events while flushing; select would not see them
            readable, _, _ = select.select([self.display, sys.stdin], [], [])
            if sys.stdin in readable:
                line = sys.stdin.readline()
                if not line or self._command(line.rstrip("\n")):
                    return 0

    def _handle(self, event) -> bool:
        if event.type == X.Expose and event.count == 0:
            self.draw()
        elif event.type == X.MapNotify and not self.mapped:
            self.mapped = True
            self.draw()
            self.display.sync()
            self._say(f"ready {self.window.id}")
        elif event.type == X.ConfigureNotify:
            if (event.width, event.height) != (self.width, self.height):
                self.width, self.height = event.width, event.height
                self.draw()
        elif event.type == X.ClientMessage and event.client_type == self.display.get_atom("WM_PROTOCOLS"):
            if event.data[1][0] == self.display.get_atom("WM_DELETE_WINDOW"):
                self._say("closed")
                return True
        elif event.type in (X.ButtonPress, X.ButtonRelease):
            kind = "button-press" if event.type == X.ButtonPress else "button-release"
            self._say(f"{kind} {event.detail} {event.event_x} {event.event_y}")
        elif event.type == X.MotionNotify:
            self._say(f"motion {event.event_x} {event.event_y}")
        elif event.type in (X.KeyPress, X.KeyRelease):
            self._say(f"{'key-press' if event.type == X.KeyPress else 'key-release'} {event.detail}")
        return False

    def _command(self, line: str) -> bool:
        verb, _, rest = line.partition(" ")
        if verb == "quit":
            return True
        if verb == "fill":
            x, y, width, height, color = rest.split()
            fill = (int(x), int(y), int(width), int(height), int(color, 16))
            self.fills.append(fill)
            self._fill(*fill)
        elif verb == "title":
            self.set_title(rest)
        elif verb == "move":
            x, y = rest.split()
            self.window.configure(x=int(x), y=int(y))
        elif verb == "resize":
            width, height = rest.split()
            self.window.configure(width=int(width), height=int(height))
        elif verb == "map":
            self.window.map()
        elif verb == "unmap":
            self.window.unmap()
        elif verb == "raise":
            self.window.configure(stack_mode=X.Above)
        else:
            self._say(f"error unknown command {verb}")
            return False
        self.display.sync()
        self._say("ok")
        return False

    @staticmethod
    def _say(line: str) -> None:
        sys.stdout.write(line + "\n")
        sys.stdout.flush()


def main(argv=None) -> int:
    return KnownPixels(parse_arguments(argv)).run()


if __name__ == "__main__":
    sys.exit(main())
