"""The simulated avatar's face, drawn with numpy (whole-array operations, no pixel loops).

A head with hair, shoulders, two eyes that blink and look around and a mouth whose opening follows the
speech, over a background (a solid colour or an image, see :mod:`.media_background`).
The still parts are drawn once per background; a frame is a copy of them with the mouth
drawn into its small box.
"""

from __future__ import annotations

import math

import numpy as np

SKIN = (232, 190, 160)
HAIR = (70, 45, 30)
SHIRT = (45, 85, 150)
EYE_WHITE = (250, 250, 250)
PUPIL = (35, 30, 40)
LID = (120, 80, 60)
MOUTH = (120, 25, 40)
LIPS = (185, 95, 95)
#: a blink every BLINK_PERIOD seconds, the eyes closed for BLINK_LENGTH of them
BLINK_PERIOD = 3.2
BLINK_LENGTH = 0.16
#: the pupils look left and right and back in this many seconds
GAZE_PERIOD = 5.0


def blinking(t: float) -> bool:
    return (t % BLINK_PERIOD) >= BLINK_PERIOD - BLINK_LENGTH


def mouth_opening(t: float, speaking: bool) -> float:
    """0 (closed) .. 1 (wide): syllables at ~5 per second while speaking."""
    if not speaking:
        return 0.0
    syllable = abs(math.sin(2 * math.pi * 2.6 * t))
    phrase = 0.65 + 0.35 * math.sin(2 * math.pi * 0.7 * t)
    return 0.15 + 0.85 * syllable * phrase


def speech_level(opening: float) -> float:
    """The audio level (0..1 RMS) the simulated voice has at this mouth opening."""
    return 0.0 if opening <= 0 else min(1.0, 0.08 + 0.5 * opening)


class Face:
    """Draws ``width x height`` RGB24 frames of the face over a background array."""

    def __init__(self, width: int, height: int) -> None:
        self.width, self.height = width, height
        yy, xx = np.mgrid[0:height, 0:width].astype(np.float32)
        self._yy, self._xx = yy, xx
        s = min(width / 16 * 9, height)  # the face scales with the smaller side
        self.cx, self.cy = width / 2, height * 0.5
        self.rx, self.ry = s * 0.27, s * 0.36
        self._eye_y = self.cy - self.ry * 0.12
        self._eye_dx = self.rx * 0.42
        self._eye_r = (self.rx * 0.2, self.ry * 0.12)
        # the mouth's box: every pixel the mouth can change lies inside it
        self._mouth_c = (self.cx, self.cy + self.ry * 0.5)
        self._mouth_r = (self.rx * 0.36, max(1.5, self.ry * 0.2))
        mx, my = self._mouth_c
        mrx, mry = self._mouth_r
        self.mouth_box = (max(0, int(my - mry - 2)), min(height, int(my + mry + 3)),
                          max(0, int(mx - mrx - 2)), min(width, int(mx + mrx + 3)))
        self._bg_id: int | None = None
        self._still_img = np.zeros((height, width, 3), np.uint8)

    def _ellipse(self, cx: float, cy: float, rx: float, ry: float,
                 yy: np.ndarray | None = None, xx: np.ndarray | None = None) -> np.ndarray:
        yy = self._yy if yy is None else yy
        xx = self._xx if xx is None else xx
        return ((xx - cx) / rx) ** 2 + ((yy - cy) / ry) ** 2 <= 1.0

    def _still(self, background: np.ndarray) -> None:
        """Draw the parts that do not move over ``background`` (once per background)."""
        img = background.copy()
        cx, cy, rx, ry = self.cx, self.cy, self.rx, self.ry
        img[self._ellipse(cx, self.height + ry * 0.35, rx * 2.1, ry * 0.9)] = SHIRT
        neck = (np.abs(self._xx - cx) <= rx * 0.35) & (self._yy > cy) & (self._yy < cy + ry * 1.2)
        img[neck] = SKIN
        hair = self._ellipse(cx, cy - ry * 0.06, rx * 1.08, ry * 1.02) & \
            (self._yy < cy - ry * 0.35)
        img[hair] = HAIR
        img[self._ellipse(cx, cy + ry * 0.05, rx, ry * 0.95)] = SKIN
        img[self._ellipse(cx, cy - ry * 0.72, rx * 0.9, ry * 0.3)] = HAIR  # fringe
        self._still_img = img

    def _eyes(self, frame: np.ndarray, t: float) -> None:
        """Open eyes whose pupils drift (the idle motion of a live face), or closed lids."""
        erx, ery = self._eye_r
        drift = erx * 0.45 * math.sin(2 * math.pi * t / GAZE_PERIOD)
        for side in (-1, 1):
            ex = self.cx + side * self._eye_dx
            y0, y1 = max(0, int(self._eye_y - ery - 2)), int(self._eye_y + ery + 3)
            x0, x1 = max(0, int(ex - erx - 2)), int(ex + erx + 3)
            box = frame[y0:y1, x0:x1]
            yy, xx = self._yy[y0:y1, x0:x1], self._xx[y0:y1, x0:x1]
            if blinking(t):
                box[self._ellipse(ex, self._eye_y + ery * 0.3, erx, max(1.0, ery * 0.18),
                                  yy, xx)] = LID
                continue
            box[self._ellipse(ex, self._eye_y, erx, ery, yy, xx)] = EYE_WHITE
            pr = ery * 0.75
            box[self._ellipse(ex + round(drift), self._eye_y, pr, pr, yy, xx)
                & self._ellipse(ex, self._eye_y, erx, ery, yy, xx)] = PUPIL

    def draw(self, background: np.ndarray, *, t: float, opening: float) -> np.ndarray:
        """The frame at ``t`` seconds with the mouth ``opening`` (0..1): (h, w, 3) uint8."""
        if self._bg_id != id(background):
            self._still(background)
            self._bg_id = id(background)
        frame = self._still_img.copy()
        self._eyes(frame, t)
        y0, y1, x0, x1 = self.mouth_box
        box = frame[y0:y1, x0:x1]
        yy, xx = self._yy[y0:y1, x0:x1], self._xx[y0:y1, x0:x1]
        mx, my = self._mouth_c
        mrx, mry = self._mouth_r
        height = max(1.2, mry * opening)
        box[self._ellipse(mx, my, mrx + 1.5, height + 1.5, yy, xx)] = LIPS
        box[self._ellipse(mx, my, mrx, height, yy, xx)] = MOUTH
        return frame
