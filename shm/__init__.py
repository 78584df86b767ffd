"""Shared pixel buffers between a domain and the GUI domain, and the MIT-SHM binding that fills and reads them.

Owns:

- ``buffer``: sealed memfd window buffers (process backend), XRGB8888, ``stride = width * 4``;
- ``receive``: the checks a received buffer fd must pass before it is mapped read-only;
- ``region``: the VM backend's fixed-size shared region, its allocator and bounds checks;
- ``fdpass``: bytes with attached fds over a Unix stream socket;
- ``xcb``: a cffi binding to libxcb for MIT-SHM attach, get_image and put_image;
- ``xcb_damage``: DAMAGE objects and their events on that connection, so the
  damage a capture covers is subtracted in order with the capture;
- ``capture``: damage rectangles landed in the full-frame layout of a buffer;
- ``views``: numpy views of buffers for tests and tools;
- ``errors``: the exceptions of all of the above.

Must never: parse protocol messages, make policy decisions (which domain may do
what, what to do with a rejected buffer), or touch pixels in Python on the hot
path. The X servers write and read the pixels; this package only moves fds,
offsets and rectangles.
"""
