"""The headless CLI at scale and at start-up, each against a baseline measured in the same run.

1. ``akool-tui sessions list`` (``--json``, ``--jsonl``, the table) at N sessions against a
   simulator in its own process, stdout to /dev/null: wall time and peak RSS of the CLI
   process (``os.wait4``), beside a bare httpx loop (a process of its own) that fetches
   the same pages with the same concurrency into /dev/null (no models, no output).
2. Start-up: ``akool-tui --help`` and ``akool-tui sessions list --help`` beside
   ``python -c pass``.

Every tree's ``akool_tui`` is byte-compiled first (``compileall``) and the commands run
without ``PYTHONDONTWRITEBYTECODE``: as an installed package runs, not compiling its
modules from source on every run.

Every figure is printed per run as ``figure: <name> <value> <unit>`` (bench/run_all takes
min / median / max), then a summary.

    python bench/cli_bench.py [--sessions 100000] [--runs 3] [--startup-runs 15]

``--source DIR`` runs the akool-tui commands (and ``python -c pass``) from another
source tree, e.g. an older commit's ``git archive``: ``python -S`` with ``PYTHONPATH`` =
DIR and this venv's site-packages (the venv's editable install would win otherwise),
for a before / after on one machine in one sitting. ``--baseline DIR`` runs the listing
commands of both trees in the same run, interleaved (this one's, then DIR's as
``base: sessions list ...``), beside the same bare loop.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.simproc import simulator_process  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent

#: the floor: the same pages, the same concurrency (the client's default, 8), nothing else
#: (with a third argument, each page also decoded: a second floor, reported beside)
BARE = r"""
import asyncio, json, sys, httpx
base, concurrency = sys.argv[1], int(sys.argv[2])
decode = len(sys.argv) > 3  # the second floor: each page also decoded (json.loads)
PATH = "/api/open/v4/liveAvatar/session/list"
async def main():
    async with httpx.AsyncClient(base_url=base, headers={"x-api-key": "demo"}) as client:
        first = await client.get(PATH, params={"page": 1, "size": 100})
        pages = -(-first.json()["data"]["count"] // 100)
        todo = iter(range(2, pages + 1))
        async def worker():
            for page in todo:
                answer = await client.get(PATH, params={"page": page, "size": 100})
                answer.raise_for_status()
                if decode:
                    json.loads(answer.content)
                sys.stdout.buffer.write(answer.content)
        await asyncio.gather(*(worker() for _ in range(concurrency)))
asyncio.run(main())
"""


def measure(command: list[str], env: dict[str, str], cwd: Path = ROOT
            ) -> tuple[float, float, float]:
    """(wall seconds, peak RSS in MB, CPU seconds: user + system) of one run, stdout to
    /dev/null. The CPU time says what the process costs when the machine is busy and
    the wall time does not."""
    with open(os.devnull, "wb") as sink:
        start = time.perf_counter()
        child = subprocess.Popen(command, cwd=cwd, env=env, stdout=sink,
                                 stderr=subprocess.PIPE)
        _, status, usage = os.wait4(child.pid, 0)
        wall = time.perf_counter() - start
    child.returncode = os.waitstatus_to_exitcode(status)
    if child.returncode:
        raise SystemExit(f"{command[2:]} failed: {child.stderr.read().decode()[-500:]}")
    child.stderr.close()
    return wall, usage.ru_maxrss / 1024, usage.ru_utime + usage.ru_stime


def spread(values: list[float]) -> str:
    return (f"min {min(values):.3f} median {statistics.median(values):.3f} "
            f"max {max(values):.3f}")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sessions", type=int, default=100_000)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--startup-runs", type=int, default=15)
    ap.add_argument("--skip-list", action="store_true", help="only the start-up figures")
    ap.add_argument("--source", type=Path, help="run akool-tui from this source tree")
    ap.add_argument("--baseline", type=Path,
                    help="also run the listing from this source tree, interleaved")
    ap.add_argument("--no-jsonl", action="store_true", help="leave --jsonl out (older trees)")
    args = ap.parse_args(argv)
    py = sys.executable
    # bytecode as an installed package has it (pip compiles on install): with
    # PYTHONDONTWRITEBYTECODE set and no __pycache__ (a fresh checkout), every run compiled
    # ~45 of our modules (~50 ms) while the bare loop's httpx came from site-packages' .pyc
    env = {k: v for k, v in os.environ.items()
           if not k.startswith("AKOOL_") and k != "PYTHONDONTWRITEBYTECODE"}
    env.update(AKOOL_API_KEY="demo", AKOOL_TUI_CONFIG=os.devnull + ".toml")
    for source in {ROOT, (args.source or ROOT).resolve(), (args.baseline or ROOT).resolve()}:
        subprocess.run([py, "-m", "compileall", "-q", str(source / "akool_tui")], check=True,
                       stdout=subprocess.DEVNULL)

    def tree(source: Path | None) -> tuple[list[str], Path, dict[str, str]]:
        """(interpreter and flags, working directory, environment) that run ``source``."""
        if source is None:
            return [py], ROOT, env
        import sysconfig

        # `-m` puts the working directory first on sys.path
        return [py, "-S"], source.resolve(), {
            **env, "PYTHONPATH": f"{source.resolve()}{os.pathsep}{sysconfig.get_paths()['purelib']}"}

    app_py, app_cwd, app_env = tree(args.source)
    found: dict[str, list[float]] = {}

    def figure(name: str, value: float, unit: str) -> None:
        found.setdefault(f"{name} ({unit})", []).append(value)
        print(f"figure: {name} {value:.4f} {unit}", flush=True)

    n = f"{args.sessions // 1000}k" if args.sessions >= 1000 else str(args.sessions)
    if not args.skip_list:
        sim = lambda port: [py, "-m", "akool_tui.simulator", "--port", str(port),  # noqa: E731
                            "--sessions", str(args.sessions), "--no-churn",
                            "--max-concurrent", "1000"]
        with simulator_process(sim, timeout=120) as (base_url, _):
            runs: dict[str, tuple[list[str], Path, dict[str, str]]] = {
                "bare httpx pages": ([py, "-c", BARE, base_url, "8"], ROOT, env),
                # any listing that masks secrets decodes every page: the floor with it
                "bare httpx pages + json.loads": ([py, "-c", BARE, base_url, "8", "decode"],
                                                  ROOT, env)}
            trees = [("", app_py, app_cwd, app_env)]
            if args.baseline:
                trees.append(("base: ", *tree(args.baseline)))
            for prefix, interpreter, cwd, tree_env in trees:
                cli = [*interpreter, "-m", "akool_tui", "--base-url", base_url, "sessions", "list"]
                for flavour, extra in ((" --json", ["--json"]), (" --jsonl", ["--jsonl"]),
                                       (" (table)", [])):
                    if flavour == " --jsonl" and args.no_jsonl:
                        continue
                    runs[f"{prefix}sessions list{flavour}"] = ([*cli, *extra], cwd, tree_env)
            bare, _, bare_env = runs["bare httpx pages"]
            measure(bare, bare_env)  # warm the simulator's caches
            for _ in range(args.runs):
                for name, (command, cwd, run_env) in runs.items():  # interleaved: the same load
                    wall, rss, cpu = measure(command, run_env, cwd)
                    figure(f"cli {n}: {name} wall", wall, "s")
                    figure(f"cli {n}: {name} peak RSS", rss, "MB")
                    figure(f"cli {n}: {name} CPU", cpu, "s")
    starts = {
        "python -c pass": [*app_py, "-c", "pass"],
        "akool-tui --help": [*app_py, "-m", "akool_tui", "--help"],
        "akool-tui sessions list --help": [*app_py, "-m", "akool_tui", "sessions", "list",
                                           "--help"],
    }
    for _ in range(args.startup_runs):
        for name, command in starts.items():
            wall, _rss, _cpu = measure(command, app_env, app_cwd)
            figure(f"startup: {name}", wall * 1000, "ms")
    print()
    print(f"sessions={args.sessions} runs={args.runs} startup_runs={args.startup_runs}")
    for name, values in found.items():
        print(f"  {name:<52} {spread(values)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
