"""What one domain may do, and the desktop settings the daemon needs.

The policy comes from trusted configuration (the ``odyssey`` command passes it on
the daemon's command line); nothing in it is ever taken from the domain.
"""

from __future__ import annotations

import dataclasses

from domains.names import check_domain_name

from .clipboard import DEFAULT_MAX_BYTES
from .hotkeys import Hotkey

# A domain pays for its own buffers: the daemon maps them and the GUI X server
# reads them, so their total is capped per domain. 1 GiB is about 128 windows of
# 1920x1080, far more than a desktop session shows at once.
DEFAULT_MAX_BUFFER_BYTES = 1024 * 1024 * 1024

# Windows a domain may have at once, mapped or not. Real applications stay far
# below; the cap stops a domain from exhausting the GUI server's resources.
DEFAULT_MAX_WINDOWS = 512

DEFAULT_COPY_HOTKEY = "Ctrl+Shift+C"
DEFAULT_PASTE_HOTKEY = "Ctrl+Shift+V"


@dataclasses.dataclass(frozen=True)
class DomainPolicy:
    """The trusted description of one domain, as its daemon enforces it."""

    name: str
    label_name: str
    label_rgb: int  # 0xRRGGBB
    allow_fullscreen: bool = False
    clipboard_copy_to: tuple[str, ...] = ("*",)
    clipboard_paste_from: tuple[str, ...] = ("*",)
    clipboard_max_bytes: int = DEFAULT_MAX_BYTES
    max_windows: int = DEFAULT_MAX_WINDOWS
    max_buffer_bytes: int = DEFAULT_MAX_BUFFER_BYTES

    def __post_init__(self):
        check_domain_name(self.name)
        if not 0 <= self.label_rgb <= 0xFFFFFF:
            raise ValueError(f"label colour {self.label_rgb:#x} is not a 24-bit RGB value")
        for pattern in self.clipboard_copy_to + self.clipboard_paste_from:
            if pattern != "*":
                check_domain_name(pattern)


@dataclasses.dataclass(frozen=True)
class Hotkeys:
    """The daemon's secure hotkeys; they are never forwarded to a domain."""

    copy: Hotkey = Hotkey.parse(DEFAULT_COPY_HOTKEY)
    paste: Hotkey = Hotkey.parse(DEFAULT_PASTE_HOTKEY)

    def by_action(self) -> dict[str, Hotkey]:
        return {"copy": self.copy, "paste": self.paste}
