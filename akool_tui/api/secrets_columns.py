""":func:`~.secrets.masked_flat` of many mappings with the same keys, a column at a time.

``sessions list --json`` at 100 000 sessions masked each session's credentials in a
Python loop over its keys: a third of its cost. The sessions of one page share a few
sets of keys (one per stream type), so :func:`masked_columns` takes the values of one
key across the mappings that have those keys and masks them in one pass each, with
the per-value work done by C calls (``map``) where it can:

- values under a secret key: :func:`~.secrets.mask` of each;
- the other texts: unchanged when no secret of the same mapping, and no remembered
  secret, is part of them and they are identifiers (no secret shape fits one); a text
  of another shape (a URL) is scanned by :func:`~.secrets.mask_text` once per distinct
  text;
- a text that holds a secret: that mapping is masked by :func:`~.secrets.masked_flat`
  itself, so what it does with it is the same by construction.

A column of a type ``masked_flat`` refuses (a nested value), or of mixed types, gives
None: the caller masks those mappings one by one.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from itertools import repeat
from operator import itemgetter
from typing import Any

from . import secrets
from .secrets import _MASK, MIN_KNOWN_LENGTH, _plan, mask_text, masked_flat

__all__ = ["masked_columns"]

_NUMBERS = frozenset({int, float, bool, type(None)})
_STR = frozenset({str})
#: texts (not identifiers) already scanned for secret shapes: what mask_text made of them
_SCANNED: dict[str, str] = {}
_SCANNED_LIMIT = 4096


def _scanned(text: str) -> str:
    """``mask_text(text)`` of a text that holds no remembered secret: its secret
    shapes masked, which depends on the text alone."""
    done = _SCANNED.get(text)
    if done is None:
        done = mask_text(text, ())
        if len(_SCANNED) < _SCANNED_LIMIT:
            _SCANNED[text] = done
    return done


def masked_columns(keys: tuple[str, ...], rows: Sequence[Mapping[str, Any]], *,
                   shown: str = _MASK
                   ) -> tuple[list[Sequence[Any]], dict[int, dict[str, Any]]] | None:
    """``rows`` (mappings whose keys are ``keys``, in that order) masked as
    :func:`~.secrets.masked_flat` masks each: (the masked values of each key, a column
    per key, and the rows to take whole instead: row index -> ``masked_flat(row)``),
    or None when a column holds values ``masked_flat`` refuses or of mixed kinds.

    ``shown`` is written in place of the mask's ``"••••"`` in the columns (not in the
    whole rows): ``sessions list --json`` writes a mark it replaces once per page."""
    if not keys:
        return [], {}
    flags = secrets._PLANS.get(keys) or _plan(keys)
    pick = itemgetter(*keys)
    columns: list[Sequence[Any]] = (list(zip(*map(pick, rows))) if len(keys) > 1
                                    else [tuple(map(pick, rows))])
    out: list[Sequence[Any]] = []
    known: list[list[str]] = []  # per secret column: the value each row remembers, or a miss
    texts: list[int] = []
    longest = 0
    for i, (column, secret) in enumerate(zip(columns, flags, strict=True)):
        kinds = set(map(type, column))
        if kinds <= _STR:
            if not secret:
                out.append(column)
                texts.append(i)
                longest = max(longest, max(map(len, column), default=0))
                continue
            if _MASK not in "".join(column):  # none masked already: no startswith each
                out.append([shown + v[-4:] if len(v) > 8 else shown if v else v
                            for v in column])
                known.append([s if len(s) >= MIN_KNOWN_LENGTH else ""
                              for s in map(str.strip, column)])
                continue
            out.append([v if not v or v.startswith(_MASK) else
                        shown if len(v) <= 8 else shown + v[-4:] for v in column])
            known.append([s if len(s) >= MIN_KNOWN_LENGTH and not s.startswith(_MASK) else ""
                          for s in map(str.strip, column)])
        elif kinds <= _NUMBERS:
            if not secret or not kinds & {int, float}:
                out.append(column)
                continue
            out.append([(shown if len(t := str(v)) <= 8 else shown + t[-4:])  # mask(v)
                        if type(v) is int or type(v) is float else v for v in column])
            if int in kinds:
                known.append([s if type(v) is int and len(s := str(v)) >= MIN_KNOWN_LENGTH
                              else "" for v in column])
        else:
            return None
    whole: dict[int, dict[str, Any]] = {}
    if not texts:
        return out, whole
    # a row that remembers no secret gets a text longer than any: a substring of none
    miss = "\x00" * (longest + 1)
    known = [[k or miss for k in column] for column in known]
    remembered = secrets._known_sorted
    for i in texts:
        column = out[i]
        for secret_column in known:
            if any(hits := list(map(str.__contains__, column, secret_column))):
                whole.update((r, {}) for r, hit in enumerate(hits) if hit)
        for secret in remembered:
            if any(hits := list(map(str.__contains__, column, repeat(secret)))):
                whole.update((r, {}) for r, hit in enumerate(hits) if hit)
    for i in texts:
        column = out[i]
        if not all(map(str.isidentifier, column)):  # a URL: scanned for secret shapes
            out[i] = [v if not v or r in whole or v.isidentifier() else _scanned(v)
                      for r, v in enumerate(column)]
    for r in whole:
        whole[r] = masked_flat(rows[r])  # type: ignore[assignment]
    return out, whole
