"""The first program inside a process-backend domain: its X server, agent and applications.

It runs in the sandbox, so it is as untrusted as everything else there; the GUI
side never relies on what it does. It starts the domain's own Xvfb (listening
only on a socket in the sandbox's private /tmp), then the agent, then the
configured applications, and afterwards reads requests from the desktop on a
pipe: one JSON object per line, ``{"run": ["xterm", ...]}`` or ``{"stop": true}``.

It restarts the agent if the agent exits, and stops the whole domain (every
application, the agent and the X server) when the X server exits, on a stop
request, on SIGTERM, or when the pipe closes.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import select
import signal
import subprocess
import sys
import time

from domains.sandbox import CHANNEL_NAME, SANDBOX_RUNTIME
from domains.xserver import start_xvfb

logger = logging.getLogger("domains.inside")

# An agent that keeps dying is restarted at most this often, in seconds.
AGENT_RESTART_INTERVAL = 1.0

# Requests on the pipe are small; a longer line is not a request from the desktop.
MAX_REQUEST_BYTES = 64 * 1024


class DomainInit:
    def __init__(self, width: int, height: int, control_fd: int, applications: list[list[str]]):
        self.width = width
        self.height = height
        self.control_fd = control_fd
        self.applications = applications
        self.environment = dict(os.environ)  # gets DISPLAY once the X server runs
        self.children: list[subprocess.Popen] = []
        self.agent: subprocess.Popen | None = None
        self.stopping = False
        self._control_buffer = b""
        self._agent_restart_at: float | None = None

    def start(self) -> None:
        # The agent loads its modules while Xvfb starts, then reads the display
        # name from a pipe: the two slowest start-up steps overlap.
        display_read, display_write = os.pipe2(os.O_CLOEXEC)
        try:
            self._start_agent(["--display-fd", str(display_read)], pass_fds=(display_read,))
        finally:
            os.close(display_read)
        try:
            self.xserver = start_xvfb(self.width, self.height, stderr=subprocess.DEVNULL)
            os.write(display_write, f"{self.xserver.display}\n".encode())
        finally:
            os.close(display_write)  # without a name the agent exits
        self.environment["DISPLAY"] = self.xserver.display
        for command in self.applications:
            self.run(command)
        print(f"ready {self.xserver.display}", flush=True)

    def _start_agent(self, display_arguments: list[str] | None = None, pass_fds: tuple[int, ...] = ()) -> None:
        self._agent_started = time.monotonic()
        if display_arguments is None:
            display_arguments = ["--display", self.xserver.display]
        self.agent = subprocess.Popen(
            [sys.executable, "-m", "gui_agent.main", *display_arguments,
             "--channel", f"{SANDBOX_RUNTIME}/{CHANNEL_NAME}"],
            env=self.environment, stdin=subprocess.DEVNULL, pass_fds=pass_fds,
        )

    def run(self, command: list[str]) -> None:
        try:
            child = subprocess.Popen(command, env=self.environment, stdin=subprocess.DEVNULL,
                                     start_new_session=True)
        except OSError as error:
            logger.warning("cannot start %s: %s", command[0], error)
            return
        self.children.append(child)
        logger.info("started %s (pid %d)", command[0], child.pid)

    def serve(self) -> None:
        # SIGCHLD writes to the wake-up pipe, so select returns when any child exits
        # and the loop has no periodic wake-ups.
        wakeup_read, wakeup_write = os.pipe2(os.O_NONBLOCK | os.O_CLOEXEC)
        signal.set_wakeup_fd(wakeup_write)
        signal.signal(signal.SIGCHLD, lambda *_: None)
        self._reap()
        while not self.stopping:
            timeout = None if self._agent_restart_at is None else max(0.0, self._agent_restart_at - time.monotonic())
            try:
                readable, _, _ = select.select([self.control_fd, wakeup_read], [], [], timeout)
            except InterruptedError:
                readable = []
            if wakeup_read in readable:
                while True:
                    try:
                        if not os.read(wakeup_read, 512):
                            break
                    except BlockingIOError:
                        break
            if self.control_fd in readable:
                self._read_requests()
            self._reap()

    def _read_requests(self) -> None:
        chunk = os.read(self.control_fd, 4096)
        if not chunk:
            logger.info("the desktop closed the control pipe; stopping")
            self.stopping = True
            return
        self._control_buffer += chunk
        if len(self._control_buffer) > MAX_REQUEST_BYTES:
            logger.warning("control request longer than %d bytes; dropped", MAX_REQUEST_BYTES)
            self._control_buffer = b""
            return
        while b"\n" in self._control_buffer:
            line, self._control_buffer = self._control_buffer.split(b"\n", 1)
            self._handle_request(line)

    def _handle_request(self, line: bytes) -> None:
        try:
            request = json.loads(line)
        except ValueError:
            logger.warning("invalid control request")
            return
        if request.get("stop"):
            self.stopping = True
            return
        command = request.get("run")
        if isinstance(command, list) and command and all(isinstance(part, str) for part in command):
            self.run(command)

    def _reap(self) -> None:
        for child in list(self.children):
            if child.poll() is not None:
                self.children.remove(child)
        if not self.xserver.is_running():
            logger.error("the domain's X server exited; stopping the domain")
            self.stopping = True
            return
        if self.agent is not None and self.agent.poll() is not None:
            restart_at = self._agent_started + AGENT_RESTART_INTERVAL
            if time.monotonic() >= restart_at:
                logger.warning("the agent exited with %s; restarting it", self.agent.returncode)
                self._agent_restart_at = None
                self._start_agent()
            else:
                self._agent_restart_at = restart_at

    def stop(self) -> None:
        for child in self.children:
            if child.poll() is None:
                try:
                    os.killpg(child.pid, signal.SIGTERM)
                except ProcessLookupError:
                    pass
        if self.agent is not None and self.agent.poll() is None:
            self.agent.terminate()
        deadline = time.monotonic() + 2.0
        for process in [*self.children, self.agent]:
            if process is None:
                continue
            try:
                process.wait(max(0.0, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                process.kill()
        self.xserver.stop()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Start a domain's X server, agent and applications.")
    parser.add_argument("--size", required=True, help="screen size WIDTHxHEIGHT, the GUI display's")
    parser.add_argument("--control-fd", type=int, required=True, help="pipe with requests from the desktop")
    parser.add_argument("--applications", default="[]", help="JSON list of commands to start")
    arguments = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s domain-init %(levelname)s: %(message)s")
    width, height = (int(part) for part in arguments.size.split("x"))
    init = DomainInit(width, height, arguments.control_fd, json.loads(arguments.applications))
    signal.signal(signal.SIGTERM, lambda *_: setattr(init, "stopping", True))
    try:
        init.start()
        init.serve()
    finally:
        if hasattr(init, "xserver"):
            init.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
