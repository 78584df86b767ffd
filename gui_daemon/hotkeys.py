"""Secure hotkeys: parsing "Ctrl+Shift+C" and matching key events against it.

A hotkey is matched on keycodes, not on the keysym of the current layout: the key
is looked up in the first group (the base layout) when the daemon starts, so the
copy and paste keys keep working while the user types in another layout.
CapsLock and NumLock never matter; every other modifier must match exactly.
"""

from __future__ import annotations

import dataclasses

from Xlib import X, XK

MODIFIER_MASKS = {
    "shift": X.ShiftMask,
    "ctrl": X.ControlMask,
    "control": X.ControlMask,
    "alt": X.Mod1Mask,
    "mod1": X.Mod1Mask,
    "super": X.Mod4Mask,
    "mod4": X.Mod4Mask,
}

# Lock (CapsLock) and Mod2 (NumLock on every common layout) are ignored, and so are
# the pointer button bits that X adds to the state of key events.
IGNORED_STATE = X.LockMask | X.Mod2Mask | 0x1F00
RELEVANT_STATE = 0xFF & ~(X.LockMask | X.Mod2Mask)


class InvalidHotkey(ValueError):
    """A hotkey string cannot be parsed; the message names the string and the part."""


@dataclasses.dataclass(frozen=True)
class Hotkey:
    """A key with modifiers, as configured ("Ctrl+Shift+C")."""

    text: str
    keysym: int
    modifiers: int

    @classmethod
    def parse(cls, text: str) -> Hotkey:
        parts = [part.strip() for part in text.split("+")]
        if len(parts) < 2 or not all(parts):
            raise InvalidHotkey(f"invalid hotkey {text!r}: expected modifiers and a key, e.g. 'Ctrl+Shift+C'")
        modifiers = 0
        for part in parts[:-1]:
            mask = MODIFIER_MASKS.get(part.lower())
            if mask is None:
                raise InvalidHotkey(f"invalid hotkey {text!r}: unknown modifier {part!r}")
            modifiers |= mask
        key = parts[-1]
        keysym = XK.string_to_keysym(key.lower() if len(key) == 1 else key)
        if keysym == X.NoSymbol:
            raise InvalidHotkey(f"invalid hotkey {text!r}: unknown key {key!r}")
        return cls(text, keysym, modifiers)


class HotkeyMatcher:
    """Match key events of one display against configured hotkeys by keycode."""

    def __init__(self, display, hotkeys: dict[str, Hotkey]):
        self._by_keycode: dict[tuple[int, int], str] = {}
        for action, hotkey in hotkeys.items():
            for keycode, _ in display.keysym_to_keycodes(hotkey.keysym):
                self._by_keycode[(keycode, hotkey.modifiers)] = action

    def match(self, keycode: int, state: int) -> str | None:
        """Return the action bound to this key and modifier state, or None."""
        return self._by_keycode.get((keycode, state & RELEVANT_STATE))
