"""Hotkeys on the X server: modifier masks, keycodes, grabs that ignore the lock keys.

A passive key grab on the root window makes the X server deliver the key to
the window manager and to no client. Grabs match the modifier state exactly,
so each hotkey is grabbed once for every combination of the lock modifiers
(Caps Lock, Num Lock, Scroll Lock), and the locks never decide whether a
hotkey works.
"""

from __future__ import annotations

import itertools
import logging

from Xlib import X, XK
from Xlib import error as xerror

from .config import Hotkey

logger = logging.getLogger(__name__)

MODIFIER_MASKS = (X.ShiftMask, X.LockMask, X.ControlMask, X.Mod1Mask, X.Mod2Mask, X.Mod3Mask,
                  X.Mod4Mask, X.Mod5Mask)
# Mask bits of the keyboard modifiers in an event's state (pointer buttons are above).
ALL_MODIFIERS = 0xFF


class ModifierMap:
    """The modifier bits of Alt, Super and the lock keys on this server's keymap."""

    def __init__(self, display) -> None:
        self.display = display
        self.refresh()

    def refresh(self) -> None:
        mapping = self.display.get_modifier_mapping()
        by_keysym: dict[int, int] = {}
        for index, keycodes in enumerate(mapping):
            for keycode in keycodes:
                if keycode:
                    for column in range(4):
                        keysym = self.display.keycode_to_keysym(keycode, column)
                        if keysym:
                            by_keysym.setdefault(keysym, MODIFIER_MASKS[index])
        self.masks = {
            "Shift": X.ShiftMask,
            "Control": X.ControlMask,
            "Alt": by_keysym.get(XK.XK_Alt_L) or by_keysym.get(XK.XK_Meta_L) or X.Mod1Mask,
            "Super": by_keysym.get(XK.XK_Super_L) or by_keysym.get(XK.XK_Super_R) or X.Mod4Mask,
        }
        num_lock = by_keysym.get(XK.XK_Num_Lock, 0)
        scroll_lock = by_keysym.get(XK.XK_Scroll_Lock, 0)
        self.lock_masks = [X.LockMask, *(mask for mask in (num_lock, scroll_lock) if mask)]
        self.modifier_keycodes: dict[str, set[int]] = {}
        for name, keysyms in (("Shift", (XK.XK_Shift_L, XK.XK_Shift_R)),
                              ("Control", (XK.XK_Control_L, XK.XK_Control_R)),
                              ("Alt", (XK.XK_Alt_L, XK.XK_Alt_R, XK.XK_Meta_L, XK.XK_Meta_R)),
                              ("Super", (XK.XK_Super_L, XK.XK_Super_R))):
            codes = set()
            for keysym in keysyms:
                codes.update(code for code, _ in self.display.keysym_to_keycodes(keysym))
            self.modifier_keycodes[name] = codes

    def mask_of(self, hotkey: Hotkey) -> int:
        mask = 0
        for name in hotkey.modifiers:
            mask |= self.masks[name]
        return mask

    def lock_combinations(self) -> list[int]:
        """Return every OR of the lock masks, including 0."""
        combinations = []
        for count in range(len(self.lock_masks) + 1):
            for subset in itertools.combinations(self.lock_masks, count):
                value = 0
                for mask in subset:
                    value |= mask
                combinations.append(value)
        return combinations

    def clean_state(self, state: int) -> int:
        """Return the keyboard modifiers of an event state without the lock keys."""
        state &= ALL_MODIFIERS
        for mask in self.lock_masks:
            state &= ~mask
        return state


class KeyBindings:
    """The grabbed hotkeys: action name to (modifier mask, keycodes), grabbed on the root."""

    def __init__(self, display, root, hotkeys: dict[str, Hotkey]) -> None:
        self.display = display
        self.root = root
        self.hotkeys = hotkeys
        self.modifiers = ModifierMap(display)
        self.bindings: dict[tuple[int, int], str] = {}

    def grab_all(self) -> None:
        """Grab every hotkey again. A hotkey that another client has grabbed is logged and skipped."""
        self.root.ungrab_key(X.AnyKey, X.AnyModifier)
        self.bindings.clear()
        for action, hotkey in self.hotkeys.items():
            mask = self.modifiers.mask_of(hotkey)
            keycodes = {code for code, _ in self.display.keysym_to_keycodes(hotkey.keysym)}
            if not keycodes:
                logger.warning("hotkey %s for %s: the key is not on this keyboard", hotkey.text, action)
                continue
            for keycode in keycodes:
                self.bindings[(mask, keycode)] = action
                for locks in self.modifiers.lock_combinations():
                    self.root.grab_key(keycode, mask | locks, False, X.GrabModeAsync, X.GrabModeAsync,
                                       onerror=self._grab_failed(hotkey.text, action))

    @staticmethod
    def _grab_failed(text: str, action: str):
        def report(error, request) -> None:
            if isinstance(error, xerror.BadAccess):
                logger.warning("hotkey %s for %s is already grabbed by another client", text, action)
            else:
                logger.warning("grabbing hotkey %s for %s failed: %s", text, action, type(error).__name__)
        return report

    def action_for(self, event) -> str | None:
        """Return the action bound to a KeyPress, or None."""
        return self.bindings.get((self.modifiers.clean_state(event.state), event.detail))

    def refresh(self) -> None:
        """Re-read the keymap after a MappingNotify and grab the hotkeys again."""
        self.modifiers.refresh()
        self.grab_all()

    def keycodes_of_modifiers(self, names: frozenset[str]) -> set[int]:
        codes: set[int] = set()
        for name in names:
            codes |= self.modifiers.modifier_keycodes.get(name, set())
        return codes
