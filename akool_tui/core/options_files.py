"""Reading create options from files: ``--params-file`` (the whole ``voice_params``)
and ``--credentials-file`` (bring-your-own room credentials), JSON or TOML.

- The format comes from the extension (``.json``, ``.toml``); any other name is read
  as JSON when its text starts with ``{``, else as TOML.
- A regular file or a pipe (``-`` for standard input, ``<(jq ...)``, a FIFO) of at
  most :data:`MAX_OPTIONS_BYTES` is read, never a device, and a pipe nobody writes
  fails in seconds (:func:`akool_tui.core.files.read_input`).
- Either file may be the value itself or hold it under one key (``voice_params`` /
  ``credentials``), so a fragment of a create body works too.
- Secret values (the ElevenLabs ``api_key``, tokens, user sigs, app ids) are remembered
  for masking the moment the file is parsed; error messages name keys and lines, never
  values (a JSON or TOML parser's own message can quote the text: it is not shown).
- Permissions (decided here): a file holding secrets that other users can *write* is
  refused -- someone else could point your avatar at their room or swap your key; one
  that they can only *read* is used with a warning (:attr:`Loaded.warnings`), as tokens
  are short-lived and scripts often write them with the default umask.
"""

from __future__ import annotations

import json
import re
import stat
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .files import UnsafeFile, read_input
from .session_options import remember_secrets, secret_values

#: an options file is a few hundred bytes; anything this large is a mistake
MAX_OPTIONS_BYTES = 64 * 1024


class OptionsFileError(ValueError):
    """The file cannot be used; ``str()`` says which file and why (never a value)."""


@dataclass
class Loaded:
    """A file's table and what the user should hear about it."""

    value: dict[str, Any]
    warnings: list[str] = field(default_factory=list)


def _parse(path: Path, text: str) -> Any:
    ext = path.suffix.lower()
    as_json = ext == ".json" or (ext != ".toml" and text.lstrip().startswith("{"))
    if as_json:
        try:
            return json.loads(text)
        except json.JSONDecodeError as exc:  # its msg has no value in it; the doc is not shown
            raise OptionsFileError(f"{path}: not valid JSON ({exc.msg}, line {exc.lineno})"
                                   ) from None
        except RecursionError:
            raise OptionsFileError(f"{path}: nested too deeply") from None
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        found = re.search(r"line (\d+)", str(exc))  # only the line: the text may quote a value
        line = found.group(1) if found else None
        raise OptionsFileError(f"{path}: not valid TOML" + (f" (line {line})" if line else "")
                               ) from None


def load_table(path: str | Path, *, key: str, what: str) -> Loaded:
    """The table in ``path`` (the value itself, or under ``key``), secrets remembered."""
    path = Path(path).expanduser() if str(path) != "-" else Path("-")
    try:
        data, mode = read_input(path, limit=MAX_OPTIONS_BYTES)
    except FileNotFoundError:
        raise OptionsFileError(f"{path}: no such file") from None
    except UnsafeFile as exc:
        raise OptionsFileError(f"{path} {exc}; the {what} must be a JSON or TOML file") from None
    except OSError as exc:
        raise OptionsFileError(f"{path}: cannot read it ({exc.strerror or exc})") from None
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise OptionsFileError(f"{path}: not UTF-8 text") from None
    value = _parse(path, text)
    if isinstance(value, dict) and set(value) == {key} and isinstance(value[key], dict):
        value = value[key]
    if not isinstance(value, dict):
        raise OptionsFileError(f"{path}: expected a table (an object) of {what}")
    remember_secrets(value, secret=key == "credentials")
    warnings: list[str] = []
    if secret_values(value, secret=key == "credentials"):
        if mode & (stat.S_IWGRP | stat.S_IWOTH):
            raise OptionsFileError(f"{path} holds secrets and other users can change it: "
                                   f"chmod 600 {path} (not used)")
        if mode & (stat.S_IRGRP | stat.S_IROTH):
            warnings.append(f"{path} holds secrets and other users can read it: chmod 600 {path}")
    return Loaded(value, warnings)


def load_params_file(path: str | Path) -> Loaded:
    """``--params-file``: the whole ``voice_params``."""
    return load_table(path, key="voice_params", what="voice_params")


def load_credentials_file(path: str | Path) -> Loaded:
    """``--credentials-file``: every value is treated as a secret."""
    return load_table(path, key="credentials", what="credentials")
