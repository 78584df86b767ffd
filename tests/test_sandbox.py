"""The process backend's sandbox: what a domain can and cannot reach.

Each check runs a small Python program inside a real bubblewrap sandbox built
exactly as a domain's, while the test owns a real GUI display and a second
domain's files on the host.
"""

from __future__ import annotations

import json
import socket
import subprocess
import sys

import pytest

from domains.sandbox import SANDBOX_HOME, SandboxLayout, bwrap_command

PROBE = r"""
import json, os, socket, sys
result = {}
result["uid"] = os.getuid()
result["hostname"] = socket.gethostname()
result["x11_sockets"] = sorted(os.listdir("/tmp/.X11-unix"))
def can_connect(address, family=socket.AF_UNIX):
    probe = socket.socket(family, socket.SOCK_STREAM)
    probe.settimeout(2)
    try:
        probe.connect(address)
        return True
    except OSError:
        return False
    finally:
        probe.close()
result["abstract_x"] = can_connect("\0/tmp/.X11-unix/X" + sys.argv[1])
result["tcp_loopback"] = can_connect(("127.0.0.1", int(sys.argv[2])), socket.AF_INET)
result["interfaces"] = sorted(os.listdir("/sys/class/net")) if os.path.isdir("/sys/class/net") else []
result["home"] = sorted(os.listdir(os.environ["HOME"]))
result["other_home_visible"] = os.path.exists(sys.argv[3])
result["runtime"] = sorted(os.listdir("/run/odyssey"))
result["pids"] = sorted(int(p) for p in os.listdir("/proc") if p.isdigit())
result["etc_shadow"] = os.path.exists("/etc/shadow")
try:
    open("/usr/bin/xterm", "ab")
    result["usr_writable"] = True
except OSError:
    result["usr_writable"] = False
open(os.path.join(os.environ["HOME"], "written-inside"), "w").write("kept")
print(json.dumps(result))
"""


def make_domain(tmp_path, name):
    layout = SandboxLayout(name, tmp_path / name / "home", tmp_path / name / "runtime")
    layout.home.mkdir(parents=True)
    layout.runtime.mkdir(parents=True)
    return layout


@pytest.fixture
def probe_result(xvfb, tmp_path):
    work = make_domain(tmp_path, "work")
    vault = make_domain(tmp_path, "vault")
    (vault.home / "secret.txt").write_text("vault data")
    (vault.runtime / "gui.sock").write_text("")
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.bind(("127.0.0.1", 0))
    listener.listen()
    port = listener.getsockname()[1]
    command = bwrap_command(work, [sys.executable, "-c", PROBE, str(xvfb.display_number), str(port),
                                   str(vault.home / "secret.txt")])
    completed = subprocess.run(command, capture_output=True, text=True, timeout=60)
    listener.close()
    assert completed.returncode == 0, completed.stderr
    return json.loads(completed.stdout), work


def test_sandbox_cannot_reach_the_gui_display(probe_result):
    result, _ = probe_result
    assert result["x11_sockets"] == []
    assert result["abstract_x"] is False


def test_sandbox_has_no_network(probe_result):
    result, _ = probe_result
    assert result["tcp_loopback"] is False
    assert result["interfaces"] in ([], ["lo"])


def test_sandbox_cannot_see_another_domain(probe_result):
    result, _ = probe_result
    assert result["other_home_visible"] is False
    assert result["runtime"] == ["etc"]


def test_sandbox_sees_only_its_own_processes(probe_result):
    result, _ = probe_result
    assert len(result["pids"]) <= 3


def test_sandbox_identity_and_read_only_system(probe_result):
    result, _ = probe_result
    assert result["uid"] == 1000
    assert result["hostname"] == "work"
    assert result["etc_shadow"] is False
    assert result["usr_writable"] is False


def test_sandbox_home_persists_on_the_host(probe_result):
    _, work = probe_result
    assert (work.home / "written-inside").read_text() == "kept"
    assert SANDBOX_HOME == "/home/user"
