"""The end-to-end benchmark's analysis step, on synthetic logs (no timing is measured here)."""

from __future__ import annotations

import pytest

from benchmarks.analysis import ProcessSample, analyse_frames, percentile, read_log, role_usage
from benchmarks.report import SECTION_BEGIN, SECTION_END, write_section


def test_percentile_is_nearest_rank():
    values = [5.0, 1.0, 4.0, 2.0, 3.0]
    assert percentile(values, 0.5) == 3.0
    assert percentile(values, 0.9) == 5.0
    assert percentile(values, 0.2) == 1.0
    assert percentile(values, 0.0) == 1.0
    with pytest.raises(ValueError):
        percentile([], 0.5)


def test_analysis_joins_logs_into_latency_and_fraction():
    # Frames 1-10 drawn every 10 ms from t=100.0; the observer sees the even ones 2 ms later.
    app_log = [(counter, 100.0 + 0.010 * counter) for counter in range(1, 11)]
    observer_log = [(counter, at + 0.002) for counter, at in app_log if counter % 2 == 0]

    figures = analyse_frames(app_log, observer_log, 100.0, 101.0)

    assert figures.drawn == 10
    assert figures.seen == 5
    assert figures.fraction_seen == 0.5
    assert figures.latency_p50 == pytest.approx(2.0)
    assert figures.latency_max == pytest.approx(2.0)
    assert figures.seen_per_second == pytest.approx(5.0)


def test_analysis_ignores_values_that_are_no_counter():
    app_log = [(1, 10.0), (2, 10.1)]
    # A background colour, then frame 1 seen twice (its first sighting counts), then frame 2.
    observer_log = [(0x404040, 9.9), (1, 10.003), (1, 10.05), (2, 10.104)]

    figures = analyse_frames(app_log, observer_log, 10.0, 11.0)

    assert figures.seen == 2
    assert figures.latency_p50 == pytest.approx(3.0)
    assert figures.latency_max == pytest.approx(4.0)


def test_analysis_counts_only_frames_inside_the_window():
    app_log = [(1, 9.5), (2, 10.5), (3, 11.5)]
    observer_log = [(1, 9.6), (2, 10.6), (3, 11.6)]

    figures = analyse_frames(app_log, observer_log, 10.0, 11.0)

    assert figures.drawn == 1
    assert figures.seen == 1
    assert figures.latency_p50 == pytest.approx(100.0)
    assert figures.seen_per_second == pytest.approx(1.0)


def test_analysis_without_sightings_has_no_latency():
    figures = analyse_frames([(1, 10.0)], [], 10.0, 11.0)
    assert figures.seen == 0
    assert figures.fraction_seen == 0.0
    assert figures.latency_p50 is None


def test_role_usage_sums_processes_present_in_both_samples():
    before = {"forwarding": {10: ProcessSample(1.0, 100, 5), 11: ProcessSample(2.0, 50, 1)}}
    after = {"forwarding": {10: ProcessSample(1.5, 160, 5), 11: ProcessSample(2.25, 70, 1),
                            12: ProcessSample(9.0, 999, 0)}}

    usage = role_usage(before, after, 10.0)

    assert usage["forwarding"].cores == pytest.approx(0.075)
    assert usage["forwarding"].voluntary_per_second == pytest.approx(8.0)


def test_read_log_parses_value_and_time(tmp_path):
    path = tmp_path / "app.log"
    path.write_text("1 12.500000\n2 12.516667\n")
    assert read_log(path) == [(1, 12.5), (2, 12.516667)]


def test_write_section_keeps_other_sections(tmp_path):
    path = tmp_path / "benchmarks.md"
    path.write_text("# Benchmarks\n\n<!-- shm_bench:begin -->\nshm\n<!-- shm_bench:end -->\n")
    write_section(path, f"{SECTION_BEGIN}\nfirst\n{SECTION_END}\n")
    write_section(path, f"{SECTION_BEGIN}\nsecond\n{SECTION_END}\n")

    text = path.read_text()
    assert "<!-- shm_bench:begin -->\nshm\n<!-- shm_bench:end -->" in text
    assert "second" in text
    assert "first" not in text
    assert text.count(SECTION_BEGIN) == 1
