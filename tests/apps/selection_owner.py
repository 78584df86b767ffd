"""A python-xlib selection owner for clipboard tests: serves a file's bytes, optionally with INCR.

Run it as::

    python tests/apps/selection_owner.py --display :1 --data-file DATA [--incr-chunk N] [--ignore-requests]

It owns CLIPBOARD, prints ``ready`` and serves conversions to UTF8_STRING and
TARGETS. With ``--incr-chunk N`` it always uses the INCR protocol, N bytes per
chunk; with ``--ignore-requests`` it never answers (a hung owner). It exits on
SelectionClear or when standard input closes.
"""

from __future__ import annotations

import argparse
import select
import sys

from Xlib import X, Xatom
from Xlib import display as xdisplay
from Xlib.protocol import event as xevent


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--display", required=True)
    parser.add_argument("--data-file", required=True)
    parser.add_argument("--incr-chunk", type=int, default=0)
    parser.add_argument("--ignore-requests", action="store_true")
    arguments = parser.parse_args(argv)
    with open(arguments.data_file, "rb") as data_file:
        data = data_file.read()

    display = xdisplay.Display(arguments.display)
    root = display.screen().root
    window = root.create_window(0, 0, 1, 1, 0, X.CopyFromParent, X.InputOnly, X.CopyFromParent)
    clipboard = display.get_atom("CLIPBOARD")
    utf8_string = display.get_atom("UTF8_STRING")
    targets = display.get_atom("TARGETS")
    incr = display.get_atom("INCR")
    window.set_selection_owner(clipboard, X.CurrentTime)
    if display.get_selection_owner(clipboard) != window:
        print("error could not own CLIPBOARD", flush=True)
        return 1
    print("ready", flush=True)

    transfers: dict[tuple[int, int], int] = {}  # (requestor, property) -> next offset
    while True:
        while display.pending_events():
            event = display.next_event()
            if event.type == X.SelectionClear:
                return 0
            if event.type == X.SelectionRequest and not arguments.ignore_requests:
                requestor = event.requestor
                target_property = event.property or event.target
                answered = True
                if event.target == targets:
                    requestor.change_property(target_property, Xatom.ATOM, 32, [targets, utf8_string])
                elif event.target == utf8_string and arguments.incr_chunk:
                    requestor.change_attributes(event_mask=X.PropertyChangeMask)
                    requestor.change_property(target_property, incr, 32, [len(data)])
                    transfers[(requestor.id, target_property)] = 0
                elif event.target == utf8_string:
                    requestor.change_property(target_property, utf8_string, 8, data)
                else:
                    answered = False
                notify = xevent.SelectionNotify(time=event.time, requestor=requestor, selection=event.selection,
                                                target=event.target, property=target_property if answered else 0)
                requestor.send_event(notify)
            elif event.type == X.PropertyNotify and event.state == X.PropertyDelete:
                key = (event.window.id, event.atom)
                if key in transfers:
                    offset = transfers[key]
                    chunk = data[offset:offset + arguments.incr_chunk]
                    event.window.change_property(event.atom, utf8_string, 8, chunk)
                    if chunk:
                        transfers[key] = offset + len(chunk)
                    else:
                        del transfers[key]
        display.flush()
        if display.pending_events():
            continue  # python-xlib read events while flushing; select would not see them
        readable, _, _ = select.select([display, sys.stdin], [], [])
        if sys.stdin in readable and not sys.stdin.readline():
            return 0


if __name__ == "__main__":
    sys.exit(main())
