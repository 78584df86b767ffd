"""Turn the end-to-end benchmark's results into Markdown for docs/benchmarks.md."""

from __future__ import annotations

import re
import statistics
from pathlib import Path

SECTION_BEGIN = "<!-- e2e_bench:begin -->"
SECTION_END = "<!-- e2e_bench:end -->"

# Odyssey's targets: (case, figure, comparison, limit, text).
TARGETS = (
    ("square60", "latency_p50", "<=", 1.5, "256x256 at 60 Hz: latency p50 <= 1.5 ms"),
    ("square60", "latency_p99", "<=", 3.0, "256x256 at 60 Hz: latency p99 <= 3 ms"),
    ("square60", "cpu_forwarding", "<=", 0.05, "256x256 at 60 Hz: agent + daemon <= 0.05 cores"),
    ("full60", "fraction_seen", ">=", 1.0, "full 1920x1080 at 60 Hz: 100% of frames seen"),
    ("full60", "latency_p50", "<=", 5.0, "full 1920x1080 at 60 Hz: latency p50 <= 5 ms"),
    ("full60", "cpu_forwarding", "<=", 0.15, "full 1920x1080 at 60 Hz: agent + daemon <= 0.15 cores"),
    ("fullmax", "seen_per_second", ">=", 240.0, "full 1920x1080 as fast as possible: >= 240 frames seen per second"),
)
START_CASES = ("square60", "full60", "fullmax")
IDLE_CPU_LIMIT = 0.001  # cores: 0.1% of one core
START_LIMIT = 0.5  # seconds from ProcessDomain.start to the first frame on the viewer


def figure(result: dict, name: str) -> float | None:
    """Return one figure of a measurement by name (frames, latency, or CPU of a role)."""
    if name.startswith("cpu_"):
        role = name[4:].replace("_", " ")
        entry = result["cpu"].get(role)
        return entry["cores"] if entry is not None else None
    return result["frames"].get(name)


def one_line(result: dict) -> str:
    frames = result["frames"]
    p50, p99 = frames["latency_p50"], frames["latency_p99"]
    latency = f"p50 {p50:.2f} ms p99 {p99:.2f} ms" if p50 is not None else "no frame seen"
    return (f"{result['case']:9} {result['configuration']:10} seen {frames['seen']}/{frames['drawn']} "
            f"({frames['seen_per_second']:.0f}/s) {latency}; forwarding {figure(result, 'cpu_forwarding'):.3f} "
            f"cores; first visible after {result['first_visible_s']:.3f} s")


def idle_line(result: dict) -> str:
    cpu = result["cpu"]
    switches = result["voluntary_switches"]
    return (f"idle      {result['configuration']:10} forwarding {cpu['forwarding']['cores']:.5f} cores, "
            f"{switches.get('forwarding', 0)} voluntary switches in {result['seconds']:.0f} s")


def summarize(values: list[float | None], scale: float = 1.0, digits: int = 2) -> str:
    """Return 'median (min-max)' of the values present, or '-'."""
    present = [value * scale for value in values if value is not None]
    if not present:
        return "-"
    median = statistics.median(present)
    if len(present) == 1:
        return f"{median:.{digits}f}"
    return f"{median:.{digits}f} ({min(present):.{digits}f}-{max(present):.{digits}f})"


def median_of(results: list[dict], name: str) -> float | None:
    values = [figure(result, name) for result in results]
    present = [value for value in values if value is not None]
    return statistics.median(present) if present else None


def render(results: dict, cases, configurations: list[str]) -> str:
    machine = results["machine"]
    measurements = [entry for entry in results["measurements"] if "failed" not in entry]
    lines = [
        SECTION_BEGIN,
        "## End to end: Odyssey, Xpra and the direct floor (`benchmarks/run_all.py`)",
        "",
        f"Measured {results['started']} on a shared 2-core VM (other work may run at the same time) with:",
        "",
        f"    bash benchmarks/install.sh && {results['command']}",
        "",
        f"- CPU: {machine['cpu']}, {machine['cores']} cores; kernel {machine['kernel']}",
        f"- Xvfb {machine['xvfb']}, xpra {machine['xpra']} (Debian), Python {machine['python']}",
        f"- load average before: {' '.join(f'{v:.2f}' for v in machine['load_before'])}, after: "
        f"{' '.join(f'{v:.2f}' for v in machine.get('load_after', ()))}",
        f"- {results['runs']} runs of {results['seconds']:.0f} s per configuration and case; the configurations "
        "take turns within each run. Figures are medians with the range of the runs in brackets.",
        "",
        "Method: the application (`benchmarks/drawing_app.py`) draws frames whose colour is the frame counter",
        "and logs each counter with CLOCK_MONOTONIC after XSync. The observer (`benchmarks/observer.py`) sleeps",
        "on a DAMAGE object of the viewer display's root window, reads the pixel at the window's centre after",
        "each notification and logs the counter it finds. Latency is the time between the two log lines;",
        "a frame counts as seen when its counter appears on the viewer. CPU is utime + stime from",
        "`/proc/PID/stat` over the measured seconds, in cores. *Forwarding* is agent + daemon for Odyssey,",
        "server + client processes for Xpra. `direct` draws on the viewer display itself, so its viewer X server",
        "is also the application's.",
        "",
        "| case | configuration | frames seen | seen per s | latency p50 ms | p90 ms | p99 ms | max ms "
        "| forwarding cores | app X server cores | viewer X server cores | app cores | observer cores |",
        "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for case in cases:
        for name in configurations:
            group = [entry for entry in measurements if entry["case"] == case.name and entry["configuration"] == name]
            if not group:
                continue
            fractions = [entry["frames"]["fraction_seen"] for entry in group]
            cells = [
                case.description, name, summarize(fractions, 100, 1) + " %",
                summarize([figure(entry, "seen_per_second") for entry in group], digits=0),
                *(summarize([figure(entry, key) for entry in group])
                  for key in ("latency_p50", "latency_p90", "latency_p99", "latency_max")),
                *(summarize([figure(entry, f"cpu_{role}") for entry in group], digits=3)
                  for role in ("forwarding", "app_X_server", "viewer_X_server", "app", "observer")),
            ]
            lines.append("| " + " | ".join(cells) + " |")
    lines.append("")

    odyssey = [entry for entry in measurements if entry["configuration"] == "odyssey"]
    if odyssey:
        lines += ["Odyssey's forwarding CPU split, in cores (median of runs):", ""]
        for case in cases:
            group = [entry for entry in odyssey if entry["case"] == case.name]
            if group:
                lines.append(f"- {case.description}: agent {summarize([figure(e, 'cpu_agent') for e in group], digits=3)}"
                             f", daemon {summarize([figure(e, 'cpu_daemon') for e in group], digits=3)}")
        lines.append("")

    idle = results.get("idle", [])
    if idle:
        lines += ["Twenty idle windows (drawn once, then nothing), measured over "
                  f"{idle[0]['seconds']:.0f} s after a 2 s pause:", "",
                  "| configuration | forwarding cores | forwarding voluntary context switches | per process |",
                  "|---|---:|---:|---|"]
        for name in configurations:
            group = [entry for entry in idle if entry["configuration"] == name]
            if not group:
                continue
            roles = ("agent", "daemon") if name == "odyssey" else ("xpra server", "xpra client")
            per_process = ", ".join(
                f"{role} {summarize([entry['voluntary_switches'].get(role) for entry in group], digits=0)}"
                for role in roles)
            lines.append(f"| {name} | {summarize([e['cpu']['forwarding']['cores'] for e in group], digits=5)} | "
                         f"{summarize([e['voluntary_switches'].get('forwarding') for e in group], digits=0)} | "
                         f"{per_process} |")
        lines.append("")

    # The noise application spends its first moments generating its images, so
    # only the solid-colour cases time the start of the domain itself.
    starts = [entry["first_visible_s"] for entry in odyssey if entry["case"] in START_CASES]
    if starts:
        lines += ["Start to first window, from starting the application (for Odyssey: `ProcessDomain.start`, "
                  "which starts the sandbox, the domain's Xvfb, the agent and the application) to its first frame "
                  "on the viewer, in ms, over the solid-colour cases:", ""]
        for name in configurations:
            group = [entry["first_visible_s"] for entry in measurements
                     if entry["configuration"] == name and entry["case"] in START_CASES]
            if group:
                lines.append(f"- {name}: {summarize(group, 1000, 0)} ({len(group)} starts)")
        lines.append("")

    copy = results.get("numpy_copy")
    if copy:
        lines += [f"Memory-bandwidth floor: numpy's copy of one 1920x1080x4 frame ({copy['bytes']:,} bytes) takes "
                  f"{copy['warm_ms']:.3f} ms with warm caches and {copy['cold_ms']:.3f} ms with cold caches "
                  "(medians).", ""]

    lines += ["### Targets", "", "| target | Odyssey (median) | result |", "|---|---:|---|"]
    for case_name, name, comparison, limit, text in TARGETS:
        group = [entry for entry in odyssey if entry["case"] == case_name]
        value = median_of(group, name) if group else None
        if value is None:
            continue
        met = value <= limit if comparison == "<=" else value >= limit
        shown = f"{100 * value:.1f} %" if name == "fraction_seen" else f"{value:.3f}"
        lines.append(f"| {text} | {shown} | {'met' if met else 'missed'} |")
    idle_odyssey = [entry for entry in idle if entry["configuration"] == "odyssey"]
    if idle_odyssey:
        cores = statistics.median(entry["cpu"]["forwarding"]["cores"] for entry in idle_odyssey)
        wakeups = statistics.median(entry["voluntary_switches"].get("forwarding", 0) for entry in idle_odyssey)
        lines.append(f"| 20 idle windows: < 0.1% of a core, no periodic wake-ups | {100 * cores:.3f} % of a core, "
                     f"{wakeups:.0f} wake-ups in {idle_odyssey[0]['seconds']:.0f} s | "
                     f"{'met' if cores < IDLE_CPU_LIMIT and wakeups == 0 else 'missed'} |")
    if starts:
        median_start = statistics.median(starts)
        lines.append(f"| domain start to first window <= 0.5 s | {median_start:.3f} s | "
                     f"{'met' if median_start <= START_LIMIT else 'missed'} |")
    lines += ["", SECTION_END]
    return "\n".join(lines) + "\n"


def write_section(path: Path, text: str) -> None:
    """Replace the end-to-end section of ``path`` (or append it), keeping every other section."""
    current = path.read_text() if path.exists() else "# Benchmarks\n"
    pattern = re.compile(re.escape(SECTION_BEGIN) + r".*?" + re.escape(SECTION_END) + r"\n?", re.DOTALL)
    if pattern.search(current):
        updated = pattern.sub(lambda _: text, current)
    else:
        updated = current.rstrip("\n") + "\n\n" + text
    path.write_text(updated)
