"""Issue 11, chat and transcript: wrapping by painted cells, the export's Markdown."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st
from rich.cells import cell_len, split_graphemes

from akool_tui.tui.widgets.transcript import wrap_spans

#: a skin-toned thumb, a heart with VS16, a flag, CJK, letters with combining marks
PIECES = ["a", "b", "xyz", " ", "\n", "\U0001f44d\U0001f3fd", "\U0001f44d", "\u2764\ufe0f",
          "\U0001f1eb\U0001f1f7", "\u4f60", "\u597d", "e\u0301", "o\u0308\u0323"]


def _boundaries(text: str) -> set[int]:
    """Where a line may start or end: grapheme cluster edges within each paragraph."""
    cuts, pos = set(), 0
    for paragraph in text.split("\n"):
        spans, _ = split_graphemes(paragraph)
        cuts |= {pos + start for start, _end, _w in spans} | {pos + len(paragraph)}
        pos += len(paragraph) + 1
    return cuts


@given(st.lists(st.sampled_from(PIECES), max_size=80), st.integers(min_value=2, max_value=24))
def test_wrapped_lines_fit_by_painted_cells_and_lose_nothing(pieces, width):
    text = "".join(pieces)
    spans = wrap_spans(text, width)
    cuts = _boundaries(text)
    rebuilt, pos = [], 0
    for a, b in spans:
        assert pos <= a <= b
        assert set(text[pos:a]) <= {"\n"}  # only newlines sit between lines
        rebuilt += [text[pos:a], text[a:b]]
        pos = b
        assert a in cuts and b in cuts, (text, width, spans)  # no cluster is cut
        assert cell_len(text[a:b].rstrip(" ")) <= width, (text[a:b], width)
    assert "".join(rebuilt) + text[pos:] == text


def test_a_long_word_of_skin_toned_emoji_folds_between_the_emoji():
    thumb = "\U0001f44d\U0001f3fd"
    text = thumb * 5 + "x"
    lines = [text[a:b] for a, b in wrap_spans(text, 5)]
    assert lines == [thumb * 2, thumb * 2, thumb + "x"]
    heart = "\u2764\ufe0f"
    text = "a" + heart * 3
    lines = [text[a:b] for a, b in wrap_spans(text, 3)]
    assert lines == ["a" + heart, heart * 1, heart]
    assert all(cell_len(line) <= 3 for line in lines)
