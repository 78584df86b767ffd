"""The clipboard through the agent, both ways, with real selection owners and requestors."""

from __future__ import annotations

import subprocess
import sys

import pytest

from protocol import limits
from protocol import messages as m
from protocol.messages import ClipboardStatus

from .agent_support import TOP, domain, wait_until, x_environment  # noqa: F401  (domain is a fixture)

SELECTION_OWNER = TOP / "tests" / "apps" / "selection_owner.py"

TEXTS = {
    "ascii": b"hello clipboard",
    "utf8": "naïve café 日本語 🙂".encode(),
    "crlf": b"a\r\nb\r\n",
}


class Owner:
    """A process that owns CLIPBOARD in the domain (xclip or selection_owner.py)."""

    def __init__(self, command, display):
        self.process = subprocess.Popen(command, env=x_environment(display), stdin=subprocess.PIPE,
                                        stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, start_new_session=True)

    def stop(self):
        if self.process.poll() is None:
            self.process.kill()
        self.process.wait()
        self.process.stdin.close()
        self.process.stdout.close()


def own_with_xclip(domain, data: bytes, tmp_path) -> Owner:
    path = tmp_path / "selection.bin"
    path.write_bytes(data)
    owner = Owner(["xclip", "-quiet", "-selection", "clipboard", "-i", str(path)], domain.display)
    wait_until(lambda: _owner_present(domain), message="xclip to own CLIPBOARD")
    return owner


def own_with_python(domain, data: bytes, tmp_path, *options: str) -> Owner:
    path = tmp_path / "selection.bin"
    path.write_bytes(data)
    owner = Owner([sys.executable, str(SELECTION_OWNER), "--display", domain.display, "--data-file", str(path),
                   *options], domain.display)
    assert owner.process.stdout.readline() == b"ready\n"
    return owner


def _owner_present(domain) -> bool:
    from Xlib import display as xdisplay

    client = xdisplay.Display(domain.display)
    try:
        return client.get_selection_owner(client.get_atom("CLIPBOARD")) != 0
    finally:
        client.close()


def request_clipboard(domain, serial: int, max_bytes: int, timeout: float = 15.0) -> m.ClipboardData:
    start = domain.daemon.message_count()
    domain.daemon.send(m.ClipboardRequest(window=0, serial=serial, max_bytes=max_bytes))
    return domain.daemon.wait_for_message(m.ClipboardData, serial=serial, start=start, timeout=timeout)


@pytest.mark.parametrize("name", sorted(TEXTS))
def test_copy_returns_selection_bytes(domain, tmp_path, name):
    owner = own_with_xclip(domain, TEXTS[name], tmp_path)
    try:
        reply = request_clipboard(domain, 1, limits.CLIPBOARD_MAX_BYTES)
    finally:
        owner.stop()
    assert reply.status == ClipboardStatus.OK
    assert reply.data == TEXTS[name]
    assert reply.total_size == len(TEXTS[name])


def test_copy_at_limit_is_complete(domain, tmp_path):
    data = bytes(range(32, 127)) * 1000
    owner = own_with_xclip(domain, data, tmp_path)
    try:
        reply = request_clipboard(domain, 2, len(data))
    finally:
        owner.stop()
    assert reply.status == ClipboardStatus.OK
    assert reply.data == data


def test_copy_over_limit_is_too_large_with_total(domain, tmp_path):
    data = b"x" * 100_001
    owner = own_with_xclip(domain, data, tmp_path)
    try:
        reply = request_clipboard(domain, 3, 100_000)
    finally:
        owner.stop()
    assert reply.status == ClipboardStatus.TOO_LARGE
    assert reply.total_size == 100_001
    assert reply.data == b""


def test_copy_incremental_transfer(domain, tmp_path):
    data = "ünïcödé line\r\n".encode() * 20_000
    owner = own_with_python(domain, data, tmp_path, "--incr-chunk", "4096")
    try:
        reply = request_clipboard(domain, 4, limits.CLIPBOARD_MAX_BYTES)
    finally:
        owner.stop()
    assert reply.status == ClipboardStatus.OK
    assert reply.total_size == len(data)
    assert reply.data == data


def test_copy_incremental_over_limit_reports_real_size(domain, tmp_path):
    data = b"y" * 50_000
    owner = own_with_python(domain, data, tmp_path, "--incr-chunk", "8192")
    try:
        reply = request_clipboard(domain, 5, 20_000)
    finally:
        owner.stop()
    assert reply.status == ClipboardStatus.TOO_LARGE
    assert reply.total_size == 50_000
    assert reply.data == b""


def test_copy_without_owner_is_empty(domain):
    reply = request_clipboard(domain, 6, 1000)
    assert reply.status == ClipboardStatus.EMPTY
    assert reply.data == b""


def test_copy_from_hung_owner_fails(domain, tmp_path):
    owner = own_with_python(domain, b"never sent", tmp_path, "--ignore-requests")
    try:
        reply = request_clipboard(domain, 7, 1000)
    finally:
        owner.stop()
    assert reply.status == ClipboardStatus.FAILED


def paste_and_read(domain, data: bytes, selection: str = "clipboard", target: str = "UTF8_STRING") -> bytes:
    domain.daemon.send(m.ClipboardPaste(window=0, data=data))
    wait_until(lambda: _owner_present(domain), message="the agent to own CLIPBOARD")
    result = subprocess.run(["xclip", "-o", "-selection", selection, "-target", target],
                            env=x_environment(domain.display), capture_output=True, timeout=15, check=True)
    return result.stdout


@pytest.mark.parametrize("name", sorted(TEXTS))
def test_paste_is_served_to_applications(domain, name):
    assert paste_and_read(domain, TEXTS[name]) == TEXTS[name]


def test_paste_is_served_as_primary_too(domain):
    assert paste_and_read(domain, b"primary text", selection="primary") == b"primary text"


def test_paste_as_string_is_latin1(domain):
    assert paste_and_read(domain, "café".encode(), target="STRING") == "café".encode("latin-1")


def test_paste_of_maximum_size_uses_incr(domain):
    data = bytes(range(256)) * (limits.CLIPBOARD_MAX_BYTES // 256)
    assert paste_and_read(domain, data) == data


def test_copy_after_paste_returns_pasted_text(domain):
    domain.daemon.send(m.ClipboardPaste(window=0, data=b"round trip"))
    wait_until(lambda: _owner_present(domain), message="the agent to own CLIPBOARD")
    reply = request_clipboard(domain, 8, 1000)
    assert reply.status == ClipboardStatus.OK
    assert reply.data == b"round trip"
