"""Chunker: every ENCODED part fits the limit; parts reassemble exactly (hypothesis)."""

from __future__ import annotations

import random

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from akool_tui.stream.chunker import chunk_text
from akool_tui.stream.codec import ChatMessage, decode, encode
from akool_tui.stream.reassembler import Reassembler

# emoji (ZWJ sequences, flags, skin tones), CJK, combining marks, escapes, controls
PIECES = ["👩‍👩‍👧", "🇯🇵", "👍🏽", "日本語の文章。", "한국어", "e\u0301", "a\u0308\u0323", "\"", "\\",
          "\n", "\t", "\x01", "word ", ". ", "é", "ش", "\u2028", "𝄞"]
texts = st.text(
    alphabet=st.characters(blacklist_categories=("Cs",)), min_size=1, max_size=3000
) | st.lists(st.sampled_from(PIECES), min_size=1, max_size=800).map("".join)


def _reassemble(parts: list[bytes], rng: random.Random) -> str:
    shuffled = parts + rng.sample(parts, k=len(parts) // 2)  # duplicates
    rng.shuffle(shuffled)
    r = Reassembler(clock=lambda: 0.0)
    final = None
    for raw in shuffled:
        msg = decode(raw)
        assert isinstance(msg, ChatMessage)
        update = r.feed(msg)
        assert msg.mid == "m-1"
        if update.complete:
            final = update if final is None else final
    assert final is not None, "message never completed"
    return final.text_so_far


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(texts.filter(lambda t: t.strip()), st.sampled_from([96, 200, 960]), st.randoms(use_true_random=False))
def test_parts_fit_and_reassemble_exactly_under_shuffle_and_duplication(text, limit, rng):
    parts = chunk_text(text, mid="m-1", limit=limit)
    encoded = [encode(p) for p in parts]
    assert all(len(raw) <= limit for raw in encoded)
    assert [p.idx for p in parts] == list(range(len(parts)))
    assert [p.fin for p in parts] == [False] * (len(parts) - 1) + [True]
    assert "".join(p.text for p in parts) == text
    assert _reassemble(encoded, rng) == text


big_texts = st.tuples(texts.filter(lambda t: t.strip()), st.integers(1, 400)).map(
    lambda pair: (pair[0] * pair[1])[:100_000]
)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(big_texts, st.randoms(use_true_random=False))
def test_large_texts_up_to_100k_chars_fit_and_reassemble(text, rng):
    encoded = [encode(p) for p in chunk_text(text, mid="m-1")]
    assert all(len(raw) <= 960 for raw in encoded)
    assert _reassemble(encoded, rng) == text


def test_100kb_mixed_text_is_exact():
    rng = random.Random(7)
    text = "".join(rng.choice(PIECES) for _ in range(20_000))
    while len(text.encode()) < 100_000:
        text += text[:1000]
    parts = chunk_text(text, mid="m-1")
    encoded = [encode(p) for p in parts]
    assert max(len(raw) for raw in encoded) <= 960
    # no more parts than needed: greedy packing stays near the byte floor
    floor = len(text.encode()) / 960
    assert len(parts) <= floor * 1.6 + 1
    assert _reassemble(encoded, rng) == text


def test_prefers_sentence_then_space_boundaries():
    text = ("The avatar speaks clearly. " * 60).strip()
    parts = chunk_text(text, mid="m", limit=300)
    assert len(parts) > 2
    assert all(p.text.endswith(". ") for p in parts[:-1])
    words = " ".join(["word"] * 400)
    parts = chunk_text(words, mid="m", limit=300)
    assert all(p.text.endswith(" ") for p in parts[:-1])


def test_does_not_split_a_letter_from_its_combining_mark_when_it_can_avoid_it():
    text = "e\u0301" * 2000
    for part in chunk_text(text, mid="m", limit=200)[1:]:
        assert part.text[0] == "e"


def test_a_part_never_splits_utf8():
    text = "😀" * 1000
    for part in chunk_text(text, mid="m", limit=97):
        assert set(part.text) == {"😀"}
        assert len(encode(part)) <= 97


def test_lone_surrogates_become_replacement_characters():
    parts = chunk_text("ok \ud800 fine", mid="m")
    assert parts[0].text == "ok \ufffd fine"


@pytest.mark.parametrize("bad", ["", "   ", "\n\t "])
def test_empty_text_is_refused(bad):
    with pytest.raises(ValueError, match="empty"):
        chunk_text(bad, mid="m")


def test_limit_too_small_is_a_clear_error():
    with pytest.raises(ValueError, match="too small"):
        chunk_text("hello", mid="m", limit=40)
