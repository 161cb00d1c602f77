"""Key-to-screen runs at 100 000 sessions (latency_ab's harness) with the stall probe in
the app, then which collections fell inside a key's way.

    python bench/stall_probe/run.py TREE RUNS [REFETCHES] --out DIR

writes DIR/probes.log (each key sent and its latency) and DIR/stalls.log (see
sitecustomize.py) and prints the collections over 3 ms that ran while a key was on its
way to the screen, after the first ctrl+r."""
import os, sys, time, tempfile, argparse
HERE = __import__("pathlib").Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
import latency_100k as L, latency_ab as AB
from startup_bench import bench_env, free_port, start_simulator
OUT = __import__("pathlib").Path(sys.argv[sys.argv.index("--out") + 1])
OUT.mkdir(parents=True, exist_ok=True)
sys.argv = sys.argv[:sys.argv.index("--out")]
log = open(OUT / "probes.log", "a", buffering=1)
orig = L.Probe.one
def one(self):
    s = time.perf_counter(); v = orig(self); log.write(f"probe {s:.4f} {v*1000:.1f}\n"); return v
L.Probe.one = one
osend = L.PtyApp.send
def send(app, data):
    log.write(f"send {time.perf_counter():.4f} {data!r}\n"); osend(app, data)
L.PtyApp.send = send
args = argparse.Namespace(skip_idle=True, idle_max=0, type_seconds=6.0, refetches=int(sys.argv[3]) if len(sys.argv) > 3 else 2)
tree = sys.argv[1]; runs = int(sys.argv[2])
with tempfile.TemporaryDirectory() as tmp:
    env = {**bench_env(tmp), "COLUMNS": str(L.COLS), "AKOOL_API_KEY": "demo"}
    env["PYTHONPATH"] = str(HERE); env["STALLS_LOG"] = str(OUT / "stalls.log")
    port = free_port(); sim = start_simulator(port, 100_000)
    try:
        for n in range(runs):
            if os.environ.get("STALLS_PER_RUN"):  # one log per run: stalls-N.log
                env["STALLS_LOG"] = str(OUT / f"stalls-{n}.log")
            log.write(f"run {n} {time.perf_counter():.4f}\n")
            r = AB.one(__import__("pathlib").Path(tree), env, sim.pid, port, 100_000, args)
            print(f"run {n}: p95 {r['_p95'][0]:.1f} max {r['_max'][0]:.1f} walls {r['_wall']} load {os.getloadavg()[0]:.2f}", flush=True)
    finally:
        sim.terminate(); sim.wait()


def overlap() -> None:
    probes, gcs, refetch_from = [], [], None
    for line in open(OUT / "probes.log"):
        p = line.split()
        if p[0] == "probe":
            probes.append((float(p[1]), float(p[1]) + float(p[2]) / 1000))
        elif p[0] == "send" and "x12" in line and refetch_from is None:
            refetch_from = float(p[1])
    for line in open(OUT / "stalls.log"):
        p = line.split()
        if p[0] == "gc":
            start, wall, cpu = float(p[1]), float(p[2]), float(p[3][4:])
            gcs.append((start, start + wall / 1000, cpu, p[4], p[5]))
    start = refetch_from or 0.0
    hit = [g for g in gcs for pr in probes if g[0] < pr[1] and g[1] > pr[0] and g[0] > start]
    print(f"probes after ctrl+r {sum(1 for p in probes if p[0] > start)}, collections over "
          f"3 ms inside a key's way {len(hit)}, their CPU {sum(g[2] for g in hit):.0f} ms, "
          f"max {max([g[2] for g in hit], default=0):.1f}; threads {sorted({g[4] for g in hit})}")


overlap()
