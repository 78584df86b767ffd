"""End-to-end benchmark: Odyssey against Xpra and the direct floor, in one run.

For each run, each case (what the application draws) and each configuration
(see ``setups``), in turn, the script starts a fresh viewer Xvfb, the
configuration, the observer and the application. It waits for the first frame
on the viewer and lets the application run ``--warmup`` seconds. Then it
measures ``--seconds`` seconds: frames drawn and seen, latency, frames seen per
second, and the CPU of every process involved. Then it measures idle windows, and numpy's copy of
one 1920x1080 frame as the memory-bandwidth floor.

Usage (the whole benchmark, about 25 minutes on 2 cores):

    bash benchmarks/install.sh
    .venv/bin/python benchmarks/run_all.py --write docs/benchmarks.md

A smoke test of two configurations and one case:

    .venv/bin/python benchmarks/run_all.py --configs direct,odyssey --cases square60 --runs 1 --seconds 3 --idle-seconds 0

Raw results go to ``benchmarks/results/e2e-TIME.json``.
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime
import json
import os
import platform
import shlex
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks import analysis, report  # noqa: E402
from benchmarks.setups import CONFIGURATIONS, START_TIMEOUT, SetupError, read_line, wait_for  # noqa: E402
from domains.xserver import start_xvfb  # noqa: E402

OBSERVER = Path(__file__).resolve().parent / "observer.py"
RESULTS = Path(__file__).resolve().parent / "results"
REPOSITORY = Path(__file__).resolve().parent.parent
# Compiled before measuring, as an installed package would be: the sandbox sets
# PYTHONDONTWRITEBYTECODE, so without this every start inside a domain compiles its sources.
PACKAGES = ("protocol", "shm", "gui_agent", "gui_daemon", "wm", "domains", "benchmarks")


@dataclasses.dataclass(frozen=True)
class Case:
    """A benchmark case: the application's scene and its frame rate (0: as fast as possible)."""

    name: str
    scene: str
    rate: float
    description: str


CASES = {case.name: case for case in (
    Case("square60", "square", 60, "256x256 square of a 1280x720 window at 60 Hz"),
    Case("full60", "full", 60, "full 1920x1080 window at 60 Hz"),
    Case("fullmax", "full", 0, "full 1920x1080 window as fast as possible"),
    Case("noise60", "noise", 60, "full 1920x1080 noise images at 60 Hz"),
)}


def measure(configuration_name: str, case: Case, seconds: float, warmup: float, work: Path) -> dict:
    """Run one configuration with one case and return its figures as a dict."""
    work.mkdir(parents=True)
    viewer = start_xvfb(1920, 1080)
    configuration = CONFIGURATIONS[configuration_name](viewer, work)
    observer = None
    try:
        configuration.start()
        observer_log = work / "observer.log"
        observer = subprocess.Popen([sys.executable, str(OBSERVER), "--display", viewer.display,
                                     "--log", str(observer_log)], stdout=subprocess.PIPE, stdin=subprocess.DEVNULL)
        if read_line(observer.stdout, START_TIMEOUT) != "ready":
            raise SetupError("the observer did not start")
        launched = time.monotonic()
        configuration.start_app(case.scene, case.rate)
        first = read_line(observer.stdout, START_TIMEOUT)
        if first is None or not first.startswith("first "):
            raise SetupError(f"no frame of the application appeared on the viewer within {START_TIMEOUT:.0f} s")
        first_visible = float(first.split()[2]) - launched

        time.sleep(warmup)
        roles = configuration.roles() | {"observer": [observer.pid]}
        before = analysis.sample_roles(roles)
        window_start = time.monotonic()
        time.sleep(seconds)
        after = analysis.sample_roles(roles)
        window_end = time.monotonic()

        configuration.stop_app()
        wait_for(lambda: configuration.app_log().exists(), 20.0, "the application's log")
        app_log = analysis.read_log(configuration.app_log())
        # Frames drawn just before the end may still be on their way to the viewer.
        time.sleep(0.5)
        observer.terminate()
        observer.wait(10)
        seen_log = analysis.read_log(observer_log)
    finally:
        if observer is not None and observer.poll() is None:
            observer.kill()
            observer.wait()
        configuration.stop()
        viewer.stop()
    figures = analysis.analyse_frames(app_log, seen_log, window_start, window_end)
    usage = analysis.role_usage(before, after, window_end - window_start)
    return {
        "configuration": configuration_name, "case": case.name, "first_visible_s": first_visible,
        "frames": dataclasses.asdict(figures) | {"fraction_seen": figures.fraction_seen},
        "cpu": {role: dataclasses.asdict(value) for role, value in usage.items()},
        "seconds": window_end - window_start,
    }


def measure_idle(configuration_name: str, seconds: float, work: Path) -> dict:
    """Show 20 idle windows and measure CPU and voluntary context switches for ``seconds``."""
    work.mkdir(parents=True)
    viewer = start_xvfb(1920, 1080)
    configuration = CONFIGURATIONS[configuration_name](viewer, work)
    observer = None
    try:
        configuration.start()
        observer = subprocess.Popen([sys.executable, str(OBSERVER), "--display", viewer.display,
                                     "--log", str(work / "observer.log")],
                                    stdout=subprocess.PIPE, stdin=subprocess.DEVNULL)
        if read_line(observer.stdout, START_TIMEOUT) != "ready":
            raise SetupError("the observer did not start")
        configuration.start_app("idle", 0)
        if read_line(observer.stdout, START_TIMEOUT) is None:
            raise SetupError("the idle windows did not appear")
        # The observer would wake for any drawing; it is not part of the measurement.
        observer.terminate()
        observer.wait(10)
        time.sleep(2.0)  # let the last window's first paint and acknowledgements finish
        roles = configuration.roles()
        before = analysis.sample_roles(roles)
        started = time.monotonic()
        time.sleep(seconds)
        after = analysis.sample_roles(roles)
        elapsed = time.monotonic() - started
        configuration.stop_app()
    finally:
        if observer is not None and observer.poll() is None:
            observer.kill()
            observer.wait()
        configuration.stop()
        viewer.stop()
    switches = {}
    for role, samples in after.items():
        switches[role] = sum(sample.voluntary_switches - before[role][pid].voluntary_switches
                             for pid, sample in samples.items() if pid in before.get(role, {}))
    usage = analysis.role_usage(before, after, elapsed)
    return {"configuration": configuration_name, "seconds": elapsed,
            "cpu": {role: dataclasses.asdict(value) for role, value in usage.items()},
            "voluntary_switches": switches}


def measure_numpy_copy(iterations: int = 200) -> dict:
    """Time numpy's copy of one 1920x1080x4 frame with warm and with cold caches, in ms."""
    import numpy as np

    source = np.ones((1080, 1920, 4), dtype=np.uint8)
    target = np.empty_like(source)
    eviction = np.empty(96 * 1024 * 1024, dtype=np.uint8)  # more than any L3 cache here
    for _ in range(5):
        np.copyto(target, source)
    warm = []
    for _ in range(iterations):
        started = time.perf_counter()
        np.copyto(target, source)
        warm.append(1000 * (time.perf_counter() - started))
    cold = []
    for _ in range(iterations // 2):
        eviction.fill(1)
        started = time.perf_counter()
        np.copyto(target, source)
        cold.append(1000 * (time.perf_counter() - started))
    return {"warm_ms": statistics.median(warm), "cold_ms": statistics.median(cold),
            "bytes": source.nbytes}


def describe_machine() -> dict:
    cpu = "unknown"
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            cpu = line.split(":", 1)[1].strip()
            break

    def package_version(name: str) -> str:
        result = subprocess.run(["dpkg-query", "-W", "-f=${Version}", name], capture_output=True, text=True)
        return result.stdout.strip() or "not installed"

    return {
        "cpu": cpu, "cores": os.cpu_count(), "kernel": platform.release(),
        "python": platform.python_version(), "xvfb": package_version("xvfb"), "xpra": package_version("xpra"),
        "load_before": os.getloadavg(),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Measure Odyssey against Xpra and the direct floor, end to end.")
    parser.add_argument("--configs", default=",".join(CONFIGURATIONS),
                        help=f"comma-separated configurations (default: all of {', '.join(CONFIGURATIONS)})")
    parser.add_argument("--cases", default=",".join(CASES),
                        help=f"comma-separated cases (default: all of {', '.join(CASES)})")
    parser.add_argument("--runs", type=int, default=3, help="runs of every configuration and case (default 3)")
    parser.add_argument("--seconds", type=float, default=20.0, help="measured seconds per run (default 20)")
    parser.add_argument("--warmup", type=float, default=1.0,
                        help="seconds between the first visible frame and the measurement (default 1)")
    parser.add_argument("--idle-seconds", type=float, default=30.0,
                        help="measured seconds of the 20 idle windows; 0 skips them (default 30)")
    parser.add_argument("--idle-configs", default="odyssey,xpra-mmap",
                        help="configurations measured with idle windows (default odyssey,xpra-mmap)")
    parser.add_argument("--write", type=Path, help="update the end-to-end section of this Markdown file")
    arguments = parser.parse_args(argv)
    configurations = [name for name in arguments.configs.split(",") if name]
    cases = [CASES[name] for name in arguments.cases.split(",") if name]
    unknown = [name for name in configurations if name not in CONFIGURATIONS]
    if unknown:
        parser.error(f"unknown configurations {unknown}; choose from {', '.join(CONFIGURATIONS)}")

    command = " ".join([".venv/bin/python benchmarks/run_all.py", shlex.join(sys.argv[1:] if argv is None else argv)])
    results = {"machine": describe_machine(), "command": command.strip(),
               "started": datetime.datetime.now().isoformat(timespec="seconds"),
               "runs": arguments.runs, "seconds": arguments.seconds, "measurements": [], "idle": []}
    subprocess.run([sys.executable, "-m", "compileall", "-q", *PACKAGES], cwd=REPOSITORY, check=True)
    base = Path(tempfile.mkdtemp(prefix="odyssey-e2e-"))
    print(f"work directories under {base}", flush=True)
    for run in range(arguments.runs):
        for case in cases:
            for name in configurations:
                work = base / f"run{run}-{case.name}-{name}"
                try:
                    result = measure(name, case, arguments.seconds, arguments.warmup, work)
                except SetupError as failure:
                    print(f"run {run + 1} {case.name} {name}: FAILED: {failure}", flush=True)
                    results["measurements"].append({"configuration": name, "case": case.name, "failed": str(failure)})
                    continue
                result["run"] = run
                results["measurements"].append(result)
                print(report.one_line(result), flush=True)
        if arguments.idle_seconds > 0:
            for name in arguments.idle_configs.split(","):
                if name not in configurations:
                    continue
                work = base / f"run{run}-idle-{name}"
                try:
                    result = measure_idle(name, arguments.idle_seconds, work)
                except SetupError as failure:
                    print(f"run {run + 1} idle {name}: FAILED: {failure}", flush=True)
                    continue
                result["run"] = run
                results["idle"].append(result)
                print(report.idle_line(result), flush=True)
    results["numpy_copy"] = measure_numpy_copy()
    results["machine"]["load_after"] = os.getloadavg()

    RESULTS.mkdir(exist_ok=True)
    stamp = datetime.datetime.now().strftime("%Y%m%d-%H%M%S")
    raw = RESULTS / f"e2e-{stamp}.json"
    raw.write_text(json.dumps(results, indent=1))
    print(f"raw results: {raw}")
    text = report.render(results, [CASES[name] for name in arguments.cases.split(",") if name], configurations)
    print(text)
    if arguments.write:
        report.write_section(arguments.write, text)
        print(f"updated {arguments.write}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
