"""Where a desktop runs: an existing display (a display manager's session) or nested in one."""

from __future__ import annotations

import re
import signal
import subprocess
import sys

import pytest
from Xlib import X
from Xlib import display as xdisplay

from .desktop_support import REPOSITORY, DesktopProcess
from .support import wait_until


def run_desktop(desktop: DesktopProcess, *arguments: str, display: str | None = None) -> subprocess.Popen:
    environment = dict(desktop.environment)
    if display:
        environment["DISPLAY"] = display
    output = desktop.output_path.open("w")
    return subprocess.Popen([sys.executable, "-m", "domains.cli", "--log-level", "INFO", "desktop", *arguments],
                            cwd=REPOSITORY, env=environment, stdout=output, stderr=subprocess.STDOUT)


def window_manager_runs(display_name: str) -> bool:
    connection = xdisplay.Display(display_name)
    try:
        check = connection.intern_atom("_NET_SUPPORTING_WM_CHECK")
        return connection.screen().root.get_full_property(check, X.AnyPropertyType) is not None
    finally:
        connection.close()


def stop(process: subprocess.Popen) -> int:
    process.send_signal(signal.SIGTERM)
    return process.wait(30)


def test_desktop_takes_over_the_session_display(xvfb, tmp_path):
    desktop = DesktopProcess(tmp_path)
    process = run_desktop(desktop, display=xvfb.display)
    wait_until(lambda: f"on display {xvfb.display}" in desktop.output() or process.poll() is not None, timeout=30)
    assert window_manager_runs(xvfb.display)
    assert stop(process) == 0
    assert xvfb.is_running(), "the desktop must not stop a display it did not start"


def test_nested_desktop_runs_inside_the_current_display(xvfb, tmp_path):
    desktop = DesktopProcess(tmp_path)
    process = run_desktop(desktop, "--nested", "--size", "800x600", display=xvfb.display)
    match = wait_until(lambda: re.search(r"on display (:\d+) \(800x600\)", desktop.output())
                       or process.poll() is not None, timeout=30)
    assert process.poll() is None, desktop.output()
    nested = match.group(1)
    assert nested != xvfb.display
    assert window_manager_runs(nested)
    assert stop(process) == 0


def test_desktop_refuses_a_display_with_another_window_manager(xvfb, tmp_path):
    (tmp_path / "first").mkdir()
    first = DesktopProcess(tmp_path / "first")
    process = run_desktop(first, display=xvfb.display)
    wait_until(lambda: window_manager_runs(xvfb.display))
    (tmp_path / "second").mkdir()
    second = DesktopProcess(tmp_path / "second")
    intruder = run_desktop(second, display=xvfb.display)
    assert intruder.wait(60) != 0
    assert "window manager" in second.output()
    assert stop(process) == 0


@pytest.mark.parametrize("arguments", [["--size", "10x10"], ["--size", "wide"]])
def test_desktop_rejects_invalid_sizes(tmp_path, arguments):
    desktop = DesktopProcess(tmp_path)
    completed = subprocess.run([sys.executable, "-m", "domains.cli", "desktop", "--headless", *arguments],
                               cwd=REPOSITORY, env=desktop.environment, capture_output=True, text=True, timeout=30)
    assert completed.returncode == 2
    assert "size" in completed.stderr
