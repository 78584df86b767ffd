"""The trusted bar: reserved space, keyboard owner, notices, clock, always on top, fullscreen policy."""

from __future__ import annotations

import time

from Xlib import X

from wm import properties
from wm.bar import BAR_BACKGROUND
from wm.geometry import Rect
from wm.labels import LABELS
from .wm_support import Desktop, bare_desktop, desktop, wait_for  # noqa: F401  (fixtures)

BAR = 24
SCREEN = Rect(0, 0, 1280, 800)
WORKAREA = Rect(0, BAR, 1280, 800 - BAR)


def append_notices(desktop: Desktop, data: bytes) -> None:
    desktop.root.change_property(desktop.x.get_atom(properties.ODYSSEY_NOTICES),
                                 desktop.x.get_atom(properties.UTF8_STRING), 8, data, mode=X.PropModeAppend)
    desktop.x.sync()


def bar_notice(desktop: Desktop) -> str | None:
    return desktop.utf8_property(desktop.bar_window(), properties.ODYSSEY_BAR_NOTICE)


def test_bar_reserves_top_of_screen(desktop: Desktop):
    bar = desktop.bar_window()
    assert desktop.rect_of(bar) == Rect(0, 0, 1280, BAR)
    assert desktop.cardinals(desktop.root.id, properties.NET_WORKAREA) == [0, BAR, 1280, 800 - BAR]
    assert desktop.cardinals(bar, properties.NET_WM_STRUT_PARTIAL) == [0, 0, BAR, 0, 0, 0, 0, 0, 0, 1279, 0, 0]
    assert desktop.top_level_order()[-1] == bar
    desktop.wait_pixel(1279, 0, BAR_BACKGROUND, "the bar's right end")


def test_bar_height_comes_from_config(bare_desktop: Desktop):
    bare_desktop.write_config("[wm]\nbar_height = 30\n")
    bare_desktop.start_wm()
    assert bare_desktop.rect_of(bare_desktop.bar_window()).height == 30
    assert bare_desktop.cardinals(bare_desktop.root.id, properties.NET_WORKAREA) == [0, 30, 1280, 770]


def test_bar_stays_above_override_redirect_window(desktop: Desktop):
    owner = desktop.owner()
    cover = owner.create(x=0, y=0, width=1280, height=100, background=0xFF00FF, override_redirect=True)
    wait_for(lambda: desktop.is_viewable(cover), "the covering window is shown")
    bar = desktop.bar_window()
    wait_for(lambda: desktop.top_level_order()[-1] == bar, "the bar is back on top")
    desktop.wait_pixel(1279, 0, BAR_BACKGROUND, "the bar over the covering window")
    assert desktop.pixel(640, 60) == 0xFF00FF


def test_notices_are_shown_one_after_another(bare_desktop: Desktop):
    bare_desktop.write_config("[wm]\nnotice_seconds = 1\n")
    bare_desktop.start_wm()
    append_notices(bare_desktop, b"work\tblue\tCopied 12 bytes\nvault\tblack\tPaste refused\n")
    wait_for(lambda: bar_notice(bare_desktop) == "[work] Copied 12 bytes", "the first notice is shown")
    assert bare_desktop.cardinals(bare_desktop.root.id, properties.ODYSSEY_NOTICES) is None
    wait_for(lambda: bar_notice(bare_desktop) == "[vault] Paste refused", "the second notice follows")
    wait_for(lambda: bar_notice(bare_desktop) == "", "the notices expire")


def test_notice_drawn_in_domain_colour(desktop: Desktop):
    append_notices(desktop, b"personal\tgreen\tCopied 3 bytes\n")
    wait_for(lambda: bar_notice(desktop) == "[personal] Copied 3 bytes", "the notice is shown")
    wait_for(lambda: (desktop.pixels(Rect(0, 2, 1280, 1)) == LABELS["green"].rgb).any(),
             "green appears in the bar")


def test_invalid_notice_lines_are_ignored(desktop: Desktop):
    append_notices(desktop, b"bad name!\tred\tx\nwork\tpink\tx\nno tabs here\n\xff\xfe\tred\tx\n"
                            b"work\tblue\tvalid <b>markup</b> \x1b[31m\n")
    wait_for(lambda: bar_notice(desktop) == "[work] valid <b>markup</b> \ufffd[31m", "the valid notice is shown")
    log = desktop.log_text()
    assert "has an invalid domain name" in log
    assert "has an unknown label" in log
    assert "fields instead of 3" in log


def test_notice_uses_registered_colour(desktop: Desktop):
    owner = desktop.owner("untrusted", "red")
    window = owner.create(x=100, y=100, width=300, height=200, domain="untrusted", label_rgb=LABELS["red"].rgb,
                          title="shop")
    desktop.frame_of(window)
    append_notices(desktop, b"untrusted\tgreen\tCopied 1 byte\n")
    wait_for(lambda: bar_notice(desktop) == "[untrusted] Copied 1 byte", "the notice is shown")
    wait_for(lambda: (desktop.pixels(Rect(400, 2, 880, 1)) == LABELS["red"].rgb).any(),
             "the notice box is red")
    assert not (desktop.pixels(Rect(0, 0, 1280, BAR)) == LABELS["green"].rgb).any()


def test_clock_shows_configured_format(bare_desktop: Desktop):
    bare_desktop.write_config('[wm]\nclock_format = "%Y-%m-%d %H:%M"\n')
    before = time.strftime("%Y-%m-%d %H:%M")
    bare_desktop.start_wm()
    clock = bare_desktop.utf8_property(bare_desktop.bar_window(), properties.ODYSSEY_BAR_CLOCK)
    assert clock in (before, time.strftime("%Y-%m-%d %H:%M"))


def test_fullscreen_without_permission_is_maximized(desktop: Desktop):
    owner = desktop.owner("untrusted", "red")
    window = owner.create(x=100, y=100, width=300, height=200, domain="untrusted", label_rgb=LABELS["red"].rgb,
                          title="video")
    frame_id = desktop.frame_of(window)
    owner.command(op="message", window=window, type=properties.NET_WM_STATE,
                  data=[1, desktop.x.get_atom(properties.NET_WM_STATE_FULLSCREEN), 0, 1])
    wait_for(lambda: desktop.rect_of(frame_id) == WORKAREA, "the window is maximized in the work area")
    assert properties.NET_WM_STATE_FULLSCREEN in desktop.atom_names(window, properties.NET_WM_STATE)
    client = desktop.rect_of(window)
    assert client.y == BAR + 20
    # Focused or not, the bar stays on top.
    frame = desktop.rect_of(frame_id)
    desktop.click(frame.x + 300, frame.y + 300)
    wait_for(lambda: desktop.focus_id() == window, "the fullscreen window has the focus")
    assert desktop.top_level_order()[-1] == desktop.bar_window()
    desktop.wait_pixel(1279, 0, BAR_BACKGROUND, "the bar over the fullscreen window")
    desktop.wait_pixel(0, BAR + 100, LABELS["red"].rgb, "the frame border of the fullscreen window")


def test_fullscreen_at_map_without_permission(desktop: Desktop):
    owner = desktop.owner("untrusted", "red")
    window = owner.create(x=0, y=0, width=1280, height=800, domain="untrusted", label_rgb=LABELS["red"].rgb,
                          title="video", net_state=[properties.NET_WM_STATE_FULLSCREEN])
    frame_id = desktop.frame_of(window)
    wait_for(lambda: desktop.rect_of(frame_id) == WORKAREA, "the window is maximized in the work area")


def test_allowed_fullscreen_covers_bar_when_focused(bare_desktop: Desktop):
    desktop = bare_desktop
    desktop.write_config('[wm]\nfullscreen_domains = ["video"]\nnotice_seconds = 1\n')
    desktop.start_wm()
    video_owner = desktop.owner("video", "purple")
    work_owner = desktop.owner("work", "blue")
    mail = work_owner.create(x=700, y=300, width=300, height=200, domain="work", label_rgb=LABELS["blue"].rgb,
                             title="mail")
    movie = video_owner.create(x=100, y=100, width=300, height=200, domain="video",
                               label_rgb=LABELS["purple"].rgb, title="movie")
    mail_frame, movie_frame = desktop.frame_of(mail), desktop.frame_of(movie)
    bar = desktop.bar_window()
    rect = desktop.rect_of(movie)
    desktop.click(rect.x + 50, rect.y + 50)
    wait_for(lambda: desktop.focus_id() == movie, "the movie window has the focus")

    video_owner.command(op="message", window=movie, type=properties.NET_WM_STATE,
                        data=[1, desktop.x.get_atom(properties.NET_WM_STATE_FULLSCREEN), 0, 1])
    wait_for(lambda: desktop.rect_of(movie) == SCREEN, "the movie covers the whole screen")
    assert desktop.rect_of(movie_frame) == SCREEN
    # The bar names the owner first, then gives way.
    assert desktop.is_viewable(bar)
    assert desktop.bar_focus() == "video"
    wait_for(lambda: not desktop.is_viewable(bar), "the bar hides under the focused fullscreen window")

    # Once the focus leaves, the bar is back on top of the fullscreen window.
    desktop.press("Alt_L", "Tab")
    wait_for(lambda: desktop.focus_id() == mail, "Alt+Tab moves the focus to mail")
    wait_for(lambda: desktop.is_viewable(bar), "the bar is shown again")
    wait_for(lambda: desktop.top_level_order()[-1] == bar, "the bar is on top")
    wait_for(lambda: desktop.bar_focus() == "work", "the bar names work")
    assert desktop.top_level_order().index(mail_frame) > desktop.top_level_order().index(movie_frame)
