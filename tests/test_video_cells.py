"""Scaling a frame to a panel and drawing it with half-block cells (no Textual here)."""

from __future__ import annotations

import numpy as np
import pytest

from akool_tui.core.video_cells import (
    NO_COLOUR,
    fit,
    scale,
    to_cells,
    to_xterm256,
    xterm256_rgb,
)
from akool_tui.stream.media import VideoFrame
from video_fakes import face, frame, talking

RED, GREEN, BLUE, WHITE = (255, 0, 0), (0, 255, 0), (0, 0, 255), (255, 255, 255)


def rgb(code: int) -> tuple[int, int, int]:
    return (code >> 16, (code >> 8) & 0xFF, code & 0xFF)


def test_a_known_tiny_frame_becomes_exact_cells():
    # 2 x 4 pixels fill a 2 x 2 cell panel: each cell is a top pixel over a bottom one
    pixels = np.array([[RED, GREEN],
                       [BLUE, WHITE],
                       [WHITE, BLUE],
                       [(10, 20, 30), (200, 100, 0)]], dtype=np.uint8)
    cells = to_cells(frame(pixels), 2, 2)
    assert [[(rgb(f), rgb(b)) for f, b in row] for row in cells.rows()] == [
        [(RED, BLUE), (GREEN, WHITE)],
        [(WHITE, (10, 20, 30)), (BLUE, (200, 100, 0))],
    ]
    assert cells.size == (2, 2)


def test_a_4x4_frame_in_a_4x2_panel_keeps_every_pixel():
    pixels = np.arange(48, dtype=np.uint8).reshape(4, 4, 3)
    cells = to_cells(frame(pixels), 4, 2)
    assert rgb(cells.fg[1, 3]) == tuple(pixels[2, 3]) and rgb(cells.bg[1, 3]) == tuple(pixels[3, 3])
    assert NO_COLOUR not in cells.fg and NO_COLOUR not in cells.bg


def test_a_square_frame_in_a_wide_panel_is_letterboxed_left_and_right():
    pixels = np.full((4, 4, 3), 200, dtype=np.uint8)
    cells = to_cells(frame(pixels), 8, 2)  # 8 x 4 pixels: the 4 x 4 picture in the middle
    assert cells.fg[0].tolist() == [NO_COLOUR] * 2 + [0xC8C8C8] * 4 + [NO_COLOUR] * 2


@pytest.mark.parametrize(("src", "panel", "expected"), [
    ((1280, 720), (60, 30), (0, 12, 60, 34)),   # 16:9 in 60 x 60 pixels: bars above, below
    ((720, 1280), (60, 30), (13, 0, 34, 60)),   # portrait: bars left and right
    ((320, 240), (40, 15), (0, 0, 40, 30)),     # 4:3 exactly
    ((100, 100), (0, 10), (0, 0, 0, 0)),        # no room: no picture
    ((0, 100), (10, 10), (0, 0, 0, 0)),         # no frame
])
def test_fit_keeps_the_aspect_and_centres(src, panel, expected):
    place = fit(*src, *panel)
    assert (place.x, place.y, place.width, place.height) == expected
    if place.width:
        assert abs(place.width / place.height - src[0] / src[1]) < 0.06


def test_a_720p_frame_fills_a_60x30_panel_with_bars_of_the_panel_background():
    pixels = np.zeros((720, 1280, 3), dtype=np.uint8)
    pixels[:] = (0, 128, 255)
    cells = to_cells(frame(pixels), 60, 30)
    picture_rows = [y for y in range(30) if (cells.fg[y] != NO_COLOUR).all()]
    assert picture_rows == list(range(6, 23))  # 34 pixels = 17 rows from row 6
    assert (cells.fg[:6] == NO_COLOUR).all() and (cells.bg[23:] == NO_COLOUR).all()
    assert set(cells.fg[10].tolist()) == {0x0080FF}


def test_area_averaging_blends_what_nearest_sampling_would_drop():
    stripes = np.zeros((2, 4, 3), dtype=np.uint8)
    stripes[:, 1::2] = 255  # black, white, black, white
    out = scale(stripes, 2, 1)
    assert out.tolist() == [[[128, 128, 128], [128, 128, 128]]]


@pytest.mark.parametrize(("colour", "code"), [
    ((255, 0, 0), 196), ((0, 255, 0), 46), ((0, 0, 255), 21), ((0, 0, 0), 16),
    ((255, 255, 255), 231), ((128, 128, 128), 244), ((95, 135, 175), 67),
    ((18, 18, 18), 233), ((238, 238, 238), 255), ((250, 10, 5), 196),
])
def test_256_colour_mapping_of_known_colours(colour, code):
    assert to_xterm256(np.array([colour], dtype=np.uint8)).tolist() == [code]


def test_256_colour_mapping_is_the_nearest_of_all_240_colours():
    rng = np.random.default_rng(7)
    colours = rng.integers(0, 256, (500, 3), dtype=np.uint8)
    palette = np.array([xterm256_rgb(c) for c in range(16, 256)])
    dist = ((colours[:, None, :].astype(int) - palette[None]) ** 2).sum(-1)
    best = dist.min(axis=1)
    ours = to_xterm256(colours)
    ours_dist = ((colours.astype(int) - palette[ours - 16]) ** 2).sum(-1)
    assert (ours_dist == best).all()


def test_256_colour_cells_use_palette_codes():
    pixels = np.array([[RED], [WHITE]], dtype=np.uint8)
    cells = to_cells(frame(pixels), 1, 1, "256")
    assert cells.rows() == [[(196, 231)]]


def test_only_the_mouth_of_a_talking_face_changes():
    cycle = talking(320, 240, count=5)
    closed, opened = cycle[0], cycle[2]
    a = to_cells(closed, 60, 30)
    b = to_cells(opened, 60, 30)
    runs = b.changed_runs(a)
    changed = sum(n for _, _, n in runs)
    assert 0 < changed < 60 * 30 * 0.05  # the mouth: a few dozen of 1800 cells
    assert {y for y, _, _ in runs} == {17, 18, 19, 20}  # the mouth's lines, no other
    assert b.changed_runs(b) == []
    assert sum(n for _, _, n in b.changed_runs(None)) == 1800


def test_changed_runs_are_exact():
    pixels = np.zeros((8, 8, 3), dtype=np.uint8)
    a = to_cells(frame(pixels), 8, 4)
    pixels[2, 3:6] = 255  # row 2 -> cell line 1 (top pixels), x 3..5
    pixels[7, 0] = 9      # row 7 -> cell line 3 (bottom pixel), x 0
    b = to_cells(frame(pixels), 8, 4)
    assert b.changed_runs(a) == [(1, 3, 3), (3, 0, 1)]


def test_a_frame_whose_size_lies_is_refused():
    with pytest.raises(ValueError, match="needs 12 bytes"):
        to_cells(VideoFrame(2, 2, b"\0" * 5, 0.0), 4, 4)


def test_a_large_frame_is_scaled_fast():
    import time

    big = frame(face(1280, 720, 0.5))
    to_cells(big, 60, 30)
    start = time.perf_counter()
    for _ in range(10):
        to_cells(big, 60, 30)
    assert (time.perf_counter() - start) / 10 < 0.02  # ~1 ms here; 20 ms is a broken path
