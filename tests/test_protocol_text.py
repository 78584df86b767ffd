"""Text helpers: UTF-8 cutting for the agent and XKB name checks."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from protocol.text import ELLIPSIS, check_xkb_name, cut_utf8


def test_cut_keeps_short_text_whole():
    assert cut_utf8("title", 512) == b"title"


def test_cut_ends_with_visible_mark():
    cut = cut_utf8("a" * 600, 512)
    assert len(cut) <= 512
    assert cut.endswith(ELLIPSIS.encode())


def test_cut_never_splits_a_character():
    text = "a" * 509 + "\u65e5" + "b"  # 513 bytes; the 3-byte character straddles the cut
    cut = cut_utf8(text, 512)
    assert cut.decode("utf-8").endswith(ELLIPSIS)
    assert "\u65e5" not in cut.decode("utf-8")


def test_cut_of_text_ending_with_ellipsis_is_not_confused():
    assert cut_utf8("done" + ELLIPSIS, 512) == ("done" + ELLIPSIS).encode()


@given(st.text(), st.integers(3, 600))
def test_cut_result_is_valid_utf8_within_limit(text, limit):
    cut = cut_utf8(text, limit)
    assert len(cut) <= limit
    decoded = cut.decode("utf-8")
    assert text.startswith(decoded) or decoded.endswith(ELLIPSIS)


@pytest.mark.parametrize("name", ["us", "de,ru", "grp:alt_shift_toggle,ctrl:nocaps", "pc105", ""])
def test_xkb_names_accepted(name):
    assert check_xkb_name(name.encode()) == name


@pytest.mark.parametrize("name", [b"us; rm -rf /", b"us\n", b"d\xe9", b"$(id)"])
def test_xkb_names_with_shell_characters_rejected(name):
    with pytest.raises(ValueError):
        check_xkb_name(name)
