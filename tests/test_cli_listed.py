"""``sessions list --json`` / ``--jsonl`` read each record straight from the server's
dict (:func:`akool_tui.core.records.listed_session`): the same output as building the
session and converting it, secrets masked."""

from __future__ import annotations

import asyncio
import json
from datetime import datetime, timedelta, timezone

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from akool_tui.api.client import AkoolClient
from akool_tui.api.models import Session
from akool_tui.cli import main
from akool_tui.core.records import _session, jsonable, listed_session
from cli_helpers import clean_env_with_key as clean_env  # noqa: F401 - autouse fixture

NOW = datetime(2026, 11, 29, 18, 0, tzinfo=timezone.utc)
_MS = int(NOW.timestamp() * 1000)

_CRED_KEYS = st.sampled_from(["agora_token", "agora_app_id", "agora_channel", "agora_uid",
                              "livekit_url", "ws_token", "trtc_sdk_user_sig", "note", "apiKey"])
_FLAT = st.one_of(
    st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False), st.text(max_size=40),
    st.builds(lambda a, b: f"{a}?token={b}", st.text(max_size=8), st.text(max_size=12)))
_ANY = st.one_of(st.none(), st.booleans(), st.integers(), st.text(max_size=12),
                 st.floats(allow_nan=False), st.lists(st.integers(), max_size=2))
#: each field of a listed record, well typed (the values still odd: empty, negative...)
_FIELDS = {
    "_id": st.text(max_size=24),
    "uid": st.one_of(st.integers(0, 10**9), st.text(max_size=8)),
    "type": st.integers(0, 5),
    "status": st.integers(0, 5),
    "stream_type": st.sampled_from(["agora", "livekit", "trtc", ""]),
    "avatar_id": st.text(max_size=24),
    "duration": st.one_of(st.integers(-10**6, 10**6), st.integers()),
    "create_time": st.one_of(st.integers(_MS - 10**10, _MS + 10**8), st.integers(-1, 10**14)),
    "credentials": st.one_of(
        st.dictionaries(_CRED_KEYS, _FLAT, max_size=6),
        st.dictionaries(_CRED_KEYS, st.one_of(_FLAT, _ANY), max_size=6)),  # not flat
}


@st.composite
def records(draw) -> dict:
    """Records of the listed shape, mostly well typed; sometimes a field of another
    type, or a key more (``id``, unknown ones)."""
    raw = {key: draw(values) for key, values in _FIELDS.items()}
    if draw(st.integers(0, 3)) == 0:
        raw[draw(st.sampled_from(sorted(_FIELDS)))] = draw(_ANY)
    if draw(st.integers(0, 5)) == 0:
        raw[draw(st.sampled_from(["id", "extra", "note"]))] = draw(_ANY)
    return raw


@given(records())
@settings(max_examples=500, deadline=None)
def test_a_listed_record_gives_what_the_session_built_from_it_gives(raw) -> None:
    assert listed_session(raw, NOW) == _session(Session.from_api(raw), NOW)


def test_an_open_session_counts_its_time_left_from_the_clock() -> None:
    raw = {"_id": "s1", "uid": 7, "type": 2, "status": 2, "stream_type": "agora",
           "avatar_id": "a", "duration": 600, "create_time": _MS,
           "credentials": {"agora_token": "0123456789abcdef"}}
    assert listed_session(raw, NOW + timedelta(seconds=90))["time_left"] == 510
    assert listed_session(raw)["time_left"] is not None  # the clock of now: some number
    assert listed_session(raw, NOW)["credentials"] == {"agora_token": "••••cdef"}


def without_time_left(records: list[dict]) -> tuple[list[dict], list[int | None]]:
    """The records without what changes by itself between two listings: the time left,
    and the status of a session queueing (the simulator starts it a moment later)."""
    lefts = [r.pop("time_left") for r in records]
    for r in records:
        if r["status"] in (1, 2):
            r["status"] = r["status_label"] = "open"
    return records, lefts


def test_json_and_jsonl_print_what_the_sessions_convert_to_with_every_secret_masked(
        simulator_factory, capsys) -> None:
    sim = simulator_factory(sessions=350)

    async def listing() -> tuple[list[Session], list[dict]]:
        async with AkoolClient(sim.base_url, api_key="demo") as client:
            raw = [r for page in range(1, 5) for r in (await client._data(
                "GET", "/api/open/v4/liveAvatar/session/list",
                params={"page": page, "size": 100}))["result"]]
            return await client.list_all_sessions(), raw

    sessions, raw = asyncio.run(listing())
    expected, expected_left = without_time_left([jsonable(s) for s in sessions])
    assert main(["--base-url", sim.base_url, "sessions", "list", "--json"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("[\n{") and out.endswith("}\n]\n")
    assert len(out.splitlines()) == len(sessions) + 2  # one session a line
    printed, left = without_time_left(json.loads(out))
    assert printed == expected
    assert all(a == b or a is None or b is None or abs(a - b) <= 5
               for a, b in zip(left, expected_left, strict=True))
    assert main(["--base-url", sim.base_url, "sessions", "list", "--jsonl"]) == 0
    lines = capsys.readouterr().out
    assert without_time_left([json.loads(line) for line in lines.splitlines()])[0] == expected
    secrets = {v for r in raw for k, v in r["credentials"].items()
               if isinstance(v, str) and len(v) > 8 and ("token" in k or "sig" in k)}
    assert len(secrets) == len(sessions)
    assert not any(s in out or s in lines for s in secrets)


# -- the table ------------------------------------------------------------------------------


@given(records(), st.integers(-10**5, 10**11))
@settings(max_examples=500, deadline=None)
def test_a_listed_record_gives_the_table_row_the_session_built_from_it_gives(raw, ms) -> None:
    from akool_tui.cli.session_rows import SessionRows

    rows = SessionRows(NOW + timedelta(milliseconds=ms))
    assert rows.fast
    assert rows(raw) == rows.general(raw)
    assert rows(raw) == rows.general(raw)  # the remembered ages and durations too


def test_the_ages_worked_out_once_are_the_ages_of_each_session() -> None:
    """Ages from a second to years ago (and in the future), each against ``ago``."""
    from akool_tui.cli.session_rows import SessionRows
    from akool_tui.core.fields import ago

    rows = SessionRows(NOW)
    steps = [0, 1, 59, 61, 3599, 3601, 86399, 86400, 86401, 2 * 86400 - 1, 400 * 86400 + 7]
    for seconds in [*steps, *range(0, 3 * 365 * 86400, 9973), -5, -90_000]:
        for fraction in (0, 0.25, 0.999):
            start = NOW - timedelta(seconds=seconds + fraction)
            assert rows._age(start) == ago(start, NOW), (seconds, fraction)
