"""The trusted window manager of the GUI display (``odyssey-wm``).

This package owns what the user's eyes trust on the desktop: the frame around
every top-level window, the ``[domain] title`` drawn in it, the trusted bar at
the top of the screen, the Alt+Tab switcher and the X-ray overlay. It decides
who owns a window only from trusted sources: the registry of GUI daemons
(``wm.trust``) and the properties of windows that a registered daemon's own X
connection created. Every other window is a GUI-domain window with a neutral
frame and the ``[gui]`` prefix.

The daemon imports ``wm.labels``, ``wm.properties`` and ``wm.trust``; those
three modules must stay importable without a display.

This package must never take a domain's colour or name from anything a domain
controls. It must never draw untrusted text as markup or let it overlap the
prefix. It must never move the keyboard focus without a user action (a click or
a hotkey).
"""
