"""bench/run_all's rows: one measure, our samples beside the samples of its floor or
anchor measured in the same run, shown as min / median / max with the ratio of the
medians; and the ``figure: <name> <value> <unit>`` lines most bench scripts print.
"""


from __future__ import annotations

import re
import statistics
from collections.abc import Callable
from dataclasses import dataclass


@dataclass
class Row:
    area: str
    measure: str
    anchor: str  # what the floor / anchor is
    floor: list[float] | float | None
    ours: list[float] | float | None
    unit: str
    target: str = ""

    def __post_init__(self) -> None:
        self.floor = samples(self.floor)
        self.ours = samples(self.ours)

    @property
    def key(self) -> tuple[str, str, str, str]:
        return self.area, self.measure, self.anchor, self.unit

    @property
    def ratio(self) -> str:
        floor, ours = median(self.floor), median(self.ours)
        if floor in (None, 0) or ours is None:
            return "-"
        r = ours / floor
        return f"{r:.2f}x" if r >= 0.1 else f"{r:.2g}x"


def samples(value: list[float] | float | None) -> list[float]:
    if value is None:
        return []
    return list(value) if isinstance(value, list) else [value]


def median(values: list[float]) -> float | None:
    return statistics.median(values) if values else None


def spread(values: list[float], unit: str) -> str:
    """``min / median / max`` (n runs); one sample is marked as such."""
    if not values:
        return "-"
    if len(values) == 1:
        return f"{fmt(values[0], unit)} (1 run)"
    lo, mid, hi = min(values), statistics.median(values), max(values)
    return f"{fmt(lo, unit)} / **{fmt(mid, unit)}** / {fmt(hi, unit)}"


FORMATS = {"B": "{:,.0f} B", "B/s": "{:,.0f} B/s", "%": "{:.2f} %", "core": "{:.3g} core",
           "s": "{:.3f} s", "MB": "{:,.1f} MB", "count": "{:,.0f}", "/s": "{:,.1f} /s",
           "ms": "{:,.1f} ms", "us": "{:,.1f} us", "KiB": "{:,.0f} KiB",
           "KiB/s": "{:,.1f} KiB/s", "ratio": "{:.3f}"}


def fmt(value: float | None, unit: str) -> str:
    if value is None:
        return "-"
    return FORMATS.get(unit, "{:,.4g} " + unit).format(value)


def num(text: str) -> float | None:
    """A number from a printed cell such as ``1,234.5 ms`` (None for ``skipped``/``-``)."""
    m = re.search(r"-?[\d,]+(?:\.\d+)?", text)
    return float(m.group().replace(",", "")) if m else None


def need(pattern: str, out: str, what: str) -> re.Match[str]:
    m = re.search(pattern, out, re.MULTILINE)
    if m is None:
        raise ValueError(f"cannot find {what} in the output")
    return m


# -- figure lines -----------------------------------------------------------------------


FIGURE = re.compile(r"^figure: (.+) (-?[\d.]+(?:e-?\d+)?) (\S+)\s*$", re.MULTILINE)


def figures(out: str) -> dict[str, list[float]]:
    """``figure: <name> <value> <unit>`` lines: the samples of each ``<name> [<unit>]``."""
    found: dict[str, list[float]] = {}
    for name, value, unit in FIGURE.findall(out):
        found.setdefault(f"{name.strip()} [{unit}]", []).append(float(value))
    return found


def unit_of(key: str) -> str:
    return key.rsplit(" [", 1)[1].rstrip("]")


def paired(found: dict[str, list[float]], area: str,
           pairs: list[tuple[str, str | None, str, str, str]]) -> list[Row]:
    """Rows of ``(ours, floor or None, measure, anchor, target)`` figure keys, then a row
    for every figure not named in ``pairs`` (every printed figure is reported)."""
    rows, used = [], set()
    for ours, floor, measure, anchor, target in pairs:
        if ours not in found:
            continue
        used.update({ours, floor})
        rows.append(Row(area, measure, anchor, found.get(floor) if floor else None,
                        found[ours], unit_of(ours), target))
    for key, values in found.items():
        if key not in used:
            rows.append(Row(area, key.rsplit(" [", 1)[0], "-", None, values, unit_of(key)))
    return rows


def parse_figures(area: str) -> Callable[[str], list[Row]]:
    """Any script that prints figure lines: each figure a row."""

    def parse(out: str) -> list[Row]:
        rows = paired(figures(out), area, [])
        if not rows:
            raise ValueError("no figure lines in the output")
        return rows

    return parse
