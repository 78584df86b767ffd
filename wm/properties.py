"""Names of the X properties and atoms shared by the daemon and the window manager.

The daemon sets the ``_ODYSSEY_*`` window properties on every window it
creates. The window manager believes them only on windows whose X client is a
registered daemon for that same domain (see ``wm.trust``). The window manager
sets the ``_ODYSSEY_FRAME_*``, ``_ODYSSEY_BAR_*``, ``_ODYSSEY_SWITCHER`` and
``_ODYSSEY_XRAY`` properties on its own windows, so tests and tools can read
what it drew without parsing pixels. Any client can overwrite those, so nothing
may trust them.
"""

from __future__ import annotations

# Set by the daemon on each window it creates on the GUI display.
ODYSSEY_DOMAIN = "_ODYSSEY_DOMAIN"  # UTF8_STRING: the domain name
ODYSSEY_LABEL = "_ODYSSEY_LABEL"  # CARDINAL/32: the label colour as 0xRRGGBB
ODYSSEY_REMOTE_WINDOW = "_ODYSSEY_REMOTE_WINDOW"  # CARDINAL/32: the window id in the domain

# Root-window property: lines "domain\tlabel\tmessage\n" (UTF8_STRING) that daemons
# append with PropModeAppend and the window manager reads with delete=True.
ODYSSEY_NOTICES = "_ODYSSEY_NOTICES"

# Set by the window manager on its frames and bar (UTF8_STRING), for tests and tools.
ODYSSEY_FRAME_TITLE = "_ODYSSEY_FRAME_TITLE"  # the text of the title bar: "[domain] title"
ODYSSEY_FRAME_DOMAIN = "_ODYSSEY_FRAME_DOMAIN"  # the owner the frame shows: a domain or "gui"
ODYSSEY_BAR_FOCUS = "_ODYSSEY_BAR_FOCUS"  # the domain the bar names as keyboard owner, or ""
ODYSSEY_BAR_NOTICE = "_ODYSSEY_BAR_NOTICE"  # the notice shown now: "[domain] message", or ""
ODYSSEY_BAR_CLOCK = "_ODYSSEY_BAR_CLOCK"  # the clock text shown now
ODYSSEY_XRAY = "_ODYSSEY_XRAY"  # on the X-ray overlay: one "domain x y w h" line per label
ODYSSEY_SWITCHER = "_ODYSSEY_SWITCHER"  # on the switcher: one "[domain] title" line per row, "*" marks the choice

UTF8_STRING = "UTF8_STRING"

# ICCCM.
WM_STATE = "WM_STATE"
WM_PROTOCOLS = "WM_PROTOCOLS"
WM_DELETE_WINDOW = "WM_DELETE_WINDOW"
WM_TAKE_FOCUS = "WM_TAKE_FOCUS"
WM_CHANGE_STATE = "WM_CHANGE_STATE"

# EWMH: the subset the window manager supports, announced in _NET_SUPPORTED.
NET_SUPPORTED = "_NET_SUPPORTED"
NET_SUPPORTING_WM_CHECK = "_NET_SUPPORTING_WM_CHECK"
NET_CLIENT_LIST = "_NET_CLIENT_LIST"
NET_ACTIVE_WINDOW = "_NET_ACTIVE_WINDOW"
NET_WORKAREA = "_NET_WORKAREA"
NET_NUMBER_OF_DESKTOPS = "_NET_NUMBER_OF_DESKTOPS"
NET_CURRENT_DESKTOP = "_NET_CURRENT_DESKTOP"
NET_WM_NAME = "_NET_WM_NAME"
NET_WM_STATE = "_NET_WM_STATE"
NET_WM_STATE_FULLSCREEN = "_NET_WM_STATE_FULLSCREEN"
NET_WM_STATE_MAXIMIZED_VERT = "_NET_WM_STATE_MAXIMIZED_VERT"
NET_WM_STATE_MAXIMIZED_HORZ = "_NET_WM_STATE_MAXIMIZED_HORZ"
NET_WM_STATE_DEMANDS_ATTENTION = "_NET_WM_STATE_DEMANDS_ATTENTION"
NET_WM_STATE_HIDDEN = "_NET_WM_STATE_HIDDEN"
NET_WM_STRUT_PARTIAL = "_NET_WM_STRUT_PARTIAL"
NET_FRAME_EXTENTS = "_NET_FRAME_EXTENTS"
NET_CLOSE_WINDOW = "_NET_CLOSE_WINDOW"

NET_SUPPORTED_ATOMS = (
    NET_SUPPORTED,
    NET_SUPPORTING_WM_CHECK,
    NET_CLIENT_LIST,
    NET_ACTIVE_WINDOW,
    NET_WORKAREA,
    NET_NUMBER_OF_DESKTOPS,
    NET_CURRENT_DESKTOP,
    NET_WM_NAME,
    NET_WM_STATE,
    NET_WM_STATE_FULLSCREEN,
    NET_WM_STATE_MAXIMIZED_VERT,
    NET_WM_STATE_MAXIMIZED_HORZ,
    NET_WM_STATE_DEMANDS_ATTENTION,
    NET_WM_STATE_HIDDEN,
    NET_WM_STRUT_PARTIAL,
    NET_FRAME_EXTENTS,
    NET_CLOSE_WINDOW,
)

# The name the window manager announces on its _NET_SUPPORTING_WM_CHECK window.
WM_NAME_ANNOUNCED = "odyssey-wm"


def encode_notice(domain: str, label: str, message: str) -> bytes:
    """Encode one trusted notice line for ``_ODYSSEY_NOTICES`` (append it with PropModeAppend).

    Raises ValueError when a field contains a tab or a line break, because
    those separate the fields and the lines.
    """
    for field_name, value in (("domain", domain), ("label", label), ("message", message)):
        if "\t" in value or "\n" in value or "\r" in value:
            raise ValueError(f"notice {field_name} must not contain tabs or line breaks")
    return f"{domain}\t{label}\t{message}\n".encode("utf-8")
