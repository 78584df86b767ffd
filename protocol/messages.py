"""Every message of the Odyssey GUI protocol, declared once as a field table.

Codes: 0x00xx handshake, 0x01xx agent → daemon, 0x02xx daemon → agent.
Window ids are the domain's own X window ids; the daemon maps them to its own.
Coordinates and sizes are in pixels of the GUI display, which the domain's
screen matches one to one.
"""

from __future__ import annotations

import enum

from . import limits
from .schema import (
    Direction,
    Handles,
    Outcome,
    Rule,
    WindowScope,
    byte_array,
    data,
    declare,
    flags,
    i32,
    text,
    u32,
)
from .text import check_xkb_name, sanitize_class, sanitize_title

TO_DAEMON = Direction.AGENT_TO_DAEMON
TO_AGENT = Direction.DAEMON_TO_AGENT
GLOBAL = WindowScope.GLOBAL

# DRM fourcc "XR24": 32 bits per pixel, bytes B, G, R, unused (Xvfb's depth 24).
PIXEL_FORMAT_XRGB8888 = 0x34325258

# SetCursor.shape value that returns the window to the default pointer shape.
CURSOR_DEFAULT = 0xFFFF


class WindowState(enum.IntFlag):
    """Window states a domain may request and the daemon reports back."""

    FULLSCREEN = 0x1
    DEMANDS_ATTENTION = 0x2
    MINIMIZED = 0x4
    MAXIMIZED = 0x8


class HintFlags(enum.IntFlag):
    """Which parts of WM_NORMAL_HINTS a SetHints message carries."""

    MIN_SIZE = 0x1
    MAX_SIZE = 0x2
    RESIZE_INCREMENT = 0x4
    BASE_SIZE = 0x8
    USER_POSITION = 0x10
    PROGRAM_POSITION = 0x20


class ClipboardStatus(enum.IntEnum):
    OK = 0
    EMPTY = 1
    TOO_LARGE = 2
    FAILED = 3


_BOOLEAN = (0, 1)
_CLAMPED = Outcome.CLAMP


def _position(name: str, doc: str):
    return i32(name, "px", doc, minimum=-limits.MAX_COORDINATE, maximum=limits.MAX_COORDINATE, outcome=_CLAMPED)


def _width(name: str, doc: str, minimum: int = 1):
    return u32(name, "px", doc, minimum=minimum, maximum=limits.MAX_WINDOW_WIDTH)


def _height(name: str, doc: str, minimum: int = 1):
    return u32(name, "px", doc, minimum=minimum, maximum=limits.MAX_WINDOW_HEIGHT)


def _override_redirect():
    return u32("override_redirect", "boolean", "1 for an undecorated window (menu, tooltip)", choices=_BOOLEAN)


# ---------------------------------------------------------------------------
# Handshake. These three layouts never change, whatever the version, so any two
# versions can tell each other apart.

Hello = declare(
    "Hello", 0x0001, TO_DAEMON,
    "First message of the agent: the protocol version it speaks.",
    window=GLOBAL,
    fields=(
        u32("major", "version", "major version; a different major is incompatible"),
        u32("minor", "version", "minor version; the lower of both sides is used"),
    ),
)

Welcome = declare(
    "Welcome", 0x0002, TO_AGENT,
    "The daemon accepts the agent's major version; minor is the one both sides use.",
    window=GLOBAL,
    fields=(
        u32("major", "version", "major version, equal to the agent's"),
        u32("minor", "version", "negotiated minor version"),
    ),
)

VersionRejected = declare(
    "VersionRejected", 0x0003, TO_AGENT,
    "The daemon speaks another major version; it closes the channel after this message.",
    window=GLOBAL,
    fields=(
        u32("major", "version", "the daemon's major version"),
        u32("minor", "version", "the daemon's minor version"),
    ),
)

# ---------------------------------------------------------------------------
# Agent → daemon: window lifecycle.

CreateWindow = declare(
    "CreateWindow", 0x0101, TO_DAEMON,
    "A new top-level window exists in the domain (not yet mapped).",
    fields=(
        _position("x", "left edge on the screen"),
        _position("y", "top edge on the screen"),
        _width("width", "width"),
        _height("height", "height"),
        _override_redirect(),
    ),
)

DestroyWindow = declare("DestroyWindow", 0x0102, TO_DAEMON, "The window no longer exists.")

MapWindow = declare(
    "MapWindow", 0x0103, TO_DAEMON,
    "The window wants to be shown.",
    fields=(
        u32("transient_for", "window id", "window this one is a dialog of, or 0",
            maximum=limits.MAX_WINDOW_ID),
        _override_redirect(),
    ),
)

UnmapWindow = declare("UnmapWindow", 0x0104, TO_DAEMON, "The window is hidden.")

ConfigureWindow = declare(
    "ConfigureWindow", 0x0105, TO_DAEMON,
    "The window moved or changed size in the domain, or the agent acknowledges a Configure.",
    fields=(
        _position("x", "left edge on the screen"),
        _position("y", "top edge on the screen"),
        _width("width", "width"),
        _height("height", "height"),
        _override_redirect(),
        u32("ack_serial", "serial", "serial of the daemon's Configure this answers, or 0"),
    ),
)

RaiseWindow = declare(
    "RaiseWindow", 0x0106, TO_DAEMON,
    "The domain raised the window; honoured only where it cannot cover another domain's input.",
)

Dock = declare(
    "Dock", 0x0107, TO_DAEMON,
    "The unmapped window asks to become a tray icon.",
)

# ---------------------------------------------------------------------------
# Agent → daemon: buffers and damage.


def _stride_covers_width(values):
    if values["stride"] < values["width"] * 4:
        return f"stride {values['stride']} < 4 * width {values['width']}"
    return None


def _stride_aligned(values):
    return None if values["stride"] % 4 == 0 else f"stride {values['stride']} is not a multiple of 4"


SetBuffer = declare(
    "SetBuffer", 0x0110, TO_DAEMON,
    "The shared buffer that holds the window's pixels from now on. In fd mode the "
    "buffer is the memfd attached to this message; in region mode it starts at "
    "offset in the domain's shared region.",
    fields=(
        _width("width", "width of the image in the buffer"),
        _height("height", "height of the image in the buffer"),
        u32("stride", "bytes", "bytes from one row to the next", minimum=4, maximum=limits.MAX_STRIDE),
        u32("format", "fourcc", "pixel format; only XRGB8888 ('XR24')", choices=(PIXEL_FORMAT_XRGB8888,)),
        u32("offset", "bytes", "start of the image in the buffer or region"),
        u32("serial", "serial", "buffer serial, increasing per window; Damage refers to it", minimum=1),
    ),
    rules=(
        Rule("stride must cover a row of width XRGB8888 pixels", Outcome.DISCONNECT, _stride_covers_width),
        Rule("stride must be a multiple of 4 bytes", Outcome.DISCONNECT, _stride_aligned),
    ),
    handles=Handles.BUFFER,
)


def _damage_is_empty(values):
    if values["width"] == 0 or values["height"] == 0:
        return f"empty rectangle {values['width']}x{values['height']}"
    return None


Damage = declare(
    "Damage", 0x0111, TO_DAEMON,
    "A rectangle of the window's buffer has new pixels. The daemon clips it to the "
    "window and the buffer before reading.",
    fields=(
        i32("x", "px", "left edge, relative to the window",
            minimum=-limits.MAX_WINDOW_WIDTH, maximum=limits.MAX_WINDOW_WIDTH, outcome=_CLAMPED),
        i32("y", "px", "top edge, relative to the window",
            minimum=-limits.MAX_WINDOW_HEIGHT, maximum=limits.MAX_WINDOW_HEIGHT, outcome=_CLAMPED),
        _width("width", "width", minimum=0),
        _height("height", "height", minimum=0),
        u32("serial", "serial", "serial of the buffer that holds the pixels"),
    ),
    rules=(Rule("an empty rectangle changes nothing", Outcome.IGNORE, _damage_is_empty),),
)

# ---------------------------------------------------------------------------
# Agent → daemon: metadata.

SetTitle = declare(
    "SetTitle", 0x0120, TO_DAEMON,
    "The window's title. The daemon shows it sanitized after its own [domain] prefix.",
    fields=(text("title", "title; invalid UTF-8 and control characters become U+FFFD",
                 limits.TITLE_MAX_BYTES, sanitize_title),),
)

SetClass = declare(
    "SetClass", 0x0121, TO_DAEMON,
    "The window's WM_CLASS; the daemon prefixes both parts with the domain name.",
    fields=(
        text("res_class", "class part; characters outside [A-Za-z0-9.-_+ ] become _",
             limits.CLASS_MAX_BYTES, sanitize_class),
        text("res_name", "instance part; same character rule", limits.CLASS_MAX_BYTES, sanitize_class),
    ),
)


def _min_exceeds_max(values):
    both = HintFlags.MIN_SIZE | HintFlags.MAX_SIZE
    if values["flags"] & both != both:
        return None
    if values["min_width"] > values["max_width"] or values["min_height"] > values["max_height"]:
        return (f"min {values['min_width']}x{values['min_height']} > "
                f"max {values['max_width']}x{values['max_height']}")
    return None


def _drop_size_limits(values):
    return {**values, "flags": values["flags"] & ~(HintFlags.MIN_SIZE | HintFlags.MAX_SIZE)}


def _zero_increment(values):
    if values["flags"] & HintFlags.RESIZE_INCREMENT and (values["width_inc"] == 0 or values["height_inc"] == 0):
        return f"increment {values['width_inc']}x{values['height_inc']}"
    return None


def _drop_increment(values):
    return {**values, "flags": values["flags"] & ~HintFlags.RESIZE_INCREMENT}


SetHints = declare(
    "SetHints", 0x0122, TO_DAEMON,
    "The window's size hints (WM_NORMAL_HINTS); flags say which parts are present.",
    fields=(
        flags("flags", "parts present", HintFlags),
        _width("min_width", "minimum width", minimum=0),
        _height("min_height", "minimum height", minimum=0),
        _width("max_width", "maximum width", minimum=0),
        _height("max_height", "maximum height", minimum=0),
        _width("width_inc", "resize step in x", minimum=0),
        _height("height_inc", "resize step in y", minimum=0),
        _width("base_width", "base width for resize steps", minimum=0),
        _height("base_height", "base height for resize steps", minimum=0),
    ),
    rules=(
        Rule("min size above max size: both size limits are dropped", Outcome.IGNORE,
             _min_exceeds_max, _drop_size_limits),
        Rule("zero resize increment: the increment hint is dropped", Outcome.IGNORE,
             _zero_increment, _drop_increment),
    ),
)


def _set_and_unset_overlap(values):
    overlap = values["set"] & values["unset"]
    return f"bits {int(overlap):#x} both set and unset" if overlap else None


RequestState = declare(
    "RequestState", 0x0123, TO_DAEMON,
    "The window asks to enter (set) or leave (unset) states. The daemon decides; "
    "it may grant a maximize where fullscreen is not allowed.",
    fields=(
        flags("set", "states to enter", WindowState),
        flags("unset", "states to leave", WindowState),
    ),
    rules=(Rule("a state cannot be both set and unset", Outcome.IGNORE, _set_and_unset_overlap),),
)


def _cursor_is_font_shape(values):
    shape = values["shape"]
    if shape == CURSOR_DEFAULT or (shape % 2 == 0 and shape < limits.CURSOR_FONT_GLYPHS):
        return None
    return f"shape {shape}"


SetCursor = declare(
    "SetCursor", 0x0124, TO_DAEMON,
    "Pointer shape over the window: an X core cursor-font shape or the default. "
    "Bitmaps are not part of the protocol.",
    fields=(u32("shape", "glyph", f"even cursor-font glyph < {limits.CURSOR_FONT_GLYPHS}, "
                f"or {CURSOR_DEFAULT:#x} for the default", maximum=CURSOR_DEFAULT),),
    rules=(Rule("shape must be an even cursor-font glyph or the default", Outcome.DISCONNECT,
                _cursor_is_font_shape),),
)

# ---------------------------------------------------------------------------
# Agent → daemon: clipboard.


def _clipboard_consistent(values):
    size = len(values["data"])
    if values["status"] != ClipboardStatus.OK and size:
        return f"status {values['status']} with {size} data bytes"
    if values["status"] == ClipboardStatus.OK and values["total_size"] != size:
        return f"total_size {values['total_size']} != {size} data bytes"
    return None


ClipboardData = declare(
    "ClipboardData", 0x0130, TO_DAEMON,
    "The agent's answer to a ClipboardRequest: the CLIPBOARD selection as UTF-8, or why there is none.",
    window=GLOBAL,
    fields=(
        u32("serial", "serial", "serial of the ClipboardRequest this answers"),
        u32("status", "enum", "0 ok, 1 empty, 2 too large, 3 failed", choices=tuple(ClipboardStatus)),
        u32("total_size", "bytes", "size of the selection in the domain (also when too large)"),
        data("data", "the text; empty unless status is ok", limits.CLIPBOARD_MAX_BYTES),
    ),
    rules=(Rule("data must match status and total_size", Outcome.DISCONNECT, _clipboard_consistent),),
)

# ---------------------------------------------------------------------------
# Daemon → agent: configuration.

ScreenConfiguration = declare(
    "ScreenConfiguration", 0x0201, TO_AGENT,
    "The GUI display's size and work area; the domain's screen is made to match.",
    window=GLOBAL,
    fields=(
        u32("width", "px", "screen width", minimum=1, maximum=limits.MAX_SCREEN_WIDTH),
        u32("height", "px", "screen height", minimum=1, maximum=limits.MAX_SCREEN_HEIGHT),
        i32("work_x", "px", "work area left edge", minimum=0, maximum=limits.MAX_SCREEN_WIDTH),
        i32("work_y", "px", "work area top edge", minimum=0, maximum=limits.MAX_SCREEN_HEIGHT),
        u32("work_width", "px", "work area width", minimum=1, maximum=limits.MAX_SCREEN_WIDTH),
        u32("work_height", "px", "work area height", minimum=1, maximum=limits.MAX_SCREEN_HEIGHT),
        u32("scale_percent", "percent", "output scale; 100 is 96 dpi",
            minimum=limits.MIN_SCALE_PERCENT, maximum=limits.MAX_SCALE_PERCENT),
    ),
)

KeyboardLayout = declare(
    "KeyboardLayout", 0x0202, TO_AGENT,
    "The GUI display's XKB layout (rules, model, layout, variant, options); sent at start and on change.",
    window=GLOBAL,
    fields=(
        text("rules", "XKB rules name", limits.XKB_NAME_MAX_BYTES, check_xkb_name),
        text("model", "XKB model", limits.XKB_NAME_MAX_BYTES, check_xkb_name),
        text("layout", "XKB layouts, comma-separated", limits.XKB_NAME_MAX_BYTES, check_xkb_name),
        text("variant", "XKB variants, comma-separated", limits.XKB_NAME_MAX_BYTES, check_xkb_name),
        text("options", "XKB options, comma-separated", limits.XKB_OPTIONS_MAX_BYTES, check_xkb_name),
    ),
)

BufferAccepted = declare(
    "BufferAccepted", 0x0203, TO_AGENT,
    "The daemon checked and attached the window's buffer; the agent may capture into it.",
    fields=(u32("serial", "serial", "serial of the accepted SetBuffer", minimum=1),),
)

Configure = declare(
    "Configure", 0x0204, TO_AGENT,
    "The user moved or resized the window; the agent applies it and answers with ConfigureWindow(ack_serial).",
    fields=(
        _position("x", "left edge on the screen"),
        _position("y", "top edge on the screen"),
        _width("width", "width"),
        _height("height", "height"),
        u32("serial", "serial", "increasing per window", minimum=1),
    ),
)

SetWindowState = declare(
    "SetWindowState", 0x0205, TO_AGENT,
    "The states the window now has on the desktop, as the application should see them.",
    fields=(flags("state", "current states", WindowState),),
)

Close = declare("Close", 0x0206, TO_AGENT, "The user asked to close the window.")

# ---------------------------------------------------------------------------
# Daemon → agent: input. Positions are relative to the window's top-left corner;
# they can lie outside the window while a button is held.


def _pointer_coordinate(name: str, doc: str):
    return i32(name, "px", doc, minimum=-limits.MAX_SCREEN_WIDTH, maximum=limits.MAX_SCREEN_WIDTH)


def _state_mask():
    return u32("state", "mask", "X modifier and button state", maximum=limits.STATE_MASK_BITS)


Key = declare(
    "Key", 0x0210, TO_AGENT,
    "A key press or release in the window, with the GUI display's keycode.",
    fields=(
        u32("pressed", "boolean", "1 press, 0 release", choices=_BOOLEAN),
        u32("keycode", "keycode", "X keycode", minimum=limits.MIN_KEYCODE, maximum=limits.MAX_KEYCODE),
        _state_mask(),
    ),
)

Button = declare(
    "Button", 0x0211, TO_AGENT,
    "A pointer button press or release in the window.",
    fields=(
        u32("pressed", "boolean", "1 press, 0 release", choices=_BOOLEAN),
        u32("button", "button", "X button number", minimum=limits.MIN_BUTTON, maximum=limits.MAX_BUTTON),
        _pointer_coordinate("x", "pointer x"),
        _pointer_coordinate("y", "pointer y"),
        _state_mask(),
    ),
)

Motion = declare(
    "Motion", 0x0212, TO_AGENT,
    "The pointer moved in the window.",
    fields=(_pointer_coordinate("x", "pointer x"), _pointer_coordinate("y", "pointer y"), _state_mask()),
)

Crossing = declare(
    "Crossing", 0x0213, TO_AGENT,
    "The pointer entered or left the window.",
    fields=(
        u32("entered", "boolean", "1 enter, 0 leave", choices=_BOOLEAN),
        _pointer_coordinate("x", "pointer x"),
        _pointer_coordinate("y", "pointer y"),
        _state_mask(),
        u32("mode", "enum", "X NotifyNormal 0, Grab 1, Ungrab 2, WhileGrabbed 3", maximum=3),
    ),
)

Focus = declare(
    "Focus", 0x0214, TO_AGENT,
    "The window gained or lost the keyboard focus.",
    fields=(
        u32("focused", "boolean", "1 focus in, 0 focus out", choices=_BOOLEAN),
        u32("mode", "enum", "X NotifyNormal 0, Grab 1, Ungrab 2, WhileGrabbed 3", maximum=3),
    ),
)

KeymapState = declare(
    "KeymapState", 0x0215, TO_AGENT,
    "Which keys are down on the GUI display (bit k of byte k//8 for keycode k). "
    "The agent releases keys that are down in the domain but not here.",
    window=GLOBAL,
    fields=(byte_array("keys", "bit map", "256 key bits, as in an X KeymapNotify", 32),),
)

# ---------------------------------------------------------------------------
# Daemon → agent: clipboard.

ClipboardRequest = declare(
    "ClipboardRequest", 0x0220, TO_AGENT,
    "The user pressed the copy hotkey in this domain: send the CLIPBOARD selection.",
    window=GLOBAL,
    fields=(
        u32("serial", "serial", "echoed in ClipboardData", minimum=1),
        u32("max_bytes", "bytes", "larger selections are answered with status too large",
            maximum=limits.CLIPBOARD_MAX_BYTES),
    ),
)

ClipboardPaste = declare(
    "ClipboardPaste", 0x0221, TO_AGENT,
    "The user pressed the paste hotkey in this domain: own CLIPBOARD and PRIMARY with this text.",
    window=GLOBAL,
    fields=(data("data", "UTF-8 text", limits.CLIPBOARD_MAX_BYTES),),
)
