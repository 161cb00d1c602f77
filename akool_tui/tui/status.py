"""The status line: the profile (its name in its colour, "read-only"), endpoint, auth
mode, last refresh age, interval, pause, errors, the credit balance and burn rate
(:mod:`.credits`)."""

from __future__ import annotations

import math
import time
from typing import Any

from rich.cells import cell_len
from rich.segment import Segment
from textual.content import Content
from textual.geometry import Region
from textual.strip import Strip
from textual.widget import Widget

from ..config.profiles import DEFAULT_PROFILE, profile_color, text_color_on
from ..core.text import LINE, safe
from .refresh import RefreshState


def refresh_age(last: float | None, now: float | None = None, *, short: bool = False) -> str:
    """``"3 seconds ago"``; ``short`` (a narrow terminal): ``"3s ago"``, ``"2m ago"``."""
    if last is None:
        return "never"
    seconds = max(0.0, (time.time() if now is None else now) - last)
    if seconds < 1.5:
        return "just now"
    if not short:
        import humanize  # (imported in a thread after the first frame: tui.context)

        return humanize.naturaltime(seconds)
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60)):
        if seconds >= size:
            return f"{int(seconds // size)}{unit} ago"
    return f"{int(seconds)}s ago"


def profile_badge(app: object) -> tuple[str, str] | None:
    """`` prod · read-only `` in the profile's colour, so production is never mistaken
    for staging; None when the config has no profiles (and in the demo, whose endpoint
    says DEMO)."""
    cfg = getattr(app, "config", None)
    if cfg is None or getattr(app, "demo", False):
        return None
    if cfg.profile == DEFAULT_PROFILE and not cfg.profiles and not cfg.read_only:
        return None
    background = profile_color(cfg.profile, cfg.color)
    label = f" {cfg.profile}{' · read-only' if cfg.read_only else ''} "
    return safe(label, limit=LINE), f"bold {text_color_on(background)} on {background}"


def short_age(last: float | None, now: float | None = None) -> str:
    """:func:`refresh_age` for a narrow terminal."""
    return refresh_age(last, now, short=True)


class StatusLine(Widget):
    """One line at the bottom of a main screen. Re-rendered at most once a second,
    and only when its text changed. It renders its text itself, so the very first
    frame already shows where the app is connected."""

    DEFAULT_CSS = """
    StatusLine {
        height: 1;
        background: $panel;
        color: $foreground;
        padding: 0 1;
    }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._state: RefreshState | None = None
        self._extra: str = ""
        self._text: Content | None = None
        #: the line as last rendered, and what it was rendered from
        self._strip: tuple[tuple[Any, ...], Strip] | None = None
        #: the error count and whether a refresh had succeeded, as last shown
        self._shown_errors = 0
        self._shown_success = False

    def bind_state(self, state: RefreshState) -> None:
        self._state = state
        self.update_status()

    def set_extra(self, text: str) -> None:
        """Screen-specific text (e.g. '312 sessions, 41 live, 2 marked'); it may quote
        the user's filter or a server error, so it is made safe to paint."""
        text = safe(text, limit=LINE)
        if text != self._extra:
            self._extra = text
            self.update_status()

    def on_mount(self) -> None:
        self.set_interval(1.0, self.update_status)

    def on_credits_changed(self) -> None:  # tui.credits: a balance read finished
        self.update_status()

    def on_resize(self) -> None:
        self._text = self.build()
        self.refresh()

    def build(self) -> Content:
        """Most important first: where, whether the data is live (paused, errors, age),
        the screen's counts, the credits, then the auth mode. When that is wider than the line, it
        gets shorter step by step (the refresh interval goes, the age and the credits
        get terse, the auth mode goes, the errors get terse, then the credits go) until
        it fits; a terminal narrower still cuts
        the end."""
        room = self.size.width
        text = self._build(0)
        for level in range(1, 6):
            if not room or text.cell_length <= room:
                break
            text = self._build(level)
        return text

    def _build(self, level: int) -> Content:
        """The line at shortening ``level``: 0 all of it; 1 without the refresh
        interval; 2 the age as "3s ago" and the credits as "cr 9,940 · 360/h"; 3 without
        the auth mode; 4 the errors terse; 5 without the credits."""
        app = self.app
        endpoint = "DEMO (simulator)" if getattr(app, "demo", False) else getattr(app, "endpoint_label", "")
        parts: list[tuple[str, str]] = [(safe(endpoint, limit=LINE), "bold")]
        if badge := profile_badge(app):
            parts.insert(0, badge)
        st = self._state
        if st is not None:
            if st.paused:
                parts.append(("PAUSED", "bold reverse"))
            if st.halted:  # stopped: another try cannot mend it (`e` keeps the error)
                parts.append(("stopped: fix the credentials, then ctrl+r" if level < 4
                              else "stopped", "bold $error"))
            elif st.consecutive_errors:  # failing now; cleared on recovery (`e` keeps them)
                retry = math.ceil(st.retry_in(app.now().timestamp()))  # counts down
                errors = (f"errors {st.consecutive_errors} (retry in {retry}s, e: events)"
                          if level < 4 else f"errors {st.consecutive_errors}, retry {retry}s")
                parts.append((errors, "bold $error"))
            now = app.now().timestamp()
            if st.in_flight and st.last_success is None:
                age = "refreshing…"
            elif level < 2:
                age = f"refreshed {refresh_age(st.last_success, now)}"
            else:
                age = short_age(st.last_success, now)
            parts.append((f"{age}, every {st.interval:g}s" if level < 1 else age, ""))
        if self._extra:
            parts.append((self._extra, ""))
        credits = getattr(app, "credit_watch", None)  # balance and burn rate (tui.credits)
        if credits is not None and level < 5:
            parts.append((credits.text(short=level >= 2), ""))
        if level < 3:
            parts.append((safe(getattr(app, "auth_label", ""), limit=LINE), ""))
        pieces: list[tuple[str, str]] = []
        for chunk, style in (p for p in parts if p[0]):
            if pieces:
                pieces.append((" │ ", "dim"))
            pieces.append((chunk, style))
        return Content.assemble(*pieces)

    def render(self) -> Content:
        if self._text is None:
            self._text = self.build()
        return self._text

    def render_line(self, y: int) -> Strip:
        """The line, from its text's pieces straight to segments, as Textual's own
        rendering of the text makes them (the same styles and offsets), without its
        wrapping and formatting: that was most of the cost of the line's update each
        second. The text is made to fit (:meth:`build`); what does not fit is cut."""
        style = self.visual_style
        width = self.content_region.width
        key = (self._text, width, style)
        if y or self._text is None:
            return Strip.blank(width, style.rich_style)
        if self._strip is None or self._strip[0] != key:
            segments, x = [], 0
            for text, text_style in self._text.render(style, end="",
                                                      parse_style=self._get_style):
                segments.append(Segment(text, (style + text_style).rich_style_with_offset(x, 0)))
                x += len(text)
            line = Strip(segments).crop_extend(0, width, style.background_style.rich_style)
            self._strip = (key, line)
        self._dirty_regions.clear()
        return self._strip[1]

    def refreshed(self) -> None:
        """A refresh finished. When it changed only the age ("refreshed 4 seconds ago"
        -> "just now") the line waits for its next second, the one the table's
        countdowns tick on: one frame a second instead of one more for each refresh.
        The first success and a recovery from errors show at once."""
        st = self._state
        old = self._text
        if (st is None or old is None or st.last_success is None or st.consecutive_errors
                or self._shown_errors or not self._shown_success):
            self.update_status()

    def update_status(self) -> None:
        st = self._state
        self._shown_errors = st.consecutive_errors if st is not None else 0
        self._shown_success = st is not None and st.last_success is not None
        text = self.build()
        old = self._text
        if old is None or text.plain != old.plain:
            self._text = text
            self.refresh(*self._changed_region(old.plain if old else "", text.plain))

    def _changed_region(self, old: str, new: str) -> tuple[Region, ...]:
        """The cells that differ (with textual_fixes only they are written): from the
        first difference to the last, or to the end when the length changed."""
        if not old or cell_len(old) != cell_len(new) or len(old) != len(new):
            start = next((i for i, (a, b) in enumerate(zip(old, new)) if a != b),
                         min(len(old), len(new)))
            x = self.gutter.left + cell_len(new[:start])
            return (Region(x, 0, max(0, self.size.width - x), 1),) if old else ()
        start = next(i for i, (a, b) in enumerate(zip(old, new)) if a != b)
        end = len(new) - next(i for i, (a, b) in enumerate(zip(reversed(old), reversed(new)))
                              if a != b)
        x = self.gutter.left + cell_len(new[:start])
        return (Region(x, 0, cell_len(new[start:end]), 1),)
