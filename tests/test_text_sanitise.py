"""The one sanitiser for outside text (``akool_tui.core.text``): what it removes, what it
keeps, its bounds, and JSON that stays exact data without raw control characters."""

from __future__ import annotations

import json
import sys
import timeit
import unicodedata

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from akool_tui.core.text import (
    BIDI_CONTROLS,
    CELL,
    ELLIPSIS,
    MARK,
    escape_json_text,
    safe,
    safe_json_dumps,
)
from hostile_server import FORBIDDEN, POISON


def forbidden_left(text: str, *, newlines: bool = False) -> list[str]:
    """Characters a terminal must never get from outside text: every control (newline
    aside where allowed), every format character (bidi, zero-width, BOM...), surrogates
    and unassigned code points."""
    bad = []
    for ch in text:
        if ch == "\n" and newlines:
            continue
        category = unicodedata.category(ch)
        if category in ("Cc", "Cf", "Cs", "Cn", "Zl", "Zp") or ch in FORBIDDEN:
            bad.append(repr(ch))
    return bad


def test_the_hostile_payload_loses_every_control_and_invisible_character() -> None:
    out = safe(POISON)
    assert forbidden_left(out) == []
    # escapes and C1 controls show as a visible mark, the rest of the text stays
    assert out.startswith(f"x{MARK}]52;c;cHduZWQ={MARK}{MARK}]0;TITLE{MARK}{MARK}[2J{MARK}31m")
    assert out.endswith("[/x][bold red]se01[/x]")  # markup is text here: not this layer's job


@pytest.mark.parametrize("ch", [chr(c) for c in [*range(0x20), 0x7F, *range(0x80, 0xA0)]
                                if chr(c) not in "\n\t\r"])
def test_every_c0_c1_control_and_del_becomes_a_visible_mark(ch: str) -> None:
    assert safe(f"a{ch}b") == f"a{MARK}b"
    assert safe(f"a{ch}b", newlines=True) == f"a{MARK}b"


@pytest.mark.parametrize("ch", sorted(BIDI_CONTROLS))
def test_bidi_embeddings_overrides_and_isolates_become_a_visible_mark(ch: str) -> None:
    assert safe(f"se{ch}01") == f"se{MARK}01"


@pytest.mark.parametrize("ch", ["\u200b", "\u200c", "\u200d", "\u200e", "\u200f", "\u061c",
                                "\u2060", "\ufeff", "\u00ad", "\U000e0041", "\u2062"])
def test_other_invisible_format_characters_are_dropped(ch: str) -> None:
    assert safe(f"se{ch}01") == "se01"


def test_an_emoji_zwj_sequence_shows_as_its_emoji() -> None:
    family = "\U0001f468\u200d\U0001f469\u200d\U0001f467"
    assert safe(family) == "\U0001f468\U0001f469\U0001f467"


def test_surrogates_and_unassigned_code_points_become_a_mark() -> None:
    assert safe("a\ud800b\udfffc") == f"a{MARK}b{MARK}c"
    unassigned = next(chr(c) for c in range(0x0378, 0x0400)
                      if unicodedata.category(chr(c)) == "Cn")
    assert safe(f"a{unassigned}b") == f"a{MARK}b"
    assert safe("a\ufffeb") == f"a{MARK}b"  # a noncharacter


def test_honest_text_is_left_alone() -> None:
    for text in ["dvp_Tristan_cloth2_1080P", "Émilie Dupont", "東京のアバター", "مرحبا",
                 "\U0001f600 ok", "a\u00a0b\u3000c", "\ue0b0 icon", "[b]not markup here[/b]"]:
        assert safe(text) is text


def test_newlines_tabs_and_carriage_returns_per_kind_of_field() -> None:
    assert safe("a\nb\tc\rd") == "a b c d"  # one-line fields: all spaces
    assert safe("a\r\nb\tc\u2028d", newlines=True, tabs=4) == "a\nb    c\nd"
    assert safe("a\u2029b") == "a b"


def test_long_values_are_cut_with_an_ellipsis_before_any_other_work() -> None:
    huge = "N" * 1_000_000 + POISON
    out = safe(huge, limit=CELL)
    assert len(out) == CELL and out.endswith(ELLIPSIS) and out[:-1] == "N" * (CELL - 1)
    assert safe("abc", limit=3) == "abc"
    assert safe("abcd", limit=3) == "ab" + ELLIPSIS
    assert safe("a\tb", limit=3, tabs=4) == "a " + ELLIPSIS  # tabs grow the text: still bounded
    assert safe("x" * 10, limit=None) == "x" * 10
    # a 1 MB value costs about what a CELL-long one does
    start = timeit.default_timer()
    for _ in range(100):
        safe(huge, limit=CELL)
    assert timeit.default_timer() - start < 0.5


def test_non_strings() -> None:
    assert safe(None) == ""
    assert safe(600) == "600"
    assert safe(b"\x1b") == "b'\\x1b'"


# -- properties -------------------------------------------------------------------------

_ANY = st.text(st.characters(codec=None, exclude_categories=()), max_size=300)
_NASTY = st.text(st.sampled_from(sorted(FORBIDDEN) + list("ab \n\t\r\u2028") + [MARK, ELLIPSIS,
                                                                             "\U0001f600"]),
                 max_size=300)


@settings(max_examples=400, deadline=None)
@given(text=st.one_of(_ANY, _NASTY), limit=st.one_of(st.none(), st.integers(0, 400)),
       newlines=st.booleans(), tabs=st.integers(0, 8))
def test_property_safe_bounded_idempotent(text: str, limit: int | None, newlines: bool,
                                          tabs: int) -> None:
    out = safe(text, limit=limit, newlines=newlines, tabs=tabs)
    assert forbidden_left(out, newlines=newlines) == []
    if not newlines:
        assert "\n" not in out
    if limit is not None:
        assert len(out) <= limit
    assert safe(out, limit=limit, newlines=newlines, tabs=tabs) == out


@settings(max_examples=300, deadline=None)
@given(text=st.text(st.characters(categories=["L", "M", "N", "P", "S"]), max_size=200)
       .filter(str.isprintable))
def test_property_printable_text_is_unchanged(text: str) -> None:
    assert safe(text, limit=None) is text
    assert safe(text, limit=len(text)) is text


# -- JSON -------------------------------------------------------------------------------

def test_json_escapes_every_control_c1_bidi_and_invisible_character_as_exact_data() -> None:
    data = {"id": POISON, "name": "Émilie \U0001f600", POISON: [POISON + "\ud800\U000f0000"],
            "n": 1.5, "ok": None}
    # the stock call lets C1, DEL, bidi and zero-width characters through raw
    raw = json.dumps(data, ensure_ascii=False)
    assert "\x9b" in raw and "\u202e" in raw and "\x7f" in raw
    out = safe_json_dumps(data)
    assert forbidden_left(out, newlines=True) == []
    assert "\\u009b" in out and "\\u202e" in out and "\\u007f" in out and "\\u200b" in out
    assert "Émilie \U0001f600" in out  # readable text stays readable
    assert json.loads(out) == data  # exact data
    assert safe_json_dumps({"a": "plain"}) == json.dumps({"a": "plain"}, indent=2)


@settings(max_examples=300, deadline=None)
@given(value=st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(), _ANY, _NASTY),
    lambda inner: st.one_of(st.lists(inner, max_size=4),
                            st.dictionaries(st.one_of(_ANY, _NASTY), inner, max_size=4)),
    max_leaves=12))
def test_property_json_round_trips_with_nothing_raw(value) -> None:
    out = safe_json_dumps(value)
    assert forbidden_left(out, newlines=True) == []
    assert json.loads(out) == value
    assert escape_json_text(out) == out


# -- speed ------------------------------------------------------------------------------

def _ns_per_call(text: str, number: int = 20_000) -> float:
    return min(timeit.repeat(lambda: safe(text, limit=CELL), number=number, repeat=5)) \
        / number * 1e9


def test_speed_report() -> None:
    """ns per call (printed with -s); the bound is loose: a slow shared machine passes."""
    plain = _ns_per_call("se0123456789abcdef0123")
    poisoned = _ns_per_call("se01" + POISON, number=2000)
    sys.stdout.write(f"\nsafe(): plain 22-char id {plain:.0f} ns/call, "
                     f"poisoned id {poisoned:.0f} ns/call\n")
    assert plain < 2_000
