"""X-ray mode: every window tinted and labelled with its owner, above anything a domain can draw."""

from __future__ import annotations

from Xlib import X

from wm import properties
from wm.geometry import Rect
from wm.labels import GUI_LABEL, LABELS
from .wm_support import Desktop, bare_desktop, desktop, wait_for  # noqa: F401  (fixtures)


def xray_labels(desktop: Desktop) -> list[tuple[str, Rect]] | None:
    """Return the labels of the X-ray overlay, or None while it is not shown."""
    for window in desktop.top_level_order():
        text = desktop.utf8_property(window, properties.ODYSSEY_XRAY)
        if text is not None:
            labels = []
            for line in text.splitlines():
                domain, x, y, width, height = line.split()
                labels.append((domain, Rect(int(x), int(y), int(width), int(height))))
            return labels
    return None


def populate(desktop: Desktop) -> dict[str, int]:
    """Create a work window, an untrusted window partly over it, a daemon menu and a GUI window."""
    work = desktop.owner("work", "blue")
    untrusted = desktop.owner("untrusted", "red")
    windows = {
        "work": work.create(x=50, y=60, width=500, height=400, domain="work", label_rgb=LABELS["blue"].rgb,
                            title="mail"),
        "untrusted": untrusted.create(x=350, y=300, width=500, height=400, domain="untrusted",
                                      label_rgb=LABELS["red"].rgb, title="shop"),
        "gui": desktop.owner().create(x=900, y=60, width=300, height=200, title="terminal"),
    }
    for window in windows.values():
        desktop.frame_of(window)
        wait_for(lambda: desktop.is_viewable(window), "the window is shown")
    windows["menu"] = work.create(x=950, y=500, width=200, height=150, domain="work",
                                  label_rgb=LABELS["blue"].rgb, override_redirect=True)
    wait_for(lambda: desktop.is_viewable(windows["menu"]), "the menu is shown")
    return windows


def test_xray_labels_every_window(desktop: Desktop):
    windows = populate(desktop)
    desktop.key_down("Super_L", "x")
    labels = wait_for(lambda: xray_labels(desktop), "the X-ray overlay is shown")
    assert sorted(domain for domain, _ in labels) == ["gui", "untrusted", "work", "work"]
    colours = {"work": LABELS["blue"].rgb, "untrusted": LABELS["red"].rgb, "gui": GUI_LABEL.rgb}
    for domain, box in labels:
        # Each label box is filled with its owner's colour (the text is in the text colour).
        pixels = desktop.pixels(box)
        assert (pixels == colours[domain]).mean() > 0.5
    # The tint: the white inside of the work window now shows blue mixed in.
    inside = desktop.rect_of(windows["work"])
    tinted = desktop.pixel(inside.x + 20, inside.y + 20)
    assert tinted != 0xFFFFFF
    assert (tinted & 0xFF) > ((tinted >> 16) & 0xFF)  # more blue than red
    desktop.key_up("Super_L", "x")
    wait_for(lambda: xray_labels(desktop) is None, "the overlay is gone after the hotkey is released")
    assert desktop.pixel(inside.x + 20, inside.y + 20) == 0xFFFFFF


def test_xray_label_avoids_covering_window(desktop: Desktop):
    windows = populate(desktop)
    desktop.key_down("Super_L", "x")
    labels = wait_for(lambda: xray_labels(desktop), "the X-ray overlay is shown")
    desktop.key_up("Super_L", "x")
    upper = desktop.rect_of(desktop.parent(windows["untrusted"]))
    lower = desktop.rect_of(desktop.parent(windows["work"]))
    work_box = next(box for domain, box in labels if domain == "work" and lower.contains(box))
    assert work_box.intersect(upper).is_empty()


def test_xray_hotkey_never_reaches_focused_client(desktop: Desktop):
    local = desktop.root.create_window(100, 300, 300, 200, 0, X.CopyFromParent, X.InputOutput, X.CopyFromParent,
                                       background_pixel=0xFFFFFF, event_mask=X.KeyPressMask | X.KeyReleaseMask)
    local.map()
    desktop.x.sync()
    desktop.frame_of(local.id)
    rect = desktop.rect_of(local.id)
    desktop.click(rect.x + 10, rect.y + 10)
    wait_for(lambda: desktop.focus_id() == local.id, "the local window has the focus")
    desktop.key_down("Super_L", "x")
    wait_for(lambda: xray_labels(desktop), "the X-ray overlay is shown")
    desktop.key_up("Super_L", "x")
    wait_for(lambda: xray_labels(desktop) is None, "the overlay is gone")
    desktop.press("a")  # an ordinary key, which the client must see

    x_keycode = desktop.keycode("x")
    seen = []

    def received_a():
        while desktop.x.pending_events():
            event = desktop.x.next_event()
            if event.type in (X.KeyPress, X.KeyRelease):
                seen.append(event.detail)
        return desktop.keycode("a") in seen
    wait_for(received_a, "the client receives the ordinary key")
    assert x_keycode not in seen


def test_xray_stays_above_new_window(desktop: Desktop):
    populate(desktop)
    desktop.key_down("Super_L", "x")
    wait_for(lambda: xray_labels(desktop), "the X-ray overlay is shown")
    overlay = next(window for window in desktop.top_level_order()
                   if desktop.utf8_property(window, properties.ODYSSEY_XRAY) is not None)
    wait_for(lambda: desktop.is_viewable(overlay), "the overlay is mapped")
    owner = desktop.owner("untrusted", "red")
    fake = owner.create(x=0, y=0, width=1280, height=800, override_redirect=True, background=0x00FF00)
    wait_for(lambda: desktop.is_viewable(fake), "the full-screen window is mapped")
    wait_for(lambda: desktop.top_level_order()[-1] == overlay, "the same overlay is on top again")
    assert desktop.pixel(640, 400) != 0x00FF00
    desktop.key_up("Super_L", "x")


def test_xray_toggle_mode(bare_desktop: Desktop):
    bare_desktop.write_config('[wm]\nxray_mode = "toggle"\n\n[hotkeys]\nxray = "Super+Z"\n')
    bare_desktop.start_wm()
    populate(bare_desktop)
    bare_desktop.press("Super_L", "z")
    wait_for(lambda: xray_labels(bare_desktop), "the first press shows X-ray")
    bare_desktop.press("Super_L", "x")
    assert xray_labels(bare_desktop) is not None
    bare_desktop.press("Super_L", "z")
    wait_for(lambda: xray_labels(bare_desktop) is None, "the second press hides it")
