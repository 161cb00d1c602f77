"""safejson.loads decodes bytes with orjson where it keeps every value exact, and gives
the same value (or the same error) as ``json.loads`` everywhere: what a page of the
session list decodes to must not depend on which decoder read it."""

from __future__ import annotations

import json
import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from akool_tui.api import safejson
from akool_tui.api.safejson import JSONError, JSONTooDeep, loads

pytestmark = pytest.mark.skipif(safejson._fast_loads is None, reason="orjson not installed")


def _same(a: object, b: object) -> bool:
    """Equal, and of the same types all the way down (1 and 1.0 differ; NaN is NaN)."""
    if type(a) is not type(b):
        return False
    if isinstance(a, dict):
        return list(a) == list(b) and all(_same(a[k], b[k]) for k in a)  # type: ignore[index]
    if isinstance(a, list):
        return len(a) == len(b) and all(map(_same, a, b))  # type: ignore[arg-type]
    if isinstance(a, float):
        return (math.isnan(a) and math.isnan(b)) or (a == b and str(a) == str(b))  # type: ignore[arg-type]
    return a == b


_SCALARS = (st.none() | st.booleans() | st.integers() | st.text()
            | st.floats(allow_nan=True, allow_infinity=True))
_VALUES = st.recursive(
    _SCALARS, lambda kids: st.lists(kids, max_size=4) | st.dictionaries(st.text(), kids, max_size=4),
    max_leaves=20)


@settings(max_examples=300, deadline=None)
@given(_VALUES, st.booleans())
def test_any_json_decodes_as_json_loads_decodes_it(value, ascii_only) -> None:
    """Any value json.dumps writes (big integers, NaN, Infinity, lone surrogates and
    control characters in strings, escaped or not) decodes to what json.loads gives."""
    text = json.dumps(value, ensure_ascii=ascii_only)
    data = text.encode("utf-8", "surrogatepass")
    try:
        expected = json.loads(data)
    except ValueError:  # a lone surrogate written raw is not UTF-8: both refuse it
        with pytest.raises(JSONError):
            loads(data)
        return
    assert _same(loads(data), expected)


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=64))
def test_any_bytes_decode_or_fail_as_before(data) -> None:
    try:
        expected = json.loads(data)
    except (ValueError, RecursionError):
        with pytest.raises(JSONError):
            loads(data)
        return
    assert _same(loads(data), expected)


@pytest.mark.parametrize(("data", "expected"), [
    (b"12345678901234567890123", 12345678901234567890123),  # orjson: a float
    (b"[-9223372036854775809]", [-9223372036854775809]),
    (b'{"n": 18446744073709551616}', {"n": 18446744073709551616}),
    (b"[1e400]", [math.inf]),  # orjson refuses it
    (b'"\\ud800"', "\ud800"),  # a lone surrogate, escaped
    (b"\xef\xbb\xbf{}", {}),  # a UTF-8 BOM
    ('{"a": 1}'.encode("utf-16"), {"a": 1}),  # other encodings
    (b"[0.30000000000000004, 1.0, -0.0]", [0.30000000000000004, 1.0, -0.0]),
])
def test_what_orjson_would_change_or_refuse_decodes_as_json_loads_does(data, expected) -> None:
    assert _same(loads(data), expected)
    assert _same(loads(data), json.loads(data))


def test_nan_and_infinity_still_decode() -> None:
    value = loads(b"[NaN, Infinity, -Infinity]")
    assert math.isnan(value[0]) and value[1:] == [math.inf, -math.inf]


@pytest.mark.parametrize("depth", [65, 1500])  # under orjson's own limit, and past it
def test_deep_nesting_is_refused_by_either_path(depth) -> None:
    with pytest.raises(JSONTooDeep) as caught:
        loads(b"[" * depth + b"]" * depth)
    assert caught.value.__context__ is None and caught.value.__cause__ is None
    assert loads(b"[" * 64 + b"]" * 64) is not None


def test_a_refused_document_leaves_no_text_in_the_error() -> None:
    secret = b"tok_9f8e7d6c5b4a3210"
    for data in (b'{"token": "' + secret + b'", }', b'{"token": "' + secret + b'\xff"}'):
        with pytest.raises(JSONError) as caught:
            loads(data)
        assert caught.value.__context__ is None and caught.value.__cause__ is None
        assert "tok_" not in str(caught.value) and not caught.value.args[1:]


def test_an_ordinary_page_is_read_by_orjson(monkeypatch) -> None:
    """A page of sessions never reaches json.loads (3x slower on 100 sessions)."""
    page = json.dumps({"code": 1000, "data": {"count": 2, "result": [
        {"_id": "a" * 24, "create_time": 1795744103972, "credentials": {"t": "x"}}] * 2}})

    def refuse(*_args, **_kw):
        raise AssertionError("json.loads used")

    monkeypatch.setattr(safejson.json, "loads", refuse)
    assert loads(page.encode())["data"]["count"] == 2
