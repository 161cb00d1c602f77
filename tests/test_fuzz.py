"""Fuzzing (hypothesis): bad input never crashes, invalid input gets a message.

Already covered elsewhere and not repeated here: ``decode`` of arbitrary bytes and
JSON shapes (tests/test_stream_codec.py); one message chunked and reassembled under
shuffle and duplication (tests/test_stream_chunker.py). This file adds truncated and
bit-flipped encodings, several interleaved messages, adversarial part sequences,
every validator, the API models, the envelope, config files, theme files and
``describe_code``.
"""

from __future__ import annotations

import inspect
import json
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest
import tomli_w
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from akool_tui.core import validators
from akool_tui.api.envelope import parse_envelope
from akool_tui.api.errors import AkoolError, describe_code
from akool_tui.api.models import Avatar, Credentials, Language, Session, Voice
from akool_tui.api.secrets import is_secret_key, mask
from akool_tui.config import _SECTIONS, _TOP, ConfigError, load_config, parse_config
from akool_tui.stream.chunker import chunk_text
from akool_tui.stream.codec import ChatMessage, Notice, clean_text, decode, encode
from akool_tui.stream.reassembler import Reassembler
from akool_tui.tui.themes import COLOR_KEYS, parse_theme

FUZZ = settings(max_examples=200, deadline=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])

json_scalars = (st.none() | st.booleans() | st.integers() | st.floats(allow_nan=True)
                | st.text(max_size=30))
json_values = st.recursive(
    json_scalars,
    lambda kids: st.lists(kids, max_size=4) | st.dictionaries(st.text(max_size=8), kids, max_size=5),
    max_leaves=25,
)
anything = json_values | st.binary(max_size=20) | st.just(object()) | st.complex_numbers()


# -- stream: codec and reassembly ---------------------------------------------------


@FUZZ
@given(st.text(min_size=1, max_size=400).filter(str.strip), st.data())
def test_truncated_or_bit_flipped_encodings_never_raise(text, data):
    raw = bytearray(encode(ChatMessage(mid="m-1", idx=0, fin=True, text=text)))
    cut = data.draw(st.integers(0, len(raw)))
    flips = data.draw(st.lists(st.tuples(st.integers(0, len(raw) - 1), st.integers(1, 255)), max_size=4))
    for pos, bit in flips:
        raw[pos] ^= bit
    for payload in (bytes(raw[:cut]), bytes(raw)):
        out = decode(payload)
        if isinstance(out, Notice):
            assert out.text.strip()
        if isinstance(out, ChatMessage) and payload == encode(ChatMessage("m-1", 0, True, text)):
            assert out.text == text


@FUZZ
@given(st.lists(st.text(min_size=1, max_size=600).filter(str.strip), min_size=2, max_size=5),
       st.randoms(use_true_random=False))
def test_interleaved_messages_reassemble_exactly_under_shuffle_and_duplication(texts, rng):
    wire = [encode(p) for i, t in enumerate(texts) for p in chunk_text(t, mid=f"m{i}", limit=120)]
    wire += rng.sample(wire, k=len(wire) // 2)
    rng.shuffle(wire)
    r = Reassembler(clock=lambda: 0.0)
    seen: dict[str, str] = {}
    done: dict[str, str] = {}
    for raw in wire:
        msg = decode(raw)
        assert isinstance(msg, ChatMessage)
        up = r.feed(msg)
        assert up.text_so_far.startswith(seen.get(up.mid, "")), "streamed text went backwards"
        assert up.text_so_far == seen.get(up.mid, "") + up.delta or not up.changed
        seen[up.mid] = up.text_so_far
        if up.complete:
            done.setdefault(up.mid, up.text_so_far)
    assert done == {f"m{i}": clean_text(t) for i, t in enumerate(texts)}
    assert r.pending == []


parts = st.builds(
    ChatMessage,
    mid=st.sampled_from(["a", "b", "c"]),
    idx=st.integers(0, 6),
    fin=st.booleans(),
    text=st.text(max_size=5),
    from_=st.sampled_from([None, "bot", "user"]),
)


@FUZZ
@given(st.lists(parts, max_size=40))
def test_any_part_sequence_only_grows_text_and_expires_cleanly(msgs):
    r = Reassembler(timeout=1.0, clock=lambda: 0.0)
    shown: dict[str, str] = {}
    for msg in msgs:
        up = r.feed(msg, now=0.0)
        assert up.text_so_far.startswith(shown.get(up.mid, ""))
        shown[up.mid] = up.text_so_far
    for up in r.expire(now=10.0):
        assert up.incomplete and up.text_so_far.startswith(shown.get(up.mid, ""))
    assert r.pending == []


# -- validators -----------------------------------------------------------------------

VALIDATORS = [
    fn for name, fn in inspect.getmembers(validators, inspect.isfunction)
    if name.startswith("validate_") and fn.__module__ == validators.__name__
]


def test_every_validator_is_fuzzed():
    names = {fn.__name__ for fn in VALIDATORS}
    assert {"validate_avatar_id", "validate_duration", "validate_http_url", "validate_speed",
            "validate_base_url", "validate_refresh_interval"} <= names


@pytest.mark.parametrize("validate", VALIDATORS, ids=lambda f: f.__name__)
@settings(max_examples=120, deadline=None)
@given(value=anything | st.text(max_size=60) | st.from_regex(r"\A(https?|ftp)://[^ ]{0,30}\Z"))
def test_validators_return_none_or_a_message(validate, value):
    out = validate(value)
    assert out is None or (isinstance(out, str) and out.strip())


@FUZZ
@given(st.text(max_size=80))
def test_is_loopback_host_is_total(host):
    assert validators.is_loopback_host(host) in (True, False)


# -- API models and the envelope -------------------------------------------------------

session_fields = st.fixed_dictionaries({}, optional={
    k: json_values | st.integers(-(2**70), 2**70) | st.text(max_size=30)
    for k in ("_id", "id", "status", "stream_type", "avatar_id", "duration", "create_time",
              "uid", "type", "credentials")
})
avatar_fields = st.fixed_dictionaries({}, optional={
    k: json_values for k in ("avatar_id", "name", "gender", "voice_id", "url", "from", "type",
                             "status", "available", "create_time", "thumbnailUrl")
})


@FUZZ
@given(json_values | session_fields | avatar_fields)
# an end past the year 9999 (found by this test): no known end, not an OverflowError
@example({"status": 2, "create_time": 253_402_300_000_000, "duration": 2**40})
def test_models_from_api_never_raise_on_any_json_shape(raw):
    now = datetime(2026, 1, 1, tzinfo=UTC)
    s = Session.from_api(raw)
    assert isinstance(s.id, str)
    s.status_label, s.is_open, s.expires_at, s.time_left(now), repr(s)
    a = Avatar.from_api(raw)
    a.status_label, a.source_label, a.valid_until, repr(a)
    repr(Voice.from_api(raw)), repr(Language.from_api(raw))
    repr(Credentials.from_api(raw))


@FUZZ
@given(st.dictionaries(st.sampled_from(["livekit_token", "trtc_user_sig", "agora_token",
                                        "agora_app_id", "server_url", "nested"]),
                       st.text("0123456789ABCDEF", min_size=9, max_size=40) | json_values,
                       max_size=5))
def test_credentials_repr_never_shows_a_secret_value(values):
    creds = Credentials.from_api(values)
    public = str([v for k, v in values.items() if not is_secret_key(k)])
    # the repr's own words ("Credentials(stream_type=..."): a secret spelled like them is
    # found there whatever the masking does (hypothesis found "Credentia")
    public += repr(Credentials.from_api({})) + repr(Session.from_api({"credentials": {}}))
    for text in (repr(creds), str(creds), repr(Session.from_api({"credentials": values}))):
        for key, value in values.items():
            if is_secret_key(key) and isinstance(value, str) and len(value) > 8 \
                    and value not in public and repr(value)[1:-1] not in public:
                assert value not in text and repr(value)[1:-1] not in text
                assert repr(mask(value))[1:-1] in text  # repr escapes control characters


@FUZZ
@given(st.binary(max_size=200) | json_values.map(lambda v: json.dumps(v).encode()),
       st.sampled_from([200, 200, 200, 404, 500, 502]))
def test_envelope_of_any_body_is_data_or_a_typed_error(body, status):
    response = httpx.Response(status, content=body)
    try:
        out = parse_envelope(response, "/api/open/v4/liveAvatar/session/list")
    except AkoolError as exc:
        assert str(exc).strip()
    else:
        assert out["code"] == 1000


# -- config and theme files --------------------------------------------------------------

def _config_tables():
    def section(specs):
        return st.dictionaries(st.sampled_from(sorted(specs)) | st.text(max_size=6),
                               json_scalars.filter(lambda x: x is not None) | st.integers(0, 5000),
                               max_size=4)

    top = {k: json_scalars.filter(lambda x: x is not None) for k in _TOP}
    top.update({name: section(specs) for name, (_, specs) in _SECTIONS.items()})
    top["keymap"] = st.dictionaries(st.text(min_size=1, max_size=8), st.text(max_size=8) | st.integers())
    return st.fixed_dictionaries({}, optional=top)


def _toml(data) -> str:
    try:
        return tomli_w.dumps(data)
    except (TypeError, ValueError):
        return ""


toml_ish = (
    _config_tables().map(_toml)
    | st.text(max_size=200)
    | st.lists(st.sampled_from(["[ui]", "[defaults]", "[keymap]", "[[x]]", "api_key = ",
                                "duration = 0", "speed = 2.5", "\"", "=", "\n", "mouse = 1",
                                "base_url = \"http://example.com\"", "[llm]", "a.b.c = 1",
                                "refresh_interval = inf", "stream_type = 'x'", "# c"]),
               max_size=12).map("\n".join)
)


@FUZZ
@given(toml_ish)
def test_config_text_parses_or_raises_a_config_error(text):
    try:
        cfg = parse_config(text, Path("/tmp/config.toml"))
    except ConfigError as exc:
        assert str(exc).startswith("/tmp/config.toml")
    else:
        assert cfg.refresh_interval >= validators.MIN_REFRESH_INTERVAL


@FUZZ
@given(st.binary(max_size=200))
def test_config_file_of_any_bytes_loads_or_raises_a_config_error(tmp_path, data):
    path = tmp_path / "config.toml"
    path.write_bytes(data)
    try:
        load_config(path, env={})
    except ConfigError as exc:
        assert str(path) in str(exc)


theme_tables = st.fixed_dictionaries({}, optional={
    "name": json_scalars.filter(lambda x: x is not None),
    "dark": json_scalars.filter(lambda x: x is not None),
    "variables": st.dictionaries(st.text(max_size=6), st.text(max_size=6) | st.integers(), max_size=3),
    **{k: st.sampled_from(["#123456", "red", "rgb(1,2,3)", "nope", "#12", ""]) | st.integers()
       for k in COLOR_KEYS},
    "bogus": st.integers(),
})


@FUZZ
@given(theme_tables.map(_toml).map(str.encode) | st.binary(max_size=200))
def test_theme_file_parses_or_raises_value_error(tmp_path, data):
    path = tmp_path / "t.toml"
    path.write_bytes(data)
    try:
        theme = parse_theme(path)
    except ValueError as exc:
        assert str(exc).strip()
    else:
        assert theme.name.strip() and theme.primary


# -- error codes -----------------------------------------------------------------------


@FUZZ
@given(st.integers(-(2**64), 2**64) | st.sampled_from([1000, 1003, 1101, 1215, 1216, 1219]),
       st.none() | st.text(max_size=60))
def test_describe_code_is_one_non_empty_line(code, msg):
    line = describe_code(code, msg)
    assert line.strip()
    assert str(code) in line
    if msg is None or "\n" not in msg:
        assert "\n" not in line


def test_fuzz_strategies_reach_valid_inputs():
    """The strategies above are not all garbage: valid files and values exist among them."""
    assert parse_config(_toml({"defaults": {"duration": 10}, "ui": {"mouse": False}})).defaults.duration == 10
    assert validators.validate_duration("10") is None
