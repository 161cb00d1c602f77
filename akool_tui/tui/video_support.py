"""How this terminal can show the avatar's video, and whether the panel starts shown.

``[chat] video_mode`` (``auto`` by default) picks the drawing:

- ``pixels``: real pixels through Kitty's graphics protocol or Sixel (the optional
  ``textual-image`` package draws them); when it is missing, half blocks in truecolor;
- ``truecolor`` / ``256``: half-block cells, two pixels a cell, in 24-bit colour or the
  nearest of xterm's 256;
- ``off``: no panel (the audio meter and the health figures stay);
- ``auto``: pixels where the environment names a terminal known to show them (Kitty,
  Ghostty, WezTerm, foot, mlterm, ...: from ``TERM``, ``TERM_PROGRAM``,
  ``KITTY_WINDOW_ID``; no question is sent to the terminal, so start-up costs nothing),
  otherwise truecolor when the terminal has it (``COLORTERM``, as Textual decides), else 256.

The panel starts shown, except over SSH (``SSH_CONNECTION``, ``SSH_CLIENT``, ``SSH_TTY``)
without pixel graphics: half-block video costs tens of KB/s there (see
``bench/video_bench.py``) and an operator on a slow link asks for it with ``v``. In the
demo (``--demo``) it starts shown everywhere: the talking face is the demo's highlight.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from importlib.util import find_spec

#: environment hints of terminals that draw Kitty graphics or Sixel
KITTY_TERMS = ("xterm-kitty", "xterm-ghostty")
KITTY_PROGRAMS = ("ghostty", "wezterm")
SIXEL_TERMS = ("foot", "foot-extra", "mlterm", "yaft-256color", "contour")
SIXEL_PROGRAMS = ("iterm.app", "mintty", "konsole")


@dataclass(frozen=True, slots=True)
class VideoChoice:
    """How the chat screen draws video (``pixels``, ``truecolor``, ``256`` or ``off``),
    whether the panel starts shown, and a line saying why (for the transcript)."""

    mode: str
    shown: bool
    why: str
    protocol: str | None = None  # "kitty" | "sixel" with pixels


def over_ssh(env: Mapping[str, str]) -> bool:
    return any(env.get(name) for name in ("SSH_CONNECTION", "SSH_CLIENT", "SSH_TTY"))


def pixel_protocol(env: Mapping[str, str]) -> str | None:
    """``"kitty"`` or ``"sixel"`` when the environment names a terminal that draws them
    (inside tmux or screen: None, they do not pass the images through)."""
    term = env.get("TERM", "").lower()
    program = env.get("TERM_PROGRAM", "").lower()
    if env.get("TMUX") or term.startswith(("screen", "tmux")):
        return None
    if env.get("KITTY_WINDOW_ID") or term in KITTY_TERMS or program in KITTY_PROGRAMS:
        return "kitty"
    if term in SIXEL_TERMS or "sixel" in term or program in SIXEL_PROGRAMS:
        return "sixel"
    return None


def pixels_available() -> bool:
    """The optional package that draws pixel graphics is installed."""
    return find_spec("textual_image") is not None


def prepare_pixels(setting: str, env: Mapping[str, str] | None = None) -> str | None:
    """At start-up, before the app owns the terminal: when ``setting`` may draw pixels
    here, ask the terminal which protocol it draws ("kitty", "sixel" or None); the
    pixel picture uses the answer. Costs nothing when pixels are not in question."""
    env = os.environ if env is None else env
    if setting != "pixels" and not (setting == "auto" and pixel_protocol(env)):
        return None
    if not pixels_available():
        return None
    from .widgets.video_pixels import prepare  # noqa: PLC0415

    return prepare()


def video_available() -> bool:
    """numpy, which scales and colours the frames, is installed (the ``video`` extra)."""
    return find_spec("numpy") is not None


def choose(setting: str, *, color_system: str | None, demo: bool = False,
           env: Mapping[str, str] | None = None, can_draw_pixels: bool | None = None,
           can_scale: bool | None = None) -> VideoChoice:
    """The drawing for ``setting`` (``[chat] video_mode``) in this environment."""
    env = os.environ if env is None else env
    if not (video_available() if can_scale is None else can_scale):
        return VideoChoice("off", False, "no video: it needs numpy "
                           "(pip install 'akool-tui[video]')")
    if can_draw_pixels is None:
        can_draw_pixels = pixels_available()
    remote = over_ssh(env)
    cells = "truecolor" if color_system in (None, "truecolor") else "256"
    protocol = pixel_protocol(env)
    if setting == "off":
        return VideoChoice("off", False, "video off ([chat] video_mode = \"off\")")
    if setting == "pixels" or (setting == "auto" and protocol and can_draw_pixels):
        if can_draw_pixels:
            return VideoChoice("pixels", True, f"video in pixels ({protocol or 'probed'})",
                               protocol or "probe")
        mode, why = cells, "video in half blocks (pixels need the textual-image package)"
    elif setting in ("truecolor", "256"):
        mode, why = setting, f"video in half blocks, {setting} colours"
    else:
        mode, why = cells, f"video in half blocks, {cells} colours"
    if remote and not demo:
        return VideoChoice(mode, False, why + "; hidden over SSH (v shows it)")
    return VideoChoice(mode, True, why)
