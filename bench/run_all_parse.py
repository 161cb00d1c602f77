"""bench/run_all's parsers: what each bench script prints, read into table rows
(bench/run_all_rows.py). Each takes a script's whole stdout and raises ValueError when
the figures it needs are not there (run_all then reports the output as not understood).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable

from run_all_rows import Row, figures, need, num, paired, parse_figures  # noqa: F401


# -- bench/latency_100k.py: summary figure lines per size -------------------------------------


SUMMARY = re.compile(r"^figure: (\w+) size=(\w+) min=(-?[\d.]+) median=(-?[\d.]+) "
                     r"max=(-?[\d.]+) unit=(\S+) runs=(\d+)\s*$", re.MULTILINE)

#: latency_100k's figure names, as the table says them, and their targets per size
LATENCY = {
    "rows_on_screen": ("rows on screen (start -> first frame with a session row)",
                       {"100000": "<= 2 s"}),
    "loaded": ("loaded (start -> status line shows the full count)", {}),
    "rss_load": ("RSS once loaded", {"100000": "< 200 MB"}),
    "rss_refetch_max": ("RSS after a full refetch, largest", {"100000": "< 200 MB"}),
    "rss_growth": ("RSS growth, last refetch vs loaded", {"100000": "steady"}),
    "latency_min": ("key -> screen during load and refetches: min", {}),
    "latency_median": ("key -> screen during load and refetches: median", {}),
    "latency_p95": ("key -> screen during load and refetches: p95", {"100000": "<= 50 ms"}),
    "latency_max": ("key -> screen during load and refetches: max", {"100000": "<= 50 ms"}),
    "probes_in_refetch": ("keys typed while a full refetch ran", {}),
    "filter_latency_median": ("status quick filter until painted, median", {}),
    "sort_until_painted_max": ("sort until painted, slowest of a whole sort cycle", {}),
    "idle_cpu": ("idle CPU over one refetch cycle", {"100000": "< 2 %", "10000": "< 1 %"}),
    "idle_cycle": ("idle window (whole refetch cycle, or cut at --idle-max)", {}),
}


def summary_samples(lo: float, mid: float, hi: float, runs: int) -> list[float]:
    """min / median / max of ``runs`` runs as samples that show as the same spread."""
    return [mid] if runs == 1 else [lo, mid, hi]


def parse_latency(out: str) -> list[Row]:
    """bench/latency_100k.py: ``figure: <name> size=<n> min= median= max= unit= runs=``.
    Each figure at each size beside the same figure at the first size (the baseline,
    300 sessions) or, for idle, the minimal Textual app; plain figure lines too."""
    found: dict[tuple[str, str], tuple[list[float], str]] = {}
    sizes: list[str] = []
    for name, size, lo, mid, hi, unit, runs in SUMMARY.findall(out):
        found[name, size] = (summary_samples(float(lo), float(mid), float(hi), int(runs)), unit)
        if size != "minimal" and size not in sizes:
            sizes.append(size)
    rows: list[Row] = []
    base = sizes[0] if sizes else None
    for (name, size), (values, unit) in found.items():
        if size in ("minimal", base) and not (size == base and len(sizes) == 1):
            continue  # shown as the floor of the other sizes
        words, targets = LATENCY.get(name, (name.replace("_", " "), {}))
        floor_key = ("idle_cpu", "minimal") if name == "idle_cpu" else (name, base)
        floor = found.get(floor_key, ([], unit))[0] if floor_key != (name, size) else []
        anchor = ("minimal Textual app, idle" if name == "idle_cpu"
                  else f"the same at {int(base):,} sessions" if floor else "-")
        rows.append(Row("latency (pty)", f"{words}, {int(size):,} sessions", anchor, floor,
                        values, unit, targets.get(size, "")))
    rows += paired(figures(out), "latency (pty)", [])
    if not rows:
        raise ValueError("no latency figures in the output")
    return rows


# -- the others -------------------------------------------------------------------------


def parse_fetch(out: str) -> list[Row]:
    head = need(r"sessions=(\d+) pages=(\d+) latency=([\d.]+)s concurrency=(\d+)", out, "settings")
    n, pages, lat, conc = head.groups()
    what = (f"fetch {int(n):,} sessions ({pages} pages, {float(lat) * 1000:g} ms latency, "
            f"{conc} in flight, simulator in its own process)")
    return paired(figures(out), "REST", [
        ("fetch list_all_sessions [s]", "fetch bare httpx loop [s]", what,
         "bare httpx loop, same pages, measured", ""),
    ])


def parse_cli(out: str) -> list[Row]:
    found = figures(out)
    rows = []
    for key in sorted(found):
        m = re.match(r"cli (\S+): sessions list(.*) (wall|peak RSS) \[(\w+)\]$", key)
        if not m:
            continue
        n, flavour, what, unit = m.groups()
        floor = f"cli {n}: bare httpx pages {what} [{unit}]"
        target = "<= 3 s" if what == "wall" else "<= 150 MB"
        rows += paired({k: found[k] for k in (key, floor) if k in found}, "CLI", [
            (key, floor, f"`sessions list{flavour}` at {n} sessions: {what}",
             "bare httpx page loop (process of its own)", target)])[:1]
        decoded = f"cli {n}: bare httpx pages + json.loads {what} [{unit}]"
        if what == "wall" and decoded in found:  # the floor any listing that reads its
            rows += paired({k: found[k] for k in (key, decoded)}, "CLI", [  # records pays
                (key, decoded, f"`sessions list{flavour}` at {n} sessions: wall, against "
                 "the loop that also decodes each page", "bare httpx pages + json.loads", "")])[:1]
    rows += paired({k: v for k, v in found.items() if k.startswith("startup")}, "CLI", [
        ("startup: akool-tui --help [ms]", "startup: python -c pass [ms]",
         "`akool-tui --help` start-up", "`python -c pass`", "no asyncio/httpx/Textual"),
        ("startup: akool-tui sessions list --help [ms]", "startup: python -c pass [ms]",
         "`akool-tui sessions list --help` start-up", "`python -c pass`", ""),
    ])[:2]
    if not rows:
        raise ValueError("no CLI figures in the output")
    return rows


def parse_pacing(out: str) -> list[Row]:
    kib = need(r"^(\d+) KiB text -> (\d+) parts, (\d+) bytes encoded", out, "the parts line")
    return paired(figures(out), "stream", [
        ("pacing websocket last byte at the simulator [s]", "pacing floor (encoded bytes / rate) [s]",
         f"send {kib.group(1)} KiB on Agora limits: until the simulator's stream channel has "
         "the last part", "encoded bytes / 5 760 B/s", "<= 1.1x"),
        ("pacing largest encoded part [B]", "pacing part limit [B]", "largest encoded part",
         "limit 960 B", "<= 960 B"),
        ("pacing chunk 100 KB [ms]", "pacing one json encode of 100 KB [ms]",
         "chunk 100 KB of mixed text", "one json encode of it", ""),
    ])


def parse_startup(out: str) -> list[Row]:
    found = figures(out)
    floor = "startup minimal app: first frame [ms]"
    pairs = []
    for key in sorted(found, key=lambda k: ("data" not in k, k)):  # the headline first
        m = re.match(r"startup (akool-tui.*): (data|empty frame) \[ms\]$", key)
        if m:
            program, frame = m.groups()
            what = ("first frame WITH session rows" if frame == "data"
                    else "first frame, table still empty")
            target = ("<= 2 s" if frame == "data" and "100,000" in program
                      else "<= 1.25x" if frame == "empty frame" else "")
            pairs.append((key, floor, f"{what}: {program} (120x34 pty)",
                          "minimal Textual app", target))
    rows = paired(found, "startup", pairs)
    if not pairs:
        raise ValueError("no startup figures in the output")
    return [r for r in rows if r.anchor != "-"]


def parse_idle(out: str) -> list[Row]:
    """bench/idle_bench.py: per run ``figure: idle <program>: <what> <v> <unit>``; the
    live program over a whole refetch cycle or a cut window (an upper bound)."""
    sessions = need(r"^idle at ([\d,]+) sessions", out, "the idle settings").group(1)
    found = figures(out)
    area = f"idle, {sessions} sessions"
    target = "< 1 %" if int(sessions.replace(",", "")) <= 10_000 else "< 2 %"
    pairs = []
    for key in found:
        m = re.match(r"idle (live, [^:]+|paused): (CPU|bytes/s|other writes/s) \[(\S+)\]$", key)
        if not m:
            continue
        program, what, unit = m.groups()
        window = ("" if program.startswith("live") else " (refresh paused with p)")
        measure = f"akool-tui {program}{window}: {what} (pty)"
        if what == "other writes/s":
            pairs.append((key, None, measure + ", writes that are not a time-driven cell "
                          "(after the ctrl+r refresh that starts the window)", "-", "0"))
        else:
            pairs.append((key, f"idle minimal: {what} [{unit}]", measure,
                          "minimal Textual app", target if what == "CPU" else
                          "countdown cells only"))
    pairs.append(("idle live: ctrl+r refresh writes [count]", None, "akool-tui live: writes "
                  "of the ctrl+r refresh that starts the window (its notice), not idle",
                  "-", ""))
    pairs.append(("idle live: window [s]", None, "akool-tui live: window length "
                  "(start of one full refetch to the next, or cut)", "-", ""))
    rows = [r for r in paired(found, area, pairs) if not r.measure.startswith("idle minimal")]
    if not any(r.measure.startswith("akool-tui live") for r in rows):
        raise ValueError("no live idle figures in the output")
    return rows


def parse_pulse(out: str) -> list[Row]:
    """bench/pulse_bench.py: the pulse open vs the sessions screen, same app, same run."""
    head = need(r"^idle for ([\d.]+) s at ([\d,]+) sessions", out, "the pulse settings")
    window, sessions = head.groups()
    found = figures(out)
    pairs = [(f"pulse idle pulse open: {what} [{unit}]",
              f"pulse idle sessions screen: {what} [{unit}]",
              f"pulse open, idle {window} s at {sessions} sessions: {what} (pty)",
              "the sessions screen, same app, same run", "")
             for what, unit in (("CPU", "%"), ("bytes/s", "B/s"))]
    rows = [r for r in paired(found, "pulse", pairs) if r.anchor != "-"]
    if not rows:
        raise ValueError("no pulse figures in the output")
    return rows


def parse_video(out: str) -> list[Row]:
    """bench/video_bench.py: diff-only repaint vs a full repaint; typing with the video
    vs the panel hidden; the scaling medians (no floor)."""
    found = figures(out)
    pairs = [("bytes_per_s_diff_60x30_10fps [KiB/s]", "bytes_per_s_full_60x30_10fps [KiB/s]",
              "terminal bytes, 60x30 panel at 10 fps, diff-only repaint (headless)",
              "full repaint of the panel per frame", "")]
    for what, unit in (("key_to_screen_p50", "ms"), ("key_to_screen_p95", "ms"),
                       ("process_cpu", "core")):
        pairs.append((f"{what}_video [{unit}]", f"{what}_no_video [{unit}]",
                      f"chat typing with the video at 10 fps: {what.replace('_', ' ')} "
                      "(headless)", "the panel hidden, same run", ""))
    for palette in ("truecolor", "256"):
        pairs.append((f"scale_and_strips_ms_median_{palette} [ms]", None,
                      f"one 1280x720 frame -> 60x30 cells and strips ({palette}), median of "
                      "200", "-", "<= 40 ms (25 fps)"))
    rows = paired(found, "video", pairs)
    # the rest are the same medians' min / max, a ratio of two rows, or median x fps
    rows = rows[:len([p for p in pairs if p[0] in found])]
    if not rows:
        raise ValueError("no video figures in the output")
    return rows


def parse_history(out: str) -> list[Row]:
    """bench/history_bench.py: a Conversation fed at a fixed rate with and without the
    history recorder, same run."""
    rate = need(r"^# ([\d.]+) parts/s for ([\d.]+) s", out, "the history settings").group(1)
    found = figures(out)
    pairs = []
    for label, shape in (("", "2 s replies"), ("long_reply_", "one reply the whole run")):
        pairs.append((f"history_{label}cpu_with [core]", f"history_{label}cpu_without [core]",
                      f"chat at {rate} parts/s, {shape}: process CPU with the recorder",
                      "the same without the recorder", ""))
        for name, words in (("ui_per_part_mean", "loop time per part, mean"),
                            ("ui_per_part_p99", "loop time per part, p99"),
                            ("cpu_per_part", "added CPU per part (loop + writer thread)"),
                            ("db_size", "database size at the end")):
            pairs.append((f"history_{label}{name} [{'KiB' if name == 'db_size' else 'us'}]",
                          None, f"chat at {rate} parts/s, {shape}: {words}", "-", ""))
    rows = paired(found, "history", pairs)
    if not rows:
        raise ValueError("no history figures in the output")
    return rows


def unit_of_cell(label: str, text: str) -> str:
    for unit in ("B/s", "%", "ms", "B"):
        if text.strip().endswith(" " + unit):
            return unit
    return "B" if "bytes" in label else "ms"


def parse_table_as(compositor: str) -> Callable[[str], list[Row]]:
    """Every row table_bench prints (load, diff, sort and filter blocks, "until painted",
    CPU, idle), DataTable and LiveTable on the same Textual (``compositor``)."""
    area = f"tables, {compositor}"

    def parse(out: str) -> list[Row]:
        rows: list[Row] = []
        floor = need(r"minimal app idle \(floor\): CPU \|[^|]*\|[^|]*\| ([^|]+)\|", out,
                     "idle floor")
        floor_bps = need(r"minimal app idle \(floor\): bytes/s \|[^|]*\|[^|]*\| ([^|]+)\|",
                         out, "idle bytes floor")
        for line in out.splitlines():
            parts = [x.strip() for x in line.strip().strip("|").split("|")]
            if len(parts) != 6 or not parts[1].replace(",", "").isdigit():
                continue
            label, n, base, ours, _ratio, target = parts
            unit = unit_of_cell(label, ours if num(ours) is not None else base)
            measure = f"{label} ({int(n.replace(',', '')):,} rows)"
            anchor = "stock DataTable" if num(base) is not None else (
                "DataTable not run at this size" if n.startswith("100") else "no DataTable figure")
            rows.append(Row(area, measure, anchor, num(base), num(ours), unit, target))
            if label.startswith("idle"):
                rows.append(Row(area, measure, "minimal Textual app idle",
                                num(floor.group(1) if unit == "%" else floor_bps.group(1)),
                                num(ours), unit, target))
        if not rows:
            raise ValueError("no table rows in the output")
        return rows

    return parse


def parse_chat_pty(out: str) -> list[Row]:
    found = figures(out)
    rate = need(r"at ([\d.]+) parts/s", out, "the rate").group(1)
    pairs = []
    for what, unit, target in (("p50 send->terminal", "ms", ""),
                               ("p95 send->terminal", "ms", "<= 100 ms"),
                               ("max send->terminal", "ms", ""), ("CPU", "core", "<= 0.4 core")):
        for anchor in ("Log 30 Hz", "Log 20 Hz"):
            pairs.append((f"chat pty akool-tui: {what} [{unit}]",
                          f"chat pty {anchor}: {what} [{unit}]",
                          f"reply at {rate} parts/s, in a pty: {what} (simulator sends -> "
                          "text in the terminal output)",
                          f"Textual Log, {anchor.split()[1]} Hz buffer (pty)", target))
    rows = paired(found, "chat (pty)", pairs)
    rows = [r for r in rows if r.anchor != "-"]
    if not rows:
        raise ValueError("no chat pty figures in the output")
    return rows


def parse_chat(out: str) -> list[Row]:
    """bench/chat_bench.py (headless; optional in run_all): keypress during the stream and
    the transcript with 10 000 prior lines, which the pty bench does not cover."""
    rows = []
    medians = re.findall(r"^(transcript|log30|log|markdown)\s+(\d+)\s+([\d.]+)\s+([\d.]+)\s+([\d.]+)"
                         r"\s+([\d.]+)\s+([\d.]+)\s+([\d.]+)", out, re.MULTILINE)
    table = {(v, int(p)): tuple(map(float, rest)) for v, p, *rest in medians}
    rate = need(r"stream: (\d+) parts at ([\d.]+)/s", out, "the stream line").group(2)
    anchors = (("log30", "Textual Log, 30 Hz buffer (the transcript's rate)"),
               ("log", "Textual Log, 20 Hz buffer"),
               ("markdown", "Textual Markdown stream"))
    measures = ((1, "p95 receive->paint", "ms", "<= 100 ms"), (3, "CPU", "core", "<= 0.4 core"),
                (4, "keypress during the stream", "ms", "<= 50 ms"))
    for (variant, prior), values in sorted(table.items()):
        if variant != "transcript":
            continue
        label = f"{prior:,} prior lines"
        for index, what, unit, target in measures:
            measure = (f"{what} ({label})" if what.startswith("keypress")
                       else f"reply at {rate}/s: {what} ({label}; headless, paint = "
                            "compositor update rendered to a StringIO, not a pty)")
            for anchor, name in anchors:
                base = table.get((anchor, prior))
                if anchor == "markdown" and prior:
                    name = f"Textual Markdown re-rendering a {prior:,}-paragraph document"
                if base is not None:
                    rows.append(Row("chat (headless)", measure, name, base[index], values[index],
                                    unit, target))
    if not table:
        raise ValueError("no chat medians in the output")
    return rows


def parse_soak(out: str) -> list[Row]:
    report = json.loads(out.strip().splitlines()[-1])
    minutes = report["minutes"]
    return [
        Row("soak", f"RSS growth over {minutes:g} min (10 000 sessions, churn, chat)",
            "RSS after warm-up", report["rss_start_mb"], report["rss_end_mb"], "MB", "<= 1.05x"),
        Row("soak", "app CPU, average per minute", "-", None, report["app_cpu_pct_avg"], "%"),
        Row("soak", "errors shown (refresh errors / error notifications)", "-", None,
            float(report["refresh_errors"] + report["error_notes"]), "count", "0"),
    ]
