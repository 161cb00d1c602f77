"""bench/run_all reports what the scripts measured: every figure, as min / median / max
over runs, its floor measured beside it, with this checkout's interpreter."""

from __future__ import annotations

import importlib.machinery
import importlib.util
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
    rows, note = run_all.run(bench, sys.executable, True, 0.0, 3)
    assert rows == [] and "not present" in note


def test_the_scripts_run_on_this_checkouts_interpreter(run_all):
    assert run_all.DEFAULT_PYTHON == ROOT / ".venv" / "bin" / "python"
    assert "/work/venv" not in (ROOT / "bench" / "run_all").read_text()
