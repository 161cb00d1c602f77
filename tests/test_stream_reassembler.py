"""Reassembler: order, duplicates, interleaving, gaps shown after a timeout."""

from __future__ import annotations

from akool_tui.stream.codec import ChatMessage
from akool_tui.stream.reassembler import GAP_MARKER, Reassembler


def part(mid: str, idx: int, text: str, fin: bool = False) -> ChatMessage:
    return ChatMessage(mid=mid, idx=idx, fin=fin, text=text, from_="bot")


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_in_order_parts_stream_and_complete():
    r = Reassembler(clock=Clock())
    u = r.feed(part("a", 0, "Hello "))
    assert (u.text_so_far, u.delta, u.complete, u.changed) == ("Hello ", "Hello ", False, True)
    u = r.feed(part("a", 1, "world", fin=True))
    assert (u.text_so_far, u.delta, u.complete, u.from_) == ("Hello world", "world", True, "bot")


def test_out_of_order_is_held_until_the_gap_fills():
    r = Reassembler(clock=Clock())
    assert r.feed(part("a", 2, "C", fin=True)).text_so_far == ""
    u = r.feed(part("a", 1, "B"))
    assert u.text_so_far == "" and not u.complete
    u = r.feed(part("a", 0, "A"))
    assert (u.text_so_far, u.delta, u.complete) == ("ABC", "ABC", True)


def test_duplicates_are_ignored_before_and_after_completion():
    r = Reassembler(clock=Clock())
    r.feed(part("a", 0, "A"))
    u = r.feed(part("a", 0, "A"))
    assert not u.changed and u.text_so_far == "A"
    r.feed(part("a", 1, "B", fin=True))
    u = r.feed(part("a", 1, "B", fin=True))
    assert not u.changed and u.complete and u.text_so_far == "AB" and u.delta == ""


def test_interleaved_mids_are_independent():
    r = Reassembler(clock=Clock())
    r.feed(part("a", 0, "a0"))
    r.feed(part("b", 1, "b1", fin=True))
    r.feed(part("a", 1, "a1", fin=True))
    u = r.feed(part("b", 0, "b0"))
    assert u.text_so_far == "b0b1" and u.complete
    assert r.pending == []


def test_bogus_parts_past_the_end_or_second_fin_are_ignored():
    r = Reassembler(clock=Clock())
    r.feed(part("a", 1, "B", fin=True))
    assert not r.feed(part("a", 5, "X")).changed
    assert not r.feed(part("a", 0, "A?", fin=True)).changed  # a fin before a held part
    assert r.feed(part("a", 0, "A")).text_so_far == "AB"


def test_missing_part_shows_incomplete_after_timeout_not_lost():
    clock = Clock()
    r = Reassembler(timeout=5.0, clock=clock)
    r.feed(part("a", 0, "one "))
    r.feed(part("a", 2, "three ", fin=False))
    r.feed(part("a", 3, "four", fin=True))
    clock.now = 4.9
    assert r.expire() == []
    clock.now = 5.1
    [u] = r.expire()
    assert u.incomplete and not u.complete
    assert u.text_so_far == "one " + GAP_MARKER + "three four"
    assert u.delta == GAP_MARKER + "three four"
    # the late part does not reopen nor duplicate it
    late = r.feed(part("a", 1, "two "))
    assert not late.changed and late.incomplete and late.text_so_far == u.text_so_far
    assert r.expire(now=100) == []


def test_lost_fin_marks_the_end_as_missing():
    clock = Clock()
    r = Reassembler(timeout=1.0, clock=clock)
    r.feed(part("a", 0, "start"))
    clock.now = 2
    [u] = r.expire()
    assert u.incomplete and u.text_so_far == "start" + GAP_MARKER.rstrip()


def test_timeout_counts_from_the_last_new_part():
    clock = Clock()
    r = Reassembler(timeout=5.0, clock=clock)
    r.feed(part("a", 0, "x"))
    clock.now = 4
    r.feed(part("a", 2, "z"))
    clock.now = 8
    assert r.expire() == []
    clock.now = 9.5
    assert len(r.expire()) == 1
