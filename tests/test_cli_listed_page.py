"""``sessions list --json`` writes a page column by column (``cli/listed_page.py``, and
``api/secrets_columns.py`` for the credentials): the same lines as writing each record
with :class:`~akool_tui.cli.output.ListedJson`, secrets masked the same way."""

from __future__ import annotations

from datetime import timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from test_cli_listed import _MS, NOW, records

from akool_tui.api.secrets import forget_secrets, masked_flat, remember_secret
from akool_tui.api.secrets_columns import masked_columns
from akool_tui.cli.listed_page import MARK, _columns
from akool_tui.cli.output import ListedJson

TOKEN = "007eJxVpgFdBiU_mpioWLS8UTp8JQPfGsAd"


@pytest.fixture(autouse=True)
def _forget():
    forget_secrets()
    yield
    forget_secrets()


#: texts as a hostile server may send them: quotes, backslashes, controls, bidi, "%"
_TEXT = st.lists(st.sampled_from(
    list("ab9_-:/?=@&%. \"'\\") + ["\x00", "\x1b", "\x7f", "\x85", "\u202e", "\u00e9",
                                     "\u2022", "\ud800", TOKEN[:9], TOKEN[-12:], "12345678"]),
    max_size=12).map("".join)
_VALUE = st.one_of(_TEXT, st.just(TOKEN), st.just(f"room_{TOKEN}"), st.just(f"x?token={TOKEN}"),
                   st.just("wss://akool-sim.livekit.example"), st.just("12345678"), st.just(12345678), st.integers(),
                   st.integers(10**7, 10**9), st.floats(allow_nan=True), st.booleans(), st.none())
#: sets of credential keys (a page mixes a few, as stream types do); "%" in a key too
_KEYS = st.sampled_from([
    (), ("agora_uid", "agora_app_id", "agora_channel", "agora_token"),
    ("livekit_url", "livekit_token", "livekit_room_name", "livekit_client_identity"),
    ("ws_url", "ws_token"), ("note",), ("100% \"x\"", "sig\n"), ("trtc_sdk_user_sig",)])


def marked(lines: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """The lines with the masks' marks as the masks (a line written record by record
    never holds a raw NUL: the encoder escapes them, so a mark is a mask and no more)."""
    return [(sid, line.replace(MARK, "\u2022" * 4)) for sid, line in lines]


@st.composite
def listed(draw) -> dict:
    """A record of the listed shape with well-typed values (the column path's)."""
    keys = draw(_KEYS)
    return {"_id": draw(st.one_of(st.just("013fe388def0a1f4589506e0"), _TEXT)),
            "uid": draw(st.one_of(st.integers(0, 10**9), _TEXT)),
            "type": draw(st.integers(0, 5)), "status": draw(st.integers(0, 5)),
            "stream_type": draw(st.sampled_from(["agora", "livekit", "trtc", "x\"\\"])),
            "avatar_id": draw(st.one_of(st.just("dvp_Tristan_cloth2_1080P"), _TEXT)),
            "duration": draw(st.one_of(st.integers(-10**6, 10**6), st.integers())),
            "create_time": draw(st.integers(_MS - 10**10, _MS + 10**8)),
            "credentials": {k: draw(_VALUE) for k in keys}}


@given(st.lists(listed(), max_size=8), st.integers(-10**5, 10**8), st.booleans())
@settings(max_examples=400, deadline=None)
def test_a_listed_page_gives_the_lines_of_its_records(raws, ms, remember) -> None:
    if remember:  # a secret of this process (the API key, a token) found in any text
        remember_secret(TOKEN)
    writer = ListedJson(NOW + timedelta(milliseconds=ms))
    assert marked(writer.page(raws)) == [writer(raw) for raw in raws]


@given(st.lists(records(), max_size=6))
@settings(max_examples=300, deadline=None)
def test_any_page_gives_the_lines_of_its_records(raws) -> None:
    """Records of any shape: the page is written record by record when one does not fit."""
    writer = ListedJson(NOW)
    assert marked(writer.page(raws)) == [writer(raw) for raw in raws]


@given(st.lists(st.dictionaries(
    st.sampled_from(["agora_channel", "room", "url", "agora_token", "user_sig", "uid", "n"]),
    _VALUE, max_size=5), max_size=6), st.booleans())
@settings(max_examples=400, deadline=None)
def test_masked_columns_mask_as_masked_flat_does(rows, remember) -> None:
    if remember:
        remember_secret(TOKEN)
    for keys in {tuple(row) for row in rows}:
        group = [row for row in rows if tuple(row) == keys]
        masked = masked_columns(keys, group)
        if masked is None:  # a column of mixed kinds: masked one by one
            continue
        columns, whole = masked
        for r, row in enumerate(group):
            expected = masked_flat(row)
            got = whole[r] if r in whole else dict(zip(keys, (c[r] for c in columns)))
            assert got == expected and list(got) == list(expected)


def test_a_page_of_the_simulator_s_shape_takes_the_column_path() -> None:
    """The path a real listing takes (not the record-by-record fallback), with a secret
    of one session inside another credential of it."""
    base = {"_id": "24f9cc7ca4090c3a244dab28", "uid": 240891, "type": 2, "status": 2,
            "stream_type": "agora", "avatar_id": "dvp_Tristan_cloth2_1080P", "duration": 3600,
            "create_time": _MS}
    raws = [{**base, "credentials": {"agora_uid": 152295, "agora_app_id": "c386bbc4cd613e30",
                                     "agora_channel": "akool_24f9cc7ca4090c3a",
                                     "agora_token": TOKEN}},
            {**base, "stream_type": "livekit", "status": 3, "credentials": {
                "livekit_url": "wss://akool-sim.livekit.example", "livekit_token": TOKEN,
                "livekit_room_name": f"room_{TOKEN}"}}]
    writer = ListedJson(NOW)
    lines = _columns(writer, raws)
    assert lines is not None and marked(lines) == [writer(raw) for raw in raws]
    assert TOKEN not in "".join(line for _, line in lines)


def _written(stream_bytes: bool, pages: list[list[dict]]) -> str:
    """What ``sessions list --json`` writes of ``pages``: to a UTF-8 stream with a byte
    buffer (the ASCII pages go to the buffer), or to a text-only one."""
    import io

    from akool_tui.cli.listed_page import PageWriter

    stream = io.TextIOWrapper(io.BytesIO(), encoding="utf-8") if stream_bytes else io.StringIO()
    out, writer = PageWriter(stream), ListedJson(NOW)
    stream.write("before ")  # text written earlier comes first
    for n, raws in enumerate(pages):
        out.write(",\n" if n else "[\n", [line for _, line in writer.page(raws)], ",\n")
    out.write("\n]\n", [], "", "")
    stream.flush()
    return stream.buffer.getvalue().decode() if stream_bytes else stream.getvalue()


@given(st.lists(st.lists(listed(), max_size=4), max_size=3))
@settings(max_examples=200, deadline=None)
def test_pages_written_through_the_byte_buffer_are_the_text_written(pages) -> None:
    from akool_tui.cli.output import join_lines

    writer = ListedJson(NOW)
    expected = "before " + "".join(
        (",\n" if n else "[\n") + join_lines([line for _, line in map(writer, raws)], ",\n")
        for n, raws in enumerate(pages)) + "\n]\n"
    assert "\x00" not in expected  # a raw NUL is escaped by the encoder: a mark is a mask
    assert _written(True, pages) == _written(False, pages) == expected


def test_a_page_with_del_or_bidi_is_escaped_and_its_masks_shown() -> None:
    raws = [{"_id": "s\x7f1", "uid": 7, "type": 2, "status": 3, "stream_type": "agora",
             "avatar_id": "a\u202e", "duration": 600, "create_time": _MS,
             "credentials": {"agora_token": TOKEN}}]
    text = _written(True, [raws])
    assert "\x7f" not in text and "\u202e" not in text and "\x00" not in text
    assert "\u2022\u2022\u2022\u2022GsAd" in text and TOKEN not in text


# -- the table's rows -------------------------------------------------------------------


@given(st.lists(st.one_of(listed(), records()), max_size=6), st.integers(-10**5, 10**11),
       st.integers(0, 999_999))
@settings(max_examples=400, deadline=None)
def test_a_page_gives_the_table_rows_of_its_records(raws, ms, us) -> None:
    from akool_tui.cli.session_rows import SessionRows

    now = NOW + timedelta(milliseconds=ms, microseconds=us)
    assert SessionRows(now).page(raws) == [SessionRows(now)(raw) for raw in raws]


def test_a_page_of_listed_records_takes_the_column_path_for_its_rows() -> None:
    from akool_tui.cli.session_rows import SessionRows
    from akool_tui.cli.session_rows_page import _columns as row_columns

    raws = [{"_id": f"24f9cc7ca4090c3a244dab{n:02d}", "uid": 240891, "type": 2,
             "status": n % 5, "stream_type": "agora", "avatar_id": "dvp_Tristan_cloth2_1080P",
             "duration": 3600 * (n % 3) - 1, "create_time": _MS - n * 40_000_000 + 10**7,
             "credentials": {}} for n in range(40)]
    # ages a second, a minute, a day apart around whole days (each age worked out once)
    raws += [{**raws[0], "create_time": _MS - step} for step in (
        999, 1000, 59_999, 60_000, 86_399_999, 86_400_000, 86_400_001, 172_799_999,
        172_800_000, 3 * 86_400_000 + 1, 1999, 2000)]
    raws.append({**raws[0], "avatar_id": "a" * 300})  # cut to the cell's length
    expected = [SessionRows(NOW)(raw) for raw in raws]
    assert row_columns(SessionRows(NOW), raws) == expected
    rows = SessionRows(NOW)  # a page at a time: the later ones from the ages worked out
    assert [row for part in (raws[::2], raws[1::2], raws) for row in rows.page(part)] == [
        *expected[::2], *expected[1::2], *expected]
