"""Labels, property names, notices and the text helpers that keep titles in their place."""

from __future__ import annotations

import pytest

from wm.labels import GUI_LABEL, LABELS, label_for_rgb, rgb_to_components
from wm.notices import MAX_QUEUED_NOTICES, NoticeQueue, parse_notices
from wm.properties import encode_notice
from wm.text import ELLIPSIS, REPLACEMENT, display_characters, fit_characters, sanitize_untrusted_title


def contrast_ratio(first: int, second: int) -> float:
    """WCAG 2 contrast ratio of two 0xRRGGBB colours."""
    def luminance(rgb: int) -> float:
        channels = []
        for value in rgb_to_components(rgb):
            value /= 255
            channels.append(value / 12.92 if value <= 0.03928 else ((value + 0.055) / 1.055) ** 2.4)
        red, green, blue = channels
        return 0.2126 * red + 0.7152 * green + 0.0722 * blue
    lighter, darker = sorted((luminance(first), luminance(second)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


def test_label_palette_is_the_shared_one():
    assert {name: label.rgb for name, label in LABELS.items()} == {
        "red": 0xE53935, "orange": 0xFB8C00, "yellow": 0xFDD835, "green": 0x43A047,
        "gray": 0x757575, "blue": 0x1E88E5, "purple": 0x8E24AA, "black": 0x212121,
    }
    assert all(label.name == name for name, label in LABELS.items())


@pytest.mark.parametrize("label", [*LABELS.values(), GUI_LABEL], ids=lambda label: label.name)
def test_label_text_is_readable(label):
    assert contrast_ratio(label.rgb, label.text_rgb) >= 3.5


def test_gui_colour_is_not_a_label():
    assert label_for_rgb(GUI_LABEL.rgb) is None
    assert GUI_LABEL.name not in LABELS
    assert label_for_rgb(0x1E88E5) is LABELS["blue"]


def test_encode_notice_rejects_separators():
    assert encode_notice("work", "blue", "Copied 3 bytes") == b"work\tblue\tCopied 3 bytes\n"
    with pytest.raises(ValueError, match="message must not contain"):
        encode_notice("work", "blue", "two\nlines")


def test_parse_notices_checks_every_field():
    data = (b"work\tblue\tCopied\n"
            b"gui\tred\tScreen locked\n"
            b"-bad\tblue\tx\n"
            b"personal\tpink\tx\n"
            b"only\tone-tab\n"
            b"vault\tgreen\tPaste refused\n")
    notices = parse_notices(data, {"vault": LABELS["black"]})
    assert [(notice.domain, notice.label.name, notice.message) for notice in notices] == [
        ("work", "blue", "Copied"),
        ("gui", "gui", "Screen locked"),
        ("vault", "black", "Paste refused"),
    ]


def test_notice_message_is_plain_and_bounded():
    notices = parse_notices(b"work\tblue\t\x1b[2J<b>bold</b>\xff" + b"x" * 500 + b"\n", {})
    message = notices[0].message
    assert message.startswith("\ufffd[2J<b>bold</b>\ufffd")
    assert len(message) == 160
    assert message.endswith("\u2026")


def test_notice_queue_drops_oldest_when_full():
    queue = NoticeQueue()
    queue.extend(parse_notices(b"".join(b"work\tblue\t%d\n" % number
                                        for number in range(MAX_QUEUED_NOTICES + 3)), {}))
    assert len(queue) == MAX_QUEUED_NOTICES
    assert queue.pop().message == "3"
    assert queue.dropped == 3


def test_display_characters_replace_astral():
    assert display_characters("ab\u05d0\u05d1") == [0x61, 0x62, 0x5D0, 0x5D1]
    assert display_characters("\U0001F600") == [REPLACEMENT]


def test_fit_characters_marks_cut_text():
    characters = display_characters("abcdefghij")
    assert fit_characters(characters, 70, 7) == characters
    assert fit_characters(characters, 35, 7) == display_characters("abcd") + [ELLIPSIS]
    assert fit_characters(characters, 6, 7) == []


@pytest.mark.parametrize("untrusted, expected", [
    (b"Inbox", "Inbox"),
    (b"\xe2\x80\xae]tluav[", "]tluav["),
    (b"a\nb\x07c", "a\ufffdb\ufffdc"),
    (b"\xc3\x28", "\ufffd("),
])
def test_titles_are_sanitized_for_layout(untrusted, expected):
    assert sanitize_untrusted_title(untrusted) == expected


def test_truncated_title_gets_cut_mark():
    # The bounded read cut a two-byte "é" in half: it is dropped, not replaced.
    assert sanitize_untrusted_title("ab\u00e9".encode()[:-1], truncated=True) == "ab\u2026"
    assert sanitize_untrusted_title(b"abc", truncated=True) == "abc\u2026"
