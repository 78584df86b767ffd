"""``odyssey demo``: three sandboxed domains with real applications on one trusted desktop.

The demo uses its own configuration, data and runtime directories under a new
temporary directory, so it never touches the user's domains. It starts a desktop
(nested in $DISPLAY when there is one, else headless), starts ``work`` (blue,
xterm), ``personal`` (green, xterm and xeyes) and ``untrusted`` (red, xclock),
waits until every window is on screen, then acts as the user with xdotool on the
GUI display: it types a command into the work xterm, copies text from work with
the secure copy hotkey, pastes it into personal with the paste hotkey, checks
both results in the domains' home directories, and writes a screenshot.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from Xlib import X, Xatom
from Xlib import display as xdisplay

from . import paths
from .config import DomainConfig, save_domain
from .polling import poll_until

# Seconds each demo step may take before the demo reports it as failed.
STEP_TIMEOUT = 30.0

# Colour the daemon shows in a window that has no content yet (gui_daemon.presenter).
NEUTRAL_BACKGROUND = (0x80, 0x80, 0x80)

COPIED_TEXT = "Hello from work"

XTERM = ("xterm", "-xrm", "XTerm*selectToClipboard: true", "-fa", "DejaVu Sans Mono", "-fs", "11")

DEMO_DOMAINS = (
    DomainConfig("work", "blue", applications=(XTERM + ("-geometry", "80x20+60+90", "-title", "work terminal"),)),
    DomainConfig("personal", "green", applications=(
        XTERM + ("-geometry", "80x20+800+90", "-title", "personal terminal"),
        ("xeyes", "-geometry", "200x150+1600+90"),
    )),
    DomainConfig("untrusted", "red", applications=(("xclock", "-update", "1", "-geometry", "220x220+60+520"),)),
)

EXPECTED_WINDOWS = {"work": 1, "personal": 2, "untrusted": 1}


class DemoFailed(RuntimeError):
    """A demo step did not happen in time; the message names the step."""


def wait_for(description: str, predicate, timeout: float = STEP_TIMEOUT):
    value = poll_until(predicate, timeout, interval=0.05)
    if not value:
        raise DemoFailed(f"timed out after {timeout:.0f} s waiting for {description}")
    return value


class Screen:
    """The demo's view of the GUI display: the managed windows of each domain."""

    def __init__(self, name: str):
        self.name = name
        self.connection = xdisplay.Display(name)
        self.root = self.connection.screen().root
        self.client_list = self.connection.intern_atom("_NET_CLIENT_LIST")
        self.domain_atom = self.connection.intern_atom("_ODYSSEY_DOMAIN")

    def windows(self) -> dict[str, list[tuple[int, int, int, int]]]:
        """Return the viewable, painted windows per domain as (x, y, width, height) on the screen."""
        found: dict[str, list] = {}
        reply = self.root.get_full_property(self.client_list, Xatom.WINDOW)
        for window_id in (reply.value if reply else []):
            window = self.connection.create_resource_object("window", window_id)
            try:
                owner = window.get_full_property(self.domain_atom, X.AnyPropertyType)
                if owner is None or window.get_attributes().map_state != X.IsViewable:
                    continue
                geometry = window.get_geometry()
                origin = self.root.translate_coords(window, 0, 0)
            except Exception:  # the window went away while we looked
                continue
            box = (origin.x, origin.y, geometry.width, geometry.height)
            if self._painted(box):
                found.setdefault(bytes(owner.value).decode(), []).append(box)
        return found

    def focused_box(self):
        """Return (x, y, width, height) of the window that has the focus (_NET_ACTIVE_WINDOW)."""
        reply = self.root.get_full_property(self.connection.intern_atom("_NET_ACTIVE_WINDOW"), Xatom.WINDOW)
        if reply is None or not len(reply.value) or not reply.value[0]:
            return None
        window = self.connection.create_resource_object("window", reply.value[0])
        try:
            geometry = window.get_geometry()
            origin = self.root.translate_coords(window, 0, 0)
        except Exception:  # the window went away while we looked
            return None
        return origin.x, origin.y, geometry.width, geometry.height

    def _painted(self, box) -> bool:
        x, y, width, height = box
        image = self.root.get_image(x + width // 2, y + height // 2, 1, 1, X.ZPixmap, 0xFFFFFFFF)
        blue, green, red = image.data[0], image.data[1], image.data[2]
        return (red, green, blue) != NEUTRAL_BACKGROUND

    def close(self):
        self.connection.close()


class User:
    """The person at the keyboard, played by xdotool on the GUI display."""

    def __init__(self, display: str):
        self.environment = dict(os.environ, DISPLAY=display)

    def xdotool(self, *arguments: str) -> None:
        subprocess.run(["xdotool", *arguments], env=self.environment, check=True, timeout=30)

    def click(self, box) -> None:
        x, y, width, height = box
        self.xdotool("mousemove", str(x + width // 2), str(y + height // 2), "click", "1")

    def click_and_wait_for_focus(self, screen: Screen, box) -> None:
        """Click a window, then wait until the window manager focused it, as a person would look."""
        self.click(box)
        wait_for("the window manager to focus the clicked window", lambda: screen.focused_box() == box)

    def type_line(self, text: str) -> None:
        self.xdotool("type", "--delay", "8", text)
        self.xdotool("key", "Return")

    def hotkey(self, keys: str) -> None:
        self.xdotool("key", keys)


def _use_private_directories(base: Path) -> None:
    for variable, name in (("XDG_CONFIG_HOME", "config"), ("XDG_DATA_HOME", "data"), ("XDG_RUNTIME_DIR", "run")):
        directory = base / name
        directory.mkdir(mode=0o700)
        os.environ[variable] = str(directory)


def run_demo(arguments) -> int:
    from .desktop import Desktop
    from .display import start_headless, start_nested

    base = Path(tempfile.mkdtemp(prefix="odyssey-demo-"))
    _use_private_directories(base)
    for config in DEMO_DOMAINS:
        save_domain(config)
    nested = bool(os.environ.get("DISPLAY")) and not arguments.headless
    gui = start_nested((1600, 900)) if nested else start_headless((1920, 1080))
    print(f"Odyssey demo: {'nested' if nested else 'headless'} desktop on display {gui.name}", flush=True)
    desktop = Desktop(gui, log_level=arguments.children_log_level)
    status = 1
    try:
        desktop.start()
        for config in DEMO_DOMAINS:
            desktop.start_domain(config.name, lambda text: print(f"  {text}", flush=True))
        status = _act_as_user(desktop, gui.name, Path(arguments.screenshot))
        if arguments.duration is None:
            print("The desktop keeps running; press Ctrl+C to stop it.", flush=True)
        else:
            print(f"The desktop keeps running for {arguments.duration:g} s.", flush=True)
        desktop.serve(until=None if arguments.duration is None else time.monotonic() + arguments.duration)
    except DemoFailed as error:
        print(f"demo failed: {error}; logs are in {desktop.log_directory}", file=sys.stderr)
        print(f"screenshot of the failure: {desktop.screenshot(Path(arguments.screenshot)).resolve()}",
              file=sys.stderr)
        status = 1
    except KeyboardInterrupt:
        pass
    finally:
        desktop.shutdown()
        if arguments.keep_files:
            print(f"Stopped. The demo's configuration, domain homes and logs are kept in {base}", flush=True)
        else:
            shutil.rmtree(base, ignore_errors=True)
            print("Stopped. The demo's temporary files are removed (keep them with --keep-files).", flush=True)
    return status


def _act_as_user(desktop, display_name: str, screenshot: Path) -> int:
    screen = Screen(display_name)
    user = User(display_name)
    try:
        started = time.monotonic()
        windows = wait_for("every domain's windows on screen", lambda: _all_windows(screen))
        print(f"all {sum(EXPECTED_WINDOWS.values())} windows are on screen, each framed in its domain's colour "
              f"({time.monotonic() - started:.1f} s)", flush=True)

        work_home = paths.domain_home("work")
        personal_home = paths.domain_home("personal")
        user.click_and_wait_for_focus(screen, windows["work"][0])
        user.type_line(f"echo typed in the work domain > ~/typed.txt; printf '{COPIED_TEXT}' "
                       f"| xclip -selection clipboard && touch ~/copied")
        wait_for("the typed command to run in work", lambda: (work_home / "copied").exists())
        print(f"typed into work's xterm: the command ran inside the sandbox "
              f"(wrote {work_home / 'typed.txt'})", flush=True)

        user.hotkey("ctrl+shift+c")
        clipboard = paths.runtime_directory() / "clipboard"
        wait_for("the secure copy from work", clipboard.exists)
        # The widest of personal's windows is the xterm, not xeyes.
        user.click_and_wait_for_focus(screen, windows["personal"][0])
        user.hotkey("ctrl+shift+v")
        wait_for("the secure paste into personal", lambda: not clipboard.exists())
        user.type_line("xclip -o -selection clipboard > ~/pasted.txt")
        pasted = personal_home / "pasted.txt"
        wait_for("the pasted text in personal", lambda: pasted.exists() and pasted.read_text() == COPIED_TEXT)
        print(f"copied {COPIED_TEXT!r} from work and pasted it into personal with Ctrl+Shift+C / Ctrl+Shift+V",
              flush=True)

        desktop.screenshot(screenshot)
        print(f"screenshot: {screenshot.resolve()}", flush=True)
        return 0
    finally:
        screen.close()


def _all_windows(screen: Screen):
    windows = screen.windows()
    if all(len(windows.get(name, [])) >= count for name, count in EXPECTED_WINDOWS.items()):
        windows["personal"].sort(key=lambda box: -box[2])  # the xterm is the widest
        return windows
    return None
