"""The daemon registry and the X-Resource ownership check that decide who owns a window."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from Xlib import X, Xatom, display as xdisplay

from wm import properties, trust
from wm.labels import GUI_LABEL, LABELS
from wm.trust import GUI_IDENTITY, DaemonRegistry, Identity, RegistryError


@pytest.fixture
def runtime_dir(tmp_path, monkeypatch):
    directory = tmp_path / "run"
    directory.mkdir(mode=0o700)
    monkeypatch.setenv("XDG_RUNTIME_DIR", str(directory))
    return directory


def test_register_writes_private_record(runtime_dir):
    path = trust.register_daemon("work", "blue")
    assert path == runtime_dir / "odyssey" / "daemons" / str(os.getpid())
    assert path.read_text() == f"domain=work\nlabel=blue\nstart_time={trust.process_start_time(os.getpid())}\n"
    assert path.stat().st_mode & 0o777 == 0o600
    assert path.parent.stat().st_mode & 0o777 == 0o700
    assert DaemonRegistry().lookup(os.getpid()) == trust.DaemonRecord(os.getpid(), "work", "blue",
                                                                      trust.process_start_time(os.getpid()))
    trust.unregister_daemon(path)
    assert not path.exists()
    assert DaemonRegistry().lookup(os.getpid()) is None
    trust.unregister_daemon(path)  # twice is fine


@pytest.mark.parametrize("domain, label, message", [
    ("gui", "red", "reserved"),
    ("GUI", "red", "invalid domain name"),
    ("", "red", "invalid domain name"),
    ("9lives", "red", "invalid domain name"),
    ("has space", "red", "invalid domain name"),
    ("x" * 33, "red", "invalid domain name"),
    ("work", "pink", "unknown label"),
])
def test_register_rejects_bad_names(runtime_dir, domain, label, message):
    with pytest.raises(ValueError, match=message):
        trust.register_daemon(domain, label)


def test_register_needs_runtime_dir(monkeypatch):
    monkeypatch.delenv("XDG_RUNTIME_DIR", raising=False)
    with pytest.raises(RegistryError, match="XDG_RUNTIME_DIR is not set"):
        trust.register_daemon("work", "blue")


def test_stale_record_is_ignored(runtime_dir):
    path = trust.register_daemon("work", "blue")
    content = path.read_text().splitlines()
    path.write_text("\n".join(content[:2]) + "\nstart_time=1\n")
    assert DaemonRegistry().lookup(os.getpid()) is None


@pytest.mark.parametrize("content", [
    "domain=work\nlabel=blue\n",
    "domain=work\nlabel=blue\nstart_time=1\nextra=1\n",
    "domain=work\ndomain=work\nlabel=blue\nstart_time=1\n",
    "domain=gui\nlabel=blue\nstart_time={start}\n",
    "domain=work\nlabel=pink\nstart_time={start}\n",
    "domain=w\u00f6rk\nlabel=blue\nstart_time={start}\n",
])
def test_malformed_record_is_ignored(runtime_dir, content):
    path = trust.register_daemon("work", "blue")
    path.write_text(content.format(start=trust.process_start_time(os.getpid())))
    assert DaemonRegistry().lookup(os.getpid()) is None


def test_record_writable_by_others_is_ignored(runtime_dir):
    path = trust.register_daemon("work", "blue")
    path.chmod(0o622)
    assert DaemonRegistry().lookup(os.getpid()) is None
    path.chmod(0o600)
    path.parent.chmod(0o777)
    assert DaemonRegistry().lookup(os.getpid()) is None


def test_symlinked_record_is_ignored(runtime_dir, tmp_path):
    path = trust.register_daemon("work", "blue")
    target = tmp_path / "elsewhere"
    target.write_text(path.read_text())
    path.unlink()
    path.symlink_to(target)
    assert DaemonRegistry().lookup(os.getpid()) is None


def make_window(connection, domain: str | None = None):
    window = connection.screen().root.create_window(0, 0, 10, 10, 0, X.CopyFromParent)
    if domain is not None:
        window.change_property(connection.get_atom(properties.ODYSSEY_DOMAIN), connection.get_atom("UTF8_STRING"),
                               8, domain.encode())
        window.change_property(connection.get_atom(properties.ODYSSEY_LABEL), Xatom.CARDINAL, 32,
                               [LABELS["blue"].rgb])
    connection.sync()
    return window


def test_owner_pid_from_x_resource(xvfb):
    connection = xdisplay.Display(xvfb.display)
    window = make_window(connection)
    assert trust.owner_pid(connection, window.id) == os.getpid()
    assert trust.owner_pid(connection, 0x1FFFFFF0) is None
    # A window of another process reports that process.
    script = ("import sys; from Xlib import display, X; d = display.Display(sys.argv[1]); "
              "w = d.screen().root.create_window(0, 0, 5, 5, 0, X.CopyFromParent); d.sync(); "
              "print(w.id, flush=True); sys.stdin.read()")
    child = subprocess.Popen([sys.executable, "-c", script, xvfb.display], stdin=subprocess.PIPE,
                             stdout=subprocess.PIPE, text=True)
    try:
        child_window = int(child.stdout.readline())
        assert trust.owner_pid(connection, child_window) == child.pid
    finally:
        child.stdin.close()
        child.wait(10)


def test_identify_window_trusts_only_registered_owner(xvfb, runtime_dir):
    connection = xdisplay.Display(xvfb.display)
    registry = DaemonRegistry()
    claimed = make_window(connection, "work")
    plain = make_window(connection)
    assert trust.identify_window(connection, claimed.id, registry) == GUI_IDENTITY
    path = trust.register_daemon("work", "blue")
    assert trust.identify_window(connection, claimed.id, registry) == Identity("work", LABELS["blue"], True)
    assert trust.identify_window(connection, plain.id, registry) == GUI_IDENTITY
    other = make_window(connection, "vault")
    assert trust.identify_window(connection, other.id, registry) == GUI_IDENTITY
    trust.unregister_daemon(path)
    assert trust.identify_window(connection, claimed.id, registry).label is GUI_LABEL
