"""Move, resize, maximize, minimize, restore and close, by mouse and by keyboard."""

from __future__ import annotations

from Xlib import X

from wm import properties
from wm.geometry import Rect
from wm.labels import LABELS
from .wm_support import Desktop, desktop, wait_for  # noqa: F401  (desktop is a fixture)

BORDER = 4
TITLE = 20
BAR = 24
WORKAREA = Rect(0, BAR, 1280, 800 - BAR)


def framed_window(desktop: Desktop, x=300, y=200, width=300, height=200, **spec) -> tuple[object, int, int]:
    owner = desktop.owner("work", "blue")
    window = owner.create(x=x, y=y, width=width, height=height, domain="work", label_rgb=LABELS["blue"].rgb,
                          title="doc", size_hints={"flags": 4}, **spec)
    frame = desktop.frame_of(window)
    wait_for(lambda: desktop.is_viewable(window), "the window is shown")
    return owner, window, frame


def focus_by_click(desktop: Desktop, window: int) -> None:
    rect = desktop.rect_of(window)
    desktop.click(rect.x + rect.width // 2, rect.y + rect.height // 2)
    wait_for(lambda: desktop.focus_id() == window, "the window has the focus")


def test_title_drag_moves_frame(desktop: Desktop):
    _, window, frame_id = framed_window(desktop)
    start = desktop.rect_of(frame_id)
    desktop.drag((start.x + 100, start.y + 10), (start.x + 250, start.y + 90))
    wait_for(lambda: desktop.rect_of(frame_id).x == start.x + 150, "the frame moves right")
    moved = desktop.rect_of(frame_id)
    assert (moved.y, moved.width, moved.height) == (start.y + 80, start.width, start.height)
    assert desktop.focus_id() == window


def test_title_drag_cannot_leave_work_area(desktop: Desktop):
    _, _, frame_id = framed_window(desktop)
    start = desktop.rect_of(frame_id)
    desktop.drag((start.x + 100, start.y + 10), (start.x - 900, 0))
    wait_for(lambda: (desktop.rect_of(frame_id).x, desktop.rect_of(frame_id).y) == (0, BAR),
             "the frame stops at the top left corner of the work area")


def test_corner_drag_resizes_within_hints(desktop: Desktop):
    hints = {"flags": 4 | 64 | 256, "width_inc": 10, "height_inc": 10, "base_width": 0, "base_height": 0}
    owner = desktop.owner("work", "blue")
    window = owner.create(x=300, y=200, width=300, height=200, domain="work", label_rgb=LABELS["blue"].rgb,
                          title="grid", size_hints=hints)
    frame_id = desktop.frame_of(window)
    start = desktop.rect_of(frame_id)
    corner = (start.right - 2, start.bottom - 2)
    desktop.drag(corner, (corner[0] + 57, corner[1] + 33))
    wait_for(lambda: desktop.rect_of(window).width == 350, "the client grows to whole increments")
    assert desktop.rect_of(window).height == 230
    frame = desktop.rect_of(frame_id)
    assert (frame.x, frame.y) == (start.x, start.y)


def test_left_edge_drag_keeps_right_edge(desktop: Desktop):
    _, window, frame_id = framed_window(desktop)
    start = desktop.rect_of(frame_id)
    desktop.drag((start.x + 1, start.y + 100), (start.x - 49, start.y + 100))
    wait_for(lambda: desktop.rect_of(window).width == 350, "the client grows by 50")
    assert desktop.rect_of(frame_id).right == start.right


def test_alt_drag_moves_window(desktop: Desktop):
    _, window, frame_id = framed_window(desktop)
    start = desktop.rect_of(frame_id)
    desktop.key_down("Alt_L")
    desktop.drag((start.x + 150, start.y + 120), (start.x + 100, start.y + 170))
    desktop.key_up("Alt_L")
    wait_for(lambda: desktop.rect_of(frame_id).x == start.x - 50, "Alt+drag moves the frame")
    assert desktop.rect_of(frame_id).y == start.y + 50


def test_keyboard_moves_and_resizes_focused_window(desktop: Desktop):
    _, window, frame_id = framed_window(desktop)
    focus_by_click(desktop, window)
    start = desktop.rect_of(frame_id)
    desktop.press("Super_L", "Right")
    wait_for(lambda: desktop.rect_of(frame_id).x == start.x + 32, "Super+Right moves the frame 32 px")
    desktop.press("Super_L", "Up")
    wait_for(lambda: desktop.rect_of(frame_id).y == start.y - 32, "Super+Up moves the frame up")
    desktop.press("Super_L", "Shift_L", "Right")
    wait_for(lambda: desktop.rect_of(window).width == 332, "Super+Shift+Right widens the client")
    desktop.press("Super_L", "Shift_L", "Up")
    wait_for(lambda: desktop.rect_of(window).height == 168, "Super+Shift+Up makes it shorter")


def test_maximize_button_and_hotkey_toggle(desktop: Desktop):
    _, window, frame_id = framed_window(desktop)
    start = desktop.rect_of(frame_id)
    # The maximize control is the second box from the right in the title bar.
    desktop.click(start.right - BORDER - 16 - 16 + 7, start.y + TITLE // 2)
    wait_for(lambda: desktop.rect_of(frame_id) == WORKAREA, "the frame fills the work area")
    assert {properties.NET_WM_STATE_MAXIMIZED_VERT, properties.NET_WM_STATE_MAXIMIZED_HORZ} <= \
        desktop.atom_names(window, properties.NET_WM_STATE)
    desktop.press("Super_L", "m")
    wait_for(lambda: desktop.rect_of(frame_id) == start, "Super+M restores the frame")
    assert properties.NET_WM_STATE_MAXIMIZED_VERT not in desktop.atom_names(window, properties.NET_WM_STATE)


def test_minimize_and_restore_from_bar(desktop: Desktop):
    _, window, frame_id = framed_window(desktop)
    start = desktop.rect_of(frame_id)
    desktop.click(start.right - BORDER - 3 * 16 + 7, start.y + TITLE // 2)  # the minimize control
    wait_for(lambda: desktop.wm_state(window) == 3, "WM_STATE is IconicState")
    assert properties.NET_WM_STATE_HIDDEN in desktop.atom_names(window, properties.NET_WM_STATE)
    assert not desktop.is_viewable(frame_id)
    assert desktop.bar_focus() == ""
    # The bar lists the minimized window; a click on its entry restores and focuses it.
    entry_x = desktop.rect_of(desktop.bar_window()).x + 6 + 5 * 7 + 7 + 17 * 7 + 6 + 10
    desktop.wait_pixel(entry_x, 3, LABELS["blue"].rgb, "the bar entry of the minimized window")
    desktop.click(entry_x, 10)
    wait_for(lambda: desktop.is_viewable(window), "the window is shown again")
    assert desktop.wm_state(window) == 1
    wait_for(lambda: desktop.focus_id() == window, "the restored window has the focus")
    assert desktop.rect_of(frame_id) == start


def test_minimize_hotkey_and_restore_with_switcher(desktop: Desktop):
    _, window, frame_id = framed_window(desktop)
    focus_by_click(desktop, window)
    desktop.press("Super_L", "n")
    wait_for(lambda: desktop.wm_state(window) == 3, "Super+N minimizes the window")
    desktop.press("Alt_L", "Tab")
    wait_for(lambda: desktop.wm_state(window) == 1, "Alt+Tab restores it")
    wait_for(lambda: desktop.focus_id() == window, "the restored window has the focus")


def test_close_button_sends_delete_window(desktop: Desktop):
    window = desktop.root.create_window(300, 200, 300, 200, 0, X.CopyFromParent, X.InputOutput,
                                        X.CopyFromParent, background_pixel=0xFFFFFF)
    window.set_wm_protocols([desktop.x.get_atom(properties.WM_DELETE_WINDOW)])
    window.map()
    desktop.x.sync()
    frame = desktop.rect_of(desktop.frame_of(window.id))
    wait_for(lambda: desktop.is_viewable(window.id), "the window is shown")
    desktop.click(frame.right - BORDER - 16 + 7, frame.y + TITLE // 2)

    def delete_received():
        while desktop.x.pending_events():
            event = desktop.x.next_event()
            if event.type == X.ClientMessage and event.window.id == window.id:
                return event.data[1][0] == desktop.x.get_atom(properties.WM_DELETE_WINDOW)
        return False
    wait_for(delete_received, "the client receives WM_DELETE_WINDOW")
    assert desktop.is_viewable(window.id)


def test_close_without_delete_protocol_kills_client(desktop: Desktop):
    _, window, frame_id = framed_window(desktop)
    frame = desktop.rect_of(frame_id)
    desktop.click(frame.right - BORDER - 16 + 7, frame.y + TITLE // 2)
    # The X server destroys the windows of the disconnected client.
    wait_for(lambda: frame_id not in desktop.top_level_order(), "the frame is gone")
    assert window not in desktop.cardinals(desktop.root.id, properties.NET_CLIENT_LIST)
    assert "killing the X client of window" in desktop.log_text()


def test_client_minimizes_but_cannot_restack(desktop: Desktop):
    owner, window, frame_id = framed_window(desktop)
    other_owner = desktop.owner("untrusted", "red")
    other = other_owner.create(x=350, y=250, width=300, height=200, domain="untrusted",
                               label_rgb=LABELS["red"].rgb, title="other")
    other_frame = desktop.frame_of(other)
    order = desktop.top_level_order()
    assert order.index(other_frame) > order.index(frame_id)
    owner.command(op="configure", window=window, changes={"stack_mode": X.Above})
    owner.command(op="message", window=window, type=properties.WM_CHANGE_STATE, data=[3])
    wait_for(lambda: desktop.wm_state(window) == 3, "WM_CHANGE_STATE minimizes the window")
    assert order.index(other_frame) > order.index(frame_id)
