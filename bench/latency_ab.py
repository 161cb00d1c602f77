"""Key-to-screen at 100 000 sessions, two source trees side by side in one run.

The same probes as ``latency_100k.py`` (down+space, the status line's "N marked"), the
same simulator process for both trees, runs alternating A, B, A, B ...; each probe is
tagged with what the app was doing when it was typed: ``load`` (the first load),
``refetch`` (the ``--type-seconds`` after ctrl+r: a full refetch), ``filter`` / ``sort``
(right after a quick filter / a sort step). Per tree: p95 and max over all probes of a
run (the figure ``latency_100k`` reports), then per phase, as min / median / max over
the runs; the slowest sort until painted of a run's sort cycles and the median quick
filter until painted (``latency_100k``'s figures); and the wall time of each full
refetch (ctrl+r to the end of the simulator's burst of CPU, to ``SAMPLE`` s).

    python bench/latency_ab.py --tree base=/tmp/base-tree --tree new=. [--runs 3]
                               [--refetches 2]

``--tree NAME=PATH`` (two or more): checkouts whose ``akool_tui`` the app is run from
(``python -m akool_tui`` in that folder); this interpreter runs them all, in turn (the
order reversed every other round).
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import latency_100k as L  # noqa: E402 - bench/ is not a package
from startup_bench import bench_env, free_port, start_simulator  # noqa: E402

TAGS = {b"\x12": "refetch", b"f": "filter", b"s": "sort"}


def one(tree: Path, env: dict[str, str], sim_pid: int, port: int, sessions: int,
        args: argparse.Namespace) -> dict[str, list[float]]:
    """One run of ``latency_100k.one_run`` from ``tree``, its probes tagged."""
    tagged: dict[str, list[float]] = {}
    walls: list[float] = []
    state = {"tag": "load", "sent": 0.0}
    original_one, original_send = L.Probe.one, L.PtyApp.send

    def send(app, data: bytes) -> None:  # type: ignore[no-untyped-def]
        if data in TAGS:
            state["tag"], state["sent"] = TAGS[data], time.perf_counter()
        original_send(app, data)

    def probe_one(probe) -> float:  # type: ignore[no-untyped-def]
        seconds = original_one(probe)
        tag = state["tag"]
        if tag == "refetch" and time.perf_counter() - state["sent"] > args.type_seconds + 0.5:
            tag = "after"
        tagged.setdefault(tag, []).append(seconds * 1000)
        return seconds

    original_settle = L.Watch.settle

    def settle(watch, quiet: float = 2.0, timeout: float = 120.0) -> None:  # type: ignore[no-untyped-def]
        original_settle(watch, quiet, timeout)
        if state["tag"] in ("sort", "filter", "refetch") and state["sent"]:
            busy = [t1 for (t0, c0), (t1, c1) in zip(watch.samples, watch.samples[1:])
                    if t0 >= ctrl_r[0] and (c1 - c0) / max(1e-3, t1 - t0) > L.BURST]
            if busy:
                walls.append(busy[-1] - ctrl_r[0])

    ctrl_r = [0.0]

    def send_r(app, data: bytes) -> None:  # type: ignore[no-untyped-def]
        if data == b"\x12":
            ctrl_r[0] = time.perf_counter()
        send(app, data)

    L.Probe.one, L.PtyApp.send, L.Watch.settle = probe_one, send_r, settle  # type: ignore[method-assign]
    cwd = os.getcwd()
    try:
        os.chdir(tree)
        argv = [sys.executable, "-m", "akool_tui", "--base-url", f"http://127.0.0.1:{port}"]
        out = L.one_run(argv, env, sim_pid, sessions, args)
    finally:
        os.chdir(cwd)
        L.Probe.one, L.PtyApp.send, L.Watch.settle = original_one, original_send, original_settle  # type: ignore[method-assign]
    result = {k: v for k, v in tagged.items()}
    result["all"] = [x for v in tagged.values() for x in v]
    result["_p95"] = [out["latency_p95"]]
    result["_max"] = [out["latency_max"]]
    result["_sort"] = [out.get("sort_until_painted_max", float("nan"))]
    result["_filter"] = [out.get("filter_latency_median", float("nan"))]
    result["_wall"] = walls
    return result


def spread(values: list[float]) -> str:
    return (f"{min(values):6.1f} / {statistics.median(values):6.1f} / {max(values):6.1f}"
            if values else "-")


def p95(values: list[float]) -> float:
    values = sorted(values)
    return values[int(0.95 * (len(values) - 1))]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tree", action="append", required=True, metavar="NAME=PATH")
    parser.add_argument("--sessions", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--refetches", type=int, default=2)
    parser.add_argument("--type-seconds", type=float, default=6.0)
    args = parser.parse_args()
    args.skip_idle, args.idle_max = True, 0
    trees = {name: Path(path).resolve()
             for name, _, path in (tree.partition("=") for tree in args.tree)}
    print(f"load average {os.getloadavg()[0]:.2f} on {os.cpu_count()} cores")
    runs: dict[str, list[dict[str, list[float]]]] = {name: [] for name in trees}
    with tempfile.TemporaryDirectory() as tmp:
        env = {**bench_env(tmp), "COLUMNS": str(L.COLS), "AKOOL_API_KEY": "demo"}
        port = free_port()
        simulator = start_simulator(port, args.sessions)
        try:
            for name, tree in trees.items():  # untimed: each tree's modules byte-compiled
                # (PYTHONPYCACHEPREFIX is this run's own): without it a tree's first run
                # compiled the refetch, filter and sort paths while keys were typed
                one(tree, env, simulator.pid, port, args.sessions,
                    argparse.Namespace(**{**vars(args), "refetches": 1}))
            for n in range(args.runs):
                order = list(trees.items())
                for name, tree in (order if n % 2 == 0 else order[::-1]):
                    result = one(tree, env, simulator.pid, port, args.sessions, args)
                    runs[name].append(result)
                    print(f"run {n + 1} {name}: p95 {result['_p95'][0]:.1f} max "
                          f"{result['_max'][0]:.1f} ms, sort {result['_sort'][0]:.1f} ms, "
                          f"refetch wall "
                          f"{', '.join(f'{w:.2f}' for w in result['_wall'])} s, "
                          f"load {os.getloadavg()[0]:.2f}", flush=True)
        finally:
            simulator.terminate()
            simulator.wait()
    for name, results in runs.items():
        print(f"{name} ({trees[name]}), {len(results)} runs, min / median / max over runs:")
        print(f"  p95 all     {spread([r['_p95'][0] for r in results])} ms")
        print(f"  max all     {spread([r['_max'][0] for r in results])} ms")
        print(f"  sort until painted, slowest of a run's sort cycles "
              f"{spread([r['_sort'][0] for r in results])} ms")
        print(f"  quick filter until painted, median of a run "
              f"{spread([r['_filter'][0] for r in results])} ms")
        for tag in ("load", "refetch", "after", "filter", "sort"):
            got = [r[tag] for r in results if r.get(tag)]
            if got:
                print(f"  {tag:8s} p95 {spread([p95(v) for v in got])}  max "
                      f"{spread([max(v) for v in got])} ms  (probes {sum(map(len, got))})")
        walls = [w for r in results for w in r["_wall"]]
        print(f"  refetch wall {spread(walls)} s ({len(walls)})")
    print(f"load average {os.getloadavg()[0]:.2f} at the end")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
