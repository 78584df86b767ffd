"""X events on the daemon's windows: user input forwarded to the domain, and window changes.

The daemon selects events only on its own windows, so these handlers see input
only while the user works in this domain's windows. Each handler first looks the
window up; an event for a window the session no longer has (a race with its
destruction) is dropped.
"""

from __future__ import annotations

import logging

from Xlib import X

from protocol import limits
from protocol import messages as m

from .hotkeys import HotkeyMatcher
from .windows import DomainWindow

logger = logging.getLogger(__name__)

# X FocusIn/FocusOut details that are about the pointer's window, not about the
# keyboard focus of this window (NotifyPointer, NotifyPointerRoot, NotifyDetailNone).
_VIRTUAL_FOCUS_DETAILS = (X.NotifyPointer, X.NotifyPointerRoot, X.NotifyDetailNone)


def _coordinate(value: int) -> int:
    return max(-limits.MAX_SCREEN_WIDTH, min(limits.MAX_SCREEN_WIDTH, value))


class InputHandlers:
    """Handlers of X events on one session's windows, in a table by event type."""

    def __init__(self, session, hotkeys: HotkeyMatcher):
        self.session = session
        self.hotkeys = hotkeys
        self.swallowed_keycodes: set[int] = set()
        self.table = {
            X.KeyPress: self.on_key_press,
            X.KeyRelease: self.on_key_release,
            X.ButtonPress: self.on_button,
            X.ButtonRelease: self.on_button,
            X.MotionNotify: self.on_motion,
            X.EnterNotify: self.on_crossing,
            X.LeaveNotify: self.on_crossing,
            X.FocusIn: self.on_focus,
            X.FocusOut: self.on_focus,
            X.Expose: self.on_expose,
            X.ConfigureNotify: self.on_configure,
            X.ClientMessage: self.on_client_message,
            X.PropertyNotify: self.on_property,
        }

    def handle(self, event) -> bool:
        """Handle an event if it belongs to one of the session's windows; return True if it did."""
        handler = self.table.get(event.type)
        if handler is None:
            return False
        window = self.session.by_local_id.get(getattr(event.window, "id", None))
        if window is None:
            return False
        handler(event, window)
        return True

    def send(self, message) -> None:
        self.session.channel.send(message)

    def send_keymap_state(self) -> None:
        """Tell the domain which keys are down now, so it releases the others."""
        keys = bytes(self.session.presenter.display.query_keymap())
        self.send(m.KeymapState(window=0, keys=keys))

    # A key went down in a window of ours: a secure hotkey, or input for the domain.
    def on_key_press(self, event, window: DomainWindow) -> None:
        action = self.hotkeys.match(event.detail, event.state)
        if action is not None:
            self.swallowed_keycodes.add(event.detail)
            self.session.run_hotkey(action, event.time)
            return
        self.send(m.Key(window=window.remote_id, pressed=1, keycode=event.detail,
                        state=event.state & limits.STATE_MASK_BITS))

    # A key went up: its press went to the domain, unless it was a hotkey.
    def on_key_release(self, event, window: DomainWindow) -> None:
        if event.detail in self.swallowed_keycodes:
            self.swallowed_keycodes.discard(event.detail)
            return
        self.send(m.Key(window=window.remote_id, pressed=0, keycode=event.detail,
                        state=event.state & limits.STATE_MASK_BITS))

    # A pointer button changed inside the window.
    def on_button(self, event, window: DomainWindow) -> None:
        if not limits.MIN_BUTTON <= event.detail <= limits.MAX_BUTTON:
            return
        pressed = event.type == X.ButtonPress
        if pressed and window.override_redirect and not self.session.has_focus():
            # A click is the user's explicit choice: an undecorated window of this
            # domain (a launcher, a popup) gets the keyboard, as a managed one would.
            window.local.set_input_focus(X.RevertToParent, event.time)
        self.send(m.Button(window=window.remote_id, pressed=int(pressed), button=event.detail,
                           x=_coordinate(event.event_x), y=_coordinate(event.event_y),
                           state=event.state & limits.STATE_MASK_BITS))

    # The pointer moved inside the window (or outside it while a button is held).
    def on_motion(self, event, window: DomainWindow) -> None:
        self.send(m.Motion(window=window.remote_id, x=_coordinate(event.event_x), y=_coordinate(event.event_y),
                           state=event.state & limits.STATE_MASK_BITS))

    # The pointer entered or left the window; held keys are reported before an enter.
    def on_crossing(self, event, window: DomainWindow) -> None:
        entered = event.type == X.EnterNotify
        if entered:
            self.send_keymap_state()
        self.send(m.Crossing(window=window.remote_id, entered=int(entered),
                             x=_coordinate(event.event_x), y=_coordinate(event.event_y),
                             state=event.state & limits.STATE_MASK_BITS, mode=min(event.mode, 3)))

    # The window gained or lost the keyboard focus; held keys are reported before a gain.
    def on_focus(self, event, window: DomainWindow) -> None:
        if event.detail in _VIRTUAL_FOCUS_DETAILS:
            return
        focused = event.type == X.FocusIn
        if focused:
            self.send_keymap_state()
        else:
            self.swallowed_keycodes.clear()
        self.send(m.Focus(window=window.remote_id, focused=int(focused), mode=min(event.mode, 3)))

    # Part of the window must be drawn again: from the buffer, then the frame.
    def on_expose(self, event, window: DomainWindow) -> None:
        self.session.repaint(window, event.x, event.y, event.width, event.height)

    # The window moved or changed size on the GUI display (the user, through the window manager).
    def on_configure(self, event, window: DomainWindow) -> None:
        self.session.window_configured(window, event)

    # The window manager asks the window to close (ICCCM WM_DELETE_WINDOW).
    def on_client_message(self, event, window: DomainWindow) -> None:
        atom = self.session.presenter.atom
        if event.client_type != atom.WM_PROTOCOLS:
            return
        if event.data[1][0] == atom.WM_DELETE_WINDOW:
            self.send(m.Close(window=window.remote_id))

    # The window manager changed the window's state (maximized, minimized, fullscreen).
    def on_property(self, event, window: DomainWindow) -> None:
        atom = self.session.presenter.atom
        if event.atom in (atom.NET_WM_STATE, atom.WM_STATE):
            self.session.window_state_changed(window)
