"""bench/run_all reports what the scripts measured: every figure, as min / median / max
over runs, its floor measured beside it, with this checkout's interpreter."""

from __future__ import annotations

import importlib.machinery
import importlib.util
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def run_all():
    loader = importlib.machinery.SourceFileLoader("bench_run_all", str(ROOT / "bench" / "run_all"))
    spec = importlib.util.spec_from_loader("bench_run_all", loader)
    module = importlib.util.module_from_spec(spec)
    sys.modules["bench_run_all"] = module  # dataclasses look their module up
    loader.exec_module(module)
    yield module
    sys.modules.pop("bench_run_all", None)


CLI_OUT = """\
figure: cli 100k: bare httpx pages wall 1.5000 s
figure: cli 100k: bare httpx pages peak RSS 40.0000 MB
figure: cli 100k: sessions list --json wall 3.0000 s
figure: cli 100k: sessions list --json peak RSS 52.0000 MB
figure: cli 100k: bare httpx pages wall 1.7000 s
figure: cli 100k: bare httpx pages peak RSS 41.0000 MB
figure: cli 100k: sessions list --json wall 4.0000 s
figure: cli 100k: sessions list --json peak RSS 53.0000 MB
figure: cli 100k: bare httpx pages wall 1.6000 s
figure: cli 100k: bare httpx pages peak RSS 42.0000 MB
figure: cli 100k: sessions list --json wall 3.5000 s
figure: cli 100k: sessions list --json peak RSS 54.0000 MB
figure: startup: python -c pass 20.0000 ms
figure: startup: akool-tui --help 40.0000 ms
figure: startup: python -c pass 22.0000 ms
figure: startup: akool-tui --help 44.0000 ms
"""


def test_every_cell_is_min_median_max_of_the_runs_beside_a_floor_of_the_same_run(run_all):
    rows = {r.measure: r for r in run_all.parse_cli(CLI_OUT)}
    wall = rows["`sessions list --json` at 100k sessions: wall"]
    assert wall.floor == [1.5, 1.7, 1.6] and wall.ours == [3.0, 4.0, 3.5]
    assert run_all.spread(wall.ours, "s") == "3.000 s / **3.500 s** / 4.000 s"
    assert wall.ratio == "2.19x"  # median / median
    assert rows["`akool-tui --help` start-up"].floor == [20.0, 22.0]


def test_a_figure_nobody_paired_is_still_reported_and_one_sample_says_so(run_all):
    out = "figure: key to screen p95 31.5 ms\nfigure: key to screen max 48 ms\n"
    rows = run_all.parse_figures("latency at 100k (pty)")(out)
    assert [(r.measure, r.ours) for r in rows] == [("key to screen p95", [31.5]),
                                                   ("key to screen max", [48.0])]
    assert run_all.spread(rows[0].ours, "ms").endswith("(1 run)")


def test_a_missing_script_is_noted_and_the_others_still_run(run_all):
    bench = run_all.Bench("latency", "no_such_bench.py", [], [], run_all.parse_figures("x"))
    rows, note, _took = run_all.run(bench, sys.executable, True)
    assert rows == [] and "not present" in note


def test_the_scripts_run_on_this_checkouts_interpreter(run_all):
    assert run_all.DEFAULT_PYTHON == ROOT / ".venv" / "bin" / "python"
    assert "/work/venv" not in (ROOT / "bench" / "run_all").read_text()


# -- recorded outputs of the scripts (short settings), as run_all reads them --------------

LATENCY_OUT = """\
load average 3.10 on 2 cores; 3 runs of each size
figure: idle_cpu size=minimal min=0.050 median=0.100 max=0.150 unit=% runs=3
figure: rows_on_screen size=300 min=0.400 median=0.450 max=0.500 unit=s runs=3
figure: latency_p95 size=300 min=20.000 median=25.000 max=30.000 unit=ms runs=3
figure: rows_on_screen size=100000 min=0.800 median=0.900 max=1.500 unit=s runs=3
figure: latency_p95 size=100000 min=40.000 median=60.000 max=90.000 unit=ms runs=3
figure: idle_cpu size=100000 min=1.000 median=1.500 max=1.800 unit=% runs=3
  slow probe 120 ms, status 'x'
load average 2.90 at the end
"""


def test_latency_at_100k_is_beside_the_same_figure_at_300_sessions(run_all):
    rows = {r.measure: r for r in run_all.parse_latency(LATENCY_OUT)}
    p95 = rows["key -> screen during load and refetches: p95, 100,000 sessions"]
    assert p95.anchor == "the same at 300 sessions"
    assert run_all.spread(p95.floor, "ms") == "20.0 ms / **25.0 ms** / 30.0 ms"
    assert run_all.spread(p95.ours, "ms") == "40.0 ms / **60.0 ms** / 90.0 ms"
    assert p95.ratio == "2.40x" and p95.target == "<= 50 ms"
    idle = rows["idle CPU over one refetch cycle, 100,000 sessions"]
    assert idle.anchor == "minimal Textual app, idle" and idle.floor == [0.05, 0.1, 0.15]
    assert rows["rows on screen (start -> first frame with a session row), 100,000 sessions"
                ].target == "<= 2 s"
    # the baseline's own figures are the floors, not rows of their own
    assert not any("300 sessions" in m or "minimal" in m for m in rows)


IDLE_OUT = """\
idle at 100,000 sessions (120x34, churn off), 2 runs: live over one whole refetch cycle (cut at 240 s), paused and minimal over 20 s
figure: idle minimal: CPU 0.100 %
figure: idle minimal: bytes/s 0.0 B/s
figure: idle minimal: other writes/s 0.000 /s
figure: idle live, cut window (upper bound): CPU 1.900 %
figure: idle live, cut window (upper bound): bytes/s 520.0 B/s
figure: idle live, cut window (upper bound): other writes/s 0.100 /s
figure: idle live: ctrl+r refresh writes 107 count
figure: idle live: window 240.0 s
figure: idle paused: CPU 0.600 %
figure: idle paused: bytes/s 430.0 B/s
figure: idle paused: other writes/s 0.000 /s
figure: idle minimal: CPU 0.200 %
figure: idle minimal: bytes/s 0.0 B/s
figure: idle minimal: other writes/s 0.000 /s
figure: idle live, whole cycle: CPU 1.200 %
figure: idle live, whole cycle: bytes/s 510.0 B/s
figure: idle live, whole cycle: other writes/s 0.000 /s
figure: idle live: ctrl+r refresh writes 95 count
figure: idle live: window 200.5 s
figure: idle paused: CPU 0.700 %
figure: idle paused: bytes/s 440.0 B/s
figure: idle paused: other writes/s 0.000 /s
medians of 2 runs; live windows 200-240 s, 1 of them cut at 240 s before the next full refetch
"""


def test_idle_says_whether_its_window_was_a_whole_cycle_or_a_cut_upper_bound(run_all):
    rows = {r.measure: r for r in run_all.parse_idle(IDLE_OUT)}
    cut = rows["akool-tui live, cut window (upper bound): CPU (pty)"]
    whole = rows["akool-tui live, whole cycle: CPU (pty)"]
    assert cut.ours == [1.9] and whole.ours == [1.2]
    assert cut.floor == [0.1, 0.2] and cut.anchor == "minimal Textual app"
    assert cut.target == "< 2 %" and cut.area == "idle, 100,000 sessions"
    paused = rows["akool-tui paused (refresh paused with p): CPU (pty)"]
    assert paused.ours == [0.6, 0.7]
    window = next(r for m, r in rows.items() if "window length" in m)
    assert window.ours == [240.0, 200.5]
    asked = next(r for m, r in rows.items() if "its notice" in m)
    assert asked.ours == [107, 95] and "not idle" in asked.measure
    other = rows["akool-tui live, whole cycle: other writes/s (pty), writes that are not a "
                 "time-driven cell (after the ctrl+r refresh that starts the window)"]
    assert other.ours == [0.0] and other.target == "0"
    assert not any(m.startswith("idle minimal") for m in rows)  # the floor is no row


PULSE_OUT = """\
idle for 10 s at 10,000 sessions (120x34, churn off, refresh every 5 s), 2 runs: min / median / max
  sessions  CPU        1.00      1.00      1.00  % of a core
figure: pulse idle sessions screen: CPU 1.000 %
figure: pulse idle sessions screen: bytes/s 616.3 B/s
figure: pulse idle sessions screen: CPU 1.200 %
figure: pulse idle sessions screen: bytes/s 600.0 B/s
figure: pulse idle pulse open: CPU 0.800 %
figure: pulse idle pulse open: bytes/s 300.0 B/s
figure: pulse idle pulse open: CPU 0.900 %
figure: pulse idle pulse open: bytes/s 310.0 B/s
"""


def test_the_pulse_is_beside_the_sessions_screen_of_the_same_app(run_all):
    rows = {r.measure: r for r in run_all.parse_pulse(PULSE_OUT)}
    cpu = rows["pulse open, idle 10 s at 10,000 sessions: CPU (pty)"]
    assert cpu.floor == [1.0, 1.2] and cpu.ours == [0.8, 0.9]
    assert cpu.anchor == "the sessions screen, same app, same run" and cpu.ratio == "0.77x"


VIDEO_OUT = """\
scale 1280x720 -> 60x30 truecolor: min 0.55 median 0.61 max 72.11 ms; with every line's strip median 1.09 ms
figure: scale_ms_median_truecolor 0.609 ms
figure: scale_ms_min_truecolor 0.553 ms
figure: scale_ms_max_truecolor 72.1 ms
figure: scale_and_strips_ms_median_truecolor 1.09 ms
figure: core_share_truecolor_10fps 0.0109 core
figure: core_share_truecolor_25fps 0.0273 core
figure: bytes_per_s_diff_60x30_10fps 7.66 KiB/s
figure: bytes_per_s_full_60x30_10fps 89.1 KiB/s
figure: bytes_diff_vs_full 0.086 ratio
figure: key_to_screen_p95_video 38.3 ms
figure: key_to_screen_p50_video 23.5 ms
figure: process_cpu_video 0.134 core
figure: key_to_screen_p95_no_video 52.9 ms
figure: key_to_screen_p50_no_video 49.5 ms
figure: process_cpu_no_video 0.102 core
"""


def test_video_rows_pair_diff_with_full_repaint_and_typing_with_the_panel_hidden(run_all):
    rows = {r.measure: r for r in run_all.parse_video(VIDEO_OUT)}
    byte_row = rows["terminal bytes, 60x30 panel at 10 fps, diff-only repaint (headless)"]
    assert (byte_row.floor, byte_row.ours, byte_row.unit) == ([89.1], [7.66], "KiB/s")
    assert run_all.spread(byte_row.ours, "KiB/s") == "7.7 KiB/s (1 run)"
    p95 = rows["chat typing with the video at 10 fps: key to screen p95 (headless)"]
    assert (p95.floor, p95.ours) == ([52.9], [38.3])
    # a ratio of two rows, a median's min / max, and median x fps are not rows again
    assert len(rows) == 5 and not any("core share" in m or "ratio" in m for m in rows)


HISTORY_OUT = """\
# 200 parts/s for 3 s, pid 19425
figure: history_ui_per_part_mean 8.2 us
figure: history_ui_per_part_p99 32.8 us
figure: history_cpu_without 0.022 core
figure: history_cpu_with 0.028 core
figure: history_cpu_per_part 31.5 us
figure: history_db_size 68 KiB
figure: history_long_reply_ui_per_part_mean 9.6 us
figure: history_long_reply_ui_per_part_p99 29.0 us
figure: history_long_reply_cpu_without 0.022 core
figure: history_long_reply_cpu_with 0.029 core
figure: history_long_reply_cpu_per_part 33.1 us
figure: history_long_reply_db_size 76 KiB
"""


def test_history_cpu_is_beside_the_same_conversation_without_the_recorder(run_all):
    rows = run_all.parse_history(HISTORY_OUT)
    assert len(rows) == 10  # every figure once, the two "without" as floors
    cpu = rows[0]
    assert cpu.measure == "chat at 200 parts/s, 2 s replies: process CPU with the recorder"
    assert (cpu.floor, cpu.ours) == ([0.022], [0.028])
    assert run_all.fmt(76.0, "KiB") == "76 KiB" and run_all.fmt(8.2, "us") == "8.2 us"


def test_every_bench_script_is_run_or_says_why_not(run_all):
    scripts = {p.name for p in (ROOT / "bench").glob("*.py")}
    planned = {b.script for b in run_all.BENCHES} | {"soak.py"}
    assert scripts - planned - set(run_all.NOT_RUN) == set()  # a new script is not lost


def test_the_plan_fits_the_time_budget(run_all):
    full = [b for b in run_all.BENCHES if not b.optional]
    assert sum(b.expected(False) for b in full) <= 55 * 60  # idle: whole cycles, 10k and 100k
    assert sum(b.expected(True) for b in full) <= 15 * 60
    listing = run_all.plan(full, quick=False)
    assert "bench/latency_100k.py --sizes 300,10000,100000" in listing
    assert "--skip-idle" in listing  # idle is idle_bench's, not measured twice
    assert "(x3 invocations)" in listing and "total" in listing


def test_only_prints_and_leaves_results_md_as_it_is(run_all, tmp_path, monkeypatch, capsys):
    results = tmp_path / "RESULTS.md"
    results.write_text("kept\n")
    monkeypatch.setattr(run_all, "RESULTS", results)
    monkeypatch.setattr(run_all, "BENCHES", [
        run_all.Bench("gone", "no_such_bench.py", [], [], run_all.parse_figures("x"))])
    assert run_all.main(["--only", "gone"]) == 1  # no rows: the script is missing
    assert results.read_text() == "kept\n"
    assert "not present in this checkout" in capsys.readouterr().out


def test_optional_benches_run_only_when_asked(run_all):
    def keys(*argv):
        ap_args = run_all.argparse.Namespace(only=None, with_=None, soak_minutes=0.0)
        for flag, value in zip(argv[::2], argv[1::2]):
            setattr(ap_args, flag, value)
        return [b.key for b in run_all.chosen(ap_args)]

    assert "chat-headless" not in keys() and "soak" not in keys()
    assert keys()[-1] == "history" and "idle-100k" in keys()
    assert keys("with_", "chat-headless")[-1] == "chat-headless"
    assert keys("only", "idle,chat-headless") == ["idle", "chat-headless"]
    assert keys("soak_minutes", 10.0)[-1] == "soak"


def test_the_section_names_the_commit_measured(run_all):
    """A RESULTS.md whose figures came from another commit than the one it sits in was
    told apart by hand only (the eighth session's note): the run names its tree."""
    note = run_all.tree_note()
    head = subprocess.run(["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"],
                          capture_output=True, text=True).stdout.strip()
    if not head:
        pytest.skip("not a git checkout")
    assert note.startswith(f" The tree measured: commit {head}")
    block = run_all.section([], [], False, "python", 60.0, note)
    measured = next(line for line in block.splitlines() if line.startswith("Measured "))
    assert f"commit {head}" in measured
