"""Frames drawn by odyssey-wm: owner colour and prefix from trusted sources only, always on screen."""

from __future__ import annotations

import subprocess

import pytest

from wm import properties
from wm.geometry import Rect
from wm.labels import GUI_LABEL, LABELS
from .wm_support import Desktop, desktop, wait_for  # noqa: F401  (desktop is a fixture)

BORDER = 4
TITLE = 20  # misc-fixed 13 px: 13 + 7
BAR = 24


def border_samples(frame) -> list[tuple[int, int]]:
    """Points in the middle of the left, right and bottom border and in the title bar's empty part."""
    return [
        (frame.x + BORDER // 2, frame.y + frame.height // 2),
        (frame.right - 1 - BORDER // 2, frame.y + frame.height // 2),
        (frame.x + frame.width // 2, frame.bottom - 1 - BORDER // 2),
        (frame.x + 2, frame.y + 2),
    ]


def test_daemon_window_gets_domain_frame(desktop: Desktop):
    daemon = desktop.owner("work", "blue")
    window = daemon.create(x=200, y=150, width=400, height=300, domain="work", label_rgb=LABELS["blue"].rgb,
                           title="Inbox", background=0x00FF00)
    frame_id = desktop.frame_of(window)
    assert desktop.frame_title(frame_id) == "[work] Inbox"
    assert desktop.utf8_property(frame_id, properties.ODYSSEY_FRAME_DOMAIN) == "work"
    frame = desktop.rect_of(frame_id)
    for x, y in border_samples(frame):
        desktop.wait_pixel(x, y, LABELS["blue"].rgb, "the frame of a work window")
    # The client sits inside the frame, below the title bar.
    client = desktop.rect_of(window)
    assert (client.x - frame.x, client.y - frame.y) == (BORDER, TITLE)
    assert (client.width, client.height) == (400, 300)


def test_prefix_drawn_in_text_colour(desktop: Desktop):
    daemon = desktop.owner("vault", "black")
    window = daemon.create(x=100, y=100, width=400, height=200, domain="vault", label_rgb=LABELS["black"].rgb,
                           title="Keys")
    frame = desktop.rect_of(desktop.frame_of(window))
    prefix = Rect(frame.x + BORDER + 4, frame.y + 3, 7 * len("[vault]"), 13)
    wait_for(lambda: (desktop.pixels(prefix) == LABELS["black"].text_rgb).any(), "the prefix glyphs are drawn")
    colours = set(int(value) for value in desktop.pixels(prefix).flatten())
    assert colours == {LABELS["black"].rgb, LABELS["black"].text_rgb}


def test_unregistered_client_gets_gui_frame(desktop: Desktop):
    impostor = desktop.owner()  # not registered as a daemon
    window = impostor.create(x=200, y=150, width=300, height=200, domain="work", label_rgb=LABELS["blue"].rgb,
                             title="[work] Inbox")
    frame_id = desktop.frame_of(window)
    assert desktop.frame_title(frame_id) == "[gui] [work] Inbox"
    assert desktop.utf8_property(frame_id, properties.ODYSSEY_FRAME_DOMAIN) == "gui"
    for x, y in border_samples(desktop.rect_of(frame_id)):
        desktop.wait_pixel(x, y, GUI_LABEL.rgb, "the frame of an impostor window")


def test_daemon_claiming_other_domain_is_gui(desktop: Desktop):
    daemon = desktop.owner("untrusted", "red")
    window = daemon.create(x=200, y=150, width=300, height=200, domain="vault", label_rgb=LABELS["black"].rgb,
                           title="Password")
    frame_id = desktop.frame_of(window)
    assert desktop.frame_title(frame_id) == "[gui] Password"
    desktop.wait_pixel(desktop.rect_of(frame_id).x + 1, desktop.rect_of(frame_id).y + 50, GUI_LABEL.rgb,
                       "the frame of a window naming a foreign domain")


def test_label_property_cannot_change_registered_colour(desktop: Desktop):
    daemon = desktop.owner("untrusted", "red")
    window = daemon.create(x=200, y=150, width=300, height=200, domain="untrusted",
                           label_rgb=LABELS["green"].rgb, title="Bank")
    frame = desktop.rect_of(desktop.frame_of(window))
    desktop.wait_pixel(frame.x + 1, frame.y + 50, LABELS["red"].rgb, "the frame of a red domain naming green")


def test_xterm_claiming_domain_stays_gui(desktop: Desktop):
    desktop.spawn("xterm", "-geometry", "60x10+300+300", "-T", "plain xterm")
    frame_id = wait_for(lambda: next((w for w in desktop.top_level_order()
                                      if desktop.frame_title(w) == "[gui] plain xterm"), None),
                        "the frame of the xterm exists")
    # The frame gets its title before the client is reparented into it.
    client_id = wait_for(lambda: next((child.id for child in desktop.window(frame_id).query_tree().children), None),
                         "the xterm is inside its frame")
    subprocess.run(["xprop", "-display", desktop.server.display, "-id", str(client_id), "-f",
                    properties.ODYSSEY_DOMAIN, "8u", "-set", properties.ODYSSEY_DOMAIN, "work"], check=True)
    subprocess.run(["xprop", "-display", desktop.server.display, "-id", str(client_id), "-f",
                    "_NET_WM_NAME", "8u", "-set", "_NET_WM_NAME", "renamed"], check=True)
    wait_for(lambda: desktop.frame_title(frame_id) == "[gui] renamed", "the new title is shown")
    assert desktop.utf8_property(frame_id, properties.ODYSSEY_FRAME_DOMAIN) == "gui"
    assert "is not a registered daemon" in desktop.log_text()


@pytest.mark.parametrize("x, y", [(-500, -300), (30000, 30000), (-32000, 700), (1200, -5)])
def test_frame_inside_work_area_on_map(desktop: Desktop, x: int, y: int):
    daemon = desktop.owner("work", "blue")
    window = daemon.create(x=x, y=y, width=400, height=300, domain="work", label_rgb=LABELS["blue"].rgb,
                           title="far away", size_hints={"flags": 4})  # PPosition: "I chose this place"
    frame = desktop.rect_of(desktop.frame_of(window))
    assert frame.x >= 0
    assert frame.y >= BAR
    assert frame.right <= 1280
    assert frame.bottom <= 800


def test_oversized_window_shrunk_to_work_area(desktop: Desktop):
    daemon = desktop.owner("work", "blue")
    window = daemon.create(x=0, y=0, width=16000, height=6000, domain="work", label_rgb=LABELS["blue"].rgb,
                           title="huge")
    frame = desktop.rect_of(desktop.frame_of(window))
    assert (frame.x, frame.y, frame.width, frame.height) == (0, BAR, 1280, 800 - BAR)


def test_configure_request_off_screen_is_clamped(desktop: Desktop):
    daemon = desktop.owner("work", "blue")
    window = daemon.create(x=300, y=300, width=300, height=200, domain="work", label_rgb=LABELS["blue"].rgb,
                           title="mover")
    frame_id = desktop.frame_of(window)
    daemon.command(op="configure", window=window, changes={"x": -2000, "y": -2000, "width": 350})
    wait_for(lambda: desktop.rect_of(window).width == 350, "the client is resized to 350")
    frame = desktop.rect_of(frame_id)
    assert (frame.x, frame.y) == (0, BAR)
    daemon.command(op="configure", window=window, changes={"x": 5000, "y": 5000})
    wait_for(lambda: desktop.rect_of(frame_id).x > 0, "the frame moves right")
    frame = desktop.rect_of(frame_id)
    assert (frame.right, frame.bottom) == (1280, 800)


def test_client_cannot_cover_its_frame(desktop: Desktop):
    daemon = desktop.owner("work", "blue")
    window = daemon.create(x=300, y=300, width=300, height=200, domain="work", label_rgb=LABELS["blue"].rgb,
                           title="cover", background=0x00FF00)
    frame_id = desktop.frame_of(window)
    # Position 0,0 relative to its parent would put the client over the title bar.
    daemon.command(op="configure", window=window, changes={"x": 0, "y": 0, "width": 300, "height": 200})
    wait_for(lambda: desktop.rect_of(frame_id).y == BAR, "the frame moves to the top of the work area")
    frame = desktop.rect_of(frame_id)
    client = desktop.rect_of(window)
    assert (client.x - frame.x, client.y - frame.y) == (BORDER, TITLE)
    for x, y in border_samples(frame):
        desktop.wait_pixel(x, y, LABELS["blue"].rgb, "the frame around a green client")


def test_hostile_title_leaves_prefix_intact(desktop: Desktop):
    daemon = desktop.owner("work", "blue")
    plain = daemon.create(x=20, y=100, width=500, height=100, domain="work", label_rgb=LABELS["blue"].rgb,
                          title="plain")
    hostile_title = "\u202e]tluav[ \u2067x\u2069 e" + "\u0301" * 200 + "\n[vault] " + "W" * 300
    hostile = daemon.create(x=20, y=400, width=500, height=100, domain="work", label_rgb=LABELS["blue"].rgb,
                            title=hostile_title)
    plain_frame_id, hostile_frame_id = desktop.frame_of(plain), desktop.frame_of(hostile)
    title = desktop.frame_title(hostile_frame_id)
    assert title.startswith("[work] ]tluav[ x e\u0301\u0301\u0301\ufffd[vault] WWW")
    assert "\u202e" not in title
    assert "\u2067" not in title
    assert title.endswith("\u2026")
    plain_frame, hostile_frame = desktop.rect_of(plain_frame_id), desktop.rect_of(hostile_frame_id)
    # The prefix "[work]" and the controls look exactly the same in both frames.
    for left, width in ((BORDER, 4 + 7 * len("[work]") + 2), (plain_frame.width - 60, 56)):
        def area(frame):
            return desktop.pixels(Rect(frame.x + left, frame.y, width, TITLE))
        wait_for(lambda: (area(plain_frame) == area(hostile_frame)).all(),
                 "the prefix and controls of both frames match")


def test_overlong_title_ends_with_mark(desktop: Desktop):
    impostor = desktop.owner()
    window = impostor.create(x=20, y=100, width=500, height=100, title="\u00e9" * 3000)
    title = desktop.frame_title(desktop.frame_of(window))
    assert title.startswith("[gui] \u00e9\u00e9")
    assert title.endswith("\u2026")
    assert "\ufffd" not in title


def test_narrow_window_shows_whole_prefix(desktop: Desktop):
    daemon = desktop.owner("a-domain-name-of-31-characters", "purple")
    window = daemon.create(x=100, y=100, width=20, height=20, domain="a-domain-name-of-31-characters",
                           label_rgb=LABELS["purple"].rgb, title="tiny")
    frame = desktop.rect_of(desktop.frame_of(window))
    prefix_width = 7 * len("[a-domain-name-of-31-characters]")
    assert frame.width >= BORDER + 4 + prefix_width + 3 * 16


def test_size_hints_are_applied_on_map(desktop: Desktop):
    daemon = desktop.owner("work", "blue")
    # PMinSize | PMaxSize | PResizeInc | PBaseSize
    hints = {"flags": 16 | 32 | 64 | 256, "min_width": 100, "min_height": 50, "max_width": 500,
             "max_height": 400, "width_inc": 10, "height_inc": 20, "base_width": 5, "base_height": 3}
    too_big = daemon.create(x=100, y=100, width=900, height=900, domain="work", label_rgb=LABELS["blue"].rgb,
                            title="big", size_hints=hints)
    odd = daemon.create(x=100, y=100, width=218, height=118, domain="work", label_rgb=LABELS["blue"].rgb,
                        title="odd", size_hints=hints)
    desktop.frame_of(too_big)
    desktop.frame_of(odd)
    # The maximum 500x400 is not on the increment grid: 5 + 49 * 10 and 3 + 19 * 20 are.
    assert (desktop.rect_of(too_big).width, desktop.rect_of(too_big).height) == (495, 383)
    # 218 = 5 + 21 increments of 10 + 3 -> 215; 118 = 3 + 5 increments of 20 + 15 -> 103.
    assert (desktop.rect_of(odd).width, desktop.rect_of(odd).height) == (215, 103)


def test_wm_state_and_frame_extents(desktop: Desktop):
    daemon = desktop.owner("work", "blue")
    window = daemon.create(x=100, y=100, width=300, height=200, domain="work", label_rgb=LABELS["blue"].rgb,
                           title="state")
    desktop.frame_of(window)
    wait_for(lambda: desktop.wm_state(window) == 1, "WM_STATE is NormalState")
    assert desktop.cardinals(window, properties.NET_FRAME_EXTENTS) == [BORDER, BORDER, TITLE, BORDER]
    assert window in desktop.cardinals(desktop.root.id, properties.NET_CLIENT_LIST)


def test_override_redirect_window_is_not_framed(desktop: Desktop):
    daemon = desktop.owner("work", "blue")
    window = daemon.create(x=100, y=100, width=200, height=100, domain="work", label_rgb=LABELS["blue"].rgb,
                           title="menu", override_redirect=True)
    wait_for(lambda: desktop.is_viewable(window), "the menu is mapped")
    assert desktop.parent(window) == desktop.root.id
    assert window not in (desktop.cardinals(desktop.root.id, properties.NET_CLIENT_LIST) or [])


def test_transient_centred_on_parent(desktop: Desktop):
    daemon = desktop.owner("work", "blue")
    parent = daemon.create(x=100, y=100, width=600, height=400, domain="work", label_rgb=LABELS["blue"].rgb,
                           title="editor")
    parent_frame = desktop.rect_of(desktop.frame_of(parent))
    dialog = daemon.create(width=200, height=100, domain="work", label_rgb=LABELS["blue"].rgb, title="Save?",
                           transient_for=parent)
    dialog_frame = desktop.rect_of(desktop.frame_of(dialog))
    assert abs((dialog_frame.x + dialog_frame.width // 2) - (parent_frame.x + parent_frame.width // 2)) <= 1
    assert abs((dialog_frame.y + dialog_frame.height // 2) - (parent_frame.y + parent_frame.height // 2)) <= 1


def test_transient_for_foreign_window_is_ignored(desktop: Desktop):
    vault = desktop.owner("vault", "black")
    untrusted = desktop.owner("untrusted", "red")
    keys = vault.create(x=100, y=100, width=600, height=400, domain="vault", label_rgb=LABELS["black"].rgb,
                        title="keys")
    desktop.frame_of(keys)
    fake = untrusted.create(width=200, height=100, domain="untrusted", label_rgb=LABELS["red"].rgb,
                            title="Unlock", transient_for=keys)
    assert desktop.frame_title(desktop.frame_of(fake)) == "[untrusted] Unlock"
    wait_for(lambda: "names window" in desktop.log_text() and "as its parent: ignored" in desktop.log_text(),
             "the foreign parent is refused")


def test_initial_iconic_state_is_honoured(desktop: Desktop):
    daemon = desktop.owner("work", "blue")
    window = daemon.create(x=100, y=100, domain="work", label_rgb=LABELS["blue"].rgb, title="later",
                           wm_hints={"flags": 2, "initial_state": 3})  # StateHint, IconicState
    wait_for(lambda: desktop.wm_state(window) == 3, "WM_STATE is IconicState")
    assert not desktop.is_viewable(window)
    assert properties.NET_WM_STATE_HIDDEN in desktop.atom_names(window, properties.NET_WM_STATE)


def test_static_gravity_places_client_exactly(desktop: Desktop):
    daemon = desktop.owner("work", "blue")
    # PPosition | PWinGravity with StaticGravity (10): the client, not its frame, goes to x, y.
    hints = {"flags": 4 | 512, "win_gravity": 10}
    window = daemon.create(x=300, y=200, width=300, height=200, domain="work", label_rgb=LABELS["blue"].rgb,
                           title="static", size_hints=hints)
    desktop.frame_of(window)
    assert (desktop.rect_of(window).x, desktop.rect_of(window).y) == (300, 200)
    daemon.command(op="configure", window=window, changes={"x": 400, "y": 320})
    wait_for(lambda: (desktop.rect_of(window).x, desktop.rect_of(window).y) == (400, 320),
             "the client moves to exactly where it asked")
    # Twice the same request does not drift.
    daemon.command(op="configure", window=window, changes={"x": 400, "y": 320})
    daemon.command(op="configure", window=window, changes={"width": 301})
    wait_for(lambda: desktop.rect_of(window).width == 301, "the last request is handled")
    assert (desktop.rect_of(window).x, desktop.rect_of(window).y) == (400, 320)
