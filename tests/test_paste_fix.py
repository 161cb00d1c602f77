"""A bracketed paste that holds escape sequences (coloured terminal output) arrives as
one paste of the text shown, never as key presses (Textual's own parser, fed as the
terminal driver feeds it)."""

from __future__ import annotations

import pytest
from hypothesis import given, settings, strategies as st
from textual import events
from textual._xterm_parser import XTermParser

from akool_tui.tui import paste_fix

assert paste_fix.install()

START, END = paste_fix.START, paste_fix.END
COLOURED = "AAA start \x1b[32mgreen\x1b[0m BBB middle\rCCC tail"


def parse(*chunks: str) -> list:
    parser = XTermParser()
    out: list = []
    for chunk in chunks:
        out.extend(parser.feed(chunk))
    out.extend(parser.feed(""))
    return out


def pastes(found: list) -> list[str]:
    return [e.text for e in found if isinstance(e, events.Paste)]


def keys(found: list) -> list[str]:
    return [e.key for e in found if isinstance(e, events.Key)]


def test_a_coloured_paste_is_one_paste_of_its_text_and_presses_no_key() -> None:
    found = parse(START + COLOURED + END)
    assert pastes(found) == ["AAA start green BBB middle\rCCC tail"]
    assert keys(found) == []


def test_a_bell_and_a_title_in_a_paste_press_no_key() -> None:
    # a BEL alone is ctrl+g outside a paste (it opened the avatar action dialog)
    found = parse(START + "ANSI[\x1b[31mRED\x1b[0m] BEL[\x07] \x1b]0;title\x07end" + END)
    assert pastes(found) == ["ANSI[RED] BEL[\x07] end"]
    assert keys(found) == []


def test_keys_around_a_paste_still_arrive() -> None:
    found = parse("a" + START + "x\x1b[1my" + END + "b\x1b[A")
    assert pastes(found) == ["xy"] and keys(found) == ["a", "b", "up"]


@settings(max_examples=60, deadline=None)
@given(st.lists(st.integers(min_value=1, max_value=60), min_size=1, max_size=6))
def test_a_paste_cut_anywhere_between_reads_arrives_the_same(cuts: list[int]) -> None:
    """Anywhere but right after the start marker's ESC or "ESC [": a read that ends
    there may be the Escape key or alt+[, which must not wait for the next read."""
    text = "k" + START + COLOURED + END + "z"
    chunks, pos = [], 0
    for cut in sorted(set(cuts) - {2, 3}):
        if cut < len(text):
            chunks.append(text[pos:cut])
            pos = cut
    chunks.append(text[pos:])
    found = parse(*[c for c in chunks if c])
    assert pastes(found) == ["AAA start green BBB middle\rCCC tail"]
    assert keys(found) == ["k", "z"]


@pytest.mark.parametrize("pasted", ["plain words", "a\nb", "tab\there", ""])
def test_a_paste_without_escapes_is_unchanged(pasted: str) -> None:
    assert pastes(parse(START + pasted + END)) == [pasted]
