"""Starting and stopping odyssey-wm: taking over a display, refusing a second one, clean shutdown."""

from __future__ import annotations

import subprocess

from wm import properties
from .wm_support import BIN, Desktop, bare_desktop, desktop, wait_for  # noqa: F401  (fixtures)


def run_wm(desktop: Desktop, *arguments: str) -> subprocess.CompletedProcess:
    return subprocess.run([str(BIN / "odyssey-wm"), *arguments], env=desktop.env, capture_output=True, text=True,
                          timeout=30)


def test_second_window_manager_refuses_to_start(desktop: Desktop):
    result = run_wm(desktop, "--display", desktop.server.display)
    assert result.returncode == 3
    assert f"cannot manage display {desktop.server.display}: another window manager is already running" \
        in result.stderr
    # The first one still works.
    owner = desktop.owner("work", "blue")
    window = owner.create(x=100, y=100, title="still managed")
    assert desktop.frame_title(desktop.frame_of(window)) == "[gui] still managed"


def test_missing_display_fails_clearly(bare_desktop: Desktop):
    result = run_wm(bare_desktop, "--display", ":4999")
    assert result.returncode == 1
    assert "cannot open display :4999" in result.stderr


def test_existing_windows_are_managed_at_start(bare_desktop: Desktop):
    desktop = bare_desktop
    desktop.spawn("xterm", "-geometry", "40x10+300+200", "-T", "before")
    xterm = wait_for(lambda: next((w for w in desktop.top_level_order() if desktop.is_viewable(w)), None),
                     "the xterm is shown")
    before = desktop.rect_of(xterm)
    desktop.start_wm()
    frame = desktop.frame_of(xterm)
    assert desktop.frame_title(frame) == "[gui] before"
    # The client stays where it was, and the frame is built around it.
    assert desktop.rect_of(xterm).x == before.x
    assert desktop.rect_of(xterm).y == before.y


def test_sigterm_gives_windows_back_to_root(desktop: Desktop):
    owner = desktop.owner("work", "blue")
    normal = owner.create(x=200, y=150, width=300, height=200, domain="work", title="normal")
    hidden = owner.create(x=600, y=150, width=300, height=200, domain="work", title="hidden")
    desktop.frame_of(normal)
    frame_of_hidden = desktop.rect_of(desktop.frame_of(hidden))
    desktop.click(frame_of_hidden.right - 4 - 48 + 7, frame_of_hidden.y + 10)  # minimize
    wait_for(lambda: desktop.wm_state(hidden) == 3, "the second window is minimized")
    position = desktop.rect_of(normal)

    assert desktop.stop_wm() == 0
    assert desktop.parent(normal) == desktop.root.id
    assert desktop.parent(hidden) == desktop.root.id
    assert desktop.is_viewable(normal)
    assert desktop.is_viewable(hidden)
    assert desktop.rect_of(normal) == position
    assert desktop.cardinals(desktop.root.id, properties.NET_SUPPORTING_WM_CHECK) is None
    assert "stopped (signal 15)" in desktop.log_text()

    # A new window manager frames them again, without moving them.
    desktop.wm_may_exit = False
    desktop.start_wm()
    assert desktop.frame_title(desktop.frame_of(normal)) == "[work] normal"
    assert desktop.rect_of(normal) == position


def test_invalid_config_exits_with_status_2(bare_desktop: Desktop):
    path = bare_desktop.write_config("[wm]\nbar_height = 9000\n")
    result = run_wm(bare_desktop, "--display", bare_desktop.server.display, "--config", str(path))
    assert result.returncode == 2
    assert f"{path}: [wm] bar_height = 9000: must be an integer from 16 to 64" in result.stderr


def test_missing_font_exits_with_status_2(bare_desktop: Desktop):
    path = bare_desktop.write_config('[wm]\nfont = "-no-such-font-*"\n')
    result = run_wm(bare_desktop, "--display", bare_desktop.server.display, "--config", str(path))
    assert result.returncode == 2
    assert f"{path}: [wm] font = '-no-such-font-*': no such font on the display" in result.stderr
    # It did not take the display over on its way out.
    bare_desktop.write_config("")
    bare_desktop.start_wm()


def test_proportional_font_is_rejected(bare_desktop: Desktop):
    path = bare_desktop.write_config('[wm]\nfont = "-mutt-clearlyu-medium-r-normal--17-120-100-100-p-123-iso10646-1"\n')
    result = run_wm(bare_desktop, "--display", bare_desktop.server.display, "--config", str(path))
    assert result.returncode == 2
    assert "[wm] font = '-mutt-clearlyu-medium-r-normal--17-120-100-100-p-123-iso10646-1': not a charcell font" \
        in result.stderr
