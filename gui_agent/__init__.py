"""The GUI agent: runs inside a domain and shows the domain's windows through its daemon.

This package owns everything the agent does against the domain's own X server.
It redirects every top-level window with Composite, tracks the windows and
captures damaged pixels into shared buffers (``shm``). It sends the window life
cycle and metadata as ``protocol`` messages, injects the daemon's input with
XTEST, acts as the domain's minimal window manager and bridges the clipboard on
request.

The agent is untrusted by design: the daemon validates everything it sends. So
this package must never rely on the daemon to be lenient, must never send a
message the protocol's limits reject (values are clamped or cut here first), and
must never log window titles or clipboard text, only ids, sizes and numbers.
"""
