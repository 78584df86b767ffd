"""A separate X client for window manager tests, which creates windows on request.

Run as ``python wm_owner.py DISPLAY [DOMAIN LABEL]``. With a domain and a label
it first registers itself as that domain's daemon (in $XDG_RUNTIME_DIR), so
its windows are daemon windows. Without them it is an unregistered client.
Commands arrive as JSON lines on stdin; each gets one JSON line on stdout.
"""

from __future__ import annotations

import json
import sys

from Xlib import X, Xatom, display as xdisplay
from Xlib.protocol import event as xevent

from wm import properties, trust


def create_window(connection, spec: dict) -> int:
    root = connection.screen().root
    window = root.create_window(
        spec.get("x", 0), spec.get("y", 0), spec.get("width", 300), spec.get("height", 200), 0,
        X.CopyFromParent, X.InputOutput, X.CopyFromParent,
        background_pixel=spec.get("background", 0xFFFFFF),
        event_mask=X.StructureNotifyMask | X.ButtonPressMask | X.KeyPressMask | X.FocusChangeMask,
    )

    utf8 = connection.get_atom("UTF8_STRING")
    if spec.get("domain") is not None:
        window.change_property(connection.get_atom(properties.ODYSSEY_DOMAIN), utf8, 8, spec["domain"].encode())
    if spec.get("label_rgb") is not None:
        window.change_property(connection.get_atom(properties.ODYSSEY_LABEL), Xatom.CARDINAL, 32,
                               [spec["label_rgb"]])
    if spec.get("title") is not None:
        window.change_property(connection.get_atom("_NET_WM_NAME"), utf8, 8, spec["title"].encode())
    if spec.get("protocols"):
        window.set_wm_protocols([connection.get_atom(name) for name in spec["protocols"]])
    if spec.get("size_hints"):
        window.set_wm_normal_hints(**spec["size_hints"])
    if spec.get("wm_hints"):
        window.set_wm_hints(**spec["wm_hints"])
    if spec.get("transient_for"):
        window.change_property(Xatom.WM_TRANSIENT_FOR, Xatom.WINDOW, 32, [spec["transient_for"]])
    if spec.get("net_state"):
        window.change_property(connection.get_atom("_NET_WM_STATE"), Xatom.ATOM, 32,
                               [connection.get_atom(name) for name in spec["net_state"]])
    if spec.get("override_redirect"):
        window.change_attributes(override_redirect=True)

    if spec.get("map", True):
        window.map()
    connection.sync()
    return window.id


def main() -> None:
    connection = xdisplay.Display(sys.argv[1])
    registration = None
    if len(sys.argv) == 4:
        registration = trust.register_daemon(sys.argv[2], sys.argv[3])
    print(json.dumps({"ready": True}), flush=True)
    try:
        for line in sys.stdin:
            command = json.loads(line)
            operation = command["op"]
            if operation == "create":
                reply = {"window": create_window(connection, command)}
            elif operation == "focus":
                window = connection.create_resource_object("window", command["window"])
                window.set_input_focus(X.RevertToNone, X.CurrentTime)
                connection.sync()
                reply = {}
            elif operation == "configure":
                window = connection.create_resource_object("window", command["window"])
                window.configure(**command["changes"])
                connection.sync()
                reply = {}
            elif operation == "message":
                window = connection.create_resource_object("window", command["window"])
                message = xevent.ClientMessage(window=window, client_type=connection.get_atom(command["type"]),
                                               data=(32, command["data"] + [0] * (5 - len(command["data"]))))
                connection.screen().root.send_event(
                    message, event_mask=X.SubstructureRedirectMask | X.SubstructureNotifyMask)
                connection.sync()
                reply = {}
            elif operation == "exit":
                break
            else:
                reply = {"error": f"unknown command {operation}"}
            print(json.dumps(reply), flush=True)
    finally:
        if registration is not None:
            trust.unregister_daemon(registration)
        connection.close()


if __name__ == "__main__":
    main()
