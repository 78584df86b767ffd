"""The ``process`` backend: a domain is a bubblewrap sandbox on this machine.

Starting a domain prepares its directories, starts the sandbox with the domain
init (``domains.inside``) and keeps the write end of its request pipe. Stopping
asks the init to stop, waits, and kills the sandbox if it does not exit in time;
``--die-with-parent`` and the pid namespace mean that killing bubblewrap ends
every process of the domain. The runtime directory is removed afterwards, so a
stopped domain leaves no process, socket or buffer behind.

Isolation strength: a sandbox shares the kernel with the GUI domain. It keeps
a domain away from the network, the GUI display's X server, other domains'
files and processes, but a kernel exploit inside a domain reaches the host.
"""

from __future__ import annotations

import json
import logging
import os
import shutil
import signal
import subprocess
import sys
from pathlib import Path

from . import paths
from .config import DomainConfig
from .sandbox import SandboxLayout, bwrap_command

logger = logging.getLogger(__name__)

# CPU priority of everything in a domain, as a nice value above the desktop's own:
# a domain that keeps the CPU busy then slows itself, not the daemons, the window
# manager and the GUI X server that show every domain.
DOMAIN_NICENESS = 5

# Seconds a domain gets to stop its applications before it is killed.
STOP_TIMEOUT = 5.0


class DomainStartError(RuntimeError):
    """The sandbox of a domain could not be started; the message gives the reason."""


class ProcessDomain:
    """One running (or startable) process-backend domain."""

    def __init__(self, config: DomainConfig, screen_size: tuple[int, int]):
        self.config = config
        self.screen_size = screen_size
        self.layout = SandboxLayout(config.name, paths.domain_home(config.name),
                                    paths.domain_runtime_directory(config.name))
        self.process: subprocess.Popen | None = None
        self._control_write: int | None = None
        self.log_path = self.layout.runtime.parent / f"{config.name}.log"

    @property
    def name(self) -> str:
        return self.config.name

    @property
    def channel_path(self) -> Path:
        return self.layout.channel_path

    def prepare(self) -> None:
        """Create the home (kept across runs) and an empty runtime directory."""
        self.layout.home.mkdir(mode=0o700, parents=True, exist_ok=True)
        if self.layout.runtime.exists():
            shutil.rmtree(self.layout.runtime)
        self.layout.runtime.mkdir(mode=0o700, parents=True)

    def start(self, applications: tuple[tuple[str, ...], ...] | None = None) -> None:
        """Start the sandbox. The daemon must already listen on ``channel_path``."""
        if self.is_running():
            return
        applications = self.config.applications if applications is None else applications
        control_read, control_write = os.pipe2(os.O_CLOEXEC)
        os.set_inheritable(control_read, True)
        width, height = self.screen_size
        inner = [sys.executable, "-m", "domains.inside", "--size", f"{width}x{height}",
                 "--control-fd", str(control_read), "--applications", json.dumps([list(a) for a in applications])]
        try:
            with self.log_path.open("ab") as log:
                self.process = subprocess.Popen(
                    ["nice", "-n", str(DOMAIN_NICENESS), *bwrap_command(self.layout, inner)],
                    pass_fds=(control_read,), stdin=subprocess.DEVNULL,
                    stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
                )
        except OSError as error:
            os.close(control_write)
            raise DomainStartError(f"cannot start the sandbox of {self.name}: {error}") from None
        finally:
            os.close(control_read)
        self._control_write = control_write
        logger.info("domain %s: sandbox started (pid %d)", self.name, self.process.pid)

    def is_running(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def run(self, command: list[str]) -> None:
        """Start an application inside the running domain."""
        self._request({"run": list(command)})

    def _request(self, request: dict) -> None:
        if not self.is_running() or self._control_write is None:
            raise DomainStartError(f"domain {self.name} is not running")
        try:
            os.write(self._control_write, json.dumps(request).encode() + b"\n")
        except BrokenPipeError:
            raise DomainStartError(f"domain {self.name} stopped") from None

    def stop(self, timeout: float = STOP_TIMEOUT) -> None:
        """Stop every process of the domain and remove its runtime directory."""
        if self.process is not None:
            if self.process.poll() is None:
                try:
                    self._request({"stop": True})
                except DomainStartError:
                    pass
                try:
                    self.process.wait(timeout)
                except subprocess.TimeoutExpired:
                    logger.warning("domain %s did not stop within %.0f s; killing it", self.name, timeout)
                    os.killpg(self.process.pid, signal.SIGKILL)
                    self.process.wait()
            logger.info("domain %s: sandbox exited with %s", self.name, self.process.returncode)
        if self._control_write is not None:
            os.close(self._control_write)
            self._control_write = None
        if self.layout.runtime.exists():
            shutil.rmtree(self.layout.runtime, ignore_errors=True)
