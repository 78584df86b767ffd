"""The agent's buffers hold exactly the window's pixels, through changes and overlaps."""

from __future__ import annotations

import numpy as np

from protocol import messages as m

from .agent_support import Domain, KnownPixelsApp, domain, quadrants  # noqa: F401  (domain is a fixture)

COLORS = (0xFF0000, 0x00FF00, 0x0000FF, 0xFFFFFF)
COLOR_ARGUMENT = "ff0000,00ff00,0000ff,ffffff"


def equals(expected: np.ndarray):
    return lambda pixels: pixels.shape == expected.shape and np.array_equal(pixels, expected)


def test_buffer_equals_known_pixels_after_each_fill(domain):
    app = domain.app("--geometry", "200x100+10+20", "--colors", COLOR_ARGUMENT)
    domain.window(app.window_id)
    expected = quadrants(200, 100, COLORS)
    domain.daemon.wait_pixels(app.window_id, equals(expected))

    fills = [(10, 10, 20, 20, 0x123456), (150, 0, 50, 100, 0xABCDEF), (0, 90, 200, 10, 0x0F0F0F),
             (99, 49, 2, 2, 0x808080)]
    for x, y, width, height, color in fills:
        app.command(f"fill {x} {y} {width} {height} {color:06x}")
        expected[y:y + height, x:x + width] = color
        domain.daemon.wait_pixels(app.window_id, equals(expected))


def test_overlapping_windows_are_captured_exactly(domain):
    below = domain.app("--geometry", "300x200+0+0", "--colors", COLOR_ARGUMENT)
    domain.window(below.window_id)
    above = domain.app("--geometry", "300x200+100+50", "--colors", "111111,222222,333333,444444")
    domain.window(above.window_id)

    domain.daemon.wait_pixels(above.window_id, equals(quadrants(300, 200, (0x111111, 0x222222, 0x333333, 0x444444))))
    domain.daemon.wait_pixels(below.window_id, equals(quadrants(300, 200, COLORS)))

    # Drawing into the covered part of the lower window still reaches its buffer.
    below.command("fill 150 100 150 100 00ffff")
    expected = quadrants(300, 200, COLORS)
    expected[100:200, 150:300] = 0x00FFFF
    domain.daemon.wait_pixels(below.window_id, equals(expected))


def test_resized_window_gets_new_buffer_with_its_pixels(domain):
    app = domain.app("--geometry", "100x80+10+10", "--colors", COLOR_ARGUMENT)
    domain.window(app.window_id)
    app.command("resize 240 160")
    domain.daemon.wait_for_message(m.SetBuffer, app.window_id, serial=2, width=240, height=160)
    domain.daemon.wait_pixels(app.window_id, equals(quadrants(240, 160, COLORS)))


def test_burst_of_fills_ends_with_exact_pixels(domain):
    app = domain.app("--geometry", "256x64+0+0", "--colors", "000000")
    domain.window(app.window_id)
    expected = np.zeros((64, 256), dtype=np.uint32)
    for column in range(0, 256, 8):
        color = 0x010101 * (column // 8 + 1)
        app.command(f"fill {column} {column % 64} 8 8 {color:06x}")
        expected[column % 64:column % 64 + 8, column:column + 8] = color
    domain.daemon.wait_pixels(app.window_id, equals(expected))


def test_no_capture_before_buffer_is_accepted(xvfb, tmp_path):
    domain = Domain(xvfb, tmp_path, accept_buffers=False)
    try:
        app = KnownPixelsApp(domain.display, "--geometry", "64x32+5+5", "--colors", "abcdef")
        try:
            set_buffer = domain.daemon.wait_for_message(m.SetBuffer, app.window_id)
            app.command("fill 0 0 10 10 010203")
            # The agent must not write into a buffer the daemon has not accepted:
            # it is still all zero, and no Damage was sent.
            assert domain.daemon.messages_of(m.Damage, app.window_id) == []
            assert not domain.daemon.pixels(app.window_id).any()

            domain.daemon.send(m.BufferAccepted(window=app.window_id, serial=set_buffer.serial))
            damage = domain.daemon.wait_for_message(m.Damage, app.window_id)
            assert (damage.x, damage.y, damage.width, damage.height) == (0, 0, 64, 32)
            expected = np.full((32, 64), 0xABCDEF, dtype=np.uint32)
            expected[0:10, 0:10] = 0x010203
            domain.daemon.wait_pixels(app.window_id, equals(expected))
        finally:
            app.stop()
    finally:
        assert domain.close() == 0
