""":class:`akool_tui.cli.output.ListedJson` writes a listed record's JSON line straight
from its values: the same text as encoding :func:`listed_session`'s dict, secrets masked,
and control characters escaped once the lines are joined."""

from __future__ import annotations

import json
import random
from datetime import timedelta

from hypothesis import given, settings
from hypothesis import strategies as st
from test_cli_listed import NOW, _MS, records

from akool_tui.api.models import EARLIEST
from akool_tui.cli.output import ListedJson, _compact_encoder, join_lines
from akool_tui.core.records import iso_ms, listed_session


@given(records(), st.integers(-10**5, 10**11))
@settings(max_examples=600, deadline=None)
def test_a_listed_line_is_the_encoded_record(raw, ms) -> None:
    now = NOW + timedelta(milliseconds=ms)
    sid, line = ListedJson(now)(raw)
    record = listed_session(raw, now)
    assert line == _compact_encoder()(record)
    assert sid == record["id"] and json.loads(line) == record


def test_the_create_time_formatted_by_the_hour_is_isoformat() -> None:
    rng = random.Random(13)
    samples = [10**11, _MS, _MS + 1, _MS - _MS % 1000, 32503679999999,
               *(rng.randrange(10**11, 32503680000000) for _ in range(20_000))]
    for ms in samples:
        assert iso_ms(ms) == (EARLIEST + timedelta(milliseconds=float(ms))).isoformat(), ms


def test_a_hostile_record_keeps_its_secrets_masked_and_its_controls_escaped() -> None:
    token = "007eJxVpgFdBiU_mpioWLS8UTp8JQPfGsAd"
    raw = {"_id": "s\x1b]52;c;QUFB\x07\u202e1", "uid": 7, "type": 2, "status": 2,
           "stream_type": "agora", "avatar_id": "a\x9b31m", "duration": 600, "create_time": _MS,
           "credentials": {"agora_token": token, "agora_channel": f"ch?token={token}",
                           "agora_app_id": "c386bbc4cd613e30d8f16adf91b7584a"}}
    line = ListedJson(NOW)(raw)[1]
    text = join_lines([line, line], ",\n")
    assert token not in text and "584a" in text and "c386bbc4" not in text
    assert not any(c in text for c in "\x1b\x07\x9b\u202e")
    assert [json.loads(t) for t in text.split(",\n")] == [listed_session(raw, NOW)] * 2


#: one writer for many records, as ``sessions list`` uses it: the shared values
#: (stream types, avatar ids, uids) come from its memory after the first record
_ONE = ListedJson(NOW)


@given(st.lists(records(), min_size=1, max_size=6))
@settings(max_examples=300, deadline=None)
def test_lines_of_one_writer_are_the_encoded_records(raws) -> None:
    for raw in raws + raws:  # each twice: the second time from what it remembers
        assert _ONE(raw)[1] == _compact_encoder()(listed_session(raw, NOW))


def test_a_list_of_ever_new_avatars_is_still_written_right() -> None:
    """A hostile list (every avatar id new): past what the writer remembers, each value
    is encoded for itself."""
    from akool_tui.cli import output

    write = ListedJson(NOW)
    base = {"_id": "s1", "uid": 7, "type": 2, "status": 3, "stream_type": "agora",
            "duration": 600, "create_time": _MS, "credentials": {}}
    for n in range(output._SHARED + 50):
        raw = {**base, "avatar_id": f"avatar \u202e{n}"}
        assert json.loads(write(raw)[1])["avatar_id"] == raw["avatar_id"]
    assert len(write.shared) == output._SHARED
