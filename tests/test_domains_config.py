"""Domain definitions: valid files load, and every error names the file, line and key."""

from __future__ import annotations

import pytest

from domains.config import ConfigError, DomainConfig, load_domain, load_domains, parse_domain, save_domain
from domains.names import InvalidDomainName, check_domain_name


def write(tmp_path, name, text):
    path = tmp_path / f"{name}.toml"
    path.write_text(text)
    return path


def test_full_definition_loads(tmp_path):
    write(tmp_path, "work", 'label = "blue"\nallow_fullscreen = true\nautostart = true\n'
          'applications = [["xterm"], ["xclock", "-update", "1"]]\n'
          '[clipboard]\ncopy_to = ["personal"]\npaste_from = ["*"]\n')
    config = load_domain("work", tmp_path)
    assert config == DomainConfig("work", "blue", "process", True, True, (("xterm",), ("xclock", "-update", "1")),
                                  ("personal",), ("*",))


def test_saved_definition_loads_back(tmp_path):
    original = DomainConfig("vault", "black", applications=(("xterm", "-e", "sh"),), clipboard_copy_to=("work",))
    save_domain(original, tmp_path)
    assert load_domain("vault", tmp_path) == original
    assert [config.name for config in load_domains(tmp_path)] == ["vault"]


@pytest.mark.parametrize("text, line, key, words", [
    ('label = "pink"\n', 1, "label", "must be one of red, orange"),
    ('\nlabel = "red"\nbackend = "kvm"\n', 3, "backend", "must be one of process"),
    ('label = "red"\nallow_fullscreen = "yes"\n', 2, "allow_fullscreen", "true or false"),
    ('label = "red"\napplications = ["xterm"]\n', 2, "applications", "list of 1 to"),
    ('label = "red"\ncolour = "red"\n', 2, "colour", "unknown key"),
    ('label = "red"\n[clipboard]\ncopy_to = ["Bad Name"]\n', 3, "clipboard.copy_to", "invalid domain name"),
    ('label = "red"\n[clipboard]\npaste_to = ["*"]\n', 3, "clipboard.paste_to", "unknown key"),
])
def test_errors_name_file_line_and_key(tmp_path, text, line, key, words):
    path = write(tmp_path, "work", text)
    with pytest.raises(ConfigError) as raised:
        load_domain("work", tmp_path)
    message = str(raised.value)
    assert message.startswith(f"{path}:{line}: {key}: ")
    assert words in message


def test_invalid_toml_names_the_file_and_position(tmp_path):
    path = write(tmp_path, "work", 'label = "red\n')
    with pytest.raises(ConfigError, match=rf"{path}: invalid TOML: .*line 1"):
        load_domain("work", tmp_path)


def test_missing_domain_says_how_to_create_it(tmp_path):
    with pytest.raises(ConfigError, match="odyssey create ghost --label COLOUR"):
        load_domain("ghost", tmp_path)


def test_file_name_must_be_a_valid_domain_name(tmp_path):
    path = tmp_path / "Bad Name.toml"
    with pytest.raises(ConfigError, match="the file name gives the domain name"):
        parse_domain(path, 'label = "red"\n')


def test_existing_definition_is_not_overwritten(tmp_path):
    save_domain(DomainConfig("work", "blue"), tmp_path)
    with pytest.raises(ConfigError, match="exists already"):
        save_domain(DomainConfig("work", "red"), tmp_path)


@pytest.mark.parametrize("name", ["work", "a", "personal-2", "x" * 32])
def test_valid_domain_names(name):
    assert check_domain_name(name) == name


@pytest.mark.parametrize("name", ["", "Work", "work; touch /tmp/pwned", "[vault]", "x" * 33, "café", "gui", "-x",
                                  "1abc", "a b", "a/b", "a.b"])
def test_invalid_domain_names(name):
    with pytest.raises(InvalidDomainName):
        check_domain_name(name)
