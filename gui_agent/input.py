"""Input from the daemon, injected into the domain's X server with XTEST.

The daemon sends the GUI display's keycodes and window-relative positions. The
domain uses the GUI display's keyboard layout (``screen.apply_keyboard_layout``),
so keycodes carry over unchanged, and each window sits at the same screen
position in the domain as on the GUI display, so absolute pointer motion is exact.

Before each key or button the domain's modifiers are brought in line with the
state the GUI display reported for that event, which is the state before the
event, as in X. Held modifiers (Shift, Control, Alt, ...) are pressed or
released, and lock modifiers (Caps Lock, Num Lock) are toggled with a press and
release.
"""

from __future__ import annotations

import logging

from Xlib import X, XK

logger = logging.getLogger(__name__)

# Keysyms whose modifier is a toggle rather than held.
_LOCK_KEYSYMS = frozenset({XK.XK_Caps_Lock, XK.XK_Shift_Lock, XK.XK_Num_Lock, XK.XK_Scroll_Lock})

_MODIFIER_COUNT = 8  # Shift, Lock, Control, Mod1..Mod5: state bits 0..7
_BUTTON_STATE_SHIFT = 8  # Button1..Button5 are state bits 8..12
_BUTTON_COUNT = 5


def key_is_down(keymap: bytes | list[int], keycode: int) -> bool:
    """Return whether bit ``keycode`` is set in a 32-byte X keymap."""
    return bool(keymap[keycode // 8] & (1 << (keycode % 8)))


class InputInjector:
    """Injects keys and pointer events into the domain's X server."""

    def __init__(self, display):
        self.display = display
        self.root = display.screen().root
        self._modifier_keycodes: list[list[int]] = []
        self._lock_modifiers: set[int] = set()
        self.refresh_modifiers()

    def refresh_modifiers(self) -> None:
        """Read the modifier mapping again (after MappingNotify or a layout change)."""
        mapping = self.display.get_modifier_mapping()
        self._modifier_keycodes = [[code for code in keycodes if code] for keycodes in mapping]
        self._lock_modifiers = {1}  # Lock is a toggle whatever key it is on
        for index, keycodes in enumerate(self._modifier_keycodes):
            for keycode in keycodes:
                if self.display.keycode_to_keysym(keycode, 0) in _LOCK_KEYSYMS:
                    self._lock_modifiers.add(index)

    # -- keys ------------------------------------------------------------------

    def key(self, keycode: int, pressed: bool, state: int) -> None:
        """Press or release a key after matching the modifiers to ``state``."""
        self.sync_state(state)
        self.display.xtest_fake_input(X.KeyPress if pressed else X.KeyRelease, keycode)

    def sync_state(self, state: int) -> None:
        """Press or release modifier keys, and release buttons, so the domain's state matches ``state``.

        Buttons held in the domain but not in ``state`` are released; a button is
        never pressed because of a state mask.
        """
        current = self.root.query_pointer().mask
        keymap = None
        for index in range(_MODIFIER_COUNT):
            bit = 1 << index
            wanted = bool(state & bit)
            if wanted == bool(current & bit) or not self._modifier_keycodes[index]:
                continue
            if index in self._lock_modifiers:
                keycode = self._modifier_keycodes[index][0]
                self.display.xtest_fake_input(X.KeyPress, keycode)
                self.display.xtest_fake_input(X.KeyRelease, keycode)
            elif wanted:
                self.display.xtest_fake_input(X.KeyPress, self._modifier_keycodes[index][0])
            else:
                if keymap is None:
                    keymap = self.display.query_keymap()
                for keycode in self._modifier_keycodes[index]:
                    if key_is_down(keymap, keycode):
                        self.display.xtest_fake_input(X.KeyRelease, keycode)
        for number in range(1, _BUTTON_COUNT + 1):
            bit = 1 << (_BUTTON_STATE_SHIFT + number - 1)
            if current & bit and not state & bit:
                self.display.xtest_fake_input(X.ButtonRelease, number)

    def release_keys_up_in(self, gui_keymap: bytes) -> list[int]:
        """Release every key down in the domain but up in ``gui_keymap``; return their keycodes.

        Keys are never pressed here: a key down on the GUI display but up in the
        domain stays up, because pressing it would make the application see a
        key press the user did not make in its window.
        """
        domain_keymap = self.display.query_keymap()
        released = []
        for keycode in range(8, 256):
            if key_is_down(domain_keymap, keycode) and not key_is_down(gui_keymap, keycode):
                self.display.xtest_fake_input(X.KeyRelease, keycode)
                released.append(keycode)
        return released

    # -- pointer ---------------------------------------------------------------

    def motion(self, x: int, y: int) -> None:
        """Move the pointer to the absolute screen position (x, y)."""
        self.display.xtest_fake_input(X.MotionNotify, 0, x=x, y=y)

    def button(self, button: int, pressed: bool, x: int, y: int, state: int) -> None:
        """Move to (x, y), match the modifiers to ``state``, then press or release ``button``."""
        self.motion(x, y)
        self.sync_state(state)
        self.display.xtest_fake_input(X.ButtonPress if pressed else X.ButtonRelease, button)
