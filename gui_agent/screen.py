"""Making the domain's screen and keyboard match the GUI display.

The domain backend starts the domain's X server at the GUI display's size, so a
resize is rarely needed. When the sizes differ the agent tries RandR, and
otherwise logs a warning. Windows then keep the GUI display's coordinates, but
parts beyond the domain's screen are not captured.

The keyboard layout is applied with ``setxkbmap``: the daemon forwards the GUI
display's keycodes, and the same XKB rules, model and layout make the domain
turn them into the same keysyms. The names were checked by the protocol
(``protocol.text.check_xkb_name``) and go to setxkbmap as separate arguments,
never through a shell.
"""

from __future__ import annotations

import logging
import subprocess

from Xlib import Xatom, error

from protocol import messages as m

logger = logging.getLogger(__name__)

# setxkbmap compiles a keymap with xkbcomp: well under a second; a hung one must
# not stall the agent for long.
SETXKBMAP_TIMEOUT = 10.0

# Screen resolution assumed for the physical size RandR requires, in dots per inch.
_ASSUMED_DPI = 96


def match_screen_size(display, configuration: m.ScreenConfiguration) -> bool:
    """Resize the domain's screen to the GUI display's size; return True when they match."""
    root = display.screen().root
    geometry = root.get_geometry()
    width, height = configuration.width, configuration.height
    if (geometry.width, geometry.height) == (width, height):
        return True
    resized = False
    if display.has_extension("RANDR"):
        try:
            display.xrandr_query_version()
            size_range = root.xrandr_get_screen_size_range()
            if size_range.min_width <= width <= size_range.max_width and \
                    size_range.min_height <= height <= size_range.max_height:
                millimeters_per_inch = 25.4
                root.xrandr_set_screen_size(
                    width, height,
                    int(width * millimeters_per_inch / _ASSUMED_DPI),
                    int(height * millimeters_per_inch / _ASSUMED_DPI),
                )
                display.sync()
                geometry = root.get_geometry()
                resized = (geometry.width, geometry.height) == (width, height)
        except error.XError as failure:
            logger.debug("RandR resize failed: %s", type(failure).__name__)
    if not resized:
        logger.warning("domain screen is %dx%d but the GUI display is %dx%d, and RandR cannot resize it; "
                       "start the domain's X server at the GUI display's size",
                       geometry.width, geometry.height, width, height)
    return resized


def setxkbmap_arguments(display_name: str, layout: m.KeyboardLayout) -> list[str]:
    """Return the setxkbmap command line that applies ``layout`` to ``display_name``."""
    arguments = ["setxkbmap", "-display", display_name]
    for option, value in (("-rules", layout.rules), ("-model", layout.model),
                          ("-layout", layout.layout), ("-variant", layout.variant)):
        if value:
            arguments += [option, value]
    # An empty -option clears the options already set, so the result is exactly the GUI display's.
    arguments += ["-option", ""]
    if layout.options:
        arguments += ["-option", layout.options]
    return arguments


def keyboard_layout_matches(display, layout: m.KeyboardLayout) -> bool:
    """Return True when the domain's X server already uses exactly ``layout``.

    The XKB rules names are in the root window's _XKB_RULES_NAMES (five
    NUL-terminated strings), which the X server sets at start-up and setxkbmap
    updates. Xvfb starts with the usual evdev, pc105, us, so a GUI display with
    that layout needs no setxkbmap, which takes tens of milliseconds at start-up.
    """
    root = display.screen().root
    try:
        reply = root.get_property(display.get_atom("_XKB_RULES_NAMES"), Xatom.STRING, 0, 256)
    except error.XError:
        return False
    if reply is None or reply.format != 8:
        return False
    value = reply.value if isinstance(reply.value, bytes) else bytes(reply.value)
    names = value.split(b"\0")[:5]
    names += [b""] * (5 - len(names))
    wanted = (layout.rules, layout.model, layout.layout, layout.variant, layout.options)
    return tuple(name.decode("latin-1") for name in names) == wanted


def apply_keyboard_layout(display_name: str, layout: m.KeyboardLayout) -> bool:
    """Run setxkbmap for ``layout``; return True on success (failures are logged)."""
    arguments = setxkbmap_arguments(display_name, layout)
    try:
        result = subprocess.run(arguments, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                stderr=subprocess.PIPE, timeout=SETXKBMAP_TIMEOUT, check=False)
    except (OSError, subprocess.TimeoutExpired) as failure:
        logger.warning("setxkbmap failed: %s", failure)
        return False
    if result.returncode != 0:
        # The names passed the protocol's character check, so quoting stderr
        # cannot forge log lines; it is cut to keep the log readable.
        logger.warning("setxkbmap exited with status %d: %s", result.returncode,
                       result.stderr.decode("ascii", errors="replace").strip().replace("\n", " ")[:200])
        return False
    logger.info("keyboard layout applied (rules %s, model %s, layout %s, variant %s)",
                layout.rules, layout.model, layout.layout, layout.variant)
    return True
