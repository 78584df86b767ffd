"""A managed client window and its frame: state and the requests that move them together."""

from __future__ import annotations

import dataclasses
import logging

from Xlib import X

from . import icccm
from .decor import Decorations
from .geometry import Rect, SizeHints
from .trust import Identity

logger = logging.getLogger(__name__)


@dataclasses.dataclass(eq=False)
class Client:
    """One top-level window the window manager manages, reparented into ``frame``.

    ``frame_rect`` is the frame's rectangle on the root window; the client
    fills the frame's inside (``decorations.client_in_frame``).
    """

    window: object  # Xlib Window of the client
    frame: object  # Xlib Window the window manager created around it
    identity: Identity
    title: str
    hints: SizeHints
    decorations: Decorations
    frame_rect: Rect
    accepts_input: bool = True
    takes_focus: bool = False  # WM_TAKE_FOCUS in WM_PROTOCOLS
    deletable: bool = False  # WM_DELETE_WINDOW in WM_PROTOCOLS
    transient_for: int | None = None  # client window id of a managed window of the same owner
    iconic: bool = False
    maximized: bool = False
    fullscreen: bool = False  # requested by the client, whatever the policy made of it
    covers_screen: bool = False  # an allowed fullscreen: no frame, over the bar while focused
    demands_attention: bool = False  # _NET_WM_STATE_DEMANDS_ATTENTION
    urgent: bool = False  # the urgency flag of WM_HINTS
    normal_rect: Rect | None = None  # the frame when neither maximized nor fullscreen
    ignore_unmaps: int = 0  # UnmapNotify events the window manager caused itself
    original_border_width: int = 0

    @property
    def id(self) -> int:
        return self.window.id

    @property
    def wants_attention(self) -> bool:
        return self.demands_attention or self.urgent

    @property
    def client_rect(self) -> Rect:
        """The client's rectangle on the root window."""
        inner = self.decorations.client_in_frame(self.frame_rect)
        return Rect(self.frame_rect.x + inner.x, self.frame_rect.y + inner.y, inner.width, inner.height)

    @property
    def frame_title(self) -> str:
        """The whole title-bar text: the trusted prefix, a space, the sanitized title."""
        return f"{self.identity.prefix} {self.title}" if self.title else self.identity.prefix

    def apply_geometry(self, frame_rect: Rect) -> None:
        """Move and resize the frame and the client to ``frame_rect`` and tell the client."""
        self.frame_rect = frame_rect
        inner = self.decorations.client_in_frame(frame_rect)
        self.frame.configure(x=frame_rect.x, y=frame_rect.y, width=frame_rect.width, height=frame_rect.height)
        self.window.configure(x=inner.x, y=inner.y, width=inner.width, height=inner.height, border_width=0)
        self.send_configure_notify()

    def send_configure_notify(self) -> None:
        client = self.client_rect
        icccm.send_synthetic_configure(self.window, client.x, client.y, client.width, client.height)

    def raise_window(self) -> None:
        self.frame.configure(stack_mode=X.Above)
