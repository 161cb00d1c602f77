"""The settings screen's voice picker: the search box, the results' lines and the search.

Every field of a voice comes from the server and is shown as safe text, never markup.
"""

from __future__ import annotations

from rich.text import Text
from textual.binding import Binding
from textual.message import Message
from textual.widgets import OptionList
from textual.widgets.option_list import Option

from ...api.models import Voice
from ...core.text import CELL, safe
from .safe_input import SafeInput

#: the name column of the voice list, in characters (a longer name ends in "…")
NAME_WIDTH = 16
#: the id of the line saying that no voice matches the search
NO_MATCH = "no-match"


def voice_label(v: Voice) -> str:
    """One line of the voice list; every field comes from the server: safe text."""
    kind = "cloned" if v.type == 1 else "AKool"
    name = safe(v.name or v.voice_id, limit=NAME_WIDTH)
    where = safe(v.locale or v.language, limit=CELL)
    gender = safe(v.gender, limit=CELL)[:1] or "-"
    return (f"{name:<{NAME_WIDTH}} {where:<6} {gender} {kind:<6} "
            f"{safe(v.voice_id, limit=CELL)}")


def unique_voices(voices: list[Voice]) -> list[Voice]:
    """The voices with an id, each id once (the first listed wins): a voice may be in
    both the cloned and AKool's list, and a server may repeat one."""
    seen: set[str] = set()
    out = []
    for v in voices:
        if v.voice_id and v.voice_id not in seen:
            seen.add(v.voice_id)
            out.append(v)
    return out


def voice_matches(v: Voice, query: str) -> bool:
    words = query.lower().split()
    # what the list shows is searched (and a 1 MB name costs no more than a short one)
    hay = " ".join(safe(x, limit=CELL) for x in (v.name, v.voice_id, v.language, v.locale,
                                                 v.gender, "cloned" if v.type == 1 else "akool")
                   ).lower()
    return all(w in hay for w in words)


def no_match_option(query: str) -> Option:
    """The (disabled) line of a search that matches no voice; the query is shown as text."""
    return Option(Text(f"No voice matches '{safe(query.strip(), limit=CELL)}'"),
                  id=NO_MATCH, disabled=True)


class VoiceSearch(SafeInput):
    """The voice search box: down moves into the results (posts :class:`ToResults`)."""

    BINDINGS = [Binding("down", "to_results", "Results", show=False,
                        id="settings.voice_results")]

    class ToResults(Message):
        """Down was pressed in the search box."""

    def action_to_results(self) -> None:
        self.post_message(self.ToResults())


class VoiceList(OptionList):
    """The results: one line per voice, a line too long for the list ends in "…"."""

    DEFAULT_CSS = """
    VoiceList { text-wrap: nowrap; text-overflow: ellipsis; }
    """
