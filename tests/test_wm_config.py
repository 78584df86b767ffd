"""desktop.toml for the window manager: defaults, valid settings and clear errors."""

from __future__ import annotations

from pathlib import Path

import pytest
from Xlib import XK

from wm.config import DEFAULT_HOTKEYS, ConfigError, load_config, parse_hotkey


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "desktop.toml"
    path.write_text(text)
    return path


def test_missing_file_gives_defaults(tmp_path):
    config = load_config(tmp_path / "absent.toml")
    assert config.bar_height == 24
    assert config.xray_mode == "hold"
    assert config.fullscreen_domains == ()
    assert set(config.hotkeys) == set(DEFAULT_HOTKEYS)
    assert config.hotkeys["switch_next"].modifiers == {"Alt"}
    assert config.hotkeys["switch_next"].keysym == XK.XK_Tab


def test_default_path_follows_xdg_config_home(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path))
    write_path = tmp_path / "odyssey" / "desktop.toml"
    write_path.parent.mkdir()
    write_path.write_text("[wm]\nbar_height = 32\n")
    assert load_config().bar_height == 32


def test_valid_settings_are_read(tmp_path):
    config = load_config(write(tmp_path, """
[wm]
bar_height = 30
border_width = 6
clock_format = "%H:%M"
notice_seconds = 2.5
xray_mode = "toggle"
fullscreen_domains = ["video", "gui"]
move_step = 10

[hotkeys]
xray = "Super+Shift+X"
copy = "Super+C"
paste = "Super+V"
unrelated_program_key = "Ctrl+Q"

[clipboard]
max_bytes = 100
"""))
    assert (config.bar_height, config.border_width, config.move_step) == (30, 6, 10)
    assert config.notice_seconds == 2.5
    assert config.fullscreen_domains == ("video", "gui")
    assert config.hotkeys["xray"].modifiers == {"Super", "Shift"}
    assert "copy" not in config.hotkeys


@pytest.mark.parametrize("text, key, reason", [
    ("[wm]\nbar_height = 9000\n", "[wm] bar_height", "must be an integer from 16 to 64"),
    ("[wm]\nbar_height = true\n", "[wm] bar_height", "must be an integer from 16 to 64"),
    ("[wm]\nborder_width = \"4\"\n", "[wm] border_width", "must be an integer from 1 to 16"),
    ("[wm]\nxray_mode = \"sometimes\"\n", "[wm] xray_mode", "must be one of hold, toggle"),
    ("[wm]\nnotice_seconds = 0\n", "[wm] notice_seconds", "from 1 to 60"),
    ("[wm]\nfullscreen_domains = [\"bad name\"]\n", "[wm] fullscreen_domains", "invalid domain name"),
    ("[wm]\nfont = \"\"\n", "[wm] font", "must be a non-empty string"),
    ("[hotkeys]\nclose = \"Hyper+Q\"\n", "[hotkeys] close", "unknown modifier 'Hyper'"),
    ("[hotkeys]\nclose = \"Alt+NoSuchKey\"\n", "[hotkeys] close", "unknown key 'NoSuchKey'"),
    ("[hotkeys]\nclose = \"Alt+\"\n", "[hotkeys] close", "joined by '+'"),
    ("[hotkeys]\nclose = \"Ctrl+Shift+C\"\n", "[hotkeys] close", "is already the hotkey of copy"),
    ("[hotkeys]\nmaximize = \"Alt+Tab\"\n", "[hotkeys] maximize", "is already the hotkey of switch_next"),
])
def test_invalid_value_error_names_key(tmp_path, text, key, reason):
    path = write(tmp_path, text)
    with pytest.raises(ConfigError) as raised:
        load_config(path)
    message = str(raised.value)
    assert message.startswith(f"{path}: {key} = ")
    assert reason in message


def test_invalid_toml_is_reported(tmp_path):
    path = write(tmp_path, "[wm\n")
    with pytest.raises(ConfigError, match="is not valid TOML"):
        load_config(path)


def test_parse_hotkey_accepts_aliases_and_case():
    first, second = parse_hotkey("ctrl+alt+T"), parse_hotkey("Control+Mod1+t")
    assert (first.modifiers, first.keysym) == (second.modifiers, second.keysym) == ({"Control", "Alt"}, XK.XK_t)
    assert parse_hotkey("Win+Left").modifiers == {"Super"}
    with pytest.raises(ValueError, match="is a modifier"):
        parse_hotkey("Alt+Shift_L")
