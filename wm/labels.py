"""The label colours that mark each domain's windows, and the GUI domain's colour.

The set is fixed: a domain picks one of these names in its configuration, and
the frame, the bar and the X-ray overlay draw that colour. The GUI domain is
the trusted desktop itself and every X client that is not a registered daemon.
It is drawn in a neutral light gray that is deliberately not one of the
labels, so no domain can be configured to look like the GUI domain.
"""

from __future__ import annotations

import dataclasses

WHITE = 0xFFFFFF
BLACK = 0x000000


@dataclasses.dataclass(frozen=True)
class Label:
    """A label colour: its configuration name, its 0xRRGGBB colour and the text colour on it."""

    name: str
    rgb: int
    text_rgb: int


# Text colours follow the Qubes convention: white on the dark and saturated
# labels, black on the light ones. Each pair has a contrast ratio of at least
# 3.5:1 by the WCAG 2 formula, which tests/test_wm_labels.py checks.
LABELS: dict[str, Label] = {
    label.name: label
    for label in (
        Label("red", 0xE53935, WHITE),
        Label("orange", 0xFB8C00, BLACK),
        Label("yellow", 0xFDD835, BLACK),
        Label("green", 0x43A047, BLACK),
        Label("gray", 0x757575, WHITE),
        Label("blue", 0x1E88E5, WHITE),
        Label("purple", 0x8E24AA, WHITE),
        Label("black", 0x212121, WHITE),
    )
}

# The GUI domain's frame colour and name. "gui" is reserved: no domain may use it.
GUI_DOMAIN = "gui"
GUI_LABEL = Label(GUI_DOMAIN, 0xBDBDBD, BLACK)


def label_for_rgb(rgb: int) -> Label | None:
    """Return the label whose colour is ``rgb``, or None when no label has it."""
    for label in LABELS.values():
        if label.rgb == rgb:
            return label
    return None


def rgb_to_components(rgb: int) -> tuple[int, int, int]:
    """Split 0xRRGGBB into (red, green, blue), each 0..255."""
    return (rgb >> 16) & 0xFF, (rgb >> 8) & 0xFF, rgb & 0xFF
