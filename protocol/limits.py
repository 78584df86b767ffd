"""Named limits of the wire protocol, each with its unit and the reason for its value.

Values above a limit are protocol violations unless the field's rule in
``protocol.messages`` says it is clamped or ignored.
"""

from __future__ import annotations

# The protocol version this code speaks: a peer with another major is refused.
PROTOCOL_MAJOR = 1
PROTOCOL_MINOR = 0

HEADER_SIZE = 12  # bytes: type u32, window u32, length u32, little-endian

# Window size in pixels. Large enough for a window spanning several 4K monitors
# side by side, small enough that one buffer (16384 * 6144 * 4 bytes = 384 MiB)
# stays far below what a 32-bit offset or length can describe.
MAX_WINDOW_WIDTH = 16384
MAX_WINDOW_HEIGHT = 6144

# Window position in pixels, applied to x and y. X11 carries positions as 16-bit
# signed numbers; with |x| <= 16383 and width <= 16384, x + width still fits in
# 16 bits, so no value wraps on its way to the X server.
MAX_COORDINATE = 16383

# Buffer row length in bytes: at least width * 4 for XRGB8888; the upper bound
# allows 64-byte row alignment of the widest window.
MAX_STRIDE = MAX_WINDOW_WIDTH * 4 + 64

# Bytes of one window buffer (stride * height): the largest window at the largest stride.
MAX_BUFFER_BYTES = MAX_STRIDE * MAX_WINDOW_HEIGHT

# Offsets into a VM backend's shared region are 32-bit fields in bytes.
MAX_REGION_OFFSET = 0xFFFF_FFFF

# Text fields, in UTF-8 bytes. 512 bytes hold at least 128 characters of a title
# in any script (4 bytes per character at most); WM_CLASS parts are short names.
TITLE_MAX_BYTES = 512
CLASS_MAX_BYTES = 64

# Clipboard payload in bytes, in either direction. The daemon's policy may set a
# lower limit; 1 MiB keeps one message well below the receive buffer cap.
CLIPBOARD_MAX_BYTES = 1024 * 1024

# XKB layout names (rules, model, layout, variant) and options, in ASCII bytes.
# The longest names in xkeyboard-config are under 40 bytes; options lists are longer.
XKB_NAME_MAX_BYTES = 64
XKB_OPTIONS_MAX_BYTES = 256

# The X core cursor font has 154 glyphs. Each shape is an even glyph whose mask is
# the odd glyph after it, so valid shapes are the even numbers 0..152.
CURSOR_FONT_GLYPHS = 154

# X keycodes are 8..255; X pointer buttons are 1..255.
MIN_KEYCODE = 8
MAX_KEYCODE = 255
MIN_BUTTON = 1
MAX_BUTTON = 255

# X key and pointer state: Shift, Lock, Control, Mod1..Mod5, Button1..Button5 in
# bits 0-12, and the XKB layout group in bits 13-14, as X puts it in core events.
STATE_MASK_BITS = 0x7FFF

# X resource ids have the top three bits clear (the X protocol reserves them).
MAX_WINDOW_ID = 0x1FFF_FFFF

# Output scale in percent: 100 is 96 dpi. 400 covers the densest panels sold today.
MIN_SCALE_PERCENT = 100
MAX_SCALE_PERCENT = 400

# Screen size sent to agents, in pixels: the largest X screen (16-bit sizes).
MAX_SCREEN_WIDTH = 32767
MAX_SCREEN_HEIGHT = 32767
