"""The window manager's loop never sleeps while python-xlib has an unhandled event in its queue."""

from Xlib import X, Xatom, display as xdisplay

from wm.loop import EventLoop

# Seconds after which the loop is stopped if it went to sleep with an event queued.
SLEEP_LIMIT = 5.0


def test_loop_handles_event_read_by_flush(xvfb):
    display = xdisplay.Display(xvfb.display)
    other_client = xdisplay.Display(xvfb.display)
    window = display.screen().root.create_window(0, 0, 10, 10, 0, X.CopyFromParent,
                                                 event_mask=X.PropertyChangeMask)
    display.sync()
    atom = display.intern_atom("_ODYSSEY_TEST_PROPERTY")
    handled = []
    loop = EventLoop(display, lambda event: (handled.append(event.type), loop.stop()))
    plain_flush = display.flush

    def flush_while_an_event_arrives():
        plain_flush()
        if not handled:
            # Another client's change makes the server send a PropertyNotify, and
            # the round trip reads it into python-xlib's queue, as a flush can.
            other_window = other_client.create_resource_object("window", window.id)
            other_window.change_property(atom, Xatom.CARDINAL, 32, [1])
            other_client.sync()
            display.sync()

    def stop_sleeping_loop():
        slept_through.append(True)
        loop.stop()

    slept_through = []
    display.flush = flush_while_an_event_arrives
    loop.call_later(SLEEP_LIMIT, stop_sleeping_loop)
    try:
        loop.run()
    finally:
        loop.close()
        other_client.close()
        display.close()
    assert handled == [X.PropertyNotify]
    assert slept_through == []
