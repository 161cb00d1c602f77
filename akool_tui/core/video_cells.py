"""A video frame as terminal cells: scaled to a panel, two pixels per cell.

A cell shows the upper half block ``▀``: its foreground is the top pixel, its background
the bottom one, so a ``cols`` x ``rows`` panel holds ``cols`` x ``2*rows`` pixels (terminal
cells are about twice as tall as wide: the pixels come out about square). The frame is
scaled with its aspect kept (area averaging, so a 1280x720 face does not shimmer) and
letterboxed: cells outside the picture get :data:`NO_COLOUR` (the panel's own
background).

Colours are codes: ``0xRRGGBB`` for truecolor, ``16..255`` (xterm's colour cube and grey
ramp, nearest by distance) for 256-colour terminals. A :class:`CellFrame` keeps them as
two ``rows x cols`` arrays, so the widget compares a frame with the one before and
repaints only the cells that changed (:meth:`CellFrame.changed_runs`).

numpy does all the pixel work (vectorised; no loop over pixels in Python). It is imported
when the first frame is drawn: the console starts without it, and video needs it.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING, Any, Literal

if TYPE_CHECKING:
    import numpy as np

    from ..stream.media import VideoFrame

#: a letterbox cell: painted with the panel's background, not a video colour
NO_COLOUR = -1
Palette = Literal["truecolor", "256"]

#: xterm's 6x6x6 cube levels and 24-step grey ramp (the 16 system colours are left out:
#: terminals define them as they like)
CUBE_LEVELS = (0, 95, 135, 175, 215, 255)
GREY_LEVELS = tuple(8 + 10 * i for i in range(24))


def _np() -> Any:
    import numpy  # noqa: PLC0415 - only when video is on

    return numpy


@dataclass(frozen=True, slots=True)
class Fit:
    """Where the picture lands in the panel's pixel grid (``cols`` x ``2*rows``)."""

    x: int
    y: int
    width: int
    height: int


def fit(src_width: int, src_height: int, cols: int, rows: int) -> Fit:
    """The largest picture of ``src_width:src_height`` aspect inside ``cols`` x ``2*rows``
    pixels, centred (whole cells above and below when it can be: the split cell's top
    and bottom pixels then come from the same picture row pair)."""
    panel_w, panel_h = max(0, cols), max(0, rows) * 2
    if src_width <= 0 or src_height <= 0 or panel_w == 0 or panel_h == 0:
        return Fit(0, 0, 0, 0)
    scale = min(panel_w / src_width, panel_h / src_height)
    width = max(1, min(panel_w, round(src_width * scale)))
    height = max(1, min(panel_h, round(src_height * scale)))
    x = (panel_w - width) // 2
    y = (panel_h - height) // 2
    y -= y % 2  # start on a cell boundary
    return Fit(x, y, width, height)


def _edges(src: int, dst: int) -> Any:
    """Start indexes of ``dst`` near-equal spans of ``src`` (for area averaging)."""
    np = _np()
    return (np.arange(dst, dtype=np.int64) * src) // dst


def scale(pixels: np.ndarray, width: int, height: int) -> np.ndarray:
    """``pixels`` (H x W x 3 uint8) scaled to ``height`` x ``width`` by area averaging
    (nearest pixel when enlarging). Large reductions first keep every n-th row and
    column so that each output pixel averages at most about 4 x 4 source pixels."""
    np = _np()
    src_h, src_w = pixels.shape[:2]
    if width >= src_w and height >= src_h:  # enlarging (a tiny test frame): nearest
        ys = (np.arange(height) * src_h) // height
        xs = (np.arange(width) * src_w) // width
        return pixels[ys][:, xs]
    step_y = max(1, src_h // (height * 4))
    step_x = max(1, src_w // (width * 4))
    if step_y > 1 or step_x > 1:
        pixels = pixels[::step_y, ::step_x]
        src_h, src_w = pixels.shape[:2]
    rows = np.add.reduceat(pixels, _edges(src_h, height), axis=0, dtype=np.uint32) \
        if height < src_h else pixels[(np.arange(height) * src_h) // height].astype(np.uint32)
    if width < src_w:
        sums = np.add.reduceat(rows, _edges(src_w, width), axis=1)
    else:
        sums = rows[:, (np.arange(width) * src_w) // width]
    counts_y = np.diff(np.append(_edges(src_h, height), src_h)) if height < src_h \
        else np.ones(height, dtype=np.int64)
    counts_x = np.diff(np.append(_edges(src_w, width), src_w)) if width < src_w \
        else np.ones(width, dtype=np.int64)
    counts = (counts_y[:, None] * counts_x[None, :])[..., None]
    return ((sums + counts // 2) // counts).astype(np.uint8)


@lru_cache(maxsize=1)
def _cube_lut() -> Any:
    """value 0..255 -> index 0..5 of the nearest cube level."""
    np = _np()
    levels = np.array(CUBE_LEVELS, dtype=np.int32)
    values = np.arange(256, dtype=np.int32)
    return np.abs(values[:, None] - levels[None, :]).argmin(axis=1).astype(np.int32)


def to_xterm256(rgb: np.ndarray) -> np.ndarray:
    """The nearest xterm-256 colour (16..255) of each RGB triple (``... x 3`` uint8),
    by squared distance to the cube colour and to the grey ramp's nearest step."""
    np = _np()
    rgb = rgb.astype(np.int32)
    idx = _cube_lut()[rgb]  # ... x 3, each 0..5
    levels = np.array(CUBE_LEVELS, dtype=np.int32)
    cube_err = ((levels[idx] - rgb) ** 2).sum(axis=-1)
    cube = 16 + 36 * idx[..., 0] + 6 * idx[..., 1] + idx[..., 2]
    mean = rgb.sum(axis=-1) // 3
    grey_i = np.clip((mean - 3) // 10, 0, 23)  # nearest of 8, 18, ..., 238
    grey_v = 8 + 10 * grey_i
    grey_err = ((rgb - grey_v[..., None]) ** 2).sum(axis=-1)
    return np.where(grey_err < cube_err, 232 + grey_i, cube).astype(np.int32)


def xterm256_rgb(code: int) -> tuple[int, int, int]:
    """The RGB of an xterm-256 colour code 16..255."""
    if code >= 232:
        v = GREY_LEVELS[code - 232]
        return (v, v, v)
    code -= 16
    return (CUBE_LEVELS[code // 36], CUBE_LEVELS[code // 6 % 6], CUBE_LEVELS[code % 6])


@dataclass(frozen=True, slots=True)
class CellFrame:
    """A frame as cells: ``fg`` (top pixels) and ``bg`` (bottom pixels), ``rows`` x
    ``cols`` arrays of colour codes (:data:`NO_COLOUR` in the letterbox)."""

    fg: np.ndarray
    bg: np.ndarray
    palette: Palette

    @property
    def size(self) -> tuple[int, int]:
        rows, cols = self.fg.shape
        return cols, rows

    def row(self, y: int) -> list[tuple[int, int]]:
        """Line ``y``'s cells as ``(fg, bg)`` code pairs, left to right."""
        return list(zip(self.fg[y].tolist(), self.bg[y].tolist(), strict=True))

    def rows(self) -> list[list[tuple[int, int]]]:
        return [self.row(y) for y in range(self.fg.shape[0])]

    def changed(self, before: CellFrame | None) -> np.ndarray:
        """A ``rows`` x ``cols`` mask of the cells that differ from ``before`` (all of
        them when there is none, or its size or palette differ)."""
        np = _np()
        if before is None or before.fg.shape != self.fg.shape or before.palette != self.palette:
            return np.ones(self.fg.shape, dtype=bool)
        return (self.fg != before.fg) | (self.bg != before.bg)

    def changed_runs(self, before: CellFrame | None) -> list[tuple[int, int, int]]:
        """The changed cells as ``(y, x, length)`` runs along each line."""
        np = _np()
        mask = self.changed(before)
        rows, cols = mask.shape
        if not mask.any():
            return []
        padded = np.zeros((rows, cols + 2), dtype=np.int8)
        padded[:, 1:-1] = mask
        steps = np.diff(padded, axis=1)  # +1 where a run starts, -1 after it ends
        ys, starts = np.nonzero(steps == 1)
        _, ends = np.nonzero(steps == -1)  # same order: row-major, one end per start
        return [(int(y), int(s), int(e - s))
                for y, s, e in zip(ys.tolist(), starts.tolist(), ends.tolist(), strict=True)]


def frame_pixels(frame: VideoFrame) -> np.ndarray:
    """The frame's bytes as an H x W x 3 array (no copy); ValueError when the size lies."""
    np = _np()
    expected = frame.width * frame.height * 3
    if frame.width <= 0 or frame.height <= 0 or len(frame.rgb) != expected:
        raise ValueError(f"a {frame.width}x{frame.height} frame needs {expected} bytes, "
                         f"got {len(frame.rgb)}")
    return np.frombuffer(frame.rgb, dtype=np.uint8).reshape(frame.height, frame.width, 3)


def to_cells(frame: VideoFrame, cols: int, rows: int, palette: Palette = "truecolor") -> CellFrame:
    """``frame`` scaled into a ``cols`` x ``rows`` panel (aspect kept, letterboxed) as
    half-block cells in ``palette``."""
    np = _np()
    cols, rows = max(0, cols), max(0, rows)
    grid = np.full((rows * 2, cols), NO_COLOUR, dtype=np.int32)
    place = fit(frame.width, frame.height, cols, rows)
    if place.width and place.height:
        picture = scale(frame_pixels(frame), place.width, place.height)
        if palette == "256":
            codes = to_xterm256(picture)
        else:
            p = picture.astype(np.int32)
            codes = (p[..., 0] << 16) | (p[..., 1] << 8) | p[..., 2]
        grid[place.y:place.y + place.height, place.x:place.x + place.width] = codes
    return CellFrame(fg=grid[0::2], bg=grid[1::2], palette=palette)
