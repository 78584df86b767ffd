"""Keyboard focus: given only on a user action, and always named truthfully in the bar.

The window manager moves the focus only when the user clicks a window, picks
one in the switcher or the bar, or closes or minimizes the focused window (then
nothing has the focus until the user chooses). A window that maps, requests
activation or raises itself never gets the focus.

The bar shows the owner of the window that really has the X keyboard focus,
read back from the server after every focus change, not the window manager's
intention. A client that moves the focus by itself to a managed window of
another owner gets it taken back.
"""

from __future__ import annotations

import logging

from Xlib import X
from Xlib import error as xerror

from . import icccm, properties
from .client import Client
from .trust import Identity, identify_window

logger = logging.getLogger(__name__)

# Levels walked up from the focus window to find its top-level window.
MAX_TREE_DEPTH = 64
CLIENT_BUTTON_EVENTS = X.ButtonPressMask | X.ButtonReleaseMask | X.PointerMotionMask


class FocusPolicy:
    """Mixin of WindowManager: focus changes, click-to-focus grabs, the bar's keyboard owner."""

    def grab_buttons(self, client: Client, focused: bool) -> None:
        """Grab the buttons on the client window: every click while unfocused, Alt+click always.

        The click-to-focus grab is synchronous: the pointer freezes until the
        window manager has focused the window and replays the click to it.
        """
        window = client.window
        window.ungrab_button(X.AnyButton, X.AnyModifier)
        if not focused:
            window.grab_button(X.AnyButton, X.AnyModifier, False, X.ButtonPressMask, X.GrabModeSync,
                               X.GrabModeAsync, X.NONE, X.NONE)
        alt = self.keys.modifiers.masks["Alt"]
        for button in (X.Button1, X.Button3):
            for locks in self.keys.modifiers.lock_combinations():
                window.grab_button(button, alt | locks, False, CLIENT_BUTTON_EVENTS, X.GrabModeAsync,
                                   X.GrabModeAsync, X.NONE, X.NONE)

    def focus(self, client: Client, time: int) -> None:
        """Give the keyboard to ``client`` and raise it: call only for a user action."""
        if client.iconic:
            self.deiconify(client)
        previous = self.focused
        self.focused = client
        if client in self.focus_history:
            self.focus_history.remove(client)
        self.focus_history.insert(0, client)
        if previous is not None and previous is not client and previous.id in self.clients:
            self.grab_buttons(previous, focused=False)
            self.repaint(previous)
        self.grab_buttons(client, focused=True)

        # ICCCM input models: set the focus if the client accepts input, and send
        # WM_TAKE_FOCUS if it lists that protocol. A client that wants neither
        # still takes the keyboard away from the previous window.
        if client.accepts_input:
            client.window.set_input_focus(X.RevertToNone, time)
        elif not client.takes_focus:
            self.support_window.set_input_focus(X.RevertToNone, time)
        if client.takes_focus:
            icccm.send_protocol_message(client.window, self.display.get_atom(properties.WM_TAKE_FOCUS), time)
        if client.demands_attention:
            self.set_demands_attention(client, False)
        logger.debug("focus to window 0x%x of %s", client.id, client.identity.domain)
        self.ewmh.set_active_window(client.id)
        self.raise_client(client)
        self.repaint(client)
        self.update_bar_visibility()

    def focus_nothing(self) -> None:
        """Send the keys nowhere: to the window manager's own unmapped-looking support window."""
        self.support_window.set_input_focus(X.RevertToNone, X.CurrentTime)
        self.ewmh.set_active_window(None)

    def _toplevel_of(self, window_id: int) -> int | None:
        """Return the child of the root window that contains ``window_id``."""
        current = window_id
        for _ in range(MAX_TREE_DEPTH):
            try:
                tree = self.display.create_resource_object("window", current).query_tree()
            except xerror.XError:
                return None
            if tree.parent == X.NONE:
                return None
            if tree.parent.id == self.root.id:
                return current
            current = tree.parent.id
        return None

    def refresh_focus_truth(self) -> None:
        """Read the real keyboard focus from the server and show its owner in the bar."""
        try:
            focus = self.display.get_input_focus().focus
        except xerror.XError:
            return
        focus_id = focus if isinstance(focus, int) else focus.id
        identity: Identity | None = None
        if focus_id in (X.PointerRoot, self.root.id):
            # With the focus on the root, keys go to whatever window is under
            # the pointer: no trusted bar could name that owner.
            logger.info("a client set the keyboard focus to the root window: focus taken back")
            self._drop_focus()
        elif focus_id not in (X.NONE, self.support_window.id):
            toplevel = self._toplevel_of(focus_id)
            client = self.frames.get(toplevel) if toplevel is not None else None
            if client is not None:
                identity = self._accept_client_focus(client)
            elif toplevel is not None and toplevel not in self.own_windows:
                # An override-redirect window, such as a daemon's menu the user clicked.
                identity = identify_window(self.display, toplevel, self.registry)
        self.bar.set_focus(identity)

    def _accept_client_focus(self, client: Client) -> Identity | None:
        """Check a focus change to a managed window; returns the owner now holding the keys."""
        if client is self.focused:
            return client.identity
        if self.focused is not None and client.identity == self.focused.identity:
            # The focused owner moved the focus between its own windows.
            previous = self.focused
            self.focused = client
            self.grab_buttons(previous, focused=False)
            self.grab_buttons(client, focused=True)
            self.repaint(previous)
            self.repaint(client)
            self.ewmh.set_active_window(client.id)
            return client.identity
        logger.warning("window 0x%x of %s took the keyboard focus without a user action: focus taken back",
                       client.id, client.identity.domain)
        if self.focused is not None and self.focused.accepts_input:
            self.focused.window.set_input_focus(X.RevertToNone, X.CurrentTime)
            return self.focused.identity
        self._drop_focus()
        return None

    def _drop_focus(self) -> None:
        previous = self.focused
        self.focused = None
        self.focus_nothing()
        if previous is not None and previous.id in self.clients:
            self.grab_buttons(previous, focused=False)
            self.repaint(previous)

    def update_bar_visibility(self) -> None:
        """Hide the bar under a focused, allowed fullscreen window after showing who owns it.

        Every other time the bar is shown and above all windows.
        """
        client = self.focused
        covering = client is not None and client.covers_screen and not client.iconic
        if covering:
            if self._fullscreen_shown_for is not client:
                self._fullscreen_shown_for = client
                self.bar.set_hidden(False)
                self.restack_trusted()
                if self._fullscreen_timer is not None:
                    self._fullscreen_timer.cancel()
                self._fullscreen_timer = self.loop.call_later(self.config.notice_seconds,
                                                              self._hide_bar_for_fullscreen)
            return
        self._fullscreen_shown_for = None
        if self._fullscreen_timer is not None:
            self._fullscreen_timer.cancel()
            self._fullscreen_timer = None
        if self.bar.hidden:
            self.bar.set_hidden(False)
            self.restack_trusted()

    def _hide_bar_for_fullscreen(self) -> None:
        self._fullscreen_timer = None
        client = self.focused
        if client is not None and client.covers_screen and not client.iconic:
            logger.debug("bar hidden under the fullscreen window 0x%x of %s", client.id, client.identity.domain)
            self.bar.set_hidden(True)
            client.raise_window()
