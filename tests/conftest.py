"""Fixtures shared by the whole suite: real Xvfb servers and a clean environment."""

from __future__ import annotations

import os

import pytest

from domains.xserver import XServer, start_xvfb

# Tests must never talk to the developer's own desktop or session services.
os.environ.pop("DISPLAY", None)
os.environ.pop("WAYLAND_DISPLAY", None)
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


@pytest.fixture
def xvfb_factory():
    """Start Xvfb servers on demand; every server started is stopped after the test."""
    servers: list[XServer] = []

    def start(width: int = 1920, height: int = 1080, **kwargs) -> XServer:
        server = start_xvfb(width, height, **kwargs)
        servers.append(server)
        return server

    yield start
    for server in servers:
        server.stop()


@pytest.fixture
def xvfb(xvfb_factory) -> XServer:
    """One 1920x1080 Xvfb server for the test."""
    return xvfb_factory()


@pytest.fixture
def gui(xvfb):
    """The test's own connection to the GUI display, to look at what daemons made."""
    from .daemon_support import GuiDisplay

    display = GuiDisplay(xvfb.display)
    yield display
    display.close()


@pytest.fixture
def untrusted(xvfb, tmp_path):
    """A real daemon of the domain "untrusted" (red) on the GUI display."""
    from .daemon_support import start_daemon

    daemon = start_daemon(xvfb.display, tmp_path, "untrusted", "red")
    yield daemon
    daemon.stop()
