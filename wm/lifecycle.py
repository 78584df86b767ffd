"""Taking a window into a frame and letting it go again.

A managed window is reparented into a frame that the window manager creates.
It is also put in the save-set, so if the window manager dies, the X server
reparents it back to the root window and maps it.
"""

from __future__ import annotations

import logging

from Xlib import X, Xutil
from Xlib import error as xerror

from . import icccm, properties
from .client import Client
from .decor import Decorations
from .drag import fit_client_size
from .geometry import Rect, centered_in, clamp_into_area
from .text import sanitize_untrusted_title
from .trust import Identity, identify_window
from .xconn import log_request_error

logger = logging.getLogger(__name__)

# ButtonMotion: the motion of a drag that starts on the frame arrives even before
# the window manager's own pointer grab is in place.
FRAME_EVENTS = (X.SubstructureRedirectMask | X.SubstructureNotifyMask | X.ButtonPressMask
                | X.ButtonReleaseMask | X.ButtonMotionMask | X.ExposureMask | X.FocusChangeMask)
CLIENT_EVENTS = X.PropertyChangeMask


class Lifecycle:
    """Mixin of WindowManager: manage, re-read and unmanage client windows."""

    def min_client_width(self, identity: Identity, decorations: Decorations) -> int:
        """Return the narrowest client that leaves room for the whole prefix and the controls."""
        if decorations.title == 0:
            return 1
        frame_width = decorations.minimum_frame_width(self.painter.prefix_width(identity.prefix))
        return max(1, frame_width - 2 * decorations.border)

    def manage(self, window, existing: bool = False) -> Client | None:
        """Frame ``window`` and show it (or keep it minimized); returns None if it is not managed."""
        if window.id in self.clients or window.id in self.own_windows:
            return None
        try:
            attributes = window.get_attributes()
            geometry = window.get_geometry()
        except xerror.XError as exc:
            log_request_error(exc, "reading a new window", window.id)
            return None
        if attributes.override_redirect or attributes.win_class == X.InputOnly:
            return None
        already_iconic = False
        if existing:
            state = window.get_wm_state() if attributes.map_state != X.IsViewable else None
            already_iconic = state is not None and state.state == Xutil.IconicState
            if attributes.map_state != X.IsViewable and not already_iconic:
                return None

        identity = identify_window(self.display, window.id, self.registry)
        hints = icccm.read_size_hints(window)
        wm_hints = icccm.read_wm_hints(window)
        protocols = set(icccm.read_atom_list(window, self.display.get_atom(properties.WM_PROTOCOLS)))
        net_state = set(icccm.read_atom_list(window, self.ewmh.net_wm_state))
        title = sanitize_untrusted_title(*icccm.read_title(self.display, window))
        parent = self._transient_parent(window, identity)
        frame = self._initial_frame(geometry, hints, identity, parent, existing)
        decorations = self.decorations

        frame_window = self.root.create_window(
            frame.x, frame.y, frame.width, frame.height, 0, X.CopyFromParent, X.InputOutput, X.CopyFromParent,
            background_pixel=self.palette.pixel(identity.label.rgb), event_mask=FRAME_EVENTS,
        )
        client = Client(
            window=window, frame=frame_window, identity=identity, title=title, hints=hints,
            decorations=decorations, frame_rect=frame, accepts_input=wm_hints.accepts_input,
            takes_focus=self.display.get_atom(properties.WM_TAKE_FOCUS) in protocols,
            deletable=self.display.get_atom(properties.WM_DELETE_WINDOW) in protocols,
            transient_for=parent.id if parent is not None else None,
            urgent=wm_hints.urgent, original_border_width=geometry.border_width, normal_rect=frame,
        )
        self.clients[window.id] = client
        self.frames[frame_window.id] = client

        window.change_save_set(X.SetModeInsert)
        window.change_attributes(event_mask=CLIENT_EVENTS)
        if attributes.map_state == X.IsViewable:
            # Reparenting a mapped window unmaps it first: that UnmapNotify is ours.
            client.ignore_unmaps += 1
        inner = decorations.client_in_frame(frame)
        window.configure(border_width=0)
        # The frame's properties first, so a client that sees the reparenting can read them.
        self.publish_frame(client)
        window.reparent(frame_window, inner.x, inner.y)
        self.grab_buttons(client, focused=False)

        client.fullscreen = self.ewmh.fullscreen in net_state
        client.maximized = self.ewmh.maximized_vert in net_state and self.ewmh.maximized_horz in net_state
        client.demands_attention = self.ewmh.demands_attention in net_state
        self.apply_state_geometry(client)

        logger.info("managing window 0x%x of %s (frame 0x%x, %dx%d, title %d characters)", window.id,
                    identity.domain, frame_window.id, client.client_rect.width, client.client_rect.height,
                    len(title))
        if already_iconic or (wm_hints.starts_iconic and not existing):
            client.iconic = True
            icccm.set_wm_state(window, Xutil.IconicState)
            self.ewmh.set_client_state(client)
        else:
            window.map()
            frame_window.map()
            icccm.set_wm_state(window, Xutil.NormalState)
            self.ewmh.set_client_state(client)
        self.stack_new(client)
        self.update_client_list()
        return client

    def _initial_frame(self, geometry, hints, identity: Identity, parent: Client | None, existing: bool) -> Rect:
        """Return where a new window's frame goes, inside the work area."""
        decorations = self.decorations
        width, height = fit_client_size(geometry.width, geometry.height, hints,
                                        self.min_client_width(identity, decorations))
        frame_width, frame_height = decorations.frame_size_for(width, height)
        # A program position of (0, 0) is what toolkits set when the program chose
        # nothing (Xt sets PPosition by default), so such a window is placed like one
        # without a position; a user position is always honoured.
        positioned = existing or hints.user_position or (geometry.x, geometry.y) != (0, 0)
        if positioned and (existing or hints.static_gravity):
            # The client stays where it is and the frame is built around it, so
            # restarting the window manager does not move windows.
            frame = decorations.frame_for_client(geometry.x, geometry.y, width, height)
        elif positioned:
            # NorthWest gravity: the frame's corner goes where the client asked.
            frame = Rect(geometry.x, geometry.y, frame_width, frame_height)
        elif parent is not None:
            frame = centered_in((frame_width, frame_height), parent.frame_rect)
        else:
            frame = centered_in((frame_width, frame_height), self.workarea)
        return clamp_into_area(frame, self.workarea)

    def _transient_parent(self, window, identity: Identity) -> Client | None:
        """Return the managed parent named by WM_TRANSIENT_FOR if it has the same owner."""
        parent_id = icccm.read_transient_for(window)
        parent = self.clients.get(parent_id) if parent_id is not None else None
        if parent is None:
            return None
        if parent.identity != identity:
            logger.info("window 0x%x of %s names window 0x%x of %s as its parent: ignored", window.id,
                        identity.domain, parent.id, parent.identity.domain)
            return None
        return parent

    def publish_frame(self, client: Client) -> None:
        """Write the frame's title and owner into properties of the frame, for tests and tools."""
        utf8 = self.ewmh.utf8
        client.frame.change_property(self.display.get_atom(properties.ODYSSEY_FRAME_TITLE), utf8, 8,
                                     client.frame_title.encode("utf-8"))
        client.frame.change_property(self.display.get_atom(properties.ODYSSEY_FRAME_DOMAIN), utf8, 8,
                                     client.identity.domain.encode("ascii"))
        self.ewmh.set_frame_extents(client)

    def reidentify(self, client: Client) -> None:
        """Re-read who owns the window after its domain or label property changed."""
        identity = identify_window(self.display, client.id, self.registry)
        if identity == client.identity:
            return
        logger.info("window 0x%x is now shown as %s (was %s)", client.id, identity.domain, client.identity.domain)
        client.identity = identity
        client.frame.change_attributes(background_pixel=self.palette.pixel(identity.label.rgb))
        client.frame.clear_area()
        self.publish_frame(client)
        # The prefix may be longer now: keep room for it.
        self.apply_state_geometry(client)
        self.repaint(client)
        self.refresh_bar_entries()
        self.refresh_focus_truth()

    def update_title(self, client: Client) -> None:
        client.title = sanitize_untrusted_title(*icccm.read_title(self.display, client.window))
        self.publish_frame(client)
        self.repaint(client)
        self.refresh_bar_entries()
        if self.switcher.active:
            self.switcher.paint()

    def update_size_hints(self, client: Client) -> None:
        client.hints = icccm.read_size_hints(client.window)

    def update_wm_hints(self, client: Client) -> None:
        wm_hints = icccm.read_wm_hints(client.window)
        client.accepts_input = wm_hints.accepts_input
        if wm_hints.urgent != client.urgent:
            client.urgent = wm_hints.urgent
            self.repaint(client)
            self.refresh_bar_entries()

    def update_protocols(self, client: Client) -> None:
        protocols = set(icccm.read_atom_list(client.window, self.display.get_atom(properties.WM_PROTOCOLS)))
        client.takes_focus = self.display.get_atom(properties.WM_TAKE_FOCUS) in protocols
        client.deletable = self.display.get_atom(properties.WM_DELETE_WINDOW) in protocols

    def unmanage(self, client: Client, destroyed: bool) -> None:
        """Forget ``client``; unless it was destroyed, give it back to the root window."""
        logger.info("releasing window 0x%x of %s (%s)", client.id, client.identity.domain,
                    "destroyed" if destroyed else "withdrawn")
        self.clients.pop(client.id, None)
        self.frames.pop(client.frame.id, None)
        if client in self.stacking:
            self.stacking.remove(client)
        if client in self.focus_history:
            self.focus_history.remove(client)
        for other in self.clients.values():
            if other.transient_for == client.id:
                other.transient_for = None
        if self.drag is not None and self.drag.window_id == client.id:
            self.end_drag(X.CurrentTime)
        if self.switcher.active:
            self.switcher.forget(client)
        if not destroyed:
            self._release(client, map_window=False)
            icccm.set_wm_state(client.window, Xutil.WithdrawnState)
        client.frame.destroy()
        was_focused = self.focused is client
        if was_focused:
            self.focused = None
            self.focus_nothing()
        self.update_client_list()
        self.refresh_bar_entries()
        self.update_bar_visibility()

    def _release(self, client: Client, map_window: bool) -> None:
        """Reparent the client to the root window where it is now, with its original border."""
        window = client.window
        position = client.client_rect
        window.ungrab_button(X.AnyButton, X.AnyModifier)
        window.change_attributes(event_mask=X.NoEventMask)
        window.reparent(self.root, position.x, position.y)
        window.configure(border_width=client.original_border_width)
        window.change_save_set(X.SetModeDelete)
        if map_window:
            window.map()

    def release_all(self) -> None:
        """Give every client back to the root window, mapped, for a clean shutdown."""
        for client in list(self.stacking):
            self._release(client, map_window=True)
            icccm.set_wm_state(client.window, Xutil.NormalState)
            client.frame.destroy()
        self.clients.clear()
        self.frames.clear()
        self.stacking.clear()
        self.focus_history.clear()

    def manage_existing(self) -> None:
        """Manage the windows that were on the display before the window manager started."""
        for window in self.root.query_tree().children:
            if window.id in self.own_windows:
                continue
            try:
                override_redirect = window.get_attributes().override_redirect
            except xerror.XError as exc:
                log_request_error(exc, "reading an existing window", window.id)
                continue
            if override_redirect:
                # Watched for focus like the ones created later (see on_create_notify).
                window.change_attributes(event_mask=X.FocusChangeMask)
            else:
                self.manage(window, existing=True)
