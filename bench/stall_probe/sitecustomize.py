"""Stall probe: loaded into an app process (``PYTHONPATH=bench/stall_probe``) when
``STALLS_LOG`` names a file; writes one line per event, times in ``perf_counter`` (the
same clock as the bench's):

    gc  START WALL_MS cpu=CPU_MS genN THREAD n=COLLECTED   collections over 3 ms
    cb  START WALL_MS cpu=CPU_MS TASK>AWAITED...           UI-thread callbacks over 12 ms
                                                           (STALLS_CB_MS)
    dog START GAP_MS THREAD=CPU_MS ...                     a watchdog thread that woke
        over 20 ms late, and the CPU each thread used meanwhile (none: the process was
        not running; one thread: it held the interpreter)
    fn  START WALL_MS cpu=CPU_MS NAME THREAD               gc_after_load, apply, malloc_trim
    cpu END GAP_MS THREAD=CPU_MS ...                       (STALLS_CPU=1) each watchdog
        sample: the CPU each thread used over the GAP_MS before END
    imp START WALL_MS cpu=CPU_MS DEPTH NAME                a module imported on the UI
        thread (DEPTH 0: the outermost import; the time includes the nested ones)
    stk START N FRAME<FRAME<...                            a UI callback over STALLS_SAMPLE
        ms (25 when set to 1): the stacks a 2 ms sampler saw in it, most frequent first

Only for benches: ``run.py`` starts the app with it.
"""
import os
_path = os.environ.get("STALLS_LOG")
if _path:
    import asyncio.events, gc, sys, threading, time
    _out = open(_path, "a", buffering=1)
    pc = time.perf_counter
    _main = threading.main_thread().ident
    _gc = {}
    def _cb(phase, info):
        t = threading.get_ident()
        if phase == "start":
            _gc[t] = (pc(), time.thread_time())
        else:
            s = _gc.pop(t, None)
            if s is not None:
                s, c = s
                d = pc() - s
                c = time.thread_time() - c
                if d > 0.003:
                    _out.write(f"gc {s:.4f} {d*1000:.1f} cpu={c*1000:.1f} gen{info['generation']} {'ui' if t == _main else threading.current_thread().name} n={info['collected']}\n")
    gc.callbacks.append(_cb)
    _orig = asyncio.events.Handle._run
    _cur = [0.0]
    _cb_s = float(os.environ.get("STALLS_CB_MS") or 12) / 1000
    def _run(self):
        if threading.get_ident() != _main:
            return _orig(self)
        s = pc(); c = time.thread_time()
        _cur[0] = s
        try:
            return _orig(self)
        finally:
            _cur[0] = 0.0
            d = pc() - s
            if d > _cb_s:
                c = time.thread_time() - c
                cb = self._callback
                what = str(cb)[:100]
                task = getattr(cb, "__self__", None)
                if task is not None and hasattr(task, "get_coro"):
                    co = task.get_coro()
                    what = getattr(co, "__qualname__", str(co))
                    fr = getattr(co, "cr_frame", None)
                    while fr is not None and hasattr(co, "cr_await"):
                        co = co.cr_await
                        if co is None or not hasattr(co, "cr_frame"):
                            break
                        what += ">" + getattr(co, "__qualname__", "?")
                elif hasattr(cb, "_task" if False else "__qualname__"):
                    what = cb.__qualname__
                _out.write(f"cb {s:.4f} {d*1000:.1f} cpu={c*1000:.1f} {what}\n")
    asyncio.events.Handle._run = _run
    import importlib._bootstrap as _boot
    _fal = _boot._find_and_load
    _depth = [0]
    def _find_and_load(name, import_):
        if threading.get_ident() != _main:
            return _fal(name, import_)
        s = pc(); c = time.thread_time()
        _depth[0] += 1
        try:
            return _fal(name, import_)
        finally:
            _depth[0] -= 1
            _out.write(f"imp {s:.4f} {(pc()-s)*1000:.2f} cpu={(time.thread_time()-c)*1000:.2f} {_depth[0]} {name}\n")
    _boot._find_and_load = _find_and_load
    _samples = {}
    def _frames(frame):
        out = []
        while frame is not None and len(out) < 14:
            co = frame.f_code
            f = co.co_filename
            if "/asyncio/" not in f and "stall_probe" not in f:
                short = f.rsplit("site-packages/", 1)[-1].rsplit("/akool_tui/", 1)[-1]
                out.append(f"{short.removesuffix('.py')}:{co.co_name}:{frame.f_lineno}")
            frame = frame.f_back
        return "<".join(out)
    def _sample():
        s = _cur[0]
        if s and pc() - s > 0.008:
            fr = sys._current_frames().get(_main)
            if fr is not None:
                d = _samples.setdefault(s, {})
                k = _frames(fr)
                d[k] = d.get(k, 0) + 1
    _orig_run2 = asyncio.events.Handle._run
    def _run2(self):
        if threading.get_ident() != _main:
            return _orig_run2(self)
        s0 = pc()
        try:
            return _orig_run2(self)
        finally:
            for s in [k for k in _samples if k <= pc()]:
                d = _samples.pop(s)
                if pc() - s0 > _stk_ms / 1000:
                    for k, n in sorted(d.items(), key=lambda kv: -kv[1])[:4]:
                        _out.write(f"stk {s:.4f} {n} {k}\n")
    _stk_ms = float(os.environ.get("STALLS_SAMPLE") or 0) or 25.0
    if os.environ.get("STALLS_SAMPLE"):
        asyncio.events.Handle._run = _run2
    _all_cpu = bool(os.environ.get("STALLS_CPU"))
    def _dog():
        clocks = {}
        last = pc()
        def cpus():
            r = {}
            for th in threading.enumerate():
                if th.ident == threading.get_ident():
                    continue
                c = clocks.get(th.ident)
                if c is None:
                    try:
                        c = clocks[th.ident] = time.pthread_getcpuclockid(th.ident)
                    except Exception:
                        continue
                try:
                    r[th.name if th.ident != _main else "ui"] = time.clock_gettime(c)
                except OSError:
                    pass
            return r
        before = cpus()
        patched = False
        def wrap(mod, name):
            f = getattr(mod, name)
            def w(*a, **k):
                s = pc(); c = time.thread_time()
                try:
                    return f(*a, **k)
                finally:
                    _out.write(f"fn {s:.4f} {(pc()-s)*1000:.1f} cpu={(time.thread_time()-c)*1000:.1f} {name} {threading.current_thread().name}\n")
            setattr(mod, name, w)
        while True:
            sc = sys.modules.get("akool_tui.tui.screens.sessions")
            if not patched and sc is not None and not getattr(sc.__spec__, "_initializing", True):
                patched = True
                try:
                  import akool_tui.core.memory, akool_tui.tui.screens.sessions_load
                  m = sys.modules["akool_tui.core.memory"]; sl = sys.modules["akool_tui.tui.screens.sessions_load"]
                  sc = sys.modules["akool_tui.tui.screens.sessions"]
                  wrap(m, "release_free_memory"); wrap(sl, "release_free_memory")
                  wrap(sl, "gc_after_load"); wrap(sc, "gc_after_load")
                  wrap(sc.SessionsScreen, "apply")
                except Exception as e:
                  _out.write(f"patch error {e!r}\n")
            time.sleep(0.002)
            if os.environ.get("STALLS_SAMPLE"):
                _sample()
            now = pc()
            after = cpus()
            gap = now - last
            if _all_cpu:  # every sample: the CPU each thread used since the last one
                parts = " ".join(f"{k}={1000*(v-before.get(k, v)):.2f}" for k, v in after.items() if v - before.get(k, v) > 0)
                _out.write(f"cpu {now:.4f} {gap*1000:.2f} {parts}\n")
            if gap > 0.020:
                parts = " ".join(f"{k}={1000*(v-before.get(k, v)):.0f}" for k, v in after.items() if v - before.get(k, v) > 0.002)
                _out.write(f"dog {last:.4f} {gap*1000:.1f} {parts}\n")
            last, before = pc(), after
    threading.Thread(target=_dog, name="dog", daemon=True).start()
