"""What each key waited for: the UI callbacks that ran while it was on its way to the
screen, by kind, for the slowest keys of each phase.

    STALLS_CB_MS=1 STALLS_PER_RUN=1 python bench/stall_probe/run.py TREE 2 1 --out DIR
    python bench/stall_probe/key_path.py DIR [RUN [KEYS_PER_PHASE]]
"""
import re
import sys
from collections import defaultdict
from pathlib import Path

out = Path(sys.argv[1])
logs = sorted(out.glob("stalls-*.log"), key=lambda p: int(p.stem.split("-")[1]))
run = int(sys.argv[2]) if len(sys.argv) > 2 else int(logs[-1].stem.split("-")[1])
top = int(sys.argv[3]) if len(sys.argv) > 3 else 5
starts, probes, marks = [], [], []
for line in open(out / "probes.log"):
    p = line.split()
    if p[0] == "run":
        starts.append(float(p[2]))
start = starts[run]
end = starts[run + 1] if run + 1 < len(starts) else float("inf")
for line in open(out / "probes.log"):
    p = line.split()
    if p[0] == "probe" and start <= float(p[1]) < end:
        probes.append((float(p[1]), float(p[2])))
    elif p[0] == "send" and start <= float(p[1]) < end:
        tag = {"b'\\x12'": "refetch", "b'f'": "filter", "b's'": "sort"}.get(" ".join(p[2:]))
        if tag:
            marks.append((float(p[1]), tag))


def phase(t: float) -> str:
    tag = "load"
    for when, name in marks:
        if when <= t:
            tag = name
    return tag


def kind(what: str) -> str:
    for pattern, name in (("Timer._run", "timer (screen update, intervals)"),
                          ("rows_of", "rows_of"), ("_drain_async", "table drain"),
                          ("_index_search", "search texts"), ("_reorder_async", "reorder"),
                          ("_apply_sliced", "apply sliced"), ("MessagePump", "messages"),
                          ("Worker", "worker")):
        if pattern in what:
            return name
    return re.sub(r"\s.*", "", what)[:40]


cbs, gcs, dogs, cpus = [], [], [], []
for line in open(out / f"stalls-{run}.log"):
    p = line.split(" ", 4)
    if p[0] == "cb":
        cbs.append((float(p[1]), float(p[2]), float(p[3][4:]), p[4].strip()))
    elif p[0] == "gc":
        gcs.append((float(p[1]), float(p[2]), line.strip()))
    elif p[0] == "cpu":
        q = line.split()
        cpus.append((float(q[1]), dict((k, float(v)) for k, v in (x.split("=") for x in q[3:]))))
    elif p[0] == "dog":
        dogs.append((float(p[1]), float(p[2]), line.strip()))
by_phase = defaultdict(list)
for t, ms in probes:
    by_phase[phase(t)].append((ms, t))
for ph, found in by_phase.items():
    found.sort(reverse=True)
    print(f"{ph}: {len(found)} keys, slowest {', '.join(f'{ms:.0f}' for ms, _ in found[:8])} ms")
    for ms, t in found[:top]:
        stop = t + ms / 1000
        inside = [c for c in cbs if c[0] < stop and c[0] + c[1] / 1000 > t]
        total = defaultdict(lambda: [0, 0.0, 0.0])
        for s, wall, cpu, what in inside:
            k = total[kind(what)]
            k[0] += 1; k[1] += wall; k[2] += cpu
        busy = sum(c[1] for c in inside)
        print(f"  key +{t - start:.3f} {ms:.1f} ms: callbacks over the threshold {busy:.0f} ms "
              f"({len(inside)}): " + "; ".join(f"{k} {n}x {w:.0f}ms cpu {c:.0f}"
                                              for k, (n, w, c) in sorted(total.items(), key=lambda kv: -kv[1][1])))
        if cpus:
            used = defaultdict(float)
            for when, parts in cpus:
                if t < when <= stop:
                    for k, v in parts.items():
                        used[k] += v
            print("      threads' CPU meanwhile: " + ", ".join(f"{k} {v:.0f}" for k, v in sorted(used.items(), key=lambda kv: -kv[1])))
        for s, wall, text in gcs + dogs:
            if s < stop and s + wall / 1000 > t:
                print(f"      {text[:120]}")

# per phase: what the keys waited behind, as figures (less sensitive to the machine's
# load than the latencies: the CPU the UI thread spent on slices of work in a key's way)
SLICES = ("rows_of", "table drain", "search texts", "apply sliced")
print("summary (per key: slices = UI-thread CPU in rows_of / table drain / search texts "
      "callbacks inside the key's way; ui = the UI thread's CPU meanwhile):")
for ph, found in by_phase.items():
    sl, ui = [], []
    for ms, t in found:
        stop = t + ms / 1000
        sl.append(sum(c[2] for c in cbs if c[0] < stop and c[0] + c[1] / 1000 > t
                      and kind(c[3]) in SLICES))
        ui.append(sum(parts.get("ui", 0.0) for when, parts in cpus if t < when <= stop))
    lat = sorted(ms for ms, _ in found)

    def fig(values):
        values = sorted(values)
        return f"{values[len(values) // 2]:.1f} / {values[int(0.95 * (len(values) - 1))]:.1f} / {values[-1]:.1f}"
    print(f"  {ph:8s} keys {len(found):3d}  latency {fig(lat)}  slices {fig(sl)}  ui {fig(ui) if cpus else '-'}  (median / p95 / max ms)")
