"""The agent's command line: the display name read from an inherited pipe."""

from __future__ import annotations

import os
import subprocess
import sys

from gui_agent.main import MAX_DISPLAY_NAME_BYTES, read_display_name


def pipe_with(data: bytes) -> int:
    read_end, write_end = os.pipe()
    os.write(write_end, data)
    os.close(write_end)
    return read_end


def test_display_name_is_read_from_one_line():
    assert read_display_name(pipe_with(b":7\n")) == ":7"


def test_display_name_pipe_is_closed_after_reading():
    fd = pipe_with(b":7\n")
    read_display_name(fd)
    try:
        os.fstat(fd)
    except OSError:
        return
    raise AssertionError(f"fd {fd} is still open")


def test_display_name_missing_or_cut_is_rejected():
    assert read_display_name(pipe_with(b"")) is None
    assert read_display_name(pipe_with(b":7")) is None
    assert read_display_name(pipe_with(b"\n")) is None
    assert read_display_name(pipe_with(b":" + b"1" * MAX_DISPLAY_NAME_BYTES + b"\n")) is None


def test_agent_exits_when_no_display_name_arrives(tmp_path):
    read_end, write_end = os.pipe()
    os.close(write_end)  # the domain's X server "failed": the pipe closes without a name
    completed = subprocess.run(
        [sys.executable, "-m", "gui_agent.main", "--display-fd", str(read_end),
         "--channel", str(tmp_path / "missing.sock")],
        pass_fds=(read_end,), capture_output=True, text=True, timeout=60,
    )
    os.close(read_end)
    assert completed.returncode == 1
    assert "no display name arrived on --display-fd" in completed.stderr
