"""The setxkbmap command line built from a KeyboardLayout."""

from __future__ import annotations

from gui_agent.screen import setxkbmap_arguments
from protocol import messages as m


def test_setxkbmap_arguments_carry_every_field():
    layout = m.KeyboardLayout(window=0, rules="evdev", model="pc105", layout="us,de", variant=",nodeadkeys",
                              options="grp:alt_shift_toggle")
    assert setxkbmap_arguments(":5", layout) == [
        "setxkbmap", "-display", ":5", "-rules", "evdev", "-model", "pc105", "-layout", "us,de",
        "-variant", ",nodeadkeys", "-option", "", "-option", "grp:alt_shift_toggle",
    ]


def test_setxkbmap_arguments_skip_empty_fields_and_clear_options():
    layout = m.KeyboardLayout(window=0, rules="", model="", layout="fr", variant="", options="")
    assert setxkbmap_arguments(":1", layout) == ["setxkbmap", "-display", ":1", "-layout", "fr", "-option", ""]
