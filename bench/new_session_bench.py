"""Key-to-dialog: `n` on the sessions screen of ``akool-tui --demo`` until the
new-session dialog is drawn, read from a pseudo-terminal (120x34), against a second
source tree run alternately in the same bench (``--base``: an older commit's
``akool_tui`` unpacked, e.g. ``git archive <commit> akool_tui | tar -x -C /tmp/base``),
so both share the machine's load.

Each run spawns the program, waits for session rows, then ``--presses`` times: sends
``n`` and times until the dialog's "Duration (seconds" label is drawn ("painted"), then
sends ``x`` (into the focused Duration) and times until its inline problem is drawn
("answers a key": the dialog's own work after its first frame is done). ``--term
tmux-256color`` runs as inside tmux (256 colours, no COLORTERM). Prints min / median /
max per tree and the load average.

    python bench/new_session_bench.py [--base /tmp/base] [--runs 3] [--presses 5] [--term T]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from startup_bench import ANSI, ROW, PtyApp, bench_env  # noqa: E402

MARK = b"Duration (seconds"
ANSWER = b"Expected a whole"


def _until(app: PtyApp, start: int, mark: bytes, sent: float) -> float:
    deadline = sent + 10
    while mark not in ANSI.sub(b"", app.seen[start:]):
        if time.perf_counter() > deadline:
            raise RuntimeError(f"no {mark!r} within 10 s")
        app._read(deadline - time.perf_counter())
    return time.perf_counter() - sent


def presses(tree: str, count: int, term: str = "") -> list[tuple[float, float]]:
    """(key to dialog painted, key to the dialog's answer to a key typed once it shows)"""
    with tempfile.TemporaryDirectory() as tmp:
        env = bench_env(tmp)
        env["PYTHONPATH"] = tree
        if term:  # as tmux sets it: 256 colours, no COLORTERM
            env["TERM"] = term
            env.pop("COLORTERM", None)
        # -P: not the current directory first on the path (it would shadow PYTHONPATH)
        with PtyApp([sys.executable, "-P", "-m", "akool_tui", "--demo"], env) as app:
            app.wait_for([ROW])
            app.drain(1.0)
            times = []
            for _ in range(count):
                start = len(app.seen)
                sent = time.perf_counter()
                app.send(b"n")
                shown = _until(app, start, MARK, sent)
                # an "x" in Duration (focused): its inline problem, once the dialog
                # answers keys (until then the key waits in the queue)
                start = len(app.seen)
                app.send(b"x")
                answered = _until(app, start, ANSWER, sent)
                times.append((shown, answered))
                app.drain(0.5)
                app.send(b"\x1b")
                app.drain(1.0)
            print(tree, [(round(a * 1000), round(b * 1000)) for a, b in times], flush=True)
            return times


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--base", help="another source tree (holding akool_tui/) to compare")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--presses", type=int, default=5)
    parser.add_argument("--term", default="", help="TERM without COLORTERM (tmux-256color: "
                        "as in tmux) instead of a truecolor xterm")
    args = parser.parse_args()
    trees = {"this tree": str(Path(__file__).resolve().parent.parent)}
    if args.base:
        trees["base"] = args.base
    results: dict[str, list[tuple[float, float]]] = {name: [] for name in trees}
    for _ in range(args.runs):
        for name, tree in trees.items():
            results[name] += presses(tree, args.presses, args.term)
    print(f"load average {os.getloadavg()}")
    for name, times in results.items():
        for i, what in enumerate(("painted", "answers a key")):
            ms = sorted(t[i] * 1000 for t in times)
            print(f"figure: new-session dialog {what}, {name}: min {ms[0]:.0f} / median "
                  f"{statistics.median(ms):.0f} / max {ms[-1]:.0f} ms ({len(ms)} presses)")


if __name__ == "__main__":
    main()
