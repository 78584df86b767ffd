"""Cursor names from XFixes mapped to X core cursor-font glyphs."""

from __future__ import annotations

import pytest

from gui_agent.cursors import CURSOR_ALIASES, CURSOR_FONT_GLYPHS, glyph_for_name
from protocol import limits
from protocol.messages import CURSOR_DEFAULT


@pytest.mark.parametrize(("name", "glyph"), [
    ("xterm", 152), ("text", 152), ("left_ptr", 68), ("default", 68), ("hand2", 60), ("pointer", 60),
    ("watch", 150), ("wait", 150), ("X_cursor", 0), ("sb_h_double_arrow", 108), ("col-resize", 108),
    ("crosshair", 34), ("fleur", 52), ("question_arrow", 92),
])
def test_known_names_map_to_glyphs(name, glyph):
    assert glyph_for_name(name) == glyph


@pytest.mark.parametrize("name", [None, "", "no-such-cursor", "e29285e634086352946a0e7090d73106"])
def test_unknown_names_map_to_default(name):
    assert glyph_for_name(name) == CURSOR_DEFAULT


def test_every_glyph_is_a_valid_protocol_shape():
    for glyph in CURSOR_FONT_GLYPHS.values():
        assert glyph % 2 == 0
        assert glyph < limits.CURSOR_FONT_GLYPHS


def test_every_alias_names_a_glyph():
    for alias, name in CURSOR_ALIASES.items():
        assert name in CURSOR_FONT_GLYPHS, alias
