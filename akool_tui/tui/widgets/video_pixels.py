"""The video picture in real pixels: Kitty's graphics protocol or Sixel.

Drawn by the optional ``textual-image`` package (``pip install 'akool-tui[video]'``). It
asks the terminal what it supports when it is imported, and that only works before
Textual owns the terminal: :func:`prepare` does it at start-up (called by
``akool_tui.launch`` when ``[chat] video_mode`` may use pixels), and
:func:`pixel_picture` uses what it found. When the terminal answers neither protocol,
or the package is missing, :func:`pixel_picture` gives None and the panel draws half
blocks instead.

Each painted frame is scaled (Pillow, in C) to the panel's size in pixels and handed
to the widget whole: pixel protocols have no "changed cells", so ``[chat] video_fps``
is what bounds their cost.
"""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from textual.widget import Widget

    from ...stream.media import VideoFrame

#: what :func:`prepare` found: "kitty", "sixel", or None (not probed, or neither)
PROTOCOL: str | None = None


def prepare() -> str | None:
    """Ask the terminal (once, before the app starts) which pixel protocol it draws;
    "kitty", "sixel" or None. Nothing is asked when stdout is not a terminal."""
    global PROTOCOL
    out = sys.__stdout__
    if PROTOCOL is not None or out is None or not out.isatty():
        return PROTOCOL
    try:
        import textual_image.widget  # noqa: F401, PLC0415 - probes the terminal on import
        from textual_image.renderable import Image, SixelImage, TGPImage  # noqa: PLC0415
    except Exception:  # not installed, or the terminal would not answer
        return None
    PROTOCOL = "sixel" if Image is SixelImage else "kitty" if Image is TGPImage else None
    return PROTOCOL


def _widget_class(protocol: str) -> type[Widget] | None:
    if "textual_image.widget" not in sys.modules and sys.__stdout__ is not None \
            and sys.__stdout__.isatty():
        return None  # importing it now would ask a terminal Textual already reads
    try:
        from textual_image.widget import SixelImage, TGPImage  # noqa: PLC0415
    except Exception:
        return None
    return SixelImage if protocol == "sixel" else TGPImage


def pixel_picture(*, id: str | None = None, protocol: str | None = None) -> Widget | None:
    """The pixel picture widget for ``protocol`` (default: what :func:`prepare` found),
    or None when pixels cannot be drawn here."""
    protocol = protocol or PROTOCOL
    if protocol not in ("kitty", "sixel"):
        return None
    base = _widget_class(protocol)
    if base is None:
        return None

    from textual.containers import Container  # noqa: PLC0415

    class PixelPicture(Container):
        """The package's image widget, fed each painted frame."""

        DEFAULT_CSS = """
        PixelPicture { width: 1fr; height: 1fr; align: center middle; }
        PixelPicture > * { width: auto; height: auto; max-width: 100%; max-height: 100%; }
        """
        protocol_name = protocol

        def compose(self):
            yield base()

        def paint(self, frame: VideoFrame) -> int:
            """Show ``frame`` scaled to the widget (its aspect kept); cells painted."""
            self.children[0].image = to_image(frame, *self.size)
            return self.size.width * self.size.height

    return PixelPicture(id=id)


def to_image(frame: VideoFrame, cols: int, rows: int) -> Any:
    """The frame as a Pillow image, scaled down to about what ``cols`` x ``rows`` cells
    show (10 x 20 pixels a cell): the terminal is sent no more pixels than it draws."""
    from PIL import Image  # noqa: PLC0415

    image = Image.frombytes("RGB", (frame.width, frame.height), frame.rgb)
    most_w, most_h = max(1, cols * 10), max(1, rows * 20)
    if frame.width > most_w or frame.height > most_h:
        image.thumbnail((most_w, most_h), Image.Resampling.BILINEAR)
    return image
