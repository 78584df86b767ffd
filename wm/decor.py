"""Where the parts of a frame are: border, title bar, prefix, title and controls.

Pure layout, in pixels relative to the frame's top-left corner. The title bar
is the top edge of the frame. The client window sits below it, inside the
border, so no client pixel can ever cover a part of the frame.
"""

from __future__ import annotations

import dataclasses
import enum

from .geometry import Rect

# Corner zones, in pixels along each edge, where a border drag resizes two edges.
CORNER_SIZE = 16
# Space between the frame edge, the prefix, the title and the controls.
TEXT_PADDING = 4
CONTROL_GAP = 2


class Control(enum.Enum):
    """The buttons of the title bar, from right to left."""

    CLOSE = "close"
    MAXIMIZE = "maximize"
    MINIMIZE = "minimize"


@dataclasses.dataclass(frozen=True)
class Hit:
    """The meaning of a pointer position on the frame: a control, the title, or resize edges."""

    control: Control | None = None
    title: bool = False
    left: bool = False
    right: bool = False
    top: bool = False
    bottom: bool = False

    @property
    def is_edge(self) -> bool:
        return self.left or self.right or self.top or self.bottom


@dataclasses.dataclass(frozen=True)
class Decorations:
    """Frame sizes in pixels: ``border`` on the left, right and bottom, ``title`` on top."""

    border: int
    title: int

    @classmethod
    def none(cls) -> Decorations:
        """No frame at all: for an allowed fullscreen window."""
        return cls(0, 0)

    @property
    def control_size(self) -> int:
        return max(0, self.title - 6)

    def frame_for_client(self, client_x: int, client_y: int, width: int, height: int) -> Rect:
        """Return the frame rectangle (root coordinates) around a client placed at client_x, client_y."""
        return Rect(client_x - self.border, client_y - self.title,
                    width + 2 * self.border, height + self.title + self.border)

    def client_in_frame(self, frame: Rect) -> Rect:
        """Return the client rectangle relative to the frame."""
        return Rect(self.border, self.title,
                    max(1, frame.width - 2 * self.border), max(1, frame.height - self.title - self.border))

    def frame_size_for(self, client_width: int, client_height: int) -> tuple[int, int]:
        return client_width + 2 * self.border, client_height + self.title + self.border

    def control_rect(self, control: Control, frame_width: int) -> Rect:
        index = list(Control).index(control)
        size = self.control_size
        x = frame_width - self.border - (index + 1) * (size + CONTROL_GAP)
        return Rect(x, (self.title - size) // 2, size, size)

    def controls_left(self, frame_width: int) -> int:
        """Return the x of the leftmost control: text must end before it."""
        return self.control_rect(Control.MINIMIZE, frame_width).x - CONTROL_GAP

    def text_x(self) -> int:
        return self.border + TEXT_PADDING

    def minimum_frame_width(self, prefix_width: int) -> int:
        """Return the narrowest frame that shows the whole prefix and every control."""
        controls = len(Control) * (self.control_size + CONTROL_GAP) + CONTROL_GAP
        return self.text_x() + prefix_width + TEXT_PADDING + controls + self.border

    def hit_test(self, x: int, y: int, frame_width: int, frame_height: int) -> Hit:
        """Return what the frame point (x, y) is: a control, the title bar or resize edges."""
        if self.title == 0:
            return Hit()
        for control in Control:
            if self.control_rect(control, frame_width).contains_point(x, y):
                return Hit(control=control)
        left = x < self.border
        right = x >= frame_width - self.border
        top = y < self.border
        bottom = y >= frame_height - self.border
        # Near a corner, a drag on one edge resizes the other edge too.
        if left or right:
            top = top or y < CORNER_SIZE
            bottom = bottom or y >= frame_height - CORNER_SIZE
        if top or bottom:
            left = left or x < CORNER_SIZE
            right = right or x >= frame_width - CORNER_SIZE
        if left or right or top or bottom:
            return Hit(left=left, right=right, top=top, bottom=bottom)
        if y < self.title:
            return Hit(title=True)
        return Hit()
