"""The pointer shape: XFixes cursor names mapped to X core cursor-font glyphs.

The protocol carries only cursor-font shapes, never a bitmap, so a domain cannot
draw a misleading pointer. XFixes reports each change of the displayed cursor
with the cursor's name, which Xcursor sets when it loads a themed cursor by
name. This module maps that name to the glyph of the same shape. Unknown names
and unnamed cursors become the default shape.

NOTE: libX11 creates the cursors of ``XCreateFontCursor`` without a name unless
the Xcursor resource ``Xcursor.theme_core`` is on, so classic Xt applications
such as xterm show the default shape on the GUI display.
"""

from __future__ import annotations

from Xlib.protocol import rq

from protocol.messages import CURSOR_DEFAULT

# Glyphs of the X core cursor font, from <X11/cursorfont.h>.
CURSOR_FONT_GLYPHS = {
    "X_cursor": 0, "arrow": 2, "based_arrow_down": 4, "based_arrow_up": 6, "boat": 8,
    "bogosity": 10, "bottom_left_corner": 12, "bottom_right_corner": 14, "bottom_side": 16,
    "bottom_tee": 18, "box_spiral": 20, "center_ptr": 22, "circle": 24, "clock": 26,
    "coffee_mug": 28, "cross": 30, "cross_reverse": 32, "crosshair": 34, "diamond_cross": 36,
    "dot": 38, "dotbox": 40, "double_arrow": 42, "draft_large": 44, "draft_small": 46,
    "draped_box": 48, "exchange": 50, "fleur": 52, "gobbler": 54, "gumby": 56, "hand1": 58,
    "hand2": 60, "heart": 62, "icon": 64, "iron_cross": 66, "left_ptr": 68, "left_side": 70,
    "left_tee": 72, "leftbutton": 74, "ll_angle": 76, "lr_angle": 78, "man": 80,
    "middlebutton": 82, "mouse": 84, "pencil": 86, "pirate": 88, "plus": 90,
    "question_arrow": 92, "right_ptr": 94, "right_side": 96, "right_tee": 98,
    "rightbutton": 100, "rtl_logo": 102, "sailboat": 104, "sb_down_arrow": 106,
    "sb_h_double_arrow": 108, "sb_left_arrow": 110, "sb_right_arrow": 112, "sb_up_arrow": 114,
    "sb_v_double_arrow": 116, "shuttle": 118, "sizing": 120, "spider": 122, "spraycan": 124,
    "star": 126, "target": 128, "tcross": 130, "top_left_arrow": 132, "top_left_corner": 134,
    "top_right_corner": 136, "top_side": 138, "top_tee": 140, "trek": 142, "ul_angle": 144,
    "umbrella": 146, "ur_angle": 148, "watch": 150, "xterm": 152,
}

# Names used by cursor themes, CSS and toolkits, mapped to the cursor-font name of
# the closest shape.
CURSOR_ALIASES = {
    "default": "left_ptr",
    "text": "xterm", "ibeam": "xterm", "vertical-text": "xterm",
    "pointer": "hand2", "hand": "hand2", "pointing_hand": "hand2",
    "wait": "watch", "progress": "watch", "left_ptr_watch": "watch", "half-busy": "watch",
    "help": "question_arrow", "whats_this": "question_arrow", "left_ptr_help": "question_arrow",
    "move": "fleur", "all-scroll": "fleur", "size_all": "fleur", "grab": "fleur",
    "grabbing": "fleur", "openhand": "fleur", "closedhand": "fleur", "dnd-move": "fleur",
    "not-allowed": "circle", "no-drop": "circle", "forbidden": "circle", "crossed_circle": "circle",
    "dnd-none": "circle",
    "cell": "plus",
    "col-resize": "sb_h_double_arrow", "ew-resize": "sb_h_double_arrow", "h_double_arrow": "sb_h_double_arrow",
    "size_hor": "sb_h_double_arrow", "split_h": "sb_h_double_arrow",
    "row-resize": "sb_v_double_arrow", "ns-resize": "sb_v_double_arrow", "v_double_arrow": "sb_v_double_arrow",
    "size_ver": "sb_v_double_arrow", "split_v": "sb_v_double_arrow",
    "n-resize": "top_side", "s-resize": "bottom_side", "e-resize": "right_side", "w-resize": "left_side",
    "ne-resize": "top_right_corner", "nw-resize": "top_left_corner",
    "se-resize": "bottom_right_corner", "sw-resize": "bottom_left_corner",
    "nesw-resize": "top_right_corner", "size_bdiag": "top_right_corner",
    "nwse-resize": "top_left_corner", "size_fdiag": "top_left_corner",
    "x-cursor": "X_cursor", "draft": "pencil",
}


def glyph_for_name(name: str | None) -> int:
    """Return the cursor-font glyph for a cursor name, or CURSOR_DEFAULT."""
    if not name:
        return CURSOR_DEFAULT
    glyph = CURSOR_FONT_GLYPHS.get(name)
    if glyph is None:
        glyph = CURSOR_FONT_GLYPHS.get(CURSOR_ALIASES.get(name, ""))
    if glyph is None:
        glyph = CURSOR_FONT_GLYPHS.get(CURSOR_ALIASES.get(name.lower(), name.lower()))
    return CURSOR_DEFAULT if glyph is None else glyph


class CursorNotify(rq.Event):
    """XFixes DisplayCursorNotify with the cursor's name atom (XFixes 2 and later).

    python-xlib 0.33 declares this event without the name, so the agent
    registers this complete layout in its place.
    """

    _code = None
    _fields = rq.Struct(
        rq.Card8("type"),
        rq.Card8("sub_code"),
        rq.Card16("sequence_number"),
        rq.Window("window"),
        rq.Card32("cursor_serial"),
        rq.Card32("timestamp"),
        rq.Card32("name"),
        rq.Pad(12),
    )


def register_cursor_events(display) -> tuple[int, int]:
    """Register CursorNotify on the display; return its (event code, sub code)."""
    info = display.query_extension("XFIXES")
    code = info.first_event + 1  # XFixesCursorNotify
    display.extension_add_subevent(code, 0, CursorNotify, name="OdysseyCursorNotify")
    return code, 0
