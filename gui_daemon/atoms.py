"""Atoms the daemon uses on the GUI display, interned once at start-up."""

from __future__ import annotations

# Trusted properties the window manager reads on the daemon's windows, and the
# root-window property that carries trusted notices to its bar.
DOMAIN_PROPERTY = "_ODYSSEY_DOMAIN"
LABEL_PROPERTY = "_ODYSSEY_LABEL"
REMOTE_WINDOW_PROPERTY = "_ODYSSEY_REMOTE_WINDOW"
NOTICES_PROPERTY = "_ODYSSEY_NOTICES"

_NAMES = {
    "DOMAIN": DOMAIN_PROPERTY,
    "LABEL": LABEL_PROPERTY,
    "REMOTE_WINDOW": REMOTE_WINDOW_PROPERTY,
    "NOTICES": NOTICES_PROPERTY,
    "UTF8_STRING": "UTF8_STRING",
    "WM_PROTOCOLS": "WM_PROTOCOLS",
    "WM_DELETE_WINDOW": "WM_DELETE_WINDOW",
    "WM_CHANGE_STATE": "WM_CHANGE_STATE",
    "WM_STATE": "WM_STATE",
    "NET_WM_NAME": "_NET_WM_NAME",
    "NET_WM_STATE": "_NET_WM_STATE",
    "NET_WM_STATE_FULLSCREEN": "_NET_WM_STATE_FULLSCREEN",
    "NET_WM_STATE_MAXIMIZED_VERT": "_NET_WM_STATE_MAXIMIZED_VERT",
    "NET_WM_STATE_MAXIMIZED_HORZ": "_NET_WM_STATE_MAXIMIZED_HORZ",
    "NET_WM_STATE_DEMANDS_ATTENTION": "_NET_WM_STATE_DEMANDS_ATTENTION",
    "NET_WM_STATE_HIDDEN": "_NET_WM_STATE_HIDDEN",
    "NET_WORKAREA": "_NET_WORKAREA",
    "NET_ACTIVE_WINDOW": "_NET_ACTIVE_WINDOW",
    "XKB_RULES_NAMES": "_XKB_RULES_NAMES",
}


class Atoms:
    """Attribute access to interned atoms: ``atoms.NET_WM_STATE``."""

    def __init__(self, display):
        for attribute, name in _NAMES.items():
            setattr(self, attribute, display.intern_atom(name))
