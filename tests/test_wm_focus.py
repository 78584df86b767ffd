"""Keyboard focus under odyssey-wm: only user actions move it, and the bar always names its owner."""

from __future__ import annotations

import time

from Xlib import X

from wm import properties
from wm.geometry import Rect
from wm.labels import LABELS
from .wm_support import Desktop, desktop, wait_for  # noqa: F401  (desktop is a fixture)

# Bar layout: "keys:" (5 cells of 7 px) after 6 px of padding, one cell of space, then the box.
BAR_FOCUS_BOX_X = 6 + 5 * 7 + 7 + 2


def create(owner, domain, label, x, y, title, **spec) -> int:
    return owner.create(x=x, y=y, width=300, height=200, domain=domain, label_rgb=LABELS[label].rgb,
                        title=title, **spec)


def click_client(desktop: Desktop, window: int) -> None:
    rect = desktop.rect_of(window)
    desktop.click(rect.x + rect.width // 2, rect.y + rect.height // 2)


def test_new_window_does_not_take_focus(desktop: Desktop):
    work = desktop.owner("work", "blue")
    untrusted = desktop.owner("untrusted", "red")
    mail = create(work, "work", "blue", 100, 100, "mail")
    mail_frame = desktop.frame_of(mail)
    click_client(desktop, mail)
    wait_for(lambda: desktop.focus_id() == mail, "the clicked window has the focus")
    wait_for(lambda: desktop.bar_focus() == "work", "the bar names work")

    popup = create(untrusted, "untrusted", "red", 150, 150, "Enter your password")
    popup_frame = desktop.frame_of(popup)
    wait_for(lambda: desktop.is_viewable(popup), "the new window is shown")
    assert desktop.focus_id() == mail
    assert desktop.bar_focus() == "work"
    # The focused window stays on top of the window that appeared by itself.
    order = desktop.top_level_order()
    assert order.index(popup_frame) < order.index(mail_frame)
    assert desktop.cardinals(desktop.root.id, properties.NET_ACTIVE_WINDOW) == [mail]


def test_focused_domain_window_goes_on_top(desktop: Desktop):
    work = desktop.owner("work", "blue")
    mail = create(work, "work", "blue", 100, 100, "mail")
    mail_frame = desktop.frame_of(mail)
    click_client(desktop, mail)
    wait_for(lambda: desktop.focus_id() == mail, "the clicked window has the focus")
    compose = create(work, "work", "blue", 150, 150, "compose")
    compose_frame = desktop.frame_of(compose)
    wait_for(lambda: desktop.is_viewable(compose), "the new window is shown")
    order = desktop.top_level_order()
    assert order.index(compose_frame) > order.index(mail_frame)
    assert desktop.focus_id() == mail


def test_click_focuses_window_and_reaches_client(desktop: Desktop):
    work = desktop.owner("work", "blue")
    mail = create(work, "work", "blue", 600, 100, "mail")
    desktop.frame_of(mail)
    click_client(desktop, mail)
    wait_for(lambda: desktop.focus_id() == mail, "the work window has the focus")

    # A window of the test's own (unregistered) connection, which listens for clicks.
    local = desktop.root.create_window(100, 300, 300, 200, 0, X.CopyFromParent, X.InputOutput, X.CopyFromParent,
                                       background_pixel=0xFFFFFF, event_mask=X.ButtonPressMask)
    local.map()
    desktop.x.sync()
    desktop.frame_of(local.id)
    wait_for(lambda: desktop.is_viewable(local.id), "the local window is shown")
    click_client(desktop, local.id)
    wait_for(lambda: desktop.focus_id() == local.id, "the clicked window has the focus")
    wait_for(lambda: desktop.bar_focus() == "gui", "the bar names the GUI domain")

    def received_click():
        while desktop.x.pending_events():
            event = desktop.x.next_event()
            if event.type == X.ButtonPress and event.window.id == local.id:
                return True
        return False
    wait_for(received_click, "the replayed click reaches the client")


def test_bar_shows_focused_domain_colour(desktop: Desktop):
    untrusted = desktop.owner("untrusted", "red")
    vault = desktop.owner("vault", "black")
    shop = create(untrusted, "untrusted", "red", 100, 100, "shop")
    keys = create(vault, "vault", "black", 600, 100, "keys")
    desktop.frame_of(shop)
    desktop.frame_of(keys)
    assert desktop.bar_focus() == ""
    for window, domain, label in ((shop, "untrusted", "red"), (keys, "vault", "black")):
        click_client(desktop, window)
        wait_for(lambda: desktop.bar_focus() == domain, f"the bar names {domain}")
        desktop.wait_pixel(BAR_FOCUS_BOX_X, 2, LABELS[label].rgb, f"the bar's {domain} box")


def test_alt_tab_switches_focus_through_switcher(desktop: Desktop):
    work = desktop.owner("work", "blue")
    untrusted = desktop.owner("untrusted", "red")
    mail = create(work, "work", "blue", 100, 100, "mail")
    shop = create(untrusted, "untrusted", "red", 600, 100, "shop")
    desktop.frame_of(mail)
    desktop.frame_of(shop)
    click_client(desktop, mail)
    wait_for(lambda: desktop.focus_id() == mail, "mail has the focus")
    click_client(desktop, shop)
    wait_for(lambda: desktop.focus_id() == shop, "shop has the focus")

    desktop.key_down("Alt_L")
    desktop.press("Tab")

    def switcher_rows():
        for window in desktop.top_level_order():
            rows = desktop.utf8_property(window, properties.ODYSSEY_SWITCHER)
            if rows is not None:
                return rows
        return None
    rows = wait_for(switcher_rows, "the switcher is shown")
    assert rows == " [untrusted] shop\n*[work] mail\n"
    # The switcher has grabbed the keyboard, and the focus has not moved yet.
    assert desktop.focus_id() == shop
    desktop.key_up("Alt_L")
    wait_for(lambda: desktop.focus_id() == mail, "Alt+Tab gives mail the focus")
    wait_for(lambda: desktop.bar_focus() == "work", "the bar names work")
    wait_for(lambda: switcher_rows() is None, "the switcher is gone")


def test_focus_taken_by_client_is_reverted(desktop: Desktop):
    work = desktop.owner("work", "blue")
    untrusted = desktop.owner("untrusted", "red")
    mail = create(work, "work", "blue", 100, 100, "mail")
    shop = create(untrusted, "untrusted", "red", 600, 100, "shop")
    desktop.frame_of(mail)
    desktop.frame_of(shop)
    click_client(desktop, mail)
    wait_for(lambda: desktop.focus_id() == mail, "mail has the focus")
    untrusted.command(op="focus", window=shop)
    wait_for(lambda: "took the keyboard focus without a user action" in desktop.log_text(),
             "the window manager notices the focus change")
    wait_for(lambda: desktop.focus_id() == mail, "the focus is back on mail")
    assert desktop.bar_focus() == "work"


def test_attention_request_marks_window_without_raising(desktop: Desktop):
    work = desktop.owner("work", "blue")
    untrusted = desktop.owner("untrusted", "red")
    shop = create(untrusted, "untrusted", "red", 100, 100, "shop")
    mail = create(work, "work", "blue", 150, 150, "mail")
    shop_frame, mail_frame = desktop.frame_of(shop), desktop.frame_of(mail)
    click_client(desktop, mail)
    wait_for(lambda: desktop.focus_id() == mail, "mail has the focus")
    order_before = desktop.top_level_order()

    untrusted.command(op="message", window=shop, type=properties.NET_WM_STATE,
                      data=[1, desktop.x.get_atom(properties.NET_WM_STATE_DEMANDS_ATTENTION), 0, 1])
    wait_for(lambda: properties.NET_WM_STATE_DEMANDS_ATTENTION in desktop.atom_names(shop, properties.NET_WM_STATE),
             "the window is marked as demanding attention")
    untrusted.command(op="message", window=shop, type=properties.NET_ACTIVE_WINDOW, data=[2, 0, 0])
    # Stripes of the text colour appear in the empty part of the title bar.
    frame = desktop.rect_of(shop_frame)
    stripes = Rect(frame.x + 150, frame.y + 2, 60, 14)
    wait_for(lambda: (desktop.pixels(stripes) == LABELS["red"].text_rgb).any(), "the title bar is striped")
    assert desktop.top_level_order() == order_before
    assert desktop.focus_id() == mail
    wait_for(lambda: "asked to be activated" in desktop.log_text(), "the activation request is handled")
    assert desktop.bar_focus() == "work"

    desktop.click(frame.x + 60, frame.y + 10)  # on the visible part of its title bar
    wait_for(lambda: desktop.focus_id() == shop, "a click gives shop the focus")
    wait_for(lambda: properties.NET_WM_STATE_DEMANDS_ATTENTION
             not in desktop.atom_names(shop, properties.NET_WM_STATE), "the attention mark is cleared")
    assert mail_frame in desktop.top_level_order()


def test_closing_focused_window_leaves_keyboard_unowned(desktop: Desktop):
    work = desktop.owner("work", "blue")
    mail = create(work, "work", "blue", 100, 100, "mail")
    other = create(work, "work", "blue", 600, 100, "other")
    desktop.frame_of(mail)
    desktop.frame_of(other)
    click_client(desktop, mail)
    wait_for(lambda: desktop.focus_id() == mail, "mail has the focus")
    desktop.press("Alt_L", "F4")  # mail has no WM_DELETE_WINDOW: its client is disconnected
    wait_for(lambda: desktop.focus_id() == desktop.support_window(), "the keyboard goes nowhere")
    wait_for(lambda: desktop.bar_focus() == "", "the bar names no owner")
    assert desktop.cardinals(desktop.root.id, properties.NET_ACTIVE_WINDOW) == [0]


def test_rapid_clicks_focus_last_window(desktop: Desktop):
    """Clicks on two windows in quick succession leave the focus on the second one."""
    work = desktop.owner("work", "blue")
    untrusted = desktop.owner("untrusted", "red")
    mail = create(work, "work", "blue", 100, 100, "mail")
    shop = create(untrusted, "untrusted", "red", 600, 100, "shop")
    desktop.frame_of(mail)
    desktop.frame_of(shop)
    for _ in range(5):
        click_client(desktop, mail)
        click_client(desktop, shop)
    # The click-to-focus grab freezes the pointer until the window manager has
    # handled each click, so the clicks are handled one by one, in order.
    wait_for(lambda: desktop.log_text().count("focus to window") == 10, "all ten clicks are handled")
    wait_for(lambda: desktop.focus_id() == shop and desktop.bar_focus() == "untrusted",
             "the last click decides the focus")
    deadline = time.monotonic() + 0.2
    while time.monotonic() < deadline:
        assert desktop.bar_focus() == "untrusted"


def test_take_focus_client_focuses_itself(desktop: Desktop):
    # Globally active input model: no input hint, WM_TAKE_FOCUS in WM_PROTOCOLS.
    local = desktop.root.create_window(100, 300, 300, 200, 0, X.CopyFromParent, X.InputOutput, X.CopyFromParent,
                                       background_pixel=0xFFFFFF)
    local.set_wm_hints(flags=1, input=0)  # InputHint with input False
    local.set_wm_protocols([desktop.x.get_atom(properties.WM_TAKE_FOCUS)])
    local.map()
    desktop.x.sync()
    desktop.frame_of(local.id)
    rect = desktop.rect_of(local.id)
    desktop.click(rect.x + 10, rect.y + 10)

    def take_focus_time():
        while desktop.x.pending_events():
            event = desktop.x.next_event()
            if event.type == X.ClientMessage and event.data[1][0] == desktop.x.get_atom(properties.WM_TAKE_FOCUS):
                return event.data[1][1] or "CurrentTime"
        return None
    timestamp = wait_for(take_focus_time, "the client receives WM_TAKE_FOCUS")
    assert timestamp != "CurrentTime"
    local.set_input_focus(X.RevertToParent, timestamp)
    desktop.x.sync()
    wait_for(lambda: desktop.bar_focus() == "gui", "the bar names the window that took the focus")
    assert desktop.focus_id() == local.id


def test_urgency_hint_marks_frame_and_bar(desktop: Desktop):
    untrusted = desktop.owner("untrusted", "red")
    shop = create(untrusted, "untrusted", "red", 300, 300, "shop")
    frame = desktop.rect_of(desktop.frame_of(shop))
    desktop.window(shop).set_wm_hints(flags=256)  # UrgencyHint
    desktop.x.sync()
    stripes = Rect(frame.x + 150, frame.y + 2, 60, 14)
    wait_for(lambda: (desktop.pixels(stripes) == LABELS["red"].text_rgb).any(), "the title bar is striped")
    entries = Rect(BAR_FOCUS_BOX_X + 140, 0, 300, 24)
    wait_for(lambda: (desktop.pixels(entries) == LABELS["red"].rgb).any(), "the bar lists the window")
    assert desktop.bar_focus() == ""
