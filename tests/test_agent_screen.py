"""The setxkbmap command line built from a KeyboardLayout, and when it is needed."""

from __future__ import annotations

from Xlib import display as xdisplay

from gui_agent.screen import keyboard_layout_matches, setxkbmap_arguments
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


def test_keyboard_layout_matches_reads_the_server_rules_names(xvfb):
    display = xdisplay.Display(xvfb.display)
    try:
        # Xvfb starts with evdev, pc105, us and no variant or options.
        same = m.KeyboardLayout(window=0, rules="evdev", model="pc105", layout="us", variant="", options="")
        assert keyboard_layout_matches(display, same)
        for changed in ({"layout": "de"}, {"variant": "dvorak"}, {"options": "ctrl:nocaps"}, {"model": "pc104"}):
            other = m.KeyboardLayout(**{**dict(window=0, rules="evdev", model="pc105", layout="us", variant="",
                                               options=""), **changed})
            assert not keyboard_layout_matches(display, other), changed
    finally:
        display.close()
