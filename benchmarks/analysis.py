"""Join the application's and the observer's logs into the benchmark's figures.

Both logs are text lines ``VALUE SECONDS``: the application's frame counter and
the CLOCK_MONOTONIC time after the X server took the frame, and the observer's
pixel value and the time it saw that value on the viewer display. Only the
frames the application drew inside the measurement window count. A frame is
seen when its counter appears in the observer's log (values that are no
counter, such as a window background, are ignored). Its latency is the time
from the application's log line to the observer's first sight of it.

CPU figures come from ``/proc/PID/stat`` (utime + stime) sampled at the start
and end of the measurement window, in cores: CPU seconds per second.
"""

from __future__ import annotations

import dataclasses
import math
import os
from collections.abc import Iterable, Sequence
from pathlib import Path

CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def read_log(path: Path) -> list[tuple[int, float]]:
    """Return the (value, seconds) pairs of a log file, in file order."""
    entries = []
    for line in path.read_text().splitlines():
        value, seconds = line.split()
        entries.append((int(value), float(seconds)))
    return entries


def percentile(values: Sequence[float], fraction: float) -> float:
    """Return the nearest-rank percentile (``fraction`` in 0..1) of non-empty ``values``."""
    if not values:
        raise ValueError("percentile of no values")
    ordered = sorted(values)
    rank = max(1, math.ceil(fraction * len(ordered)))
    return ordered[rank - 1]


@dataclasses.dataclass(frozen=True)
class FrameFigures:
    """Frame figures of one measurement window; latencies in milliseconds."""

    drawn: int
    seen: int
    seen_per_second: float
    latency_p50: float | None
    latency_p90: float | None
    latency_p99: float | None
    latency_max: float | None

    @property
    def fraction_seen(self) -> float:
        return self.seen / self.drawn if self.drawn else 0.0


def analyse_frames(app_log: Iterable[tuple[int, float]], observer_log: Iterable[tuple[int, float]],
                   window_start: float, window_end: float) -> FrameFigures:
    """Compute frames drawn and seen, latencies and frames seen per second in [start, end).

    Frames drawn are the application's entries timed inside the window. Frames
    seen per second counts the observer's sightings of any counter the
    application drew, timed inside the window.
    """
    drawn_at = {counter: at for counter, at in app_log}
    first_seen: dict[int, float] = {}
    for value, at in observer_log:
        if value in drawn_at and value not in first_seen:
            first_seen[value] = at
    in_window = [counter for counter, at in drawn_at.items() if window_start <= at < window_end]
    latencies = [1000.0 * (first_seen[counter] - drawn_at[counter]) for counter in in_window if counter in first_seen]
    sightings = sum(1 for at in first_seen.values() if window_start <= at < window_end)
    duration = window_end - window_start
    if latencies:
        p50, p90, p99 = (percentile(latencies, fraction) for fraction in (0.50, 0.90, 0.99))
        worst = max(latencies)
    else:
        p50 = p90 = p99 = worst = None
    return FrameFigures(
        drawn=len(in_window), seen=len(latencies), seen_per_second=sightings / duration if duration > 0 else 0.0,
        latency_p50=p50, latency_p90=p90, latency_p99=p99, latency_max=worst,
    )


# -- CPU and wake-ups from /proc --------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class ProcessSample:
    """Counters of one process at one moment; CPU in seconds."""

    cpu_seconds: float
    voluntary_switches: int
    involuntary_switches: int


def sample_process(pid: int) -> ProcessSample | None:
    """Read a process's CPU time and context switches; None when it has exited."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
        status = Path(f"/proc/{pid}/status").read_text()
    except (FileNotFoundError, ProcessLookupError):
        return None
    # The command name (field 2) is in parentheses and may contain spaces.
    fields = stat[stat.rindex(")") + 2:].split()
    utime, stime = int(fields[11]), int(fields[12])
    switches = {}
    for line in status.splitlines():
        name, _, value = line.partition(":")
        if name in ("voluntary_ctxt_switches", "nonvoluntary_ctxt_switches"):
            switches[name] = int(value)
    return ProcessSample((utime + stime) / CLOCK_TICKS, switches.get("voluntary_ctxt_switches", 0),
                         switches.get("nonvoluntary_ctxt_switches", 0))


def sample_roles(roles: dict[str, Sequence[int]]) -> dict[str, dict[int, ProcessSample]]:
    """Sample every process of every role: role -> pid -> sample (exited processes left out)."""
    result = {}
    for role, pids in roles.items():
        samples = {}
        for pid in pids:
            sample = sample_process(pid)
            if sample is not None:
                samples[pid] = sample
        result[role] = samples
    return result


@dataclasses.dataclass(frozen=True)
class RoleUsage:
    """CPU in cores and context switches per second of one role over a window."""

    cores: float
    voluntary_per_second: float


def role_usage(before: dict[str, dict[int, ProcessSample]], after: dict[str, dict[int, ProcessSample]],
               seconds: float) -> dict[str, RoleUsage]:
    """Return each role's usage between two samples; processes present in both count."""
    usage = {}
    for role, samples in after.items():
        cpu = switches = 0.0
        for pid, sample in samples.items():
            earlier = before.get(role, {}).get(pid)
            if earlier is None:
                continue
            cpu += sample.cpu_seconds - earlier.cpu_seconds
            switches += sample.voluntary_switches - earlier.voluntary_switches
        usage[role] = RoleUsage(cpu / seconds, switches / seconds)
    return usage


def process_tree(root_pid: int) -> list[int]:
    """Return root_pid and all its descendants alive now."""
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            stat = Path(f"/proc/{entry}/stat").read_text()
        except (FileNotFoundError, ProcessLookupError):
            continue
        parent = int(stat[stat.rindex(")") + 2:].split()[1])
        children.setdefault(parent, []).append(int(entry))
    found, pending = [], [root_pid]
    while pending:
        pid = pending.pop()
        found.append(pid)
        pending.extend(children.get(pid, ()))
    return found


def command_line(pid: int) -> list[str]:
    """Return a process's arguments, or an empty list when it has exited."""
    try:
        raw = Path(f"/proc/{pid}/cmdline").read_bytes()
    except (FileNotFoundError, ProcessLookupError):
        return []
    return [part.decode(errors="replace") for part in raw.split(b"\0") if part]
