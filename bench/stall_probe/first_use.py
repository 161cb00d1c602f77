"""What the UI thread did for the first time after the first row: the modules it
imported, and the callbacks over 25 ms with the stacks a sampler saw in them.

    STALLS_SAMPLE=1 STALLS_PER_RUN=1 python bench/stall_probe/run.py TREE 2 1 --out DIR
    python bench/stall_probe/first_use.py DIR [RUN [LONGER_THAN_MS]]

RUN (default: the last) names stalls-RUN.log; the phases (load, refetch, filter, sort)
come from the keys run.py logged in probes.log."""
import sys
from pathlib import Path

out = Path(sys.argv[1])
logs = sorted(out.glob("stalls-*.log"), key=lambda p: int(p.stem.split("-")[1]))
run = int(sys.argv[2]) if len(sys.argv) > 2 else int(logs[-1].stem.split("-")[1])
marks, starts = [], []
for line in open(out / "probes.log"):
    p = line.split()
    if p[0] == "run":
        starts.append(float(p[2]))
start = starts[run]
end = starts[run + 1] if run + 1 < len(starts) else float("inf")
first_probe = None
for line in open(out / "probes.log"):
    p = line.split()
    t = float(p[1]) if p[0] in ("probe", "send") else None
    if t is None or not start <= t < end:
        continue
    if p[0] == "probe" and first_probe is None:
        first_probe = t
    if p[0] == "send":
        key = " ".join(p[2:])
        tag = {"b'\\x12'": "refetch", "b'f'": "filter", "b's'": "sort"}.get(key)
        if tag:
            marks.append((t, tag))


def phase(t: float) -> str:
    if first_probe is None or t < first_probe:
        return "start"
    tag = "load"
    for when, name in marks:
        if when <= t:
            tag = name
    return tag


imports, stacks, cbs = [], {}, []
for line in open(out / f"stalls-{run}.log"):
    p = line.split(" ", 5)
    if p[0] == "imp" and p[4] == "0":
        imports.append((float(p[1]), float(p[2]), float(p[3][4:]), p[5].strip()))
    elif p[0] == "cb":
        cbs.append((float(p[1]), float(p[2]), line.split(" ", 4)[4].strip()))
    elif p[0] == "stk":
        q = line.split(" ", 3)
        stacks.setdefault(float(q[1]), []).append((int(q[2]), q[3].strip()))
print(f"run {run}: first probe at +{(first_probe or start) - start:.2f} s")
print("UI-thread imports (outermost) after the first row:")
total = {}
for t, wall, cpu, name in imports:
    ph = phase(t)
    if ph == "start":
        continue
    total[ph] = total.get(ph, 0) + wall
    print(f"  {ph:8s} +{t - start:7.3f} {wall:7.2f} ms cpu {cpu:6.2f}  {name}")
print("  total per phase:", {k: round(v, 1) for k, v in total.items()})
LONG = float(sys.argv[3]) if len(sys.argv) > 3 else 25.0
print(f"UI callbacks over {LONG:g} ms after the first row:")
for t, wall, what in cbs:
    if wall < LONG or phase(t) == "start":
        continue
    print(f"  {phase(t):8s} +{t - start:7.3f} {wall:6.1f} ms {what[:110]}")
    for s, found in stacks.items():
        if abs(s - t) < 0.002:
            for n, stack in found:
                print(f"      {n:3d} {stack[:400]}")
