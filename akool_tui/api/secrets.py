"""Masking of secrets: API keys, client secrets, tokens, RTC credentials.

A secret is never shown in full: only its last 4 characters survive, and short
secrets are hidden completely (:func:`mask`).

Secrets are found three ways:

- by key (:func:`is_secret_key`): ``agora_token``, ``accessToken``, ``client-secret``,
  ``X-Api-Key``, ``trtcUserSig``... The key is first normalised (camelCase, kebab-case,
  snake_case and upper case all become the same words), then its last words decide.
- by value (:func:`remember_secret`): the configured API key and client secret, bearer
  tokens received, the ``serve`` token, and any value found under a secret key in the
  same record are masked wherever they appear in a string -- an error message quoting a
  URL, a log line, a "note" field that echoes a token.
- by shape, in free text (:func:`mask_text`): user info in URLs
  (``https://user:pass@host``), secret query or fragment parameters
  (``?access_token=``, ``&sig=``, ``#token=``, ``?X-Amz-Signature=``), ``key=value``,
  ``"key": "value"`` and ``'key': 'value'`` pairs with a secret key (reprs, JSON bodies)
  and ``Bearer``/``Basic`` credentials.

:func:`masked_mapping` applies all of it to a record, recursively through nested
mappings and lists; :class:`MaskingFilter` applies :func:`mask_text` to log records
(message and traceback).
"""

from __future__ import annotations

import functools
import logging
import re
import threading
from collections.abc import Iterable, Mapping
from typing import Any

#: Credential keys (any stream type) whose values are secrets, in their usual spellings
#: (kept for reference: :func:`is_secret_key` recognises every spelling of these).
SECRET_KEYS = frozenset(
    {
        "agora_token",
        "livekit_token",
        "trtc_user_sig",
        "token",
        "api_key",
        "apikey",
        "x-api-key",
        "clientsecret",
        "client_secret",
        "authorization",
        "secret",
        "password",
    }
)

#: a key whose last word is one of these holds a secret
_SECRET_WORDS = frozenset(
    {
        "token", "tokens", "secret", "secrets", "password", "passwords", "passwd", "pwd",
        "passphrase", "sig", "usersig", "signature", "authorization", "auth", "credential",
        "credentials", "cookie", "apikey", "jwt", "privatekey",
    }
)
#: ... or whose last two words are one of these (``*_app_id``: RTC application ids)
_SECRET_PAIRS = frozenset(
    {("api", "key"), ("access", "key"), ("secret", "key"), ("private", "key"),
     ("session", "key"), ("signing", "key"), ("encryption", "key"), ("user", "sig")}
)
#: extra names that are secrets as URL query parameters only (``?key=AIza...``)
_SECRET_PARAMS = frozenset({("key",), ("sig",), ("sign",), ("signature",)})

_MASK = "••••"
_CAMEL = re.compile(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])")
_NOT_WORD = re.compile(r"[^a-z0-9]+")


def mask(secret: Any, keep: int = 4) -> str:
    """``"abcdefgh1234"`` -> ``"••••1234"``; short or empty secrets -> ``"••••"``.

    Already masked text is returned as it is (masking twice keeps the last 4).
    """
    if secret is None or secret == "":
        return ""
    s = str(secret)
    if s.startswith(_MASK):
        return s
    if len(s) <= keep * 2:
        return _MASK
    return _MASK + s[-keep:]


def key_words(key: str) -> tuple[str, ...]:
    """``"accessToken"``, ``"ACCESS_TOKEN"``, ``"access-token"`` -> ``("access", "token")``."""
    return tuple(w for w in _NOT_WORD.split(_CAMEL.sub("_", str(key)).lower()) if w)


def _secret_words(words: tuple[str, ...]) -> bool:
    if not words:
        return False
    if words[-1] in _SECRET_WORDS or words[-2:] in _SECRET_PAIRS:
        return True
    return len(words) > 2 and words[-2:] == ("app", "id")  # agora_app_id, sdkAppId...


@functools.lru_cache(maxsize=4096)
def _is_secret_key(key: str) -> bool:
    return _secret_words(key_words(key[:256]))


def is_secret_key(key: str) -> bool:
    """Whether a value under ``key`` is a secret, whatever the spelling of ``key``."""
    return _is_secret_key(str(key))


def is_secret_param(name: str) -> bool:
    """Whether a URL query/fragment parameter ``name`` carries a secret."""
    words = key_words(name)
    return words in _SECRET_PARAMS or _secret_words(words)


# -- known secret values -----------------------------------------------------------

#: shorter values are not remembered: they would mask ordinary words ("demo")
MIN_KNOWN_LENGTH = 8
_KNOWN_LIMIT = 256
_known: dict[str, None] = {}  # insertion order: the oldest is forgotten first
_known_sorted: tuple[str, ...] = ()
_known_lock = threading.Lock()


def remember_secret(value: Any) -> None:
    """Mask ``value`` wherever it appears in text from now on (this process).

    For the configured API key and client secret, bearer tokens received, RTC
    credentials in use and the ``serve`` token. Values shorter than 8 characters are
    ignored; at most the 256 most recent values are kept.
    """
    global _known_sorted
    if not isinstance(value, str):
        return
    value = value.strip()
    if len(value) < MIN_KNOWN_LENGTH or value.startswith(_MASK):
        return
    with _known_lock:
        if value in _known:
            return
        _known[value] = None
        while len(_known) > _KNOWN_LIMIT:
            del _known[next(iter(_known))]
        _known_sorted = tuple(sorted(_known, key=len, reverse=True))


def forget_secrets() -> None:
    """Forget every remembered value (tests)."""
    global _known_sorted
    with _known_lock:
        _known.clear()
        _known_sorted = ()


def _mask_known(text: str, extra: Iterable[str]) -> str:
    for value in extra:  # longest first within each group: the given ones first
        if value in text:
            text = text.replace(value, mask(value))
    for value in _known_sorted:
        if value in text:
            text = text.replace(value, mask(value))
    return text


# -- secrets by shape in free text ----------------------------------------------------

_USERINFO = re.compile(r"(?P<pre>\b[A-Za-z][A-Za-z0-9+.\-]*://)(?P<info>[^/?#@\s\"'<>]+)@")
_NAME = r"""(?<![\w.\-%])(?P<q>["']?)(?P<name>[A-Za-z_][\w.\-%\[\]]{0,63})(?P=q)"""
_QUOTED = r"""(?P<vq>["'])(?P<qval>(?:\\.|(?!(?P=vq))[^\\])*)(?P=vq)"""
#: name=value (URL parameters, fragments, ``repr`` keyword arguments, logfmt)
_EQ_PAIR = re.compile(_NAME + r"=(?:" + _QUOTED + r"""|(?P<val>[^\s&#,;'"<>)\]}]+))""")
#: "name": "value" and 'name': 'value' (JSON bodies, Python dict reprs)
_COLON_PAIR = re.compile(_NAME + r"\s*:\s*" + _QUOTED)
_AUTH = re.compile(r"(?P<pre>\b(?i:bearer|basic)\s+)(?P<val>[A-Za-z0-9._~+/\-]{8,}=*)")
_AUTH_HINT = re.compile(r"(?i:bearer|basic)\s")


def _may_hold_auth(text: str) -> bool:
    """Whether ``text`` may hold ``Bearer <value>``: a word, white space, then more
    (``split`` first: a text without inner white space is common, and the regex scan
    of it costs 4x as much)."""
    return len(text.split(None, 1)) > 1 and _AUTH_HINT.search(text) is not None
_NOT_SECRETS = frozenset({"none", "null", "true", "false", "undefined"})


def _masked_value(value: str) -> str:
    if not value or value.startswith(_MASK) or value.lower() in _NOT_SECRETS:
        return value
    return mask(value)


def _mask_pair(m: re.Match[str]) -> str:
    name = m.group("name")
    start = m.start()
    in_url = not m.group("q") and start > 0 and m.string[start - 1] in "?&#;"
    secret = is_secret_param(name) if in_url else is_secret_key(name)
    if not secret:
        return m.group(0)
    whole = m.group(0)
    if m.group("vq") is not None:
        a, b = m.span("qval")
        return whole[:a - start] + _masked_value(m.group("qval")) + whole[b - start:]
    a, b = m.span("val")
    return whole[:a - start] + _masked_value(m.group("val")) + whole[b - start:]


def _mask_auth(m: re.Match[str]) -> str:
    value = m.group("val")
    if not (any(c.isdigit() for c in value) or len(value) >= 20):
        return m.group(0)  # "Basic information", not a credential
    return m.group("pre") + mask(value)


def mask_text(text: Any, extra: Iterable[str] = ()) -> str:
    """``text`` with every known secret value (and the ``extra`` ones) and every
    secret-shaped part (URL user info, ``?token=``, ``"apiKey": "..."``, ``Bearer ...``)
    masked. Anything else is returned unchanged."""
    if not isinstance(text, str):
        text = str(text)
    if not text:
        return text
    text = _mask_known(text, extra)
    # each shape only where a character it needs is present: most texts (ids, names, a
    # plain URL) skip every regex pass
    if "@" in text:
        text = _USERINFO.sub(lambda m: m.group("pre") + _masked_value(m.group("info")) + "@", text)
    if "=" in text:
        text = _EQ_PAIR.sub(_mask_pair, text)
    if ":" in text and ('"' in text or "'" in text):
        text = _COLON_PAIR.sub(_mask_pair, text)
    return _AUTH.sub(_mask_auth, text) if _may_hold_auth(text) else text


# -- records ------------------------------------------------------------------------------


def _collect(value: Any, secret: bool, found: set[str]) -> None:
    """The secret values held in ``value`` (under secret keys), recursively."""
    if isinstance(value, Mapping):
        for key, item in value.items():
            _collect(item, secret or is_secret_key(str(key)), found)
    elif isinstance(value, (list, tuple)):
        for item in value:
            _collect(item, secret, found)
    elif secret and isinstance(value, (str, int)) and not isinstance(value, bool):
        text = str(value).strip()
        if len(text) >= MIN_KNOWN_LENGTH and not text.startswith(_MASK):
            found.add(text)


def _masked(value: Any, secret: bool, known: tuple[str, ...]) -> Any:
    if isinstance(value, Mapping):
        return {key: _masked(item, secret or is_secret_key(str(key)), known)
                for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return type(value)(_masked(item, secret, known) for item in value)
    if value is None or value == "" or isinstance(value, bool):
        return value
    if secret:
        return mask(value)
    if isinstance(value, str):
        return mask_text(value, known)
    return value


_SCALARS = frozenset({str, int, float, bool, type(None)})
#: the secret-key flags of each key tuple seen (a listing's credentials share a few shapes)
_PLANS: dict[tuple[Any, ...], tuple[bool, ...]] = {}


def _plan(keys: tuple[Any, ...]) -> tuple[bool, ...]:
    flags = tuple(is_secret_key(str(key)) for key in keys)
    if len(_PLANS) < 1024:
        _PLANS[keys] = flags
    return flags


def masked_flat(data: Mapping[str, Any]) -> dict[str, Any] | None:
    """:func:`masked_mapping` of a mapping of plain values (a session's credentials):
    the same result in one pass over it; None when a value is not plain. Which keys
    are secret is worked out once per set of keys; a text not under a secret key is
    scanned (:func:`mask_text`) for the mapping's own secret values and for secret
    shapes (a URL's ``?token=``)."""
    keys = tuple(data)
    flags = _PLANS.get(keys)
    if flags is None:
        flags = _plan(keys)
    out = dict(data)  # plain values as they are; secrets and texts replaced below
    texts: list[Any] | None = None
    found: list[str] | None = None
    for key, value, secret in zip(keys, data.values(), flags, strict=True):
        kind = type(value)
        if kind is str:
            if not value:
                continue
            if secret:
                if value.startswith(_MASK):  # masked already: kept, and not a known value
                    continue
                out[key] = _MASK if len(value) <= 8 else _MASK + value[-4:]  # mask(value)
                text = value.strip()
            elif texts is None:
                texts = [key]
                continue
            else:
                texts.append(key)
                continue
        elif kind is int or kind is float:
            if not secret:
                continue
            out[key] = mask(value)
            if kind is float:
                continue
            text = str(value)
        elif value is None or kind is bool:
            continue
        else:
            return None
        if len(text) >= MIN_KNOWN_LENGTH and not text.startswith(_MASK):
            if found is None:
                found = [text]
            else:
                found.append(text)
    if texts is not None:
        if found is None:
            known: tuple[str, ...] = ()
        elif len(found) == 1:
            known = (found[0],)
        elif len(found) == 2 and len(found[0]) != len(found[1]):  # an app id and a token
            known = (found[0], found[1]) if len(found[0]) > len(found[1]) else (found[1], found[0])
        else:
            known = tuple(sorted(set(found), key=len, reverse=True))
        remembered = _known_sorted
        for key in texts:
            value = out[key]
            # an identifier ("akool_3f2a...", "user_240891_09ad2d") has no "@", "=",
            # ":", quote or white space: no secret shape can match, only a known value
            if value.isidentifier():
                for secret in known:
                    if secret in value:
                        break
                else:
                    for secret in remembered:
                        if secret in value:
                            break
                    else:
                        continue
            out[key] = mask_text(value, known)
    return out


def masked_mapping(data: Mapping[str, Any]) -> dict[str, Any]:
    """A copy of ``data`` with every secret masked, recursively through mappings and
    lists: values under secret keys (any spelling), remembered secret values and the
    secret values of ``data`` itself wherever they reappear, and secrets in URLs or
    other free text (:func:`mask_text`)."""
    flat = masked_flat(data)
    if flat is not None:
        return flat
    found: set[str] = set()
    _collect(data, False, found)
    known = tuple(sorted(found, key=len, reverse=True))
    return {key: _masked(value, is_secret_key(str(key)), known) for key, value in data.items()}


class MaskingFilter(logging.Filter):
    """A logging filter that masks secrets (:func:`mask_text`) in the message and in the
    traceback of every record it sees; put it on a handler."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a bad format string: leave it to the handler's error path
            return True
        masked = mask_text(message)
        if masked != message:
            record.msg, record.args = masked, None
        if record.exc_info and record.exc_info[0] is not None:
            import traceback

            record.exc_text = mask_text("".join(traceback.format_exception(*record.exc_info)))
            record.exc_info = None
        elif record.exc_text:
            record.exc_text = mask_text(record.exc_text)
        if record.stack_info:
            record.stack_info = mask_text(record.stack_info)
        return True
