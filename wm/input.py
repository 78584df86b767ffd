"""Pointer and keyboard: click to focus, frame controls, drags, hotkeys, switcher and X-ray.

Every focus change, restack, move or resize that starts here is a user action:
a button press on a frame or a client, or a hotkey grabbed on the root window.
"""

from __future__ import annotations

import logging

from Xlib import X, XK
from Xlib import error as xerror

from .client import Client
from .decor import Control
from .drag import Drag, dragged_frame
from .geometry import Rect
from .trust import identify_window
from .xray import XRayTarget

logger = logging.getLogger(__name__)

DRAG_EVENTS = X.ButtonReleaseMask | X.PointerMotionMask
# Cursor-font glyphs shown while dragging (X11/cursorfont.h: XC_fleur, XC_sizing).
CURSOR_MOVE = 52
CURSOR_RESIZE = 120

# ISO_Left_Tab (Shift+Tab on most layouts) is in the "xkb" keysym group, not loaded by default.
XK.load_keysym_group("xkb")
# Seconds between the release of a held X-ray hotkey and hiding the overlay.
XRAY_RELEASE_DELAY = 0.03

SWITCHER_NEXT_KEYS = (XK.XK_Tab, XK.XK_Right, XK.XK_Down)
SWITCHER_PREVIOUS_KEYS = (XK.XK_ISO_Left_Tab, XK.XK_Left, XK.XK_Up)


class InputHandling:
    """Mixin of WindowManager: the pointer and keyboard handlers and the actions they start."""

    # Pointer ------------------------------------------------------------------

    def on_button_press(self, event) -> None:
        # A pointer button went down on a frame, on a client window through the
        # window manager's button grab, or on the bar.
        window_id = event.window.id
        if window_id == self.bar.window.id:
            self._press_on_bar(event)
            return
        client = self.frames.get(window_id)
        if client is not None:
            self._press_on_frame(client, event)
            return
        client = self.clients.get(window_id)
        if client is None:
            # A synchronous grab must always be released, or the pointer stays frozen.
            self.display.allow_events(X.ReplayPointer, event.time)
            return
        alt = self.keys.modifiers.masks["Alt"]
        if self.keys.modifiers.clean_state(event.state) == alt and event.detail in (X.Button1, X.Button3):
            # Alt+drag anywhere on the window: button 1 moves, button 3 resizes.
            if client is not self.focused:
                self.focus(client, event.time)
            if event.detail == X.Button1:
                self.start_drag(client, event, resize=False)
            else:
                self._start_corner_resize(client, event)
            return
        # Click to focus: focus and raise, then let the click reach the client.
        if client is not self.focused:
            self.focus(client, event.time)
        self.display.allow_events(X.ReplayPointer, event.time)

    def _press_on_bar(self, event) -> None:
        window_id = self.bar.entry_at(event.event_x, event.event_y)
        client = self.clients.get(window_id) if window_id is not None else None
        if client is not None and event.detail == X.Button1:
            self.focus(client, event.time)

    def _press_on_frame(self, client: Client, event) -> None:
        if client is not self.focused:
            self.focus(client, event.time)
        else:
            self.raise_client(client)
        if event.detail != X.Button1:
            return
        frame = client.frame_rect
        hit = client.decorations.hit_test(event.event_x, event.event_y, frame.width, frame.height)
        if hit.control is not None:
            self.pressed_control = (client.id, hit.control)
        elif hit.title:
            self.start_drag(client, event, resize=False)
        elif hit.is_edge:
            self.start_drag(client, event, resize=True, left=hit.left, right=hit.right, top=hit.top,
                            bottom=hit.bottom)

    def _start_corner_resize(self, client: Client, event) -> None:
        frame = client.frame_rect
        left = event.root_x < frame.x + frame.width // 2
        top = event.root_y < frame.y + frame.height // 2
        self.start_drag(client, event, resize=True, left=left, right=not left, top=top, bottom=not top)

    def start_drag(self, client: Client, event, resize: bool, **edges: bool) -> None:
        """Start moving or resizing ``client`` with the pointer; maximized and fullscreen windows stay."""
        if client.maximized or client.fullscreen:
            return
        cursor_glyph = CURSOR_RESIZE if resize else CURSOR_MOVE
        cursor_font = self.display.open_font("cursor")
        cursor = cursor_font.create_glyph_cursor(cursor_font, cursor_glyph, cursor_glyph + 1,
                                                 (0, 0, 0), (0xFFFF, 0xFFFF, 0xFFFF))
        cursor_font.close()
        status = self.root.grab_pointer(False, DRAG_EVENTS, X.GrabModeAsync, X.GrabModeAsync, X.NONE, cursor,
                                        event.time)
        cursor.free()
        if status != X.GrabSuccess:
            logger.debug("pointer grab for a drag failed with status %d", status)
            return
        self.drag = Drag(client.id, event.root_x, event.root_y, client.frame_rect, resize=resize, **edges)

    def end_drag(self, time: int) -> None:
        self.drag = None
        self.display.ungrab_pointer(time)

    def on_button_release(self, event) -> None:
        # A pointer button went up: the end of a drag or of a click on a frame control.
        if self.drag is not None:
            self.end_drag(event.time)
            return
        pressed, self.pressed_control = self.pressed_control, None
        if pressed is None:
            return
        client = self.clients.get(pressed[0])
        if client is None or event.window.id != client.frame.id:
            return
        frame = client.frame_rect
        hit = client.decorations.hit_test(event.event_x, event.event_y, frame.width, frame.height)
        if hit.control is pressed[1]:
            self.run_control(client, hit.control, event.time)

    def run_control(self, client: Client, control: Control, time: int) -> None:
        if control is Control.CLOSE:
            self.close(client, time)
        elif control is Control.MAXIMIZE:
            self.toggle_maximize(client)
        else:
            self.iconify(client)

    def on_motion_notify(self, event) -> None:
        # The pointer moved during a drag.
        if self.drag is None:
            return
        client = self.clients.get(self.drag.window_id)
        if client is None:
            self.end_drag(event.time)
            return
        frame = dragged_frame(self.drag, event.root_x, event.root_y, client.decorations, client.hints,
                              self.min_client_width(client.identity, client.decorations), self.workarea)
        if frame != client.frame_rect:
            self.set_normal_frame(client, frame)

    # Keyboard -----------------------------------------------------------------

    def on_key_press(self, event) -> None:
        # A grabbed hotkey was pressed, or any key while the switcher has grabbed the keyboard.
        if self.switcher.active:
            self._switcher_key(event)
            return
        action = self.keys.action_for(event)
        if action is None:
            return
        handler = getattr(self, f"action_{action}")
        handler(event)

    def on_key_release(self, event) -> None:
        # A key went up while the window manager holds the keyboard: the end of
        # the switcher (its modifier released) or of a held X-ray hotkey.
        if self.switcher.active:
            modifiers = self.config.hotkeys["switch_next"].modifiers
            if event.detail in self.keys.keycodes_of_modifiers(modifiers):
                self._finish_switch(event.time)
            return
        if self.xray.active and self.config.xray_mode == "hold" and self._xray_hide_timer is None:
            # An auto-repeated key sends a release and a new press at once: the
            # key still shows as down in the keymap, and X-ray stays. The short
            # delay covers a press that arrives just after the release.
            keymap = self.display.query_keymap()
            if keymap[event.detail // 8] & (1 << (event.detail % 8)):
                return
            self._xray_hide_timer = self.loop.call_later(XRAY_RELEASE_DELAY, self.hide_xray)

    def _switcher_key(self, event) -> None:
        keysym = self.display.keycode_to_keysym(event.detail, 0)
        shifted = bool(event.state & X.ShiftMask)
        if keysym == XK.XK_Escape:
            self.switcher.close()
            self.display.ungrab_keyboard(event.time)
        elif keysym == XK.XK_Return:
            self._finish_switch(event.time)
        elif keysym in SWITCHER_NEXT_KEYS:
            self.switcher.move(-1 if shifted and keysym == XK.XK_Tab else 1)
        elif keysym in SWITCHER_PREVIOUS_KEYS:
            self.switcher.move(-1)

    def _switch_candidates(self) -> list[Client]:
        ordered = [client for client in self.focus_history if client.id in self.clients]
        ordered += [client for client in reversed(self.stacking) if client not in ordered]
        return ordered

    def _open_switcher(self, event, step: int) -> None:
        candidates = self._switch_candidates()
        if not candidates:
            return
        if self.focused is None or candidates[0] is not self.focused:
            step = 0 if step > 0 else step
        status = self.root.grab_keyboard(False, X.GrabModeAsync, X.GrabModeAsync, event.time)
        if status != X.GrabSuccess:
            logger.warning("keyboard grab for the switcher failed with status %d", status)
            return
        self.switcher.open(candidates, step)
        self.own_windows.add(self.switcher.window.id)
        self.restack_trusted()
        # The modifier may already be up: then the first choice is final.
        modifiers = self.config.hotkeys["switch_next"].modifiers
        mask = 0
        for name in modifiers:
            mask |= self.keys.modifiers.masks[name]
        if not self.root.query_pointer().mask & mask:
            self._finish_switch(event.time)

    def _finish_switch(self, time: int) -> None:
        window = self.switcher.window
        chosen = self.switcher.close()
        if window is not None:
            self.own_windows.discard(window.id)
        self.display.ungrab_keyboard(time)
        if chosen is not None and chosen.id in self.clients:
            logger.debug("switcher chose window 0x%x of %s", chosen.id, chosen.identity.domain)
            self.focus(chosen, time)

    def action_switch_next(self, event) -> None:
        self._open_switcher(event, 1)

    def action_switch_previous(self, event) -> None:
        self._open_switcher(event, -1)

    def action_xray(self, event) -> None:
        if self._xray_hide_timer is not None:
            # The release before this press was an auto-repeat: keep X-ray as it is.
            self._xray_hide_timer.cancel()
            self._xray_hide_timer = None
            return
        if self.xray.active:
            if self.config.xray_mode == "toggle":
                self.hide_xray()
            return
        self.show_xray()

    def show_xray(self) -> None:
        self.xray.show(self._xray_targets())
        self.own_windows.add(self.xray.window.id)
        self.restack_trusted()

    def hide_xray(self) -> None:
        if self._xray_hide_timer is not None:
            self._xray_hide_timer.cancel()
            self._xray_hide_timer = None
        if self.xray.window is not None:
            self.own_windows.discard(self.xray.window.id)
        self.xray.hide()

    def _xray_targets(self) -> list[XRayTarget]:
        """Return the visible top-level windows with their owners, from the bottom of the stack up."""
        targets = []
        for window in self.root.query_tree().children:
            if window.id in self.own_windows:
                continue
            client = self.frames.get(window.id)
            if client is not None:
                if not client.iconic:
                    targets.append(XRayTarget(client.frame_rect, client.identity))
                continue
            try:
                attributes = window.get_attributes()
                if not attributes.override_redirect or attributes.map_state != X.IsViewable:
                    continue
                geometry = window.get_geometry()
            except xerror.XError:
                continue
            rect = Rect(geometry.x, geometry.y, geometry.width + 2 * geometry.border_width,
                        geometry.height + 2 * geometry.border_width)
            targets.append(XRayTarget(rect, identify_window(self.display, window.id, self.registry)))
        return targets

    def action_close(self, event) -> None:
        if self.focused is not None:
            self.close(self.focused, event.time)

    def action_maximize(self, event) -> None:
        if self.focused is not None:
            self.toggle_maximize(self.focused)

    def action_minimize(self, event) -> None:
        if self.focused is not None:
            self.iconify(self.focused)

    def _move_focused(self, dx: int, dy: int) -> None:
        if self.focused is not None:
            self.move_by(self.focused, dx, dy)

    def _resize_focused(self, dwidth: int, dheight: int) -> None:
        if self.focused is not None:
            self.resize_by(self.focused, dwidth, dheight)

    def action_move_left(self, event) -> None:
        self._move_focused(-self.config.move_step, 0)

    def action_move_right(self, event) -> None:
        self._move_focused(self.config.move_step, 0)

    def action_move_up(self, event) -> None:
        self._move_focused(0, -self.config.move_step)

    def action_move_down(self, event) -> None:
        self._move_focused(0, self.config.move_step)

    def action_resize_narrower(self, event) -> None:
        self._resize_focused(-self.config.move_step, 0)

    def action_resize_wider(self, event) -> None:
        self._resize_focused(self.config.move_step, 0)

    def action_resize_shorter(self, event) -> None:
        self._resize_focused(0, -self.config.move_step)

    def action_resize_taller(self, event) -> None:
        self._resize_focused(0, self.config.move_step)
