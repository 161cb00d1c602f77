"""The config file on disk: where it is, reading it (a small regular file only),
environment overrides, and saving only what the app changed -- atomically, mode 0600,
comments and the user's other keys kept.
"""

from __future__ import annotations

import os
import stat
import tempfile
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from ..api.secrets import remember_secret
from ..core import validators as v
from ..core.files import UnsafeFile, read_regular
from .model import (
    APP_DIR,
    CONFIG_FILE,
    ENV_OVERRIDES,
    MAX_CONFIG_BYTES,
    SECRET_KEYS,
    ONE_OFF_SOURCES,
    Config,
    ConfigError,
    file_key_paths,
)
from .profiles import CONNECTION_KEYS, RESERVED, select_profile, wanted_profile
from .schema import _shown, parse_config, validate_config

# -- discovery, loading, saving ---------------------------------------------------


def config_path(env: Mapping[str, str] | None = None) -> Path:
    """``$AKOOL_TUI_CONFIG``, else ``$XDG_CONFIG_HOME/akool-tui/config.toml``,
    else ``~/.config/akool-tui/config.toml``."""
    env = os.environ if env is None else env
    explicit = env.get("AKOOL_TUI_CONFIG")
    if explicit:
        return Path(explicit).expanduser()
    xdg = env.get("XDG_CONFIG_HOME")
    base = Path(xdg).expanduser() if xdg else Path.home() / ".config"
    return base / APP_DIR / CONFIG_FILE


def _read_text(path: Path) -> str | None:
    """The file's text, or None when there is no file. Only a regular file of at most
    :data:`MAX_CONFIG_BYTES` is read: a FIFO, a device or a huge file is an error."""
    try:
        data = read_regular(path, limit=MAX_CONFIG_BYTES)
    except FileNotFoundError:
        return None
    except UnsafeFile as exc:
        raise ConfigError(f"{exc}; the config must be a TOML file", path=path) from None
    except OSError as exc:
        raise ConfigError(f"cannot read the config file: {exc.strerror or exc}",
                          path=path) from None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise ConfigError("the file is not valid UTF-8", path=path, line=line) from None


def _check_mode(path: Path, text: str) -> list[str]:
    """Refuse a config file other users can change (they could send the requests, and the
    key they carry, elsewhere: ``base_url``), as ssh refuses such a config; a warning
    when it holds secrets other users can read."""
    try:
        info = os.stat(path)
    except OSError:
        return []
    mode = info.st_mode
    if mode & (stat.S_IWGRP | stat.S_IWOTH):
        raise ConfigError(f"other users can change this file (where requests go and which "
                          f"key they carry): chmod 600 {path} (not used)", path=path)
    if problem := _foreign_owner(info) or _open_folder(path):
        raise ConfigError(f"{problem} (not used)", path=path)
    if not mode & (stat.S_IRGRP | stat.S_IROTH):
        return []
    try:
        items = _flatten(tomllib.loads(text))
    except tomllib.TOMLDecodeError:
        return []  # parse_config names the error
    if any(key[-1] in SECRET_KEYS and value for key, value in items.items()):
        return [f"{path} holds secrets and other users can read it: chmod 600 {path}"]
    return []


def _owner_ok(info: os.stat_result) -> bool:
    """Owned by the user running us, or by root (as ssh's StrictModes asks)."""
    return info.st_uid in (os.getuid(), 0) if hasattr(os, "getuid") else True


def _foreign_owner(info: os.stat_result) -> str:
    if _owner_ok(info):
        return ""
    return (f"this file belongs to another user (uid {info.st_uid}), who can change where "
            "requests go and which key they carry: use a copy of your own")


def _open_folder(path: Path) -> str:
    """A folder on the way to ``path`` in which another user could put another file in
    its place: owned by someone else, or group/world-writable without the sticky bit
    (``/tmp`` has it: there only a file's owner may rename it)."""
    folder = Path(os.path.abspath(path)).parent
    for current in (folder, *folder.parents):
        try:
            info = os.stat(current)
        except OSError:
            return ""
        writable = info.st_mode & (stat.S_IWGRP | stat.S_IWOTH)
        if not _owner_ok(info):
            return (f"the folder {current} belongs to another user (uid {info.st_uid}), who "
                    "could put another config file in its place")
        if writable and not info.st_mode & stat.S_ISVTX:
            return (f"other users can write to the folder {current} and put another config "
                    f"file in its place: chmod go-w {current}")
    return ""


def load_config(path: Path | str | None = None, env: Mapping[str, str] | None = None, *,
                missing_ok: bool = True, profile: str | None = None,
                env_overrides: bool = True) -> Config:
    """The config from ``path`` (default :func:`config_path`) with environment overrides,
    for the profile ``profile`` (``--profile``), else ``$AKOOL_PROFILE``, else the
    file's ``default_profile``, else the top level (:mod:`.profiles`).

    A missing file gives the defaults, unless ``missing_ok`` is false (a path the user
    named with ``--config``). ``env_overrides=False``: the file's values only (the
    console's profile switch). Raises :class:`ConfigError`.
    """
    env = os.environ if env is None else env
    path = Path(path).expanduser() if path is not None else config_path(env)
    text = _read_text(path)
    if text is None and not missing_ok:
        raise ConfigError("no such config file", path=path)
    warnings = _check_mode(path, text) if text is not None else []
    cfg = parse_config(text, path) if text is not None else Config(path=path)
    cfg.path = path
    name, source = wanted_profile(cfg, profile, env)
    cfg = select_profile(cfg, name, source=source)
    cfg.profile_source = source
    for var, key in ENV_OVERRIDES.items() if env_overrides else ():
        value = env.get(var, "").strip()
        if not value:
            continue
        if key == "base_url":
            problem = v.validate_base_url(value)
            if problem:
                raise ConfigError(f"{var}: expected {problem}{_shown(key, value)}")
        cfg.override(key, value, "env")
    cfg.load_warnings = warnings
    remember_secret(cfg.defaults.elevenlabs_api_key)  # masked in any text from now on
    cfg.saved_items = _file_items(cfg)
    return cfg


def _flatten(data: Mapping[str, Any], prefix: tuple[str, ...] = ()) -> dict[tuple[str, ...], Any]:
    out: dict[tuple[str, ...], Any] = {}
    for key, value in data.items():
        if isinstance(value, Mapping):
            out.update(_flatten(value, (*prefix, key)))
        else:
            out[(*prefix, key)] = value
    return out


def _one_off(cfg: Config, key: tuple[str, ...]) -> bool:
    return len(key) == 1 and cfg.source_of(key[0]) in ONE_OFF_SOURCES


def _file_items(cfg: Config) -> dict[tuple[str, ...], Any]:
    """What the file should say, key path -> value, without one-off (env/flag/demo) values."""
    return {key: value for key, value in _flatten(cfg.to_dict(for_file=True)).items()
            if not _one_off(cfg, key)}


def _items_of_text(text: str | None) -> dict[tuple[str, ...], Any]:
    """What a file says, over the defaults (for a config built in code)."""
    items = _file_items(Config())
    if text:
        try:
            items.update(_flatten(tomllib.loads(text)))
        except tomllib.TOMLDecodeError:
            pass
    return items


def _resolve_target(target: Path) -> Path:
    """The file to replace: a symlink's final target (the link itself stays)."""
    if not target.is_symlink():
        return target
    real = Path(os.path.realpath(target))
    if real.is_symlink():
        raise ConfigError("is a symlink that does not resolve (a loop?); not saved",
                          path=target)
    return real


def _edit(doc: Any, changes: Mapping[tuple[str, ...], Any],
          removals: list[tuple[str, ...]], target: Path) -> None:
    """Set and remove keys in a tomlkit document, keeping everything else as it is."""
    import tomlkit

    def table_of(key: tuple[str, ...], create: bool) -> Any:
        container = doc
        for depth, part in enumerate(key[:-1]):
            if part not in container:
                if not create:
                    return None
                container[part] = tomlkit.table()
            container = container[part]
            if not isinstance(container, dict):
                raise ConfigError(f"expected a table [{'.'.join(key[:depth + 1])}] in the file; "
                                  "not saved", path=target)
        return container

    for key, value in changes.items():
        table_of(key, True)[key[-1]] = value
    for key in removals:
        table = table_of(key, False)
        if table is not None and key[-1] in table:
            del table[key[-1]]


def _lookup(data: Mapping[str, Any], key: tuple[str, ...]) -> Any:
    for part in key:
        if not isinstance(data, Mapping) or part not in data:
            return _MISSING
        data = data[part]
    return data


_MISSING = object()


def save_config(cfg: Config, path: Path | str | None = None) -> Path:
    """Write what the app changed in ``cfg`` into the file, atomically, mode 0600.

    Only the keys whose value differs from what the file held when it was read (or
    last written) are set, or removed (a cleared credential); the rest of the file --
    comments, order, formatting, keys this version does not know -- stays as the user
    wrote it, and a change made to the file by hand meanwhile is kept. Values set for
    this run only (environment, ``--base-url``, ``--demo``: :meth:`Config.override`)
    are never written. The result is checked by reading it back, written to a
    temporary file (created 0600, never through a symlink) in the same directory,
    fsynced and renamed over the target, so a reader sees the old file or the new one,
    never half of one. When the path is a symlink its target is replaced and the link
    stays.
    """
    import tomlkit

    from ..core.readonly import ensure_writable

    ensure_writable(cfg, "config.write")
    target = Path(path).expanduser() if path is not None else (cfg.path or config_path())
    validate_config(cfg)
    try:
        target.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    except OSError as exc:
        raise ConfigError(f"cannot write the config: {exc.strerror or exc}", path=target) from None
    real = _resolve_target(target)
    text = _read_text(real)
    try:
        doc = tomlkit.parse(text) if text else tomlkit.document()
    except Exception as exc:  # tomlkit's ParseError, or worse on a strange file
        raise ConfigError(f"the file is not valid TOML now ({exc}); fix it, then save again "
                          "(not saved)", path=target) from None
    same_file = cfg.saved_items is not None and cfg.path is not None and (
        Path(cfg.path).expanduser() == target)
    before = cfg.saved_items if same_file else _items_of_text(text)
    wanted = _file_items(cfg)
    changes = {key: value for key, value in wanted.items()
               if before.get(key, _MISSING) != value or type(before.get(key)) is not type(value)}
    removals = [key for key in before if key not in wanted and not _one_off(cfg, key)]
    if cfg.profile not in RESERVED:  # what a profile's user changed is the profile's
        # (the demo's preferences are the top level's: it saves there, as before)
        changes = {("profiles", cfg.profile, *key): value for key, value in changes.items()}
        removals = [("profiles", cfg.profile, *key) for key in removals]
    try:
        _edit(doc, changes, removals, target)
        payload = tomlkit.dumps(doc)
        written = tomllib.loads(payload)
    except ConfigError:
        raise
    except Exception as exc:
        raise ConfigError(f"cannot write the config: {exc}", path=target) from None
    if any(_lookup(written, key) != value for key, value in changes.items()) or any(
            _lookup(written, key) is not _MISSING for key in removals):
        raise ConfigError("cannot update the file without changing what else it says; "
                          "not saved", path=target)
    _write_atomically(real, payload.encode("utf-8"), shown=target)
    # The keys the file sets that this config knows about: what it read, and what it
    # just wrote. A key added to the file by hand meanwhile stays the file's alone: were
    # it counted, the next save would write this run's value of it over the hand edit.
    known = set(cfg.file_keys)
    for key in changes:
        inner = key[2:] if cfg.profile not in RESERVED else key  # past ("profiles", name)
        known.update({inner[0], ".".join(inner[:2])})
    cfg.path = target
    file_keys = file_key_paths(written)
    if cfg.profile not in RESERVED:
        file_keys = (file_keys - set(CONNECTION_KEYS)) | file_key_paths(
            written.get("profiles", {}).get(cfg.profile, {}))
    cfg.file_keys = {key for key in file_keys if key in known}
    cfg.saved_items = wanted
    return target


def _write_atomically(target: Path, payload: bytes, *, shown: Path) -> None:
    """``payload`` into ``target`` (mode 0600) through a temporary file and a rename."""
    directory = target.parent
    try:
        fd, tmp = tempfile.mkstemp(dir=directory, prefix=f".{target.name}.", suffix=".tmp")
    except OSError as exc:
        raise ConfigError(f"cannot write the config: {exc.strerror or exc}", path=shown) from None
    try:
        with os.fdopen(fd, "wb") as handle:
            os.fchmod(handle.fileno(), 0o600)
            handle.write(payload)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, target)
    except BaseException as exc:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        if isinstance(exc, OSError):
            raise ConfigError(f"cannot write the config: {exc.strerror or exc}",
                              path=shown) from None
        raise
    _fsync_dir(directory)


def _fsync_dir(directory: Path) -> None:
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)
