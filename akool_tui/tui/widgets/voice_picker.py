"""The settings screen's voice picker: the search box, the filters (gender, age, style,
scenario), the results' lines and the search.

Every field of a voice comes from the server and is shown as safe text, never markup.
"""

from __future__ import annotations

from collections.abc import Mapping

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
#: the model column ("Akool Multilingual 3" is shown "Multilingual 3")
MODEL_WIDTH = 15
#: the filters of the voice search: what a voice is filtered by, and its values
FILTERS: tuple[str, ...] = ("gender", "age", "style", "scenario")
#: the id of the line saying that no voice matches the search
NO_MATCH = "no-match"


def voice_label(v: Voice) -> str:
    """One line of the voice list; every field comes from the server: safe text."""
    kind = "cloned" if v.type == 1 else "AKool"
    name = safe(v.name or v.voice_id, limit=NAME_WIDTH)
    where = safe(v.locale or v.language, limit=CELL)
    gender = safe(v.gender, limit=CELL)[:1] or "-"
    model = safe(model_label(v.model_name), limit=MODEL_WIDTH) or "-"
    return (f"{name:<{NAME_WIDTH}} {where:<6} {gender} {kind:<6} {model:<{MODEL_WIDTH}} "
            f"{safe(v.voice_id, limit=CELL)}")


def model_label(model_name: str) -> str:
    """The voice model without the vendor: ``"Akool Multilingual 3"`` -> ``"Multilingual 3"``."""
    name = model_name.strip()
    return name[6:] if name.lower().startswith("akool ") else name


def facets(v: Voice) -> dict[str, tuple[str, ...]]:
    """A voice's values for each of :data:`FILTERS` (several for age, style, scenario)."""
    return {"gender": (v.gender,) if v.gender else (), "age": v.age, "style": v.style,
            "scenario": v.scenario}


def filter_values(voices: list[Voice]) -> dict[str, list[str]]:
    """Each filter's values found in ``voices``, sorted (the filters' choices)."""
    found: dict[str, set[str]] = {name: set() for name in FILTERS}
    for v in voices:
        for name, values in facets(v).items():
            found[name].update(x for x in values if x)
    return {name: sorted(values, key=str.lower) for name, values in found.items()}


def voice_passes(v: Voice, chosen: Mapping[str, str]) -> bool:
    """Whether ``v`` has every chosen filter value (an empty choice is any; case ignored)."""
    values = facets(v)
    return all(not want or want.lower() in (x.lower() for x in values[name])
               for name, want in chosen.items())


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
                                                 v.gender, "cloned" if v.type == 1 else "akool",
                                                 v.model_name, *v.style, *v.scenario, *v.age)
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
