"""Window operations: geometry, states, closing and stacking of managed windows.

They run for user actions, and for client requests within the rules. Every
geometry change ends in ``Client.apply_geometry`` with a frame that lies inside
the work area, or is the whole screen for a domain allowed to go fullscreen.
So a frame edge or title bar never leaves the screen.
"""

from __future__ import annotations

import logging

from Xlib import X, Xutil

from . import icccm, properties
from .bar import BarEntry
from .client import Client
from .decor import Decorations
from .drag import fit_client_size
from .geometry import Rect, apply_size_hints, clamp_into_area

logger = logging.getLogger(__name__)


class Operations:
    """Mixin of WindowManager: geometry, window states, closing and stacking."""

    # Geometry -----------------------------------------------------------------

    def fullscreen_allowed(self, client: Client) -> bool:
        return client.identity.domain in self.config.fullscreen_domains

    def fit_normal(self, client: Client, frame: Rect) -> Rect:
        """Return ``frame`` with the client size the hints allow, inside the work area."""
        decorations = self.decorations
        inner = decorations.client_in_frame(frame)
        width, height = fit_client_size(inner.width, inner.height, client.hints,
                                        self.min_client_width(client.identity, decorations))
        frame_width, frame_height = decorations.frame_size_for(width, height)
        return clamp_into_area(Rect(frame.x, frame.y, frame_width, frame_height), self.workarea)

    def maximized_frame(self, client: Client, honour_hints: bool) -> Rect:
        decorations = self.decorations
        room_width = self.workarea.width - 2 * decorations.border
        room_height = self.workarea.height - decorations.title - decorations.border
        width, height = room_width, room_height
        if honour_hints:
            width, height = apply_size_hints(room_width, room_height, client.hints)
            width, height = min(width, room_width), min(height, room_height)
        frame_width, frame_height = decorations.frame_size_for(width, height)
        return clamp_into_area(Rect(self.workarea.x, self.workarea.y, frame_width, frame_height), self.workarea)

    def apply_state_geometry(self, client: Client) -> None:
        """Place the client as its state requires: allowed fullscreen, maximized or normal."""
        if client.fullscreen and self.fullscreen_allowed(client):
            client.covers_screen = True
            decorations = Decorations.none()
            frame = self.screen_rect
        else:
            # A fullscreen request without permission becomes a maximize inside the
            # work area, and _NET_WM_STATE still reports FULLSCREEN to the client.
            client.covers_screen = False
            decorations = self.decorations
            if client.fullscreen or client.maximized:
                frame = self.maximized_frame(client, honour_hints=not client.fullscreen)
            else:
                frame = self.fit_normal(client, client.normal_rect or client.frame_rect)
                client.normal_rect = frame
        decorations_changed = decorations != client.decorations
        client.decorations = decorations
        client.apply_geometry(frame)
        if decorations_changed:
            self.ewmh.set_frame_extents(client)
        self.ewmh.set_client_state(client)
        self.repaint(client)
        self.update_bar_visibility()

    def set_normal_frame(self, client: Client, frame: Rect) -> None:
        """Move or resize a window in the normal state; maximized and fullscreen windows stay put."""
        if client.maximized or client.fullscreen:
            client.send_configure_notify()
            return
        frame = self.fit_normal(client, frame)
        client.normal_rect = frame
        resized = (frame.width, frame.height) != (client.frame_rect.width, client.frame_rect.height)
        client.apply_geometry(frame)
        if resized:
            self.repaint(client)

    def move_by(self, client: Client, dx: int, dy: int) -> None:
        rect = client.frame_rect
        self.set_normal_frame(client, Rect(rect.x + dx, rect.y + dy, rect.width, rect.height))

    def resize_by(self, client: Client, dwidth: int, dheight: int) -> None:
        # A step is at least one size increment, so every key press changes the size.
        if dwidth:
            dwidth = max(abs(dwidth), client.hints.width_inc) * (1 if dwidth > 0 else -1)
        if dheight:
            dheight = max(abs(dheight), client.hints.height_inc) * (1 if dheight > 0 else -1)
        rect = client.frame_rect
        self.set_normal_frame(client, Rect(rect.x, rect.y, max(1, rect.width + dwidth),
                                           max(1, rect.height + dheight)))

    # States -------------------------------------------------------------------

    def toggle_maximize(self, client: Client) -> None:
        client.maximized = not client.maximized
        logger.debug("window 0x%x maximized: %s", client.id, client.maximized)
        self.apply_state_geometry(client)

    def set_fullscreen(self, client: Client, fullscreen: bool) -> None:
        if fullscreen == client.fullscreen:
            return
        client.fullscreen = fullscreen
        logger.info("window 0x%x of %s fullscreen: %s (%s)", client.id, client.identity.domain, fullscreen,
                    "allowed" if self.fullscreen_allowed(client) else "inside the work area")
        self.apply_state_geometry(client)
        if client.covers_screen:
            client.raise_window()
        self.restack_trusted()

    def set_demands_attention(self, client: Client, demands: bool) -> None:
        if demands == client.demands_attention:
            return
        client.demands_attention = demands
        self.ewmh.set_client_state(client)
        self.repaint(client)
        self.refresh_bar_entries()

    def iconify(self, client: Client) -> None:
        """Minimize: unmap the frame and the client, WM_STATE Iconic, _NET_WM_STATE_HIDDEN."""
        if client.iconic:
            return
        client.iconic = True
        client.ignore_unmaps += 1
        client.window.unmap()
        client.frame.unmap()
        icccm.set_wm_state(client.window, Xutil.IconicState)
        self.ewmh.set_client_state(client)
        if self.focused is client:
            self.focused = None
            self.grab_buttons(client, focused=False)
            self.focus_nothing()
        self.refresh_bar_entries()
        self.update_bar_visibility()

    def deiconify(self, client: Client) -> None:
        """Restore a minimized window (without giving it the focus)."""
        if not client.iconic:
            return
        client.iconic = False
        client.window.map()
        client.frame.map()
        icccm.set_wm_state(client.window, Xutil.NormalState)
        self.ewmh.set_client_state(client)
        self.refresh_bar_entries()

    def close(self, client: Client, time: int) -> None:
        """Ask the client to close (WM_DELETE_WINDOW), or disconnect its X client if it cannot."""
        if client.deletable:
            logger.info("asking window 0x%x of %s to close", client.id, client.identity.domain)
            icccm.send_protocol_message(client.window, self.display.get_atom(properties.WM_DELETE_WINDOW), time)
        else:
            logger.info("killing the X client of window 0x%x of %s: it has no WM_DELETE_WINDOW",
                        client.id, client.identity.domain)
            client.window.kill_client()

    # Stacking -----------------------------------------------------------------

    def _with_transients(self, client: Client) -> list[Client]:
        group = [client]
        for member in group:
            group.extend(other for other in self.stacking
                         if other.transient_for == member.id and other not in group)
        return group

    def raise_client(self, client: Client) -> None:
        """Put the client (and its transient windows) on top of the other clients."""
        for member in self._with_transients(client):
            if member in self.stacking:
                self.stacking.remove(member)
            self.stacking.append(member)
            member.raise_window()
        self.restack_trusted()

    def stack_new(self, client: Client) -> None:
        """Stack a window that appeared without a user action.

        A window of another owner than the focused window goes right below the
        focused window. So the window that receives the keys is never covered
        by a window the user did not ask for. Windows of the focused window's
        own owner go on top.
        """
        focused = self.focused
        if focused is not None and focused is not client and focused.identity != client.identity \
                and focused in self.stacking:
            client.frame.configure(sibling=focused.frame, stack_mode=X.Below)
            if client in self.stacking:
                self.stacking.remove(client)
            self.stacking.insert(self.stacking.index(focused), client)
            self.restack_trusted()
        else:
            self.raise_client(client)

    def restack_trusted(self) -> None:
        """Put the bar, the switcher and the X-ray overlay back above every other window."""
        windows = []
        if not self.bar.hidden:
            windows.append(self.bar.window)
        if self.switcher.window is not None:
            windows.append(self.switcher.window)
        if self.xray.window is not None:
            windows.append(self.xray.window)
        for window in windows:
            window.configure(stack_mode=X.Above)

    # Presentation -------------------------------------------------------------

    def repaint(self, client: Client) -> None:
        if not client.iconic:
            self.painter.paint(client, focused=client is self.focused)

    def update_client_list(self) -> None:
        self.ewmh.set_client_list(list(self.clients))

    def refresh_bar_entries(self) -> None:
        self.bar.set_entries([
            BarEntry(client.id, client.identity, client.title, client.wants_attention)
            for client in self.clients.values()
            if client.iconic or client.wants_attention
        ])
